-- A level stated for one year is not another article's level for a different
-- year unless some other source supports it for its own year. Returns the
-- suspect statement and the article whose year it matches.
-- Severity warn: the article says what it says and the warehouse records it
-- faithfully; the finding is reported (audit.quality_results, the quality
-- report) for a person to judge, it does not stop publishing.
{{ config(severity='warn') }}

{{ figure_findings_of('period_conflict') }}
