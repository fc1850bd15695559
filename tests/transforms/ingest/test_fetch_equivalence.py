"""fetch_pages (threaded reads, plain UTF-8 validated by polars) against the straightforward
per-row path it replaced: read a row, decode_body, build its dict. Same pages (all but
fetched_at), same quarantine rows, for good and bad files alike."""

from __future__ import annotations

import hashlib
from datetime import UTC, datetime

import polars as pl
import pyarrow.parquet as pq
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from polars.testing import assert_frame_equal

from tests.hostile.corpus import cases_and_bodies
from transforms.ingest.decoding import decode_body, html_cell
from transforms.ingest.discovery import discover_snapshot
from transforms.ingest.local_files import _read_body, fetch_pages
from transforms.ingest.pages import HTTP_PAGES_SCHEMA, MAX_BODY_BYTES, PAGES_SCHEMA, FetchRejected
from transforms.ingest.sources import Source
from transforms.kernel.keys import page_id
from transforms.kernel.quarantine import quarantine_frame, quarantine_row
from transforms.kernel.settings import Settings
from transforms.pipeline import stages
from transforms.pipeline.stages import fetch_batch

INGEST_DATE = "2026-12-03"
HTML = "<html><head><title>t</title></head><body><p>{}</p></body></html>"

# Bodies for every branch of decode_body and of the plain-UTF-8 shortcut's conditions.
EDGE_BODIES = {
    "ascii.html": HTML.format("plain ascii").encode(),
    "multibyte.html": HTML.format("café € 😀 Товар 中俄").encode(),
    "utf8_bom.html": b"\xef\xbb\xbf" + HTML.format("café").encode(),
    "utf8_bom_then_pdf.html": b"\xef\xbb\xbf%PDF-1.7 <p>x</p>",
    "utf16be_bom.html": b"\xfe\xff" + HTML.format("big endian").encode("utf-16-be"),
    "latin1_declared.html": ('<meta charset="iso-8859-1">' + HTML.format("café"))
    .encode("latin-1"),
    "utf8_declared_many_bad.html": b'<meta charset="utf-8"><p>' + b"\xe9x" * 500 + b"</p>",
    "cp1252_undefined_byte.html": HTML.format("x").encode() + b"\x81",
    "surrogate_bytes.html": HTML.format("x").encode() + b"\xed\xa0\x80",
    "overlong.html": HTML.format("x").encode() + b"\xc0\xaf",
    "beyond_unicode.html": HTML.format("x").encode() + b"\xf4\x90\x80\x80",
    "truncated_char.html": HTML.format("x").encode() + b"\xe2\x82",
    "gzip.html": b"\x1f\x8b\x08\x00<html>",
    # Binary signatures that are valid UTF-8 and carry a '<': still not HTML.
    "pdf_valid_utf8.html": b"%PDF-1.7 <p>x</p>",
    "gif_valid_utf8.html": b"GIF89a<p>x</p>",
    "zip_valid_utf8.html": b"PK\x03\x04<p>x</p>",
    "png.html": b"\x89PNG\r\n\x1a\n<html>",
    "nul_late.html": HTML.format("a" * 2000 + "\x00b").encode(),
    "plain_text.txt.html": b"just words " * 100,
    # '<' only in the middle: outside the first and the last 4096 characters.
    "markup_in_middle.html": b"a" * 5000 + b"<p>x</p>" + b"b" * 5000,
    # '<' only at the end, and only at the start, of a long body.
    "markup_at_end.html": b"a" * 9000 + b"<p>x</p>",
    "markup_at_start.html": b"<p>x</p>" + b"a" * 9000,
    # '<' past byte 4096 but within the first 4096 characters (2-byte characters).
    "markup_past_4096_bytes.html": "é".encode() * 2500 + b"<p>x</p>" + b"z" * 5000,
    # '<' past character 4096 (and byte 4096): not HTML.
    "markup_past_4096_chars.html": "é".encode() * 4200 + b"<p>x</p>" + b"z" * 5000,
    "fffd_and_stray.html": ('<meta charset="utf-8">' + HTML.format("\ufffd ok " * 400))
    .encode() + b"\xe9",
}


def per_row_fetch(discovered: pl.DataFrame, ingest_date: str
                  ) -> tuple[pl.DataFrame, pl.DataFrame]:
    """The straightforward path: one row at a time, one dict per page."""
    pages, quarantined = [], []
    for row in discovered.iter_rows(named=True):
        fetched_at = datetime.now(UTC).replace(tzinfo=None)
        body = b""
        try:
            body = _read_body(row)
            html, outcome = decode_body(body), "fetched"
        except (FetchRejected, OSError) as error:
            reason = getattr(error, "reason_code", "fetch_error")
            quarantined.append(quarantine_row(
                stage="fetch", reason_code=reason, message=str(error), url=row["url"],
                source_name=row["source_name"], excerpt=body))
            html, outcome = None, "quarantined"
        pages.append({
            "page_id": page_id(ingest_date, row["url"]), "source_name": row["source_name"],
            "url": row["url"], "fetched_at": fetched_at, "http_status": None,
            "content_type": "text/html" if html is not None else None,
            "content_hash": hashlib.sha256(body).hexdigest(), "byte_count": len(body),
            "html": html, "fetch_outcome": outcome,
        })
    return pl.DataFrame(pages, schema=PAGES_SCHEMA), quarantine_frame(quarantined)


