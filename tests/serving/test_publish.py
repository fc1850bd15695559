"""Publishing without the DAG: versions, rollback, old snapshots, stale WALs, Parquet views.

A tiny build database stands in for the real one (a marts table and the raw/audit
layer Warehouse creates); every test is fast.
"""

from __future__ import annotations

import os
import signal
import stat
import subprocess
import sys
import textwrap
from contextlib import closing
from pathlib import Path

import duckdb
import pytest

from tests.conftest import REPO
from transforms.kernel.settings import Settings
from transforms.publish import versions as versions_module
from transforms.publish.versions import (
    Layout,
    PublishError,
    current_version,
    list_versions,
    publish,
    rollback,
)
from transforms.warehouse.writer import Warehouse


def _settings(tmp_path: Path, **env: str) -> Settings:
    return Settings.from_env({"CLAIMLEDGER_HOME": str(REPO),
                              "CLAIMLEDGER_WAREHOUSE_DIR": str(tmp_path / "warehouse"), **env})


def _build(settings: Settings, values_bn: list[float | None]) -> None:
    """Replace marts.fct_trade_figures in the build db with one row per value (2023, 2024, ...)."""
    with Warehouse(settings).connect() as con:
        con.execute("create schema if not exists marts")
        con.execute("create or replace table marts.fct_trade_figures ("
                    "trade_figure_id varchar, period_year integer, value_usd double)")
        for i, value in enumerate(values_bn):
            year = None if value is None else 2023 + i
            con.execute("insert into marts.fct_trade_figures values (?, ?, ?)",
                        [f"t{i}", year, None if value is None else value * 1e9])


def _served_values(path: Path) -> list[float]:
    with closing(duckdb.connect(str(path), read_only=True)) as con:
        return [r[0] for r in con.execute(
            "select value_usd / 1e9 from marts.fct_trade_figures "
            "where value_usd is not null order by period_year").fetchall()]


def test_publish_serves_a_checked_copy_and_its_parquet_views(tmp_path):
    settings = _settings(tmp_path)
    _build(settings, [190.0, 240.0, None])
    result = publish(settings, "manual__2026-03-02", docs=False)
    assert result.published_db == settings.published_db
    assert _served_values(settings.published_db) == [190.0, 240.0]
    layout = Layout.of(settings)
    assert current_version(layout) == result.version
    assert (layout.parquet_link / "marts.fct_trade_figures" / "period_year=2023").is_dir()
    with closing(duckdb.connect(str(layout.parquet_views_db), read_only=True)) as con:
        assert con.execute("select count(*) from marts.fct_trade_figures "
                           "where period_year is null").fetchone()[0] == 1
        assert con.execute("select count(*) from audit.stage_counts").fetchone()[0] == 0


def test_a_day_with_no_trade_figures_still_publishes_queryable_empty_views(tmp_path):
    settings = _settings(tmp_path)
    _build(settings, [])
    publish(settings, "manual__2026-03-03", docs=False)
    with closing(duckdb.connect(str(Layout.of(settings).parquet_views_db),
                                read_only=True)) as con:
        assert con.execute("select count(*), count(period_year) "
                           "from marts.fct_trade_figures").fetchone() == (0, 0)


def test_parquet_views_open_from_any_directory_with_the_marts_column_types(
        tmp_path, monkeypatch):
    settings = _settings(tmp_path)
    _build(settings, [190.0, None])
    publish(settings, "r1", docs=False)
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    monkeypatch.chdir(elsewhere)
    describe = "select column_name, data_type from duckdb_columns() " \
               "where table_name = 'fct_trade_figures' order by column_index"
    with closing(duckdb.connect(str(settings.published_db), read_only=True)) as con:
        expected = con.execute(describe).fetchall()
    views_db = Layout.of(settings).parquet_views_db
    with closing(duckdb.connect(str(views_db), read_only=True)) as con:
        columns = con.execute("describe marts.fct_trade_figures").fetchall()
        rows = con.execute("select period_year, value_usd from marts.fct_trade_figures "
                           "order by period_year nulls last").fetchall()
    assert [(c[0], c[1]) for c in columns] == expected
    assert rows == [(2023, 190e9), (None, None)]


