{#
  period_conflict findings: a level stated for one year that matches (the
  written intervals meet) another independent article's level for a
  different year, while no other source (article or reference) supports it
  for its own year: the year is probably wrong. One row per (level, the
  other year's level it matches). Forecasts are compared with forecasts
  only.
#}

with

intervals as (

    select * from {{ ref('int_trade_figures_intervals') }}

),

levels as (

    select * from {{ ref('int_trade_levels_evidenced') }}

),

-- Every stated level, forecasts included, in US dollars.
stated_levels as (

    select
        stated_figure_id,
        article_id,
        independent_source_id,
        source_name,
        flow,
        reporter,
        partner,
        commodity,
        period_year,
        is_forecast,
        stated_text,
        low_value as low_value_usd,
        high_value as high_value_usd
    from intervals
    where measure = 'level'

),

-- Levels another source (article or reference) backs for the year their
-- article gives them: stated again for another year, that is simply the same
-- value twice, not a wrong year.
supported_levels as (

    select distinct claimed.stated_figure_id
    from stated_levels as claimed
    inner join levels as backing
        on
            claimed.flow = backing.flow
            and claimed.reporter = backing.reporter
            and claimed.partner = backing.partner
            and claimed.commodity = backing.commodity
            and claimed.period_year = backing.period_year
            and claimed.article_id != coalesce(backing.article_id, '')
            and claimed.low_value_usd <= backing.high_value_usd
            and claimed.high_value_usd >= backing.low_value_usd

),

matched_other_years as (

    select
        this.stated_figure_id,
        this.stated_text,
        this.period_year,
        other.stated_figure_id as other_stated_figure_id,
        other.source_name as other_source_name,
        other.period_year as other_period_year
    from stated_levels as this
    inner join stated_levels as other
        on
            this.flow = other.flow
            and this.reporter = other.reporter
            and this.partner = other.partner
            and this.commodity = other.commodity
            and this.is_forecast = other.is_forecast
            and this.period_year != other.period_year
            and this.independent_source_id != other.independent_source_id
            and this.low_value_usd <= other.high_value_usd
            and this.high_value_usd >= other.low_value_usd
    left join supported_levels
        on this.stated_figure_id = supported_levels.stated_figure_id
    where supported_levels.stated_figure_id is null

),

final as (

    select
        'period_conflict' as check_name,
        concat_ws(
            '|', 'period_conflict', stated_figure_id, other_stated_figure_id
        ) as finding_key,
        stated_figure_id,
        other_stated_figure_id,
        null::varchar as reference_source,
        null::double as reference_value_usd,
        'states ' || stated_text || ' for ' || period_year
        || ', the value ' || other_source_name || ' states for '
        || other_period_year || '; nothing else supports it for '
        || period_year as explanation
    from matched_other_years

)

select * from final
