with

source as (

    select * from {{ source('raw', 'claims') }}

),

renamed as (

    select
        -- ids
        claim_id,
        article_id,
        sentence_id,

        -- the claim
        claim_text,
        claim_type,
        figure_count,

        -- attribution; blank strings mean "not attributed"
        nullif(trim(speaker), '') as speaker,
        nullif(trim(speaker_role), '') as speaker_role,
        nullif(trim(speaker_org), '') as speaker_org,
        nullif(trim(attribution_text), '') as attribution_text,
        nullif(trim(hedge), '') as hedge,

        -- dates
        cast(ingest_date as date) as ingest_date

    from source

)

select * from renamed
