"""Fetch: turn discovered rows into page bodies (the raw archive) or quarantine rows.

The local kinds: `snapshot` (a file) and `warc` (a record of a WARC file); web kinds go
through transforms/http_fetch.py. Each body is sniffed and decoded here so every later
stage sees text; what cannot be read becomes a quarantine row with its reason, never an
exception that stops the batch.
"""

from __future__ import annotations

import hashlib
import re
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from pathlib import Path

import polars as pl

from transforms.quarantine import quarantine_frame, quarantine_row

PAGES_SCHEMA = {
    "page_id": pl.String,
    "source_name": pl.String,
    "url": pl.String,
    "fetched_at": pl.Datetime("us"),
    "http_status": pl.Int32,
    "content_type": pl.String,
    "content_hash": pl.String,
    "byte_count": pl.Int64,
    "html": pl.String,
    "fetch_outcome": pl.String,
}

MAX_BODY_BYTES = 20 * 1024 * 1024  # larger pages are not news articles; refuse, don't choke
# File reads and sha256 release the GIL: 4 threads read and hashed 1,000 bench/ pages in
# 0.49 s instead of 0.99 s from disk, 0.28 s instead of 0.54 s from the page cache (2 cores).
READ_THREADS = 4
# Rows per row group of pages.parquet. Its html column is ~150 MB a 1,000-page batch and
# one row group is compressed on one core; in row groups of 250 pages the write took 0.5 s
# instead of 0.95 s on 2 cores (bench/), at the same size (zstd's default level).
PAGES_ROW_GROUP_ROWS = 250

# Magic numbers of formats that are sometimes saved with an .html name.
BINARY_SIGNATURES = (b"%PDF", b"\x89PNG", b"\xff\xd8\xff", b"GIF8", b"PK\x03\x04", b"\x1f\x8b")
META_CHARSET = re.compile(rb"""<meta[^>]+charset\s*=\s*["']?([A-Za-z0-9_.:-]+)""", re.I)
BYTE_ORDER_MARKS = ((b"\xef\xbb\xbf", "utf-8-sig"), (b"\xff\xfe", "utf-16"),
                    (b"\xfe\xff", "utf-16"))
_BOM_MARKS = tuple(mark for mark, _ in BYTE_ORDER_MARKS)
UTF8_NAMES = {"utf-8", "utf8"}
# A page declared UTF-8 with a few stray bytes from another encoding (a
# pasted Latin-1 quote) is UTF-8 with damage: decode it with U+FFFD for the damage,
# rather than refuse the article or read every other character as cp1252 mojibake.
MAX_INVALID_UTF8_SHARE = 0.001


def _mostly_utf8(body: bytes) -> str | None:
    """The body as UTF-8 with U+FFFD for invalid bytes, if they are rare; else None."""
    text = body.decode("utf-8", errors="replace")
    damaged = text.count("\ufffd") - body.count("\ufffd".encode())
    return text if damaged <= max(1, len(body) * MAX_INVALID_UTF8_SHARE) else None


class FetchRejected(Exception):
    """A body that cannot become an article: carries a quarantine reason code."""

    def __init__(self, reason_code: str, message: str):
        super().__init__(message)
        self.reason_code = reason_code


def decode_body(body: bytes) -> str:
    """Bytes of a page → text. A BOM's encoding, else UTF-8, then the declared charset
    (a declared-UTF-8 page with rare invalid bytes keeps U+FFFD for them), else refuse.
    NUL characters become U+FFFD.

    Raises FetchRejected(empty_file | not_html | undecodable | too_large).
    """
    if not body.strip():
        raise FetchRejected("empty_file", "the body has no content")
    if len(body) > MAX_BODY_BYTES:
        raise FetchRejected("too_large", f"{len(body)} bytes exceeds the {MAX_BODY_BYTES} cap")
    head = body[:1024]
    # A byte-order mark decides the encoding before anything else (as browsers do); a
    # UTF-16 page is full of NUL bytes, so this comes before the binary sniff.
    bom = next((enc for mark, enc in BYTE_ORDER_MARKS if head.startswith(mark)), None)
    if bom is None and (head.startswith(BINARY_SIGNATURES) or b"\x00" in head):
        raise FetchRejected("not_html", "the body is binary, not HTML")
    try:
        text = body.decode(bom or "utf-8-sig")
    except UnicodeDecodeError:
        declared = META_CHARSET.search(body[:4096])
        encoding = declared.group(1).decode("ascii") if declared else "cp1252"
        text = _mostly_utf8(body) if encoding.lower().replace("_", "-") in UTF8_NAMES else None
        if text is None:
            try:
                text = body.decode(encoding)
            except (UnicodeDecodeError, LookupError) as error:
                raise FetchRejected("undecodable",
                                    f"not UTF-8 and not {encoding}: {error}") from None
    # NUL is not a character of any HTML text (browsers replace it); DuckDB and the
    # extractor's C parser would otherwise cut the text at it.
    text = text.replace("\x00", "\ufffd")
    if "<" not in text[:4096] and "<" not in text[-4096:]:
        raise FetchRejected("not_html", "no markup found: plain text, not HTML")
    return unicode_text(text)