def test_publish_keeps_the_configured_number_of_versions(tmp_path):
    settings = _settings(tmp_path, CLAIMLEDGER_PUBLISH_KEEP="2")
    for value in (1.0, 2.0, 3.0):
        _build(settings, [value])
        last = publish(settings, f"run-{value}", docs=False)
    layout = Layout.of(settings)
    versions = list_versions(layout)
    assert len(versions) == 2 and versions[-1] == last.version
    assert sorted(p.name for p in layout.versions.glob("*.parquet")) == \
        sorted(f"{v}.parquet" for v in versions)


def test_versions_sort_in_publish_order_across_a_second_and_a_clock_step_back(
        tmp_path, monkeypatch):
    # 0.999999 s past a second, then the wall clock stepped back by a minute.
    readings = iter([1_700_000_000_999_999_000, 1_700_000_001_000_001_000,
                     1_699_999_941_000_000_000])
    monkeypatch.setattr(versions_module, "_wall_clock_ns", lambda: next(readings))
    settings = _settings(tmp_path, CLAIMLEDGER_PUBLISH_KEEP="5")
    published = []
    for value in (1.0, 2.0, 3.0):
        _build(settings, [value])
        published.append(publish(settings, f"run-{value}", docs=False).version)
    assert list_versions(Layout.of(settings)) == published
    assert published[0].startswith("claimledger-20231114T221320999999-")
    assert published[1].startswith("claimledger-20231114T221321000001-")
    assert published[2].startswith("claimledger-20231114T221321000002-")


def test_rollback_serves_the_previous_version_and_stops_at_the_oldest(tmp_path):
    settings = _settings(tmp_path)
    _build(settings, [190.0])
    first = publish(settings, "day-1", docs=False)
    _build(settings, [245.0])
    publish(settings, "day-2", docs=False)
    assert _served_values(settings.published_db) == [245.0]

    restored = rollback(settings)
    assert restored.version == first.version
    assert _served_values(settings.published_db) == [190.0]
    assert _served_values(Layout.of(settings).parquet_views_db) == [190.0]
    assert (Layout.of(settings).parquet_link.resolve().name == f"{first.version}.parquet")
    with pytest.raises(PublishError, match="no version before"):
        rollback(settings)


def test_the_served_file_is_a_read_only_link_to_its_version_never_to_the_build(tmp_path):
    settings = _settings(tmp_path)
    layout = Layout.of(settings)
    _build(settings, [190.0])
    first = publish(settings, "day-1", docs=False)
    served = settings.published_db.stat()
    version = layout.version_db(first.version).stat()
    assert (served.st_ino, served.st_dev) == (version.st_ino, version.st_dev)
    assert served.st_nlink == 2 and stat.S_IMODE(served.st_mode) == 0o444
    assert settings.build_db.stat().st_nlink == 1  # the writer's file stays its own
    if os.geteuid() != 0:  # a client that forgets read_only cannot change it (root can)
        with pytest.raises(duckdb.Error):
            duckdb.connect(str(settings.published_db)).close()

    # a temporary name left by a publish that died before its swap is replaced
    settings.published_db.with_name("claimledger.duckdb.tmp").write_bytes(b"half")
    _build(settings, [245.0])
    second = publish(settings, "day-2", docs=False)
    assert settings.published_db.stat().st_ino == layout.version_db(second.version).stat().st_ino
    assert layout.version_db(first.version).stat().st_nlink == 1
    assert _served_values(layout.version_db(first.version)) == [190.0]
    assert _served_values(settings.published_db) == [245.0]
    rollback(settings)
    assert settings.published_db.stat().st_ino == layout.version_db(first.version).stat().st_ino
    assert _served_values(settings.published_db) == [190.0]


def test_a_reader_holding_the_old_file_keeps_its_snapshot_until_it_reconnects(tmp_path):
    settings = _settings(tmp_path)
    _build(settings, [190.0])
    publish(settings, "day-1", docs=False)
    reader = duckdb.connect(str(settings.published_db), read_only=True)
    views = duckdb.connect(str(Layout.of(settings).parquet_views_db), read_only=True)
    question = "select value_usd / 1e9 from marts.fct_trade_figures"
    try:
        _build(settings, [245.0])
        publish(settings, "day-2", docs=False)
        assert reader.execute(question).fetchall() == [(190.0,)]
        assert views.execute(question).fetchall() == [(190.0,)]
    finally:
        reader.close()
        views.close()
    assert _served_values(settings.published_db) == [245.0]
    assert _served_values(Layout.of(settings).parquet_views_db) == [245.0]


