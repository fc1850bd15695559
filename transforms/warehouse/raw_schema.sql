-- The raw layer: what the pipeline loads, one transaction per ingest partition.
-- Written only by transforms/warehouse/writer.py. dbt reads it through sources (raw.*).
-- Grain and keys are stated on each table; every *_id is a deterministic hash or
-- a position-derived key, so a rerun of a day produces the same ids.
-- Each table's and column's description lives in dbt_project/models/staging/raw/
-- _raw__sources.yml; the writer stores it as a DuckDB COMMENT (warehouse/column_docs.py).

create schema if not exists raw;
create schema if not exists audit;

-- One row per fetch attempt of a URL in an ingest partition (the raw archive).
create table if not exists raw.pages (
    page_id varchar not null,            -- sha1(ingest_date|url)[:16]
    ingest_date date not null,
    run_id varchar not null,
    source_name varchar not null,
    url varchar not null,
    fetched_at timestamp not null,
    http_status integer,                 -- null for snapshot files (200 is implied)
    content_type varchar,
    content_hash varchar,                -- sha256 of the body bytes
    byte_count bigint not null,
    archive_file varchar,                -- Parquet file holding this page's row with its
                                         -- decoded body (column html, null when there is
                                         -- none), relative to the warehouse folder:
                                         -- transforms/warehouse/page_archive.py
    fetch_outcome varchar not null,      -- fetched | unchanged | quarantined
    final_url varchar,                   -- URL after redirects (web kinds)
    etag varchar,                        -- sent as If-None-Match on the next fetch
    last_modified varchar,               -- sent as If-Modified-Since on the next fetch
    response_headers varchar,            -- JSON object of the final response's headers
    elapsed_ms bigint,                   -- fetch wall time incl. redirects and retries
    primary key (page_id)
);

-- One row per article (latest extraction of its canonical URL).
create table if not exists raw.articles (
    article_id varchar not null,         -- sha1(canonical_url)[:16]
    ingest_date date not null,
    run_id varchar not null,
    source_name varchar not null,
    url varchar not null,
    canonical_url varchar not null,
    title varchar,
    author varchar,
    published_date date,
    site_name varchar,
    language varchar,                    -- ISO 639-1 of the kept text
    raw_text varchar not null,           -- extractor output, paragraphs joined by \n
    clean_text varchar not null,         -- kept paragraphs (repaired) joined by \n
    extractor varchar not null,          -- 'trafilatura'
    extractor_version varchar not null,
    extraction_path varchar not null,    -- which extractor path produced raw_text
    content_hash varchar not null,       -- sha256 of the page body
    fetched_at timestamp not null,
    paragraph_count integer not null,
    kept_paragraph_count integer not null,
    duplicate_paragraph_ratio double,
    duplicate_char_ratio double,
    removed_char_ratio double,
    boilerplate_line_count integer,
    broken_word_count integer,
    short_line_ratio double,
    foreign_paragraph_count integer,
    story_cluster_id varchar,            -- earliest article of the story cluster
    story_similarity double,             -- highest content-word similarity to another article
    near_duplicate_of varchar,
    near_duplicate_similarity double,
    primary key (article_id)
);

-- One row per paragraph of an article's extracted text, kept or removed.
create table if not exists raw.paragraphs (
    paragraph_id varchar not null,       -- article_id || '-p' || lpad(position, 4, '0')
    article_id varchar not null,
    ingest_date date not null,
    position integer not null,           -- 0-based order in raw_text
    text varchar not null,               -- as extracted
    repaired_text varchar not null,      -- after broken-word repair (= text when none)
    repair_count integer not null,
    char_count integer not null,
    language varchar,
    is_kept boolean not null,
    removal_reason varchar,              -- closed vocabulary, see transforms/rules/reasons.yml
    duplicate_of_paragraph_id varchar,
    primary key (paragraph_id)
);

-- One row per sentence of a kept paragraph.
create table if not exists raw.sentences (
    sentence_id varchar not null,        -- paragraph_id || '-s' || lpad(index, 3, '0')
    article_id varchar not null,
    paragraph_id varchar not null,
    ingest_date date not null,
    sentence_index integer not null,     -- 0-based order within the article's kept text
    char_start integer not null,         -- span in the paragraph's repaired_text
    char_end integer not null,
    text varchar not null,
    primary key (sentence_id)
);

