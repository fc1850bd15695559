"""transforms.extract.page: explicit trafilatura settings, metadata, fallback, determinism."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
import trafilatura
import yaml

from transforms.extract import page as extract
from transforms.extract.page import ExtractionError, extract_page, extraction_settings

REPO = Path(__file__).resolve().parents[3]
FIXTURES = REPO / "tests" / "fixtures"
NEWS_PAGE = FIXTURES / "extract_news_with_comments.html"
NEWS_URL = "https://northport-gazette.example/business/harbour-exports-rise/?utm_source=feed"
BODY_SENTENCES = [
    "Exports through Northport harbour rose by 4.2 percent in 2023 to 18 million tonnes",
    "Grain shipments led the increase, followed by timber and machinery",
    "its chief executive told reporters.",
    "road access to the harbour remains a bottleneck during the harvest season.",
]
COMMENT_TEXT = "Great news for the town"


def _quarantine_reasons() -> set[str]:
    reasons = yaml.safe_load((REPO / "transforms" / "rules" / "reasons.yml").read_text())
    return set(reasons["quarantine_reasons"])


def test_extraction_settings_are_explicit_data() -> None:
    settings = extraction_settings()
    assert settings["common"]["include_comments"] is False
    assert settings["common"]["deduplicate"] is False
    # metadata is read once per page (transforms/extract/metadata.py), not by every path
    assert settings["common"]["with_metadata"] is False
    assert settings["metadata"]["date_extraction_params"]["min_date"] == "1900-01-01"
    names = [path["name"] for path in settings["paths"]]
    assert names[0] == "trafilatura_precise"
    assert len(set(names)) == len(names)


def test_extract_page_returns_body_and_metadata_without_comments() -> None:
    page = extract_page(NEWS_PAGE.read_text(encoding="utf-8"), NEWS_URL)
    for sentence in BODY_SENTENCES:
        assert sentence in page["raw_text"]
    assert COMMENT_TEXT not in page["raw_text"]
    assert page["title"] == "Harbour exports rise for a third year"
    assert page["author"] == "Priya Calloway"
    assert page["published_date"] == dt.date(2024, 5, 14)
    assert page["site_name"] == "Northport Gazette"
    assert page["language"] == "en"
    assert (
        page["canonical_url"] == "https://northport-gazette.example/business/harbour-exports-rise/"
    )
    assert page["extraction_path"] == "trafilatura_precise"
    assert page["extractor_version"] == trafilatura.__version__
    assert len(page["raw_text"].split("\n")) == 4


def test_bare_trafilatura_keeps_the_comments_we_drop() -> None:
    # The reason include_comments=False is explicit: trafilatura's default keeps them.
    assert COMMENT_TEXT in (trafilatura.extract(NEWS_PAGE.read_text(encoding="utf-8")) or "")


def test_extract_page_is_deterministic_whatever_ran_before() -> None:
    html = NEWS_PAGE.read_text(encoding="utf-8")
    first = extract_page(html, NEWS_URL)
    # Extract other pages sharing paragraphs in between: with trafilatura's process-wide
    # dedup cache on, the repeated paragraphs would now vanish from the second run.
    for _ in range(3):
        extract_page(html.replace("Harbour exports", "Harbour imports"), NEWS_URL + "&x=1")
    assert extract_page(html, NEWS_URL) == first


def test_extract_page_without_canonical_falls_back_to_url() -> None:
    html = (
        "<html><head><title>Plain page</title></head><body><article>"
        "<p>The customs office published its monthly figures on Monday, showing a rise in "
        "exports of machinery and a fall in imports of fuel compared with April.</p>"
        "</article></body></html>"
    )
    page = extract_page(html, "https://plain.example/a")
    assert page["canonical_url"] == "https://plain.example/a"
    assert page["language"] is None


def test_empty_html_is_a_parse_error() -> None:
    with pytest.raises(ExtractionError) as caught:
        extract_page("   ", "https://x.example/")
    assert caught.value.reason_code == "parse_error"
    assert caught.value.reason_code in _quarantine_reasons()


def test_page_without_article_is_no_article() -> None:
    html = "<html><body><script>var a = 1;</script><nav><a href='/'>Home</a></nav></body></html>"
    with pytest.raises(ExtractionError) as caught:
        extract_page(html, "https://x.example/")
    assert caught.value.reason_code == "no_article"
    assert caught.value.reason_code in _quarantine_reasons()


def test_fallback_path_is_recorded_when_the_first_path_finds_nothing(monkeypatch) -> None:
    settings = extraction_settings()
    # A first path that prunes every paragraph returns nothing; the next one must run.
    crippled = {
        **settings,
        "paths": [
            {"name": "pruned", "kind": "bare_extraction", "options": {"prune_xpath": "//p"}},
            *settings["paths"][1:],
        ],
    }
    monkeypatch.setattr(extract, "extraction_settings", lambda: crippled)
    page = extract_page(NEWS_PAGE.read_text(encoding="utf-8"), NEWS_URL)
    assert page["extraction_path"] == "trafilatura_default"
    assert BODY_SENTENCES[0] in page["raw_text"]


def test_baseline_path_works_on_its_own(monkeypatch) -> None:
    settings = extraction_settings()
    only_baseline = {**settings, "paths": [p for p in settings["paths"] if p["kind"] == "baseline"]}
    monkeypatch.setattr(extract, "extraction_settings", lambda: only_baseline)
    page = extract_page(NEWS_PAGE.read_text(encoding="utf-8"), NEWS_URL)
    assert page["extraction_path"] == "trafilatura_baseline"
    assert BODY_SENTENCES[0] in page["raw_text"]
    assert page["title"] == "Harbour exports rise for a third year"


def test_a_page_whose_one_paragraph_is_a_short_sentence_is_an_article():
    from transforms.extract.page import ExtractionError, extract_page

    page = ("<html><head><title>Brief</title></head><body><article><h1>Brief</h1>"
            "<p>The aircraft is 72.7 metres long.</p></article></body></html>")
    assert "72.7 metres" in extract_page(page, "https://example.org/brief")["raw_text"]
    links = ("<html><head><title>Home</title></head><body><ul><li><a href='/a'>World news"
             "</a></li><li><a href='/b'>Business and markets</a></li></ul></body></html>")
    try:
        extract_page(links, "https://example.org/")
    except ExtractionError as error:
        assert error.reason_code == "no_article"
    else:
        raise AssertionError("a list of section links is not an article")