WRITER = textwrap.dedent("""
    import sys, time, duckdb
    con = duckdb.connect(sys.argv[1], config={"storage_compatibility_version": "v1.4.0"})
    con.execute("create schema if not exists marts")
    con.execute("create or replace table marts.fct_trade_figures ("
                "trade_figure_id varchar, period_year integer, value_usd double)")
    con.execute("insert into marts.fct_trade_figures values ('committed', 2024, 245e9)")
    con.execute("begin transaction")
    con.execute("insert into marts.fct_trade_figures "
                "select 'uncommitted-' || i, 2025, 1e9 from range(200000) as r(i)")
    print("mid-transaction", flush=True)
    time.sleep(60)
""")


def _kill_writer_mid_transaction(db: Path) -> None:
    """Start a writer, let it commit once and open a second transaction, then SIGKILL it."""
    process = subprocess.Popen([sys.executable, "-c", WRITER, str(db)],
                               stdout=subprocess.PIPE, text=True)
    try:
        assert process.stdout is not None
        assert process.stdout.readline().strip() == "mid-transaction"
        process.send_signal(signal.SIGKILL)
    finally:
        process.wait(timeout=30)
    assert process.returncode == -signal.SIGKILL


def test_a_stale_wal_of_a_killed_writer_never_blocks_publishing(tmp_path):
    settings = _settings(tmp_path)
    _build(settings, [190.0])
    publish(settings, "day-1", docs=False)
    _kill_writer_mid_transaction(settings.build_db)
    wal = settings.build_db.with_name(settings.build_db.name + ".wal")
    assert wal.exists()  # the committed insert is only in the WAL (no checkpoint yet)
    assert _served_values(settings.published_db) == [190.0]  # readers: last good version

    publish(settings, "day-2", docs=False)
    with closing(duckdb.connect(str(settings.published_db), read_only=True)) as con:
        rows = con.execute("select trade_figure_id from marts.fct_trade_figures").fetchall()
    assert rows == [("committed",)]


def test_a_stale_wal_beside_the_served_file_is_removed_before_the_swap(tmp_path):
    settings = _settings(tmp_path)
    _build(settings, [190.0])
    publish(settings, "day-1", docs=False)
    stale = settings.published_db.with_name(settings.published_db.name + ".wal")
    stale.write_bytes(b"\x00garbage from a client that opened the served file read-write")
    _build(settings, [245.0])
    publish(settings, "day-2", docs=False)
    assert not stale.exists()
    assert _served_values(settings.published_db) == [245.0]


def test_a_build_without_marts_is_refused_and_the_last_version_stays_served(tmp_path):
    settings = _settings(tmp_path)
    _build(settings, [190.0])
    publish(settings, "day-1", docs=False)
    with Warehouse(settings).connect() as con:
        con.execute("drop schema marts cascade")
    with pytest.raises(PublishError, match="no marts"):
        publish(settings, "day-2", docs=False)
    assert _served_values(settings.published_db) == [190.0]
    assert len(list_versions(Layout.of(settings))) == 1


DUCKDB_14_READ = textwrap.dedent("""
    import sys, duckdb
    for db in sys.argv[1:]:
        con = duckdb.connect(db, read_only=True)
        print(duckdb.__version__, con.execute(
            "select count(*), count(period_year), sum(value_usd) / 1e9 "
            "from marts.fct_trade_figures").fetchone())
        con.close()
""")


def test_duckdb_14_reads_the_published_file_and_its_parquet_views(tmp_path, duckdb14_python):
    settings = _settings(tmp_path)
    _build(settings, [190.0, 240.0, None])
    publish(settings, "day-1", docs=False)
    done = subprocess.run([str(duckdb14_python), "-c", DUCKDB_14_READ,
                           str(settings.published_db), str(Layout.of(settings).parquet_views_db)],
                          capture_output=True, text=True, timeout=120, check=False)
    assert done.returncode == 0, done.stderr[-2000:]
    lines = done.stdout.strip().splitlines()
    assert len(lines) == 2
    assert all(line.startswith("1.4.") and line.endswith("(3, 2, 430.0)") for line in lines)


def _record_run(settings: Settings, run_id: str, status: str) -> None:
    import polars as pl

    warehouse = Warehouse(settings)
    warehouse.write_audit("stage_counts", run_id, "2026-03-02", pl.DataFrame({
        "stage": ["load"], "items_in": [1], "items_out": [1], "items_quarantined": [0],
        "items_unchanged": [0]}))
    warehouse.write_audit("quality_results", run_id, "2026-03-02", pl.DataFrame({
        "check_name": ["unique_trade_figure_id"], "check_source": ["dbt"],
        "severity": ["error"], "status": [status], "failing_row_count": [0 if status == "pass"
                                                                         else 2],
        "failing_sample": [None], "message": ["m"]}, schema_overrides={
            "failing_sample": pl.String}))


