"""`claimledger`: the command line people use (the Makefile targets call it).

    claimledger run [--date YYYY-MM-DD]   run the real DAG with `airflow dags test`
    claimledger summary                   print the last run's summary again
    claimledger query "SQL"               run read-only SQL on the published warehouse
    claimledger publish [--rollback]      publish the checked build (or serve the previous one)
    claimledger report                    re-render the last run's HTML report, print its path
    claimledger status                    last runs, verdicts, row counts, published versions
"""

from __future__ import annotations

import contextlib
import os
import re
import signal
import subprocess
import sys
import threading
import time
from contextlib import closing
from datetime import UTC, datetime
from pathlib import Path

import typer

from transforms.kernel.processes import PARENT_PID_ENV
from transforms.kernel.settings import Settings
from transforms.publish import versions as publishing
from transforms.reports.run_report import (
    collect_status,
    last_run,
    open_run_database,
    render_status,
    verdict_of,
    write_run_report,
)
from transforms.warehouse.run_lock import is_stale, lease_holder

app = typer.Typer(add_completion=False, no_args_is_help=True,
                  help="claimledger: news articles in, a SQL warehouse of claims out.")

# Airflow 3.3 logs "[DAG TEST] starting task_id=..." and "[DAG TEST] end task task_id=...".
TASK_LINE = re.compile(r"\[DAG TEST\] (starting|end)(?: task)? task_id=(\w+) map_index=(-?\d+)")
FAILED_LINE = re.compile(r"Task failed with exception|Marking task as FAILED|state=failed")


def run_dag(ingest_date: str, *, log_path: Path, env: dict[str, str] | None = None,
            echo: bool = True) -> int:
    """Run news_daily for one logical date through `airflow dags test`; return its exit code.

    The full Airflow log goes to `log_path`; the terminal gets one line per task.
    """
    environment = dict(os.environ if env is None else env)
    environment.setdefault("CLAIMLEDGER_TASK_RETRIES", "0")
    environment[PARENT_PID_ENV] = str(os.getpid())  # the DAG process dies with this one
    environment["PYTHONUNBUFFERED"] = "1"  # task lines arrive as they happen, not at exit
    # glibc raises its mmap threshold after each large free, up to 32 MB, so later big
    # buffers (pickled chunks, decoded pages) come from the heap and stay there: the run's
    # memory then grew with the number of batches. A fixed threshold returns them.
    environment.setdefault("MALLOC_MMAP_THRESHOLD_", "1048576")
    # Airflow's CLI through claimledger.airflow_main: the same command, without the 7-8 s
    # the interpreter's teardown spends collecting garbage after the run has finished.
    command = [sys.executable, "-m", "claimledger.airflow_main", "dags", "test", "news_daily",
               ingest_date]
    log_path.parent.mkdir(parents=True, exist_ok=True)
    started: dict[str, float] = {}

    def pump(stream, log) -> None:
        for line in stream:
            log.write(line)
            if echo:
                _echo_progress(line, started)

    # Its own session, so the whole process tree (task workers included) can be ended
    # once airflow exits; a worker orphaned by a killed run would otherwise hold the
    # pipe open and this read would never finish.
    with log_path.open("w", encoding="utf-8") as log, subprocess.Popen(
            command, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
            env=environment, start_new_session=True) as process:
        reader = threading.Thread(target=pump, args=(process.stdout, log), daemon=True)
        reader.start()
        code = process.wait()
        with contextlib.suppress(ProcessLookupError, PermissionError):
            os.killpg(process.pid, signal.SIGTERM)
        reader.join(timeout=10)
        return code


def _echo_progress(line: str, started: dict[str, float]) -> None:
    match = TASK_LINE.search(line)
    if match:
        verb, task_id, map_index = match.groups()
        label = task_id + (f"[{map_index}]" if map_index != "-1" else "")
        if verb == "starting":
            started[label] = time.monotonic()
        else:
            seconds = time.monotonic() - started.get(label, time.monotonic())
            typer.echo(f"  ✓ {label:<28} {seconds:5.1f} s")
    elif FAILED_LINE.search(line):
        typer.echo(f"  ✗ {line.strip()[:160]}")


