"""One run at a time per warehouse: a lease file guarded by an fcntl lock.

Two runs of the DAG over the same warehouse folder (two `make run` at once, or a manual
trigger beside a scheduled run) would share `staging/<date>/` (the second one's
`plan_batches` deletes the first one's hand-off files) and race for the build database.
So every task that writes claims `<warehouse>/.run.lease` for its run_id; `summarize_run`
releases it. A claim succeeds when the lease is free, already this run's (tasks of one
run re-claim it), or stale: its run can no longer finish. Otherwise the claim refuses
with RunInProgress, naming the run that holds the lease: the second run fails clearly
before it has touched anything.

How a lease is known to be stale depends on where its run's tasks ran (RunOwner):
- one process (`airflow dags test`, `make run`, the fault tests): that process is gone
  on this host. A SIGKILLed run leaves its lease behind and the next run takes it.
- a scheduler's workers (Celery, local executor): each task is its own short process, so
  a dead pid says nothing. Airflow's own state of the run decides (anything but queued
  or running has ended), asked through the claiming task's execution API.
Where neither can tell (another host, no Airflow to ask), a lease older than
CLAIMLEDGER_RUN_LEASE_TTL_S (default 21600 s) is stale.

The read-check-write of the lease happens under an exclusive `fcntl.flock` on
`<warehouse>/.run.lock`, so two runs claiming at the same instant cannot both win.
"""

from __future__ import annotations

import fcntl
import json
import os
import socket
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from transforms.kernel.settings import Settings

LEASE_NAME = ".run.lease"
LOCK_NAME = ".run.lock"
DEFAULT_TTL_S = 6 * 3600
LIVE_RUN_STATES = frozenset({"queued", "running"})

RunState = Callable[[str, str], "str | None"]


@dataclass(frozen=True)
class RunOwner:
    """Where the claiming run's tasks run, and how to ask Airflow about another run.

    one_process: every task of the run runs in the claiming process, so the process's
    death ends the run. dag_id: the run's DAG, stored so a later claimer can ask about
    it. run_state(dag_id, run_id): Airflow's state of a run, None when it cannot tell.
    """

    one_process: bool = True
    dag_id: str | None = None
    run_state: RunState | None = None


class RunInProgress(RuntimeError):
    """Another live run holds the warehouse; this run must not write."""


@contextmanager
def _locked(settings: Settings) -> Iterator[Path]:
    """Hold the exclusive lock that guards the lease file; yield the lease path."""
    folder = settings.warehouse_dir
    folder.mkdir(parents=True, exist_ok=True)
    with (folder / LOCK_NAME).open("a") as handle:
        fcntl.flock(handle.fileno(), fcntl.LOCK_EX)  # held for microseconds: just wait
        try:
            yield folder / LEASE_NAME
        finally:
            fcntl.flock(handle.fileno(), fcntl.LOCK_UN)


def _pid_alive(pid: int) -> bool:
    """True when `pid` is a running (not zombie) process on this host."""
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    try:  # a killed child its parent has not reaped yet is dead for our purpose
        stat = Path(f"/proc/{pid}/stat").read_text()
        return stat.rsplit(")", 1)[1].split()[0] != "Z"
    except (OSError, IndexError):
        return True


def _read(lease: Path) -> dict | None:
    try:
        return json.loads(lease.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None  # absent, or a torn write by a killed process: treat as free


def is_stale(holder: dict, now: float | None = None,
             run_state: RunState | None = None) -> bool:
    """A lease whose run can no longer finish (see the module docstring for how)."""
    now = time.time() if now is None else now
    ttl = float(os.environ.get("CLAIMLEDGER_RUN_LEASE_TTL_S", DEFAULT_TTL_S))
    if holder.get("one_process", True) and holder.get("host") == socket.gethostname():
        return not _pid_alive(int(holder.get("pid", -1)))
    if run_state is not None and holder.get("dag_id") and holder.get("run_id"):
        state = _ask(run_state, holder["dag_id"], holder["run_id"])
        if state is not None:
            return state not in LIVE_RUN_STATES
    return now - float(holder.get("claimed_at", 0)) > ttl


def _ask(run_state: RunState, dag_id: str, run_id: str) -> str | None:
    try:
        state = run_state(dag_id, run_id)
    except Exception:  # an API that cannot answer leaves the decision to the TTL
        return None
    return None if state is None else str(getattr(state, "value", state)).lower()


def claim_run(settings: Settings, run_id: str, ingest_date: str,
              owner: RunOwner | None = None) -> dict:
    """Take (or renew) the warehouse's run lease for `run_id`; return the lease written.

    Raises RunInProgress when another run holds a lease that is not stale.
    """
    owner = owner or RunOwner()
    with _locked(settings) as lease:
        holder = _read(lease)
        if holder and holder.get("run_id") != run_id \
                and not is_stale(holder, run_state=owner.run_state):
            raise RunInProgress(
                f"another run holds the warehouse {settings.warehouse_dir}: run "
                f"{holder.get('run_id')!r} for {holder.get('ingest_date')} (pid "
                f"{holder.get('pid')} on {holder.get('host')}); this run "
                f"{run_id!r} refuses to start. Wait for it to finish, or delete "
                f"{lease} if that process is gone.")
        mine = {"run_id": run_id, "ingest_date": ingest_date, "pid": os.getpid(),
                "host": socket.gethostname(), "claimed_at": time.time(),
                "one_process": owner.one_process, "dag_id": owner.dag_id}
        tmp = lease.with_name(LEASE_NAME + ".tmp")
        tmp.write_text(json.dumps(mine), encoding="utf-8")
        tmp.replace(lease)
        return mine


def release_run(settings: Settings, run_id: str) -> bool:
    """Drop the lease if `run_id` holds it; True when it did. Never drops another's."""
    with _locked(settings) as lease:
        holder = _read(lease)
        if holder and holder.get("run_id") == run_id:
            lease.unlink()
            return True
        return False


def lease_holder(settings: Settings) -> dict | None:
    """The current lease (run_id, ingest_date, pid, host, claimed_at), or None."""
    with _locked(settings) as lease:
        return _read(lease)
