with

source as (

    select * from {{ source('raw', 'quarantine') }}

),

renamed as (

    select
        -- ids
        quarantine_id,
        run_id,

        -- the input
        source_name,
        url,
        input_excerpt,

        -- why
        stage,
        reason_code,
        error_message,

        -- dates
        cast(ingest_date as date) as ingest_date,
        cast(recorded_at as timestamp) as recorded_at

    from source

)

select * from renamed
