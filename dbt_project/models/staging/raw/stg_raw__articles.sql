with

source as (

    select * from {{ source('raw', 'articles') }}

),

renamed as (

    select
        -- ids
        article_id,
        run_id,

        -- provenance
        source_name,
        url,
        canonical_url,
        content_hash,
        extractor,
        extractor_version,
        extraction_path,

        -- metadata; blank strings mean "not stated"
        nullif(trim(title), '') as title,
        nullif(trim(author), '') as author,
        nullif(trim(site_name), '') as site_name,
        nullif(trim(language), '') as language,
        raw_text,
        clean_text,

        -- counts and noise metrics of the cleaning stage
        paragraph_count as stated_paragraph_count,
        kept_paragraph_count as stated_kept_paragraph_count,
        duplicate_paragraph_ratio,
        duplicate_char_ratio,
        removed_char_ratio,
        boilerplate_line_count,
        broken_word_count,
        short_line_ratio,
        foreign_paragraph_count,

        -- story grouping
        story_cluster_id,
        story_similarity,
        near_duplicate_of,
        near_duplicate_similarity,

        -- dates
        cast(published_date as date) as published_date,
        cast(ingest_date as date) as ingest_date,
        cast(fetched_at as timestamp) as fetched_at

    from source

)

select * from renamed
