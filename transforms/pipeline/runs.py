"""Run-level steps after the load: marts, quality gate, publish, summary.

The policy lives here: an `error` check result (dbt or Great Expectations) raises
QualityGateError after the results are recorded, so the DAG stops before
publishing and readers keep the last good warehouse; `warn` results are recorded
and reported.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date, datetime
from pathlib import Path
from typing import Any

from expectations.runner import run_quality_checks
from transforms.checks.dbt_build import run_dbt_build
from transforms.checks.gate import enforce, failures
from transforms.kernel.faults import fault_point
from transforms.kernel.settings import Settings
from transforms.publish.versions import publish
from transforms.reports.quality_report import write_quality_report
from transforms.reports.run_report import write_run_report
from transforms.warehouse.run_lock import RunOwner, claim_run
from transforms.warehouse.writer import Warehouse

# The user Airflow's `dags test` triggers its runs as: all their tasks run in its process.
DAGS_TEST_USER = "dag_test"


def partition_of(logical_date: datetime | None, run_after: datetime) -> str:
    """The ingest partition (YYYY-MM-DD) of a DAG run.

    Scheduled and `dags test` runs have a logical date; a manual trigger in
    Airflow 3 may not, and then the partition is the day the run was due.
    """
    moment = logical_date or run_after
    return moment.date().isoformat()


def run_owner(context: Mapping[str, Any]) -> RunOwner:
    """The lease owner of the DAG run a task runs in, from the task's Airflow context."""
    dag_run = context["dag_run"]
    return RunOwner(one_process=getattr(dag_run, "triggering_user_name", None) == DAGS_TEST_USER,
                    dag_id=dag_run.dag_id, run_state=context["ti"].get_dagrun_state)


def build_marts(settings: Settings, run_id: str, ingest_date: str,
                owner: RunOwner | None = None) -> dict:
    """One `dbt build` over the build database; its test results become quality rows."""
    claim_run(settings, run_id, ingest_date, owner)  # no other run writes meanwhile
    fault_point("build_marts", "before_write")

    result = run_dbt_build(settings.build_db)
    Warehouse(settings).write_audit("quality_results", run_id, ingest_date, result.results)
    fault_point("build_marts", "after_write")
    enforce("dbt", result.results)
    if not result.success:
        raise RuntimeError(f"dbt build failed: {result.message}")
    return {"checks": result.results.height, "warnings": failures(result.results, "warn").height,
            "full_refresh": result.full_refresh}


def check_quality(settings: Settings, run_id: str, ingest_date: str,
                  owner: RunOwner | None = None) -> dict:
    """The Great Expectations suites over the marts; Data Docs under the warehouse folder."""
    claim_run(settings, run_id, ingest_date, owner)

    outcome = run_quality_checks(settings.build_db, run_id=run_id,
                                 ingest_date=date.fromisoformat(ingest_date),
                                 docs_dir=settings.reports_dir / "data_docs")
    fault_point("check_quality", "during_write")  # Data Docs written, results not yet
    Warehouse(settings).write_audit("quality_results", run_id, ingest_date, outcome.results)
    fault_point("check_quality", "after_write")
    enforce("great_expectations", outcome.results)
    return {"verdict": outcome.verdict, "checks": outcome.results.height,
            "data_docs": str(outcome.docs_index)}


def publish_run(settings: Settings, run_id: str, ingest_date: str,
                owner: RunOwner | None = None) -> str:
    claim_run(settings, run_id, ingest_date, owner)
    fault_point("publish_warehouse", "before_write")
    published = publish(settings, run_id, progress=print).published_db
    fault_point("publish_warehouse", "after_write")
    return str(published)


def summarize(settings: Settings, run_id: str, ingest_date: str) -> str:
    """Write the run's summary (text and HTML) and the quality report; return the text."""

    # The quality report first: the summary lists only files that exist.
    quality = _quality_report(settings, run_id, ingest_date)
    text, _ = write_run_report(settings, run_id, ingest_date)
    if not Path(quality).is_file():  # why it could not be written
        text = f"{text}\n  quality report  {quality}"
    print(text)
    return text


def _quality_report(settings: Settings, run_id: str, ingest_date: str) -> str:
    """Write warehouse/reports/quality-<date>.html; its path, or why it could not be written.

    The summary runs even after a failed task, when the marts may be missing: the
    report then says what is missing, and a report that cannot be written at all
    must not hide the summary.
    """

    try:
        return str(write_quality_report(settings, run_id, ingest_date))
    except Exception as error:  # the summary must still print
        return f"not written ({type(error).__name__}: {error})"
