with

quarantine as (

    select * from {{ ref('stg_raw__quarantine') }}

),

reasons as (

    {{ vocabulary_values(
        'quarantine_reasons', 'reason_code', 'reason_description'
    ) }}

),

final as (

    select
        quarantine.quarantine_id,
        quarantine.ingest_date,
        quarantine.run_id,
        quarantine.recorded_at,
        quarantine.stage,
        quarantine.reason_code,
        coalesce(reasons.reason_description, 'unknown reason code')
            as reason_description,
        quarantine.source_name,
        quarantine.url,
        -- the host alone groups a flaky site's failures at a glance: an IPv6
        -- literal with its brackets; a URL without one (javascript:, data:) has
        -- none
        nullif(regexp_extract(
            quarantine.url, '^[a-z][a-z0-9+.-]*://(\[[^\]]*\]|[^/:?#]+)', 1
        ), '') as url_host,
        quarantine.error_message,
        left(quarantine.input_excerpt, 200) as input_excerpt

    from quarantine
    left join reasons
        on quarantine.reason_code = reasons.reason_code

)

select * from final
