"""Repair words broken by a stray space ("d eals" -> "deals").

Two adjacent lowercase-letter fragments are joined when the joined form is a known word and
at least one fragment is not a word on its own. Real two-word sequences ("a deal", "at
tack" = two words, "in 2024", "I am") are left alone: both fragments are words, or a
fragment is not letters. The word list is transforms/rules/words_en.txt.gz (SCOWL via
Debian's wamerican 2020.12.07, lowercase entries only; licence in words_en.COPYRIGHT).
"""

from __future__ import annotations

import functools
import gzip
import re

from transforms.kernel.rules import RULES_DIR

# A candidate pair: two whole whitespace-separated chunks with exactly one space between
# them. The left one is letters only and may be capitalised (sentence start: "T he" ->
# "The"); the right one is lowercase letters (so names such as "Li Qiang" are never glued
# together) with any trailing punctuation, which stays on it. The right fragment is in a
# lookahead: when the pair is not joined, it can be the left fragment of the next pair.
_PAIR = re.compile(r"(?<!\S)([A-Za-z][a-z]*) (?=([a-z]+)([.,;:!?)\]\"'’”]*)(?!\S))")
# A left fragment right after a number is its unit ("down 68 p at 1112 p": pence, then
# "at"), never half of a broken word: joining it would change the figure's words.
_AFTER_NUMBER = re.compile(r"\d\s$")


@functools.cache
def english_words() -> frozenset[str]:
    """The committed English word list (lowercase, one word a line)."""
    with gzip.open(RULES_DIR / "words_en.txt.gz", "rt", encoding="utf-8") as handle:
        return frozenset(line.strip() for line in handle if line.strip())


def repair_broken_words(
    text: str, known: frozenset[str], never_join_right: frozenset[str]
) -> tuple[str, int]:
    """(repaired text, number of joins). known: lowercase word list.

    Pairs are taken left to right; a joined pair's right fragment is not looked at again.
    """
    out: list[str] = []
    repairs = 0
    done = 0  # text before this offset is decided
    match = _PAIR.search(text)
    while match:
        left, right, tail = match.groups()
        joined = (left + right).lower()
        if (
            right not in never_join_right
            and not _AFTER_NUMBER.search(text, max(0, match.start() - 2), match.start())
            and joined in known
            and not (left.lower() in known and right in known)
        ):
            end = match.end() + len(right) + len(tail)
            out.append(text[done : match.start()])
            out.append(left + right + tail)
            repairs += 1
            done = end
            match = _PAIR.search(text, end)
        else:
            match = _PAIR.search(text, match.end())
    if not repairs:
        return text, 0
    out.append(text[done:])
    return "".join(out), repairs
