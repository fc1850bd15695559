{#
  Marts built incrementally, by article.

  The load replaces every raw row of an article together, stamped with the
  loading run's run_id, whenever the article is loaded again (a new day's
  copy with other content, a re-run of its day); rows are never changed in
  place. So a mart whose every column derives from one article's own rows
  only needs the articles whose (article_id, run_id) it has not built yet:
  the model selects them with articles_not_yet_built, dbt replaces their rows
  (incremental_strategy delete+insert on article_id), and the post-hook
  delete_rows_of_replaced_articles drops rows of articles that were loaded
  again without them (fewer figures than before) or are gone (a re-run day
  that no longer holds them).

  A change to the project's models, macros, seeds or dbt_project.yml
  rebuilds these marts in full once (transforms/checks/dbt_build.py compares a
  fingerprint of those files with the one of the last successful build).
#}

{#- loaded: the alias of the articles relation in the caller's from clause (its
    columns must be qualified: unqualified, they would name the subquery's own) -#}
{% macro articles_not_yet_built(loaded) -%}
{%- if is_incremental() -%}
not exists (
    select 1 from {{ this }} as built
    where
        built.article_id = {{ loaded }}.article_id
        and built.run_id = {{ loaded }}.run_id
)
{%- else -%}
true
{%- endif -%}
{%- endmacro %}


{#- The rows of the articles in `articles` (the model's CTE of the articles
    being built) when the build is incremental; every row otherwise. -#}
{% macro where_article_in(articles) -%}
{%- if is_incremental() -%}
where article_id in (select article_id from {{ articles }})
{%- endif -%}
{%- endmacro %}


{% macro delete_rows_of_replaced_articles(articles) -%}
delete from {{ this }} as built
where
    built.run_id is not null
    and not exists (
        select 1 from {{ articles }} as loaded
        where
            loaded.article_id = built.article_id
            and loaded.run_id = built.run_id
    )
{%- endmacro %}
