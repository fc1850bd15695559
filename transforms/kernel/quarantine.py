"""Quarantine rows: inputs a stage could not process, kept with their reason.

Reason codes are the closed vocabulary `quarantine_reasons` of
transforms/rules/reasons.yml; `quarantine_row` refuses any other code.
"""

from __future__ import annotations

from functools import cache

import polars as pl

from transforms.kernel.rules import rules

QUARANTINE_SCHEMA = {
    "quarantine_id": pl.String,
    "source_name": pl.String,
    "url": pl.String,
    "stage": pl.String,
    "reason_code": pl.String,
    "error_message": pl.String,
    "input_excerpt": pl.String,
}

EXCERPT_CHARS = 300


@cache
def reason_vocabulary(section: str) -> frozenset[str]:
    """The codes of one section of reasons.yml (removal_reasons, quarantine_reasons)."""
    return frozenset(rules("reasons")[section])


def quarantine_row(*, stage: str, reason_code: str, message: str, url: str | None,
                   source_name: str | None, excerpt: str | bytes | None = None) -> dict:
    """One quarantine record. Its quarantine_id is left null: the load gives it one
    (kernel/keys.quarantine_id), since only the load knows the ingest date the key needs."""
    if reason_code not in reason_vocabulary("quarantine_reasons"):
        raise ValueError(f"unknown quarantine reason {reason_code!r}")
    if isinstance(excerpt, bytes):
        excerpt = excerpt[:EXCERPT_CHARS].decode("utf-8", errors="replace")
    return {
        "quarantine_id": None,
        "source_name": source_name,
        "url": url,
        "stage": stage,
        "reason_code": reason_code,
        "error_message": message,
        "input_excerpt": (excerpt or "")[:EXCERPT_CHARS] or None,
    }


def quarantine_frame(rows: list[dict]) -> pl.DataFrame:
    return pl.DataFrame(rows, schema=QUARANTINE_SCHEMA)
