-- Example questions for analysts, one query per `-- name:` block.
--
-- Every block runs in tests/serving against the published database
-- (warehouse/claimledger.duckdb) and the Parquet views
-- (warehouse/claimledger_parquet.duckdb), with DuckDB 2.0 and with DuckDB 1.4, so
-- they cannot rot. They read only the marts and audit schemas, which both files
-- hold. A `-- requires:` line names a table the block needs; the tests skip the
-- block (with a reason) when a warehouse lacks it.

-- name: china_russia_trade_by_year
-- China–Russia trade by year, with every source and the sentence it came from.
select
    period_year,
    flow,
    reporter,
    partner,
    commodity,
    value_usd / 1e9 as value_usd_bn,
    growth_pct,
    source_name,
    value_raw_text,
    sentence_text
from marts.fct_trade_figures
where 'CHN' in (reporter, partner) and 'RUS' in (reporter, partner)
order by period_year nulls last, flow, source_name;

-- name: figures_in_conflict
-- Groups of figures whose articles cannot all be right as written (the quality
-- checks' consistency mart; older warehouses do not have it).
-- requires: marts.fct_figure_consistency
select
    consistency_status,
    flow,
    reporter,
    partner,
    commodity,
    period_year,
    measure,
    independent_source_count,
    stated_texts
from marts.fct_figure_consistency
where consistency_status = 'conflict'
order by period_year, flow;

-- name: official_statistics_deviations
-- How each stated level compares with the official statistics (China customs).
select
    source_name,
    flow,
    reporter,
    partner,
    period_year,
    value_usd / 1e9 as stated_bn,
    reference_value_usd / 1e9 as official_bn,
    reference_deviation_pct,
    reference_source
from marts.fct_trade_figures
where reference_value_usd is not null
order by abs(reference_deviation_pct) desc, source_name;

-- name: quotes_by_speaker
-- Who said what: quotes with role, organisation and hedge.
select
    speaker,
    speaker_role,
    speaker_org,
    claim_type,
    hedge,
    source_name,
    claim_text
from marts.fct_claims
where speaker is not null
order by speaker, source_name;

-- name: noisiest_sources
-- Which sources bury their text in chrome: removed share, duplicates, quarantine.
with noise as (
    select
        source_name,
        count(*) as articles,
        round(avg(removed_char_ratio), 3) as mean_removed_char_ratio,
        round(avg(duplicate_paragraph_ratio), 3) as mean_duplicate_paragraph_ratio,
        sum(boilerplate_line_count) as boilerplate_lines
    from marts.dim_articles
    group by source_name
),

quarantined as (
    select source_name, count(*) as inputs_quarantined
    from marts.rpt_quarantine
    group by source_name
)

select
    noise.*,
    coalesce(quarantined.inputs_quarantined, 0) as inputs_quarantined
from noise
left join quarantined using (source_name)
order by mean_removed_char_ratio desc, source_name;

-- name: changed_since_yesterday
-- What the latest ingest partition added, next to the one before it.
with partitions as (
    select distinct ingest_date
    from marts.dim_articles
    order by ingest_date desc
    limit 2
)

select
    a.ingest_date,
    a.source_name,
    a.title,
    a.trade_figure_count,
    a.claim_count,
    a.ingest_date = (select max(ingest_date) from partitions) as is_latest
from marts.dim_articles as a
where a.ingest_date in (select ingest_date from partitions)
order by a.ingest_date desc, a.source_name;

-- name: corroborated_figures
-- Trade figures stated by more than one independent article.
select
    flow,
    reporter,
    partner,
    commodity,
    period_year,
    value_usd / 1e9 as value_usd_bn,
    corroborating_article_count,
    source_name,
    value_raw_text
from marts.fct_trade_figures
where corroborating_article_count > 0
order by period_year, flow, source_name;

-- name: figures_with_evidence
-- Every figure, spelled out from its sentence by its span (end exclusive).
select
    source_name,
    raw_text,
    value,
    unit,
    scale,
    value_usd,
    is_approximate,
    direction,
    substr(sentence_text, span_start + 1, span_end - span_start) as spelled_out,
    sentence_text
from marts.fct_figures
order by article_id, sentence_id, span_start;

-- name: quarantine_by_reason
-- Inputs no stage could process, by reason and host.
select
    stage,
    reason_code,
    reason_description,
    url_host,
    count(*) as inputs,
    any_value(url) as example_url
from marts.rpt_quarantine
group by all
order by inputs desc, stage, reason_code;

-- name: last_run_quality
-- The checks of the last published run that did not pass, and the run's verdict.
select
    run_id,
    check_source,
    check_name,
    severity,
    status,
    failing_row_count,
    message
from audit.quality_results
where
    run_id = (
        select run_id from audit.quality_results
        order by recorded_at desc limit 1
    )
    and status <> 'pass'
order by severity, check_name;
