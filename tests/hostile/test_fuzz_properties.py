"""Property and fuzz tests of the text path: arbitrary input never raises, spans stay inside
their text, and normalisations are idempotent.

The HTML fuzz runs CLAIMLEDGER_FUZZ_EXAMPLES examples (60 in `make test`; `make fuzz`
raises it): hypothesis-built HTML → extract_page → with_paragraph_decisions →
with_sentences → figure_mentions, where the only exception allowed is ExtractionError
(the page becomes a quarantine row).
"""

from __future__ import annotations

import os

import polars as pl
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from transforms.clean.paragraphs import normalise, with_paragraph_decisions
from transforms.clean.sentences import sentence_spans, with_sentences
from transforms.extract.page import ExtractionError, extract_page
from transforms.figures.mentions import figure_mentions
from transforms.kernel.quarantine import reason_vocabulary
from transforms.kernel.urls import article_url_problem, normalise_url

FUZZ_EXAMPLES = int(os.environ.get("CLAIMLEDGER_FUZZ_EXAMPLES", "60"))

NEWSY = ["China", "Russia", "trade", "reached", "$245 billion", "in 2024", "up 1.9%",
         "said", "Mr. Putin", "U.S.", "“We will", "grow,” he said.", "Read more", "Share",
         "Advertisement", "1e309", "½", "١٢٣", "10,00,000", "3.5.2", "$-5 billion", "\u200b",
         "\u00a0", "\ufffd", "…", "\n", "  ", "Товарооборот", "中俄贸易额", "<", "&", ";"]
_words = st.one_of(st.sampled_from(NEWSY), st.text(max_size=15))
_prose = st.lists(_words, max_size=25).map(" ".join)


def _frames(paragraph_lists: list[list[str]]) -> tuple[pl.DataFrame, pl.DataFrame]:
    rows = [{"article_id": f"a{i}", "position": p, "text": text}
            for i, texts in enumerate(paragraph_lists) for p, text in enumerate(texts)]
    paragraphs = pl.DataFrame(rows, schema={"article_id": pl.String, "position": pl.Int32,
                                            "text": pl.String})
    articles = pl.DataFrame(
        [{"article_id": f"a{i}", "language": None, "title": texts[0] if texts else None,
          "author": None, "site_name": None} for i, texts in enumerate(paragraph_lists)],
        schema={"article_id": pl.String, "language": pl.String, "title": pl.String,
                "author": pl.String, "site_name": pl.String})
    return paragraphs, articles


@settings(max_examples=80, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(st.lists(_prose, max_size=8), min_size=1, max_size=3))
def test_the_cleaner_decides_every_paragraph_once_with_a_known_reason(paragraph_lists):
    paragraphs, articles = _frames(paragraph_lists)
    decided = with_paragraph_decisions(paragraphs, articles)
    assert decided.height == paragraphs.height
    assert decided["paragraph_id"].n_unique() == decided.height
    assert (decided["is_kept"] == decided["removal_reason"].is_null()).all()
    reasons = set(decided["removal_reason"].drop_nulls())
    assert reasons <= reason_vocabulary("removal_reasons")
    assert (decided["char_count"] == decided["text"].str.len_chars()).all()
    kept = dict(zip(decided["paragraph_id"], decided["is_kept"], strict=True))
    for row in decided.filter(pl.col("duplicate_of_paragraph_id").is_not_null()).iter_rows(
            named=True):
        first = row["duplicate_of_paragraph_id"]
        assert first.split("-p")[0] == row["article_id"]
        assert first != row["paragraph_id"] and (kept[first] or row["removal_reason"] ==
                                                 "teaser_repeat")
    # Deterministic whatever the row order.
    again = with_paragraph_decisions(paragraphs.reverse(), articles.reverse())
    assert again.equals(decided)


@settings(max_examples=200, deadline=None)
@given(st.one_of(st.text(), _prose))
def test_normalise_is_idempotent(text):
    assert normalise(normalise(text)) == normalise(text)


@settings(max_examples=200, deadline=None)
@given(st.one_of(st.text(), _prose))
def test_sentence_spans_tile_the_text_in_order(text):
    previous_end = 0
    for start, end in sentence_spans(text):
        assert previous_end <= start < end <= len(text)
        assert text[start:end].strip() == text[start:end]
        previous_end = end
    # Only whitespace lies outside the spans.
    outside = list(text)
    for start, end in sentence_spans(text):
        outside[start:end] = [" "] * (end - start)
    assert "".join(outside).strip() == ""


