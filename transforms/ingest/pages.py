"""What a fetch makes: the pages frame, its limits, and the one rejection every reader raises."""

from __future__ import annotations

import polars as pl

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
# Columns fetch_http_pages adds to PAGES_SCHEMA (raw.pages needs them too).
HTTP_PAGE_COLUMNS = {
    "final_url": pl.String,          # URL after redirects (normalised)
    "etag": pl.String,               # validator to send as If-None-Match next run
    "last_modified": pl.String,      # validator to send as If-Modified-Since next run
    "response_headers": pl.String,   # JSON object of the final response's headers
    "elapsed_ms": pl.Int64,          # wall time of the fetch, redirects and retries included
}
HTTP_PAGES_SCHEMA = {**PAGES_SCHEMA, **HTTP_PAGE_COLUMNS}
MAX_BODY_BYTES = 20 * 1024 * 1024  # larger pages are not news articles; refuse, don't choke
# Rows per row group of pages.parquet. Its html column is ~150 MB a 1,000-page batch and
# one row group is compressed on one core; in row groups of 250 pages the write took 0.5 s
# instead of 0.95 s on 2 cores (bench/), at the same size (zstd's default level).
PAGES_ROW_GROUP_ROWS = 250


class FetchRejected(Exception):
    """A body that cannot become an article: carries a quarantine reason code."""

    def __init__(self, reason_code: str, message: str):
        super().__init__(message)
        self.reason_code = reason_code
