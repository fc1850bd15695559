{#
  Rows held out of the marts by a plausibility check, explained: the check,
  what it requires, the offending value and the sentence it was read from.
  Invariants (keys, links, spans) are tests that stop a day; these are odd
  input, so the row waits here for a human and the rest of the day publishes.
#}

with

rejections as (

    select * from {{ ref('int_trade_figures_rejected') }}

),

trade_figures as (

    select * from {{ ref('int_trade_figures_enriched') }}

),

check_descriptions as (

    {{ vocabulary_values(
        'rejection_checks', 'check_name', 'check_description'
    ) }}

),

final as (

    select
        md5(
            'fct_trade_figures|' || rejections.trade_figure_id
            || '|' || rejections.check_name
        ) as rejection_id,
        'fct_trade_figures' as model_name,
        rejections.trade_figure_id as row_id,
        trade_figures.article_id,
        trade_figures.sentence_id,
        trade_figures.source_name,
        rejections.check_name,
        check_descriptions.check_description,
        rejections.column_name,
        rejections.offending_value,
        rejections.requirement,
        coalesce(
            trade_figures.value_raw_text, trade_figures.growth_raw_text
        ) as figure_raw_text,
        trade_figures.sentence_text,
        trade_figures.ingest_date
    from rejections
    inner join trade_figures
        on rejections.trade_figure_id = trade_figures.trade_figure_id
    left join check_descriptions
        on rejections.check_name = check_descriptions.check_name

)

select * from final
