"""Two runs at once: the second refuses clearly, before it touches anything.

The holders here are real processes; "stale" means the holder died of SIGKILL.
"""

from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import sys
import time

import pytest

from tests.conftest import REPO
from tests.faults.conftest import INGEST_DATE, env_for
from tests.faults.pipeline import run_pipeline
from tests.faults.warehouse_state import snapshot
from transforms.kernel.settings import Settings
from transforms.warehouse.run_lock import (
    RunInProgress,
    RunOwner,
    claim_run,
    is_stale,
    lease_holder,
    release_run,
)

HOLDER = """
import sys, time
from transforms.warehouse.run_lock import claim_run, RunInProgress
from transforms.kernel.settings import Settings
start = float(sys.argv[2])
while time.time() < start:
    time.sleep(0.001)
try:
    claim_run(Settings.from_env(), sys.argv[1], "2026-03-02")
    print("won", flush=True)
except RunInProgress as error:
    print("refused", error, flush=True)
time.sleep(float(sys.argv[3]))
"""


def _holder(env: dict, run_id: str, start: float, hold_s: float) -> subprocess.Popen:
    return subprocess.Popen([sys.executable, "-c", HOLDER, run_id, str(start), str(hold_s)],
                            cwd=REPO, env={**os.environ, **env}, stdout=subprocess.PIPE,
                            text=True)


def test_a_second_run_refuses_while_the_first_is_alive_and_takes_over_once_it_is_killed(
        tmp_path, corpus, reference):
    warehouse = tmp_path / "warehouse"
    shutil.copytree(reference["warehouse"], warehouse)
    env = env_for(corpus, warehouse)
    settings = Settings.from_env(env)
    first = _holder(env, "first-run", time.time(), 60)
    try:
        assert first.stdout.readline().startswith("won")
        with pytest.raises(RunInProgress, match=r"'first-run'.*refuses to start"):
            run_pipeline(settings, INGEST_DATE, "second-run")
        assert lease_holder(settings)["run_id"] == "first-run"  # not released by the loser
        assert snapshot(settings.build_db)["tables"] == reference["state"]["tables"]
    finally:
        first.send_signal(signal.SIGKILL)
        first.wait()
    run_pipeline(settings, INGEST_DATE, "third-run")  # the dead holder's lease is stale
    assert snapshot(settings.build_db)["tables"] == reference["state"]["tables"]
    assert lease_holder(settings) is None


def test_runs_claiming_at_the_same_instant_have_exactly_one_winner(tmp_path):
    env = {"CLAIMLEDGER_HOME": str(REPO), "CLAIMLEDGER_WAREHOUSE_DIR": str(tmp_path)}
    start = time.time() + 3  # after every interpreter has started
    holders = [_holder(env, f"run-{i}", start, 2) for i in range(4)]
    outcomes = [h.communicate(timeout=60)[0] for h in holders]
    assert sum(o.startswith("won") for o in outcomes) == 1, outcomes
    assert sum(o.startswith("refused") for o in outcomes) == 3, outcomes


def test_release_drops_only_the_callers_own_lease(tmp_path):
    settings = Settings.from_env({"CLAIMLEDGER_WAREHOUSE_DIR": str(tmp_path)})
    claim_run(settings, "mine", INGEST_DATE)
    assert release_run(settings, "someone-else") is False
    assert lease_holder(settings)["run_id"] == "mine"
    claim_run(settings, "mine", INGEST_DATE)  # a later task of the same run re-claims
    assert release_run(settings, "mine") is True
    assert lease_holder(settings) is None


def test_a_torn_lease_file_counts_as_free(tmp_path):
    settings = Settings.from_env({"CLAIMLEDGER_WAREHOUSE_DIR": str(tmp_path)})
    (tmp_path / ".run.lease").write_text('{"run_id": "half-writ')
    assert claim_run(settings, "next", INGEST_DATE)["run_id"] == "next"


def _settings(tmp_path) -> Settings:
    return Settings.from_env({"CLAIMLEDGER_HOME": str(REPO),
                              "CLAIMLEDGER_WAREHOUSE_DIR": str(tmp_path / "warehouse")})


def _dead_pid() -> int:
    child = subprocess.Popen([sys.executable, "-c", "pass"])
    child.wait()
    return child.pid


def _lease_of_a_scheduler_run(settings: Settings, run_id: str) -> None:
    """A lease as a task under Celery leaves it: claimed by a task process now gone."""
    claim_run(settings, run_id, INGEST_DATE,
              RunOwner(one_process=False, dag_id="news_daily"))
    lease = settings.warehouse_dir / ".run.lease"
    holder = json.loads(lease.read_text())
    lease.write_text(json.dumps({**holder, "pid": _dead_pid()}))


def test_under_a_scheduler_a_dead_task_process_does_not_free_a_running_runs_lease(tmp_path):
    settings = _settings(tmp_path)
    _lease_of_a_scheduler_run(settings, "scheduled-run")
    states = {("news_daily", "scheduled-run"): "running"}
    owner = RunOwner(one_process=False, dag_id="news_daily",
                     run_state=lambda dag_id, run_id: states[(dag_id, run_id)])
    with pytest.raises(RunInProgress, match="scheduled-run"):
        claim_run(settings, "make-run", INGEST_DATE, owner)

    states[("news_daily", "scheduled-run")] = "failed"  # the scheduler ended it
    assert claim_run(settings, "make-run", INGEST_DATE, owner)["run_id"] == "make-run"


def test_when_airflow_cannot_answer_a_scheduler_runs_lease_waits_for_its_ttl(
        tmp_path, monkeypatch):
    settings = _settings(tmp_path)
    _lease_of_a_scheduler_run(settings, "scheduled-run")

    def no_answer(dag_id: str, run_id: str) -> str:
        raise ConnectionError("execution API unreachable")

    owner = RunOwner(one_process=False, dag_id="news_daily", run_state=no_answer)
    holder = lease_holder(settings)
    assert not is_stale(holder, run_state=no_answer)
    with pytest.raises(RunInProgress):
        claim_run(settings, "make-run", INGEST_DATE, owner)
    assert is_stale(holder, now=holder["claimed_at"] + 10, run_state=no_answer) is False
    monkeypatch.setenv("CLAIMLEDGER_RUN_LEASE_TTL_S", "5")
    assert is_stale(holder, now=holder["claimed_at"] + 10, run_state=no_answer)


def test_a_one_process_runs_lease_is_free_once_its_process_is_gone_whatever_airflow_says(
        tmp_path):
    settings = _settings(tmp_path)
    claim_run(settings, "dags-test-run", INGEST_DATE, RunOwner(dag_id="news_daily"))
    lease = settings.warehouse_dir / ".run.lease"
    lease.write_text(json.dumps({**json.loads(lease.read_text()), "pid": _dead_pid()}))
    # A SIGKILLed `airflow dags test` leaves its run "running" in the metadata database.
    owner = RunOwner(dag_id="news_daily", run_state=lambda dag_id, run_id: "running")
    assert claim_run(settings, "next-run", INGEST_DATE, owner)["run_id"] == "next-run"
