"""End to end through the real DAG: `airflow dags test` in a temporary AIRFLOW_HOME.

One module-scoped run over the bundled corpus plus three bad files (empty, binary,
no article), then a second run of the same day to prove it changes nothing.
"""

from __future__ import annotations

import csv
import io
import shutil
from contextlib import closing
from pathlib import Path

import duckdb
import pytest

from claimledger.cli import run_dag
from claimledger.dag_run import follow_dag
from claimledger.progress import LineView
from tests.conftest import SAMPLE_CORPUS
from tests.dag_harness import dag_env, init_airflow

pytestmark = pytest.mark.e2e

INGEST_DATE = "2026-03-02"
TABLES = ["raw.pages", "raw.articles", "raw.paragraphs", "raw.sentences",
          "raw.figure_mentions", "raw.trade_statements", "raw.claims", "raw.quarantine",
          "marts.dim_articles", "marts.fct_figures", "marts.fct_trade_figures",
          "marts.fct_claims"]


def _counts(db: Path) -> dict[str, int]:
    with closing(duckdb.connect(str(db), read_only=True)) as con:
        return {t: con.execute(f"select count(*) from {t}").fetchone()[0] for t in TABLES}


@pytest.fixture(scope="module")
def dag_run(tmp_path_factory) -> dict:
    tmp = tmp_path_factory.mktemp("e2e")
    corpus = tmp / "corpus"
    shutil.copytree(SAMPLE_CORPUS, corpus)
    (corpus / "empty.html").write_bytes(b"")
    (corpus / "corrupt.html").write_bytes(b"\x00\x01\x02\xff\xfe binary junk \x00" * 40)
    (corpus / "no_article.html").write_text("<html><head><title>x</title></head>"
                                            "<body><nav><a href='/'>Home</a></nav></body></html>")
    env = dag_env(tmp / "airflow_home", tmp / "warehouse", corpus=corpus)
    init_airflow(env)
    # The first run as `claimledger run` follows it: Airflow's states drawn as lines.
    lines = io.StringIO()
    outcome = follow_dag(INGEST_DATE, log_path=tmp / "first.log", env=env, view=LineView(lines))
    first = outcome.code
    warehouse = tmp / "warehouse"
    first_counts = _counts(warehouse / "build" / "claimledger.duckdb") if first == 0 else {}
    second = run_dag(INGEST_DATE, log_path=tmp / "second.log", env=env, echo=False)
    return {"tmp": tmp, "warehouse": warehouse, "codes": (first, second), "outcome": outcome,
            "lines": lines.getvalue().splitlines(),
            "first_counts": first_counts, "logs": (tmp / "first.log", tmp / "second.log")}


def _published(dag_run) -> duckdb.DuckDBPyConnection:
    return duckdb.connect(str(dag_run["warehouse"] / "claimledger.duckdb"), read_only=True)


def test_both_runs_of_the_day_succeed(dag_run):
    for code, log in zip(dag_run["codes"], dag_run["logs"], strict=True):
        assert code == 0, log.read_text()[-5000:]


def test_the_cli_follows_every_task_through_airflows_state_not_its_log(dag_run):
    outcome = dag_run["outcome"]
    assert (outcome.run.state, outcome.failures) == ("success", [])
    assert outcome.run.run_id.startswith("manual__")
    tasks = [line.split() for line in dag_run["lines"]]
    assert [t[:2] for t in tasks] == [["✓", name] for name in (
        "discover_pages", "fetch_pages", "extract_articles", "clean_paragraphs",
        "find_figures", "load_warehouse", "build_marts", "check_quality",
        "publish_warehouse", "summarize_run")]  # mark_run_failed, skipped, is not listed
    mapped = {t[1]: t[2] for t in tasks if "/" in t[2]}
    assert set(mapped) == {"fetch_pages", "extract_articles", "clean_paragraphs",
                           "find_figures"}
    assert all(done == total for done, total in (m.split("/") for m in mapped.values()))
    assert all(t[-1] == "s" and float(t[-2]) >= 0 for t in tasks)
    assert outcome.summary.startswith("claimledger run summary")  # this run's, from XCom
    assert "trade figures   7" in outcome.summary


