"""Every surrogate key of the raw layer, made in one place.

Hashes are sha1 hex cut to 16 characters (stable across machines and runs); child keys
extend their parent's key, so a key says where its row comes from.
"""

from __future__ import annotations

import hashlib

import polars as pl


def _digest(text: str) -> str:
    return hashlib.sha1(text.encode()).hexdigest()[:16]


def page_id(ingest_date: str, url: str) -> str:
    """One fetched page of one ingest day."""
    return _digest(f"{ingest_date}|{url}")


def article_id(canonical_url: str) -> str:
    """One canonical URL is one article, whatever day it is seen."""
    return _digest(canonical_url)


def quarantine_id(ingest_date: str, stage: str, url: str | None) -> str:
    """One quarantined input of one stage and day: a URL quarantined again the next day is a
    second row, not a key clash failing that load."""
    return _digest(f"{ingest_date}|{stage}|{url or ''}")


def quarantine_ids(frame: pl.DataFrame, ingest_date: str) -> pl.Series:
    """quarantine_id of every row of a quarantine frame (columns stage, url)."""
    return pl.Series("quarantine_id", [quarantine_id(ingest_date, stage, url) for stage, url
                                       in zip(frame["stage"], frame["url"], strict=True)],
                     dtype=pl.String)


def paragraph_id(article: str, position: int) -> str:
    return f"{article}-p{position:04d}"


def sentence_id(paragraph: str, index: int) -> str:
    return f"{paragraph}-s{index:03d}"


def figure_id(sentence: str, span_start: int) -> str:
    return f"{sentence}-f{span_start}"


def trade_figure_id(sentence: str, n: int) -> str:
    return f"{sentence}-t{n}"


def claim_id(sentence: str, n: int) -> str:
    return f"{sentence}-c{n}"
