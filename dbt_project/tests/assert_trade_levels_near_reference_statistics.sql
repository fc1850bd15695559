-- Trade levels (results, not forecasts) stated within
-- var reference_warn_relative_deviation of the official total for the same
-- flow, pair, commodity and year. Returns the levels further off.
-- Severity warn: an article may misstate a figure or mean another measure;
-- that is worth a look and is reported, but it is what the article says and
-- the warehouse records it faithfully.
{{ config(severity='warn') }}

with

trade_figures as (

    select * from {{ ref('fct_trade_figures') }}

),

final as (

    select
        trade_figure_id,
        article_id,
        period_year,
        value_raw_text,
        value_usd,
        reference_value_usd,
        reference_deviation_pct
    from trade_figures
    where
        reference_value_usd is not null
        and value_usd is not null
        and abs(value_usd - reference_value_usd)
        > {{ var('reference_warn_relative_deviation') }} * reference_value_usd

)

select * from final
