"""A small deterministic language detector: scripts first, then stopword profiles.

Profiles and script ranges: transforms/rules/languages.yml; thresholds: cleaning.yml
(section language). No model, no randomness: the same text always gets the same code.
"""

from __future__ import annotations

import functools
import re
from collections import Counter
from typing import Any

from transforms.kernel.rules import rules

_TOKEN = re.compile(r"\w+")
_ASCII_WORD = re.compile(r"(?<![0-9_a-z])[a-z]+(?![0-9_a-z])")
_NON_ASCII_NON_WORD = re.compile(r"[^\w\x00-\x7f]")


@functools.cache
def language_profiles() -> dict[str, Any]:
    """The parsed languages.yml, stopword lists turned into frozensets."""
    data = dict(rules("languages"))  # a copy: the stopword lists are replaced below
    data["stopwords"] = {
        lang: frozenset(str(word).lower() for word in words)
        for lang, words in data["stopwords"].items()
    }
    return data


@functools.cache
def all_stopwords() -> frozenset[str]:
    """Every stopword of every profile (for 'is this a name-only line' tests).

    Built once a process (language_profiles is cached too): the union was rebuilt for every
    article and name-line test."""
    return frozenset().union(*language_profiles()["stopwords"].values())


def words(text: str) -> list[str]:
    """Lowercase letter-only words of a text ("291a", "2024" and punctuation dropped)."""
    if not text.isascii():
        # Curly quotes, dashes, NBSP...: a non-word character made a space splits the same
        # tokens, and most paragraphs are then ASCII.
        text = _NON_ASCII_NON_WORD.sub(" ", text)
    if text.isascii():
        # In ASCII, \w is [A-Za-z0-9_], a letter-only token is a run of letters with no
        # word character on either side, and lowering keeps every length: one findall.
        return _ASCII_WORD.findall(text.lower())
    return [token.lower() for token in _TOKEN.findall(text) if token.isalpha()]


@functools.cache
def _script_pattern(ranges: tuple[tuple[int, int], ...]) -> re.Pattern[str]:
    """One character class for a script's code point ranges (languages.yml)."""
    return re.compile("[" + "".join(f"{re.escape(chr(lo))}-{re.escape(chr(hi))}"
                                    for lo, hi in ranges) + "]")


@functools.cache
def _script_free_pattern() -> re.Pattern[str] | None:
    """One character class of every script range of languages.yml, when a text with no
    character in it is in no script (every min_share above 0), else None."""
    scripts = language_profiles()["scripts"]
    if not all(spec["min_share"] > 0 for spec in scripts.values()):
        return None
    return _script_pattern(tuple((lo, hi) for spec in scripts.values()
                                 for lo, hi in spec["ranges"]))


def _script_language(text: str, scripts: dict[str, Any]) -> str | None:
    """ko/ja/zh when that script holds enough of the text's letters, else None."""
    # Most paragraphs are ASCII and no script range reaches into ASCII: decided without
    # looking at each character (the per-character test was half the cleaning stage).
    if text.isascii() and all(lo > 0x7F for spec in scripts.values()
                              for lo, _ in spec["ranges"]):
        return None
    letters = sum(map(str.isalpha, text))
    if not letters:
        return None
    for lang, spec in scripts.items():  # order in the file matters: ko, ja before zh
        pattern = _script_pattern(tuple((lo, hi) for lo, hi in spec["ranges"]))
        in_script = sum(map(str.isalpha, pattern.findall(text)))
        if in_script / letters >= spec["min_share"]:
            return lang
    return None


def detect_language(
    text: str, thresholds: dict[str, Any], *, min_words: int | None = None
) -> str | None:
    """ISO 639-1 code of a text, or None when the evidence is too thin or ambiguous.

    thresholds: cleaning.yml's language section (min_words, min_hits, min_share, margin).
    """
    profiles = language_profiles()
    # A text without a single character of any script range is in none of them: one
    # search instead of counting letters and matches script by script.
    any_script = _script_free_pattern()
    no_script = any_script is not None and any_script.search(text) is None
    by_script = None if no_script else _script_language(text, profiles["scripts"])
    if by_script:
        return by_script
    tokens = words(text)
    needed = thresholds["min_words"] if min_words is None else min_words
    if len(tokens) < needed:
        return None
    # Only tokens that are a stopword of some profile can count: filtered once, in C,
    # before each profile counts its own (most tokens are no stopword at all).
    candidates = list(filter(all_stopwords().__contains__, tokens))
    # No profile can hit more tokens than are stopwords at all: when even that is too few
    # for min_hits or min_share, the answer is None without counting per profile.
    if len(candidates) < thresholds["min_hits"] or (
            tokens and len(candidates) / len(tokens) < thresholds["min_share"]):
        return None
    hits = Counter()
    for lang, stopwords in profiles["stopwords"].items():
        hits[lang] = sum(map(stopwords.__contains__, candidates))
    # Sort by hits, then code: ties resolve the same way on every run.
    ranked = sorted(hits.items(), key=lambda item: (-item[1], item[0]))
    best_lang, best_hits = ranked[0]
    runner_up = ranked[1][1] if len(ranked) > 1 else 0
    if best_hits < thresholds["min_hits"] or best_hits / len(tokens) < thresholds["min_share"]:
        return None
    if best_hits < thresholds["margin"] * runner_up:
        return None
    return best_lang


def is_foreign(paragraph_lang: str | None, article_lang: str | None) -> bool:
    """True when a paragraph's detected language differs from its article's.

    Unknown on either side is never foreign, nor are pairs listed as compatible in
    languages.yml (a kanji-only line in a Japanese article).
    """
    if not paragraph_lang or not article_lang or paragraph_lang == article_lang:
        return False
    compatible = language_profiles().get("compatible", {})
    return paragraph_lang not in compatible.get(article_lang, [])
