"""Split kept paragraphs into sentences with a deterministic rule-based splitter.

A boundary is sentence-final punctuation (. ! ?, with any closing quotes or brackets)
followed by whitespace and an uppercase letter, digit or opening quote, unless the word
before is an abbreviation (transforms/rules/abbreviations.yml), a capital initial, a dotted
acronym ("U.S.") — or the boundary sits inside a quotation that closes later in the
paragraph, so a quoted statement stays one sentence with its speaker.
"""

from __future__ import annotations

import bisect
import functools
import re

import polars as pl

from transforms.kernel.keys import sentence_id
from transforms.kernel.rules import rules

__all__ = ["sentence_spans", "with_sentences"]

SENTENCE_SCHEMA = {
    "sentence_id": pl.String,
    "article_id": pl.String,
    "paragraph_id": pl.String,
    "sentence_index": pl.Int32,
    "char_start": pl.Int32,
    "char_end": pl.Int32,
    "text": pl.String,
}

# Possessive, and only at the start of a run of marks: with backtracking, every mark of a
# long run ("?????...") retried the rest of the run, quadratic in its length (20,000
# question marks took 10 s). A shorter run or fewer closers can never match where the
# whole one does not (the next character would be a mark or a closer, not a space).
# A bullet after the punctuation ("... well. * South Korea's exports ...", factbox copy)
# opens the next sentence too.
_BOUNDARY = re.compile(r"(?<![.!?])[.!?]++[\"'”’)\]]*+"
                       r"(?=\s++(?:[*\u2022]\s++)?[\"'“‘(\[]?[A-Z0-9])")
_ACRONYM = re.compile(r"^(?:[A-Za-z]\.){2,}$")
_INITIAL = re.compile(r"^[A-Z]\.$")


@functools.cache
def _abbreviations() -> frozenset[str]:
    # Parsed once a process: reading the YAML for every paragraph was most of this stage.
    return frozenset(rules("abbreviations")["abbreviations"])


def _word_before(text: str, end: int) -> str:
    """The last whitespace-separated word of text[:end] (text[end - 1] is not whitespace),
    as text[:end].split()[-1], without splitting the whole prefix at every boundary."""
    start = end
    while start > 0 and not text[start - 1].isspace():
        start -= 1
    return text[start:end]


class _QuoteState:
    """Whether a boundary sits inside a quotation: the last quotation mark before it opens one
    and the next one after it closes it. A straight mark opens when it follows whitespace, the
    start or an opening bracket or dash, else it closes. Wire copy runs a quote over several
    paragraphs with no closing mark until its end, each paragraph opening again (and pages
    join paragraphs): counting marks from the start of the text then took every later
    boundary for one inside a quotation, and whole articles became one sentence. The marks
    are found once; each boundary is two bisections."""

    def __init__(self, text: str) -> None:
        self.marks: list[int] = []
        self.opens: list[bool] = []
        for match in re.finditer(r'["\u201c\u201d]', text):
            mark, at = match.group(), match.start()
            if mark == '"':
                opening = at == 0 or text[at - 1].isspace() or text[at - 1] in "([{-\u2013\u2014/"
            else:
                opening = mark == "\u201c"
            self.marks.append(at)
            self.opens.append(opening)

    def inside(self, pos: int) -> bool:
        """True when the last mark before `pos` opens a quotation the next mark closes."""
        after = bisect.bisect_left(self.marks, pos)
        return 0 < after < len(self.marks) and self.opens[after - 1] \
            and not self.opens[after]


def sentence_spans(text: str) -> list[tuple[int, int]]:
    """Return the (start, end) spans of the sentences of `text`, whitespace trimmed."""
    abbreviations = _abbreviations()
    spans: list[tuple[int, int]] = []
    start = 0
    quotes = _QuoteState(text)
    for match in _BOUNDARY.finditer(text):
        if text[match.start()] == ".":
            word = _word_before(text, match.start() + 1)
            if word in abbreviations or _ACRONYM.match(word) or _INITIAL.match(word):
                continue
        if quotes.inside(match.end()):
            continue
        spans.append((start, match.end()))
        start = match.end()
    spans.append((start, len(text)))
    trimmed = []
    for s, e in spans:
        while s < e and text[s].isspace():
            s += 1
        while e > s and text[e - 1].isspace():
            e -= 1
        if e > s:
            trimmed.append((s, e))
    return trimmed


def with_sentences(paragraphs: pl.DataFrame) -> pl.DataFrame:
    """Kept paragraphs in, one row per sentence out.

    In: paragraph_id, article_id, position, repaired_text (kept paragraphs only).
    Out: sentence_id (paragraph_id || '-s' || 3-digit index within the paragraph),
    article_id, paragraph_id, sentence_index (0-based across the article, paragraph
    order), char_start, char_end (end-exclusive span in repaired_text), text.
    """
    columns: dict[str, list] = {name: [] for name in SENTENCE_SCHEMA}
    ordered = paragraphs.sort(["article_id", "position"])
    counters: dict[str, int] = {}
    for paragraph_id, article_id, text in ordered.select(
            "paragraph_id", "article_id", "repaired_text").iter_rows():
        text = text or ""
        for index, (start, end) in enumerate(sentence_spans(text)):
            sentence_index = counters.get(article_id, 0)
            counters[article_id] = sentence_index + 1
            columns["sentence_id"].append(sentence_id(paragraph_id, index))
            columns["article_id"].append(article_id)
            columns["paragraph_id"].append(paragraph_id)
            columns["sentence_index"].append(sentence_index)
            columns["char_start"].append(start)
            columns["char_end"].append(end)
            columns["text"].append(text[start:end])
    return pl.DataFrame(columns, schema=SENTENCE_SCHEMA)
