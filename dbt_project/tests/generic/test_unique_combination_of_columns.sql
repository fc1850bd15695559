{#
  Fails on each combination of the columns that occurs more than once: the
  grain of a model stated as a test (dbt_utils' test of the same name, which
  this project cannot install offline).
#}
{% test unique_combination_of_columns(model, combination_of_columns) %}

{%- set columns_csv = combination_of_columns | join(', ') -%}

select
    {{ columns_csv }},
    count(*) as row_count
from {{ model }}
group by {{ columns_csv }}
having count(*) > 1

{% endtest %}
