with

source as (

    select * from {{ source('raw', 'paragraphs') }}

),

renamed as (

    select
        -- ids
        paragraph_id,
        article_id,
        duplicate_of_paragraph_id,

        -- text
        position as paragraph_position,
        text as paragraph_text,
        repaired_text,
        repair_count,
        char_count,
        language,

        -- cleaning verdict
        is_kept,
        removal_reason,

        -- dates
        cast(ingest_date as date) as ingest_date

    from source

)

select * from renamed
