"""Trade statements: who trades what with whom, when, for how much (fct_trade_figures).

One row per statement: a money level or a growth rate of a flow (export, import,
bilateral trade, a surplus or a deficit) between a reporter and a partner the sentence
names, or its article names by reference (the dateline's country for "exports to China",
the article's pair for "trade between the two countries"). A figure and its conversion in
brackets are one statement; a change in money ("rose 900 mln dlrs to 2.6 billion") is
not a level. Rules are transforms/rules/trade.yml and periods.yml; places are the
country_aliases seed.
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass, field
from datetime import date
from functools import cache, lru_cache
from itertools import pairwise

import polars as pl

from transforms.figures.attribution import attribution_of
from transforms.figures.context import (
    FlowMention,
    PlaceMention,
    commodity_near,
    flow_mentions,
    forecast_hedge,
    place_mentions,
)
from transforms.figures.patterns import whole_phrases
from transforms.figures.periods import Period, period_mentions, period_near
from transforms.figures.places import not_trading
from transforms.kernel.keys import trade_figure_id
from transforms.kernel.rules import rules, usd_per_unit, usd_rate_years

__all__ = ["TRADE_SCHEMA", "home_country", "trade_statements"]

TRADE_SCHEMA = {
    "trade_figure_id": pl.String,
    "article_id": pl.String,
    "sentence_id": pl.String,
    "flow": pl.String,
    "reporter": pl.String,
    "partner": pl.String,
    "commodity": pl.String,
    "period_year": pl.Int32,
    "period_kind": pl.String,
    "value_usd": pl.Float64,
    "currency": pl.String,
    "value_native": pl.Float64,
    "value_figure_id": pl.String,
    "growth_pct": pl.Float64,
    "growth_figure_id": pl.String,
    "is_forecast": pl.Boolean,
    "attributed_to": pl.String,
    "sides_from": pl.String,
    "evidence_text": pl.String,
}

# Two trade rows of one article with all of these equal are one statement repeated.
REPEAT_KEY = ["article_id", "flow", "reporter", "partner", "commodity", "period_year",
              "value_native", "currency", "growth_pct", "is_forecast", "attributed_to",
              "evidence_text"]

_TRADING_KINDS = ("country", "region", "bloc")
# The code of a side no code names ("the post-Soviet Customs Union"): its rows are dropped.
UNNAMED_SIDE = "_"


@dataclass
class _Context:
    """What a sentence may borrow from its article: the dateline's country (the side an
    article reports from) and its two most-named countries (for "the two countries")."""

    home: str | None
    pair: tuple[str, ...]
    published: date | None
    # The first period the article names (its lede's, mostly): a figure whose sentence
    # names none is for it
    # ("Imports from China fell 10 percent to $23.1 billion" in a story about March).
    lede_period: Period | None = None
    # Partners of the article's statements so far, for "exports to that country".
    partners: list = field(default_factory=list)
    # Where `home` was read: the dateline, or the headline's or lede's subject.
    home_from: str = "dateline"
    # Whether `pair` stands out from the article's other sides (_pair_is_clear).
    pair_clear: bool = False
    # The last statement of the sentence before, for "It totaled $141.3 billion".
    previous: dict | None = None
    # The sentence `lede_period` is from: its own periods were already weighed there.
    lede_text: str | None = None
    # The bloc the article names most, for "exports to the bloc" (None: it names none).
    bloc: str | None = None


@cache
def _vocab() -> dict:
    return rules("trade")


@cache
def _flow_words() -> frozenset[str]:
    return frozenset(w.lower() for words in _vocab()["flows"].values() for w in words)


@cache
def _distractor_patterns() -> tuple[re.Pattern[str], re.Pattern[str]]:
    vocab = _vocab()["not_trade_money"]
    return (re.compile(f"(?:{vocab['before']})\\s*$", re.IGNORECASE),
            re.compile(vocab["after"], re.IGNORECASE))


def _is_distractor(text: str, figure: dict) -> bool:
    """A money figure that is a tariff base, a loan, an investment, a deal or a purchase,
    not a level of trade (transforms/rules/trade.yml not_trade_money)."""
    before, after = _distractor_patterns()
    return bool(before.search(text[max(0, figure["span_start"] - 60) : figure["span_start"]])
                or after.match(text, figure["span_end"]))


@cache
def _total_after() -> re.Pattern[str]:
    return re.compile(_vocab()["total_after"], re.IGNORECASE)


@cache
def _target() -> re.Pattern[str]:
    return whole_phrases(_vocab()["targets"])


@cache
def _pair_reference() -> re.Pattern[str]:
    return whole_phrases(_vocab()["pair_references"])


@cache
def _home_reference() -> re.Pattern[str]:
    return whole_phrases(_vocab()["home_references"])


@cache
def _partner_description() -> re.Pattern[str]:
    return re.compile("|".join(f"(?:{d})" for d in _vocab()["partner_descriptions"]),
                      re.IGNORECASE)


@cache
def _partner_reference() -> re.Pattern[str]:
    return whole_phrases(_vocab()["partner_references"])


@cache
def _change_before() -> re.Pattern[str]:
    verbs = _vocab()["change_verbs"]
    return re.compile(r"\b(?:" + "|".join(re.escape(v) for v in verbs)
                      + r")\s+(?:(?:by|about|around|some|nearly|almost|over)\s+)*$",
                      re.IGNORECASE)


# A wire dateline: a city (and a country) before a date or an agency and a dash
# ("WASHINGTON, April 17 -", "SEOUL (Reuters) -", "KASHIKOJIMA, Japan, April 26 -"), or an
# upper-case city before a dash ("BEIJING - "). A headline ("NIGERIA, FRANCE SIGN ...") is none.
_DATELINE = re.compile(
    r"^\s*(?P<city>[A-Z][A-Za-z .'-]{1,40}?)(?:,\s*(?P<country>[A-Z][A-Za-z .'-]{1,30}?))?"
    r"(?:(?P<date>,\s*[A-Z][a-z]{2,8}\.?\s+\d{1,2})?\s*(?P<agency>\([A-Z][\w .-]{1,20}\))?)"
    r"\s*[-\u2013\u2014]\s")


@cache
def _dateline_cities() -> dict[str, str]:
    return {city.lower(): code for code, cities in rules("places")["dateline_cities"].items()
            for city in cities}


def home_country(first_text: str) -> str | None:
    """The country of an article's dateline ("WASHINGTON, April 17 -", "SEOUL (Reuters)",
    "HAMBURG, March 12 -", "KASHIKOJIMA, Japan, April 26 -")."""
    match = _DATELINE.match(first_text or "")
    if not match:
        return None
    city = match.group("city")
    if not (match.group("date") or match.group("agency") or city.isupper()):
        return None
    # A country after the city names it ("KASHIKOJIMA, Japan"); wire datelines are upper
    # case, the aliases case-sensitive ("NEW DELHI" -> "New Delhi"), "U.S." as written.
    for candidate in filter(None, (match.group("country"), city.title(), city)):
        places = [p for p in place_mentions(candidate) if p.kind in _TRADING_KINDS]
        if places:
            return places[0].code
    return _dateline_cities().get(city.strip().lower())


def _subject_country(texts: list[str]) -> str | None:
    """The country an article with no dateline is about (BBC pages): the first country
    its headline names, else its lede's ("Venezuela woos China ..."), as their subject."""
    for text in texts[:2]:
        countries = [p for p in place_mentions(text) if p.kind == "country"]
        if countries:
            return countries[0].code
    return None


