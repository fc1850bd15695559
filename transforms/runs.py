"""Run-level steps after the load: marts, quality gate, publish, summary.

The policy lives here: an `error` check result (dbt or Great Expectations) raises
QualityGateError after the results are recorded, so the DAG stops before
publishing and readers keep the last good warehouse; `warn` results are recorded
and reported.
"""

from __future__ import annotations

from datetime import date, datetime

import polars as pl

from transforms.settings import Settings


class QualityGateError(RuntimeError):
    """An error-severity check failed: the run must not publish."""


def partition_of(logical_date: datetime | None, run_after: datetime) -> str:
    """The ingest partition (YYYY-MM-DD) of a DAG run.

    Scheduled and `dags test` runs have a logical date; a manual trigger in
    Airflow 3 may not, and then the partition is the day the run was due.
    """
    moment = logical_date or run_after
    return moment.date().isoformat()


def _failures(results: pl.DataFrame, severity: str) -> pl.DataFrame:
    if results.is_empty():
        return results
    return results.filter((pl.col("severity") == severity)
                          & pl.col("status").is_in(["fail", "error"]))


def _describe(failures: pl.DataFrame) -> str:
    return "; ".join(f"{r['check_name']} ({r['failing_row_count']} rows): {r['message']}"
                     for r in failures.head(10).iter_rows(named=True))


def build_marts(settings: Settings, run_id: str, ingest_date: str) -> dict:
    """One `dbt build` over the build database; its test results become quality rows."""
    from transforms.dbt_build import run_dbt_build
    from transforms.warehouse import Warehouse

    result = run_dbt_build(settings.build_db)
    Warehouse(settings).write_audit("quality_results", run_id, ingest_date, result.results)
    errors = _failures(result.results, "error")
    if not errors.is_empty():
        raise QualityGateError(f"dbt: {errors.height} error check(s) failed: {_describe(errors)}")
    if not result.success:
        raise RuntimeError(f"dbt build failed: {result.message}")
    return {"checks": result.results.height, "warnings": _failures(result.results, "warn").height,
            "full_refresh": result.full_refresh}


def check_quality(settings: Settings, run_id: str, ingest_date: str) -> dict:
    """The Great Expectations suites over the marts; Data Docs under the warehouse folder."""
    from expectations.runner import run_quality_checks
    from transforms.warehouse import Warehouse

    outcome = run_quality_checks(settings.build_db, run_id=run_id,
                                 ingest_date=date.fromisoformat(ingest_date),
                                 docs_dir=settings.reports_dir / "data_docs")
    Warehouse(settings).write_audit("quality_results", run_id, ingest_date, outcome.results)
    errors = _failures(outcome.results, "error")
    if outcome.verdict == "fail" or not errors.is_empty():
        raise QualityGateError(f"great_expectations: {errors.height} error check(s) failed: "
                               f"{_describe(errors)}")
    return {"verdict": outcome.verdict, "checks": outcome.results.height,
            "data_docs": str(outcome.docs_index)}


def publish_run(settings: Settings, run_id: str) -> str:
    from transforms.publish import publish

    return str(publish(settings, run_id, progress=print).published_db)


def summarize(settings: Settings, run_id: str, ingest_date: str) -> str:
    """Write the run's summary (text and HTML) and the quality report; return the text."""
    from transforms.report import write_run_report

    text, _ = write_run_report(settings, run_id, ingest_date)
    text = f"{text}\n  quality report  {_quality_report(settings, run_id, ingest_date)}"
    print(text)
    return text


def _quality_report(settings: Settings, run_id: str, ingest_date: str) -> str:
    """Write warehouse/reports/quality-<date>.html; its path, or why it could not be written.

    The summary runs even after a failed task, when the marts may be missing: the
    report then says what is missing, and a report that cannot be written at all
    must not hide the summary.
    """
    from transforms.quality_report import write_quality_report

    try:
        return str(write_quality_report(settings, run_id, ingest_date))
    except Exception as error:  # the summary must still print
        return f"not written ({type(error).__name__}: {error})"
