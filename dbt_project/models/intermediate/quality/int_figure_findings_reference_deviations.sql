{#
  reference_deviation findings: a level stated in an article (a result, not
  a forecast) whose written interval misses the official total for the same
  flow, pair, commodity and year, +/- the reference's revision allowance
  (both intervals from int_trade_levels_evidenced). Intervals that touch are
  no finding. One row per (stated level, reference total).

  The official totals are the seed rows of
  fct_trade_figures.reference_value_usd (and the percentage in the
  explanation is its reference_deviation_pct formula), read through the
  intermediate layer so these findings are still built when an error test
  on fct_trade_figures fails: the report of a stopped run must show this
  run's findings, not a stale table.
#}

with

levels as (

    select * from {{ ref('int_trade_levels_evidenced') }}

),

stated_levels as (

    select * from levels
    where evidence_kind = 'article'

),

reference_levels as (

    select * from levels
    where evidence_kind = 'reference'

),

deviating_levels as (

    select
        stated_levels.evidence_id as stated_figure_id,
        stated_levels.stated_text,
        stated_levels.period_year,
        stated_levels.value_usd,
        reference_levels.evidence_id as reference_evidence_id,
        reference_levels.source_name as reference_source,
        reference_levels.value_usd as reference_value_usd
    from stated_levels
    inner join reference_levels
        on
            stated_levels.flow = reference_levels.flow
            and stated_levels.reporter = reference_levels.reporter
            and stated_levels.partner = reference_levels.partner
            and stated_levels.commodity = reference_levels.commodity
            and stated_levels.period_year = reference_levels.period_year
    where
        stated_levels.low_value_usd > reference_levels.high_value_usd
        or stated_levels.high_value_usd < reference_levels.low_value_usd

),

final as (

    select
        'reference_deviation' as check_name,
        concat_ws(
            '|', 'reference_deviation', stated_figure_id,
            reference_evidence_id
        ) as finding_key,
        stated_figure_id,
        null::varchar as other_stated_figure_id,
        reference_source,
        reference_value_usd,
        'states ' || stated_text || ' for ' || period_year || ', '
        || round(
            100.0 * (value_usd - reference_value_usd) / reference_value_usd,
            2
        )
        || '% from the official USD '
        || round(reference_value_usd / 1e9, 2) || ' bn ('
        || reference_source || '), beyond its written '
        || 'precision and the reference''s revision allowance'
            as explanation
    from deviating_levels

)

select * from final
