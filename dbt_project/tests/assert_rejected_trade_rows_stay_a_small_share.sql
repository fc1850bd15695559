{#
  A few implausible trade rows are odd input: the screen holds them out and
  the day publishes. Many are systemic (a scale word lost everywhere, years
  read as rates): then the day stops. Returns one row when, with enough rows
  for a share to mean anything, the rejected share exceeds its ceiling
  (expectations/thresholds.yml: rejected_share_max, rejected_share_min_rows).
#}

{%- set bounds = var('trade_plausibility') %}

with

trade_figures as (

    select * from {{ ref('int_trade_figures_enriched') }}

),

rejected as (

    select * from {{ ref('int_trade_figures_rejected') }}

),

trade_counts as (

    select count(*) as trade_row_count
    from trade_figures

),

rejected_counts as (

    select count(distinct trade_figure_id) as rejected_row_count
    from rejected

),

shares as (

    select
        trade_counts.trade_row_count,
        rejected_counts.rejected_row_count
    from trade_counts
    cross join rejected_counts

),

final as (

    select
        trade_row_count,
        rejected_row_count,
        round(rejected_row_count / trade_row_count, 4) as rejected_share
    from shares
    where
        trade_row_count >= {{ bounds.rejected_share_min_rows }}
        and rejected_row_count
        > {{ bounds.rejected_share_max }} * trade_row_count

)

select * from final
