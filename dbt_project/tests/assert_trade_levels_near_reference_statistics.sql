-- Trade levels (results, not forecasts) meet the official total for the same
-- flow, pair, commodity and year: the level's written interval and the
-- reference +/- var reference_revision_allowance overlap. Returns the levels
-- further off, with the reference.
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
    where check_name = 'reference_deviation'

)

select * from final
