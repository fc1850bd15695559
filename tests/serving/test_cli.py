"""The `claimledger` command: its progress lines, `summary` and `query` (no DAG run here)."""

from __future__ import annotations

import duckdb
import pytest
from typer.testing import CliRunner

from claimledger.cli import _echo_progress, app
from transforms.kernel.settings import Settings

START = ("2026-11-24T05:15:14Z [info ] [DAG TEST] starting task_id=fetch_pages map_index=0 "
         "[airflow.sdk.definitions.dag] loc=dag.py:1501")
END = ("2026-11-24T05:15:21Z [info ] [DAG TEST] end task task_id=fetch_pages map_index=0 "
       "[airflow.sdk.definitions.dag] loc=dag.py:1563")
UNMAPPED_END = "[DAG TEST] end task task_id=build_marts map_index=-1"


def test_progress_prints_one_line_per_finished_task_and_every_failure(capsys):
    started: dict[str, float] = {}
    for line in (START, "[DAG TEST] running task <TaskInstance: news_daily.fetch_pages>", END,
                 UNMAPPED_END, "ERROR - Task failed with exception: boom"):
        _echo_progress(line, started)
    lines = capsys.readouterr().out.splitlines()
    assert [line.split()[:2] for line in lines[:2]] == [["✓", "fetch_pages[0]"],
                                                         ["✓", "build_marts"]]
    assert lines[0].endswith(" s")
    assert lines[2].startswith("  ✗ ERROR - Task failed with exception: boom")
    assert len(lines) == 3


@pytest.fixture
def warehouse_env(tmp_path, monkeypatch):
    monkeypatch.setenv("CLAIMLEDGER_WAREHOUSE_DIR", str(tmp_path / "warehouse"))
    monkeypatch.delenv("CLAIMLEDGER_CORPUS", raising=False)
    return Settings.from_env()


def test_summary_without_a_run_says_so_and_fails(warehouse_env):
    result = CliRunner().invoke(app, ["summary"])
    assert result.exit_code == 1
    assert "no run summary yet" in result.output


def test_summary_prints_the_last_runs_summary(warehouse_env):
    warehouse_env.reports_dir.mkdir(parents=True)
    (warehouse_env.reports_dir / "summary.txt").write_text("claimledger run summary\n  x 1\n")
    result = CliRunner().invoke(app, ["summary"])
    assert result.exit_code == 0
    assert "claimledger run summary" in result.output


def test_query_reads_the_published_file_read_only(warehouse_env):
    warehouse_env.published_db.parent.mkdir(parents=True)
    with duckdb.connect(str(warehouse_env.published_db)) as con:
        con.execute("create schema marts; create table marts.t as select 42 as answer")
    result = CliRunner().invoke(app, ["query", "select answer from marts.t"])
    assert result.exit_code == 0, result.output
    assert "42" in result.output
    refused = CliRunner().invoke(app, ["query", "insert into marts.t values (1)"])
    assert refused.exit_code != 0  # the connection is read-only
    with duckdb.connect(str(warehouse_env.published_db), read_only=True) as con:
        assert con.execute("select count(*) from marts.t").fetchone() == (1,)
