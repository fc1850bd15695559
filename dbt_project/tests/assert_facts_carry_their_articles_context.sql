-- A figure, trade figure or claim is shown with its own article's
-- publication date and source, as dim_articles states them. Returns the
-- facts whose published_date or source_name differ from their article's.
-- Severity error: a number under another article's date or source sends
-- whoever cites it to the wrong place.

with

articles as (

    select * from {{ ref('dim_articles') }}

),

figures as (

    select * from {{ ref('fct_figures') }}

),

trade_figures as (

    select * from {{ ref('fct_trade_figures') }}

),

claims as (

    select * from {{ ref('fct_claims') }}

),

facts as (

    select
        'fct_figures' as model_name,
        figure_id as fact_id,
        article_id,
        published_date,
        source_name
    from figures

    union all

    select
        'fct_trade_figures' as model_name,
        trade_figure_id as fact_id,
        article_id,
        published_date,
        source_name
    from trade_figures

    union all

    select
        'fct_claims' as model_name,
        claim_id as fact_id,
        article_id,
        published_date,
        source_name
    from claims

),

final as (

    select
        facts.model_name,
        facts.fact_id,
        facts.article_id,
        facts.published_date,
        articles.published_date as article_published_date,
        facts.source_name,
        articles.source_name as article_source_name
    from facts
    inner join articles
        on facts.article_id = articles.article_id
    where
        facts.published_date is distinct from articles.published_date
        or facts.source_name is distinct from articles.source_name

)

select * from final