def test_publish_command_refuses_a_run_whose_checks_failed_unless_forced(tmp_path, monkeypatch):
    from typer.testing import CliRunner

    from claimledger.cli import app

    settings = _settings(tmp_path)
    monkeypatch.setenv("CLAIMLEDGER_HOME", str(REPO))
    monkeypatch.setenv("CLAIMLEDGER_WAREHOUSE_DIR", str(settings.warehouse_dir))
    _build(settings, [190.0])
    _record_run(settings, "day-1", "pass")
    runner = CliRunner()
    first = runner.invoke(app, ["publish", "--no-docs"])
    assert first.exit_code == 0, first.output
    assert "serving claimledger-" in first.output and "✓ swap the served database" in first.output

    _build(settings, [999.0])
    _record_run(settings, "day-2", "fail")
    refused = runner.invoke(app, ["publish", "--no-docs"])
    assert refused.exit_code == 1 and "not publishing run day-2" in refused.output
    assert _served_values(settings.published_db) == [190.0]
    forced = runner.invoke(app, ["publish", "--no-docs", "--force"])
    assert forced.exit_code == 0, forced.output
    assert _served_values(settings.published_db) == [999.0]


def _schemas(path: Path) -> set[str]:
    with closing(duckdb.connect(str(path), read_only=True)) as con:
        return {r[0] for r in con.execute(
            "select schema_name from duckdb_schemas() where database_name = "
            "current_database() and not internal").fetchall()} | {r[0] for r in con.execute(
            "select distinct schema_name from duckdb_tables() union "
            "select distinct schema_name from duckdb_views() where not internal "
            "union select distinct schema_name from duckdb_functions() "
            "where not internal and function_type like '%macro'").fetchall()}


def test_the_published_file_shows_readers_marts_audit_and_raw_not_dbts_working_schemas(
        tmp_path):
    settings = _settings(tmp_path)
    _build(settings, [190.0])
    with Warehouse(settings).connect() as con:
        # What dbt leaves in the build database besides the marts.
        con.execute("create schema if not exists staging; create schema if not exists "
                    "intermediate; create schema if not exists seeds")
        con.execute("create or replace view staging.stg_raw__pages as select * from raw.pages")
        con.execute("create or replace view intermediate.int_x as "
                    "select * from staging.stg_raw__pages")
        con.execute("create or replace table seeds.fx_rates_usd (currency varchar)")
        con.execute("create or replace table main.leftover (a integer)")
        con.execute("create or replace macro main.twice(a) as a * 2")
    publish(settings, "r1", docs=False)
    assert _schemas(settings.published_db) == {"marts", "audit", "raw"}
    assert {"staging", "intermediate", "seeds", "main"} <= _schemas(settings.build_db)
    assert not settings.published_db.with_name(settings.published_db.name + ".wal").exists()
    with closing(duckdb.connect(str(settings.published_db), read_only=True)) as con:
        comment = con.execute("select comment from duckdb_columns() where schema_name = "
                              "'raw' and table_name = 'pages' and column_name = 'url'"
                              ).fetchone()[0]
    assert comment == "The URL as discovered."


def test_the_parquet_views_carry_the_tables_column_comments(tmp_path):
    settings = _settings(tmp_path)
    _build(settings, [190.0])
    with Warehouse(settings).connect() as con:
        con.execute("comment on column marts.fct_trade_figures.value_usd is "
                    "'The level in full US dollars (it''s stated).'")
    publish(settings, "r1", docs=False)
    views = Layout.of(settings).parquet_views_db
    with closing(duckdb.connect(str(views), read_only=True)) as con:
        comments = dict(con.execute(
            "select schema_name || '.' || table_name || '.' || column_name, comment "
            "from duckdb_columns() where comment is not null").fetchall())
        table_comment = con.execute("select comment from duckdb_views() where "
                                    "view_name = 'stage_counts'").fetchone()[0]
    assert comments["marts.fct_trade_figures.value_usd"] == \
        "The level in full US dollars (it's stated)."
    assert comments["audit.stage_counts.items_in"] == "Items the stage received."
    assert table_comment == "One row per DAG run and stage, counts in and out."
