"""Real news nobody here wrote, through the real DAG: the day publishes.

All 121 pages of article-extraction-benchmark and every fourth page of trafilatura-eval
(any topic, many languages; the full set runs with `make run CORPUS=...`): the run
succeeds and publishes, no error-severity check fails, and what was quarantined or
rejected stays a small, explained share. Skipped where ../shared/eval is absent.
"""

from __future__ import annotations

from contextlib import closing

import duckdb
import pytest

from claimledger.cli import run_dag
from tests.dag_harness import dag_env, init_airflow
from tests.e2e.real_news import extraction_pages

pytestmark = pytest.mark.e2e

INGEST_DATE = "2026-11-30"
# Quarantined inputs allowed, as a share of the pages (pages without an article, mostly).
MAX_QUARANTINED_SHARE = 0.15


@pytest.fixture(scope="module")
def real_run(tmp_path_factory) -> dict:
    tmp = tmp_path_factory.mktemp("real_news")
    corpus = tmp / "corpus"
    pages = extraction_pages(corpus, "article-extraction-benchmark")
    pages += extraction_pages(corpus, "trafilatura-eval", every=4)
    env = dag_env(tmp / "airflow_home", tmp / "warehouse", corpus=corpus)
    init_airflow(env)
    code = run_dag(INGEST_DATE, log_path=tmp / "dag.log", env=env, echo=False)
    return {"code": code, "pages": len(pages), "log": tmp / "dag.log",
            "published": tmp / "warehouse" / "claimledger.duckdb"}


def _rows(run: dict, sql: str) -> list[tuple]:
    with closing(duckdb.connect(str(run["published"]), read_only=True)) as con:
        return con.execute(sql).fetchall()


def test_a_day_of_real_news_publishes(real_run):
    assert real_run["code"] == 0, real_run["log"].read_text(errors="replace")[-5000:]
    assert real_run["published"].exists()
    articles = _rows(real_run, "select count(*) from marts.dim_articles")[0][0]
    assert articles > 0.8 * real_run["pages"]


def test_no_error_check_fails_on_real_news(real_run):
    failed = _rows(real_run, "select check_name, message from audit.quality_results "
                             "where severity = 'error' and status in ('fail', 'error')")
    assert failed == []


def test_quarantine_of_real_news_is_bounded_and_explained(real_run):
    rows = _rows(real_run, "select reason_code, error_message from marts.rpt_quarantine")
    assert len(rows) <= MAX_QUARANTINED_SHARE * real_run["pages"], rows
    assert all(reason and message for reason, message in rows)


def test_every_rejected_row_names_its_check_value_and_sentence(real_run):
    rows = _rows(real_run, "select check_name, offending_value, sentence_text, row_id "
                           "from marts.rpt_rejected_rows")
    published = {r[0] for r in _rows(real_run, "select trade_figure_id "
                                               "from marts.fct_trade_figures")}
    for check, value, sentence, row_id in rows:
        assert check and value and sentence
        assert row_id not in published
