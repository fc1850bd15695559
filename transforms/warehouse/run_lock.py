"""One run at a time per warehouse: a lease file guarded by an fcntl lock.

Two runs of the DAG over the same warehouse folder (two `make run` at once, or a manual
trigger beside a scheduled run) would share `staging/<date>/` (the second one's
`plan_batches` deletes the first one's hand-off files) and race for the build database.
So `plan_batches` and `load_batches` claim `<warehouse>/.run.lease` for their run_id;
`summarize_run` releases it. A claim succeeds when the lease is free, already this run's
(tasks of one run re-claim it), or stale: its holder's process is gone on this host
(a SIGKILLed run leaves its lease behind) or, from another host, it is older than
CLAIMLEDGER_RUN_LEASE_TTL_S (default 21600 s). Otherwise the claim refuses with
RunInProgress, naming the run that holds the lease: the second run fails clearly before
it has touched anything.

The read-check-write of the lease happens under an exclusive `fcntl.flock` on
`<warehouse>/.run.lock`, so two runs claiming at the same instant cannot both win.
"""

from __future__ import annotations

import fcntl
import json
import os
import socket
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from transforms.kernel.settings import Settings

LEASE_NAME = ".run.lease"
LOCK_NAME = ".run.lock"
DEFAULT_TTL_S = 6 * 3600


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


def is_stale(holder: dict, now: float | None = None) -> bool:
    """A lease whose run can no longer finish: its process is gone, or it is too old."""
    now = time.time() if now is None else now
    ttl = float(os.environ.get("CLAIMLEDGER_RUN_LEASE_TTL_S", DEFAULT_TTL_S))
    if holder.get("host") == socket.gethostname():
        return not _pid_alive(int(holder.get("pid", -1)))
    return now - float(holder.get("claimed_at", 0)) > ttl


def claim_run(settings: Settings, run_id: str, ingest_date: str) -> dict:
    """Take (or renew) the warehouse's run lease for `run_id`; return the lease written.

    Raises RunInProgress when another run holds a lease that is not stale.
    """
    with _locked(settings) as lease:
        holder = _read(lease)
        if holder and holder.get("run_id") != run_id and not is_stale(holder):
            raise RunInProgress(
                f"another run holds the warehouse {settings.warehouse_dir}: run "
                f"{holder.get('run_id')!r} for {holder.get('ingest_date')} (pid "
                f"{holder.get('pid')} on {holder.get('host')}); this run "
                f"{run_id!r} refuses to start. Wait for it to finish, or delete "
                f"{lease} if that process is gone.")
        mine = {"run_id": run_id, "ingest_date": ingest_date, "pid": os.getpid(),
                "host": socket.gethostname(), "claimed_at": time.time()}
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