@pytest.fixture(scope="module")
def mixed_snapshot(tmp_path_factory) -> pl.DataFrame:
    """Discovered rows of a folder of good and bad files (the hostile corpus, a page over
    the size cap, the edge cases above), plus rows that cannot be read at all."""
    folder = tmp_path_factory.mktemp("mixed")
    # The corpus's links are checked by test_snapshot_paths; here, the bytes of pages.
    bodies = {case.name: body for case, body in cases_and_bodies(big_bytes=MAX_BODY_BYTES)
              if isinstance(body, bytes)}
    for name, body in {**bodies, **EDGE_BODIES}.items():
        (folder / name).write_bytes(body)
    (folder / "a_directory.html").mkdir()
    run_settings = Settings.from_env({"CLAIMLEDGER_WAREHOUSE_DIR": str(folder / "warehouse")})
    discovered = discover_snapshot(Source("mixed", "snapshot", {"path": str(folder)}),
                                   run_settings)
    unreadable = pl.DataFrame({
        "source_name": ["mixed"] * 4, "source_kind": ["snapshot", "warc", "ftp", "snapshot"],
        "url": ["snapshot://mixed/missing.html", "https://x.example/warc",
                "https://x.example/ftp", "javascript:alert(1)"],
        "location": [str(folder / "missing.html"), "warc://nowhere#0", "ftp://x/y",
                     str(folder / "ascii.html")],
    }, schema=discovered.schema)
    # Unreadable rows in the middle, so the quarantine order is checked across them.
    half = discovered.height // 2
    return pl.concat([discovered.head(half), unreadable, discovered.slice(half)])


def test_the_mixed_set_covers_every_outcome(mixed_snapshot):
    _, quarantine = per_row_fetch(mixed_snapshot, INGEST_DATE)
    assert set(quarantine["reason_code"]) == {"empty_file", "not_html", "undecodable",
                                              "too_large", "fetch_error", "unsupported_url",
                                              "unsafe_path"}


def test_fetch_pages_equals_the_per_row_path(mixed_snapshot):
    expected_pages, expected_quarantine = per_row_fetch(mixed_snapshot, INGEST_DATE)
    pages, quarantine = fetch_pages(mixed_snapshot, INGEST_DATE)
    assert_frame_equal(pages.drop("fetched_at"), expected_pages.drop("fetched_at"))
    assert pages["fetched_at"].null_count() == 0
    assert_frame_equal(quarantine, expected_quarantine)


def test_fetch_batch_writes_the_per_row_pages(mixed_snapshot, tmp_path, monkeypatch):
    # Through fetch_all_pages and the row-grouped write: pages.parquet, read back whole
    # and by the row slices the extract workers read, holds the per-row path's rows.
    monkeypatch.setattr(stages, "PAGES_ROW_GROUP_ROWS", 8)  # a slice spans two row groups
    snapshot_only = mixed_snapshot.filter(pl.col("source_kind") == "snapshot")
    snapshot_only.write_parquet(tmp_path / "discovered.parquet")
    run_settings = Settings.from_env({"CLAIMLEDGER_WAREHOUSE_DIR": str(tmp_path / "warehouse")})
    fetch_batch(run_settings, str(tmp_path), INGEST_DATE)
    expected_pages, expected_quarantine = per_row_fetch(snapshot_only, INGEST_DATE)
    written = pl.read_parquet(tmp_path / "pages.parquet")
    assert written.schema == pl.Schema(HTTP_PAGES_SCHEMA)
    assert_frame_equal(written.select(list(PAGES_SCHEMA)).drop("fetched_at"),
                       expected_pages.drop("fetched_at"))
    assert_frame_equal(pl.read_parquet(tmp_path / "quarantine_fetch.parquet"),
                       expected_quarantine)
    assert pq.ParquetFile(tmp_path / "pages.parquet").metadata.num_row_groups > 1
    html = pl.scan_parquet(tmp_path / "pages.parquet").slice(5, 9).select("html").collect()
    assert html["html"].to_list() == expected_pages["html"][5:14].to_list()


_PIECES = [b"<", b">", b"a" * 700, "é".encode() * 600, "€".encode() * 500, "😀".encode() * 300,
           b"\x00", b"\xff", b"\xe9", b"\xed\xa0\x80", b"\xef\xbb\xbf", b"\xff\xfe", b" \n",
           b"%PDF", b"\xc3", b"\xe2\x82", b'<meta charset="utf-8">',
           b'<meta charset="latin-1">']


@settings(max_examples=400, deadline=None)
@given(st.lists(st.sampled_from(_PIECES), max_size=30).map(b"".join))
def test_html_cell_equals_decode_body(body):
    # Pieces whose sums straddle the 1024-byte head and the 4096-byte/character edges.
    try:
        expected = decode_body(body)
    except FetchRejected as rejected:
        with pytest.raises(FetchRejected) as caught:
            html_cell(body)
        assert (caught.value.reason_code, str(caught.value)) == \
            (rejected.reason_code, str(rejected))
        return
    assert html_cell(body).to_list() == [expected]


def test_fetch_pages_of_no_rows_is_empty_in_the_schema(mixed_snapshot):
    pages, quarantine = fetch_pages(mixed_snapshot.clear(), INGEST_DATE)
    assert pages.schema == pl.Schema(PAGES_SCHEMA) and pages.is_empty()
    assert quarantine.is_empty()
