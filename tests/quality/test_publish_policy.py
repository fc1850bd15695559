"""The publish policy through the real DAG: an `error` check that fails stops the run
before publish_warehouse, and the warehouse readers see is left exactly as it was.

Two runs of news_daily (`airflow dags test`, transforms.cli.run_dag) in a temporary
AIRFLOW_HOME: a good run over the bundled corpus, then the next day's run over the
same corpus where one page lost a scale word ("190,000 million dollars" became
"190,000 dollars", as a careless edit would): the trade level is then USD 190,000,
which the error-severity plausibility check on fct_trade_figures.value_usd rejects.
No code knows about this page.
"""

from __future__ import annotations

import hashlib
from contextlib import closing
from pathlib import Path

import duckdb
import pytest

from tests.dag_harness import dag_env, init_airflow
from tests.quality.corpora import copy_corpus, edit_page
from transforms.cli import run_dag

pytestmark = pytest.mark.e2e

GOOD_DATE, BAD_DATE = "2026-03-02", "2026-03-03"
TABLES = ("raw.articles", "raw.trade_statements", "marts.fct_trade_figures",
          "marts.fct_figure_consistency", "audit.quality_results")


def _snapshot(warehouse: Path) -> dict:
    """What a reader sees: the served file's checksum, row counts, published versions."""
    served = warehouse / "claimledger.duckdb"
    with closing(duckdb.connect(str(served), read_only=True)) as con:
        counts = {t: con.execute(f"select count(*) from {t}").fetchone()[0] for t in TABLES}
    return {"sha256": hashlib.sha256(served.read_bytes()).hexdigest(), "counts": counts,
            "versions": sorted(p.name for p in (warehouse / "published").iterdir())}


@pytest.fixture(scope="module")
def two_runs(tmp_path_factory) -> dict:
    tmp = tmp_path_factory.mktemp("policy")
    corpus = copy_corpus(tmp / "corpus")
    env = dag_env(tmp / "airflow_home", tmp / "warehouse", corpus=corpus)
    init_airflow(env)
    warehouse = tmp / "warehouse"
    good = run_dag(GOOD_DATE, log_path=tmp / "good.log", env=env, echo=False)
    before = _snapshot(warehouse) if good == 0 else {}
    edit_page(corpus, "002", "190,000 million dollars", "190,000 dollars")
    bad = run_dag(BAD_DATE, log_path=tmp / "bad.log", env=env, echo=False)
    return {"codes": (good, bad), "before": before, "after": _snapshot(warehouse),
            "warehouse": warehouse, "logs": (tmp / "good.log", tmp / "bad.log")}


def test_the_good_run_publishes_with_a_passed_verdict(two_runs):
    assert two_runs["codes"][0] == 0, two_runs["logs"][0].read_text()[-5000:]
    reports = two_runs["warehouse"] / "reports"
    page = (reports / f"quality-{GOOD_DATE}.html").read_text(encoding="utf-8")
    assert "No inconsistent figures" in page
    assert "quality report" in two_runs["logs"][0].read_text()


def test_a_failing_error_check_fails_the_run_before_publishing(two_runs):
    assert two_runs["codes"][1] != 0
    log = two_runs["logs"][1].read_text()
    assert "QualityGateError" in log
    assert "fct_trade_figures.expect_column_values_to_be_between.value_usd" in log
    with closing(duckdb.connect(str(two_runs["warehouse"] / "build" / "claimledger.duckdb"),
                                read_only=True)) as con:
        failed = con.execute("""
            select check_name from audit.quality_results
            where ingest_date = ?::date and severity = 'error' and status = 'fail'""",
                             [BAD_DATE]).fetchall()
    assert failed == [("gx.fct_trade_figures.expect_column_values_to_be_between.value_usd",)]


def test_the_published_warehouse_is_unchanged_by_the_failed_run(two_runs):
    assert two_runs["before"], "the good run did not publish"
    assert two_runs["after"] == two_runs["before"]


def test_the_failed_run_still_writes_its_quality_report(two_runs):
    page = two_runs["warehouse"] / "reports" / f"quality-{BAD_DATE}.html"
    text = page.read_text(encoding="utf-8")
    assert "failed" in text and "value_usd" in text
