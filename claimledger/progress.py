"""The terminal's view of a DAG run, drawn from Airflow's task instance states.

`TaskGroup.of(run)` folds a run's task instances into one entry per task (a mapped
task's instances together, `n/N` done). `LiveView` (a terminal) keeps one rich.progress
line per started task with a spinner while it runs and its elapsed time; `LineView`
(a pipe or a file) prints one line per task as it finishes. Neither reads Airflow's log.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import IO, Protocol

from rich.console import Console
from rich.progress import Progress, ProgressColumn, TextColumn
from rich.spinner import Spinner
from rich.text import Text

from claimledger.airflow_state import DONE_STATES, RunState, TaskState

# Tasks the view leaves out when Airflow skipped them: mark_run_failed is skipped on every
# good run (it exists to fail a bad one), so listing it would read as something missed.
QUIET_WHEN_SKIPPED = frozenset({"mark_run_failed"})
MARKS = {"success": "✓", "failed": "✗", "not run": "–", "running": "…"}


@dataclass(frozen=True)
class TaskGroup:
    """One task of the run: all its instances (several when mapped)."""

    task_id: str
    instances: tuple[TaskState, ...]

    @classmethod
    def of(cls, run: RunState) -> list[TaskGroup]:
        """The run's tasks in the order they started (not yet started last)."""
        by_task: dict[str, list[TaskState]] = {}
        for ti in run.tasks:
            by_task.setdefault(ti.task_id, []).append(ti)
        groups = [cls(task_id, tuple(tis)) for task_id, tis in by_task.items()]
        far = datetime.max.replace(tzinfo=UTC)
        return sorted(groups, key=lambda g: (g.started or far, g.task_id))

    @property
    def mapped(self) -> bool:
        return any(ti.map_index >= 0 for ti in self.instances)

    @property
    def started(self) -> datetime | None:
        starts = [ti.start_date for ti in self.instances
                  if ti.start_date is not None and ti.state != "upstream_failed"]
        return min(starts) if starts else None

    @property
    def status(self) -> str:
        """running | success | failed | not run | skipped | waiting."""
        states = {ti.state for ti in self.instances}
        if "failed" in states and states <= DONE_STATES:
            return "failed"
        if not states <= DONE_STATES:
            return "running" if self.started is not None else "waiting"
        if states == {"skipped"}:
            return "skipped"
        if "upstream_failed" in states:
            return "not run"
        return "success"

    @property
    def count(self) -> str:
        """'3/4' instances done for a mapped task, else ''."""
        if not self.mapped:
            return ""
        done = sum(ti.state in DONE_STATES for ti in self.instances)
        return f"{done}/{len(self.instances)}"

    def seconds(self, now: datetime) -> float | None:
        """From its first instance's start to its last one's end (or now)."""
        if self.started is None:
            return None
        ends = [ti.end_date for ti in self.instances]
        end = now if self.status == "running" or None in ends else max(ends)
        return max(0.0, (end - self.started).total_seconds())

    @property
    def shown(self) -> bool:
        if self.status == "skipped":
            return self.task_id not in QUIET_WHEN_SKIPPED
        return self.status != "waiting"

    def line(self, now: datetime) -> str:
        """The plain line of a finished task: mark, name, n/N, seconds or why not run."""
        if self.status == "not run":
            tail = "not run: an upstream task failed"
        elif self.status == "skipped":
            tail = "skipped"
        else:
            seconds = self.seconds(now)
            tail = f"{self.count:>7} {seconds or 0.0:6.1f} s"
        return f"  {MARKS.get(self.status, '–')} {self.task_id:<20}{tail}".rstrip()


class View(Protocol):
    def update(self, run: RunState) -> None: ...

    def close(self) -> None: ...


class LineView:
    """One line per task when it finishes; for pipes, files and tests."""

    def __init__(self, out: IO[str]) -> None:
        self.out = out
        self.printed: set[str] = set()

    def update(self, run: RunState) -> None:
        now = datetime.now(UTC)
        for group in TaskGroup.of(run):
            if group.task_id in self.printed or not group.shown:
                continue
            if group.status in ("success", "failed", "not run", "skipped"):
                self.printed.add(group.task_id)
                print(group.line(now), file=self.out, flush=True)

    def close(self) -> None:
        return None


class _StateColumn(ProgressColumn):
    """A spinner while the task runs, then its mark."""

    def __init__(self) -> None:
        super().__init__()
        self.spinner = Spinner("dots")

    def render(self, task) -> Text:
        status = task.fields["status"]
        if status == "running":
            return self.spinner.render(task.get_time())
        style = {"success": "green", "failed": "bold red"}.get(status, "dim")
        return Text(MARKS.get(status, "–"), style=style)


class _ElapsedColumn(ProgressColumn):
    """Seconds from Airflow's start time: ticking while it runs, fixed once it ended."""

    def render(self, task) -> Text:
        group: TaskGroup = task.fields["group"]
        if group.status == "not run":
            return Text("not run: an upstream task failed", style="dim")
        if group.status == "skipped":
            return Text("skipped", style="dim")
        seconds = group.seconds(datetime.now(UTC))
        return Text(f"{seconds or 0.0:6.1f} s")


class LiveView:
    """A live rich.progress table on a terminal: one row per started task."""

    def __init__(self, console: Console) -> None:
        self.progress = Progress(_StateColumn(), TextColumn("{task.description:<20}"),
                                 TextColumn("{task.fields[group].count:>7}"), _ElapsedColumn(),
                                 console=console, refresh_per_second=8)
        self.rows: dict[str, int] = {}
        self.lock = threading.Lock()
        self.progress.start()

    def update(self, run: RunState) -> None:
        with self.lock:
            for group in TaskGroup.of(run):
                if not group.shown:
                    continue
                fields = {"group": group, "status": group.status}
                if group.task_id not in self.rows:
                    self.rows[group.task_id] = self.progress.add_task(group.task_id, **fields)
                else:
                    self.progress.update(self.rows[group.task_id], **fields)

    def close(self) -> None:
        with self.lock:
            self.progress.stop()


def view_for(out: IO[str]) -> View:
    """The live view on a terminal, plain lines anywhere else."""
    console = Console(file=out)
    return LiveView(console) if console.is_terminal else LineView(out)
