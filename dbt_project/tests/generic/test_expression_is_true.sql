{#
  Fails on rows where the boolean SQL expression is false (a null counts as a
  failure too: an invariant that cannot be evaluated is not known to hold).
  Usable on a model or, for readability, under the column it is about.
#}
{% test expression_is_true(model, expression, column_name=none) %}

select *
from {{ model }}
where not coalesce(({{ expression }}), false)

{% endtest %}
