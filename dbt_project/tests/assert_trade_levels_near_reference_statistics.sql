-- Trade levels (results, not forecasts) meet the official total for the same
-- flow, pair, commodity and year: the level's written interval and the
-- reference +/- var reference_revision_allowance overlap. Returns the levels
-- further off, with the reference.
-- Severity warn: the article says what it says and the warehouse records it
-- faithfully; the finding is reported (audit.quality_results, the quality
-- report) for a person to judge, it does not stop publishing.
{{ config(severity='warn') }}

{{ figure_findings_of('reference_deviation') }}
