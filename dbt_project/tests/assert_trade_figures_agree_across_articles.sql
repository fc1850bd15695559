-- Statements of the same trade figure (flow, pair, commodity, year, measure)
-- in different articles can all be true as written: their written intervals
-- ("$245 billion" = 244.5-245.5 billion) meet. Returns one row per pair that
-- cannot both be true, naming both articles and sentences.
-- Severity warn: the article says what it says and the warehouse records it
-- faithfully; the finding is reported (audit.quality_results, the quality
-- report) for a person to judge, it does not stop publishing.
{{ config(severity='warn') }}

{{ figure_findings_of('value_conflict') }}
