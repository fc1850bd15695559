{#
  The plausibility screen of trade statements: one row per statement and
  check it fails. The bounds are the trade_plausibility vars
  (expectations/thresholds.yml, passed by transforms/checks/dbt_build.py); the
  check names are the rejection_checks vocabulary (reasons.yml). A rejected
  statement stays out of fct_trade_figures and the consistency checks, and
  is listed with its evidence in rpt_rejected_rows: one odd sentence never
  stops the day.
#}

{%- set bounds = var('trade_plausibility') %}

with

trade_figures as (

    select * from {{ ref('int_trade_figures_enriched') }}

),

value_out_of_range as (

    select
        trade_figure_id,
        'value_usd_out_of_range' as check_name,
        'value_usd' as column_name,
        cast(value_usd as varchar) as offending_value,
        '{{ bounds.value_usd.min }} <= value_usd <= '
        || '{{ bounds.value_usd.max }}' as requirement
    from trade_figures
    where
        value_usd < {{ bounds.value_usd.min }}
        or value_usd > {{ bounds.value_usd.max }}

),

growth_out_of_range as (

    select
        trade_figure_id,
        'growth_pct_out_of_range' as check_name,
        'growth_pct' as column_name,
        cast(growth_pct as varchar) as offending_value,
        '{{ bounds.growth_pct.min }} <= growth_pct <= '
        || '{{ bounds.growth_pct.max }}' as requirement
    from trade_figures
    where
        growth_pct < {{ bounds.growth_pct.min }}
        or growth_pct > {{ bounds.growth_pct.max }}

),

period_too_early as (

    select
        trade_figure_id,
        'period_year_too_early' as check_name,
        'period_year' as column_name,
        cast(period_year as varchar) as offending_value,
        'period_year >= {{ bounds.period_year_min }}' as requirement
    from trade_figures
    where period_year < {{ bounds.period_year_min }}

),

-- A forecast may look a few years ahead of its article, not decades. (A
-- result for a year after publication is kept and reported by the
-- fct_trade_figures suite: a missed forecast hedge, worth a look.)
period_too_late as (

    select
        trade_figure_id,
        'period_year_too_late' as check_name,
        'period_year' as column_name,
        cast(period_year as varchar) as offending_value,
        'period_year <= publication year + '
        || {{ bounds.period_year_max_years_after_publication }} as requirement
    from trade_figures
    where
        period_year
        > year(published_date)
        + {{ bounds.period_year_max_years_after_publication }}

),

evidence_length as (

    select
        trade_figure_id,
        'evidence_text_length' as check_name,
        'evidence_text' as column_name,
        cast(length(evidence_text) as varchar) as offending_value,
        '{{ bounds.evidence_text_length.min }} <= length(evidence_text) <= '
        || '{{ bounds.evidence_text_length.max }}' as requirement
    from trade_figures
    where
        length(evidence_text) < {{ bounds.evidence_text_length.min }}
        or length(evidence_text) > {{ bounds.evidence_text_length.max }}

),

final as (

    select * from value_out_of_range
    union all
    select * from growth_out_of_range
    union all
    select * from period_too_early
    union all
    select * from period_too_late
    union all
    select * from evidence_length

)

select * from final
