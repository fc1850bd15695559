"""extract_batch: each worker reads its own pages' bodies from the staged pages.parquet, by
row; rows the fetch did not fetch (unchanged, failed) are skipped without shifting a body
onto the wrong page; a page with an earlier page's bytes is not extracted again, and its
article row is the one its own extraction would give."""

from __future__ import annotations

import datetime as dt

import polars as pl
import pytest

from transforms.extract import articles as extract_articles
from transforms.extract.articles import ARTICLE_COLUMNS, extract_pages, one_page_per_article
from transforms.pipeline.stages import extract_batch

STORY = ("<html><head><title>{title}</title></head><body><article><h1>{title}</h1>"
         "<p>{text} The ministry published the figures on Monday in its monthly bulletin, "
         "which covers every port and every border crossing of the country.</p>"
         "<p>Analysts said the trend would continue into the next quarter of the year.</p>"
         "</article></body></html>")


def _page(index: int, outcome: str) -> dict:
    title = f"Story number {index}"
    return {"page_id": f"p{index}", "source_name": "wire",
            "url": f"https://news.example/{index}", "fetched_at": dt.datetime(2026, 6, 1, 8),
            "content_type": "text/html", "content_hash": f"h{index}", "byte_count": 100,
            "fetch_outcome": outcome,
            "html": STORY.format(title=title, text=f"Exports grew {index} percent in May.")
            if outcome == "fetched" else None}


def test_each_article_is_extracted_from_its_own_row_of_the_staged_file(tmp_path, monkeypatch):
    # more rows than the pool's minimum, so the chunks really go to worker processes
    monkeypatch.setenv("CLAIMLEDGER_WORKERS", "2")
    outcomes = ["fetched", "unchanged", "fetched", "fetched", "failed"] * 8
    pl.DataFrame([_page(i, o) for i, o in enumerate(outcomes)]).write_parquet(
        tmp_path / "pages.parquet")
    counts = extract_batch(str(tmp_path))
    extracted = pl.read_parquet(tmp_path / "extracted.parquet")
    fetched = [i for i, o in enumerate(outcomes) if o == "fetched"]
    assert counts["items_in"] == len(fetched) == extracted.height
    for row in extracted.iter_rows(named=True):
        index = int(row["url"].rsplit("/", 1)[1])
        assert row["title"] == f"Story number {index}"
        assert f"Exports grew {index} percent in May." in row["raw_text"]


def test_a_batch_without_fetched_pages_extracts_nothing(tmp_path):
    pl.DataFrame([_page(0, "unchanged"), _page(1, "failed")]).write_parquet(
        tmp_path / "pages.parquet")
    assert extract_batch(str(tmp_path))["items_out"] == 0
    assert pl.read_parquet(tmp_path / "extracted.parquet").is_empty()


NAMED = ("<html><head><title>{title}</title><link rel=canonical href={url}>"
         "<meta property=og:url content={url}><meta name=date content=2026-05-{day:02d}>"
         "</head><body><article><h1>{title}</h1><p>{text} The ministry published the "
         "figures on Monday in its monthly bulletin, which covers every port.</p>"
         "<p>Analysts said the trend would continue into the next quarter.</p>"
         "</article></body></html>")
NO_ARTICLE = "<html><body><ul><li><a href=/a>Home</a></li><li>Contact</li></ul></body></html>"


def _copies_batch() -> list[dict]:
    """Bodies, each under several URLs: one naming its own URL, one naming none (its
    metadata comes from the fetch URL), a page without an article; the same bytes under
    two content types once."""
    named = NAMED.format(title="Port traffic", url="https://wire.example/port", day=4,
                         text="Exports grew 4 percent in May.")
    unnamed = STORY.format(title="Harbour story", text="Imports fell 2 percent in May.")
    bodies = [("named", named, "text/html"), ("unnamed", unnamed, "text/html"),
              ("empty", NO_ARTICLE, "text/html"), ("unnamed", unnamed,
                                                      "text/html; charset=latin-1")]
    pages = []
    for index in range(12):
        name, html, content_type = bodies[index % len(bodies)]
        pages.append({"page_id": f"p{index}", "source_name": f"outlet{index % 3}",
                      "url": f"https://site{index}.example/2026/05/04/{name}",
                      "fetched_at": dt.datetime(2026, 6, 1, 8, index),
                      "content_type": content_type, "content_hash": name, "byte_count": 100,
                      "fetch_outcome": "fetched", "html": html})
    return pages


@pytest.mark.parametrize("workers", ["1", "2"])
def test_copies_get_the_rows_their_own_extraction_would_give(tmp_path, monkeypatch, workers):
    monkeypatch.setenv("CLAIMLEDGER_WORKERS", workers)
    pages = pl.DataFrame(_copies_batch())
    pages.write_parquet(tmp_path / "pages.parquet")
    expected, refused = extract_pages(pages)
    expected, duplicates = one_page_per_article(expected.select(list(ARTICLE_COLUMNS)), "x")
    extract_batch(str(tmp_path))
    extracted = pl.read_parquet(tmp_path / "extracted.parquet")
    quarantined = pl.read_parquet(tmp_path / "quarantine_extract.parquet")
    assert extracted.sort("url").equals(expected.sort("url"))
    assert sorted(zip(quarantined["url"], quarantined["reason_code"], strict=True)) == sorted(
        [*zip(refused["url"], refused["reason_code"], strict=True),
         *((d["url"], "duplicate_url") for d in duplicates)])
    copied = quarantined.filter(pl.col("error_message").str.contains("the same bytes as"))
    assert copied.height == 2  # the later two of three pages without an article


def test_the_same_bytes_are_extracted_once(tmp_path, monkeypatch):
    monkeypatch.setenv("CLAIMLEDGER_WORKERS", "1")
    calls = []
    real = extract_articles.extract_page
    monkeypatch.setattr(extract_articles, "extract_page",
                        lambda html, url: calls.append(url) or real(html, url))
    pl.DataFrame(_copies_batch()).write_parquet(tmp_path / "pages.parquet")
    extract_batch(str(tmp_path))
    # four bodies: three hashes, one of them under two content types
    assert len(calls) == 4
