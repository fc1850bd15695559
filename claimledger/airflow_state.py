"""What Airflow itself records about a DAG run, read from its metadata database.

`airflow dags test` writes the run and every task instance's state to the metadata
database of AIRFLOW_HOME (SQLite by default) as it goes; the CLI follows a run by polling
those rows read-only, never by reading Airflow's log text. The one thing Airflow keeps
only in the log is a failed task's exception: `failure_of` finds it there by the task
instance's id, which the database gives.

Rows are read with SQLAlchemy Core (Airflow's own dependency), so a Postgres or MySQL
metadata database (docker-compose) reads the same way as SQLite.
"""

from __future__ import annotations

import configparser
import json
import os
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

import sqlalchemy as sa

# Airflow's TaskInstanceState values, grouped by what the terminal shows.
DONE_STATES = frozenset({"success", "failed", "upstream_failed", "skipped", "removed"})
FAILED_STATES = frozenset({"failed"})
RUNNING_STATES = frozenset({"running", "queued", "scheduled", "up_for_retry",
                            "up_for_reschedule", "restarting", "deferred"})


def metadata_url(env: Mapping[str, str] | None = None) -> str:
    """The metadata database URL Airflow uses: the environment variable, else airflow.cfg
    of AIRFLOW_HOME, else Airflow's default SQLite file there. A SQLite URL is made
    read-only, so following a run can never write to it."""
    env = os.environ if env is None else env
    home = Path(env.get("AIRFLOW_HOME") or Path.home() / "airflow")
    url = env.get("AIRFLOW__DATABASE__SQL_ALCHEMY_CONN")
    if not url and (home / "airflow.cfg").exists():
        config = configparser.ConfigParser(interpolation=None)
        config.read(home / "airflow.cfg", encoding="utf-8")
        url = config.get("database", "sql_alchemy_conn", fallback=None)
    url = url or f"sqlite:///{home / 'airflow.db'}"
    if url.startswith("sqlite:///"):
        return f"sqlite:///file:{url.removeprefix('sqlite:///')}?mode=ro&uri=true"
    return url


@dataclass(frozen=True)
class TaskState:
    """One task instance: its id (hex, no dashes), task, map index, state and times (UTC)."""

    ti_id: str
    task_id: str
    map_index: int
    state: str | None
    start_date: datetime | None
    end_date: datetime | None

    def seconds(self, now: datetime) -> float | None:
        """How long it ran (or has been running at `now`); None before it started."""
        if self.start_date is None:
            return None
        return max(0.0, ((self.end_date or now) - self.start_date).total_seconds())


@dataclass(frozen=True)
class RunState:
    """One DAG run as Airflow recorded it at one moment."""

    run_id: str
    state: str | None
    tasks: list[TaskState] = field(default_factory=list)

    @property
    def finished(self) -> bool:
        return self.state in ("success", "failed")

    def failed(self) -> list[TaskState]:
        """Failed task instances, first to end first."""
        far = datetime.max.replace(tzinfo=UTC)
        return sorted((t for t in self.tasks if t.state in FAILED_STATES),
                      key=lambda t: (t.end_date or far, t.task_id))

    def task(self, task_id: str) -> list[TaskState]:
        return [t for t in self.tasks if t.task_id == task_id]


