"""The screens that spare the figures stage most of its regex work must be conservative:
every sentence where the full parser (or attribution, or a ranking word) finds something
passes them, and the stage's output is the same as without them."""

from __future__ import annotations

import json
import re
from pathlib import Path

import polars as pl
import pytest

from claimledger.eval_figures import default_dataset
from transforms.clean.sentences import sentence_spans
from transforms.figures.attribution import (
    attribution_of,
    attribution_screen,
    python_only_folds,
    screen_pattern,
)
from transforms.figures.claims import _ranking_pattern, _ranking_words
from transforms.figures.mentions import _number_word_screen, figure_mentions, may_hold_figures
from transforms.figures.parsing import _patterns, number_words, parse_figures

SEEDS_DIR = Path(__file__).resolve().parents[4] / "shared" / "seeds"

WORD_ONLY = [
    "Exports rose by three percent.",
    "Twenty-five workers were laid off.",
    "Dozens of people gathered, and tens of thousands watched.",
    "About a third of those screened were ill.",
    "They sold a dozen cars.",
    "Exports rose by ſix percent.",  # long s: Python's re.IGNORECASE reads it as "s"
    "Exports rose by fıve percent.",  # dotless i: re folds it to "i", polars does not
    "NINETY firms signed.",
]


def _corpus() -> list[str]:
    """Sentences of the seed articles and the NewsQuant dev texts, where present."""
    texts: list[str] = []
    for path in sorted(SEEDS_DIR.glob("*.txt")):
        for line in path.read_text(encoding="utf-8").splitlines():
            texts.extend(line[s:e] for s, e in sentence_spans(line))
    if default_dataset().exists():
        texts.extend(r["text"] for r in json.loads(default_dataset().read_text("utf-8")))
    return texts


CORPUS = _corpus()
needs_corpus = pytest.mark.skipif(len(CORPUS) < 100, reason="no seeds or eval data found")


def test_a_sentence_with_a_number_word_only_passes_the_screen():
    texts = pl.Series(WORD_ONLY)
    assert may_hold_figures(texts).all()
    assert _number_word_screen(texts).all()
    assert parse_figures(WORD_ONLY[0])[0].value == 3.0


def test_a_sentence_without_digits_or_number_words_is_screened_out():
    texts = pl.Series(["The ministry said talks would resume.", "Someone often went."])
    assert not may_hold_figures(texts).any()


def test_every_number_word_of_the_rules_passes_the_screen_alone():
    # A word added to rules/numbers.yml reaches the screen through number_words().
    words = number_words()
    assert {"three", "twenty", "dozens", "half", "a dozen"} <= set(words)
    texts = pl.Series([f"x {w} y" for w in words] + [f"{w.upper()}." for w in words])
    assert may_hold_figures(texts).all()


@needs_corpus
def test_every_sentence_where_the_parser_starts_a_figure_passes_the_screen():
    passes = may_hold_figures(pl.Series(CORPUS)).to_list()
    core = _patterns().core
    missed = [t for t, ok in zip(CORPUS, passes, strict=True) if not ok and core.search(t)]
    assert not missed, missed[:5]
    assert not any(parse_figures(t) for t, ok in zip(CORPUS, passes, strict=True) if not ok)


@needs_corpus
def test_parsing_digit_to_digit_finds_what_the_full_scan_finds():
    texts = CORPUS + WORD_ONLY
    for text, words in zip(texts, _number_word_screen(pl.Series(texts)), strict=True):
        assert parse_figures(text, number_words=words) == parse_figures(text), text


@needs_corpus
def test_figure_mentions_equal_parsing_every_sentence():
    sentences = pl.DataFrame({"sentence_id": [f"s{i}" for i in range(len(CORPUS))],
                              "article_id": "a", "text": CORPUS})
    figures = figure_mentions(sentences)
    expected = [(f"s{i}", f.span_start, f.raw_text)
                for i, text in enumerate(CORPUS) for f in parse_figures(text)]
    assert list(figures.select("sentence_id", "span_start", "raw_text").iter_rows()) == expected


@needs_corpus
def test_attribution_and_ranking_screens_pass_every_sentence_that_has_them():
    texts = pl.Series(CORPUS)
    attributed = texts.str.contains(attribution_screen()).to_list()
    ranked = texts.str.contains(screen_pattern(_ranking_words(), ignore_case=True)).to_list()
    for text, may_attribute, may_rank in zip(CORPUS, attributed, ranked, strict=True):
        assert may_attribute or attribution_of(text) is None, text
        assert may_rank or not _ranking_pattern().search(text), text


def test_python_only_folds_cover_every_plane():
    # The screen scans plane 0 only; nothing above it folds to an ASCII letter in re.
    astral = "".join(map(chr, range(0x10000, 0x110000)))
    assert not re.findall("[a-z]", astral, re.IGNORECASE)
    assert {"ſ", "ı", "İ", "\u212a"} <= set(python_only_folds())


def test_screen_pattern_takes_regex_syntax_literally():
    pattern = screen_pattern(["a.b", "(x)", "c|d", "e-f"], ignore_case=False)
    texts = pl.Series(["a.b", "axb", "(x)", "c|d", "c", "e-f"])
    assert texts.str.contains(pattern).to_list() == [True, False, True, True, False, True]
