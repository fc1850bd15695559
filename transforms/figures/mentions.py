"""Figure mentions: one row per quantity found in a kept sentence.

Parsing is transforms/figure_parsing.parse_figures (pure); this module maps it over a
sentence frame and converts money to US dollars with the fx_rates_usd dbt seed.
"""

from __future__ import annotations

import polars as pl

from transforms.figures.attribution import screen_pattern
from transforms.figures.parsing import DIGIT, Figure, number_words, parse_figures
from transforms.kernel.keys import figure_id
from transforms.kernel.rules import usd_per_unit

__all__ = ["FIGURE_SCHEMA", "figure_mentions", "may_hold_figures", "to_usd"]

FIGURE_SCHEMA = {
    "figure_id": pl.String,
    "article_id": pl.String,
    "sentence_id": pl.String,
    "raw_text": pl.String,
    "span_start": pl.Int32,
    "span_end": pl.Int32,
    "quantity_kind": pl.String,
    "value": pl.Float64,
    "unit": pl.String,
    "currency": pl.String,
    "scale": pl.String,
    "value_full": pl.Float64,
    "value_usd": pl.Float64,
    "is_approximate": pl.Boolean,
    "approximation": pl.String,
    "is_range": pl.Boolean,
    "range_low": pl.Float64,
    "range_high": pl.Float64,
    "direction": pl.String,
    "decimals": pl.Int32,
}


def to_usd(figure: Figure) -> float | None:
    """Full US dollars for a money figure (approximate annual fx rate), else None."""
    if figure.quantity_kind != "money" or figure.currency is None:
        return None
    rate = usd_per_unit().get(figure.currency)
    return None if rate is None else figure.value_full * rate


def _number_word_screen(texts: pl.Series) -> pl.Series:
    """False for each text that holds none of number_words() (rules/numbers.yml) where
    Python's re could read one, in one vectorised polars pass (see screen_pattern)."""
    return texts.str.contains(screen_pattern(number_words(), ignore_case=True,
                                             word_start=True)).fill_null(True)


def may_hold_figures(texts: pl.Series) -> pl.Series:
    """True for each text that may hold a figure, False only for texts that hold no digit
    and no number word (transforms/rules/numbers.yml), where parse_figures finds nothing.

    Three sentences in four hold neither, and one Python regex search across a whole
    sentence for none costs more than the rest of the figure parsing; the number words are
    screened in one vectorised polars pass, digits as Python's re reads them (which the
    parser uses)."""
    by_word = _number_word_screen(texts)
    return pl.Series([word or DIGIT.search(text) is not None
                      for word, text in zip(by_word, texts.fill_null(""), strict=True)],
                     dtype=pl.Boolean)


def figure_mentions(sentences: pl.DataFrame) -> pl.DataFrame:
    """Sentences (sentence_id, article_id, text) in; one row per figure out.

    Columns are raw.figure_mentions minus ingest_date; figure_id is
    sentence_id || '-f' || span_start; spans are end-exclusive offsets in the sentence text;
    value is as written, value_full has the scale applied, value_usd is full US dollars.
    """
    rows: list[dict] = []
    candidates = sentences.select("sentence_id", "article_id", "text").filter(
        may_hold_figures(sentences["text"]))
    has_words = _number_word_screen(candidates["text"])
    for sentence, words in zip(candidates.iter_rows(named=True), has_words, strict=True):
        for figure in parse_figures(sentence["text"] or "", number_words=words):
            rows.append(
                {
                    "figure_id": figure_id(sentence["sentence_id"], figure.span_start),
                    "article_id": sentence["article_id"],
                    "sentence_id": sentence["sentence_id"],
                    "raw_text": figure.raw_text,
                    "span_start": figure.span_start,
                    "span_end": figure.span_end,
                    "quantity_kind": figure.quantity_kind,
                    "value": figure.value,
                    "unit": figure.unit,
                    "currency": figure.currency,
                    "scale": figure.scale,
                    "value_full": figure.value_full,
                    "value_usd": to_usd(figure),
                    "is_approximate": figure.is_approximate,
                    "approximation": figure.approximation,
                    "is_range": figure.is_range,
                    "range_low": figure.range_low,
                    "range_high": figure.range_high,
                    "direction": figure.direction,
                    "decimals": figure.decimals,
                }
            )
    return pl.DataFrame(rows, schema=FIGURE_SCHEMA)
