-- A stated growth rate is allowed by at least one pair of known levels (any
-- article or the reference seed) for its year and the year before. Returns
-- the rate with each level pair it contradicts.
-- Severity warn: the article says what it says and the warehouse records it
-- faithfully; the finding is reported (audit.quality_results, the quality
-- report) for a person to judge, it does not stop publishing.
{{ config(severity='warn') }}

with

findings as (

    select * from {{ ref('rpt_figure_findings') }}

),

final as (

    select
        check_name,
        source_name,
        period_year,
        stated_text,
        other_source_name,
        other_period_year,
        other_stated_text,
        reference_source,
        article_id,
        other_article_id,
        explanation
    from findings
    where check_name = 'growth_level_conflict'

)

select * from final
