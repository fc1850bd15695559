"""The `claimledger` command: `summary`, `query` and how a run's end is told (no DAG run)."""

from __future__ import annotations

import json
from pathlib import Path

import duckdb
import pytest
from typer.testing import CliRunner

from claimledger.airflow_state import Failure, RunState, TaskState
from claimledger.cli import _report, app
from claimledger.dag_run import DagOutcome
from transforms.kernel.settings import Settings


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


@pytest.fixture
def published(warehouse_env):
    warehouse_env.published_db.parent.mkdir(parents=True)
    with duckdb.connect(str(warehouse_env.published_db)) as con:
        con.execute("create schema marts; create table marts.t as "
                    "select * from (values (1, 'a,b', date '2026-03-02'), (2, 'c', null)) "
                    "as v(n, label, day)")
    return warehouse_env


@pytest.mark.parametrize(("sql", "said", "hint"), [
    ("selct 1", "Parser Error: syntax error at or near \"selct\"", "check the SQL"),
    ("select * from marts.tt", "Catalog Error: Table with name tt does not exist!",
     "Did you mean \"t\"?"),
    ("select nn from marts.t", "Binder Error: Referenced column \"nn\" not found",
     "Candidate bindings: \"n\""),
    ("insert into marts.t values (3, 'd', null)", "read-only mode", "read-only"),
])
def test_a_failing_query_says_duckdbs_message_and_a_hint_on_one_line(published, sql, said,
                                                                      hint):
    result = CliRunner().invoke(app, ["query", sql])
    assert result.exit_code == 1
    lines = result.output.strip().splitlines()
    assert len(lines) == 1, result.output  # no traceback
    assert lines[0].startswith("claimledger query: ") and said in lines[0]
    assert "(hint: " in lines[0] and hint in lines[0].split("(hint: ", 1)[1]


def test_query_prints_csv_and_json(published):
    sql = "select n, label, day from marts.t order by n"
    as_csv = CliRunner().invoke(app, ["query", sql, "--format", "csv"])
    assert as_csv.exit_code == 0, as_csv.output
    assert as_csv.output.splitlines() == ["n,label,day", '1,"a,b",2026-03-02', "2,c,"]
    as_json = CliRunner().invoke(app, ["query", sql, "--format", "json"])
    assert json.loads(as_json.output) == [{"n": 1, "label": "a,b", "day": "2026-03-02"},
                                          {"n": 2, "label": "c", "day": None}]
    wrong = CliRunner().invoke(app, ["query", sql, "--format", "xml"])
    assert wrong.exit_code == 2 and "not one of table, csv, json" in wrong.output


def test_query_without_a_published_warehouse_says_so(warehouse_env):
    result = CliRunner().invoke(app, ["query", "select 1"])
    assert result.exit_code == 1
    assert result.output.strip().splitlines() == [
        f"claimledger query: no published warehouse at {warehouse_env.published_db}: "
        "run `make run` first"]


def _task(task_id: str, state: str) -> TaskState:
    return TaskState(task_id, task_id, -1, state, None, None)


def _outcome(states: dict[str, str], failures: dict[str, Failure | None], code: int = 1,
             summary: str | None = "claimledger run summary\n  quality  FAILED") -> DagOutcome:
    tasks = [_task(t, s) for t, s in states.items()]
    run_state = "success" if code == 0 else "failed"
    return DagOutcome(code, Path("/w/logs/dag.log"), RunState("manual__x", run_state, tasks),
                      [(_task(t, "failed"), f) for t, f in failures.items()], summary)


def _served(settings, name: str) -> None:
    (settings.warehouse_dir / "published").mkdir(parents=True)
    (settings.warehouse_dir / "published" / "CURRENT").write_text(name)


def test_a_gate_stop_says_nothing_was_published_first_and_ends_with_the_cause(
        warehouse_env, capsys):
    _served(warehouse_env, "claimledger-20260301-good")
    gate = Failure("QualityGateError", "great_expectations: 1 error check(s) failed: x")
    outcome = _outcome({"check_quality": "failed", "publish_warehouse": "upstream_failed",
                        "summarize_run": "success", "mark_run_failed": "failed"},
                       {"check_quality": gate, "mark_run_failed": Failure("RuntimeError", "a")})
    assert _report(outcome, warehouse_env, "2026-03-02") == 1
    out, err = capsys.readouterr()
    assert out.lstrip().startswith("nothing was published by this run: readers still see "
                                   "claimledger-20260301-good")
    assert out.index("nothing was published") < out.index("claimledger run summary")
    assert "✗ check_quality failed: QualityGateError: great_expectations" in err
    assert "mark_run_failed" not in err  # the verdict task is no cause
    assert "log: /w/logs/dag.log" in err
    assert err.strip().splitlines()[-1] == (
        "The quality gate stopped the run at check_quality (great_expectations: 1 error "
        "check(s) failed: x): nothing was published and readers still see "
        "claimledger-20260301-good.")


def test_a_crashed_task_is_the_cause_not_the_verdict_task(warehouse_env, capsys):
    outcome = _outcome({"discover_pages": "failed", "publish_warehouse": "upstream_failed",
                        "summarize_run": "failed", "mark_run_failed": "failed"},
                       {"mark_run_failed": Failure("RuntimeError", "a task failed"),
                        "discover_pages": Failure("OSError", "disk gone")}, summary=None)
    outcome.failures.reverse()  # the verdict task ended first here; it is still not the cause
    assert _report(outcome, warehouse_env, "2026-03-02") == 1
    out, err = capsys.readouterr()
    assert "nothing has been published yet" in out
    assert "claimledger run summary" not in out  # no summary of an earlier run
    assert err.strip().splitlines()[-1] == "The run failed at discover_pages: OSError: disk gone"


def test_a_good_run_ends_with_the_version_readers_now_see(warehouse_env, capsys):
    _served(warehouse_env, "claimledger-20260302-new")
    outcome = _outcome({"publish_warehouse": "success", "mark_run_failed": "skipped"}, {},
                       code=0, summary="claimledger run summary\n  quality  passed")
    assert _report(outcome, warehouse_env, "2026-03-02") == 0
    out, err = capsys.readouterr()
    assert "nothing was published" not in out and err == ""
    assert out.strip().splitlines()[-1] == ("news_daily 2026-03-02 succeeded: readers now see "
                                            "claimledger-20260302-new.")
