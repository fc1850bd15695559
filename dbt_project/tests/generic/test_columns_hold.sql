{#
  The column contracts of one model, checked in one query: what would
  otherwise be one dbt test per column and check (one node each, ~16 ms of
  dbt's own time apiece whatever the data). Each argument is named for the
  test it stands for and keeps that test's meaning, nulls included:

    not_null:           [column, ...]          fails on nulls
    not_empty_string:   [column, ...]          fails on blank values; nulls pass
    value_in_range:     {column: {min_value, max_value, inclusive}}
                                               fails outside the bounds (either
                                               may be omitted; inclusive
                                               defaults to true); nulls pass
    accepted_values:    {column: [value, ...]} fails on other values (compared
                                               as strings); nulls pass
    matches_pattern:    {column: pattern}      fails on values the RE2 pattern
                                               does not fully match; nulls pass
    expression_is_true: [expression, ...]      fails on rows where the boolean
                                               SQL expression is false or null
    key_column:         the model's key (a column or expression), shown for
                        the sample row; optional

  Returns one row per (column, check) that fails: column_name (null for an
  expression), test_name, the requirement in words, failing_row_count, and a
  sample: the offending value and key of the failing row with the smallest
  key (without a key_column, the smallest offending value). dbt counts the
  failing rows (fail_calc), so a test reports as many failures as the
  separate tests it replaces would have together. Severity and `where`
  apply to the whole test: group warn-severity checks in a second instance
  with config: severity: warn.
#}
{% test columns_hold(
    model,
    not_null=[],
    not_empty_string=[],
    value_in_range={},
    accepted_values={},
    matches_pattern={},
    expression_is_true=[],
    key_column=none
) %}

{{ config(fail_calc='cast(coalesce(sum(failing_row_count), 0) as bigint)') }}

{%- set checks = [] -%}

{%- for column in not_null -%}
    {%- do checks.append({
        'column': column,
        'test': 'not_null',
        'requirement': 'is not null',
        'failing': column ~ ' is null',
    }) -%}
{%- endfor -%}

{%- for column in not_empty_string -%}
    {%- do checks.append({
        'column': column,
        'test': 'not_empty_string',
        'requirement': 'is not blank',
        'failing': column ~ " is not null and trim(" ~ column ~ ") = ''",
    }) -%}
{%- endfor -%}

{%- for column, bounds in value_in_range.items() -%}
    {%- set inclusive = bounds.get('inclusive', true) -%}
    {%- set limits = [] -%}
    {%- set outside = [] -%}
    {%- if bounds.get('min_value') is not none -%}
        {%- do limits.append(('>= ' if inclusive else '> ') ~ bounds.min_value) -%}
        {%- do outside.append(
            column ~ (' < ' if inclusive else ' <= ') ~ bounds.min_value
        ) -%}
    {%- endif -%}
    {%- if bounds.get('max_value') is not none -%}
        {%- do limits.append(('<= ' if inclusive else '< ') ~ bounds.max_value) -%}
        {%- do outside.append(
            column ~ (' > ' if inclusive else ' >= ') ~ bounds.max_value
        ) -%}
    {%- endif -%}
    {%- if not outside -%}
        {{ exceptions.raise_compiler_error(
            'columns_hold: value_in_range on ' ~ column ~ ' needs a bound'
        ) }}
    {%- endif -%}
    {%- do checks.append({
        'column': column,
        'test': 'value_in_range',
        'requirement': limits | join(' and '),
        'failing': column ~ ' is not null and (' ~ outside | join(' or ') ~ ')',
    }) -%}
{%- endfor -%}

{%- for column, values in accepted_values.items() -%}
    {%- set quoted = [] -%}
    {%- for value in values -%}
        {%- do quoted.append("'" ~ (value | string | replace("'", "''")) ~ "'") -%}
    {%- endfor -%}
    {%- do checks.append({
        'column': column,
        'test': 'accepted_values',
        'requirement': 'in (' ~ values | join(', ') ~ ')',
        'failing': column ~ ' is not null and ' ~ column
            ~ ' not in (' ~ quoted | join(', ') ~ ')',
    }) -%}
{%- endfor -%}

{%- for column, pattern in matches_pattern.items() -%}
    {%- do checks.append({
        'column': column,
        'test': 'matches_pattern',
        'requirement': 'fully matches ' ~ pattern,
        'failing': column ~ ' is not null and not regexp_full_match('
            ~ column ~ ", '" ~ pattern | replace("'", "''") ~ "')",
    }) -%}
{%- endfor -%}

{%- for expression in expression_is_true -%}
    {%- do checks.append({
        'column': none,
        'test': 'expression_is_true',
        'requirement': expression | trim,
        'failing': 'not coalesce((' ~ expression ~ '), false)',
    }) -%}
{%- endfor -%}

{%- if not checks -%}
    {{ exceptions.raise_compiler_error('columns_hold: no checks given') }}
{%- endif %}

with

tested as (

    select * from {{ model }}

),

-- The rows that fail any check, usually none: one pass over the model, so
-- the counts and samples below aggregate only these (computing a sample
-- over every row costs two to four times as much).
failing as (

    select * from tested
    where
{%- for check in checks %}
        {{ 'or ' if not loop.first }}({{ check.failing }})
{%- endfor %}

),

-- Every check a filtered aggregate, unnested into one row per check. The
-- sample row is the one first by {'key': key} rather than by the key, so a
-- failing row whose key is null still shows.
checked as (

    select
        unnest([
{%- for check in checks %}
            {
                'column_name': {{
                    "'" ~ check.column ~ "'" if check.column is not none
                    else 'cast(null as varchar)'
                }},
                'test_name': '{{ check.test }}',
                'requirement': '{{ check.requirement | replace("'", "''") }}',
                'failing_row_count':
                    count(*) filter (where {{ check.failing }}),
{%- if key_column is not none %}
                'sample': arg_min(
                    {
                        'value': cast({{ check.column or 'null' }} as varchar),
                        'key': cast({{ key_column }} as varchar)
                    },
                    {'key': {{ key_column }}}
                ) filter (where {{ check.failing }})
{%- else %}
                'sample': {
                    'value': cast(
                        min({{ check.column or 'null' }})
                        filter (where {{ check.failing }}) as varchar
                    ),
                    'key': cast(null as varchar)
                }
{%- endif %}
            }{{ ',' if not loop.last }}
{%- endfor %}
        ]) as failure
    from failing

),

final as (

    select
        failure.column_name,
        failure.test_name,
        failure.requirement,
        failure.failing_row_count,
        failure.sample.value as sample_value,
        failure.sample.key as sample_key
    from checked
    where failure.failing_row_count > 0

)

select * from final

{% endtest %}
