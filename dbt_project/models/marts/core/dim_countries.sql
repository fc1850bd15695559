with

countries as (

    select * from {{ ref('int_countries_named') }}

),

final as (

    select
        country_code,
        country_name,
        country_kind,
        alias_count,
        aliases
    from countries

)

select * from final
