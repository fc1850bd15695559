-- A level stated for one year is not another article's level for a different
-- year unless some other source supports it for its own year. Returns the
-- suspect statement and the article whose year it matches.
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
    where check_name = 'period_conflict'

)

select * from final
