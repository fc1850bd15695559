"""`claimledger`: the command line people use (the Makefile targets call it).

    claimledger run [--date D] [--corpus PATH]   run the real DAG with `airflow dags test`
    claimledger summary                   print the last run's summary again
    claimledger query "SQL" [--format F]  run read-only SQL on the published warehouse
    claimledger publish [--rollback]      publish the checked build (or serve the previous one)
    claimledger report                    re-render the last run's HTML report, print its path
    claimledger status                    last runs, verdicts, row counts, published versions
"""

from __future__ import annotations

import csv
import json
import os
import sys
import time
from contextlib import closing
from datetime import UTC, datetime
from pathlib import Path
from typing import Annotated

import duckdb
import typer
from typer._click.exceptions import ClickException  # Typer vendors click; it raises these

from claimledger.dag_run import VERDICT_TASK, DagOutcome, follow_dag, run_dag
from claimledger.inputs import InputError, check_corpus, check_date, check_sources
from claimledger.progress import view_for
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

__all__ = ["app", "main", "run_dag"]

app = typer.Typer(add_completion=False, no_args_is_help=True,
                  help="claimledger: news articles in, a SQL warehouse of claims out.")

DATE_FORMAT = "%Y-%m-%d"
# Tasks whose QualityGateError means "the checks stopped the run", not a crash.
GATE_EXCEPTION = "QualityGateError"
PUBLISH_TASK = "publish_warehouse"


def main() -> None:
    """The console entry point: Typer's app, with a bad option value said in one line."""
    try:
        code = app(standalone_mode=False)
    except typer.BadParameter as error:
        command = f"claimledger {error.ctx.info_name}" if error.ctx else "claimledger"
        typer.echo(f"{command}: {_bad_parameter(error)}", err=True)
        code = error.exit_code
    except ClickException as error:  # unknown command or option, no arguments (help)
        error.show()
        code = error.exit_code
    except typer.Abort:
        typer.echo("claimledger: aborted", err=True)
        code = 1
    sys.exit(code or 0)


def _bad_parameter(error: typer.BadParameter) -> str:
    """One sentence for a value Typer refused (its message carries pydantic's prefix)."""
    message = error.message.removeprefix("Value error, ").rstrip(".")
    if error.param is not None and error.param.name == "date":
        value = message.split("'")[1] if message.count("'") >= 2 else message
        return (f"--date {value} is not a calendar date: give YYYY-MM-DD with a real month "
                "and day, e.g. 2026-03-02")
    name = f"--{error.param.name}" if error.param is not None else "an option"
    return f"invalid value for {name}: {message}"


def _input_error(problem: InputError) -> typer.Exit:
    typer.echo(f"claimledger run: {problem}", err=True)
    return typer.Exit(2)


@app.command()
def run(date: Annotated[datetime | None, typer.Option(
            formats=[DATE_FORMAT],
            help="logical date (the ingest partition), YYYY-MM-DD; today (UTC) by default")]
        = None,
        corpus: Annotated[Path | None, typer.Option(
            envvar="CLAIMLEDGER_CORPUS",
            help="a folder of HTML pages to ingest instead of config/sources.yml; its "
                 "warehouse is warehouse/<folder name>/ unless CLAIMLEDGER_WAREHOUSE_DIR says")]
        = None,
        allow_empty: bool = typer.Option(
            False, "--allow-empty", help="run even when the corpus holds no pages"),
        quiet: bool = typer.Option(False, help="no per-task progress lines")) -> None:
    """Run the daily DAG for one date and print what this run built."""
    env = dict(os.environ)
    try:
        day = check_date(date.date()) if date else datetime.now(UTC).date()
        if corpus is not None:
            folder = corpus.resolve()
            pages = check_corpus(folder, allow_empty=allow_empty)
            env["CLAIMLEDGER_CORPUS"] = str(folder)
            home = Settings.from_env(env).home
            env.setdefault("CLAIMLEDGER_WAREHOUSE_DIR", str(home / "warehouse" / folder.name))
            what = f"{pages} pages in {folder}"
        else:
            env.pop("CLAIMLEDGER_CORPUS", None)
            sources = check_sources(Settings.from_env(env), allow_empty=allow_empty)
            what = "sources " + ", ".join(s.name for s in sources)
    except InputError as problem:
        raise _input_error(problem) from None
    settings = Settings.from_env(env)
    log_path = settings.warehouse_dir / "logs" / f"dag-{day.isoformat()}.log"
    typer.echo(f"running news_daily for {day.isoformat()} over {what}")
    typer.echo(f"  Airflow's log: {log_path}")
    outcome = follow_dag(day.isoformat(), log_path=log_path, env=env,
                         view=None if quiet else view_for(sys.stdout))
    code = _report(outcome, settings, day.isoformat())
    if code:
        raise typer.Exit(code)


