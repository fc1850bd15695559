{#
  Every trade figure as the interval its article's wording allows.

  One row per stated measure of a trade figure with a period: its level
  (US dollars) and/or its growth rate (percent). "$245 billion" stands for
  244.5-245.5 billion and "1.9 percent" for 1.85-1.95 (half a unit of the
  last written digit, computed once in int_trade_figures_enriched); a hedged
  figure ("about", "nearly", "more than") is widened by
  var hedged_figure_allowance of its value on each side. Near-duplicate
  copies share their original's independent_source_id, so a syndicated copy
  is never counted as a second source.

  stated_value, tolerance, low_value and high_value are in the measure's
  unit, named in value_unit (as raw.figure_mentions.unit names it): USD for
  a level, percent for a growth rate. One name for both, since the value
  conflict check and fct_figure_consistency treat every measure alike; the
  checks of one measure rename them (int_trade_levels_evidenced:
  low_value_usd, int_growth_rates_compared: low_growth_pct).
#}

with

trade_figures as (

    select * from {{ ref('int_trade_figures_accepted') }}

),

levels as (

    select
        *,
        'level' as measure,
        'USD' as value_unit,
        value_usd as stated_value,
        value_raw_text as stated_text,
        value_rounding_usd
        + case
            when is_value_approximate
                then {{ var('hedged_figure_allowance') }} * abs(value_usd)
            else 0
        end as tolerance
    from trade_figures
    where value_usd is not null

),

growth_rates as (

    select
        *,
        'growth' as measure,
        'percent' as value_unit,
        growth_pct as stated_value,
        growth_raw_text as stated_text,
        growth_rounding_pct as tolerance
    from trade_figures
    where growth_pct is not null

),

stated as (

    select * from levels
    union all by name
    select * from growth_rates

),

final as (

    select
        trade_figure_id || '-' || measure as stated_figure_id,
        md5(concat_ws(
            '|', flow, reporter, partner, commodity, period_year,
            is_forecast, measure
        )) as figure_group_id,
        trade_figure_id,
        article_id,
        coalesce(near_duplicate_of, article_id) as independent_source_id,
        source_name,
        published_date,
        sentence_id,
        sentence_text,
        flow,
        reporter,
        partner,
        commodity,
        period_year,
        is_forecast,
        measure,
        value_unit,
        stated_value,
        stated_text,
        tolerance,
        stated_value - tolerance as low_value,
        stated_value + tolerance as high_value
    from stated
    -- a figure without a year cannot be compared with anything
    where period_year is not null

)

select * from final