-- One row per quantity found in a kept sentence.
create table if not exists raw.figure_mentions (
    figure_id varchar not null,          -- sentence_id || '-f' || span_start
    article_id varchar not null,
    sentence_id varchar not null,
    ingest_date date not null,
    raw_text varchar not null,
    span_start integer not null,         -- in sentences.text, end exclusive
    span_end integer not null,
    quantity_kind varchar not null,      -- money | percent | count
    value double,                        -- the number as written, scale not applied
    unit varchar,                        -- currency code, 'percent' or the counted noun
    currency varchar,                    -- ISO 4217 for money, else null
    scale varchar,                       -- thousand | million | billion | trillion | null
    value_full double,                   -- value × scale
    value_usd double,                    -- money converted to full US dollars
    is_approximate boolean not null,
    approximation varchar,               -- 'more than', 'about', ... or null
    is_range boolean not null,
    range_low double,
    range_high double,
    direction varchar,                   -- up | down | null
    decimals integer,                    -- decimals as written: the stated precision
    primary key (figure_id)
);

-- One row per trade statement (a level and/or a growth rate) in a sentence.
create table if not exists raw.trade_statements (
    trade_figure_id varchar not null,
    article_id varchar not null,
    sentence_id varchar not null,
    ingest_date date not null,
    flow varchar not null,               -- bilateral | export | import | surplus | deficit
    reporter varchar not null,           -- ISO alpha-3 or region code
    partner varchar not null,
    commodity varchar not null,          -- 'all' when unstated
    period_year integer,
    period_kind varchar,                 -- year | quarter | month | fiscal_year | relative | context
    value_usd double,                    -- only for a figure stated in (or bracketed as) dollars
    currency varchar,                    -- ISO 4217 of the figure as stated
    value_native double,                 -- the figure in that currency, full units
    value_figure_id varchar,
    growth_pct double,
    growth_figure_id varchar,
    is_forecast boolean not null,
    attributed_to varchar,
    sides_from varchar,                  -- sentence | dateline | article_pair
    evidence_text varchar not null,
    primary key (trade_figure_id)
);
-- Warehouses built before these columns existed gain them (null for their old rows).
alter table raw.trade_statements add column if not exists period_kind varchar;
alter table raw.trade_statements add column if not exists currency varchar;
alter table raw.trade_statements add column if not exists value_native double;
alter table raw.trade_statements add column if not exists sides_from varchar;

-- One row per factual claim (a sentence or quote that asserts something checkable).
create table if not exists raw.claims (
    claim_id varchar not null,
    article_id varchar not null,
    sentence_id varchar not null,
    ingest_date date not null,
    claim_text varchar not null,
    claim_type varchar not null,
    speaker varchar,
    speaker_role varchar,
    speaker_org varchar,
    attribution_text varchar,
    hedge varchar,
    figure_count integer not null,
    primary key (claim_id)
);

-- One row per input that a stage could not process, with why.
create table if not exists raw.quarantine (
    quarantine_id varchar not null,      -- sha1(ingest_date|stage|url)[:16]
    ingest_date date not null,
    run_id varchar not null,
    source_name varchar,
    url varchar,
    stage varchar not null,              -- discover | fetch | extract | clean | figures | load
    reason_code varchar not null,        -- closed vocabulary, see transforms/rules/reasons.yml
    error_message varchar not null,
    input_excerpt varchar,
    recorded_at timestamp not null,
    primary key (quarantine_id)
);

-- One row per DAG run and stage: counts in and out, so nothing vanishes silently.
create table if not exists audit.stage_counts (
    run_id varchar not null,
    ingest_date date not null,
    stage varchar not null,
    items_in integer not null,
    items_out integer not null,
    items_quarantined integer not null,
    items_unchanged integer not null,
    recorded_at timestamp not null,
    primary key (run_id, stage)
);

-- One row per check result of a run (dbt tests and GX expectations alike).
create table if not exists audit.quality_results (
    run_id varchar not null,
    ingest_date date not null,
    check_name varchar not null,
    check_source varchar not null,       -- dbt | great_expectations
    severity varchar not null,           -- error | warn
    status varchar not null,             -- pass | fail | warn | error | skipped
    failing_row_count bigint,
    failing_sample varchar,
    message varchar,
    recorded_at timestamp not null,
    primary key (run_id, check_name)
);

-- One row per stored article: its MinHash signature, the persisted near-duplicate
-- index a daily run compares new articles against.
create table if not exists raw.article_signatures (
    article_id varchar not null,
    ingest_date date not null,
    minhash bigint[] not null,           -- over 5-word shingles: copies and light edits
    story_minhash bigint[] not null,     -- over content words: rewrites of one story
    primary key (article_id)
);

-- Warehouses created before a column existed get it here (create-if-not-exists above
-- leaves an existing table as it is). raw.pages.html of such a warehouse stays as it was.
alter table raw.pages add column if not exists archive_file varchar;
