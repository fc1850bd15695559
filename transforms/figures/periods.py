"""The period a figure is for: a year, quarter, month or fiscal year a sentence states near
it, or a relative one ("last year") resolved against the article's date.

Every period resolves to a calendar year (a fiscal year to the year it ends, a month or
quarter to its year), and keeps its kind. The vocabularies are transforms/rules/periods.yml.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date
from functools import cache

from transforms.figures.patterns import alternation
from transforms.kernel.rules import rules

__all__ = ["Period", "period_mentions", "period_near"]


@dataclass(frozen=True)
class Period:
    """A period named in a sentence, resolved to the calendar year it falls in."""

    year: int
    kind: str  # year | quarter | month | fiscal_year | relative
    start: int
    end: int


@cache
def _patterns() -> dict[str, re.Pattern[str]]:
    vocab = rules("periods")
    months = alternation(vocab["months"])
    relative = alternation(vocab["relative_years"])
    year = r"(?:19|20)\d\d"
    return {
        # "fiscal 1986/87", "fiscal year 2004-05", "FY2004": the year it ends.
        "fiscal_year": re.compile(
            rf"\b(?:fiscal(?:\s+year)?|FY)\s*(?P<y>{year})(?:\s*[/-]\s*(?P<e>\d\d(?:\d\d)?))?\b",
            re.IGNORECASE),
        # "the first quarter of 1987", "fourth-quarter 2004", "Q3 2012".
        "quarter": re.compile(
            rf"\b(?:(?:first|second|third|fourth|1st|2nd|3rd|4th)[- ]quarter|Q[1-4])"
            rf"(?:\s+of)?\s+(?P<y>{year})\b", re.IGNORECASE),
        # "in March 1987", "January-March 2004".
        "month": re.compile(rf"\b(?P<m>{months})(?:\s*[-–]\s*(?:{months}))?,?\s+(?P<y>{year})\b"),
        # "in 2004", "During 2004", "for 1986", "1986's", a year before a noun ("its 1986
        # record 13.6 billion dlr surplus") but never part of a date range or a number.
        "year": re.compile(rf"(?<![\d/.,-])(?P<y>{year})(?![\d/.,]\d|\s*[-–]\s*\d)"),
        "relative": re.compile(rf"\b(?P<r>{relative})\b", re.IGNORECASE),
        # A month named without its year ("in April", "in the first two months").
        "base_of_change": re.compile(
            r"\b(?:" + alternation(vocab["base_of_change"]) + r")\s+(?:the\s+)?$",
            re.IGNORECASE),
        "not_the_period": re.compile(vocab["not_the_period"] + r"\s*$", re.IGNORECASE),
        "last_month": re.compile(r"\blast\s+month\b", re.IGNORECASE),
        # "in April", "through November", "the January-March quarter", "January's
        # surplus", "the year to March": a month without its year (months are
        # case-sensitive: "may" is no month).
        "bare_month": re.compile(
            rf"(?:\b(?:[Ii]n|[Ff]or|[Dd]uring|[Tt]hrough|[Tt]he|of|(?:year|months|quarter|"
            rf"period|half)\s+(?:to|ended|ending))\s+(?:{months})?(?:\s*[-\u2013]\s*)?"
            rf"(?P<m>{months})\b(?!\s*,?\s*(?:19|20)\d\d))|\b(?P<p>{months})['\u2019]s\b"
            # "South Korea's July exports", "the May trade deficit": a month before the flow
            rf"|\b(?P<a>{months})\s+(?={vocab['month_before_flow']})"),
        # "in the fourth quarter", "the first half": the last one that has begun by the
        # publication date.
        "bare_quarter": re.compile(
            r"\b(?P<q>first|second|third|fourth|1st|2nd|3rd|4th)[- ](?P<u>quarter|half)\b"
            r"(?!\s+(?:of\s+)?(?:(?:19|20)\d\d|this|last|the|next))", re.IGNORECASE),
        # "1986/87", "fiscal 2004-05": a year spanning two calendar years ends in the second.
        "split_year": re.compile(
            rf"(?<![\d/.,-])(?P<y>{year})\s*[/-]\s*(?P<e>\d\d(?:\d\d)?|\d)\b(?![/.,-]\d)"),
        "attached": re.compile(vocab["attached_to_figure"], re.IGNORECASE),
        "barrier": re.compile(vocab["period_barrier"], re.IGNORECASE),
        "base_connector": re.compile(vocab["base_connector"], re.IGNORECASE),
        "year_to_date": re.compile(vocab["year_to_date"], re.IGNORECASE),
        "year_span": re.compile(vocab["year_span"], re.IGNORECASE),
    }


def _month_number(name: str) -> int:
    return rules("periods")["months"][name]


def period_mentions(text: str, published: date | None, target: bool = False) -> list[Period]:
    """Every period the sentence names, resolved (relative ones and bare months need the
    publication date and are skipped without it), in text order, overlaps removed. In a
    sentence stating a target (`target`), "by 2015" is the target's period."""
    found: list[Period] = []
    patterns = _patterns()
    taken: list[tuple[int, int]] = []

    def add(kind: str, year: int, match: re.Match[str]) -> None:
        if any(match.start() < end and start < match.end() for start, end in taken):
            return
        before = text[max(0, match.start() - 40) : match.start()]
        if target and re.search(r"\bby\s+$", before) and kind == "year":
            taken.append((match.start(), match.end()))
            found.append(Period(year, kind, match.start(), match.end()))
            return
        if patterns["not_the_period"].search(before):
            # "the lowest since May 2006", "compared to the same period in 2012": a
            # reference point, not the period of a figure.
            taken.append((match.start(), match.end()))
            return
        taken.append((match.start(), match.end()))
        found.append(Period(year, kind, match.start(), match.end()))

    for match in patterns["year_span"].finditer(text):
        # "between 2008 and 2009": the span's first year is where the change starts.
        taken.append(match.span("start"))
    for match in patterns["fiscal_year"].finditer(text):
        start, end_year = int(match.group("y")), match.group("e")
        if end_year:
            ending = int(end_year) if len(end_year) == 4 else start // 100 * 100 + int(end_year)
            add("fiscal_year", ending if ending > start else start, match)
        else:
            add("fiscal_year", start, match)
    for match in patterns["split_year"].finditer(text):
        start, tail = int(match.group("y")), match.group("e")
        ending = int(tail) if len(tail) == 4 else start // 10 ** len(tail) * 10 ** len(tail) \
            + int(tail)
        if ending == start + 1:  # consecutive years, not a range ("2004-2008")
            add("fiscal_year", ending, match)
    for kind in ("quarter", "month", "year"):
        for match in patterns[kind].finditer(text):
            add(kind, int(match.group("y")), match)
    if published is not None:
        offsets = rules("periods")["relative_years"]
        anaphoric = set(rules("periods")["anaphoric_relative_years"])
        for match in patterns["relative"].finditer(text):
            phrase = match.group("r").lower()
            before = text[max(0, match.start() - 12) : match.start()].lower()
            if patterns["base_of_change"].search(before) and offsets[phrase] == -1 \
                    and "same period" not in before:
                # "up 1.9% from last year" names the base of a change, not the period.
                continue
            anchor = [p for p in found if p.end <= match.start() and p.kind != "relative"] \
                if phrase in anaphoric else []
            base = max(anchor, key=lambda p: p.start).year if anchor else published.year
            add("relative", base + int(offsets[phrase]), match)
        for match in patterns["year_to_date"].finditer(text):
            count = match.group("n").lower()
            months = int(count) if count.isdigit() else \
                rules("periods")["year_to_date_months"][count]
            add("relative", published.year - (1 if published.month <= months else 0), match)
        for match in patterns["last_month"].finditer(text):
            add("month", published.year - (1 if published.month == 1 else 0), match)
        for match in patterns["bare_quarter"].finditer(text):
            ordinal = match.group("q").lower()[:1]
            number = {"f": 1, "1": 1, "s": 2, "2": 2, "t": 3, "3": 3}.get(ordinal, 4)
            if match.group("q").lower() in ("fourth", "4th"):
                number = 4
            length = 3 if match.group("u").lower() == "quarter" else 6
            begins = (number - 1) * length + 1
            # Under way or over this year; not yet begun: last year's.
            add("quarter", published.year - (1 if published.month < begins else 0), match)
        for match in patterns["bare_month"].finditer(text):
            month = _month_number(match.group("m") or match.group("p") or match.group("a"))
            # A month later than the publication month is last year's ("in November" of a
            # March story).
            add("month", published.year - (1 if month > published.month else 0), match)
    return sorted(found, key=lambda p: p.start)


