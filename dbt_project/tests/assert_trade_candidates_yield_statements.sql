{#
  Relative to the day's own articles, never "the corpus is trade news": of
  the articles with a money figure in a sentence that uses trade vocabulary
  (the flow phrases of transforms/rules/trade.yml), the share that yields no
  trade statement at all. Returns one row when, with enough candidates, that
  share exceeds its ceiling (thresholds.yml), naming a few such articles: the
  trade extraction probably misses a phrasing. A day without trade news has
  no candidates and passes.
#}

{{ config(severity='warn') }}

{%- set bounds = var('trade_plausibility') %}

with

sentences as (

    select * from {{ ref('stg_raw__sentences') }}

),

figures as (

    select * from {{ ref('stg_raw__figure_mentions') }}

),

trade_statements as (

    select * from {{ ref('stg_raw__trade_statements') }}

),

candidate_articles as (

    select distinct sentences.article_id
    from sentences
    inner join figures
        on sentences.sentence_id = figures.sentence_id
    where
        figures.quantity_kind = 'money'
        and regexp_matches(
            lower(sentences.sentence_text),
            '\b({{ var("trade_flow_phrases") | join("|") }})\b'
        )

),

stated_articles as (

    select distinct article_id
    from trade_statements

),

candidate_counts as (

    select
        count(*) as candidate_article_count,
        count(*) filter (
            where stated_articles.article_id is null
        ) as without_statement_count,
        string_agg(
            candidate_articles.article_id, ', '
            order by candidate_articles.article_id
        ) filter (
            where stated_articles.article_id is null
        ) as sample_article_ids
    from candidate_articles
    left join stated_articles
        on candidate_articles.article_id = stated_articles.article_id

),

final as (

    select
        candidate_article_count,
        without_statement_count,
        left(sample_article_ids, 200) as sample_article_ids
    from candidate_counts
    where
        candidate_article_count >= {{ bounds.candidate_articles_min }}
        and without_statement_count
        > {{ bounds.candidate_without_statement_share_max }}
        * candidate_article_count

)

select * from final
