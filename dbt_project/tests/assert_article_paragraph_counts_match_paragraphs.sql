-- The counts the cleaning stage stated on raw.articles agree with the
-- paragraphs the warehouse holds, so no paragraph vanished between clean and
-- load. Returns the articles whose counts differ. Severity error: "flag,
-- don't drop" only holds if every paragraph arrives.

with

articles as (

    select * from {{ ref('dim_articles') }}

),

stated as (

    select * from {{ ref('stg_raw__articles') }}

),

final as (

    select
        articles.article_id,
        stated.stated_paragraph_count,
        articles.paragraph_count,
        stated.stated_kept_paragraph_count,
        articles.kept_paragraph_count
    from articles
    inner join stated
        on articles.article_id = stated.article_id
    where
        stated.stated_paragraph_count != articles.paragraph_count
        or stated.stated_kept_paragraph_count != articles.kept_paragraph_count

)

select * from final
