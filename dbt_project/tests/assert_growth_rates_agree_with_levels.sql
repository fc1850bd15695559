-- A stated growth rate is allowed by at least one pair of known levels (any
-- article or the reference seed) for its year and the year before. Returns
-- the rate with each level pair it contradicts.
-- Severity warn: the article says what it says and the warehouse records it
-- faithfully; the finding is reported (audit.quality_results, the quality
-- report) for a person to judge, it does not stop publishing.
{{ config(severity='warn') }}

{{ figure_findings_of('growth_level_conflict') }}