_url_parts = st.tuples(
    st.sampled_from(["http", "https", "HTTPS", "ftp", "", "snapshot"]),
    st.sampled_from(["Example.COM", "example.com:443", "example.com:80", "xn--d1acpjx3f.xn--p1ai",
                     "[::1]", "user@host", "", "a b", "bücher.de"]),
    st.text(max_size=20),
    st.lists(st.tuples(st.sampled_from(["utm_source", "id", "fbclid", "q", "ref", "UTM_X"]),
                       st.text(max_size=6)), max_size=4),
    st.text(max_size=6),
)


def _visible(text: str) -> str:
    return "".join(c for c in text if c > " " and not c.isspace())


@settings(max_examples=300, deadline=None)
@given(_url_parts)
def test_url_normalisation_is_idempotent_and_drops_tracking(parts):
    scheme, host, path, query, fragment = parts
    url = f"{scheme}://{host}/{path}?" + "&".join(f"{k}={v}" for k, v in query) + \
        f"#{fragment}"
    once = normalise_url(url)
    assert normalise_url(once) == once
    assert (article_url_problem(once) is None) == (article_url_problem(url) is None)
    if article_url_problem(once) is not None:
        # Not an article URL: kept as it came, never half-mended; only spaces and
        # control characters may go.
        assert _visible(once) == _visible(url)
    elif "#" not in path + "".join(k + v for k, v in query) and "?" not in path:
        assert "utm_source=" not in once and "fbclid=" not in once


# ----------------------------------------------------------------------- HTML fuzz

_TAGS = ["p", "div", "article", "main", "section", "span", "a", "h1", "h2", "li", "ul",
         "table", "tr", "td", "nav", "header", "footer", "aside", "script", "style",
         "noscript", "figure", "figcaption", "blockquote", "br", "meta", "title", "body",
         "html", "head", "svg", "math", "template", "iframe", "form", "input", "textarea"]
_ATTRS = st.sampled_from(["", ' class="article-body"', ' id="main"', ' lang="ru"',
                          ' rel="canonical" href="https://x.example/a"',
                          ' property="og:url" content="javascript:alert(1)"',
                          ' style="display:none"', ' hidden', ' href="%00"', " onload=x()",
                          ' charset="utf-7"', ' content="2099-12-31"'])
_TEXT = st.one_of(_prose, st.sampled_from(["&amp;", "&lt;script&gt;", "&#0;", "&#x110000;",
                                           "&lol9;", "&nbsp;", "<!-- c -->", "<![CDATA[x]]>",
                                           "<?php x ?>", "</p>", "<p", "\x00", "\x0c"]))


def _element(children: st.SearchStrategy) -> st.SearchStrategy:
    return st.builds(lambda tag, attrs, inner, closed: f"<{tag}{attrs}>{inner}"
                     + (f"</{tag}>" if closed else ""),
                     st.sampled_from(_TAGS), _ATTRS,
                     st.lists(children, max_size=5).map("".join), st.booleans())


_html = st.recursive(_TEXT, _element, max_leaves=40).map(
    lambda body: f"<html><head><title>Fuzz</title></head><body>{body}</body></html>")


@settings(max_examples=FUZZ_EXAMPLES, deadline=None,
          suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
@given(st.one_of(_html, _TEXT, st.text()))
def test_any_html_goes_through_the_text_path_or_is_refused_with_a_reason(html):
    try:
        extracted = extract_page(html, "https://fuzz.example/page")
    except ExtractionError as error:
        assert error.reason_code in reason_vocabulary("quarantine_reasons")
        return
    lines = [line for line in extracted["raw_text"].split("\n") if line.strip()]
    paragraphs, articles = _frames([lines])
    decided = with_paragraph_decisions(paragraphs, articles.with_columns(
        title=pl.lit(extracted["title"]), language=pl.lit(extracted["language"])))
    sentences = with_sentences(decided.filter(pl.col("is_kept")).select(
        "paragraph_id", "article_id", "position", "repaired_text"))
    figures = figure_mentions(sentences)
    texts = dict(zip(sentences["sentence_id"], sentences["text"], strict=True))
    for row in figures.iter_rows(named=True):
        assert texts[row["sentence_id"]][row["span_start"]:row["span_end"]] == row["raw_text"]