def period_near(periods: list[Period], start: int, end: int, next_figure: int | None,
                previous_figure: int | None, text: str | None = None) -> Period | None:
    """The period of a figure at [start, end): one that qualifies it right before it ("its
    1986 record 13.6 billion", with `text`), else the first one after it before the next
    figure ("13.6 billion in 1986, up from 10.2 billion in 1985"), else the nearest one
    before it after the previous figure, else the nearest in the sentence. A period that
    qualifies the next figure is not this one's."""
    if text is not None:
        # "$287.8 billion, ensuring that ... will remain a hot topic in 2007": a period
        # beyond a participle or relative clause is that clause's.
        barrier = _patterns()["barrier"]
        periods = [p for p in periods if not barrier.search(
            text[min(end, p.end) : max(start, p.start)])]
        attached = _patterns()["attached"]
        own = [p for p in periods if p.end <= start and (previous_figure is None
                                                         or p.start >= previous_figure)
               and attached.fullmatch(text[p.end : start])]
        if own:
            return own[-1]
        if next_figure is not None:
            periods = [p for p in periods if not (p.end <= next_figure and p.start >= end
                                                  and attached.fullmatch(text[p.end
                                                                              : next_figure]))]
    after = [p for p in periods if p.start >= end and (next_figure is None
                                                       or p.start < next_figure)]
    if after:
        return after[0]
    before = [p for p in periods if p.end <= start and (previous_figure is None
                                                        or p.start >= previous_figure)]
    if before:
        return before[-1]
    if text is not None and next_figure is not None and _patterns()["base_connector"].search(
            text[end:next_figure]):
        # "6.67 billion dlrs against 4.99 billion in 1985": the later period is the base's.
        periods = [p for p in periods if p.start < end]
    if not periods:
        return None
    return min(periods, key=lambda p: min(abs(p.start - end), abs(start - p.end)))
