"""transforms.warehouse.writer: a partition load from staged Parquet files read by DuckDB itself."""

from __future__ import annotations

import datetime as dt

import duckdb
import polars as pl
import pytest

from transforms.kernel.settings import Settings
from transforms.warehouse.writer import ParquetRows, Warehouse

FETCHED = dt.datetime(2026, 6, 1, 8, 0)


def _article(article_id: str, content_hash: str) -> dict:
    return {
        "article_id": article_id, "source_name": "wire", "url": f"https://x.test/{article_id}",
        "canonical_url": f"https://x.test/{article_id}", "raw_text": "Text.",
        "clean_text": "Text.", "extractor": "trafilatura", "extractor_version": "2.3",
        "extraction_path": "trafilatura_precise", "content_hash": content_hash,
        "fetched_at": FETCHED, "paragraph_count": 1, "kept_paragraph_count": 1,
    }


def _paragraph(article_id: str) -> dict:
    return {
        "paragraph_id": f"{article_id}-p0000", "article_id": article_id, "position": 0,
        "text": "Text.", "repaired_text": "Text.", "repair_count": 0, "char_count": 5,
        "is_kept": True,
    }


def _page(page_id: str) -> dict:
    return {"page_id": page_id, "source_name": "wire", "url": f"https://x.test/{page_id}",
            "fetched_at": FETCHED, "byte_count": 10, "fetch_outcome": "fetched",
            "html": "<p>body</p>"}


@pytest.fixture
def warehouse(tmp_path) -> Warehouse:
    return Warehouse(Settings.from_env({"CLAIMLEDGER_WAREHOUSE_DIR": str(tmp_path)}))


def _staged(tmp_path) -> dict:
    paragraphs = tmp_path / "paragraphs.parquet"
    pl.DataFrame([_paragraph("a1"), _paragraph("a2"), _paragraph("a3")]).write_parquet(paragraphs)
    pages = tmp_path / "pages.parquet"
    pl.DataFrame([_page("g1"), _page("g2")]).write_parquet(pages)
    return {
        "articles": pl.DataFrame([_article("a1", "h1"), _article("a2", "h2")]),
        # a3's kept copy lives in another batch: its row here must not load.
        "paragraphs": [ParquetRows(paragraphs, ("a1", "a2"))],
        "pages": [ParquetRows(pages, exclude=("html",),
                              constants=(("archive_file", "archive/pages/b.parquet"),))],
    }


def _rows(warehouse: Warehouse, sql: str) -> list[tuple]:
    with duckdb.connect(str(warehouse.path), read_only=True) as con:
        return con.execute(sql).fetchall()


def test_parquet_rows_load_only_the_named_articles_stamped_with_their_partition(
        warehouse, tmp_path):
    report = warehouse.load_partition("2026-06-01", "run-1", _staged(tmp_path))
    assert report.rows_by_table == {"articles": 2, "paragraphs": 2, "pages": 2}
    assert _rows(warehouse, "select paragraph_id, ingest_date from raw.paragraphs "
                            "order by 1") == [("a1-p0000", dt.date(2026, 6, 1)),
                                              ("a2-p0000", dt.date(2026, 6, 1))]
    # The body stays out of the table; the archive file's name and the run go in.
    assert _rows(warehouse, "select page_id, run_id, archive_file from raw.pages "
                            "order by 1") == [("g1", "run-1", "archive/pages/b.parquet"),
                                              ("g2", "run-1", "archive/pages/b.parquet")]


def test_an_unchanged_article_on_a_later_day_keeps_its_rows_and_is_not_loaded_twice(
        warehouse, tmp_path):
    warehouse.load_partition("2026-06-01", "run-1", _staged(tmp_path))
    later = _staged(tmp_path)
    later["articles"] = pl.DataFrame([_article("a1", "h1"), _article("a2", "changed")])
    del later["pages"]  # page ids are per day: the same file would be other pages
    report = warehouse.load_partition("2026-06-02", "run-2", later)
    assert report.articles_unchanged == 1
    assert report.rows_by_table["paragraphs"] == 1
    assert _rows(warehouse, "select paragraph_id, ingest_date from raw.paragraphs "
                            "order by 1") == [("a1-p0000", dt.date(2026, 6, 1)),
                                              ("a2-p0000", dt.date(2026, 6, 2))]


