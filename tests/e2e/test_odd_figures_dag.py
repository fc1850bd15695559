"""Odd figures through the real DAG, in one day: the bundled seeds, three pages that used
to stop or mislead a day (tests/fixtures/odd_trade_pages/), and the NewsQuant dev sentences
as one page each; every stored figure must be exactly what the parser finds in its
sentence (the warehouse holds what the parser finds)."""

from __future__ import annotations

import shutil
from contextlib import closing
from pathlib import Path

import duckdb
import pytest

from bench import real_corpora
from bench.corpus import eval_dir
from claimledger.cli import run_dag
from claimledger.eval_figures import score_parts, warehouse_figures
from tests.conftest import REPO, SAMPLE_CORPUS
from tests.dag_harness import dag_env, init_airflow
from tests.e2e.real_news import newsquant_pages, newsquant_records, require_eval
from transforms.figures.parsing import parse_figures

pytestmark = pytest.mark.e2e

INGEST_DATE = "2026-12-01"
ODD_PAGES = REPO / "tests" / "fixtures" / "odd_trade_pages"


def _run(tmp: Path, corpus: Path) -> dict:
    env = dag_env(tmp / "airflow_home", tmp / "warehouse", corpus=corpus)
    init_airflow(env)
    code = run_dag(INGEST_DATE, log_path=tmp / "dag.log", env=env, echo=False)
    return {"code": code, "log": tmp / "dag.log",
            "published": tmp / "warehouse" / "claimledger.duckdb"}


def _rows(run: dict, sql: str) -> list[tuple]:
    assert run["code"] == 0, run["log"].read_text(errors="replace")[-5000:]
    with closing(duckdb.connect(str(run["published"]), read_only=True)) as con:
        return con.execute(sql).fetchall()


@pytest.fixture(scope="module")
def odd_run(tmp_path_factory) -> dict:
    tmp = tmp_path_factory.mktemp("odd")
    corpus = tmp / "corpus"
    shutil.copytree(SAMPLE_CORPUS, corpus)
    for page in ODD_PAGES.glob("*.html"):
        shutil.copy(page, corpus / page.name)
    with_newsquant = eval_dir().joinpath(*real_corpora.NEWSQUANT).exists()
    if with_newsquant:
        newsquant_pages(corpus)
    return {**_run(tmp, corpus), "with_newsquant": with_newsquant}


@pytest.fixture(scope="module")
def newsquant_run(odd_run) -> dict:
    """The same day: the NewsQuant pages were read beside the seeds and the odd pages."""
    if not odd_run["with_newsquant"]:
        require_eval(*real_corpora.NEWSQUANT)
    return odd_run


def _trade(run: dict, url_part: str) -> list[tuple]:
    return _rows(run, f"""
        select t.flow, t.reporter, t.partner, t.value_usd, t.period_year, t.sentence_text
        from marts.fct_trade_figures as t join marts.dim_articles as a using (article_id)
        where a.url like '%{url_part}%' order by t.value_usd""")


def test_the_odd_pages_publish_beside_the_seeds_seven_trade_figures(odd_run):
    seeds = _rows(odd_run, """
        select count(*) from marts.fct_trade_figures as t
        join marts.dim_articles as a using (article_id) where a.url not like 'snapshot://%'""")
    assert seeds == [(7,)]


def test_a_middle_dot_decimal_is_read_as_six_and_a_half_billion(odd_run):
    rows = _trade(odd_run, "middle-dot")
    assert [(r[0], r[1], r[2], r[3]) for r in rows] == [("bilateral", "CHN", "RUS", 6.5e9)]


def test_an_unknown_partner_is_never_taken_from_another_sentence(odd_run):
    rows = _trade(odd_run, "brazil")
    assert [(r[0], r[1], r[2], r[3]) for r in rows] == [("bilateral", "BRA", "CHN", 150e9)]
    assert "Brazil" in rows[0][5]


def test_a_figure_only_in_a_lede_repeating_the_title_reaches_the_trade_table(odd_run):
    rows = _trade(odd_run, "lede")
    assert [(r[0], r[1], r[2], r[3], r[4]) for r in rows] == \
        [("bilateral", "CHN", "RUS", 254e9, 2024)]
    paragraph = _rows(odd_run, """
        select p.is_kept, p.removal_reason
        from marts.fct_trade_figures as t
        join raw.sentences as s using (sentence_id)
        join raw.paragraphs as p on s.paragraph_id = p.paragraph_id
        join marts.dim_articles as a on t.article_id = a.article_id
        where a.url like '%lede%'""")
    assert paragraph == [(False, "title_repeat")]


def test_the_warehouse_holds_what_the_parser_finds_in_each_kept_sentence(newsquant_run):
    stored: dict[str, list[tuple]] = {}
    for sentence_id, raw_text, start, end, value_full in _rows(newsquant_run, """
            select sentence_id, raw_text, span_start, span_end, value_full
            from raw.figure_mentions order by sentence_id, span_start"""):
        stored.setdefault(sentence_id, []).append((raw_text, start, end, value_full))
    sentences = _rows(newsquant_run, "select sentence_id, text from raw.sentences")
    assert len(sentences) > 300
    differing = []
    for sentence_id, text in sentences:
        parsed = [(f.raw_text, f.span_start, f.span_end, f.value_full)
                  for f in parse_figures(text)]
        if parsed != stored.get(sentence_id, []):
            differing.append((text, parsed, stored.get(sentence_id)))
    assert differing == []


def test_through_the_warehouse_scores_what_the_parser_scores(newsquant_run):
    """Every dev sentence reaches the warehouse whole (no page lost to extraction or
    cleaning, no sentence text changed), so the two scores agree on both parts."""
    records = newsquant_records()
    by_index = warehouse_figures(newsquant_run["published"])
    parser = score_parts(records)
    warehouse = score_parts(records, lambda index, _text: by_index.get(index, []))
    for part in parser:
        assert (warehouse[part].matched, warehouse[part].predicted) == \
            (parser[part].matched, parser[part].predicted), part
