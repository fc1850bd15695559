{#
  Fails on values that are present but blank: an empty string is a parsing
  miss that not_null lets through. Nulls pass (pair with not_null if needed).
#}
{% test not_empty_string(model, column_name) %}

select {{ column_name }} as blank_value
from {{ model }}
where {{ column_name }} is not null
    and trim({{ column_name }}) = ''

{% endtest %}