@app.command()
def run(date: str = typer.Option(None, help="logical date (ingest partition), YYYY-MM-DD"),
        quiet: bool = typer.Option(False, help="no per-task progress lines")) -> None:
    """Run the daily DAG for one date and print what it built."""
    settings = Settings.from_env()
    ingest_date = date or datetime.now(UTC).date().isoformat()
    log_path = settings.warehouse_dir / "logs" / f"dag-{ingest_date}.log"
    typer.echo(f"running news_daily for {ingest_date} (full log: {log_path})")
    code = run_dag(ingest_date, log_path=log_path, echo=not quiet)
    _print_summary(settings)
    if code != 0:
        typer.echo(f"the DAG run failed (exit {code}); see {log_path}", err=True)
        raise typer.Exit(code)


@app.command()
def summary() -> None:
    """Print the summary of the last run."""
    _print_summary(Settings.from_env())


def _print_summary(settings: Settings) -> None:
    path = settings.reports_dir / "summary.txt"
    if not path.exists():
        typer.echo("no run summary yet: run `make run` first", err=True)
        raise typer.Exit(1)
    typer.echo(path.read_text(encoding="utf-8"))


@app.command()
def query(sql: str) -> None:
    """Run SQL read-only against the published warehouse and print the result."""
    import duckdb

    settings = Settings.from_env()
    with closing(duckdb.connect(str(settings.published_db), read_only=True)) as con:
        typer.echo(con.sql(sql))


class _Steps:
    """Progress for long steps: one line per step with the seconds it took."""

    def __init__(self) -> None:
        self.label: str | None = None
        self.started = 0.0
        self.live = sys.stdout.isatty()  # a terminal shows the running step, a log does not

    def __call__(self, label: str) -> None:
        self.done()
        self.label, self.started = label, time.monotonic()
        if self.live:
            typer.echo(f"  … {label}", nl=False)

    def done(self) -> None:
        if self.label is not None:
            prefix = "\r" if self.live else ""
            typer.echo(f"{prefix}  ✓ {self.label:<40} {time.monotonic() - self.started:5.1f} s")
            self.label = None


@app.command()
def publish(rollback: bool = typer.Option(False, "--rollback",
                                          help="serve the version published before this one"),
            force: bool = typer.Option(False, help="publish even if the last run's checks "
                                                   "failed or never ran"),
            docs: bool = typer.Option(True, help="regenerate the dbt docs page")) -> None:
    """Publish the build database to readers (the DAG does this after its checks)."""

    settings = Settings.from_env()
    steps = _Steps()
    try:
        if rollback:
            typer.echo(f"rolling back {settings.published_db}")
            result = publishing.rollback(settings, progress=steps)
        else:
            _refuse_during_a_run(settings)
            run = last_run(settings)
            run_id = run[0] if run else "manual"
            con, path = open_run_database(settings)
            with closing(con):
                quality = con.execute("select check_source, severity, status, count(*) "
                                      "from audit.quality_results where run_id = ? "
                                      "group by all", [run_id]).fetchall()
            verdict = verdict_of(quality)
            if not force and (path != settings.build_db or not verdict.startswith("passed")):
                typer.echo(f"not publishing run {run_id}: quality {verdict} "
                           f"(read from {path}); use --force to publish anyway", err=True)
                raise typer.Exit(1)
            typer.echo(f"publishing run {run_id} (quality {verdict})")
            result = publishing.publish(settings, run_id, progress=steps, docs=docs)
    except publishing.PublishError as exc:
        steps.done()
        typer.echo(f"publish failed: {exc}", err=True)
        raise typer.Exit(1) from exc
    steps.done()
    for note in result.notes:
        typer.echo(f"  note: {note}")
    typer.echo(f"serving {result.version}\n  {result.published_db}\n  "
               f"{result.parquet_views_db}\n  kept: {', '.join(result.kept_versions)}")


def _refuse_during_a_run(settings: Settings) -> None:
    """Publishing mid-run would copy a half-built database: refuse while a run holds it."""
    holder = lease_holder(settings)
    if holder and not is_stale(holder):
        typer.echo(f"run {holder.get('run_id')} is in progress; publish after it ends",
                   err=True)
        raise typer.Exit(1)


@app.command()
def report() -> None:
    """Re-render the last run's HTML report and print its path."""

    settings = Settings.from_env()
    run = last_run(settings)
    if run is None:
        typer.echo("no run recorded yet: run `make run` first", err=True)
        raise typer.Exit(1)
    _, page = write_run_report(settings, *run)
    typer.echo(page)


@app.command()
def status(runs: int = typer.Option(5, help="how many recent runs to show")) -> None:
    """Recent runs with their verdicts and stage counts, mart row counts, served versions."""

    typer.echo(render_status(collect_status(Settings.from_env(), runs)))


if __name__ == "__main__":
    app()
