{#
  Every inconsistency the figure checks found, explained. One row per
  finding: a stated figure and what it contradicts (another article's
  statement or the official reference).

  Each check is an intermediate model of its own (models/intermediate/
  quality/int_figure_findings_<check>s.sql, documented there and in
  docs/quality.md); this model only puts their findings together and adds,
  for both sides of each, the statement as the article gave it:

    value_conflict         int_figure_findings_value_conflicts
    growth_level_conflict  int_figure_findings_growth_level_conflicts
    period_conflict        int_figure_findings_period_conflicts
    reference_deviation    int_figure_findings_reference_deviations

  Empty when the articles agree. One singular test per check (warn,
  macros/figure_findings_of.sql) puts its findings into
  audit.quality_results.
#}

with

value_conflicts as (

    select * from {{ ref('int_figure_findings_value_conflicts') }}

),

growth_level_conflicts as (

    select * from {{ ref('int_figure_findings_growth_level_conflicts') }}

),

period_conflicts as (

    select * from {{ ref('int_figure_findings_period_conflicts') }}

),

reference_deviations as (

    select * from {{ ref('int_figure_findings_reference_deviations') }}

),

intervals as (

    select * from {{ ref('int_trade_figures_intervals') }}

),

findings as (

    select * from value_conflicts
    union all by name
    select * from growth_level_conflicts
    union all by name
    select * from period_conflicts
    union all by name
    select * from reference_deviations

),

final as (

    select
        md5(findings.finding_key) as finding_id,
        findings.check_name,
        this.trade_figure_id,
        this.article_id,
        this.source_name,
        this.flow,
        this.reporter,
        this.partner,
        this.commodity,
        this.period_year,
        this.measure,
        this.stated_value,
        this.stated_text,
        this.sentence_text,
        other.trade_figure_id as other_trade_figure_id,
        other.article_id as other_article_id,
        other.source_name as other_source_name,
        other.period_year as other_period_year,
        other.stated_value as other_stated_value,
        other.stated_text as other_stated_text,
        other.sentence_text as other_sentence_text,
        findings.reference_source,
        findings.reference_value_usd,
        findings.explanation
    from findings
    inner join intervals as this
        on findings.stated_figure_id = this.stated_figure_id
    left join intervals as other
        on findings.other_stated_figure_id = other.stated_figure_id

)

select * from final
