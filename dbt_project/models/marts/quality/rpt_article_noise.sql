{#
  Which articles came in noisy, and why. One row per (article, noise flag)
  raised: the cleaning stage's metrics (as in dim_articles) and the number of
  paragraphs it removed per reason (stg_raw__paragraphs), compared with the
  thresholds of the noise_flag_rules seed, the one place they are set.
  Clean articles have no rows. A flag is information about the page, not a
  failure: the noisy text was removed and is kept with its reason.
#}

with

-- the cleaning metrics as loaded (dim_articles passes them through): read
-- from staging so the flags are rebuilt even when a test on dim_articles fails
articles as (

    select * from {{ ref('stg_raw__articles') }}

),

paragraphs as (

    select * from {{ ref('stg_raw__paragraphs') }}

),

rules as (

    select * from {{ ref('noise_flag_rules') }}

),

removed_counts as (

    select
        article_id,
        'removed_' || removal_reason || '_count' as metric,
        count(*)::double as metric_value
    from paragraphs
    where not is_kept and removal_reason is not null
    group by article_id, removal_reason

),

article_metrics as (

    unpivot (
        select
            article_id,
            duplicate_paragraph_ratio::double as duplicate_paragraph_ratio,
            removed_char_ratio::double as removed_char_ratio,
            boilerplate_line_count::double as boilerplate_line_count,
            broken_word_count::double as broken_word_count,
            foreign_paragraph_count::double as foreign_paragraph_count,
            short_line_ratio::double as short_line_ratio
        from articles
    )
    on columns(* exclude (article_id))
    into name metric value metric_value

),

metrics as (

    select * from article_metrics
    union all by name
    select * from removed_counts

),

flagged as (

    select
        metrics.article_id,
        rules.noise_flag,
        metrics.metric,
        metrics.metric_value,
        rules.min_value as threshold_value,
        replace(
            replace(
                rules.reason,
                '{value}',
                case
                    when metrics.metric like '%_ratio'
                        then round(100 * metrics.metric_value, 1) || '%'
                    else metrics.metric_value::bigint::varchar
                end
            ),
            '{threshold}',
            case
                when metrics.metric like '%_ratio'
                    then round(100 * rules.min_value, 1) || '%'
                else rules.min_value::bigint::varchar
            end
        ) as reason
    from metrics
    inner join rules
        on metrics.metric = rules.metric
    where metrics.metric_value >= rules.min_value

),

final as (

    select
        md5(flagged.article_id || '|' || flagged.noise_flag) as noise_flag_id,
        flagged.article_id,
        articles.url,
        articles.title,
        articles.source_name,
        articles.ingest_date,
        flagged.noise_flag,
        flagged.metric,
        flagged.metric_value,
        flagged.threshold_value,
        flagged.reason
    from flagged
    inner join articles
        on flagged.article_id = articles.article_id

)

select * from final
