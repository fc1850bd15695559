-- Every number of a trade figure points at its evidence: the figure it was
-- read from exists in fct_figures, sits in the same sentence, its span
-- spells its raw text there, and it states the same number (the level in its
-- stated currency; the rate up to its sign, which the trade stage takes from
-- words like "fell"). Returns the offending (trade figure, figure) pairs.
-- Severity error: a published number without its words is what this
-- warehouse exists to prevent.

with

trade_figures as (

    select * from {{ ref('fct_trade_figures') }}

),

figures as (

    select * from {{ ref('fct_figures') }}

),

evidence as (

    select
        trade_figure_id,
        sentence_id,
        'value' as figure_role,
        value_figure_id as figure_id,
        value_native as stated_number
    from trade_figures
    where value_figure_id is not null

    union all

    select
        trade_figure_id,
        sentence_id,
        'growth' as figure_role,
        growth_figure_id as figure_id,
        abs(growth_pct) as stated_number
    from trade_figures
    where growth_figure_id is not null

),

checked as (

    select
        evidence.trade_figure_id,
        evidence.figure_role,
        evidence.figure_id,
        evidence.sentence_id,
        evidence.stated_number,
        figures.sentence_id as figure_sentence_id,
        figures.raw_text as figure_raw_text,
        case
            when figures.figure_id is null then 'figure missing'
            when figures.sentence_id != evidence.sentence_id
                then 'figure in another sentence'
            when
                substring(
                    figures.sentence_text,
                    figures.span_start + 1,
                    figures.span_end - figures.span_start
                ) != figures.raw_text
                then 'span does not spell the raw text'
            -- relative, so float noise in unit conversion is not a mismatch
            when
                abs(
                    evidence.stated_number
                    - case evidence.figure_role
                        when 'value' then figures.value_full
                        else abs(figures.value)
                    end
                )
                > 1e-9 * abs(evidence.stated_number)
                then 'number differs from its figure'
        end as problem
    from evidence
    left join figures
        on evidence.figure_id = figures.figure_id

),

final as (

    select * from checked
    where problem is not null

)

select * from final
