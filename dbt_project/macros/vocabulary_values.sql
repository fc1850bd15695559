{#
  A closed vocabulary from dbt_project.yml vars (code: meaning) as a relation
  with two columns, so models can show what a reason code means:
      {{ vocabulary_values('quarantine_reasons', 'reason_code',
                           'reason_description') }}
#}
{% macro vocabulary_values(var_name, code_column, description_column) %}
{%- set vocabulary = var(var_name) -%}
select *
from (
    values
{%- for code, description in vocabulary.items() %}
    (
        '{{ code }}',
        '{{ description | replace("'", "''") }}'
    ){{ "," if not loop.last }}
{%- endfor %}
) as vocabulary ({{ code_column }}, {{ description_column }})
{% endmacro %}
