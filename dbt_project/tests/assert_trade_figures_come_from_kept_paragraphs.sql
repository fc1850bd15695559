-- A trade figure is read from a sentence of a kept paragraph of its own
-- article, or of a removed one that is still evidence (a lede repeating the
-- headline: the evidence_reasons of transforms/rules/cleaning.yml): never
-- from chrome the cleaning stage removed (navigation, a duplicate, a caption)
-- and never from a missing sentence. Returns the
-- offending trade figures with what is wrong. Severity error: a figure from
-- removed text is boilerplate or a repeat passed off as a statement.

with

trade_figures as (

    select * from {{ ref('fct_trade_figures') }}

),

sentences as (

    select * from {{ ref('stg_raw__sentences') }}

),

paragraphs as (

    select * from {{ ref('stg_raw__paragraphs') }}

),

checked as (

    select
        trade_figures.trade_figure_id,
        trade_figures.article_id,
        trade_figures.sentence_id,
        sentences.paragraph_id,
        paragraphs.removal_reason,
        case
            when sentences.sentence_id is null then 'sentence missing'
            when sentences.article_id != trade_figures.article_id
                then 'sentence of another article'
            when paragraphs.paragraph_id is null then 'paragraph missing'
            when
                not paragraphs.is_kept
                and not list_contains(
                    {{ var("evidence_reasons") }}, paragraphs.removal_reason
                )
                then 'paragraph removed'
        end as problem
    from trade_figures
    left join sentences
        on trade_figures.sentence_id = sentences.sentence_id
    left join paragraphs
        on sentences.paragraph_id = paragraphs.paragraph_id

),

final as (

    select * from checked
    where problem is not null

)

select * from final
