-- fct_figures has one row per (article, sentence, figure), and a figure's
-- article is its sentence's article. Returns the repeated keys and the
-- figures whose sentence belongs to another article. Severity error: the
-- grain is what every count over figures relies on.

with

figures as (

    select * from {{ ref('fct_figures') }}

),

sentences as (

    select * from {{ ref('stg_raw__sentences') }}

),

repeated as (

    select
        article_id,
        sentence_id,
        figure_id,
        'repeated row' as problem
    from figures
    group by article_id, sentence_id, figure_id
    having count(*) > 1

),

misplaced as (

    select
        figures.article_id,
        figures.sentence_id,
        figures.figure_id,
        'sentence of another article' as problem
    from figures
    inner join sentences
        on figures.sentence_id = sentences.sentence_id
    where figures.article_id != sentences.article_id

),

final as (

    select * from repeated
    union all
    select * from misplaced

)

select * from final
