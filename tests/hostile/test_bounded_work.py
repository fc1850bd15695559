"""Bounded work per page: the caps of transforms/rules/limits.yml quarantine an article with
its reason, and the clean and figures stages do work linear in their input.

Work is counted, not timed: cProfile's call count (every Python and built-in call) of the
stage functions, and the paragraphs that reach the decisions. The timeout is a backstop
for a regression that would otherwise run for minutes, not the assertion.
"""

from __future__ import annotations

import cProfile
import datetime as dt
import pstats
import random
import shutil

import duckdb
import polars as pl
import pytest

from tests.conftest import REPO, SAMPLE_CORPUS
from tests.faults.pipeline import run_pipeline
from transforms.clean import paragraphs as paragraph_rules
from transforms.clean.articles import clean_articles
from transforms.clean.paragraphs import with_paragraph_decisions
from transforms.clean.sentences import sentence_spans
from transforms.extract.page import extract_page
from transforms.figures.attribution import quote_of
from transforms.figures.parsing import parse_figures
from transforms.kernel.keys import article_id
from transforms.kernel.limits import LIMIT_REASONS, limit
from transforms.kernel.quarantine import QUARANTINE_SCHEMA, reason_vocabulary
from transforms.kernel.settings import Settings
from transforms.kernel.urls import normalise_url
from transforms.pipeline.stages import find_figures_in

pytestmark = pytest.mark.timeout(180)

NORMAL = ("Exports to Brazil rose 4.2% to $12 billion in 2024, officials said on Monday.\n"
          "Analysts expect the growth to slow next year as demand for soybeans weakens.")


def _sentence(k: int) -> str:
    return (f"Shipments of lot {k} to Chile rose {k % 90}.{k % 7}% to ${k + 1} billion, "
            f"the ministry said in its report number {k}.")


def _articles(texts: dict[str, str]) -> pl.DataFrame:
    return pl.DataFrame([{
        "article_id": key, "url": f"https://hostile.example/{key}", "source_name": "hostile",
        "raw_text": text, "language": "en", "title": f"Title {key}", "author": None,
        "site_name": None, "published_date": dt.date(2025, 3, 1)} for key, text in texts.items()],
        schema={"article_id": pl.String, "url": pl.String, "source_name": pl.String,
                "raw_text": pl.String, "language": pl.String, "title": pl.String,
                "author": pl.String, "site_name": pl.String, "published_date": pl.Date})