def test_rerunning_the_day_leaves_every_row_count_unchanged(dag_run):
    second = _counts(dag_run["warehouse"] / "build" / "claimledger.duckdb")
    assert second == dag_run["first_counts"]


def test_the_five_seed_articles_load_with_paragraphs_and_sentences(dag_run):
    with closing(_published(dag_run)) as con:
        rows = con.execute("""
            select a.url, count(distinct p.paragraph_id), count(distinct s.sentence_id)
            from raw.articles as a
            join raw.paragraphs as p using (article_id)
            join raw.sentences as s using (article_id)
            group by a.url""").fetchall()
    assert len(rows) == 5
    assert all(paragraphs > 0 and sentences > 0 for _, paragraphs, sentences in rows)


def test_bad_files_are_quarantined_with_reasons_and_the_rest_loads(dag_run):
    with closing(_published(dag_run)) as con:
        quarantined = dict(con.execute(
            "select regexp_extract(url, '[^/]+$'), reason_code from raw.quarantine").fetchall())
    assert quarantined == {"empty.html": "empty_file", "corrupt.html": "not_html",
                           "no_article.html": "no_article"}


def _manifest_url(seed: str) -> str:
    with (SAMPLE_CORPUS / "manifest.csv").open(newline="") as handle:
        return next(r["url"] for r in csv.DictReader(handle) if r["file"].startswith(seed))


@pytest.mark.parametrize(("seed", "year", "billions"), [
    ("000_", 2024, 245), ("001_", 2024, 245), ("002_", 2022, 190), ("004_", 2023, 240)])
def test_bilateral_china_russia_trade_figure_points_at_its_article_and_sentence(
        dag_run, seed, year, billions):
    with closing(_published(dag_run)) as con:
        rows = con.execute("""
            select t.value_usd, s.text
            from marts.fct_trade_figures as t
            join raw.sentences as s on s.sentence_id = t.sentence_id
            join raw.articles as a on a.article_id = t.article_id
            where t.flow = 'bilateral' and t.reporter = 'CHN' and t.partner = 'RUS'
              and t.period_year = ? and t.commodity = 'all' and a.url = ?""",
            [year, _manifest_url(seed)]).fetchall()
    assert len(rows) == 1, rows
    value_usd, sentence = rows[0]
    assert abs(value_usd - billions * 1e9) <= billions * 1e9 * 0.005
    assert str(billions) in sentence.replace(",", "")


def test_repeated_paragraphs_of_000_and_001_are_kept_once(dag_run):
    with closing(_published(dag_run)) as con:
        repeats = con.execute("""
            select a.title, p.repaired_text, count(*)
            from raw.paragraphs as p join raw.articles as a using (article_id)
            where p.is_kept
            group by all having count(*) > 1""").fetchall()
        duplicates = con.execute("""
            select count(*) from raw.paragraphs
            where removal_reason = 'duplicate'
              and duplicate_of_paragraph_id is not null""").fetchone()[0]
    assert repeats == []
    assert duplicates >= 14  # 7 repeated paragraphs in 000, 7 in 001


def test_quality_verdict_and_stage_counts_are_recorded(dag_run):
    with closing(_published(dag_run)) as con:
        sources = {r[0] for r in con.execute(
            "select distinct check_source from audit.quality_results").fetchall()}
        errors = con.execute("select check_name from audit.quality_results "
                             "where severity = 'error' and status in ('fail', 'error')").fetchall()
        stages = {r[0]: r[1:] for r in con.execute(
            "select stage, items_in, items_out, items_quarantined from audit.stage_counts "
            "where run_id = (select max(run_id) from audit.stage_counts)").fetchall()}
    assert sources == {"dbt", "great_expectations"}
    assert errors == []
    assert stages["discover"][0] == 8
    assert stages["fetch"] == (8, 6, 2)
    assert stages["extract"] == (6, 5, 1)


def test_summary_and_html_report_are_written(dag_run):
    reports = dag_run["warehouse"] / "reports"
    summary = (reports / "summary.txt").read_text()
    assert "trade figures   7" in summary
    assert "quality         passed" in summary
    page = (reports / f"run-{INGEST_DATE}.html").read_text()
    assert "<h2>Trade figures</h2>" in page and "CHN" in page
    assert (reports / "data_docs" / "index.html").exists()
