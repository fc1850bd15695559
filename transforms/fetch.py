"""Fetch: turn discovered rows into page bodies (the raw archive) or quarantine rows.

Today the one kind is `snapshot` (read a local file). Each body is sniffed and
decoded here so every later stage sees text; what cannot be read becomes a
quarantine row with its reason, never an exception that stops the batch.
"""

from __future__ import annotations

import hashlib
import re
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

# Magic numbers of formats that are sometimes saved with an .html name.
BINARY_SIGNATURES = (b"%PDF", b"\x89PNG", b"\xff\xd8\xff", b"GIF8", b"PK\x03\x04", b"\x1f\x8b")
META_CHARSET = re.compile(rb"""<meta[^>]+charset\s*=\s*["']?([A-Za-z0-9_.:-]+)""", re.I)
BYTE_ORDER_MARKS = ((b"\xef\xbb\xbf", "utf-8-sig"), (b"\xff\xfe", "utf-16"),
                    (b"\xfe\xff", "utf-16"))
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
    return text


def page_id(ingest_date: str, url: str) -> str:
    return hashlib.sha1(f"{ingest_date}|{url}".encode()).hexdigest()[:16]


def fetch_pages(discovered: pl.DataFrame, ingest_date: str) -> tuple[pl.DataFrame, pl.DataFrame]:
    """Read every discovered page. Returns (pages, quarantine).

    Quarantined bodies are also kept in `pages` with fetch_outcome='quarantined'
    and no html, so the raw archive accounts for every URL.
    """
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
            "page_id": page_id(ingest_date, row["url"]),
            "source_name": row["source_name"],
            "url": row["url"],
            "fetched_at": fetched_at,
            "http_status": None,
            "content_type": "text/html" if html is not None else None,
            "content_hash": hashlib.sha256(body).hexdigest(),
            "byte_count": len(body),
            "html": html,
            "fetch_outcome": outcome,
        })
    return pl.DataFrame(pages, schema=PAGES_SCHEMA), quarantine_frame(quarantined)


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
