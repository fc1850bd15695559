"""The publish policy: odd input is quarantined and the day publishes; only a broken
invariant (a bug) stops it.

Two runs of news_daily (`airflow dags test`, claimledger.cli.run_dag) in a temporary
AIRFLOW_HOME: a good run over the bundled corpus, then the next day's run over the
same corpus where one page lost a scale word ("190,000 million dollars" became
"190,000 dollars", as a careless edit would): the trade level is then USD 190,000,
which the plausibility screen holds out of fct_trade_figures into rpt_rejected_rows
with its check, value and sentence, and the day publishes. No code knows about this
page. The gate itself (an error-severity invariant failing stops the run before
publish) is shown in-process on a raw layer with a figure span that no longer spells
its raw text.
"""

from __future__ import annotations

import hashlib
from contextlib import closing
from pathlib import Path

import duckdb
import pytest

from claimledger.cli import run_dag
from tests.conftest import SAMPLE_CORPUS
from tests.dag_harness import dag_env, init_airflow
from tests.quality.corpora import INGEST_DATE, RUN_ID, build_warehouse, copy_corpus, edit_page
from transforms.checks.gate import QualityGateError
from transforms.pipeline import runs

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


def test_a_lost_scale_word_is_rejected_and_the_day_publishes(two_runs):
    assert two_runs["codes"][1] == 0, two_runs["logs"][1].read_text()[-5000:]
    with closing(duckdb.connect(str(two_runs["warehouse"] / "claimledger.duckdb"),
                                read_only=True)) as con:
        rejected = con.execute("""
            select check_name, offending_value, figure_raw_text, sentence_text
            from marts.rpt_rejected_rows""").fetchall()
        failed = con.execute("""
            select check_name from audit.quality_results
            where ingest_date = ?::date and severity = 'error' and status = 'fail'""",
                             [BAD_DATE]).fetchall()
        values = [v for (v,) in con.execute(
            "select value_usd from marts.fct_trade_figures").fetchall()]
    assert [(c, float(v), raw) for c, v, raw, _ in rejected] == \
        [("value_usd_out_of_range", 190000.0, "190,000 dollars")]
    assert "190,000 dollars" in rejected[0][3]
    assert failed == []
    assert 190000.0 not in values
    assert "rejected rows   1 held out" in two_runs["logs"][1].read_text()


def test_the_day_with_a_rejected_row_is_served_as_a_new_version(two_runs):
    assert two_runs["before"], "the good run did not publish"
    assert two_runs["after"]["versions"] != two_runs["before"]["versions"]
    assert two_runs["after"]["counts"]["marts.fct_trade_figures"] == \
        two_runs["before"]["counts"]["marts.fct_trade_figures"] - 1


@pytest.mark.parametrize("report", ["run", "quality"])
def test_the_reports_list_the_rejected_row(two_runs, report):
    page = two_runs["warehouse"] / "reports" / f"{report}-{BAD_DATE}.html"
    text = page.read_text(encoding="utf-8")
    held_out = text.split("Rows held out as implausible")[-1]
    assert "value_usd_out_of_range" in held_out and "190,000 dollars" in held_out


def test_a_broken_invariant_stops_the_gate_before_publish(tmp_path):
    """A figure whose span no longer spells its raw text is a bug, never odd input:
    build_marts records the failing error check, then raises the gate error."""
    settings = build_warehouse(SAMPLE_CORPUS, tmp_path / "warehouse", marts=False)
    with closing(duckdb.connect(str(settings.build_db))) as con:
        (figure_id,) = con.execute("select min(figure_id) from raw.figure_mentions").fetchone()
        con.execute("update raw.figure_mentions set span_start = span_start + 1 "
                    "where figure_id = ?", [figure_id])
    with pytest.raises(QualityGateError, match="span_within_text"):
        runs.build_marts(settings, RUN_ID, INGEST_DATE)
    with closing(duckdb.connect(str(settings.build_db), read_only=True)) as con:
        failed = con.execute("select check_name, failing_row_count from audit.quality_results "
                             "where severity = 'error' and status = 'fail'").fetchall()
    assert [(name, rows) for name, rows in failed if "span_within_text" in name] != [], failed
    assert all(rows >= 1 for _, rows in failed), failed