def _article_pair(texts: list[str]) -> tuple[str, ...]:
    counts: Counter[str] = Counter()
    first: dict[str, int] = {}
    for position, text in enumerate(texts):
        for place in _traders(place_mentions(text)):
            if place.kind in ("country", "bloc"):
                counts[place.code] += 1
                first.setdefault(place.code, position)
    return tuple(sorted(counts, key=lambda code: (-counts[code], first[code]))[:2])


def _article_bloc(texts: list[str]) -> str | None:
    """The bloc the article names most, for "the bloc"."""
    counts = Counter(p.code for text in texts for p in _traders(place_mentions(text))
                     if p.kind == "bloc")
    return counts.most_common(1)[0][0] if counts else None


@cache
def _bloc_reference() -> re.Pattern[str]:
    return re.compile(_vocab()["bloc_references"], re.IGNORECASE)


def _pair_is_clear(texts: list[str], pair: tuple[str, ...]) -> bool:
    """Whether the article's two most-named sides stand out: no third is named as often
    as the second (then "bilateral trade" alone can only be theirs)."""
    if len(pair) < 2:
        return False
    counts: Counter[str] = Counter(p.code for text in texts for p in _traders(
        place_mentions(text)) if p.kind in ("country", "bloc"))
    return all(counts[code] < counts[pair[1]] for code in counts if code not in pair)


def _clauses(text: str) -> list[tuple[int, int]]:
    """Spans of the sentence's clauses: a new statement starts at "; ", ", while ",
    ", but ", " whereas " and after a dash list ("-- South Korea 7.1 billion"), but not
    at the dashes around an aside ("exports to Venezuela -- which consist mostly of food
    -- fell 70 percent")."""
    breaks = re.compile(_vocab()["clause_breaks"], re.IGNORECASE)
    asides = [m.span() for m in re.finditer(_vocab()["dash_asides"], text, re.IGNORECASE)]
    spans, start = [], 0
    for match in breaks.finditer(text):
        if any(a <= match.start() < b for a, b in asides):
            continue
        spans.append((start, match.start()))
        start = match.end()
    spans.append((start, len(text)))
    return spans


def _clause_of(spans: list[tuple[int, int]], position: int) -> tuple[int, int]:
    return next((s for s in spans if s[0] <= position < s[1]), spans[-1])


# "beyond", "outside": "exports to countries beyond Europe" are not to Europe.
_PREPOSITIONS = r"with|to|from|into|of|against|by|between|and|beyond|outside|excluding|except"
_MARKER = re.compile(rf"\b({_PREPOSITIONS})\s+(?:(?:the|its|their|that|those|other)\s+)?"
                     rf"(?:(?!(?:{_PREPOSITIONS})\b)[\w-]+\s+){{0,2}}$", re.IGNORECASE)


@lru_cache(maxsize=4096)
def _marker_before(text: str, place: PlaceMention) -> str | None:
    """The preposition before a place, across at most two modifiers ("to Japan", "from
    the U.S.", "to the 27-nation European Union", "with EC nations"). Cached: the sides of
    every figure of a sentence ask it of every place (a string's hash is computed once)."""
    window = text[max(0, place.start - 60) : place.start]
    # "to the 27 nations of the European Union": the members stand for their bloc.
    window = _transparent().sub("", window)
    match = _MARKER.search(window[-40:])
    return match.group(1).lower() if match else None


@cache
def _transparent() -> re.Pattern[str]:
    nouns = "|".join(re.escape(n) for n in _vocab()["transparent_nouns"])
    return re.compile(rf"(?:\d+|[\w-]+)?\s*(?:{nouns})\s+of\s+(?:the\s+)?$", re.IGNORECASE)


def _verb_sign(text: str, figure: dict) -> int:
    """+1 / -1 when a growth or fall verb stands within three words before a percentage
    ("fell an annual 39.5 percent", "grew at 36.7 percent"), or before "a rate of" ("grew
    at an annual rate of 12 percent"), else 0."""
    before = text[max(0, figure["span_start"] - 45) : figure["span_start"]].lower()
    words = re.findall(r"[a-z]+", before)
    vocab = _vocab()["growth_verbs"]
    rate = re.search(r"\b(?:rate|pace)\s+of\s+(?:about\s+|some\s+|nearly\s+)?$", before)
    # "grew by an astounding 93 percent", "rose by a modest 7.2 percent": these words
    # between the verb and the figure do not count towards the three.
    fillers = set(_vocab()["growth_fillers"])
    words = words[-6:] if rate else [w for w in words if w not in fillers][-3:]
    if any(w in vocab["up"] for w in words):
        return 1
    if any(w in vocab["down"] for w in words):
        return -1
    return 0


