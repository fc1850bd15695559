"""The raw and audit layers' descriptions, written into DuckDB as COMMENTs.

One definition: dbt's source YAML (RAW_SOURCES) describes every table and column that
raw_schema.sql creates; tests/dbt/test_dbt_project.py fails when the two list different
columns and tests/transforms/warehouse/test_column_docs.py when a column has no
description. dbt's persist_docs comments the models it builds, never its sources, so
the writer copies these descriptions in itself: a reader that never sees this repo
(DBeaver, `describe`, a BI tool's column list) reads them from the file.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache
from pathlib import Path

import duckdb
import yaml

from transforms.kernel.rules import REPO_DIR

RAW_SOURCES = REPO_DIR / "dbt_project" / "models" / "staging" / "raw" / "_raw__sources.yml"


@dataclass(frozen=True)
class TableDoc:
    """A table's description and its columns' descriptions, in YAML order."""

    description: str
    columns: dict[str, str]


def _text(value: object) -> str:
    # Folded YAML blocks keep a trailing newline and line breaks; a comment is one line.
    return " ".join(str(value or "").split())


@cache
def layer_docs(sources_yml: Path = RAW_SOURCES) -> dict[str, TableDoc]:
    """{"raw.pages": TableDoc, ...} for every table of the source YAML's sources."""
    with sources_yml.open(encoding="utf-8") as handle:
        sources = yaml.safe_load(handle)["sources"]
    return {f"{source['schema']}.{table['name']}": TableDoc(
                _text(table.get("description")),
                {column["name"]: _text(column.get("description"))
                 for column in table.get("columns", [])})
            for source in sources for table in source["tables"]}


def _literal(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"


def apply_comments(con: duckdb.DuckDBPyConnection,
                   docs: dict[str, TableDoc] | None = None) -> int:
    """Set each documented table's and column's COMMENT where it differs; return how many.

    Only differing comments are written, so the writer's every connection costs a
    catalogue read, not ~150 catalogue changes. Tables the database lacks are skipped.
    """
    docs = layer_docs() if docs is None else docs
    current = {(s, t, None): c or "" for s, t, c in con.execute(
        "select schema_name, table_name, comment from duckdb_tables()").fetchall()}
    current.update({(s, t, col): c or "" for s, t, col, c in con.execute(
        "select schema_name, table_name, column_name, comment from duckdb_columns()"
    ).fetchall()})
    changed = 0
    for qualified, doc in docs.items():
        schema, table = qualified.split(".", 1)
        wanted = {None: doc.description, **doc.columns}
        for column, text in wanted.items():
            have = current.get((schema, table, column))
            if have is None or have == text:
                continue  # not in this database, or already says it
            target = (f'table "{schema}"."{table}"' if column is None
                      else f'column "{schema}"."{table}"."{column}"')
            con.execute(f"comment on {target} is {_literal(text)}")
            changed += 1
    return changed
