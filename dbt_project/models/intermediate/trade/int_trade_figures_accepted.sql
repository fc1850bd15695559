-- The trade statements that pass the plausibility screen: what the marts and
-- the consistency checks are built from.

with

trade_figures as (

    select * from {{ ref('int_trade_figures_enriched') }}

),

rejected as (

    select distinct trade_figure_id
    from {{ ref('int_trade_figures_rejected') }}

),

final as (

    select trade_figures.*
    from trade_figures
    left join rejected
        on trade_figures.trade_figure_id = rejected.trade_figure_id
    where rejected.trade_figure_id is null

)

select * from final
