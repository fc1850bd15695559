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

-- Every column of the enriched statement passes through unchanged (the
-- screen only drops rows), hence the star.
final as (

    select * from trade_figures  -- noqa: AM04
    where
        trade_figure_id not in (
            select rejected.trade_figure_id from rejected
        )

)

select * from final  -- noqa: AM04
