"""A snapshot file whose size and mtime are those it had when its stored bytes were read is
not read again: it is unchanged at fetch from a stat, as a web page is after a 304. A file
with a new mtime, a rerun of the same day, or a stamp whose bytes are not the URL's stored
body is read as before."""

from __future__ import annotations

import datetime as dt
import os
from pathlib import Path

import polars as pl

from transforms.ingest.fetch import unchanged_files
from transforms.ingest.local_files import file_stamps
from transforms.kernel.settings import Settings
from transforms.pipeline import stages

DAY_ONE, DAY_TWO = "2026-06-01", "2026-06-02"


def _page(title: str) -> str:
    return f"<html><body><article><h1>{title}</h1><p>{'Exports rose. ' * 20}</p></article>" \
           "</body></html>"


def _snapshot(folder: Path) -> pl.DataFrame:
    folder.mkdir()
    rows = []
    for name in ("a", "b", "c"):
        path = folder / f"{name}.html"
        path.write_text(_page(name.upper()), encoding="utf-8")
        rows.append({"source_name": "local", "source_kind": "snapshot",
                     "url": f"https://news.example/{name}", "location": str(path)})
    return pl.DataFrame(rows)


def _fetch(settings: Settings, discovered: pl.DataFrame, batch: Path, day: str) -> pl.DataFrame:
    batch.mkdir()
    discovered.write_parquet(batch / "discovered.parquet")
    stages.fetch_batch(settings, str(batch), day)
    return pl.read_parquet(batch / "pages.parquet")


def _load(settings: Settings, pages: pl.DataFrame, batch: Path, day: str) -> None:
    """What the load leaves for the next day: the stored bodies and the merged stamps."""
    stored = pages.filter(pl.col("fetch_outcome") == "fetched").select(
        "url", "content_hash", "content_type", ingest_date=pl.lit(day).str.to_date())
    path = stages.stored_bodies_file(settings)
    path.parent.mkdir(parents=True, exist_ok=True)
    stored.write_parquet(path)
    stages._keep_file_stamps(settings, [batch])


def test_an_unchanged_stamp_is_not_read_and_a_new_mtime_is(tmp_path):
    settings = Settings.from_env({"CLAIMLEDGER_WAREHOUSE_DIR": str(tmp_path / "warehouse")})
    discovered = _snapshot(tmp_path / "corpus")
    first = _fetch(settings, discovered, tmp_path / "day-one", DAY_ONE)
    assert first["fetch_outcome"].to_list() == ["fetched"] * 3
    _load(settings, first, tmp_path / "day-one", DAY_ONE)

    b, c = tmp_path / "corpus" / "b.html", tmp_path / "corpus" / "c.html"
    # b: other bytes of the same size under the same mtime. Only a read could tell, so
    # its staying 'unchanged' with the old hash shows it was not read.
    stamp = b.stat()
    b.write_text(_page("X"), encoding="utf-8")
    os.utime(b, ns=(stamp.st_atime_ns, stamp.st_mtime_ns))
    # c: rewritten, a later mtime: read again, and its new bytes are new.
    c.write_text(_page("C, corrected"), encoding="utf-8")
    os.utime(c, ns=(stamp.st_atime_ns, stamp.st_mtime_ns + 1_000_000_000))

    second = _fetch(settings, discovered, tmp_path / "day-two", DAY_TWO)
    assert second["url"].to_list() == discovered["url"].to_list()  # the discovered order
    assert second["fetch_outcome"].to_list() == ["unchanged", "unchanged", "fetched"]
    assert second["html"].to_list()[:2] == [None, None]
    assert second["content_hash"].to_list()[:2] == first["content_hash"].to_list()[:2]
    assert second["content_hash"][2] != first["content_hash"][2]
    assert second["byte_count"].to_list()[:2] == first["byte_count"].to_list()[:2]
    stamps = pl.read_parquet(tmp_path / "day-two" / "file_stamps.parquet")
    assert sorted(stamps["url"]) == sorted(discovered["url"])


def test_a_rerun_of_the_stored_day_reads_every_file_again(tmp_path):
    settings = Settings.from_env({"CLAIMLEDGER_WAREHOUSE_DIR": str(tmp_path / "warehouse")})
    discovered = _snapshot(tmp_path / "corpus")
    first = _fetch(settings, discovered, tmp_path / "day-one", DAY_ONE)
    _load(settings, first, tmp_path / "day-one", DAY_ONE)
    rerun = _fetch(settings, discovered, tmp_path / "rerun", DAY_ONE)
    assert rerun["fetch_outcome"].to_list() == ["fetched"] * 3
    assert rerun["html"].null_count() == 0


def test_a_stamp_counts_only_with_the_urls_stored_bytes(tmp_path):
    discovered = _snapshot(tmp_path / "corpus")
    stamps = file_stamps(discovered)
    known = stamps.with_columns(content_hash=pl.Series(["h-a", "h-b", "h-c"]))
    stored = pl.DataFrame({
        "url": discovered["url"], "content_hash": ["h-a", "h-other", "h-c"],
        "content_type": ["text/html"] * 3,
        "ingest_date": [dt.date(2026, 6, 1), dt.date(2026, 6, 1), dt.date(2026, 6, 2)]})
    same = unchanged_files(stamps, known, stored, DAY_TWO)
    # a: stamp and stored body agree; b: the stored body is other bytes; c: stored today
    assert same["url"].to_list() == ["https://news.example/a"]
    assert unchanged_files(stamps, None, stored, DAY_TWO).is_empty()


def test_links_and_missing_files_have_no_stamp(tmp_path):
    discovered = _snapshot(tmp_path / "corpus")
    (tmp_path / "corpus" / "link.html").symlink_to(tmp_path / "corpus" / "a.html")
    extra = pl.DataFrame([
        {"source_name": "local", "source_kind": "snapshot", "url": "https://news.example/l",
         "location": str(tmp_path / "corpus" / "link.html")},
        {"source_name": "local", "source_kind": "snapshot", "url": "https://news.example/m",
         "location": str(tmp_path / "corpus" / "missing.html")}])
    stamps = file_stamps(pl.concat([discovered, extra]))
    assert stamps["url"].to_list() == discovered["url"].to_list()
