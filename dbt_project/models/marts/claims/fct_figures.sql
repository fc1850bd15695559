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

figures as (

    select * from {{ ref('stg_raw__figure_mentions') }}
    {{ where_article_in('articles') }}

),

sentences as (

    select * from {{ ref('stg_raw__sentences') }}
    {{ where_article_in('articles') }}

),

trade_statements as (

    select * from {{ ref('stg_raw__trade_statements') }}
    {{ where_article_in('articles') }}

),

-- Figures a trade statement reads its level or growth rate from.
trade_evidence as (

    select value_figure_id as figure_id from trade_statements
    where value_figure_id is not null
    union
    select growth_figure_id as figure_id from trade_statements
    where growth_figure_id is not null

),

final as (

    select
        -- ids
        figures.figure_id,
        figures.article_id,
        figures.sentence_id,
        sentences.paragraph_id,

        -- evidence
        figures.raw_text,
        figures.span_start,
        figures.span_end,
        sentences.sentence_text,

        -- the parsed quantity
        figures.quantity_kind,
        figures.value,
        figures.unit,
        figures.currency,
        figures.scale,
        figures.value_full,
        figures.value_usd,
        figures.decimals,

        -- qualifiers
        figures.is_approximate,
        figures.approximation,
        figures.is_range,
        figures.range_low,
        figures.range_high,
        figures.direction,
        trade_evidence.figure_id is not null as is_trade_evidence,

        -- context
        articles.published_date,
        articles.source_name,
        figures.ingest_date,

        -- lineage
        articles.run_id

    from figures
    left join sentences
        on figures.sentence_id = sentences.sentence_id
    left join articles
        on figures.article_id = articles.article_id
    left join trade_evidence
        on figures.figure_id = trade_evidence.figure_id

)

select * from final