def test_a_file_column_the_table_lacks_fails_the_load_and_commits_nothing(
        warehouse, tmp_path):
    staged = _staged(tmp_path)
    staged["pages"] = [ParquetRows(staged["pages"][0].path)]  # html not excluded
    with pytest.raises(ValueError, match=r"raw.pages: file has columns the table lacks: "
                                         r"\['html'\]"):
        warehouse.load_partition("2026-06-01", "run-1", staged)
    assert _rows(warehouse, "select count(*) from raw.articles") == [(0,)]


def _with_staged_texts(tmp_path, staged: dict, texts: dict[str, str]) -> dict:
    """`staged` with the articles' text taken out of the frame and written, per article,
    to one of two batch files (as the clean stage stages them), with a copy of a1 under
    another URL in the second file, which must not match."""
    frame = staged["articles"]
    rows = [{"article_id": a, "url": f"https://x.test/{a}", "raw_text": f"raw {t}",
             "clean_text": t} for a, t in texts.items()]
    rows.append({"article_id": "a1", "url": "https://mirror.test/a1", "raw_text": "other",
                 "clean_text": "other"})
    first, second = tmp_path / "b0.parquet", tmp_path / "b1.parquet"
    pl.DataFrame(rows[:1]).write_parquet(first)
    pl.DataFrame(rows[1:]).write_parquet(second)
    return {**staged, "articles": frame.drop("raw_text", "clean_text"),
            "article_texts": [first, second]}


def test_articles_load_their_text_from_the_staged_files_by_article_and_url(
        warehouse, tmp_path):
    staged = _with_staged_texts(tmp_path, _staged(tmp_path), {"a1": "one", "a2": "two"})
    report = warehouse.load_partition("2026-06-01", "run-1", staged)
    assert report.rows_by_table["articles"] == 2
    assert _rows(warehouse, "select article_id, raw_text, clean_text, run_id "
                            "from raw.articles order by 1") == [
        ("a1", "raw one", "one", "run-1"), ("a2", "raw two", "two", "run-1")]


def test_an_article_without_its_staged_text_fails_the_load_and_commits_nothing(
        warehouse, tmp_path):
    staged = _with_staged_texts(tmp_path, _staged(tmp_path), {"a1": "one"})
    with pytest.raises(ValueError, match=r"raw.articles: 2 rows but 1 found their text"):
        warehouse.load_partition("2026-06-01", "run-1", staged)
    assert _rows(warehouse, "select count(*) from raw.articles") == [(0,)]


def test_the_stored_bodies_are_each_urls_last_fetched_body(
        warehouse, tmp_path):
    pages = tmp_path / "pages-day1.parquet"
    pl.DataFrame([{**_page(g), "content_hash": f"h-{g}", "content_type": "text/html"}
                  for g in ("g1", "g2", "g3")]).write_parquet(pages)
    refused = {"quarantine_id": "q1", "source_name": "wire", "url": "https://x.test/g2",
               "stage": "extract", "reason_code": "no_article", "error_message": "none",
               "input_excerpt": None}
    copy = {**refused, "quarantine_id": "q2", "url": "https://x.test/g3",
            "reason_code": "duplicate_url"}
    warehouse.load_partition("2026-06-01", "run-1", {
        "articles": pl.DataFrame([_article("a1", "h1")]),
        "pages": [ParquetRows(pages, exclude=("html",))],
        "quarantine": pl.DataFrame([refused, copy])})
    later = tmp_path / "pages-day2.parquet"
    pl.DataFrame([{**_page("g1"), "page_id": "g1-2", "content_hash": "h-g1-new",
                   "content_type": "text/html", "fetched_at": FETCHED + dt.timedelta(days=1)},
                  {**_page("g3"), "page_id": "g3-2", "content_hash": None, "html": None,
                   "fetch_outcome": "unchanged", "fetched_at": FETCHED + dt.timedelta(days=1)},
                  ]).write_parquet(later)
    warehouse.load_partition("2026-06-02", "run-2", {
        "articles": pl.DataFrame([_article("a1", "h1")]).clear(),
        "pages": [ParquetRows(later, exclude=("html",))]})
    out = tmp_path / "state" / "stored_bodies.parquet"
    assert warehouse.export_stored_bodies(out) == 3
    # g1: its newest body (day 2); g2, refused, and g3, a copy, keep the body of day 1 (an
    # unchanged fetch, a 304, is no body): the same bytes again come to the same outcome
    assert sorted(pl.read_parquet(out).iter_rows()) == [
        ("https://x.test/g1", "h-g1-new", "text/html", dt.date(2026, 6, 2)),
        ("https://x.test/g2", "h-g2", "text/html", dt.date(2026, 6, 1)),
        ("https://x.test/g3", "h-g3", "text/html", dt.date(2026, 6, 1))]
