"""Claims from sentences and their figure mentions: the checkable statements of
fct_claims (trade statements are transforms/figures/trade.py). Rule-based and
deterministic; the vocabularies are transforms/rules/attribution.yml and trade.yml.
"""

from __future__ import annotations

import re
from functools import cache

import polars as pl

from transforms.figures.attribution import (
    attribution_of,
    attribution_screen,
    hedge_of,
    quote_of,
    screen_pattern,
)
from transforms.figures.context import (
    flow_mentions,
    forecast_hedge,
)
from transforms.figures.patterns import alternation, whole_phrases
from transforms.kernel.keys import claim_id
from transforms.kernel.rules import rules

__all__ = ["CLAIM_SCHEMA", "claims"]

CLAIM_SCHEMA = {
    "claim_id": pl.String,
    "article_id": pl.String,
    "sentence_id": pl.String,
    "claim_text": pl.String,
    "claim_type": pl.String,
    "speaker": pl.String,
    "speaker_role": pl.String,
    "speaker_org": pl.String,
    "attribution_text": pl.String,
    "hedge": pl.String,
    "figure_count": pl.Int32,
}

@cache
def _ranking_words() -> tuple[str, ...]:
    return tuple(sorted(rules("attribution")["ranking_words"], key=len, reverse=True))


@cache
def _ranking_pattern() -> re.Pattern[str]:
    return whole_phrases(_ranking_words(), capture=True)


@cache
def _clause_break() -> re.Pattern[str]:
    """Where a sentence is cut into clauses: "X; Y", and "X, with Y" for the words of
    attribution.yml clause_break_words (lower case only, as written there)."""
    words = alternation(rules("attribution")["clause_break_words"])
    return re.compile(rf",\s+(?=(?:{words})\b)|;\s+")


def _clauses(text: str) -> list[tuple[int, int]]:
    spans, start = [], 0
    for match in _clause_break().finditer(text):
        spans.append((start, match.start()))
        start = match.end()
    spans.append((start, len(text)))
    return [(s, e) for s, e in spans if text[s:e].strip()]


def claims(sentences: pl.DataFrame, figures: pl.DataFrame) -> pl.DataFrame:
    """Sentences and figure mentions in; one row per factual claim out.

    A quotation with a named speaker is one 'quote' claim. Otherwise each clause that
    carries something checkable is a claim typed, in this order of precedence:
    forecast (a figure under a forecast hedge), trade_figure (a money or percent figure
    next to a trade-flow phrase), ranking, statistic (any other figure),
    attributed_statement (no figure, but a named source). Out: raw.claims minus
    ingest_date; claim_id = sentence_id || '-c' || n.
    """
    spans: dict[str, list[dict]] = {}
    for figure in figures.iter_rows(named=True):
        spans.setdefault(figure["sentence_id"], []).append(figure)
    rows: list[dict] = []
    ordered = sentences.sort("article_id", "sentence_index")
    # Screens: a sentence they pass over has no ranking word or no attribution (most
    # sentences), which polars tells for the whole column at once (attribution.screen_pattern).
    may_rank = ordered["text"].str.contains(
        screen_pattern(_ranking_words(), ignore_case=True)).fill_null(True)
    may_attribute = ordered["text"].str.contains(attribution_screen()).fill_null(True)
    for sentence, rank, attribute in zip(ordered.iter_rows(named=True), may_rank,
                                         may_attribute, strict=True):
        rows.extend(_claims_of(sentence, spans.get(sentence["sentence_id"], []),
                               may_rank=rank, may_attribute=attribute))
    # As for trade statements: a sentence repeated word for word is one claim.
    repeat_key = [c for c in CLAIM_SCHEMA if c not in ("claim_id", "sentence_id")]
    return pl.DataFrame(rows, schema=CLAIM_SCHEMA).unique(
        subset=repeat_key, keep="first", maintain_order=True)


def _is_checkable(figure: dict) -> bool:
    """Money, percentages and counts written in digits or with a scale; a spelled-out
    small count ("the two nations", "one thing") describes rather than asserts."""
    return (
        figure["quantity_kind"] in ("money", "percent")
        or figure["scale"] is not None
        or any(ch.isdigit() for ch in figure["raw_text"])
    )


def _claims_of(sentence: dict, figures: list[dict], may_rank: bool = True,
               may_attribute: bool = True) -> list[dict]:
    """The claims of one sentence; may_rank/may_attribute False say (from a screen) that
    it holds no ranking word / no attribution, which spares looking for them."""
    text = sentence["text"]
    base = {"article_id": sentence["article_id"], "sentence_id": sentence["sentence_id"]}
    quoted = quote_of(text)
    if quoted is not None:
        quote, who = quoted
        quote_start = text.find(quote)
        in_quote = [f for f in figures if quote_start <= f["span_start"] < quote_start + len(quote)]
        return [{
            **base,
            "claim_id": claim_id(sentence["sentence_id"], 0),
            "claim_text": quote,
            "claim_type": "quote",
            "speaker": who.speaker,
            "speaker_role": who.speaker_role,
            "speaker_org": who.speaker_org,
            "attribution_text": who.attribution_text,
            "hedge": hedge_of(quote),
            "figure_count": len(in_quote),
        }]
    attribution = attribution_of(text) if may_attribute else None
    # Forecast hedges and flow phrases only type clauses that hold figures, and the hedge
    # is only written on a claim: none is looked for in a sentence that does not need it.
    forecast = forecast_hedge(text) if figures else None
    flows = flow_mentions(text) if figures else []
    hedge: str | None = None
    rows: list[dict] = []
    for start, end in _clauses(text):
        inside = [f for f in figures if f["span_start"] >= start and f["span_end"] <= end]
        checkable = [f for f in inside if _is_checkable(f)]
        clause = text[start:end].strip(" ,.")
        has_flow = any(start <= f.start < end for f in flows)
        measured = [f for f in inside if f["quantity_kind"] in ("money", "percent")]
        if checkable and forecast:
            claim_type = "forecast"
        elif measured and has_flow:
            claim_type = "trade_figure"
        elif may_rank and _ranking_pattern().search(clause):
            claim_type = "ranking"
        elif checkable:
            claim_type = "statistic"
        elif attribution is not None:
            claim_type = "attributed_statement"
        else:
            continue
        if not rows:
            hedge = hedge_of(text)
        rows.append({
            **base,
            "claim_id": claim_id(sentence["sentence_id"], len(rows)),
            "claim_text": clause,
            "claim_type": claim_type,
            "speaker": attribution.speaker if attribution else None,
            "speaker_role": attribution.speaker_role if attribution else None,
            "speaker_org": attribution.speaker_org if attribution else None,
            "attribution_text": attribution.attribution_text if attribution else None,
            "hedge": hedge,
            "figure_count": len(inside),
        })
    return rows
