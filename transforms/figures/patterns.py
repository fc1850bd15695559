"""The one builder of phrase regexes: literal phrases as an alternation, longest first.

Longest first so that, where two phrases start at the same character, the longer wins
("US$" before "$", "the two countries" before "the two").
"""

from __future__ import annotations

import re
from collections.abc import Iterable


def alternation(phrases: Iterable[str]) -> str:
    """The phrases escaped and joined by |, longest first (ties in text order)."""
    return "|".join(re.escape(p) for p in sorted(set(phrases), key=lambda p: (-len(p), p)))


def whole_phrases(phrases: Iterable[str], *, ignore_case: bool = True,
                  capture: bool = False) -> re.Pattern[str]:
    """A pattern matching any of the phrases as whole words (group 1 when capture)."""
    group = "(" if capture else "(?:"
    return re.compile(rf"\b{group}{alternation(phrases)})\b", re.IGNORECASE if ignore_case else 0)
