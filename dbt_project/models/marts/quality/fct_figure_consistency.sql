{#
  Do the articles agree? One row per trade figure group: the same flow,
  reporter, partner, commodity, period_year, forecast status and measure
  (level or growth), across every article that states it.

  Each statement stands for the interval its wording allows
  (int_trade_figures_intervals). The statements of a group can all be true
  exactly when their intervals share a point, i.e. when the largest lower
  end does not exceed the smallest upper end; otherwise the group is a
  conflict. Near-duplicate copies count once (independent_source_id).
#}

with

intervals as (

    select * from {{ ref('int_trade_figures_intervals') }}

),

growth_comparisons as (

    select * from {{ ref('int_growth_rates_compared') }}

),

reference_levels as (

    select * from {{ ref('int_trade_levels_evidenced') }}
    where evidence_kind = 'reference'

),

grouped as (

    select
        figure_group_id,
        any_value(flow) as flow,
        any_value(reporter) as reporter,
        any_value(partner) as partner,
        any_value(commodity) as commodity,
        any_value(period_year) as period_year,
        any_value(is_forecast) as is_forecast,
        any_value(measure) as measure,
        count(*) as statement_count,
        count(distinct article_id) as article_count,
        count(distinct independent_source_id) as independent_source_count,
        list(stated_value order by stated_value, article_id) as stated_values,
        string_agg(
            source_name || ': ' || stated_text, '; '
            order by stated_value, source_name, stated_text
        ) as stated_texts,
        -- Sorted: list(distinct ...) keeps no order, so reruns could differ.
        list_sort(list(distinct article_id)) as article_ids,
        median(stated_value) as consensus_value,
        min(stated_value) as min_value,
        max(stated_value) as max_value,
        max(low_value) as common_low_value,
        min(high_value) as common_high_value
    from intervals
    group by figure_group_id

),

growth_checks as (

    select
        stated_figure_id,
        any_value(trade_figure_id) as trade_figure_id,
        bool_and(is_rate_possible) as is_rate_possible,
        min(implied_low_growth_pct) as implied_low_growth_pct,
        max(implied_high_growth_pct) as implied_high_growth_pct
    from growth_comparisons
    group by stated_figure_id

),

growth_by_group as (

    select
        intervals.figure_group_id,
        count(growth_checks.stated_figure_id) as checked_rate_count,
        count(*) filter (where not growth_checks.is_rate_possible)
            as impossible_rate_count,
        min(growth_checks.implied_low_growth_pct) as implied_low_growth_pct,
        max(growth_checks.implied_high_growth_pct) as implied_high_growth_pct
    from intervals
    inner join growth_checks
        on intervals.stated_figure_id = growth_checks.stated_figure_id
    group by intervals.figure_group_id

),

final as (

    select
        grouped.figure_group_id,
        grouped.flow,
        grouped.reporter,
        grouped.partner,
        grouped.commodity,
        grouped.period_year,
        grouped.is_forecast,
        grouped.measure,
        grouped.statement_count,
        grouped.article_count,
        grouped.independent_source_count,
        grouped.stated_values,
        grouped.stated_texts,
        grouped.article_ids,
        grouped.consensus_value,
        grouped.min_value,
        grouped.max_value,
        round(
            100.0 * (grouped.max_value - grouped.min_value)
            / nullif(abs(grouped.consensus_value), 0),
            3
        ) as relative_spread_pct,
        grouped.common_low_value <= grouped.common_high_value
            as is_mutually_consistent,
        case
            when grouped.common_low_value > grouped.common_high_value
                then 'conflict'
            when grouped.independent_source_count > 1 then 'corroborated'
            else 'single_source'
        end as consistency_status,
        reference_levels.value_usd as reference_value_usd,
        reference_levels.source_name as reference_source,
        case
            when reference_levels.evidence_id is null then null
            else
                grouped.common_low_value <= reference_levels.high_value_usd
                and reference_levels.low_value_usd <= grouped.common_high_value
        end as is_within_reference_tolerance,
        case
            when grouped.measure != 'growth' then null
            when coalesce(growth_by_group.checked_rate_count, 0) = 0
                then 'not_checked'
            when growth_by_group.impossible_rate_count > 0 then 'conflict'
            else 'passed'
        end as growth_level_check,
        round(growth_by_group.implied_low_growth_pct, 3)
            as implied_low_growth_pct,
        round(growth_by_group.implied_high_growth_pct, 3)
            as implied_high_growth_pct

    from grouped
    left join growth_by_group
        on grouped.figure_group_id = growth_by_group.figure_group_id
    left join reference_levels
        on
            grouped.measure = 'level'
            and not grouped.is_forecast
            and grouped.flow = reference_levels.flow
            and grouped.reporter = reference_levels.reporter
            and grouped.partner = reference_levels.partner
            and grouped.commodity = reference_levels.commodity
            and grouped.period_year = reference_levels.period_year

)

select * from final
