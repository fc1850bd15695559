with

source as (

    select * from {{ source('raw', 'sentences') }}

),

renamed as (

    select
        -- ids
        sentence_id,
        article_id,
        paragraph_id,

        -- text and where it sits in the paragraph's repaired_text
        sentence_index,
        char_start,
        char_end,
        text as sentence_text,

        -- dates
        cast(ingest_date as date) as ingest_date

    from source

)

select * from renamed