def _comparative_sign(text: str, figure: dict) -> int:
    """+1 / -1 for a percentage compared with a base ("3.5 percent above the same period
    last year", "25.1 percent wider than in the same period"), else 0."""
    after = text[figure["span_end"] : figure["span_end"] + 40].lower()
    vocab = _vocab()["growth_comparatives"]
    match = re.match(r"\s*([a-z]+)\s+(?:" + vocab["base"] + r")", after)
    if not match:
        return 0
    return 1 if match.group(1) in vocab["up"] else -1 if match.group(1) in vocab["down"] else 0


def _is_base_rate(figure: dict, text: str) -> bool:
    """A percentage after a comparison word ("versus September's 33.4 percent", "from
    17.4 percent in May", "compared with 25.7 percent")."""
    if figure["quantity_kind"] != "percent" or figure["unit"] != "percent":
        return False
    before = text[max(0, figure["span_start"] - 40) : figure["span_start"]]
    return bool(re.search(_vocab()["base_rate_before"] + r"\s*$", before, re.IGNORECASE))


def _is_growth(figure: dict, text: str) -> bool:
    if figure["quantity_kind"] != "percent":
        return False
    after = text[figure["span_end"] : figure["span_end"] + 25].lower()
    before = text[max(0, figure["span_start"] - 25) : figure["span_start"]].lower()
    if re.match(r"\s*(?:of|share)\b", after):
        return False  # "60 pct of the market": a share, not a change
    if figure["direction"] or _verb_sign(text, figure) or _comparative_sign(text, figure):
        return True
    if re.search(r"\b(?:" + "|".join(map(re.escape, _vocab()["rate_verbs"]))
                 + r")\s+to\s+(?:an?\s+)?(?:annual\s+)?$", before):
        return True  # "eased to 4.8 percent": the pace of growth
    return any(m in after or m in before for m in _vocab()["growth_markers"])


def _is_change(text: str, figure: dict) -> bool:
    """A money figure that is a change, a rate or a price, not a level: "rose 900 mln dlrs
    to 2.6 billion", "widened by 2 billion", "the $3 billion drop", "($1 = 0.7761 euros)",
    "$95.23 per barrel"."""
    vocab = _vocab()
    before = text[max(0, figure["span_start"] - 40) : figure["span_start"]]
    after = text[figure["span_end"] : figure["span_end"] + 20]
    if re.search(r"\bby\s+(?:about\s+|some\s+|nearly\s+|almost\s+)?$", before, re.IGNORECASE):
        return True
    if _change_before().search(before):
        return True
    if re.match(r"\s*(?:=|per\b|a\s+(?:barrel|tonne|ton|share)\b)", after, re.IGNORECASE) \
            or re.search(r"=\s*$", before):
        return True  # "($1 = 0.7761 euros)": an exchange rate; "$95.23 per barrel": a price
    return bool(re.match(r"\s*(?:" + "|".join(vocab["change_nouns"]) + r")\b", after,
                         re.IGNORECASE))


def _conversion_of(text: str, figure: dict, previous: dict | None) -> bool:
    """Whether a money figure restates the one before it in brackets ("22,201bn yen
    ($214.6bn)") or after "or" ("3.2 billion marks, or 1.8 billion dlrs")."""
    if previous is None or previous["currency"] == figure["currency"]:
        return False
    between = text[previous["span_end"] : figure["span_start"]]
    return bool(re.fullmatch(r"\s*(?:\(|\[|,?\s*or\s+|,?\s*about\s+|\(about\s+)\s*", between))


def _traders(places: list[PlaceMention]) -> list[PlaceMention]:
    blocked = not_trading()
    return [p for p in places if p.kind in _TRADING_KINDS and p.code not in blocked]


def _partner_of(text: str, flow: FlowMention, figure: dict, places: list[PlaceMention],
                clause: tuple[int, int]) -> PlaceMention | None:
    vocab = _vocab()
    markers = vocab["partner_markers"][flow.flow]
    # A list after the flow: "deficits with ... -- South Korea 7.1 billion dlrs, Hong Kong
    # 6.4 billion": the place right before the figure.
    right_before = [p for p in places if 0 <= figure["span_start"] - p.end <= 3
                    and p.start > flow.start]
    if right_before:
        return right_before[-1]
    # "against Japan's of 58.6 billion": a possessive place qualifies another noun.
    marked = [p for p in places if clause[0] <= p.start < clause[1]
              and p.start >= flow.end - 1 and _marker_before(text, p) in markers
              and not re.match(r"['\u2019]s\b", text[p.end : p.end + 2])]
    # "Shipments to Mexico fell 19 pct to 1.9 billion marks and to Colombia by 15 pct to
    # 600 mln marks": the marked place last named before the figure, else the first after.
    if not marked and flow.flow in ("surplus", "deficit"):
        # "The trade balance with Japan showed a deficit of 1.2 billion dlrs", "Trade with
        # Japan showed a surplus": the balance of the trade named before it.
        marked = [p for p in places if clause[0] <= p.start < flow.start
                  and re.search(vocab["balance_partner_before"] + r"\s*$",
                                text[max(clause[0], p.start - 40) : p.start], re.IGNORECASE)]
    if re.search(vocab["total_before"], text[max(0, flow.start - 30) : flow.start],
                 re.IGNORECASE):
        # "China's total trade surplus ... with the European Union": a total, unless the
        # partner follows the flow phrase ("overall exports to China").
        marked = [p for p in marked if p.start - flow.end <= vocab["total_partner_reach"]]
    # "Imports surged 4.1 percent from the European Union, and were up 6.4 percent from
    # Germany": a marked place right after the figure is its own.
    right_after = [p for p in marked if 0 <= p.start - figure["span_end"] <= 16
                   and re.fullmatch(r"\s+(?:from|to|into|with)\s+(?:the\s+)?",
                                    text[figure["span_end"] : p.start], re.IGNORECASE)]
    before = [p for p in marked if p.end <= figure["span_start"]]
    partner = right_after[0] if right_after else (
        before[-1] if before else (marked[0] if marked else None))
    if partner is not None and partner.start > figure["span_end"] and re.search(
            _vocab()["share_between"], text[figure["span_end"] : partner.start],
            re.IGNORECASE):
        # "15.6 billion dlrs last year, 95 pct of it with the U.S.", "169.8 billion dlrs,
        # with more than one-third of it in trade with Japan": a share of a total
        return None
    if partner is not None and _is_listed(text, partner, places):
        return None  # "exports to Portugal, Ireland, Italy, Greece and Spain": no pair
    return partner


