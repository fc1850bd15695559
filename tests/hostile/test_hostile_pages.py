"""Pathological pages through the extract and clean stages (no DAG here): each is either
refused with a quarantine reason or cleaned into paragraphs that are all decided, with
sentences only from the kept ones.

Tests assert behaviour, never wall-clock time: that the work per page is bounded is counted
in tests/hostile/test_bounded_work.py. The timeout is a backstop for a hang, not the
assertion.
"""

from __future__ import annotations

import polars as pl
import pytest

from tests.hostile.corpus import cases_and_bodies
from transforms.clean.articles import split_paragraphs
from transforms.clean.paragraphs import with_paragraph_decisions
from transforms.clean.sentences import with_sentences
from transforms.extract.page import ExtractionError, extract_page
from transforms.ingest.decoding import decode_body
from transforms.kernel.quarantine import reason_vocabulary

pytestmark = pytest.mark.timeout(180)

BODIES = {case.name: body for case, body in cases_and_bodies(big_bytes=1)}


@pytest.mark.parametrize("name", ["long_paragraph.html", "deep_nesting.html",
                                  "entities.xhtml", "chinese.html", "homepage.html"])
def test_a_pathological_page_is_quarantined_with_a_reason_or_cleaned_into_decided_paragraphs(
        name):
    try:
        article = extract_page(decode_body(BODIES[name]), f"https://hostile.example/{name}")
    except ExtractionError as error:
        assert error.reason_code in reason_vocabulary("quarantine_reasons")
        return
    extracted = pl.DataFrame({"article_id": ["a"], "raw_text": [article["raw_text"]]})
    paragraphs = split_paragraphs(extracted)
    decided = with_paragraph_decisions(paragraphs, pl.DataFrame(
        {"article_id": ["a"], "language": [article["language"]], "title": [article["title"]],
         "author": [None], "site_name": [None]},
        schema={"article_id": pl.String, "language": pl.String, "title": pl.String,
                "author": pl.String, "site_name": pl.String}))
    kept = decided.filter(pl.col("is_kept"))
    sentences = with_sentences(kept.select("paragraph_id", "article_id", "position",
                                           "repaired_text"))
    # Every non-blank line is decided once, and every removal has a known reason.
    assert decided.height == paragraphs.height > 0
    removed = decided.filter(~pl.col("is_kept"))["removal_reason"].to_list()
    assert set(removed) <= reason_vocabulary("removal_reasons")
    # Sentences come only from kept paragraphs, and each is text of its paragraph.
    texts = dict(zip(kept["paragraph_id"], kept["repaired_text"], strict=True))
    assert set(sentences["paragraph_id"]) <= set(texts)
    for paragraph, sentence in sentences.select("paragraph_id", "text").iter_rows():
        assert sentence.strip() and sentence.strip() in texts[paragraph]
