"""Attribution: who says a sentence — "according to X", "X said", quotes with speaker,
role and organisation. Pure functions over one sentence; vocabulary in
transforms/rules/attribution.yml.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache

from transforms.rulebook import rules

__all__ = ["Attribution", "attribution_of", "hedge_of", "quote_of"]

_CAP = r"[A-Z][\w.'’\-]*"


@dataclass(frozen=True)
class Attribution:
    """Who a statement is attributed to, as far as the sentence says."""

    attribution_text: str  # the words that attribute ("according to Chinese customs data")
    speaker: str | None  # a person, or the named source when there is no person
    speaker_role: str | None
    speaker_org: str | None


@cache
def _vocab() -> dict:
    return rules("attribution")


def _split_role_and_name(phrase: str) -> tuple[str | None, str | None]:
    """'Russian Deputy Prime Minister Alexander Novak' → (role, 'Alexander Novak')."""
    words = phrase.split()
    role_words = set(_vocab()["role_words"])
    last_role = max((i for i, w in enumerate(words) if w.strip(",") in role_words), default=-1)
    name: list[str] = []
    for word in words[last_role + 1 :]:  # the run of capitalised words after the role
        if not re.match(_CAP, word):
            break
        name.append(word.strip(","))
    role = " ".join(words[: last_role + 1]) or None
    if role and role.lower().startswith("the "):
        role = role[4:]
    return role, " ".join(name) if len(name) >= 2 else None


def _role_and_org(text: str) -> tuple[str | None, str | None]:
    """', senior fellow at the Centre for X,' → ('senior fellow', 'Centre for X')."""
    markers = sorted(_vocab()["org_markers"], key=len, reverse=True)
    pattern = r"\s+(?:" + "|".join(re.escape(m) for m in markers) + r")\s+"
    match = re.search(pattern + r"((?:" + _CAP + r"|for|of|and|on|the)(?:\s+(?:" + _CAP
                      + r"|for|of|and|on))*)", text)
    if not match:
        return (text.strip(" ,") or None), None
    role = text[: match.start()].strip(" ,") or None
    org = match.group(1).strip()
    return role, org


@cache
def any_phrase(phrases: tuple[str, ...], ignore_case: bool) -> re.Pattern[str]:
    """One compiled test for "does any of these whole phrases occur": most sentences hold
    none, and one search is far cheaper than one per phrase. Callers still walk the
    phrases in their order to pick which one, so results are unchanged."""
    union = "|".join(re.escape(p) for p in phrases)
    return re.compile(rf"\b(?:{union})\b", re.IGNORECASE if ignore_case else 0)


@cache
def _by_length(section: str) -> tuple[str, ...]:
    """A vocabulary list, longest phrase first (so "according to the" beats "according")."""
    return tuple(sorted(_vocab()[section], key=len, reverse=True))


@cache
def _speaker_patterns() -> tuple[re.Pattern[str], re.Pattern[str]]:
    """"NAME, ROLE at the ORG, <speech verb>" and "NAME <speech verb>", compiled once: built
    per sentence they cost more than the rest of the figures stage."""
    verbs = "|".join(re.escape(v) for v in _vocab()["speech_verbs"])
    with_role = re.compile(
        rf"(?:^|[,.;]\s*|\bFor\s+|Meanwhile,\s+)({_CAP}(?:\s+{_CAP}){{1,2}}),\s+([^\"“]+?),?\s+"
        rf"(?:{verbs})\b")
    bare_name = re.compile(rf"\b({_CAP}(?:\s+{_CAP}){{1,2}})()\s+(?:{verbs})\b")
    return with_role, bare_name


def attribution_of(text: str) -> Attribution | None:
    """The attribution of a sentence: "according to X" first, then "NAME, ROLE, said"."""
    markers = _by_length("source_markers")
    if not any_phrase(markers, True).search(text):
        markers = ()
    for marker in markers:
        match = re.search(rf"\b{re.escape(marker)}\s+(?:the\s+)?([^,;.]+)", text, re.IGNORECASE)
        if match:
            source = match.group(1).strip()
            role, name = _split_role_and_name(source)
            if name:
                return Attribution(match.group(0), name, role, None)
            return Attribution(match.group(0), source, None, None)
    # "NAME, ROLE at the ORG, believes that ..." / "NAME said" / "said NAME".
    with_role, bare_name = _speaker_patterns()
    match = with_role.search(text) or bare_name.search(text)
    if match:
        name = _without_lead_words(match.group(1))
        role, org = _role_and_org(match.group(2)) if match.group(2) else (None, None)
        return Attribution(match.group(0).strip(" ,."), name, role, org)
    return None


def quote_of(text: str) -> tuple[str, Attribution] | None:
    """A quotation of at least min_quote_words words with its speaker, or None.

    Reads "For NAME, ROLE at the ORG, “...”" and "NAME, ROLE of the ORG, verb that “...”".
    """
    quote = re.search(r"[\"“]([^\"”]+)[\"”]", text)
    if not quote or len(quote.group(1).split()) < int(_vocab()["min_quote_words"]):
        return None
    lead = text[: quote.start()]
    verbs = "|".join(re.escape(v) for v in _vocab()["speech_verbs"])
    match = re.search(
        rf"(?:^|\bFor\s+|,\s+)({_CAP}\s+{_CAP}(?:\s+{_CAP})?),\s+(.+?),\s*"
        rf"(?:(?:{verbs})(?:\s+that)?\s*)?$",
        lead,
    )
    if not match:
        return None
    role, org = _role_and_org(match.group(2))
    name = _without_lead_words(match.group(1))
    return quote.group(1).strip(), Attribution(lead.strip(" ,"), name, role, org)


def _without_lead_words(name: str) -> str:
    """'For Richard Weitz' → 'Richard Weitz'."""
    words = name.split()
    while len(words) > 2 and words[0] in _vocab()["lead_words"]:
        words = words[1:]
    return " ".join(words)


def hedge_of(text: str) -> str | None:
    """The first hedge phrase of the sentence (forecast hedges first), or None."""
    forecast = _by_length("forecast_hedges")
    if any_phrase(forecast, True).search(text):
        for hedge in forecast:
            if re.search(rf"\b{re.escape(hedge)}\b", text, re.IGNORECASE):
                return str(hedge)
    other = _by_length("other_hedges")
    if any_phrase(other, False).search(text):
        for hedge in other:
            if re.search(rf"\b{re.escape(hedge)}\b", text):
                return str(hedge)
    return None
