"""Attribution: who says a sentence — "according to X", "X said", quotes with speaker,
role and organisation. Pure functions over one sentence; vocabulary in
transforms/rules/attribution.yml.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache

from transforms.figures.patterns import whole_phrases
from transforms.kernel.rules import rules

__all__ = ["Attribution", "attribution_of", "attribution_screen", "hedge_of", "quote_of",
           "screen_pattern"]

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
    return whole_phrases(phrases, ignore_case=ignore_case)


# What the Rust regex engine behind polars' str.contains treats as syntax; every other
# character stands for itself there (the set regex::escape escapes).
_RUST_SPECIAL = set("\\.+*?()|[]{}^$#&-~")


@cache
def python_only_folds() -> str:
    """The characters outside ASCII that Python's re.IGNORECASE matches to an ASCII letter
    ("ſ" to s, "K" to k, "İ" and "ı" to i). polars' Rust engine folds case by other rules
    (it never folds "İ" or "ı" to i), so a screen run there lets any text that holds one
    of these through. Derived from re itself, so a new Python cannot change the rules
    under the screen (no character above U+FFFF folds to ASCII: tested)."""
    plane0 = "".join(map(chr, range(128, 0x10000)))
    return "".join(sorted(set(re.findall("[a-z]", plane0, re.IGNORECASE))))


def screen_pattern(phrases: tuple[str, ...] | list[str], ignore_case: bool,
                   word_start: bool = False) -> str:
    """A pattern for polars' str.contains that matches every text in which a phrase of
    `phrases` can occur as Python's re reads it (any_phrase, with or without its word
    boundaries) - and some texts more; never fewer.

    One vectorised pass over a sentence column is far cheaper than a Python regex per
    sentence, and most sentences hold none of the phrases. The screen ignores word
    boundaries, except, with `word_start`, an ASCII one before phrases that start with an
    ASCII letter or digit: where Python sees a boundary there, the character before is no
    word character of any alphabet, so it is none of ASCII's either."""
    if not phrases or (ignore_case and not all(p.isascii() for p in phrases)):
        return ""  # matches every text: no screen
    parts = []
    for phrase in phrases:
        literal = "".join("\\" + c if c in _RUST_SPECIAL else c for c in phrase)
        starts_word = word_start and phrase[0].isascii() and phrase[0].isalnum()
        parts.append(("(?-u:\\b)" if starts_word else "") + literal)
    union = "|".join(parts)
    if not ignore_case:
        return union  # literals, matched exactly by both engines
    folds = "".join("\\" + c if c in _RUST_SPECIAL else c for c in python_only_folds())
    return f"(?i:{union})" + (f"|[{folds}]" if folds else "")


@cache
def _by_length(section: str) -> tuple[str, ...]:
    """A vocabulary list, longest phrase first (so "according to the" beats "according")."""
    return tuple(sorted(_vocab()[section], key=len, reverse=True))


# The most characters a speaker's role and organisation may take ("NAME, ROLE at the ORG,
# said"). Unbounded, each capitalised pair of words tried the whole rest of the sentence,
# quadratic in its length.
ROLE_CHARS = 200


@cache
def _speaker_patterns() -> tuple[re.Pattern[str], re.Pattern[str]]:
    """"NAME, ROLE at the ORG, <speech verb>" and "NAME <speech verb>", compiled once: built
    per sentence they cost more than the rest of the figures stage."""
    verbs = "|".join(re.escape(v) for v in _vocab()["speech_verbs"])
    with_role = re.compile(
        rf"(?:^|[,.;]\s*|\bFor\s+|Meanwhile,\s+)({_CAP}(?:\s+{_CAP}){{1,2}}),\s+"
        rf"([^\"“]{{1,{ROLE_CHARS}}}?),?\s+"
        rf"(?:{verbs})\b")
    bare_name = re.compile(rf"\b({_CAP}(?:\s+{_CAP}){{1,2}})()\s+(?:{verbs})\b")
    return with_role, bare_name


@cache
def attribution_screen() -> str:
    """A screen_pattern for attribution_of: a text it passes over holds neither a source
    marker nor a speech verb (both speaker patterns need one, case as written), so
    attribution_of(text) is None."""
    markers = screen_pattern(_by_length("source_markers"), ignore_case=True)
    verbs = screen_pattern(tuple(_vocab()["speech_verbs"]), ignore_case=False)
    return "" if not markers or not verbs else f"{markers}|{verbs}"


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
    quote = _first_quote(text)
    if not quote or len(quote[2].split()) < int(_vocab()["min_quote_words"]):
        return None
    lead = text[: quote[0]]
    match = _quote_lead().search(lead)
    if not match:
        return None
    role, org = _role_and_org(match.group(2))
    name = _without_lead_words(match.group(1))
    return quote[2].strip(), Attribution(lead.strip(" ,"), name, role, org)


_CLOSING_MARK = re.compile(r"[\"”]")


def _first_quote(text: str) -> tuple[int, int, str] | None:
    """(start, end, inner text) of re.search(r'["“]([^"”]+)["”]', text), found in linear
    time: the regex retried every opening mark against the rest of the text (quadratic
    in a sentence of opening marks), where each needs only the first closing mark after
    it, and none after one means none after any later one."""
    for opening in re.finditer(r"[\"“]", text):
        start = opening.start()
        closing = _CLOSING_MARK.search(text, start + 1)
        if closing is None:
            return None
        if closing.start() > start + 1:
            return start, closing.end(), text[start + 1 : closing.start()]
    return None


@cache
def _quote_lead() -> re.Pattern[str]:
    """"For NAME, ROLE at the ORG, " / "NAME, ROLE of the ORG, verb that " before a quote."""
    verbs = "|".join(re.escape(v) for v in _vocab()["speech_verbs"])
    return re.compile(
        rf"(?:^|\bFor\s+|,\s+)({_CAP}\s+{_CAP}(?:\s+{_CAP})?),\s+(.{{1,{ROLE_CHARS}}}?),\s*"
        rf"(?:(?:{verbs})(?:\s+that)?\s*)?$")


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
