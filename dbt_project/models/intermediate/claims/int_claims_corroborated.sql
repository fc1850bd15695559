{#
  A claim is corroborated by the articles that corroborate a trade statement
  of its sentence (see int_trade_figure_corroborations for when two trade
  statements agree). Claims without a figure, or whose sentence holds no trade
  statement, have nothing to match on: 0.
#}

with

claims as (

    select * from {{ ref('stg_raw__claims') }}

),

trade_statements as (

    select * from {{ ref('stg_raw__trade_statements') }}

),

corroborations as (

    select * from {{ ref('int_trade_figure_corroborations') }}

),

claim_corroborations as (

    select
        claims.claim_id,
        count(distinct trade_statements.trade_figure_id) as trade_figure_count,
        count(distinct corroborations.corroborating_article_id)
            as corroborating_article_count
    from claims
    inner join trade_statements
        on claims.sentence_id = trade_statements.sentence_id
    left join corroborations
        on trade_statements.trade_figure_id = corroborations.trade_figure_id
    where claims.figure_count > 0
    group by claims.claim_id

),

final as (

    select
        claims.claim_id,
        claims.article_id,
        claims.sentence_id,
        claims.claim_text,
        claims.claim_type,
        claims.speaker,
        claims.speaker_role,
        claims.speaker_org,
        claims.attribution_text,
        claims.hedge,
        claims.figure_count,
        claims.ingest_date,
        coalesce(claim_corroborations.trade_figure_count, 0)
            as trade_figure_count,
        coalesce(claim_corroborations.corroborating_article_count, 0)
            as corroborating_article_count
    from claims
    left join claim_corroborations
        on claims.claim_id = claim_corroborations.claim_id

)

select * from final
