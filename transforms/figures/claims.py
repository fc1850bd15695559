"""Trade statements and claims from sentences and their figure mentions.

`trade_statements` finds who trades what with whom, when, for how much (fct_trade_figures);
`claims` finds the checkable statements (fct_claims). Both are rule-based and deterministic;
the vocabularies are transforms/rules/trade.yml and attribution.yml plus the
country_aliases seed.
"""

from __future__ import annotations

import re
from collections import Counter
from datetime import date
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
    FlowMention,
    PlaceMention,
    commodity_near,
    flow_mentions,
    forecast_hedge,
    period_year,
    place_mentions,
)
from transforms.figures.patterns import whole_phrases
from transforms.figures.places import not_trading
from transforms.kernel.keys import claim_id, trade_figure_id
from transforms.kernel.rules import rules

__all__ = ["CLAIM_SCHEMA", "TRADE_SCHEMA", "claims", "trade_statements"]

TRADE_SCHEMA = {
    "trade_figure_id": pl.String,
    "article_id": pl.String,
    "sentence_id": pl.String,
    "flow": pl.String,
    "reporter": pl.String,
    "partner": pl.String,
    "commodity": pl.String,
    "period_year": pl.Int32,
    "value_usd": pl.Float64,
    "value_figure_id": pl.String,
    "growth_pct": pl.Float64,
    "growth_figure_id": pl.String,
    "is_forecast": pl.Boolean,
    "attributed_to": pl.String,
    "evidence_text": pl.String,
}

# Two trade rows of one article with all of these equal are one statement repeated.
REPEAT_KEY = ["article_id", "flow", "reporter", "partner", "commodity", "period_year",
              "value_usd", "growth_pct", "is_forecast", "attributed_to", "evidence_text"]

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

# Places that can be a trading side; alliances and forums (NATO, BRICS) are not
# (transforms/rules/places.yml not_trading).
_TRADING_KINDS = ("country", "region", "bloc")


def _article_pair(texts: list[str]) -> list[str]:
    """The two countries an article is most about (most mentioned, first seen first)."""
    counts: Counter[str] = Counter()
    first: dict[str, int] = {}
    for position, text in enumerate(texts):
        for place in place_mentions(text):
            if place.kind == "country":
                counts[place.code] += 1
                first.setdefault(place.code, position)
    ranked = sorted(counts, key=lambda code: (-counts[code], first[code]))
    return ranked[:2]


def _is_growth(figure: dict, text: str) -> bool:
    if figure["quantity_kind"] != "percent":
        return False
    if figure["direction"]:
        return True
    after = text[figure["span_end"] : figure["span_end"] + 20].lower()
    return any(marker in after for marker in rules("trade")["growth_markers"])


def _sides(
    text: str, flow: FlowMention, places: list[PlaceMention], pair: list[str]
) -> tuple[str, str] | None:
    """(reporter, partner) for a flow phrase, or None when a side is not named."""
    blocked = not_trading()
    traders = [p for p in places if p.kind in _TRADING_KINDS and p.code not in blocked]
    if flow.flow == "bilateral":
        by_distance = sorted(traders, key=lambda p: abs(p.start - flow.start))
        codes: list[str] = []
        for place in by_distance:
            if place.code not in codes and place.kind == "country":
                codes.append(place.code)
        # "trade between the two countries": the article's pair, but only where the
        # sentence refers to it; a side it names but nobody can resolve is never filled in
        # from another sentence.
        if len(codes) < 2 and _refers_to_pair(text):
            for code in pair:
                if len(codes) < 2 and code not in codes:
                    codes.append(code)
        if len(codes) < 2:
            return None
        low, high = sorted(codes[:2])
        return low, high
    before = [p for p in traders if p.end <= flow.start]
    after = [p for p in traders if p.start >= flow.end and p.start - flow.end <= 40]
    # "exports from India to the EU": the side after the flow word says which it is.
    markers = rules("trade")
    source = [p for p in after if _marker_before(text, p) in markers["source_markers"]]
    target = [p for p in after if _marker_before(text, p) in markers["target_markers"]]
    if flow.flow == "export":
        trader = before[-1] if before else (source[0] if source else None)
        partner = target[0] if target else next((p for p in after if p is not trader), None)
    else:
        trader = before[-1] if before else (target[0] if target else None)
        partner = source[0] if source else next((p for p in after if p is not trader), None)
    if trader is None or partner is None or trader.code == partner.code:
        return None
    return trader.code, partner.code


@cache
def _pair_reference() -> re.Pattern[str]:
    return whole_phrases(rules("trade")["pair_references"])


def _refers_to_pair(text: str) -> bool:
    """Whether the sentence names its two sides by reference ("the two countries")."""
    return _pair_reference().search(text) is not None


