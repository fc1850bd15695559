with

claims as (

    select * from {{ ref('int_claims_corroborated') }}

),

sentences as (

    select * from {{ ref('stg_raw__sentences') }}

),

articles as (

    select * from {{ ref('stg_raw__articles') }}

),

final as (

    select
        -- ids
        claims.claim_id,
        claims.article_id,
        claims.sentence_id,
        sentences.paragraph_id,

        -- the claim
        claims.claim_text,
        claims.claim_type,
        sentences.sentence_text,

        -- who said it, and how firmly
        claims.speaker,
        claims.speaker_role,
        claims.speaker_org,
        claims.attribution_text,
        claims.hedge,
        claims.hedge is not null as is_hedged,

        -- figures and corroboration
        claims.figure_count,
        claims.trade_figure_count,
        claims.corroborating_article_count,

        -- context
        articles.published_date,
        articles.source_name,
        claims.ingest_date

    from claims
    left join sentences
        on claims.sentence_id = sentences.sentence_id
    left join articles
        on claims.article_id = articles.article_id

)

select * from final
