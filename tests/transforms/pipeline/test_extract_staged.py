"""extract_batch: each worker reads its own pages' bodies from the staged pages.parquet, by
row; rows the fetch did not fetch (unchanged, failed) are skipped without shifting a body
onto the wrong page."""

from __future__ import annotations

import datetime as dt

import polars as pl

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
            "content_hash": f"h{index}", "byte_count": 100, "fetch_outcome": outcome,
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
