"""Run news_daily once with `airflow dags test` and follow it through Airflow's own state.

Airflow's output goes to a log file only. While it runs, a thread polls the run's rows
in the metadata database (claimledger/airflow_state.py) and hands each snapshot to a view
(claimledger/progress.py). When it ends, `DagOutcome` holds the final state, each failed
task's exception and summarize_run's text.
"""

from __future__ import annotations

import contextlib
import os
import signal
import subprocess
import sys
import threading
from dataclasses import dataclass, field
from pathlib import Path

from claimledger.airflow_state import (
    Failure,
    MetadataReader,
    RunState,
    TaskState,
    failure_of,
    metadata_url,
)
from claimledger.progress import LineView, View
from transforms.kernel.processes import PARENT_PID_ENV

DAG_ID = "news_daily"
POLL_SECONDS = 0.5
# mark_run_failed fails whenever another task did: it is the run's verdict, not a cause.
VERDICT_TASK = "mark_run_failed"
SUMMARY_TASK = "summarize_run"


@dataclass
class DagOutcome:
    """How one `airflow dags test` ended: exit code, Airflow's record, the causes."""

    code: int
    log_path: Path
    run: RunState | None = None
    failures: list[tuple[TaskState, Failure | None]] = field(default_factory=list)
    summary: str | None = None

    @property
    def cause(self) -> tuple[TaskState, Failure | None] | None:
        """The first task that failed of itself (not the verdict task), if any."""
        causes = [f for f in self.failures if f[0].task_id != VERDICT_TASK]
        return (causes or self.failures or [None])[0]

    def task_state(self, task_id: str) -> str | None:
        tis = self.run.task(task_id) if self.run else []
        return tis[0].state if len(tis) == 1 else None


def run_dag(ingest_date: str, *, log_path: Path, env: dict[str, str] | None = None,
            echo: bool = True) -> int:
    """Run news_daily for one logical date; return `airflow dags test`'s exit code.

    echo prints one line per finished task (claimledger/progress.py LineView).
    """
    view = LineView(sys.stdout) if echo else None
    return follow_dag(ingest_date, log_path=log_path, env=env, view=view).code


def follow_dag(ingest_date: str, *, log_path: Path, env: dict[str, str] | None = None,
               view: View | None = None) -> DagOutcome:
    """Run news_daily for one logical date, showing its tasks' states on `view`."""
    environment = dict(os.environ if env is None else env)
    environment.setdefault("CLAIMLEDGER_TASK_RETRIES", "0")
    environment[PARENT_PID_ENV] = str(os.getpid())  # the DAG process dies with this one
    environment["PYTHONUNBUFFERED"] = "1"  # the log file gets lines as they happen
    # glibc raises its mmap threshold after each large free, up to 32 MB, so later big
    # buffers (pickled chunks, decoded pages) come from the heap and stay there: the run's
    # memory then grew with the number of batches. A fixed threshold returns them.
    environment.setdefault("MALLOC_MMAP_THRESHOLD_", "1048576")
    # Airflow's CLI through claimledger.airflow_main: the same command, without the 7-8 s
    # the interpreter's teardown spends collecting garbage after the run has finished.
    command = [sys.executable, "-m", "claimledger.airflow_main", "dags", "test", DAG_ID,
               ingest_date]
    log_path.parent.mkdir(parents=True, exist_ok=True)
    reader = MetadataReader(metadata_url(environment))
    known = reader.run_ids(DAG_ID)
    latest: list[RunState] = []
    stop = threading.Event()

    def poll() -> None:
        while True:
            run = reader.new_run(DAG_ID, known)
            if run is not None:
                latest[:] = [run]
                if view is not None:
                    view.update(run)
            if stop.wait(POLL_SECONDS):
                return

    follower = threading.Thread(target=poll, daemon=True)
    try:
        # Its own session, so the whole process tree (task workers included) can be ended
        # once airflow exits: a worker orphaned by a killed run must not live on.
        with log_path.open("w", encoding="utf-8") as log, subprocess.Popen(
                command, stdout=log, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL,
                env=environment, start_new_session=True) as process:
            follower.start()
            code = process.wait()
            with contextlib.suppress(ProcessLookupError, PermissionError):
                os.killpg(process.pid, signal.SIGTERM)
        stop.set()
        follower.join(timeout=10)
        final = reader.new_run(DAG_ID, known) or (latest[0] if latest else None)
        if final is not None and view is not None:
            view.update(final)
        return _outcome(code, log_path, final, reader)
    finally:
        stop.set()
        if view is not None:
            view.close()
        reader.close()


def _outcome(code: int, log_path: Path, run: RunState | None,
             reader: MetadataReader) -> DagOutcome:
    outcome = DagOutcome(code, log_path, run)
    if run is None:
        return outcome
    failed = run.failed()
    if failed:
        text = log_path.read_text(encoding="utf-8", errors="replace")
        outcome.failures = [(ti, failure_of(text, ti.ti_id)) for ti in failed]
    if outcome.task_state(SUMMARY_TASK) == "success":
        summary = reader.return_value(DAG_ID, run.run_id, SUMMARY_TASK)
        outcome.summary = summary if isinstance(summary, str) else None
    return outcome