def _is_listed(text: str, place: PlaceMention, places: list[PlaceMention]) -> bool:
    """Whether a place is one of a list of places (an aggregate, not one partner)."""
    # "China, South Korea's biggest market, ...": a possessive opens an apposition.
    return any(re.fullmatch(r"\s*(?:,|and|or|&)\s*", text[place.end : other.start])
               or re.fullmatch(r"\s*(?:,|and|or|&)\s*", text[other.end : place.start])
               for other in places if other is not place and other.code != place.code
               and not re.match(r"['\u2019]s\b", text[other.end : other.end + 2]))


def _reporter_of(text: str, flow: FlowMention, partner: PlaceMention,
                 places: list[PlaceMention], clause: tuple[int, int]) -> PlaceMention | None:
    vocab = _vocab()
    reporter_markers = vocab["reporter_markers"].get(flow.flow, [])
    marked = [p for p in places if p.start >= flow.end - 1 and p is not partner
              and clause[0] <= p.start < clause[1]
              and _marker_before(text, p) in reporter_markers]
    if marked:
        return marked[0]
    before = [p for p in places if clause[0] <= p.end <= flow.start and p.code != partner.code
              and _marker_before(text, p) not in vocab["partner_markers"][flow.flow]]
    if before:
        return before[-1]
    # The subject may stand before the clause ("Taiwan's trade surplus with the U.S.,
    # Which rose to ... , up from 10.2 billion"): the sentence's first place before the
    # flow that is no partner, when the flow itself is in an earlier clause (a place of
    # another clause is no side of a flow of this one: "Exports to Bolivia ... and Central
    # America were also lower, while shipments to Brazil rose").
    if flow.start >= clause[0]:
        return None
    earlier = [p for p in places if p.end <= flow.start and p.code != partner.code
               and _marker_before(text, p) not in vocab["partner_markers"][flow.flow]]
    return earlier[-1] if earlier else None


def _sides(text: str, flow: FlowMention, figure: dict, places: list[PlaceMention],
           clause: tuple[int, int], context: _Context,
           earlier_reporter: str | None = None) -> tuple[str, str, str] | None:
    """(reporter, partner, where the sides came from) or None when a side is unknown."""
    traders = _traders(places)
    if flow.flow == "bilateral":
        between = re.search(r"\bbetween\s+$", text[max(0, flow.start - 2) : flow.end + 9])
        codes: list[str] = []
        # A bloc or region counts from the flow phrase on: "trade with the EU", and the
        # first of a joined pair ("the EU-China commercial relationship") opens the phrase.
        for place in sorted(traders, key=lambda p: abs(p.start - flow.start)):
            if place.code not in codes and (place.kind == "country" or between
                                            or place.start >= flow.start):
                codes.append(place.code)
        source = "sentence"
        # "Bilateral trade is estimated at $7.9 billion": a pairwise phrase in a sentence
        # naming no side is the article's pair's.
        pairwise = context.pair_clear and text[flow.start : flow.end].lower() in _vocab()[
            "pairwise_flows"] and not any(p.start < figure["span_end"] for p in traders)
        if pairwise:
            # "Bilateral trade totalled 1.3 billion dlrs, of which Chinese exports ...":
            # the places after the figure are another phrase's.
            codes = []
        if len(codes) < 2 and (pairwise or _pair_reference().search(text)):
            source = "article_pair"
            for code in context.pair:
                if len(codes) < 2 and code not in codes:
                    codes.append(code)
        if len(codes) == 1 and context.home and context.home != codes[0] and \
                re.search(r"\btrade\s+with\b", text[flow.start : flow.end + 6], re.IGNORECASE):
            codes.append(context.home)
            source = context.home_from
        if len(codes) < 2:
            return None
        low, high = sorted(codes[:2])
        return low, high, source
    partner = _partner_of(text, flow, figure, traders, clause)
    if partner is None:
        return None
    reporter = _reporter_of(text, flow, partner, traders, clause)
    if reporter is not None and reporter.code != partner.code:
        return reporter.code, partner.code, "sentence"
    if re.search(_vocab()["holder_not_a_place"] + r"\s*$", text[max(0, flow.start - 40)
                                                               : flow.start]):
        return None  # "Toyota's exports to the U.S.", "the company's exports": a firm's
    if earlier_reporter and earlier_reporter != partner.code:
        # "Taiwan's exports to the U.S. rose ..., while imports from the U.S. rose", "U.S.
        # companies imported $32.8 billion ..., but exported just $7.8 billion worth to that
        # country": the subject of the sentence's earlier statement goes on.
        return earlier_reporter, partner.code, "sentence"
    if text[flow.start : flow.end].lower() in _vocab()["verb_flows"]:
        return None  # "Caterpillar ... has exported $2 billion of goods to Russia": a firm
    if context.home and context.home != partner.code:
        return context.home, partner.code, context.home_from
    return None


def _asides(text: str) -> list[tuple[int, int]]:
    """Spans of asides between commas: relative clauses, and appositions to a place
    ("China, South Korea's biggest market, ..."; not a clause after an opening phrase,
    "In 1986, Japan's surplus was ...")."""
    ends = {p.end for p in place_mentions(text)}
    return [m.span() for m in re.finditer(_vocab()["comma_asides"], text)
            if m.group(1) or m.start() in ends]


