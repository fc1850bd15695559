with

trade_figures as (

    select * from {{ ref('int_trade_figures_accepted') }}

),

corroborations as (

    select * from {{ ref('int_trade_figure_corroborations') }}

),

reference_statistics as (

    select * from {{ ref('reference_trade_statistics') }}

),

corroboration_counts as (

    select
        trade_figure_id,
        count(distinct corroborating_article_id) as corroborating_article_count
    from corroborations
    group by trade_figure_id

),

final as (

    select
        -- ids
        trade_figures.trade_figure_id,
        trade_figures.article_id,
        trade_figures.sentence_id,
        trade_figures.paragraph_id,

        -- what was traded between whom, and when
        trade_figures.flow,
        trade_figures.reporter,
        trade_figures.reporter_name,
        trade_figures.partner,
        trade_figures.partner_name,
        trade_figures.commodity,
        trade_figures.period_year,
        trade_figures.period_kind,
        trade_figures.is_forecast,
        trade_figures.sides_from,

        -- the level, with its evidence
        trade_figures.value_usd,
        trade_figures.currency,
        trade_figures.value_native,
        trade_figures.value_figure_id,
        trade_figures.value_raw_text,
        trade_figures.value_span_start,
        trade_figures.value_span_end,
        trade_figures.is_value_approximate,

        -- the growth rate, with its evidence
        trade_figures.growth_pct,
        trade_figures.growth_figure_id,
        trade_figures.growth_raw_text,
        trade_figures.growth_span_start,
        trade_figures.growth_span_end,

        -- attribution and evidence
        trade_figures.attributed_to,
        trade_figures.evidence_text,
        trade_figures.sentence_text,

        -- checks against other articles and official statistics
        coalesce(corroboration_counts.corroborating_article_count, 0)
            as corroborating_article_count,
        reference_statistics.value_usd as reference_value_usd,
        reference_statistics.source as reference_source,
        round(
            100.0
            * (trade_figures.value_usd - reference_statistics.value_usd)
            / reference_statistics.value_usd,
            2
        ) as reference_deviation_pct,

        -- context
        trade_figures.published_date,
        trade_figures.source_name,
        trade_figures.ingest_date

    from trade_figures
    left join corroboration_counts
        on trade_figures.trade_figure_id = corroboration_counts.trade_figure_id
    left join reference_statistics
        on
            trade_figures.flow = reference_statistics.flow
            and trade_figures.reporter = reference_statistics.reporter
            and trade_figures.partner = reference_statistics.partner
            and trade_figures.commodity = reference_statistics.commodity
            and trade_figures.period_year = reference_statistics.period_year
            -- a forecast is not a result to compare with
            and not trade_figures.is_forecast

)

select * from final