def unicode_text(text: str) -> str:
    """`text`, if it is valid Unicode; else FetchRejected('undecodable').

    A declared charset can decode to text that is not (Python's unicode_escape codec turns
    the bytes "\\ud800" into a lone surrogate): no String column or Parquet file holds it,
    and one such page stopped its whole batch.
    """
    if not text.isascii():
        try:
            text.encode("utf-8")
        except UnicodeEncodeError as error:
            raise FetchRejected("undecodable", f"decodes to text that is not valid Unicode: "
                                               f"{error.reason}") from None
    return text


def page_id(ingest_date: str, url: str) -> str:
    return hashlib.sha1(f"{ingest_date}|{url}".encode()).hexdigest()[:16]


def fetch_pages(discovered: pl.DataFrame, ingest_date: str) -> tuple[pl.DataFrame, pl.DataFrame]:
    """Read every discovered page. Returns (pages, quarantine).

    Quarantined bodies are also kept in `pages` with fetch_outcome='quarantined'
    and no html, so the raw archive accounts for every URL. Bodies are read and hashed
    by READ_THREADS threads, then become html cells (`html_cell`) one by one in row
    order, so the quarantine rows keep the discovered order.
    """
    rows = discovered.select("source_name", "source_kind", "url", "location").rows(named=True)
    with ThreadPoolExecutor(READ_THREADS) as pool:
        reads = list(pool.map(_read, rows))
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


def html_cell(body: bytes) -> pl.Series:
    """decode_body(body) as a one-row String column; raises FetchRejected as decode_body does.

    Most pages are plain UTF-8 HTML, for which decode_body returns body.decode() unchanged:
    their bytes are validated by polars instead and never become a Python str. Decoding
    1,000 bench/ pages to str and encoding them back into a String column took ~0.85 s;
    this takes ~0.15 s. Everything else goes through decode_body itself.
    """
    if _plain_html(body):
        try:
            return pl.Series([body], dtype=pl.Binary).cast(pl.String)
        except pl.exceptions.ComputeError:  # not valid UTF-8: decode_body's fallbacks decide
            pass
    return pl.Series([decode_body(body)], dtype=pl.String)


def _plain_html(body: bytes) -> bool:
    """Whether decode_body(body) is body.decode('utf-8') whenever body is valid UTF-8.

    It is when the body is within the cap, has no byte-order mark, binary signature or NUL
    byte (NUL is replaced, and refused in the head), and has a '<' within its first or last
    4096 bytes: those bytes are at most 4096 characters, so the '<' is also within the
    first or last 4096 characters decode_body looks at — and the body is not empty.
    Other bodies may be fine too; decode_body decides them.
    """
    head = body[:1024]
    return (len(body) <= MAX_BODY_BYTES and not head.startswith(_BOM_MARKS)
            and not head.startswith(BINARY_SIGNATURES) and b"\x00" not in body
            and (b"<" in body[:4096] or b"<" in body[-4096:]))


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


def _read(row: dict) -> _Read:
    fetched_at = datetime.now(UTC).replace(tzinfo=None)
    try:
        body, error = _read_body(row), None
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


def _read_body(row: dict) -> bytes:
    if row["source_kind"] == "snapshot":
        path = Path(row["location"])
        if path.stat().st_size > MAX_BODY_BYTES:
            raise FetchRejected("too_large", f"{path.stat().st_size} bytes exceeds the cap")
        return path.read_bytes()
    if row["source_kind"] == "warc":
        from transforms.discovery_web import read_warc_record  # it imports this module

        return read_warc_record(row["location"], MAX_BODY_BYTES)
    raise FetchRejected("fetch_error", f"no fetcher for source kind {row['source_kind']!r}")
