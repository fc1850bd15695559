{#
  value_conflict findings: two statements of the same figure group (flow,
  pair, commodity, year, forecast status, measure) whose written intervals
  do not meet, so they cannot both be true as written. Intervals that touch
  ("$245 billion" up to 245.5 bn, "$246 billion" from 245.5 bn) can both be
  true and are no finding. One row per such pair, the smaller
  stated_figure_id first. A group holds one measure, so both intervals are
  in the same unit (value_unit: USD or percent).
#}

with

intervals as (

    select * from {{ ref('int_trade_figures_intervals') }}

),

conflicting_pairs as (

    select
        this.stated_figure_id,
        this.stated_text,
        this.period_year,
        this.source_name,
        other.stated_figure_id as other_stated_figure_id,
        other.stated_text as other_stated_text,
        other.source_name as other_source_name
    from intervals as this
    inner join intervals as other
        on
            this.figure_group_id = other.figure_group_id
            and this.stated_figure_id < other.stated_figure_id
    where
        this.low_value > other.high_value
        or other.low_value > this.high_value

),

final as (

    select
        'value_conflict' as check_name,
        concat_ws(
            '|', 'value_conflict', stated_figure_id, other_stated_figure_id
        ) as finding_key,
        stated_figure_id,
        other_stated_figure_id,
        null::varchar as reference_source,
        null::double as reference_value_usd,
        'states ' || stated_text || ' for ' || period_year
        || ' (' || source_name || ') while ' || other_source_name
        || ' states ' || other_stated_text
        || ': as written they cannot both be true' as explanation
    from conflicting_pairs

)

select * from final
