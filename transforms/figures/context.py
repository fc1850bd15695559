"""Context of a figure: which places a sentence names, the trade flow, commodity, period
and whether it is a forecast. Pure functions over one sentence's text; the vocabularies
are transforms/rules/trade.yml, attribution.yml and the country_aliases dbt seed.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache

from transforms.figures.attribution import any_phrase
from transforms.figures.patterns import alternation
from transforms.kernel.rules import rules, seed_rows

__all__ = [
    "FlowMention",
    "PlaceMention",
    "commodity_near",
    "flow_mentions",
    "forecast_hedge",
    "place_mentions",
]


@dataclass(frozen=True)
class PlaceMention:
    """A country, region or bloc named in a sentence."""

    code: str
    kind: str  # country | region | bloc
    start: int
    end: int


@dataclass(frozen=True)
class FlowMention:
    """A trade-flow phrase in a sentence ('bilateral', 'export' or 'import')."""

    flow: str
    start: int
    end: int


@cache
def _alias_pattern() -> tuple[re.Pattern[str], dict[str, tuple[str, str]]]:
    aliases = {row["alias"]: (row["country_code"], row["kind"]) for row in seed_rows(
        "country_aliases")}
    # Case-sensitive: "US" the country, never "us" the pronoun.
    pattern = re.compile(r"(?<![\w.])(" + alternation(aliases) + r")(?![\w])")
    return pattern, aliases


def place_mentions(text: str) -> list[PlaceMention]:
    """Countries, regions and blocs named in `text` (aliases from the seed), in order."""
    pattern, aliases = _alias_pattern()
    return [
        PlaceMention(*aliases[m.group(1)], m.start(1), m.end(1)) for m in pattern.finditer(text)
    ]


@cache
def _flow_pattern() -> tuple[re.Pattern[str], dict[str, str]]:
    flows = {phrase.lower(): flow for flow, phrases in rules("trade")["flows"].items()
             for phrase in phrases}
    return re.compile(r"\b(" + alternation(flows) + r")\b", re.IGNORECASE), flows


@cache
def _not_flow_pattern() -> re.Pattern[str]:
    return re.compile(r"\b(?:" + alternation(rules("trade")["not_flows"]) + r")\b",
                      re.IGNORECASE)


def flow_mentions(text: str) -> list[FlowMention]:
    """Trade-flow phrases in `text`, in order ("bilateral trade", "exports", "imports"),
    except those inside a name or a noun phrase that is no flow ("Export-Import Bank",
    "export credits")."""
    pattern, flows = _flow_pattern()
    blocked = [(m.start(), m.end()) for m in _not_flow_pattern().finditer(text)]
    return [FlowMention(flows[m.group(1).lower()], m.start(1), m.end(1))
            for m in pattern.finditer(text)
            if not any(a <= m.start(1) < b for a, b in blocked)]


def commodity_near(text: str, start: int, end: int) -> str:
    """The commodity named within the phrase around [start, end), else 'all'."""
    window = text[max(0, start - 25) : end + 25].lower()
    for commodity, words in rules("trade")["commodities"].items():
        if any(re.search(rf"\b{re.escape(w)}\b", window) for w in words):
            return str(commodity)
    return "all"


@cache
def _forecast_hedges() -> tuple[str, ...]:
    """The forecast hedges, longest first (sorted once, not per sentence)."""
    return tuple(sorted(rules("attribution")["forecast_hedges"], key=len, reverse=True))


def forecast_hedge(text: str) -> str | None:
    """The forecast hedge phrase in `text` ("is expected"), or None."""

    hedges = _forecast_hedges()
    if not any_phrase(hedges, True).search(text):  # the common case: one search, not many
        return None
    for hedge in hedges:
        if re.search(rf"\b{re.escape(hedge)}\b", text, re.IGNORECASE):
            return str(hedge)
    return None
