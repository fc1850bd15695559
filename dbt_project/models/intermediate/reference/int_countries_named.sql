with

aliases as (

    -- rowid is the CSV line order: the seed table is reloaded on every build
    select
        *,
        rowid as file_position
    from {{ ref('country_aliases') }}

),

-- The seed lists each code's name first ("China", then "Chinese", "Beijing",
-- "PRC"), so the first alias in file order is the display name.
ranked as (

    select
        upper(trim(country_code)) as country_code,
        trim(alias) as alias,
        lower(trim(kind)) as kind,
        row_number() over (
            partition by upper(trim(country_code))
            order by file_position
        ) as name_rank
    from aliases
    where
        trim(coalesce(alias, '')) != ''
        and trim(coalesce(country_code, '')) != ''

),

final as (

    select
        country_code,
        max(alias) filter (where name_rank = 1) as country_name,
        max(kind) filter (where name_rank = 1) as country_kind,
        count(*) as alias_count,
        string_agg(alias, ' | ' order by alias) as aliases
    from ranked
    group by country_code

)

select * from final
