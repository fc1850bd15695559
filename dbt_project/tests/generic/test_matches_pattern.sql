{#
  Fails on values that do not fully match the regular expression (DuckDB
  regexp_full_match, RE2 syntax). Nulls pass.
#}
{% test matches_pattern(model, column_name, pattern) %}

select {{ column_name }} as mismatching_value
from {{ model }}
where {{ column_name }} is not null
    and not regexp_full_match({{ column_name }}, '{{ pattern }}')

{% endtest %}
