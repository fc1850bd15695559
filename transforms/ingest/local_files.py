"""Fetch: turn discovered rows into page bodies (the raw archive) or quarantine rows.

The local kinds: `snapshot` (a file) and `warc` (a record of a WARC file inside its
source's folder, transforms/ingest/warc.py); web kinds go through
transforms/ingest/http_client.py. Each body is sniffed and decoded here so every later
stage sees text; what cannot be read becomes a quarantine row with its reason, never an
exception that stops the batch.
"""

from __future__ import annotations

import errno
import functools
import hashlib
import os
import stat
from collections.abc import Mapping
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from pathlib import Path

import polars as pl

from transforms.ingest.decoding import html_cell
from transforms.ingest.pages import MAX_BODY_BYTES, PAGES_SCHEMA, FetchRejected
from transforms.ingest.warc import read_warc_record
from transforms.kernel.keys import page_id
from transforms.kernel.quarantine import quarantine_frame, quarantine_row
from transforms.kernel.urls import article_url_problem

# File reads and sha256 release the GIL: 4 threads read and hashed 1,000 bench/ pages in
# 0.49 s instead of 0.99 s from disk, 0.28 s instead of 0.54 s from the page cache (2 cores).
READ_THREADS = 4


def fetch_pages(discovered: pl.DataFrame, ingest_date: str, *,
                warc_roots: Mapping[str, Path] | None = None
                ) -> tuple[pl.DataFrame, pl.DataFrame]:
    """Read every discovered page. Returns (pages, quarantine).

    warc_roots: each warc source's resolved folder (or file), the only place its
    locations may be read from (discovery_web.warc_root); a warc row of another source is
    refused as unsafe_path.

    Quarantined bodies are also kept in `pages` with fetch_outcome='quarantined'
    and no html, so the raw archive accounts for every URL. Bodies are read and hashed
    by READ_THREADS threads, then become html cells (`html_cell`) one by one in row
    order, so the quarantine rows keep the discovered order.
    """
    rows = discovered.select("source_name", "source_kind", "url", "location").rows(named=True)
    with ThreadPoolExecutor(READ_THREADS) as pool:
        reads = list(pool.map(functools.partial(_read, warc_roots=warc_roots), rows))
    cells, quarantined = [], []
    for index, (row, read) in enumerate(zip(rows, reads, strict=True)):
        error = read.error
        if error is None:
            try:
                cells.append(html_cell(read.body))
            except FetchRejected as rejected:
                error = rejected
        if error is not None:
            cells.append(pl.Series([None], dtype=pl.String))
            quarantined.append(quarantine_row(
                stage="fetch", reason_code=getattr(error, "reason_code", "fetch_error"),
                message=str(error), url=row["url"], source_name=row["source_name"],
                excerpt=read.body))
        reads[index] = read.without_body()  # the body now lives in its cell: free the bytes
    html = pl.concat(cells) if cells else pl.Series([], dtype=pl.String)
    return _pages_frame(rows, reads, html, ingest_date), quarantine_frame(quarantined)


@dataclass(frozen=True)
class _Read:
    """One discovered row read: its body (b'' when unreadable), or the error that stopped it."""

    body: bytes
    content_hash: str
    byte_count: int
    fetched_at: datetime
    error: FetchRejected | OSError | None = None

    def without_body(self) -> _Read:
        return replace(self, body=b"")


def _read(row: dict, warc_roots: Mapping[str, Path] | None) -> _Read:
    fetched_at = datetime.now(UTC).replace(tzinfo=None)
    try:
        body, error = _read_body(row, warc_roots), None
    except (FetchRejected, OSError) as problem:
        body, error = b"", problem
    return _Read(body, hashlib.sha256(body).hexdigest(), len(body), fetched_at, error)


def _pages_frame(rows: list[dict], reads: list[_Read], html: pl.Series,
                 ingest_date: str) -> pl.DataFrame:
    """The pages rows in PAGES_SCHEMA, built column by column (no dict per row)."""
    fetched = html.is_not_null().to_list()
    return pl.DataFrame({
        "page_id": [page_id(ingest_date, row["url"]) for row in rows],
        "source_name": [row["source_name"] for row in rows],
        "url": [row["url"] for row in rows],
        "fetched_at": [read.fetched_at for read in reads],
        "http_status": [None] * len(rows),
        "content_type": ["text/html" if ok else None for ok in fetched],
        "content_hash": [read.content_hash for read in reads],
        "byte_count": [read.byte_count for read in reads],
        "html": html,
        "fetch_outcome": ["fetched" if ok else "quarantined" for ok in fetched],
    }, schema=PAGES_SCHEMA)


