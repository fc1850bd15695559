{#
  Every known trade level as an interval: those stated in articles (as
  written, int_trade_figures_intervals) and the official totals of the
  reference seed (value +/- var reference_revision_allowance of it, since
  statistical offices revise their own figures). The growth-against-levels
  check reads levels from here.
#}

with

intervals as (

    select * from {{ ref('int_trade_figures_intervals') }}

),

reference_statistics as (

    select * from {{ ref('reference_trade_statistics') }}

),

stated_levels as (

    select
        stated_figure_id as evidence_id,
        'article' as evidence_kind,
        trade_figure_id,
        article_id,
        source_name,
        flow,
        reporter,
        partner,
        commodity,
        period_year,
        stated_value as value_usd,
        stated_text,
        low_value as low_value_usd,
        high_value as high_value_usd
    from intervals
    where measure = 'level' and not is_forecast

),

reference_levels as (

    select
        'reference-' || md5(concat_ws(
            '|', source, flow, reporter, partner, commodity, period_year
        )) as evidence_id,
        'reference' as evidence_kind,
        null as trade_figure_id,
        null as article_id,
        source as source_name,
        flow,
        reporter,
        partner,
        commodity,
        period_year,
        value_usd,
        'USD ' || round(value_usd / 1e9, 2) || ' bn' as stated_text,
        value_usd * (1 - {{ var('reference_revision_allowance') }})
            as low_value_usd,
        value_usd * (1 + {{ var('reference_revision_allowance') }})
            as high_value_usd
    from reference_statistics

),

final as (

    select * from stated_levels
    union all by name
    select * from reference_levels

)

select * from final