def _flow_for(text: str, flows: list[FlowMention], figure: dict,
              clause: tuple[int, int]) -> FlowMention | None:
    """The flow a figure is stated for: the nearest before it in its clause, else the
    nearest after it in its clause, else the last flow of an earlier clause when the
    figure's clause names none ("The deficit with the Philippines was ...")."""
    # "Shipments to Asia, which account for half of Japan's total exports, rose 31.7
    # percent": a flow word in an aside the figure stands outside belongs to the aside.
    asides = _asides(text)
    inside = [f for f in flows if clause[0] <= f.start < clause[1]
              and not any(a <= f.start < b and not a <= figure["span_start"] < b
                          for a, b in asides)]
    # "a 7.2 billion dlr trade surplus", "an 18 billion dlr EC deficit": the flow the figure
    # qualifies, right after it.
    # Only modifiers stand between ("dlr", "record", "EC"); a function word starts
    # another phrase ("$266.3 billion as imports from ...").
    function_words = set(_vocab()["not_modifiers"])
    attributive = [f for f in inside if 0 <= f.start - figure["span_end"] <= 16
                   and re.fullmatch(r"[\s\w.-]*", text[figure["span_end"] : f.start])
                   and not function_words & set(
                       text[figure["span_end"] : f.start].lower().split())]
    if attributive:
        return attributive[0]
    # "a 12 percent drop in imports from Japan": the flow the change is of.
    change_of = re.compile(r"\s+(?:" + "|".join(_vocab()["change_nouns"])
                           + r")s?\s+(?:in|of)\s+(?:[\w.'-]+\s+){0,2}?", re.IGNORECASE)
    changed = [f for f in inside if f.start >= figure["span_end"]
               and change_of.fullmatch(text[figure["span_end"] : f.start])]
    if changed:
        return changed[0]
    before = [f for f in inside if f.end <= figure["span_start"]]
    if before:
        return before[-1]
    after = [f for f in inside if f.start >= figure["span_end"]]
    if after and after[0].start - figure["span_end"] <= 40:
        return after[0]
    # "deficits with three of its partners -- South Korea 7.1 billion dlrs, Hong Kong 6.4
    # billion": a list item (a place right before the figure) takes the earlier flow.
    earlier = [f for f in flows if f.end <= clause[0]]
    listed = re.search(r"[A-Z][\w.]*\s*$", text[max(0, figure["span_start"] - 20)
                                                  : figure["span_start"]])
    return earlier[-1] if earlier and listed else None


def _sides_of_earlier_clause(rows: list[dict], flow: FlowMention,
                             places: list[PlaceMention], clause: tuple[int, int]
                             ) -> tuple[str, str, str] | None:
    """The sides of the sentence's statement before this clause, for a one-sided flow
    in a clause that names no place ("Israeli exports to the U.S. rose ..., while
    imports rose from 888 mln dlrs to 1.8 billion"): the same reporter and partner."""
    if flow.flow == "bilateral" or not rows:
        return None
    if any(clause[0] <= p.start < clause[1] for p in places):
        return _balance_of_flows(rows, flow, places, clause)
    last = next((row for row in reversed(rows) if row["_clause"] < clause[0]), None)
    if last is None or last["flow"] == "bilateral":
        return None
    return last["reporter"], last["partner"], "sentence"


def _sides_of_roles(text: str, flow: FlowMention, places: list[PlaceMention]
                    ) -> tuple[str, str, str] | None:
    """The sides of a one-sided flow naming no partner in a sentence that says one place
    is another's market or supplier ("The EU collectively was the United States' second
    largest export market last year, and exports ... were 2.9 percent above", "Brazil was
    West Germany's main Latin American supplier, but shipments fell"): trade.yml
    place_roles."""
    if flow.flow not in ("export", "import"):
        return None
    roles = _vocab()["place_roles"]
    traders = _traders(places)
    for first, second in pairwise(traders):
        if first.code == second.code or not re.fullmatch(
                roles["copula"], text[first.end : second.start], re.IGNORECASE):
            continue
        after = text[second.end : second.end + 80]
        if re.match(roles["market"], after, re.IGNORECASE):
            # The holder (second) exports to its market and imports from it.
            return second.code, first.code, "sentence"
        if re.match(roles["supplier"], after, re.IGNORECASE):
            exporter, importer = first.code, second.code
            if flow.flow == "export":
                return exporter, importer, "sentence"
            return importer, exporter, "sentence"
    return None


def _sides_of_earlier_statement(rows: list[dict], flow: FlowMention,
                                places: list[PlaceMention]) -> tuple[str, str, str] | None:
    """The sides of the sentence's statement right before a one-sided flow that names no
    place, with no place between them ("The U.S. trade deficit with India hit $14.54
    billion in 2011, as exports rose to $21.63 billion and imports to $36.17 billion"):
    the same reporter and partner."""
    if flow.flow == "bilateral":
        return None
    last = next((row for row in reversed(rows) if row["_end"] <= flow.start), None)
    if last is None or last["flow"] == "bilateral":
        return None
    if any(last["_end"] <= p.start for p in _traders(places)):
        return None  # a place after the statement: the flow is about it, or about another
    return last["reporter"], last["partner"], "sentence"


def _balance_of_flows(rows: list[dict], flow: FlowMention, places: list[PlaceMention],
                      clause: tuple[int, int]) -> tuple[str, str, str] | None:
    """A balance right after the exports and imports of a pair, naming no side but the
    reporter's ("U.S. imports from China were $296.4 billion, and U.S. exports to China
    $69.5 billion, giving a U.S. deficit of $226.9 billion"): that pair's balance."""
    last = rows[-1]
    if flow.flow not in ("surplus", "deficit") or last["flow"] not in ("export", "import"):
        return None
    named = [p for p in places if last["_end"] <= p.start < clause[1]]
    if any(p.code != last["reporter"] for p in named):
        return None
    return last["reporter"], last["partner"], "sentence"


