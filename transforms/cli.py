"""`claimledger`: the command line people use (the Makefile targets call it).

    claimledger run [--date YYYY-MM-DD]   run the real DAG with `airflow dags test`
    claimledger summary                   print the last run's summary again
    claimledger query "SQL"               run read-only SQL on the published warehouse
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
import time
from contextlib import closing
from datetime import UTC, datetime
from pathlib import Path

import typer

from transforms.settings import Settings

app = typer.Typer(add_completion=False, no_args_is_help=True,
                  help="claimledger: news articles in, a SQL warehouse of claims out.")

TASK_LINE = re.compile(r"\[DAG TEST\] (starting|end) task task_id=(\w+) map_index=(-?\d+)")
FAILED_LINE = re.compile(r"Task failed with exception|Marking task as FAILED|state=failed")


def run_dag(ingest_date: str, *, log_path: Path, env: dict[str, str] | None = None,
            echo: bool = True) -> int:
    """Run news_daily for one logical date through `airflow dags test`; return its exit code.

    The full Airflow log goes to `log_path`; the terminal gets one line per task.
    """
    environment = dict(os.environ if env is None else env)
    environment.setdefault("CLAIMLEDGER_TASK_RETRIES", "0")
    airflow = Path(sys.executable).with_name("airflow")
    command = [str(airflow), "dags", "test", "news_daily", ingest_date]
    log_path.parent.mkdir(parents=True, exist_ok=True)
    started = {}
    with log_path.open("w", encoding="utf-8") as log, subprocess.Popen(
            command, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
            env=environment) as process:
        assert process.stdout is not None
        for line in process.stdout:
            log.write(line)
            match = TASK_LINE.search(line)
            if match and echo:
                verb, task_id, map_index = match.groups()
                label = task_id + (f"[{map_index}]" if map_index != "-1" else "")
                if verb == "starting":
                    started[label] = time.monotonic()
                else:
                    seconds = time.monotonic() - started.get(label, time.monotonic())
                    typer.echo(f"  ✓ {label:<28} {seconds:5.1f} s")
            elif echo and FAILED_LINE.search(line):
                typer.echo(f"  ✗ {line.strip()[:160]}")
        return process.wait()


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


if __name__ == "__main__":
    app()
