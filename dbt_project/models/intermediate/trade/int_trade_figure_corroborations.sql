{#
  Which trade statements of OTHER articles say the same thing.

  Two statements corroborate each other when
    - they come from different articles that are not near-duplicates of each
      other (a syndicated copy repeats, it does not confirm),
    - they share flow, reporter, partner, commodity and period_year (a
      statement without a year matches nothing) and are both results or both
      forecasts,
    - and, when both state a level, the levels differ by at most the larger of
      var corroboration_relative_tolerance × the larger level and the sum of
      the two figures' rounding as written; when they do not both state a
      level but both state a growth rate, the rates differ by at most var
      corroboration_growth_tolerance_pp percentage points.
  The relation is symmetric: each agreeing pair appears twice, once from each
  side.
#}

with

trade_figures as (

    select * from {{ ref('int_trade_figures_accepted') }}

),

pairs as (

    select
        this.trade_figure_id,
        this.article_id,
        other.trade_figure_id as corroborating_trade_figure_id,
        other.article_id as corroborating_article_id,
        case
            when this.value_usd is not null and other.value_usd is not null
                then 'level'
            else 'growth'
        end as matched_on,
        this.value_usd,
        other.value_usd as corroborating_value_usd,
        this.growth_pct,
        other.growth_pct as corroborating_growth_pct,
        this.value_rounding_usd + other.value_rounding_usd as rounding_usd
    from trade_figures as this
    inner join trade_figures as other
        on
            this.flow = other.flow
            and this.reporter = other.reporter
            and this.partner = other.partner
            and this.commodity = other.commodity
            and this.period_year = other.period_year
            and this.is_forecast = other.is_forecast
            and this.article_id != other.article_id
    where
        coalesce(this.near_duplicate_of, '') != other.article_id
        and coalesce(other.near_duplicate_of, '') != this.article_id

),

agreeing as (

    select * from pairs
    where
        case matched_on
            when 'level'
                then
                    abs(value_usd - corroborating_value_usd) <= greatest(
                        {{ var('corroboration_relative_tolerance') }}
                        * greatest(
                            abs(value_usd), abs(corroborating_value_usd)
                        ),
                        rounding_usd
                    )
            else
                abs(growth_pct - corroborating_growth_pct)
                <= {{ var('corroboration_growth_tolerance_pp') }}
        end

),

final as (

    select
        trade_figure_id,
        article_id,
        corroborating_trade_figure_id,
        corroborating_article_id,
        matched_on
    from agreeing

)

select * from final