def _with_pair_trade(text: str, flows: list[FlowMention]) -> list[FlowMention]:
    """The flows of a sentence with "U.S.-Japan trade", "Sino-Soviet trade": two places
    joined by a dash before "trade" are the two sides of a bilateral flow."""
    places = place_mentions(text)
    added = []
    pattern = re.compile(_vocab()["pair_trade"], re.IGNORECASE)
    for first, second in pairwise(places):
        match = pattern.match(text, second.end)
        if match and re.fullmatch(r"\s*[-\u2013/]\s*", text[first.end : second.start]) \
                and first.code != second.code:
            added.append(FlowMention("bilateral", first.start, match.end()))
    if not added:
        return flows
    # "China-EU trade reached": the pair's phrase replaces the flow phrase inside it.
    kept = [f for f in flows if not any(a.start <= f.start < a.end for a in added)]
    return sorted([*kept, *added], key=lambda f: f.start)


def _with_anaphoric_flows(text: str, flows: list[FlowMention]) -> list[FlowMention]:
    """The flows of a sentence with "those to China" (after "Exports to the United
    Kingdom were ...") read as the flow named before them."""
    added = []
    for match in re.finditer(_vocab()["anaphoric_flow"], text, re.IGNORECASE):
        earlier = [f for f in flows if f.end <= match.start()]
        if earlier:
            added.append(FlowMention(earlier[-1].flow, match.start(), match.end()))
    return sorted([*flows, *added], key=lambda f: f.start) if added else flows


def _continued_flow(text: str, flows: list[FlowMention], places: list[PlaceMention],
                    clause: tuple[int, int]) -> FlowMention | None:
    """The flow of the clause before a clause that names no flow and no place: it goes on
    about the same flow ("Exports to the EU fell 11.1 percent in April, but for the first
    four months were 3.5 percent above the same period last year")."""
    if any(clause[0] <= p.start < clause[1] for p in places) or "--" in text[
            max(0, clause[0] - 4) : clause[0]]:
        return None  # a dash starts a list item or a factbox line, not the same subject
    earlier = [f for f in flows if f.end <= clause[0]]
    return earlier[-1] if earlier else None


def trade_statements(
    sentences: pl.DataFrame, figures: pl.DataFrame, articles: pl.DataFrame
) -> pl.DataFrame:
    """Sentences, figure mentions and articles in; one row per trade statement out.

    In: sentences (sentence_id, article_id, sentence_index, text), figures (columns of
    figure_mentions), articles (article_id, published_date as pl.Date, title).
    Out: raw.trade_statements minus ingest_date. trade_figure_id = sentence_id || '-t' || n.
    value_usd is full US dollars (only for a figure stated in dollars: no rate of today is
    applied to another year), value_native and currency the figure as stated; growth_pct
    is signed percent; bilateral rows carry the two codes in alphabetical order.
    """
    published: dict[str, date | None] = dict(
        articles.select("article_id", "published_date").iter_rows())
    by_sentence: dict[str, list[dict]] = {}
    for figure in figures.sort("sentence_id", "span_start").iter_rows(named=True):
        by_sentence.setdefault(figure["sentence_id"], []).append(figure)
    rows: list[dict] = []
    for article_id, group in sentences.sort("sentence_index").group_by(
            "article_id", maintain_order=True):
        texts = group["text"].to_list()
        home = next((code for code in map(home_country, texts[:3]) if code), None)
        home_from = "dateline"
        if home is None:
            home, home_from = _subject_country(texts), "subject"
        date_of = published.get(str(article_id[0]))
        lede, lede_text = next(((found[0], t) for t in texts
                                if (found := period_mentions(t, date_of))), (None, None))
        pair = _article_pair(texts)
        context = _Context(home, pair, date_of, lede, home_from=home_from,
                           pair_clear=_pair_is_clear(texts, pair), lede_text=lede_text,
                           bloc=_article_bloc(texts))
        for sentence in group.iter_rows(named=True):
            found = _statements_of(sentence, by_sentence.get(sentence["sentence_id"], []),
                                   context)
            context.previous = found[-1] if found else None
            rows.extend(found)
    # A sentence an article repeats word for word states its figure once: keep the first.
    return pl.DataFrame(rows, schema=TRADE_SCHEMA).unique(
        subset=REPEAT_KEY, keep="first", maintain_order=True)


