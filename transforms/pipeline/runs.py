"""Run-level steps after the load: marts, quality gate, publish, summary.

The policy lives here: an `error` check result (dbt or Great Expectations) raises
QualityGateError after the results are recorded, so the DAG stops before
publishing and readers keep the last good warehouse; `warn` results are recorded
and reported. When no row any model reads has changed since the last passing run,
neither dbt nor the suites run again: that run's results are carried
(transforms/checks/unchanged_inputs.py).
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date, datetime
from pathlib import Path
from typing import Any

from expectations.runner import run_quality_checks
from transforms.checks import unchanged_inputs as unchanged
from transforms.checks.dbt_build import run_dbt_build
from transforms.checks.gate import enforce, failures
from transforms.kernel.faults import fault_point
from transforms.kernel.settings import Settings
from transforms.publish.versions import Layout, publish
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
    fingerprint = unchanged.marts_inputs_fingerprint(settings)
    carried = unchanged.carried_results(settings, unchanged.BUILD_STEP, "dbt", fingerprint)
    if carried is not None:
        origin, results = carried
        Warehouse(settings).write_audit("quality_results", run_id, ingest_date, results)
        enforce("dbt", results)
        return {"checks": results.height, "warnings": failures(results, "warn").height,
                "full_refresh": False, "carried_from": origin}
    # The marts are about to change: neither they nor the checks of them are vouched for.
    unchanged.withdraw(settings, unchanged.BUILD_STEP, unchanged.CHECKS_STEP)
    fault_point("build_marts", "before_write")

    result = run_dbt_build(settings.build_db)
    Warehouse(settings).write_audit("quality_results", run_id, ingest_date, result.results)
    fault_point("build_marts", "after_write")
    enforce("dbt", result.results)
    if not result.success:
        raise RuntimeError(f"dbt build failed: {result.message}")
    unchanged.vouch(settings, unchanged.BUILD_STEP, fingerprint, run_id)
    return {"checks": result.results.height, "warnings": failures(result.results, "warn").height,
            "full_refresh": result.full_refresh}


def check_quality(settings: Settings, run_id: str, ingest_date: str,
                  owner: RunOwner | None = None) -> dict:
    """The Great Expectations suites over the marts; Data Docs under the warehouse folder."""
    claim_run(settings, run_id, ingest_date, owner)
    built = unchanged.vouched(settings, unchanged.BUILD_STEP)
    # Without the build's vouch the marts' state is unknown: the suites run, and vouch for nothing.
    fingerprint = unchanged.checks_fingerprint(built.fingerprint) if built else None
    carried = fingerprint and unchanged.carried_results(
        settings, unchanged.CHECKS_STEP, "great_expectations", fingerprint)
    docs_dir = settings.reports_dir / "data_docs"
    if carried:
        origin, results = carried
        Warehouse(settings).write_audit("quality_results", run_id, ingest_date, results)
        enforce("great_expectations", results)
        return {"verdict": "carried", "checks": results.height,
                "data_docs": str(docs_dir / "index.html"), "carried_from": origin}
    unchanged.withdraw(settings, unchanged.CHECKS_STEP)
    outcome = run_quality_checks(settings.build_db, run_id=run_id,
                                 ingest_date=date.fromisoformat(ingest_date),
                                 docs_dir=docs_dir)
    fault_point("check_quality", "during_write")  # Data Docs written, results not yet
    Warehouse(settings).write_audit("quality_results", run_id, ingest_date, outcome.results)
    fault_point("check_quality", "after_write")
    enforce("great_expectations", outcome.results)
    if fingerprint:
        unchanged.vouch(settings, unchanged.CHECKS_STEP, fingerprint, run_id)
    return {"verdict": outcome.verdict, "checks": outcome.results.height,
            "data_docs": str(outcome.docs_index)}


def publish_run(settings: Settings, run_id: str, ingest_date: str,
                owner: RunOwner | None = None) -> str:
    claim_run(settings, run_id, ingest_date, owner)
    fault_point("publish_warehouse", "before_write")
    # The docs page of the build this run carried describes the same marts: no new page.
    built = unchanged.vouched(settings, unchanged.BUILD_STEP)
    carried = built is not None and built.run_id != run_id and Layout.of(settings).dbt_docs.exists()
    published = publish(settings, run_id, progress=print, docs=not carried).published_db
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
