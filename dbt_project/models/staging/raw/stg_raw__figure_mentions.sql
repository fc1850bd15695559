with

source as (

    select * from {{ source('raw', 'figure_mentions') }}

),

renamed as (

    select
        -- ids
        figure_id,
        article_id,
        sentence_id,

        -- evidence: the figure as written and where it sits in the sentence
        raw_text,
        span_start,
        span_end,

        -- the parsed quantity
        quantity_kind,
        cast(value as double) as value,
        unit,
        upper(currency) as currency,
        scale,
        cast(value_full as double) as value_full,
        cast(value_usd as double) as value_usd,
        decimals,

        -- qualifiers
        is_approximate,
        approximation,
        is_range,
        cast(range_low as double) as range_low,
        cast(range_high as double) as range_high,
        direction,

        -- dates
        cast(ingest_date as date) as ingest_date

    from source

)

select * from renamed
