{#
  Stated growth rates against the levels known for their year and the year
  before.

  One row per (growth rate stated for year Y, level of Y, level of Y-1), the
  levels taken from any article or the reference seed
  (int_trade_levels_evidenced) for the same flow, reporter, partner and
  commodity. The levels imply a growth interval
      [100 * (low(Y) / high(Y-1) - 1), 100 * (high(Y) / low(Y-1) - 1)]
  and the stated rate (as its written interval) agrees with that pair when
  the two intervals meet. is_rate_possible says whether ANY pair of known
  levels allows the stated rate: a rate is only in conflict when no evidence
  can make it true, so one wrong level elsewhere does not make every correct
  rate look wrong (that level is flagged on its own).
#}

with

intervals as (

    select * from {{ ref('int_trade_figures_intervals') }}

),

levels as (

    select * from {{ ref('int_trade_levels_evidenced') }}

),

growth_rates as (

    select * from intervals
    where measure = 'growth' and not is_forecast

),

compared as (

    select
        growth_rates.stated_figure_id,
        growth_rates.trade_figure_id,
        growth_rates.article_id,
        growth_rates.period_year,
        growth_rates.stated_value as growth_pct,
        growth_rates.stated_text,
        growth_rates.low_value as low_growth_pct,
        growth_rates.high_value as high_growth_pct,
        this_year.evidence_id as level_evidence_id,
        this_year.evidence_kind as level_evidence_kind,
        this_year.trade_figure_id as level_trade_figure_id,
        this_year.article_id as level_article_id,
        this_year.source_name as level_source_name,
        this_year.stated_text as level_stated_text,
        year_before.evidence_id as prior_level_evidence_id,
        year_before.evidence_kind as prior_level_evidence_kind,
        year_before.trade_figure_id as prior_level_trade_figure_id,
        year_before.article_id as prior_level_article_id,
        year_before.source_name as prior_level_source_name,
        year_before.stated_text as prior_level_stated_text,
        100 * (this_year.low_value_usd / year_before.high_value_usd - 1)
            as implied_low_growth_pct,
        100 * (this_year.high_value_usd / year_before.low_value_usd - 1)
            as implied_high_growth_pct
    from growth_rates
    inner join levels as this_year
        on
            growth_rates.flow = this_year.flow
            and growth_rates.reporter = this_year.reporter
            and growth_rates.partner = this_year.partner
            and growth_rates.commodity = this_year.commodity
            and growth_rates.period_year = this_year.period_year
    inner join levels as year_before
        on
            growth_rates.flow = year_before.flow
            and growth_rates.reporter = year_before.reporter
            and growth_rates.partner = year_before.partner
            and growth_rates.commodity = year_before.commodity
            and growth_rates.period_year - 1 = year_before.period_year
    where year_before.low_value_usd > 0

),

final as (

    select
        *,
        low_growth_pct <= implied_high_growth_pct
        and implied_low_growth_pct <= high_growth_pct as is_pair_consistent,
        bool_or(
            low_growth_pct <= implied_high_growth_pct
            and implied_low_growth_pct <= high_growth_pct
        ) over (partition by stated_figure_id) as is_rate_possible
    from compared

)

select * from final
