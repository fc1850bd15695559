{#
  Fails on rows whose [column_name, end_column) span does not lie inside
  text_column (0-based, end exclusive, in characters like Python's str), or,
  when evidence_column is given, whose span does not spell that evidence
  exactly. This is what makes "every number points at its evidence" checkable.
#}
{% test span_within_text(
    model, column_name, end_column, text_column, evidence_column=none
) %}

select
    {{ column_name }} as span_start,
    {{ end_column }} as span_end,
    {{ text_column }} as span_text
{%- if evidence_column is not none %},
    {{ evidence_column }} as evidence
{%- endif %}
from {{ model }}
where {{ column_name }} is not null
    and (
        {{ column_name }} < 0
        or {{ end_column }} <= {{ column_name }}
        or {{ end_column }} > length({{ text_column }})
{%- if evidence_column is not none %}
        or substring(
            {{ text_column }},
            {{ column_name }} + 1,
            {{ end_column }} - {{ column_name }}
        ) != {{ evidence_column }}
{%- endif %}
    )

{% endtest %}
