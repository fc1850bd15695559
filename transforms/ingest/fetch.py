"""The fetch dispatcher: local kinds through local_files, web kinds through http_client.

`fetch_all_pages` is what the fetch stage calls; it returns one (pages, quarantine) pair in
HTTP_PAGES_SCHEMA whatever mix of kinds a batch holds.
"""

from __future__ import annotations

import functools
from pathlib import Path

import polars as pl

from transforms.ingest.discovery_web import warc_root
from transforms.ingest.http_client import HTTP_KINDS, FetchPolicy, fetch_http_pages, http_state_dir
from transforms.ingest.local_files import fetch_pages
from transforms.ingest.pages import HTTP_PAGE_COLUMNS, HTTP_PAGES_SCHEMA
from transforms.ingest.sources import load_sources
from transforms.kernel.parallel import map_frames
from transforms.kernel.quarantine import quarantine_frame


def source_policies(settings) -> dict[str, FetchPolicy]:
    """One FetchPolicy per configured source name, from its options."""

    return {s.name: FetchPolicy.from_options(s.options, state_dir=http_state_dir(settings))
            for s in load_sources(settings)}


def warc_roots(settings) -> dict[str, Path]:
    """Each configured warc source's resolved folder (or file): where its records may be read."""
    return {s.name: warc_root(s, settings) for s in load_sources(settings) if s.kind == "warc"}


def fetch_all_pages(discovered: pl.DataFrame, ingest_date: str, settings, *,
                    validators: pl.DataFrame | None = None) -> tuple[pl.DataFrame, pl.DataFrame]:
    """Local kinds through fetch.fetch_pages, web kinds through fetch_http_pages.

    Returns (pages in HTTP_PAGES_SCHEMA — the local rows have the HTTP columns
    null — and quarantine), pages in the order of `discovered`.
    """

    discovered = discovered.with_row_index("_order")
    is_web = pl.col("source_kind").is_in(HTTP_KINDS)
    web, local = discovered.filter(is_web), discovered.filter(~is_web)
    frames, quarantines = [], []
    if local.height:
        read = functools.partial(fetch_pages, ingest_date=ingest_date,
                                 warc_roots=warc_roots(settings))
        if local["source_kind"].eq("snapshot").all():
            # Snapshot files are read here: fetch_pages reads them in threads and keeps
            # UTF-8 bodies out of Python strings, so workers would save little work but
            # pickle every page's html back, ~150 MB a 1,000-page batch (bench/: ~1.6 s).
            pages, quarantine = read(local.drop("_order"))
        else:
            # WARC records (warcio parses them in Python) keep the stage's worker
            # processes, as before; this case was not measured.
            pages, quarantine = map_frames(read, local.drop("_order"), key="url")
        frames.append(pages.with_columns(
            [pl.lit(None, dtype=t).alias(c) for c, t in HTTP_PAGE_COLUMNS.items()])
            .with_columns(local["_order"]))
        quarantines.append(quarantine)
    if web.height:
        pages, quarantine = fetch_http_pages(web.drop("_order"), ingest_date,
                                             validators=validators,
                                             policy=source_policies(settings))
        frames.append(pages.with_columns(web["_order"]))
        quarantines.append(quarantine)
    if not frames:
        return pl.DataFrame(schema=HTTP_PAGES_SCHEMA), quarantine_frame([])
    pages = pl.concat(frames).sort("_order").drop("_order").select(list(HTTP_PAGES_SCHEMA))
    return pages, pl.concat(quarantines)


def unchanged_bodies(pages: pl.DataFrame, stored: pl.DataFrame, ingest_date: str
                     ) -> pl.DataFrame:
    """`pages` with each fetched page whose URL gave these very bytes at its last fetch on
    another day made 'unchanged' (its body dropped), as a 304 is: what came of those bytes
    (an article, a copy of one, a refusal in that day's quarantine) stands, and the page
    is neither extracted nor loaded again.

    stored: (url, content_hash, content_type, ingest_date) of each URL's last processed
    body (Warehouse.export_stored_bodies). A body last fetched on `ingest_date` itself does
    not count: a rerun of the day replaces that day's rows, so it must extract them again.
    """
    key = ["url", "content_hash", "content_type"]
    earlier = stored.filter(pl.col("ingest_date") != pl.lit(ingest_date).str.to_date()) \
        .select(key).unique().with_columns(_seen=pl.lit(True))
    stored_before = pages.select(key).join(earlier, on=key, how="left", nulls_equal=True,
                                           maintain_order="left")["_seen"]
    seen = (pl.col("fetch_outcome") == "fetched") & stored_before.fill_null(False)
    return pages.with_columns(
        fetch_outcome=pl.when(seen).then(pl.lit("unchanged")).otherwise("fetch_outcome"),
        html=pl.when(seen).then(None).otherwise("html"))


def unchanged_files(stamps: pl.DataFrame, known: pl.DataFrame | None,
                    stored: pl.DataFrame | None, ingest_date: str) -> pl.DataFrame:
    """The snapshot files that need not be read: their stamp now (size, mtime_ns at the same
    location) equals the stamp `known` recorded with a content hash, and that hash is the
    URL's body stored on another day (as `unchanged_bodies` asks of bytes that were read).

    stamps: this batch's file stamps (local_files.file_stamps). known: the stamps of earlier
    reads with their content_hash (state/file_stamps.parquet). Returns url, content_hash,
    content_type and size of each such file.
    """
    columns = {"url": pl.String, "content_hash": pl.String, "content_type": pl.String,
               "size": pl.Int64}
    if known is None or stored is None or stamps.is_empty():
        return pl.DataFrame(schema=columns)
    earlier = stored.filter(pl.col("ingest_date") != pl.lit(ingest_date).str.to_date()) \
        .select("url", "content_hash", "content_type").unique(["url", "content_hash"])
    return stamps.join(known.select("url", "location", "size", "mtime_ns", "content_hash"),
                       on=["url", "location", "size", "mtime_ns"]) \
        .join(earlier, on=["url", "content_hash"]).select(list(columns)).unique("url")
