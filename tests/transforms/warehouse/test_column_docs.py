"""Every raw and audit column carries its description from the one source YAML."""

from __future__ import annotations

from contextlib import closing

import duckdb

from transforms.kernel.settings import Settings
from transforms.warehouse.column_docs import layer_docs
from transforms.warehouse.writer import Warehouse


def _catalogue(path) -> dict[tuple[str, str, str | None], str | None]:
    with closing(duckdb.connect(str(path), read_only=True)) as con:
        found = {(s, t, None): c for s, t, c in con.execute(
            "select schema_name, table_name, comment from duckdb_tables() "
            "where schema_name in ('raw', 'audit')").fetchall()}
        found.update({(s, t, col): c for s, t, col, c in con.execute(
            "select schema_name, table_name, column_name, comment from duckdb_columns() "
            "where schema_name in ('raw', 'audit')").fetchall()})
    return found


def _warehouse(tmp_path) -> Warehouse:
    return Warehouse(Settings.from_env({"CLAIMLEDGER_WAREHOUSE_DIR": str(tmp_path)}))


def test_every_documented_table_and_column_has_a_description():
    docs = layer_docs()
    assert {name.split(".")[0] for name in docs} == {"raw", "audit"}
    undescribed = [f"{table}.{column}" for table, doc in docs.items()
                   for column, text in {"(table)": doc.description, **doc.columns}.items()
                   if not text]
    assert not undescribed


def test_every_raw_and_audit_column_of_a_new_warehouse_has_its_yaml_comment(tmp_path):
    warehouse = _warehouse(tmp_path)
    with warehouse.connect():
        pass
    catalogue = _catalogue(warehouse.path)
    docs = layer_docs()
    expected = {(*table.split("."), None): doc.description for table, doc in docs.items()}
    expected.update({(*table.split("."), column): text
                     for table, doc in docs.items() for column, text in doc.columns.items()})
    # Every column the writer created is documented, and says what the YAML says.
    assert set(catalogue) == set(expected)
    assert catalogue == expected
    assert "\n" not in "".join(expected.values())


def test_a_changed_description_reaches_an_existing_warehouse_on_the_next_connect(tmp_path):
    warehouse = _warehouse(tmp_path)
    with warehouse.connect() as con:
        con.execute("comment on column raw.pages.url is 'stale words'")
        con.execute("comment on table audit.stage_counts is null")
    with warehouse.connect():
        pass
    catalogue = _catalogue(warehouse.path)
    assert catalogue[("raw", "pages", "url")] == layer_docs()["raw.pages"].columns["url"]
    assert catalogue[("audit", "stage_counts", None)] == \
        layer_docs()["audit.stage_counts"].description
