with

trade_statements as (

    select * from {{ ref('stg_raw__trade_statements') }}

),

figures as (

    select * from {{ ref('stg_raw__figure_mentions') }}

),

sentences as (

    select * from {{ ref('stg_raw__sentences') }}

),

articles as (

    select * from {{ ref('stg_raw__articles') }}

),

countries as (

    select * from {{ ref('int_countries_named') }}

),

-- Half a unit of the last digit as written, in US dollars: "$245 billion"
-- stands for anything from 244.5 to 245.5 billion, so two articles writing
-- 245 and 244.81 billion do not contradict each other.
figure_rounding as (

    select
        figure_id,
        case
            when value is null or value = 0 or value_usd is null then 0
            else
                0.5
                * power(10, -coalesce(decimals, 0))
                * abs(value_usd / value)
        end as rounding_usd,
        -- the same half unit in the figure's own unit (percentage points
        -- for "1.9 percent": 1.85-1.95)
        0.5 * power(10, -coalesce(decimals, 0)) as rounding_as_written
    from figures

),

final as (

    select
        trade_statements.trade_figure_id,
        trade_statements.article_id,
        trade_statements.sentence_id,
        sentences.paragraph_id,

        trade_statements.flow,
        trade_statements.reporter,
        reporters.country_name as reporter_name,
        trade_statements.partner,
        partners.country_name as partner_name,
        trade_statements.commodity,
        trade_statements.period_year,
        trade_statements.period_kind,

        trade_statements.value_usd,
        trade_statements.currency,
        trade_statements.value_native,
        trade_statements.value_figure_id,
        value_figures.raw_text as value_raw_text,
        value_figures.span_start as value_span_start,
        value_figures.span_end as value_span_end,
        coalesce(value_figures.is_approximate, false) as is_value_approximate,
        coalesce(value_rounding.rounding_usd, 0) as value_rounding_usd,

        trade_statements.growth_pct,
        trade_statements.growth_figure_id,
        growth_figures.raw_text as growth_raw_text,
        growth_figures.span_start as growth_span_start,
        growth_figures.span_end as growth_span_end,
        coalesce(growth_rounding.rounding_as_written, 0) as growth_rounding_pct,

        trade_statements.is_forecast,
        trade_statements.attributed_to,
        trade_statements.sides_from,
        trade_statements.evidence_text,
        sentences.sentence_text,

        articles.published_date,
        articles.source_name,
        articles.story_cluster_id,
        articles.near_duplicate_of,
        trade_statements.ingest_date

    from trade_statements
    left join sentences
        on trade_statements.sentence_id = sentences.sentence_id
    left join articles
        on trade_statements.article_id = articles.article_id
    left join figures as value_figures
        on trade_statements.value_figure_id = value_figures.figure_id
    left join figure_rounding as value_rounding
        on trade_statements.value_figure_id = value_rounding.figure_id
    left join figures as growth_figures
        on trade_statements.growth_figure_id = growth_figures.figure_id
    left join figure_rounding as growth_rounding
        on trade_statements.growth_figure_id = growth_rounding.figure_id
    left join countries as reporters
        on trade_statements.reporter = reporters.country_code
    left join countries as partners
        on trade_statements.partner = partners.country_code

)

select * from final
