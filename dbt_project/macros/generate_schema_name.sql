{#
  Use the folder's custom schema as is (staging, intermediate, marts, seeds)
  instead of dbt's default "<target schema>_<custom schema>", so readers query
  marts.fct_trade_figures whatever the target is.
#}
{% macro generate_schema_name(custom_schema_name, node) -%}
{%- if custom_schema_name is none -%}
{{ target.schema }}
{%- else -%}
{{ custom_schema_name | trim }}
{%- endif -%}
{%- endmacro %}