def _statements_of(sentence: dict, figures: list[dict], context: _Context) -> list[dict]:
    text = sentence["text"]
    money = _with_inherited_currency(figures, text, context.home)
    growths: list[dict] = []
    for figure in figures:
        # "rose 28.2 percent versus 25.7 percent previously": after a growth rate, the
        # rate it is compared with is one too (the base's).
        if figure.get("is_range"):
            continue  # "grew by 2-3 percent": a range is no rate of one statement
        if _is_growth(figure, text) or (growths and _is_base_rate(figure, text)):
            growths.append(figure)
    if not money and not growths:
        return []
    if re.search(_vocab()["volume_terms"], text, re.IGNORECASE):
        return []  # "export volumes to the bloc dropped 6.5 percent": no value of trade
    if not money and any(f["unit"] in _vocab()["volume_units"] for f in figures):
        return []  # "32.8 percent higher than February's 267,700 bpd": a volume change
    flows = _with_pair_trade(text, _with_anaphoric_flows(text, flow_mentions(text)))
    # "It totaled $141.3 billion through the end of July" after a statement: the pronoun
    # is that statement's flow between the same sides (the sentence names no place).
    pronoun = context.previous is not None and context.previous["flow"] != "bilateral" \
        and re.match(_vocab()["statement_pronoun"], text) is not None \
        and not _traders(place_mentions(text))
    if not flows and pronoun:
        flows = [FlowMention(context.previous["flow"], 0, 2)]
    if not flows:
        return []
    hedge = forecast_hedge(text)
    if hedge is None:
        target = _target().search(text)
        hedge = target.group(0) if target else None
    periods = period_mentions(text, context.published, target=hedge is not None)
    lede = context.lede_period if context.lede_text != text else None
    if not periods and lede and hedge is None:
        # A figure whose sentence names no period is for the article's first one (the
        # period the story reports); a forecast's period is ahead of it.
        periods = [Period(lede.year, "context", 0, 0)]
    spans = _clauses(text)
    # A place inside a figure is part of its unit ("2.1 billion European Currency Units").
    # "the Korea-based joint venture": a place describing a firm is no side.
    places = [p for p in place_mentions(text) if not any(
        f["span_start"] <= p.start < f["span_end"] for f in figures)
        and not re.match(_vocab()["firm_descriptions"], text[p.end : p.end + 16])]
    # "the post-Soviet Customs Union", "non-EU countries": a side no code names; a statement
    # with it gives no row (it stays a place, so no other place stands in for it).
    places = [PlaceMention(UNNAMED_SIDE, p.kind, p.start, p.end)
              if re.search(_vocab()["qualifier_prefixes"], text[max(0, p.start - 8) : p.start],
                           re.IGNORECASE) else p for p in places]
    if _home_reference().search(text) and context.home:
        places = sorted([*places, *_references(_home_reference(), text, context.home)],
                        key=lambda p: p.start)
    places = _without_appositions(text, places)
    places = _with_partner_references(text, places, context)
    levels, previous = [], None
    for figure in money:
        if _total_after().match(text, figure["span_end"]) or _is_distractor(text, figure):
            # "Russia's $735 billion foreign trade": a total; "tariffs on $34 billion of
            # imports", "a 500 mln dlr credit line": no level of trade
            previous = figure
            continue
        if figure.get("is_range"):
            previous = figure
            continue  # "$2.5-3 billion each": a range is no level of one statement
        if not _conversion_of(text, figure, previous) and not _is_change(text, figure):
            levels.append(figure)
        elif levels and _conversion_of(text, figure, previous) and figure["currency"] == "USD":
            levels[-1] = {**levels[-1], "usd_equivalent": figure["value_full"]}
        previous = figure
    anchors = sorted(levels + growths, key=lambda f: f["span_start"])
    attached = _attach_growths(text, levels, growths, spans)
    attribution = attribution_of(text)
    rows: list[dict] = []
    starts = [f["span_start"] for f in anchors]
    for index, figure in enumerate(anchors):
        if figure["quantity_kind"] == "percent" and figure["figure_id"] in attached.values():
            continue
        clause = _clause_of(spans, figure["span_start"])
        flow = _flow_for(text, flows, figure, clause)
        if flow is None:
            flow = _continued_flow(text, flows, places, clause)
            if flow is None:
                continue
            # The clause goes on with the earlier clause's subject: its sides are there.
            clause = _clause_of(spans, flow.start)
        earlier = next((row for row in reversed(rows) if row["_clause"] < clause[0]
                        and row["flow"] != "bilateral"), None)
        sides = _sides(text, flow, figure, places, clause, context,
                       earlier["reporter"] if earlier else None)
        if sides is None:
            sides = _sides_of_earlier_clause(rows, flow, places, clause)
        if sides is None and pronoun and flow.flow != "bilateral":
            sides = (context.previous["reporter"], context.previous["partner"],
                     "earlier_sentence")
        if sides is None:
            sides = _sides_of_roles(text, flow, places)
        if sides is None:
            sides = _sides_of_earlier_statement(rows, flow, places)
        if sides is None or UNNAMED_SIDE in sides[:2]:
            continue
        is_level = figure["quantity_kind"] == "money"
        growth = None
        if is_level and figure["figure_id"] in attached:
            growth = next(g for g in growths if g["figure_id"] == attached[figure["figure_id"]])
        elif not is_level:
            growth = figure
        period = _respective_period(text, figure, anchors, periods, clause) or period_near(
            periods, figure["span_start"], figure["span_end"],
            starts[index + 1] if index + 1 < len(starts) else None,
            anchors[index - 1]["span_end"] if index else None, text)
        if period is None and lede and hedge is None:
            period = Period(lede.year, "context", 0, 0)
        value_usd = _value_usd(figure, period, context.published) if is_level else None
        if flow.flow != "bilateral":
            context.partners.append(sides[1])
        rows.append({
            "trade_figure_id": trade_figure_id(sentence["sentence_id"], len(rows)),
            "article_id": sentence["article_id"],
            "sentence_id": sentence["sentence_id"],
            "flow": flow.flow,
            "reporter": sides[0],
            "partner": sides[1],
            "commodity": commodity_near(text, flow.start, flow.end),
            "period_year": period.year if period else None,
            "period_kind": period.kind if period else None,
            "value_usd": value_usd,
            "currency": _currency_of(figure["currency"], period, context.published)
            if is_level else None,
            "value_native": figure["value_full"] if is_level else None,
            "value_figure_id": figure["figure_id"] if is_level else None,
            "growth_pct": _signed(growth, text),
            "growth_figure_id": growth["figure_id"] if growth else None,
            "is_forecast": hedge is not None,
            "attributed_to": attribution.speaker if attribution else None,
            "sides_from": sides[2],
            "evidence_text": text,
            "_clause": clause[0],
            "_end": figure["span_end"],
        })
    return [{k: v for k, v in row.items() if not k.startswith("_")} for row in rows]


def _respective_period(text: str, figure: dict, anchors: list[dict], periods: list[Period],
                       clause: tuple[int, int]) -> Period | None:
    """The period of a figure in a clause ending "respectively" ("... were 565 mln stg in
    1986, down from 960 mln in 1985, while Nigeria's exports were 328 mln stg and 647 mln,
    respectively"): the earlier clauses' periods in order, one per figure."""
    if not re.search(r"\brespectively\b", text[clause[0] : clause[1]]):
        return None
    mine = [f for f in anchors if clause[0] <= f["span_start"] < clause[1]
            and f["quantity_kind"] == figure["quantity_kind"]]
    earlier = [p for p in periods if p.end <= clause[0]]
    if len(mine) < 2 or len(mine) != len(earlier):
        return None
    return earlier[mine.index(figure)]