class MetadataReader:
    """Read-only queries on Airflow's metadata database; each one a short transaction."""

    def __init__(self, url: str) -> None:
        self.engine = sa.create_engine(url, poolclass=sa.pool.NullPool)

    def close(self) -> None:
        self.engine.dispose()

    def run_ids(self, dag_id: str) -> set[str]:
        """Every recorded run id of `dag_id` (none when the database is not there yet).

        A new run is told apart by its run id, never by the row id: SQLite hands a deleted
        row's id to the next insert, and `airflow dags test` deletes the run it replaces.
        """
        try:
            with self.engine.connect() as con:
                return set(con.execute(sa.text("select run_id from dag_run where dag_id = :d"),
                                       {"d": dag_id}).scalars())
        except sa.exc.OperationalError:  # not migrated yet: no run can be older than ours
            return set()

    def new_run(self, dag_id: str, known: set[str]) -> RunState | None:
        """The newest run of `dag_id` whose run id is not in `known`, with its tasks."""
        try:
            with self.engine.connect() as con:
                recent = con.execute(sa.text(
                    "select run_id, state from dag_run where dag_id = :d "
                    "order by id desc limit 20"), {"d": dag_id}).all()
                run = next((r for r in recent if r.run_id not in known), None)
                if run is None:
                    return None
                rows = con.execute(sa.text(
                    "select id, task_id, map_index, state, start_date, end_date "
                    "from task_instance where dag_id = :d and run_id = :r "
                    "order by start_date, task_id, map_index"),
                    {"d": dag_id, "r": run.run_id}).all()
        except sa.exc.OperationalError:  # the database is being created or migrated
            return None
        tasks = [TaskState(str(r.id).replace("-", ""), r.task_id, int(r.map_index), r.state,
                           _utc(r.start_date), _utc(r.end_date)) for r in rows]
        return RunState(run.run_id, run.state, tasks)

    def return_value(self, dag_id: str, run_id: str, task_id: str) -> object | None:
        """A task's XCom return value in this run (JSON-decoded), or None."""
        with self.engine.connect() as con:
            value = con.execute(sa.text(
                "select value from xcom where dag_id = :d and run_id = :r and task_id = :t "
                "and key = 'return_value' and map_index = -1"),
                {"d": dag_id, "r": run_id, "t": task_id}).scalar()
        if value is None:
            return None
        return json.loads(value) if isinstance(value, str | bytes) else value


def _utc(value: datetime | str | None) -> datetime | None:
    """A timestamp column as an aware UTC datetime (SQLite hands back naive or text)."""
    if value is None:
        return None
    if isinstance(value, str):
        value = datetime.fromisoformat(value)
    return value if value.tzinfo else value.replace(tzinfo=UTC)


@dataclass(frozen=True)
class Failure:
    """A failed task's exception: its type name and the first line of its message."""

    exception: str
    message: str

    def __str__(self) -> str:
        return f"{self.exception}: {self.message}" if self.message else self.exception


# The line after a traceback's frames: "package.module.ErrorType: message" (or no message).
_EXCEPTION_LINE = re.compile(r"^(?P<type>[A-Za-z_][\w.]*)(?::\s?(?P<msg>.*))?$")
_FAILED_STATE_LINE = re.compile(r"new_state=failed\b.*\bti_id=(?P<ti>[0-9a-fA-F-]{32,36})")


def failure_of(log_text: str, ti_id: str) -> Failure | None:
    """The exception that failed task instance `ti_id`, from the run's log text.

    Airflow logs the traceback, then "Task instance state updated ... new_state=failed ...
    ti_id=<uuid>". The nearest traceback before that line is the one that escaped (a
    chained one prints the cause first); its first unindented line after the frames names
    the exception and starts its message.
    """
    wanted = ti_id.replace("-", "").lower()
    lines = log_text.splitlines()
    for index, line in enumerate(lines):
        state = _FAILED_STATE_LINE.search(line)
        if not state or state.group("ti").replace("-", "").lower() != wanted:
            continue
        starts = [i for i in range(index) if lines[i].startswith("Traceback (most recent")]
        if not starts:
            return None
        for candidate in lines[starts[-1] + 1:index]:
            if not candidate.strip() or candidate.startswith((" ", "\t")):
                continue  # a frame, its source line or its ^^^ markers
            found = _EXCEPTION_LINE.match(candidate.strip())
            if found:
                return Failure(found.group("type").rsplit(".", 1)[-1],
                               (found.group("msg") or "").strip())
            return Failure("", candidate.strip())
        return None
    return None