def _read_body(row: dict, warc_roots: Mapping[str, Path] | None = None) -> bytes:
    """The row's bytes, or FetchRejected with the reason it has none.

    The URL must be an article's (unsupported_url), checked before a snapshot file is
    opened: a page whose URL is javascript: or data: must not become an article (its url
    would be a clickable link in every BI tool). A WARC record is read first: its file
    must lie inside its source's folder (warc_roots: source name -> resolved folder or
    file), else unsafe_path, and the row discovery makes for a refused or broken WARC
    file has no article URL, so its reason must be the file's.
    """
    kind = row["source_kind"]
    if kind == "warc":
        root = (warc_roots or {}).get(row["source_name"])
        if root is None:
            raise FetchRejected("unsafe_path", f"no WARC folder is configured for source "
                                f"{row['source_name']!r}")
        body = read_warc_record(row["location"], root, MAX_BODY_BYTES)
        _refuse_unless_article_url(row["url"], allow_snapshot=False)
        return body
    if kind == "snapshot":
        _refuse_unless_article_url(row["url"], allow_snapshot=True)
        return _read_snapshot(Path(row["location"]))
    raise FetchRejected("fetch_error", f"no fetcher for source kind {kind!r}")


def _refuse_unless_article_url(url: str, *, allow_snapshot: bool) -> None:
    problem = article_url_problem(url, allow_snapshot=allow_snapshot)
    if problem is not None:
        raise FetchRejected("unsupported_url", problem)


def _read_snapshot(path: Path) -> bytes:
    """A snapshot file's bytes, refusing anything but a regular file reached without a link.

    Discovery locates links that stay inside the folder at their target, so any link met
    here leaves the folder or is broken; O_NOFOLLOW refuses it at open, so a link swapped
    in after discovery is refused too. O_NONBLOCK keeps a FIFO from blocking the open, and
    the type is checked on the open descriptor. The refusal's excerpt is empty: nothing of
    the target is read.
    """
    try:
        fd = os.open(path, os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK)
    except OSError as problem:
        if problem.errno == errno.ELOOP:
            raise FetchRejected("unsafe_path", _link_problem(path)) from None
        raise
    with os.fdopen(fd, "rb") as handle:
        info = os.fstat(fd)
        if not stat.S_ISREG(info.st_mode):
            raise FetchRejected("unsafe_path", "not a regular file (FIFO, device or socket)")
        if info.st_size > MAX_BODY_BYTES:
            raise FetchRejected("too_large", f"{info.st_size} bytes exceeds the cap")
        return handle.read(MAX_BODY_BYTES + 1)


def _link_problem(path: Path) -> str:
    try:
        target = path.resolve(strict=True)
    except FileNotFoundError:
        return "dangling symbolic link"
    except (OSError, RuntimeError):
        return "symbolic link loop"
    if not target.is_file():
        return "symbolic link to something other than a regular file"
    return "symbolic link to a file outside the snapshot folder"


# What a snapshot file looked like when it was read: the same size and modification time
# (ns) later mean the same bytes, as make and rsync assume.
FILE_STAMP_SCHEMA = {"url": pl.String, "location": pl.String, "size": pl.Int64,
                     "mtime_ns": pl.Int64}


def file_stamps(discovered: pl.DataFrame) -> pl.DataFrame:
    """(url, location, size, mtime_ns) of each snapshot row's regular file, in FILE_STAMP_SCHEMA.

    Taken before the file is read, without following a link (a link, a missing file or
    anything but a regular file has no stamp, and is read, or refused, as before): a file
    rewritten after its stamp was taken has a later mtime, so it is never mistaken for the
    bytes read under the old stamp.
    """
    rows = []
    for url, location in discovered.filter(pl.col("source_kind") == "snapshot") \
            .select("url", "location").iter_rows():
        try:
            info = os.lstat(location)
        except (OSError, ValueError):
            continue
        if stat.S_ISREG(info.st_mode):
            rows.append((url, location, info.st_size, info.st_mtime_ns))
    return pl.DataFrame(rows, schema=FILE_STAMP_SCHEMA, orient="row")


def unchanged_snapshot_pages(unchanged: pl.DataFrame, ingest_date: str) -> pl.DataFrame:
    """Pages rows (PAGES_SCHEMA) for snapshot files whose stamp says they are the bytes stored
    on another day: fetch_outcome 'unchanged', no html, the stored hash and content type.

    unchanged: source_name, url, content_hash, content_type and size of each such file.
    """
    fetched_at = datetime.now(UTC).replace(tzinfo=None)
    return unchanged.select(
        page_id=pl.Series([page_id(ingest_date, url) for url in unchanged["url"]],
                          dtype=pl.String),
        source_name="source_name", url="url",
        fetched_at=pl.lit(fetched_at, dtype=pl.Datetime("us")),
        http_status=pl.lit(None, dtype=pl.Int32), content_type="content_type",
        content_hash="content_hash", byte_count=pl.col("size").cast(pl.Int64),
        html=pl.lit(None, dtype=pl.String), fetch_outcome=pl.lit("unchanged"),
    ).cast(PAGES_SCHEMA)
