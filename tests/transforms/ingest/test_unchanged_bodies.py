"""A page whose URL gave the same bytes at its last fetch on an earlier day is unchanged
before extraction: what came of them keeps its rows, as after a 304; the same day's own
rows never count, since a rerun of the day replaces them."""

from __future__ import annotations

import datetime as dt

import polars as pl

from transforms.ingest.fetch import unchanged_bodies


def _pages() -> pl.DataFrame:
    return pl.DataFrame({
        "url": ["https://a.example/1", "https://a.example/2", "https://a.example/3",
                "https://a.example/4", "https://a.example/5"],
        "content_hash": ["h1", "h2-new", "h3", "h4", "h5"],
        "content_type": ["text/html"] * 5,
        "html": ["<p>1</p>", "<p>2</p>", "<p>3</p>", None, "<p>5</p>"],
        "fetch_outcome": ["fetched", "fetched", "fetched", "quarantined", "fetched"],
    })


def _stored() -> pl.DataFrame:
    return pl.DataFrame({
        "url": ["https://a.example/1", "https://a.example/2", "https://a.example/3",
                "https://a.example/4", "https://b.example/5"],
        "content_hash": ["h1", "h2-old", "h3", "h4", "h5"],
        "content_type": ["text/html"] * 5,
        "ingest_date": [dt.date(2026, 6, 1), dt.date(2026, 6, 1), dt.date(2026, 6, 2),
                        dt.date(2026, 6, 1), dt.date(2026, 6, 1)],
    })


def test_only_the_same_url_with_the_same_bytes_from_another_day_is_unchanged():
    pages = unchanged_bodies(_pages(), _stored(), "2026-06-02")
    assert pages["fetch_outcome"].to_list() == [
        "unchanged",    # same URL, same bytes, stored on 2026-06-01
        "fetched",      # same URL, new bytes
        "fetched",      # stored under this very day: a rerun extracts it again
        "quarantined",  # a refused fetch stays refused
        "fetched",      # the same bytes under another URL: a copy, not this article
    ]
    assert pages["html"].to_list() == [None, "<p>2</p>", "<p>3</p>", None, "<p>5</p>"]


def test_nothing_stored_changes_nothing():
    empty = _stored().clear()
    assert unchanged_bodies(_pages(), empty, "2026-06-02").equals(_pages())


def test_the_same_bytes_decoded_under_another_charset_are_not_unchanged():
    pages = _pages().with_columns(content_type=pl.lit("text/html; charset=iso-8859-1"))
    assert unchanged_bodies(pages, _stored(), "2026-06-02")["fetch_outcome"].to_list() == \
        _pages()["fetch_outcome"].to_list()
