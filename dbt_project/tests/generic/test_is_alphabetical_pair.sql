{#
  Fails on rows whose column_name does not sort strictly before other_column.
  Bilateral trade is symmetric: storing each pair once, smaller code first,
  is what lets CHN-RUS and RUS-CHN statements be counted as the same total.
  Restrict to the rows it applies to with config: where.
#}
{% test is_alphabetical_pair(model, column_name, other_column) %}

select
    {{ column_name }} as first_value,
    {{ other_column }} as second_value
from {{ model }}
where {{ column_name }} is not null
    and {{ other_column }} is not null
    and not ({{ column_name }} < {{ other_column }})

{% endtest %}
