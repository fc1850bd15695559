"""Pathological pages cost bounded time in the extract and clean stages (no DAG here)."""

from __future__ import annotations

import time

import polars as pl
import pytest

from tests.hostile.corpus import cases_and_bodies
from transforms.clean.paragraphs import with_paragraph_decisions
from transforms.clean.sentences import with_sentences
from transforms.extract.page import ExtractionError, extract_page
from transforms.ingest.decoding import decode_body

SECONDS_PER_PAGE = 20  # ~1 s on a laptop; generous for a loaded CI runner
BODIES = {case.name: body for case, body in cases_and_bodies(big_bytes=1)}


@pytest.mark.parametrize("name", ["long_paragraph.html", "deep_nesting.html",
                                  "entities.xhtml", "chinese.html", "homepage.html"])
def test_a_pathological_page_is_extracted_and_cleaned_in_bounded_time(name):
    started = time.monotonic()
    try:
        article = extract_page(decode_body(BODIES[name]), f"https://hostile.example/{name}")
    except ExtractionError:
        assert time.monotonic() - started < SECONDS_PER_PAGE
        return
    lines = [line for line in article["raw_text"].split("\n") if line.strip()]
    paragraphs = pl.DataFrame({"article_id": ["a"] * len(lines),
                               "position": list(range(len(lines))), "text": lines},
                              schema={"article_id": pl.String, "position": pl.Int32,
                                      "text": pl.String})
    decided = with_paragraph_decisions(paragraphs, pl.DataFrame(
        {"article_id": ["a"], "language": [article["language"]], "title": [article["title"]],
         "author": [None], "site_name": [None]},
        schema={"article_id": pl.String, "language": pl.String, "title": pl.String,
                "author": pl.String, "site_name": pl.String}))
    with_sentences(decided.filter(pl.col("is_kept")).select(
        "paragraph_id", "article_id", "position", "repaired_text"))
    assert time.monotonic() - started < SECONDS_PER_PAGE
