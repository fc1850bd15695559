{#- The rows of rpt_figure_findings for one check, as the consistency
    tests return them: both statements, both articles and the explanation.
    One macro, so the four tests (one per check name, each with its own why
    and severity) stay alike. -#}
{% macro figure_findings_of(check_name) %}

with

findings as (

    select * from {{ ref('rpt_figure_findings') }}

),

final as (

    select
        check_name,
        source_name,
        period_year,
        stated_text,
        other_source_name,
        other_period_year,
        other_stated_text,
        reference_source,
        article_id,
        other_article_id,
        explanation
    from findings
    where check_name = '{{ check_name }}'

)

select * from final

{% endmacro %}