def _currency_of(code: str, period: Period | None, published: date | None) -> str:
    """The code of the currency in the statement's year (of its publication when it names
    none): roubles of 1987 are Soviet roubles (SUR), not the Russian rouble (RUB)."""
    year = period.year if period else (published.year if published else None)
    for historic, last_year in _vocab()["historic_currencies"].get(code, {}).items():
        if year is not None and year <= last_year:
            return historic
    return code


def _value_usd(figure: dict, period: Period | None, published: date | None) -> float | None:
    """The level in US dollars: as stated, as bracketed ("22,201bn yen ($214.6bn)"), or at
    the fx_rates_usd rate when that rate is the average of the statement's year (of its
    publication when it names none); never today's rate for another year."""
    if figure["currency"] == "USD":
        return figure["value_full"]
    if figure.get("usd_equivalent") is not None:
        return figure["usd_equivalent"]
    year = period.year if period else (published.year if published else None)
    rate = usd_per_unit().get(figure["currency"])
    if rate is None or year is None or usd_rate_years().get(figure["currency"]) != year:
        return None
    return figure["value_full"] * rate


def _with_inherited_currency(figures: list[dict], text: str, home: str | None) -> list[dict]:
    """The money figures of a sentence, with the scaled bare numbers after a money figure
    read in its currency: wire copy writes the unit once ("rose to 13.6 billion dlrs in
    1986 from 10.2 billion in 1985", "South Korea 7.1 billion dlrs, Hong Kong 6.4 billion").
    A count in a currency word several countries use ("160 mln crowns") is money in the
    currency of the sentence's (else the dateline's) country that uses that word."""
    money, currency = [], None
    shared = _vocab()["currency_by_country"]
    for figure in figures:
        unit = (figure["unit"] or "").lower()
        if figure["quantity_kind"] == "count" and unit in shared:
            codes = [p.code for p in place_mentions(text)] + ([home] if home else [])
            found = next((shared[unit][c] for c in codes if c in shared[unit]), None)
            if found:
                figure = {**figure, "quantity_kind": "money", "currency": found}
        if figure["quantity_kind"] == "money" and figure["currency"]:
            currency = figure["currency"]
            money.append(figure)
        elif (currency and figure["quantity_kind"] == "count" and figure["scale"]
              in _vocab()["inherit_currency_scales"]
              and (figure["unit"] is None or unit in _flow_words())):
            # "against a 4.3 billion deficit": the flow word is no counted unit.
            money.append({**figure, "quantity_kind": "money", "currency": currency})
    return money


def _without_appositions(text: str, places: list[PlaceMention]) -> list[PlaceMention]:
    """The places minus those of an apposition describing the place before them ("South
    Korea, Asia's fourth-largest economy, said ..."): trade.yml apposition_place."""
    pattern = _vocab()["apposition_place"]
    traders = _traders(places)
    dropped = {id(place) for before, place in pairwise(traders)
               if re.fullmatch(r"\s*,\s*", text[before.end : place.start])
               and re.match(pattern, text[place.end : place.end + 60], re.IGNORECASE)}
    return [p for p in places if id(p) not in dropped]


def _with_partner_references(text: str, places: list[PlaceMention],
                             context: _Context) -> list[PlaceMention]:
    """The sentence's places with "that country" and descriptions ("the Asian
    manufacturing giant") resolved: to the place the sentence named last before them
    (other than the dateline's: "Imports from China rose ..., pushing the U.S. trade gap
    with that country"), else the partner the article named last, else the article's most
    named country other than the dateline's. A place inside a description ("Asian") is
    part of it, not a side."""
    if context.bloc is not None:
        # "exports of goods to the bloc": the bloc the article names.
        blocs = [PlaceMention(context.bloc, "bloc", m.start(), m.end())
                 for m in _bloc_reference().finditer(text)]
        if blocs:
            places = sorted([*places, *blocs], key=lambda p: p.start)
    spans = [(m.start(), m.end()) for m in _partner_reference().finditer(text)]
    spans += [(m.start(), m.end()) for m in _partner_description().finditer(text)]
    if not spans:
        return places
    kept = [p for p in places if not any(a <= p.start < b for a, b in spans)]
    main = next((code for code in context.pair if code != context.home), None)
    for start, end in spans:
        named = [p for p in _traders(kept) if p.end <= start and p.code != context.home]
        code = named[-1].code if named else (
            context.partners[-1] if context.partners else main)
        if code is not None:
            kept.append(PlaceMention(code, "country", start, end))
    return sorted(kept, key=lambda p: p.start)


def _references(pattern: re.Pattern[str], text: str, code: str) -> list[PlaceMention]:
    return [PlaceMention(code, "country", m.start(), m.end()) for m in pattern.finditer(text)]


def _signed(growth: dict | None, text: str) -> float | None:
    if growth is None:
        return None
    down = growth["direction"] == "down" or (not growth["direction"] and (
        _verb_sign(text, growth) or _comparative_sign(text, growth)) < 0)
    return -growth["value"] if down else growth["value"]


def _attach_growths(text: str, levels: list[dict], growths: list[dict],
                    spans: list[tuple[int, int]]) -> dict[str, str]:
    """{level figure_id: growth figure_id}: a growth rate belongs to the level of its
    clause it stands nearest to ("fell 11.1 percent in April to $22.3 billion", "$245
    billion in 2024 - a rise of 1.9%"); each level takes at most one."""
    attached: dict[str, str] = {}
    for growth in growths:
        clause = _clause_of(spans, growth["span_start"])
        free = [level for level in levels if clause[0] <= level["span_start"] < clause[1]
                and level["figure_id"] not in attached]
        if not free:
            continue
        nearest = min(free, key=lambda level: min(abs(level["span_start"] - growth["span_end"]),
                                                  abs(growth["span_start"] - level["span_end"])))
        between = text[min(nearest["span_end"], growth["span_end"])
                       : max(nearest["span_start"], growth["span_start"])]
        if len(between) <= 45:
            attached[nearest["figure_id"]] = growth["figure_id"]
    return attached
