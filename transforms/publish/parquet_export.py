"""The marts as Parquet files, and a small DuckDB file of views over them.

`export_parquet(database, target)` writes every table of the marts and audit
schemas of a (published) DuckDB file to `target`/<schema>.<table>/, with a
manifest.json of columns and types; `write_parquet_views(export, views_db)`
creates a DuckDB file whose views (`marts.*`, `audit.*`, same names, types and
column comments) read that folder. transforms/publish/versions.py calls both for every
published version; this module only reads DuckDB files it did not create and writes new ones.
"""

from __future__ import annotations

import json
import os
import shutil
from contextlib import closing
from pathlib import Path

import duckdb

# Schemas exported to Parquet: the marts analysts query, and the audit tables the run
# report and `claimledger status` read. raw/staging/intermediate stay in the DuckDB file.
EXPORTED_SCHEMAS = ("marts", "audit")
# Partition columns per table. Only fct_trade_figures is partitioned, by period_year:
# analysts filter and chart it by year, and a year is a low-cardinality key that grows
# by one folder a year. Partitioning by ingest_date would add a folder of tiny files per
# day to tables that are rebuilt in full on every run anyway, and nobody filters on it.
PARTITION_BY = {"marts.fct_trade_figures": ("period_year",)}
HIVE_NULL = "__HIVE_DEFAULT_PARTITION__"  # the folder name DuckDB writes for a null key


def export_parquet(database: Path, target: Path, *,
                   memory_limit: str | None = None) -> dict[str, int]:
    """Write every table of EXPORTED_SCHEMAS in `database` to `target`/<schema>.<table>/.

    Returns rows per table. A table in PARTITION_BY is written hive-partitioned
    (<table>/period_year=2024/...); the others as one data_0.parquet. A manifest.json
    records each table's columns and types, so views can restore them exactly.
    memory_limit: DuckDB's for the export's connection (publish passes the writer's,
    Settings.duckdb_memory_limit; with DuckDB's default, 80% of RAM, the export of a
    10,000-article warehouse kept ~0.25 GiB of cached blocks, 0.19 GiB with 256MB).
    """
    tmp = target.with_name(target.name + ".tmp")
    shutil.rmtree(tmp, ignore_errors=True)
    tmp.mkdir(parents=True)
    counts: dict[str, int] = {}
    manifest: dict[str, dict] = {}
    config = {"memory_limit": memory_limit} if memory_limit else {}
    with closing(duckdb.connect(str(database), read_only=True, config=config)) as con:
        tables = con.execute(
            "select schema_name, table_name from duckdb_tables() "
            "where schema_name in (select unnest(?)) order by all",
            [list(EXPORTED_SCHEMAS)]).fetchall()
        for schema, table in tables:
            qualified = f"{schema}.{table}"
            folder = tmp / qualified
            columns = con.execute(
                "select column_name, data_type from duckdb_columns() "
                "where schema_name = ? and table_name = ? order by column_index",
                [schema, table]).fetchall()
            # The descriptions (dbt's persist_docs, the writer's raw/audit comments) go
            # with the data, so the views document themselves as the tables do.
            comments = dict(con.execute(
                "select column_name, comment from duckdb_columns() "
                "where schema_name = ? and table_name = ? and comment is not null "
                "union all select null, comment from duckdb_tables() "
                "where schema_name = ? and table_name = ? and comment is not null",
                [schema, table, schema, table]).fetchall())
            relation = f'"{schema}"."{table}"'
            rows = con.execute(f"select count(*) from {relation}").fetchone()[0]
            # An empty table written partitioned leaves no file for its view to read (a day
            # that discovered nothing): write it as one plain, empty file instead.
            partition = PARTITION_BY.get(qualified, ()) if rows else ()
            if partition:
                con.execute(f"copy {relation} to '{_sql_str(folder)}' (format parquet, "
                            f"partition_by ({', '.join(partition)}), overwrite_or_ignore)")
            else:
                folder.mkdir()
                con.execute(f"copy {relation} to '{_sql_str(folder / 'data_0.parquet')}' "
                            "(format parquet)")
            counts[qualified] = rows
            manifest[qualified] = {"columns": columns, "partition_by": list(partition),
                                   "rows": counts[qualified],
                                   "table_comment": comments.pop(None, None),
                                   "column_comments": comments}
    (tmp / "manifest.json").write_text(json.dumps(manifest, indent=1), encoding="utf-8")
    shutil.rmtree(target, ignore_errors=True)
    os.replace(tmp, target)
    return counts


def write_parquet_views(export: Path, views_db: Path) -> list[str]:
    """Create `views_db`: one view per table listed in `export`/manifest.json.

    The views read that version's folder by absolute path, so the file opens from any
    working directory, and a reader holding it keeps reading one consistent version
    (publish writes a new views file; the old folder stays until pruned). The file is
    created with storage version v1.4.0 for DuckDB 1.4-era clients. Returns the views.
    """
    manifest = json.loads((export / "manifest.json").read_text(encoding="utf-8"))
    views_db.unlink(missing_ok=True)
    views_db.with_name(views_db.name + ".wal").unlink(missing_ok=True)
    base = export.absolute()
    created = []
    config = {"storage_compatibility_version": "v1.4.0"}
    with closing(duckdb.connect(str(views_db), config=config)) as con:
        for qualified, spec in manifest.items():
            schema, table = qualified.split(".", 1)
            con.execute(f'create schema if not exists "{schema}"')
            partition = set(spec["partition_by"])
            select = ", ".join(
                # Partition values are read as text and cast back to the mart's type. A
                # null is written as the folder __HIVE_DEFAULT_PARTITION__, which DuckDB
                # 2.0 reads as null but DuckDB 1.4 as that text: nullif serves both.
                f"cast(nullif(\"{name}\", '{HIVE_NULL}') as {dtype}) as \"{name}\""
                if name in partition else f'"{name}"'
                for name, dtype in spec["columns"])
            if partition:
                types = ", ".join(f"'{name}': 'VARCHAR'" for name in sorted(partition))
                source = (f"read_parquet('{_sql_str(base / qualified)}/**/*.parquet', "
                          f"hive_partitioning = true, hive_types = {{{types}}})")
            else:
                source = f"read_parquet('{_sql_str(base / qualified / 'data_0.parquet')}')"
            view = f'"{schema}"."{table}"'
            con.execute(f"create view {view} as select {select} from {source}")
            if spec.get("table_comment"):
                con.execute(f"comment on view {view} is {_sql_literal(spec['table_comment'])}")
            for column, text in (spec.get("column_comments") or {}).items():
                con.execute(f'comment on column {view}."{column}" is {_sql_literal(text)}')
            created.append(qualified)
        con.execute("checkpoint")
    return created


def _sql_literal(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"


def _sql_str(path: Path) -> str:
    return str(path).replace("'", "''")
