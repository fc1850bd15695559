"""The real DAG (`airflow dags test`): two runs at once, then a run SIGKILLed mid-load.

One module-scoped story over one warehouse, to keep Airflow runs (~35 s each) few:
1. two DAG runs of the same day start at once (two Airflow homes, one warehouse): one
   finishes, the other refuses in discover_pages, naming the run that holds the lease;
2. a run killed by SIGKILL inside load_warehouse's transaction (CLAIMLEDGER_FAULT) while a
   reader keeps opening the published copy: the reader only ever sees the last published
   state, and the build database still holds the clean day;
3. a rerun of the day: the warehouse (raw, audit and marts, build and published) equals
   the state of step 1 in content, with no duplicate keys, orphans, .wal or lease left.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import signal
import subprocess
import sys
import threading
import time
from contextlib import closing
from pathlib import Path

import duckdb
import pytest

from tests.dag_harness import dag_env, init_airflow
from tests.faults.conftest import INGEST_DATE, fault_corpus
from tests.faults.warehouse_state import checksum, snapshot

pytestmark = pytest.mark.e2e

AIRFLOW = str(Path(sys.executable).with_name("airflow"))
MARTS = ("marts.dim_articles", "marts.fct_figures", "marts.fct_trade_figures",
         "marts.fct_claims")


def _env(home: Path, corpus: Path, warehouse: Path) -> dict[str, str]:
    # The metadata path is explicit: the second home is a copy of the first.
    return {**dag_env(home, warehouse, corpus=corpus),
            "AIRFLOW__DATABASE__SQL_ALCHEMY_CONN": f"sqlite:///{home}/airflow.db"}


def _start_dag(env: dict[str, str], log: Path) -> subprocess.Popen:
    """`airflow dags test` in its own session, its output to a file (a SIGKILLed run's pool
    workers would otherwise keep a pipe open)."""
    with log.open("w") as out:
        return subprocess.Popen([AIRFLOW, "dags", "test", "news_daily", INGEST_DATE],
                                env=env, stdout=out, stderr=subprocess.STDOUT,
                                start_new_session=True)


def _finish(process: subprocess.Popen, timeout: float = 300) -> int:
    try:
        return process.wait(timeout=timeout)
    finally:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(process.pid, signal.SIGKILL)  # leftovers of that session only


def _marts(db: Path) -> dict:
    """(rows, checksum) of each mart, volatile columns (fetched_at, ...) left out."""
    with closing(duckdb.connect(str(db), read_only=True)) as con:
        return {t: checksum(con, t) for t in MARTS}


def _reader(published: Path, stop: threading.Event, seen: list) -> None:
    """Open the published copy again and again; record what each open saw."""
    while not stop.is_set():
        try:
            with closing(duckdb.connect(str(published), read_only=True)) as con:
                seen.append(con.execute(
                    "select (select count(*) from raw.articles), "
                    "(select count(*) from raw.paragraphs), "
                    "(select count(*) from marts.fct_trade_figures)").fetchone())
        except duckdb.Error as error:
            seen.append(("error", str(error)))
        time.sleep(0.05)


@pytest.fixture(scope="module")
def story(tmp_path_factory) -> dict:
    tmp = tmp_path_factory.mktemp("dag-faults")
    corpus = fault_corpus(tmp / "corpus")
    warehouse = tmp / "warehouse"
    home_a, home_b = tmp / "airflow_a", tmp / "airflow_b"
    home_a.mkdir()
    env_a = _env(home_a, corpus, warehouse)
    init_airflow(env_a)
    shutil.copytree(home_a, home_b)
    env_b = _env(home_b, corpus, warehouse)

    # 1. Two runs at once.
    runs = [_start_dag(env_a, tmp / "a.log"), _start_dag(env_b, tmp / "b.log")]
    codes = [_finish(p) for p in runs]
    logs = [(tmp / "a.log").read_text(), (tmp / "b.log").read_text()]
    build, published = warehouse / "build" / "claimledger.duckdb", warehouse / "claimledger.duckdb"
    clean = {"build": snapshot(build), "published": snapshot(published),
             "marts": _marts(build)} if 0 in codes else {}

    # 2. A run killed inside the load transaction, with a reader on the published copy.
    stop, seen = threading.Event(), []
    reader = threading.Thread(target=_reader, args=(published, stop, seen))
    reader.start()
    killed = _start_dag({**env_a, "CLAIMLEDGER_FAULT": "load_warehouse:during_write"},
                        tmp / "killed.log")
    killed_code = _finish(killed)
    after_kill = snapshot(build)
    stop.set()
    reader.join()

    # 3. The rerun.
    rerun_code = _finish(_start_dag(env_a, tmp / "rerun.log"))
    return {"codes": codes, "logs": logs, "clean": clean, "killed_code": killed_code,
            "killed_log": (tmp / "killed.log").read_text(), "after_kill": after_kill,
            "seen": seen, "rerun_code": rerun_code,
            "rerun_log": (tmp / "rerun.log").read_text(), "warehouse": warehouse,
            "build": build, "published": published}


def test_of_two_runs_started_at_once_one_finishes_and_the_other_refuses_clearly(story):
    codes, logs = story["codes"], story["logs"]
    assert sorted(code == 0 for code in codes) == [False, True], codes
    loser = logs[codes.index(next(c for c in codes if c != 0))]
    assert "RunInProgress" in loser and "refuses to start" in loser
    assert story["clean"]["build"]["problems"] == []


def test_a_run_killed_inside_the_load_transaction_leaves_the_clean_day(story):
    assert story["killed_code"] == -signal.SIGKILL, story["killed_log"][-3000:]
    assert "load_warehouse" in story["killed_log"]
    raw = {t: v for t, v in story["after_kill"]["tables"].items() if t.startswith("raw.")}
    assert raw == {t: v for t, v in story["clean"]["build"]["tables"].items()
                   if t.startswith("raw.")}


def test_readers_of_the_published_copy_only_ever_see_the_published_state(story):
    seen = story["seen"]
    assert seen, "the reader never ran"
    assert all(row[0] != "error" for row in seen), [r for r in seen if r[0] == "error"][:3]
    expected = story["clean"]["published"]["tables"]
    assert set(seen) == {(expected["raw.articles"][0], expected["raw.paragraphs"][0],
                          len_trade(story))}


def len_trade(story) -> int:
    with closing(duckdb.connect(str(story["published"]), read_only=True)) as con:
        return con.execute("select count(*) from marts.fct_trade_figures").fetchone()[0]


def test_the_rerun_after_the_kill_matches_the_clean_run(story):
    assert story["rerun_code"] == 0, story["rerun_log"][-5000:]
    for name in ("build", "published"):
        state = snapshot(story[name])
        assert state["problems"] == []
        assert state["tables"] == story["clean"][name]["tables"], name
    assert _marts(story["build"]) == story["clean"]["marts"]
    assert not list((story["warehouse"] / "build").glob("*.wal"))
    assert not (story["warehouse"] / ".run.lease").exists()