def _marker_before(text: str, place: PlaceMention) -> str | None:
    """The preposition right before a place ("to", "from", "of"), skipping "the"."""
    match = re.search(r"\b([a-z]+)\s+(?:the\s+)?$", text[max(0, place.start - 20) : place.start])
    return match.group(1) if match else None


def trade_statements(
    sentences: pl.DataFrame, figures: pl.DataFrame, articles: pl.DataFrame
) -> pl.DataFrame:
    """Sentences, figure mentions and articles in; one row per trade statement out.

    In: sentences (sentence_id, article_id, sentence_index, text), figures (columns of
    figure_mentions), articles (article_id, published_date as pl.Date, title).
    Out: raw.trade_statements minus ingest_date. trade_figure_id = sentence_id || '-t' || n.
    value_usd is full US dollars; growth_pct is signed percent (a fall is negative);
    bilateral rows carry the two codes in alphabetical order.
    """
    published: dict[str, date | None] = dict(
        articles.select("article_id", "published_date").iter_rows()
    )
    by_sentence: dict[str, list[dict]] = {}
    for figure in figures.sort("sentence_id", "span_start").iter_rows(named=True):
        by_sentence.setdefault(figure["sentence_id"], []).append(figure)
    rows: list[dict] = []
    for article_id, group in sentences.sort("sentence_index").group_by(
        "article_id", maintain_order=True
    ):
        texts = group["text"].to_list()
        pair = _article_pair(texts)
        for sentence in group.iter_rows(named=True):
            rows.extend(
                _statements_of(
                    sentence, by_sentence.get(sentence["sentence_id"], []), pair,
                    published.get(str(article_id[0])),
                )
            )
    # A sentence an article repeats word for word (inside one paragraph, where the
    # cleaner's duplicate check does not reach) states its figure once: keep the first.
    return pl.DataFrame(rows, schema=TRADE_SCHEMA).unique(
        subset=REPEAT_KEY, keep="first", maintain_order=True)


def _statements_of(
    sentence: dict, figures: list[dict], pair: list[str], published: date | None
) -> list[dict]:
    text = sentence["text"]
    relevant = [
        f for f in figures
        if (f["quantity_kind"] == "money" and f["value_usd"] is not None) or _is_growth(f, text)
    ]
    if not relevant:  # most sentences: no need to look for a flow phrase
        return []
    flows = flow_mentions(text)
    if not flows:
        return []
    groups: dict[int, list[dict]] = {}
    for figure in relevant:
        nearest = min(range(len(flows)), key=lambda i: min(
            abs(figure["span_start"] - flows[i].end), abs(flows[i].start - figure["span_end"])))
        groups.setdefault(nearest, []).append(figure)
    places = place_mentions(text)
    hedge = forecast_hedge(text)
    attribution = attribution_of(text)
    attributed_to = attribution.speaker if attribution else None
    rows: list[dict] = []
    for flow_index, group in sorted(groups.items()):
        flow = flows[flow_index]
        sides = _sides(text, flow, places, pair)
        if sides is None:
            continue
        levels = [f for f in group if f["quantity_kind"] == "money"]
        growths = [f for f in group if f["quantity_kind"] == "percent"]
        statements = [(level, None) for level in levels] or [(None, g) for g in growths]
        if levels and growths:
            statements[0] = (levels[0], growths[0])
        for level, growth in statements:
            anchor = level or growth
            assert anchor is not None
            growth_pct = None
            if growth is not None:
                growth_pct = -growth["value"] if growth["direction"] == "down" else growth["value"]
            rows.append(
                {
                    "trade_figure_id": trade_figure_id(sentence["sentence_id"], len(rows)),
                    "article_id": sentence["article_id"],
                    "sentence_id": sentence["sentence_id"],
                    "flow": flow.flow,
                    "reporter": sides[0],
                    "partner": sides[1],
                    "commodity": commodity_near(text, flow.start, flow.end),
                    "period_year": period_year(text, anchor["span_end"], published),
                    "value_usd": level["value_usd"] if level else None,
                    "value_figure_id": level["figure_id"] if level else None,
                    "growth_pct": growth_pct,
                    "growth_figure_id": growth["figure_id"] if growth else None,
                    "is_forecast": hedge is not None,
                    "attributed_to": attributed_to,
                    "evidence_text": text,
                }
            )
    return rows


@cache
def _ranking_words() -> tuple[str, ...]:
    return tuple(sorted(rules("attribution")["ranking_words"], key=len, reverse=True))


@cache
def _ranking_pattern() -> re.Pattern[str]:
    return whole_phrases(_ranking_words(), capture=True)


# A sentence is cut into clauses where a new assertion starts: "X, with Y", "X; Y".
_CLAUSE_BREAK = re.compile(r",\s+(?=(?:with|while|whereas|but)\b)|;\s+")


def _clauses(text: str) -> list[tuple[int, int]]:
    spans, start = [], 0
    for match in _CLAUSE_BREAK.finditer(text):
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
