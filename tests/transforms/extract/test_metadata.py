"""page_metadata reads the five fields trafilatura's extract_metadata reads, page by page."""

from __future__ import annotations

from pathlib import Path

import pytest
import trafilatura
from lxml.html import tostring
from trafilatura.metadata import extract_metadata

from transforms.extract.metadata import page_metadata
from transforms.extract.page import extract_page, extraction_settings

REPO = Path(__file__).resolve().parents[3]
PAGES = sorted([*REPO.glob("corpus/sample/*.html"), *REPO.glob("tests/fixtures/**/*.html"),
                *REPO.glob("tests/data/extraction_gate/pages/*.html")])
FIELDS = ("title", "author", "date", "sitename", "url")


def _date_params() -> dict:
    return extraction_settings()["metadata"]["date_extraction_params"]


def test_there_are_pages_to_compare():
    assert len(PAGES) >= 40


@pytest.mark.parametrize("page", PAGES, ids=lambda p: p.name)
def test_page_metadata_equals_trafilaturas_own(page: Path):
    html = page.read_text(encoding="utf-8")
    url = f"https://news.example/{page.stem}"
    ours = page_metadata(trafilatura.load_html(html), url, _date_params())
    theirs = extract_metadata(trafilatura.load_html(html), url, date_config=_date_params())
    assert {f: getattr(ours, f) for f in FIELDS} == {f: getattr(theirs, f) for f in FIELDS}


def test_page_metadata_leaves_the_tree_as_it_was():
    html = PAGES[0].read_text(encoding="utf-8")
    tree = trafilatura.load_html(html)
    before = tostring(tree)
    page_metadata(tree, "https://news.example/a", _date_params())
    assert tostring(tree) == before


def test_an_article_row_takes_its_metadata_from_the_page():
    page = next(p for p in PAGES if "corpus" in p.parts)
    html = page.read_text(encoding="utf-8")
    article = extract_page(html, "https://news.example/a")
    theirs = extract_metadata(trafilatura.load_html(html), "https://news.example/a",
                              date_config=_date_params())
    assert (article["title"], article["author"], article["site_name"]) == \
        (theirs.title, theirs.author, theirs.sitename)
    assert article["published_date"].isoformat() == theirs.date[:10]
    assert article["canonical_url"] == (theirs.url or "https://news.example/a")
