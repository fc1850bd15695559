{#
  growth_level_conflict findings: a stated growth rate that no pair of known
  levels for its year and the year before allows (int_growth_rates_compared,
  is_rate_possible false). One row per (rate, level, prior level) it
  contradicts; a rate some pair allows is no finding, so one wrong level
  elsewhere does not make every correct rate look wrong.
#}

with

growth_comparisons as (

    select * from {{ ref('int_growth_rates_compared') }}

),

impossible_rates as (

    select * from growth_comparisons
    where not is_rate_possible

),

final as (

    select
        'growth_level_conflict' as check_name,
        -- one finding per (rate, level, prior level): the levels' evidence ids,
        -- since a reference level has no trade figure
        concat_ws(
            '|', 'growth_level_conflict', stated_figure_id,
            level_evidence_id, prior_level_evidence_id
        ) as finding_key,
        stated_figure_id,
        coalesce(
            prior_level_trade_figure_id, level_trade_figure_id
        ) || '-level' as other_stated_figure_id,
        case
            when prior_level_evidence_kind = 'reference'
                then prior_level_source_name
            when level_evidence_kind = 'reference' then level_source_name
        end as reference_source,
        null::double as reference_value_usd,
        'states growth of ' || stated_text || ' for ' || period_year
        || ', but the level ' || level_stated_text || ' ('
        || level_source_name || ') against ' || prior_level_stated_text
        || ' (' || prior_level_source_name || ') for ' || (period_year - 1)
        || ' implies ' || round(implied_low_growth_pct, 2) || '% to '
        || round(implied_high_growth_pct, 2)
        || '%, and no known pair of levels allows the stated rate'
            as explanation
    from impossible_rates

)

select * from final
