"""The extraction gate: production extraction (transforms/extract/page.py extract_page) and
the production paragraph splitter and decisions score no lower than the floors pinned in
tests/data/extraction_gate/baseline.json, on the committed pages beside it.

Nothing outside the repository is read (no ../shared), so CI runs it. Scoring and re-pinning:
claimledger/extraction_gate.py; where the pages come from: tests/data/extraction_gate/SOURCES.md.
The regression tests show the gate can fail: each breaks one production step on purpose and
checks the score falls under its floor.
"""

from __future__ import annotations

import copy

import polars as pl
import pytest

from claimledger import eval_extraction
from claimledger.extraction_gate import (
    GATE_DIR,
    GATED,
    GatePage,
    below_floor,
    corpus_digest,
    load_baseline,
    load_pages,
    page_counts,
    score_pages,
)
from transforms.extract import page as extract

MAX_CORPUS_BYTES = 3 * 1024 * 1024


@pytest.fixture(scope="module")
def pages() -> list[GatePage]:
    return load_pages()


@pytest.fixture(scope="module")
def baseline() -> dict:
    return load_baseline()


def test_the_gate_pages_are_the_ones_the_floors_were_measured_on(pages, baseline):
    assert corpus_digest() == baseline["corpus_sha256"], (
        "tests/data/extraction_gate changed since its floors were pinned: measure and re-pin "
        "on purpose (python -m claimledger.extraction_gate --update-baseline)")
    assert len(pages) == baseline["pages"]
    assert sum(len(page.units) for page in pages) == baseline["article_units"]
    assert sum(len(page.boilerplate) for page in pages) == baseline["boilerplate_snippets"]


def test_the_gate_is_a_few_dozen_small_pages_each_with_article_text_and_boilerplate(pages):
    assert 30 <= len(pages) <= 50
    assert sum(path.stat().st_size for path in GATE_DIR.rglob("*")) < MAX_CORPUS_BYTES
    for page in pages:
        assert page.units and page.boilerplate, page.file
        article = " ".join(page.units)
        # A snippet that is also article text would count against a perfect extraction.
        assert not [s for s in page.boilerplate if s in article], page.file


def test_page_counts_follow_the_snippet_method():
    page = GatePage(file="p.html", url="https://x.example/", html="",
                    units=("Exports rose 4 percent.", "Imports fell.", "Prices held."),
                    boilerplate=("Most read", "Sign up today"))
    # A unit must sit inside one output line (whitespace collapsed); a unit split across
    # two lines is missed. Any boilerplate snippet found anywhere is a false positive.
    output = "Exports  rose 4\u00a0percent.\nImports\nfell.\nMost read: Prices held."
    assert page_counts(page, output) == (2, 1, 1)
    assert page_counts(page, "") == (0, 0, 3)


def test_production_extraction_scores_at_least_the_pinned_floors(pages, baseline):
    scores = score_pages(pages)
    assert set(baseline["floors"]) == set(GATED)
    missed = below_floor(scores, baseline)
    assert not missed, (
        "extraction regressed on tests/data/extraction_gate (see which pages with "
        "python -m claimledger.extraction_gate --show claimledger):\n" + "\n".join(missed))


def _drops_each_articles_last_paragraph(monkeypatch):
    real = eval_extraction.extract_page

    def extract_page(html, url):
        page = real(html, url)
        return {**page, "raw_text": "\n".join(page["raw_text"].split("\n")[:-1])}

    monkeypatch.setattr(eval_extraction, "extract_page", extract_page)


def _loses_the_favor_precision_path(monkeypatch):
    settings = copy.deepcopy(extract.extraction_settings())
    settings["paths"] = [p for p in settings["paths"] if p["name"] != "trafilatura_precise"]
    monkeypatch.setattr(extract, "extraction_settings", lambda: settings)


def _splits_paragraphs_at_every_sentence(monkeypatch):
    real = eval_extraction.split_paragraphs

    def split_paragraphs(extracted):
        return real(extracted.with_columns(pl.col("raw_text").str.replace_all(r"\. ", ".\n")))

    monkeypatch.setattr(eval_extraction, "split_paragraphs", split_paragraphs)


@pytest.mark.parametrize(("regression", "fails"), [
    (_drops_each_articles_last_paragraph,
     {("trafilatura_ours", "recall"), ("claimledger", "recall"), ("claimledger", "f1")}),
    (_loses_the_favor_precision_path,
     {("trafilatura_ours", "precision"), ("claimledger", "precision"), ("claimledger", "f1")}),
    (_splits_paragraphs_at_every_sentence, {("claimledger", "recall"), ("claimledger", "f1")}),
], ids=lambda value: getattr(value, "__name__", "")[1:])
def test_the_gate_fails_when_a_production_step_regresses(pages, baseline, monkeypatch,
                                                          regression, fails):
    regression(monkeypatch)
    missed = below_floor(score_pages(pages), baseline)
    for system, metric in fails:
        assert any(line.startswith(f"{system} {metric} ") for line in missed), (missed, system)
