"""The quality gate: one verdict vocabulary for dbt tests, Great Expectations and reports.

A check result has a severity (error | warn) and a status; fail and error statuses are
failing. The verdict of a set of results is `fail` when an error-severity check is
failing, `warn` when only warn checks are (or a report holds findings), else `pass`.
An `error` verdict stops the run before it publishes (QualityGateError).
"""

from __future__ import annotations

from collections.abc import Iterable

import polars as pl

VERDICTS = ("pass", "warn", "fail")
FAILING_STATUSES = ("fail", "error")


class QualityGateError(RuntimeError):
    """An error-severity check failed: the run must not publish."""


def verdict(checks: Iterable[tuple[str, str]], *, findings: int = 0) -> str:
    """pass | warn | fail of (severity, status) pairs; findings (a report's) make a warn."""
    failing = {severity for severity, status in checks if status in FAILING_STATUSES}
    if "error" in failing:
        return "fail"
    return "warn" if failing or findings else "pass"


def verdict_of_results(results: pl.DataFrame) -> str:
    """The verdict of a frame of check results (columns severity, status)."""
    if results.is_empty():
        return "pass"
    return verdict(results.select("severity", "status").iter_rows())


def failures(results: pl.DataFrame, severity: str) -> pl.DataFrame:
    """The failing results of one severity."""
    if results.is_empty():
        return results
    return results.filter((pl.col("severity") == severity)
                          & pl.col("status").is_in(FAILING_STATUSES))


def describe(failing: pl.DataFrame) -> str:
    """The first ten failing checks as one line: name (rows): message; ..."""
    return "; ".join(f"{r['check_name']} ({r['failing_row_count']} rows): {r['message']}"
                     for r in failing.head(10).iter_rows(named=True))


def enforce(source: str, results: pl.DataFrame) -> None:
    """Raise QualityGateError when `results` hold a failing error-severity check."""
    errors = failures(results, "error")
    if not errors.is_empty():
        raise QualityGateError(f"{source}: {errors.height} error check(s) failed: "
                               f"{describe(errors)}")
