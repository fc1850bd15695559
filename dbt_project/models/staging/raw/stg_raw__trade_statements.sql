with

source as (

    select * from {{ source('raw', 'trade_statements') }}

),

renamed as (

    select
        -- ids
        trade_figure_id,
        article_id,
        sentence_id,
        value_figure_id,
        growth_figure_id,

        -- what was traded between whom, and when
        flow,
        upper(reporter) as reporter,
        upper(partner) as partner,
        lower(commodity) as commodity,
        period_year,
        period_kind,

        -- the stated level and rate
        cast(value_usd as double) as value_usd,
        upper(currency) as currency,
        cast(value_native as double) as value_native,
        cast(growth_pct as double) as growth_pct,
        is_forecast,

        -- evidence
        attributed_to,
        sides_from,
        evidence_text,

        -- dates
        cast(ingest_date as date) as ingest_date

    from source

)

select * from renamed
