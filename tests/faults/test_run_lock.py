"""Two runs at once: the second refuses clearly, before it touches anything.

The holders here are real processes; "stale" means the holder died of SIGKILL.
"""

from __future__ import annotations

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
from transforms.warehouse.run_lock import RunInProgress, claim_run, lease_holder, release_run

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
