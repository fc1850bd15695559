{{
    config(
        materialized='incremental',
        unique_key='article_id',
        incremental_strategy='delete+insert',
        on_schema_change='fail',
        post_hook="{{ delete_rows_of_replaced_articles(ref('stg_raw__articles')) }}"
    )
}}

with

articles as (

    select * from {{ ref('stg_raw__articles') }} as loaded
    -- incremental: only the articles loaded since the last build
    -- (macros/incremental_by_article.sql)
    where {{ articles_not_yet_built('loaded') }}

),

paragraphs as (

    select * from {{ ref('stg_raw__paragraphs') }}
    {{ where_article_in('articles') }}

),

sentences as (

    select * from {{ ref('stg_raw__sentences') }}
    {{ where_article_in('articles') }}

),

figures as (

    select * from {{ ref('stg_raw__figure_mentions') }}
    {{ where_article_in('articles') }}

),

trade_statements as (

    select * from {{ ref('stg_raw__trade_statements') }}
    {{ where_article_in('articles') }}

),

claims as (

    select * from {{ ref('stg_raw__claims') }}
    {{ where_article_in('articles') }}

),

-- Counted from the child tables, so the dimension agrees with the facts; the
-- counts the cleaning stage stated are checked against these by
-- assert_article_paragraph_counts_match_paragraphs.
paragraph_counts as (

    select
        article_id,
        count(*) as paragraph_count,
        count(*) filter (where is_kept) as kept_paragraph_count
    from paragraphs
    group by article_id

),

sentence_counts as (

    select
        article_id,
        count(*) as sentence_count
    from sentences
    group by article_id

),

figure_counts as (

    select
        article_id,
        count(*) as figure_count
    from figures
    group by article_id

),

trade_figure_counts as (

    select
        article_id,
        count(*) as trade_figure_count
    from trade_statements
    group by article_id

),

claim_counts as (

    select
        article_id,
        count(*) as claim_count
    from claims
    group by article_id

),

final as (

    select
        -- ids and provenance
        articles.article_id,
        articles.url,
        articles.canonical_url,
        articles.source_name,
        articles.site_name,
        articles.content_hash,

        -- metadata
        articles.title,
        articles.author,
        articles.published_date,
        articles.language,
        articles.ingest_date,
        articles.fetched_at,
        articles.clean_text,

        -- what the text yielded
        coalesce(paragraph_counts.paragraph_count, 0) as paragraph_count,
        coalesce(paragraph_counts.kept_paragraph_count, 0)
            as kept_paragraph_count,
        coalesce(sentence_counts.sentence_count, 0) as sentence_count,
        coalesce(figure_counts.figure_count, 0) as figure_count,
        coalesce(trade_figure_counts.trade_figure_count, 0)
            as trade_figure_count,
        coalesce(claim_counts.claim_count, 0) as claim_count,

        -- noise metrics of the cleaning stage
        articles.duplicate_paragraph_ratio,
        articles.duplicate_char_ratio,
        articles.removed_char_ratio,
        articles.boilerplate_line_count,
        articles.broken_word_count,
        articles.short_line_ratio,
        articles.foreign_paragraph_count,

        -- story grouping
        articles.story_cluster_id,
        articles.story_similarity,
        articles.near_duplicate_of,
        articles.near_duplicate_similarity,
        articles.near_duplicate_of is not null as is_near_duplicate,

        -- extraction
        articles.extractor,
        articles.extractor_version,
        articles.extraction_path,

        -- lineage
        articles.run_id

    from articles
    left join paragraph_counts
        on articles.article_id = paragraph_counts.article_id
    left join sentence_counts
        on articles.article_id = sentence_counts.article_id
    left join figure_counts
        on articles.article_id = figure_counts.article_id
    left join trade_figure_counts
        on articles.article_id = trade_figure_counts.article_id
    left join claim_counts
        on articles.article_id = claim_counts.article_id

)

select * from final
