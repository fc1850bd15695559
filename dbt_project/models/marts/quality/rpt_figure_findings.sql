{#
  Every inconsistency the figure checks found, explained. One row per
  finding: a stated figure and what it contradicts (another article's
  statement or the official reference).

  check_name:
    value_conflict         two statements of the same figure group (flow,
                           pair, commodity, year, measure) whose written
                           intervals do not meet; one row per pair.
    growth_level_conflict  a stated growth rate that no pair of known levels
                           for its year and the year before allows; one row
                           per (rate, level, prior level) it contradicts.
    period_conflict        a level stated for one year that matches another
                           article's level for a different year while no
                           other source (article or reference) supports it
                           for its own year: the year is probably wrong.
    reference_deviation    a level whose written interval misses the
                           official reference (+/- its revision allowance).
  Empty when the articles agree; the assert_no_* tests (warn) put each
  check's findings into audit.quality_results.
#}

with

intervals as (

    select * from {{ ref('int_trade_figures_intervals') }}

),

levels as (

    select * from {{ ref('int_trade_levels_evidenced') }}

),

growth_comparisons as (

    select * from {{ ref('int_growth_rates_compared') }}

),

-- The official totals come from the same seed rows as
-- fct_trade_figures.reference_value_usd (and reference_deviation_pct below is
-- the same formula), read through the intermediate layer so these findings are
-- still built when an error test on fct_trade_figures fails: the report of a
-- stopped run must show this run's findings, not a stale table.
reference_levels as (

    select * from levels
    where evidence_kind = 'reference'

),

value_conflicts as (

    select
        'value_conflict' as check_name,
        concat_ws(
            '|', 'value_conflict', this.stated_figure_id, other.stated_figure_id
        ) as finding_key,
        this.stated_figure_id,
        other.stated_figure_id as other_stated_figure_id,
        null as reference_source,
        null::double as reference_value_usd,
        'states ' || this.stated_text || ' for ' || this.period_year
        || ' (' || this.source_name || ') while ' || other.source_name
        || ' states ' || other.stated_text
        || ': as written they cannot both be true' as explanation
    from intervals as this
    inner join intervals as other
        on
            this.figure_group_id = other.figure_group_id
            and this.stated_figure_id < other.stated_figure_id
    where
        this.low_value > other.high_value
        or other.low_value > this.high_value

),

growth_level_conflicts as (

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
    from growth_comparisons
    where not is_rate_possible

),

-- Levels another source (article or reference) backs for the year their
-- article gives them: stated again for another year, that is simply the same
-- value twice, not a wrong year.
supported_levels as (

    select distinct claimed.stated_figure_id
    from intervals as claimed
    inner join levels as backing
        on
            claimed.flow = backing.flow
            and claimed.reporter = backing.reporter
            and claimed.partner = backing.partner
            and claimed.commodity = backing.commodity
            and claimed.period_year = backing.period_year
            and claimed.article_id != coalesce(backing.article_id, '')
            and claimed.low_value <= backing.high_value_usd
            and claimed.high_value >= backing.low_value_usd
    where claimed.measure = 'level'

),

period_conflicts as (

    select
        'period_conflict' as check_name,
        concat_ws(
            '|', 'period_conflict',
            this.stated_figure_id, other.stated_figure_id
        ) as finding_key,
        this.stated_figure_id,
        other.stated_figure_id as other_stated_figure_id,
        null as reference_source,
        null::double as reference_value_usd,
        'states ' || this.stated_text || ' for ' || this.period_year
        || ', the value ' || other.source_name || ' states for '
        || other.period_year || '; nothing else supports it for '
        || this.period_year as explanation
    from intervals as this
    inner join intervals as other
        on
            this.measure = 'level'
            and other.measure = 'level'
            and this.flow = other.flow
            and this.reporter = other.reporter
            and this.partner = other.partner
            and this.commodity = other.commodity
            and this.is_forecast = other.is_forecast
            and this.period_year != other.period_year
            and this.independent_source_id != other.independent_source_id
            and this.low_value <= other.high_value
            and this.high_value >= other.low_value
    left join supported_levels
        on this.stated_figure_id = supported_levels.stated_figure_id
    where supported_levels.stated_figure_id is null

),

reference_deviations as (

    select
        'reference_deviation' as check_name,
        concat_ws(
            '|', 'reference_deviation', intervals.stated_figure_id,
            reference_levels.evidence_id
        ) as finding_key,
        intervals.stated_figure_id,
        null as other_stated_figure_id,
        reference_levels.source_name as reference_source,
        reference_levels.value_usd as reference_value_usd,
        'states ' || intervals.stated_text || ' for '
        || intervals.period_year || ', '
        || round(
            100.0 * (intervals.stated_value - reference_levels.value_usd)
            / reference_levels.value_usd,
            2
        )
        || '% from the official USD '
        || round(reference_levels.value_usd / 1e9, 2) || ' bn ('
        || reference_levels.source_name || '), beyond its written '
        || 'precision and the reference''s revision allowance'
            as explanation
    from intervals
    inner join reference_levels
        on
            intervals.flow = reference_levels.flow
            and intervals.reporter = reference_levels.reporter
            and intervals.partner = reference_levels.partner
            and intervals.commodity = reference_levels.commodity
            and intervals.period_year = reference_levels.period_year
    where
        intervals.measure = 'level'
        -- a forecast is not a result to compare with
        and not intervals.is_forecast
        and (
            intervals.low_value > reference_levels.high_value_usd
            or intervals.high_value < reference_levels.low_value_usd
        )

),

findings as (

    select * from value_conflicts
    union all by name
    select * from growth_level_conflicts
    union all by name
    select * from period_conflicts
    union all by name
    select * from reference_deviations

),

final as (

    select
        md5(findings.finding_key) as finding_id,
        findings.check_name,
        this.trade_figure_id,
        this.article_id,
        this.source_name,
        this.flow,
        this.reporter,
        this.partner,
        this.commodity,
        this.period_year,
        this.measure,
        this.stated_value,
        this.stated_text,
        this.sentence_text,
        other.trade_figure_id as other_trade_figure_id,
        other.article_id as other_article_id,
        other.source_name as other_source_name,
        other.period_year as other_period_year,
        other.stated_value as other_stated_value,
        other.stated_text as other_stated_text,
        other.sentence_text as other_sentence_text,
        findings.reference_source,
        findings.reference_value_usd,
        findings.explanation
    from findings
    inner join intervals as this
        on findings.stated_figure_id = this.stated_figure_id
    left join intervals as other
        on findings.other_stated_figure_id = other.stated_figure_id

)

select * from final
