"""SIGKILL at every writing task, before/during/after its write; the rerun matches a clean run.

Each case runs the DAG's stage functions in a fresh Python process (tests.faults.pipeline)
with CLAIMLEDGER_FAULT=<task>:<point>, which SIGKILLs that process at the point (a real
signal: no exception handler, no `finally`, no atexit runs). The test then checks the
warehouse the killed run left (it opens; nothing half-written is visible), reruns the day
in-process and compares it with a clean run: same tables, row counts and content checksums
(volatile columns: tests/faults/warehouse_state.VOLATILE_COLUMNS), no duplicate keys, no
orphans, no stale .wal, no leftover temporary files, the run lease released.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import signal
import subprocess
import sys
from pathlib import Path

import duckdb
import pytest

from tests.conftest import REPO
from tests.faults.conftest import INGEST_DATE, env_for
from tests.faults.pipeline import run_pipeline
from tests.faults.warehouse_state import snapshot
from transforms.kernel.settings import Settings
from transforms.warehouse.run_lock import lease_holder

WRITING_TASKS = ("discover_pages", "fetch_pages", "extract_articles", "clean_paragraphs",
                 "find_figures", "load_warehouse")
POINTS = ("before_write", "during_write", "after_write")


def run_killed(env: dict[str, str], fault: str, log: Path, run_id: str = "killed-run",
               *extra: str):
    """Run every stage in a child process that CLAIMLEDGER_FAULT kills; (exit code, log).

    The child gets its own session, and its output goes to a file, not a pipe: worker
    processes of its pool (transforms.kernel.parallel) outlive a SIGKILLed parent and would hold a
    pipe open. Whatever is left of that session is killed by its id afterwards.
    """
    child_env = {**os.environ, **env, "CLAIMLEDGER_FAULT": fault}
    with log.open("w") as out:
        child = subprocess.Popen(
            [sys.executable, "-m", "tests.faults.pipeline", INGEST_DATE, run_id, *extra],
            cwd=REPO, env=child_env, stdout=out, stderr=subprocess.STDOUT,
            start_new_session=True)
        try:
            code = child.wait(timeout=300)
        finally:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(child.pid, signal.SIGKILL)  # the child's own session only
    return code, log.read_text()


def assert_no_leftovers(warehouse: Path) -> None:
    build = warehouse / "build"
    assert not list(build.glob("*.wal")), "a stale .wal outlived the rerun"
    staging = warehouse / "staging" / INGEST_DATE
    assert not list(staging.rglob("*.tmp")), "temporary Parquet files outlived the rerun"


def raw_tables(state: dict) -> dict:
    return {t: v for t, v in state["tables"].items() if t.startswith("raw.")}


@pytest.mark.parametrize("point", POINTS)
@pytest.mark.parametrize("task", WRITING_TASKS)
def test_sigkill_at_a_task_then_rerun_matches_a_clean_run(tmp_path, corpus, reference,
                                                          task, point):
    warehouse = tmp_path / "warehouse"
    shutil.copytree(reference["warehouse"], warehouse)  # the day already loaded once
    env = env_for(corpus, warehouse)
    settings = Settings.from_env(env)

    code, log = run_killed(env, f"{task}:{point}", tmp_path / "killed.log")
    assert code == -9, log[-3000:]  # it really died of SIGKILL

    # What the killed run left: the build database opens, and since the partition is
    # replaced in one transaction it still holds exactly the clean day (same content).
    after_kill = snapshot(settings.build_db)
    assert after_kill["problems"] == []
    assert raw_tables(after_kill) == raw_tables(reference["state"])

    run_pipeline(settings, INGEST_DATE, "rerun")
    rerun = snapshot(settings.build_db)
    assert rerun["problems"] == []
    assert rerun["tables"] == reference["state"]["tables"]
    assert_no_leftovers(warehouse)
    assert lease_holder(settings) is None


@pytest.mark.parametrize("point", ["during_write", "after_commit", "after_write"])
def test_sigkill_during_the_first_ever_load_leaves_an_openable_warehouse(tmp_path, corpus,
                                                                         reference, point):
    env = env_for(corpus, tmp_path / "warehouse")
    settings = Settings.from_env(env)

    code, log = run_killed(env, f"load_warehouse:{point}", tmp_path / "killed.log")
    assert code == -9, log[-3000:]
    wal = settings.build_db.with_name(settings.build_db.name + ".wal")
    if point == "after_commit":
        assert wal.exists()  # committed to the WAL, never checkpointed into the file
    with duckdb.connect(str(settings.build_db)) as con:  # a writer open replays or drops the WAL
        articles = con.execute("select count(*) from raw.articles").fetchone()[0]
    # Killed inside the transaction: nothing; killed after the commit: the whole day.
    expected = 0 if point == "during_write" else reference["state"]["tables"]["raw.articles"][0]
    assert articles == expected

    run_pipeline(settings, INGEST_DATE, "rerun")
    rerun = snapshot(settings.build_db)
    assert rerun["problems"] == []
    assert rerun["tables"] == reference["state"]["tables"]
    assert_no_leftovers(settings.warehouse_dir)


@pytest.mark.parametrize("task", ["fetch_pages", "clean_paragraphs", "load_warehouse"])
def test_a_disk_write_failing_midway_fails_the_task_and_the_rerun_recovers(
        tmp_path, corpus, reference, task, monkeypatch):
    warehouse = tmp_path / "warehouse"
    shutil.copytree(reference["warehouse"], warehouse)
    env = env_for(corpus, warehouse)
    settings = Settings.from_env(env)

    monkeypatch.setenv("CLAIMLEDGER_FAULT", f"{task}:during_write:oserror")
    with pytest.raises(OSError, match="No space left on device"):
        run_pipeline(settings, INGEST_DATE, "full-disk-run")
    # The failed load rolled back: the warehouse is the clean day, intact.
    assert raw_tables(snapshot(settings.build_db)) == raw_tables(reference["state"])

    monkeypatch.delenv("CLAIMLEDGER_FAULT")
    run_pipeline(settings, INGEST_DATE, "rerun")  # the failed run's own lease is reclaimed
    rerun = snapshot(settings.build_db)
    assert rerun["problems"] == []
    assert rerun["tables"] == reference["state"]["tables"]


def test_a_read_only_staging_folder_fails_the_run_without_touching_the_warehouse(
        tmp_path, corpus, reference):
    warehouse = tmp_path / "warehouse"
    shutil.copytree(reference["warehouse"], warehouse)
    settings = Settings.from_env(env_for(corpus, warehouse))
    # A file where the day's staging folder should be: every write below it fails,
    # even for root (chmod does not stop root).
    staging = settings.staging_dir(INGEST_DATE)
    shutil.rmtree(staging.parent)
    staging.parent.write_text("not a folder")
    with pytest.raises(OSError):
        run_pipeline(settings, INGEST_DATE, "blocked-run")
    assert raw_tables(snapshot(settings.build_db)) == raw_tables(reference["state"])

    staging.parent.unlink()
    run_pipeline(settings, INGEST_DATE, "rerun")
    assert snapshot(settings.build_db)["tables"] == reference["state"]["tables"]