def _hostile_html(size_bytes: int) -> str:
    """A hostile page of about size_bytes: thousands of short paragraphs full of numbers,
    one enormous sentence without punctuation, and markup nested hundreds deep."""
    nested = "<div><span>" * 300 + "<p>Deep in the markup, trade rose 3%.</p>" + \
        "</span></div>" * 300
    huge = " ".join(f"token{i} {i}" for i in range(size_bytes // 40))
    paragraphs, used, k = [], len(huge) + 20 * len(nested), 0
    while used < size_bytes:
        paragraphs.append(f"<p>{_sentence(k)}</p>")
        used += len(paragraphs[-1])
        k += 1
    half = len(paragraphs) // 2
    return ('<!doctype html><html lang="en"><head><title>Hostile</title></head><body>'
            "<article><h1>Hostile</h1>" + "".join(paragraphs[:half]) + f"<p>{huge}</p>"
            + nested * 20 + "".join(paragraphs[half:]) + "</article></body></html>")


def test_every_limit_has_a_quarantine_reason_and_a_positive_cap():
    for name, (reason, _) in LIMIT_REASONS.items():
        assert reason in reason_vocabulary("quarantine_reasons"), reason
        assert limit(name) > 0


def test_a_7_mb_hostile_page_is_quarantined_before_its_paragraphs_are_decided(monkeypatch):
    html = _hostile_html(7 * 1024 * 1024)
    assert len(html.encode()) > 7 * 1024 * 1024
    # The extracted text of the page: trafilatura keeps each paragraph as a line (the
    # extractor itself is run on a smaller page of the same build below).
    lines = [chunk.split("</p>")[0] for chunk in html.split("<p>")[1:]]
    decided_lines: list[int] = []
    real = paragraph_rules._decide_article

    def counting(texts, article):
        decided_lines.append(len(texts))
        return real(texts, article)

    monkeypatch.setattr(paragraph_rules, "_decide_article", counting)
    articles, decided, sentences, signatures, quarantined = clean_articles(
        _articles({"hostile": "\n".join(lines), "normal": NORMAL}))
    assert quarantined.schema == pl.Schema(QUARANTINE_SCHEMA)
    row = quarantined.row(0, named=True)
    assert quarantined.height == 1 and row["reason_code"] == "too_many_paragraphs"
    assert row["stage"] == "clean" and row["url"] == "https://hostile.example/hostile"
    cap = limit("max_paragraphs_per_article")
    assert f"{len(lines):,} paragraphs exceed the limit of {cap:,}" in row["error_message"]
    # Refused whole, before any of its lines was decided; the other article is untouched.
    assert decided_lines == [2]
    assert articles["article_id"].to_list() == ["normal"]
    assert set(decided["article_id"]) == set(sentences["article_id"]) == {"normal"}
    assert signatures["article_id"].to_list() == ["normal"]


def test_the_hostile_page_goes_through_extract_clean_and_figures_to_one_quarantine_row():
    page = extract_page(_hostile_html(512 * 1024), "https://hostile.example/hostile")
    articles, _, sentences, _, quarantined = clean_articles(
        _articles({"hostile": page["raw_text"], "normal": NORMAL}))
    assert quarantined.select("url", "reason_code").rows() == [
        ("https://hostile.example/hostile", "sentence_too_long")]
    figures, trades, claims, refused = find_figures_in(sentences, articles)
    assert refused.is_empty()
    assert set(figures["article_id"]) == set(claims["article_id"]) == {"normal"}
    assert figures.height == 2 and trades.is_empty()  # no two sides named: no statement


@pytest.mark.parametrize(("name", "text"), [
    ("max_paragraphs_per_article", lambda cap: "\n".join(
        f"Line {k} of a list." for k in range(cap + 1))),
    ("max_sentences_per_article", lambda cap: "\n".join(
        " ".join(_sentence(k * 3 + j) for j in range(3)) for k in range(cap // 3 + 1))),
    ("max_sentence_chars", lambda cap: NORMAL + "\n" + "word " * (cap // 5 + 1)),
])
def test_an_article_over_a_clean_cap_is_quarantined_with_its_reason(name, text):
    articles, decided, sentences, _, quarantined = clean_articles(
        _articles({"over": text(limit(name)), "normal": NORMAL}))
    assert quarantined.select("stage", "url", "reason_code").rows() == [
        ("clean", "https://hostile.example/over", LIMIT_REASONS[name][0])]
    assert name in quarantined["error_message"][0]
    assert quarantined["input_excerpt"][0]  # the article's first characters, for a reader
    for frame in (articles, decided, sentences):
        assert set(frame["article_id"]) == {"normal"}


def test_an_article_with_too_many_figures_is_quarantined_before_trade_and_claims():
    cap = limit("max_figures_per_article")
    dense = "\n".join(" ".join(_sentence(k * 2 + j) for j in range(2))
                      for k in range(cap // 4 + 1))  # 2 figures a sentence, 4 a line
    articles, _, sentences, _, quarantined = clean_articles(
        _articles({"dense": dense, "normal": NORMAL}))
    assert quarantined.is_empty()
    figures, trades, claims, refused = find_figures_in(sentences, articles)
    assert refused.select("stage", "url", "reason_code").rows() == [
        ("figures", "https://hostile.example/dense", "too_many_figures")]
    assert set(figures["article_id"]) == set(claims["article_id"]) == {"normal"}
    assert set(trades["article_id"]) <= {"normal"}


def _work(func, *args) -> int:
    """cProfile's count of the calls func(*args) makes (Python and built-in functions)."""
    profile = cProfile.Profile()
    profile.runcall(func, *args)
    return pstats.Stats(profile).total_calls


def _article_of(size_chars: int) -> pl.DataFrame:
    """One article within every cap, of about size_chars: one-sentence paragraphs of numbers
    (many, for the near-duplicate search), one
    paragraph of many quoted sentences, a 2,700-character sentence, exact repeats."""
    lines, k = [], 0
    while sum(map(len, lines)) < size_chars * 0.8:
        lines.append(f"Shipments of lot {k} to Chile rose {k % 90}.{k % 7}% to ${k + 1} "
                     "billion, the ministry said in its annual report.")
        k += 1
    quoted = " ".join(f"“Shipments rose {i}%,” she said. {_sentence(i)}"
                      for i in range(size_chars // 1_000))
    lines.insert(len(lines) // 2, quoted)
    lines.insert(10, " ".join(f"item{i} {i}" for i in range(230)))  # one long sentence
    lines.extend(lines[:5])  # exact repeats
    return _articles({"a": "\n".join(lines)})


def _stage_work(size_chars: int) -> tuple[int, int]:
    """Calls made by the clean stage and by the figures stage on _article_of(size_chars)."""
    extracted = _article_of(size_chars)
    out = {}

    def clean():
        out["clean"] = clean_articles(extracted)

    clean_calls = _work(clean)
    articles, _, sentences, _, quarantined = out["clean"]
    assert quarantined.is_empty()  # within the caps: this measures the stages' own work
    return clean_calls, _work(find_figures_in, sentences, articles)


def test_clean_and_figures_work_grows_linearly_with_the_article():
    _stage_work(10_000)  # rules, word lists and patterns load once a process: not counted
    small, double, quadruple = (_stage_work(size) for size in (40_000, 80_000, 160_000))
    for stage in (0, 1):
        # Linear: twice the text, twice the calls (give or take the rounding of the text to
        # whole lines); one step quadratic in paragraphs, sentences or figures gives more.
        assert double[stage] / small[stage] < 2.3, (stage, small, double)
        assert quadruple[stage] / double[stage] < 2.3, (stage, double, quadruple)


def test_run_of_marks_and_opening_quotes_are_read_in_linear_time():
    # Each took quadratic time before: 20,000 question marks 10 s in the boundary regex.
    assert sentence_spans("?" * 200_000) == [(0, 200_000)]
    assert sentence_spans("Yes. " * 40_000)[-1] == (199_995, 199_999)
    opened = "“Word " * 30_000
    assert sentence_spans(opened) == [(0, len(opened) - 1)]
    assert quote_of(opened) is None
    assert parse_figures("5 " * 1_500 + "between 5 and 6 percent")[-1].is_range


def test_near_duplicates_found_by_the_index_equal_those_of_every_pair(monkeypatch):
    rng = random.Random(18)
    words = [f"word{i}" for i in range(40)]
    bases = [[rng.choice(words) for _ in range(30)] for _ in range(60)]
    lines = []
    for _ in range(400):  # copies of a base line with a few words changed: near pairs
        line = list(rng.choice(bases))
        for _ in range(rng.randint(0, 4)):
            line[rng.randrange(len(line))] = rng.choice(words)
        lines.append(" ".join(line))
    paragraphs = pl.DataFrame({"article_id": ["a"] * len(lines),
                               "position": list(range(len(lines))), "text": lines},
                              schema={"article_id": pl.String, "position": pl.Int32,
                                      "text": pl.String})
    meta = _articles({"a": ""}).select("article_id", "language", "title", "author",
                                       "site_name")
    indexed = with_paragraph_decisions(paragraphs, meta)

    def every_kept(self, row):
        return sorted(self.sets)

    monkeypatch.setattr(paragraph_rules._NearIndex, "candidates", every_kept)
    assert with_paragraph_decisions(paragraphs, meta).equals(indexed)
    assert (indexed["removal_reason"] == "duplicate").sum() > 50  # the test has pairs


def test_a_run_loads_nothing_of_an_article_over_a_cap_but_its_quarantine_row(tmp_path):
    corpus = tmp_path / "corpus"
    shutil.copytree(SAMPLE_CORPUS, corpus)
    cap = limit("max_figures_per_article")
    dense = [" ".join(_sentence(k * 2 + j) for j in range(2)) for k in range(cap // 4 + 1)]
    (corpus / "dense.html").write_text(
        "<html><head><title>Dense</title></head><body><article><h1>Dense</h1>"
        + "".join(f"<p>{line}</p>" for line in dense) + "</article></body></html>")
    lines = [f"Line {k} of a list of {k + 1} items." for k in range(limit(
        "max_paragraphs_per_article") + 1)]
    (corpus / "list.html").write_text(
        "<html><head><title>List</title></head><body><article><h1>List</h1>"
        + "".join(f"<p>{line}</p>" for line in lines) + "</article></body></html>")
    settings = Settings.from_env({"CLAIMLEDGER_HOME": str(REPO), "CLAIMLEDGER_CORPUS": str(corpus),
                                  "CLAIMLEDGER_WAREHOUSE_DIR": str(tmp_path / "warehouse")})
    run_pipeline(settings, "2026-03-02", "limits-run")
    with duckdb.connect(str(settings.build_db), read_only=True) as con:
        refused = con.execute("select stage, reason_code, url from raw.quarantine where "
                              "reason_code like 'too_many_%' order by stage").fetchall()
        assert [(stage, reason) for stage, reason, _ in refused] == [
            ("clean", "too_many_paragraphs"), ("figures", "too_many_figures")]
        urls = [url for _, _, url in refused]
        assert urls[0].endswith("list.html") and urls[1].endswith("dense.html")
        ids = [article_id(normalise_url(url)) for url in urls]
        for table in ("articles", "paragraphs", "sentences", "figure_mentions", "claims"):
            leaked = con.execute(f"select count(*) from raw.{table} "
                                 "where article_id in (select unnest(?))", [ids]).fetchone()[0]
            assert leaked == 0, table
        assert con.execute("select count(*) from raw.articles").fetchone()[0] > 0
        counts = dict(con.execute("select stage, items_quarantined from audit.stage_counts"
                                  ).fetchall())
    assert counts["clean"] == counts["figures"] == 1