def _report(outcome: DagOutcome, settings: Settings, day: str) -> int:
    """Print this run's failures, summary and one closing sentence; return the exit code."""
    layout = publishing.Layout.of(settings)
    served = publishing.current_version(layout)
    published = outcome.task_state(PUBLISH_TASK) == "success"
    causes = [f for f in outcome.failures if f[0].task_id != VERDICT_TASK] or outcome.failures
    for ti, failure in causes:
        typer.echo(f"  ✗ {ti.task_id} failed: {failure or 'see the log'}", err=True)
    if outcome.failures:
        typer.echo(f"  log: {outcome.log_path}", err=True)
    if not published and outcome.run is not None:
        typer.echo("\nnothing was published by this run: readers still see "
                   + (f"{served} ({settings.published_db})" if served
                      else "no warehouse (nothing has been published yet)"))
    if outcome.summary:
        typer.echo(f"\n{outcome.summary}")
    sentence, code = _closing_sentence(outcome, day, published, served)
    typer.echo(sentence, err=bool(code))
    return code


def _closing_sentence(outcome: DagOutcome, day: str, published: bool,
                      served: str | None) -> tuple[str, int]:
    """The one sentence that ends a run's output: what happened and why; with the code."""
    cause = outcome.cause
    still = f"readers still see {served}" if served else "nothing is published yet"
    if outcome.run is None:
        return (f"airflow dags test exited with status {outcome.code} before the run "
                f"started; the cause is in {outcome.log_path}", outcome.code or 1)
    if cause is None and outcome.code == 0 and outcome.run.state == "success":
        tail = f"readers now see {served}" if published else "nothing was published"
        return f"news_daily {day} succeeded: {tail}.", 0
    if cause is None:
        return (f"news_daily {day} ended {outcome.run.state or 'unfinished'} (airflow exit "
                f"status {outcome.code}) with no failed task; see {outcome.log_path}",
                outcome.code or 1)
    ti, failure = cause
    if failure is not None and failure.exception == GATE_EXCEPTION:
        return (f"The quality gate stopped the run at {ti.task_id} "
                f"({_clip(failure.message)}): nothing was published and {still}.", 1)
    said = str(failure) if failure else f"its traceback is in {outcome.log_path}"
    return f"The run failed at {ti.task_id}: {_clip(said)}", 1


def _clip(text: str, limit: int = 160) -> str:
    return text if len(text) <= limit else text[:limit - 1].rstrip() + "…"


@app.command()
def summary() -> None:
    """Print the summary of the last run (the one `make run` printed)."""
    path = Settings.from_env().reports_dir / "summary.txt"
    if not path.exists():
        typer.echo("no run summary yet: run `make run` first", err=True)
        raise typer.Exit(1)
    typer.echo(path.read_text(encoding="utf-8"))


# A hint for each kind of DuckDB error a reader's query meets most.
QUERY_HINTS = {
    duckdb.ParserException: "check the SQL near the quoted text",
    duckdb.CatalogException: "list the tables: claimledger query \"select table_schema, "
                             "table_name from information_schema.tables\"",
    duckdb.BinderException: "list a table's columns: claimledger query \"describe "
                            "marts.fct_trade_figures\"",
    duckdb.InvalidInputException: "the published warehouse is read-only: queries can only read",
    duckdb.PermissionException: "the published warehouse is read-only: queries can only read",
}


@app.command()
def query(sql: str = typer.Argument(..., help="the SQL to run (read-only)"),
          format: str = typer.Option("table", "--format", "-f",
                                     help="table | csv | json")) -> None:
    """Run SQL read-only against the published warehouse and print the result."""
    if format not in ("table", "csv", "json"):
        typer.echo(f"claimledger query: --format {format} is not one of table, csv, json",
                   err=True)
        raise typer.Exit(2)
    path = Settings.from_env().published_db
    if not path.exists():
        typer.echo(f"claimledger query: no published warehouse at {path}: run `make run` "
                   "first", err=True)
        raise typer.Exit(1)
    try:
        with closing(duckdb.connect(str(path), read_only=True)) as con:
            relation = con.sql(sql)
            if relation is None:  # a statement without a result (SET, PRAGMA ...)
                return
            if format == "table":
                typer.echo(relation)
                return
            columns, rows = relation.columns, relation.fetchall()
    except duckdb.Error as error:
        typer.echo(f"claimledger query: {_query_error(error)}", err=True)
        raise typer.Exit(1) from None
    if format == "csv":
        writer = csv.writer(sys.stdout, lineterminator="\n")
        writer.writerow(columns)
        writer.writerows(rows)
    else:
        typer.echo(json.dumps([dict(zip(columns, row, strict=True)) for row in rows],
                              default=str, ensure_ascii=False, indent=1))


def _query_error(error: duckdb.Error) -> str:
    """DuckDB's message on one line, with DuckDB's own suggestion or a hint of ours."""
    lines = [line.strip() for line in str(error).splitlines() if line.strip()]
    message = lines[0] if lines else type(error).__name__
    suggestion = next((line for line in lines[1:]
                       if line.startswith(("Did you mean", "Candidate bindings"))), None)
    hint = suggestion or next((h for kind, h in QUERY_HINTS.items() if isinstance(error, kind)),
                              "the query ran read-only against the published warehouse")
    return f"{message} (hint: {hint})"


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
    main()
