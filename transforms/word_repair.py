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
from pathlib import Path

RULES_DIR = Path(__file__).parent / "rules"

# Whitespace-separated chunks. A fragment is a chunk of letters only; the left one may be
# capitalised (sentence start: "T he" -> "The"), the right one must be lowercase (so names
# such as "Li Qiang" are never glued together). Trailing punctuation stays on the right one.
_CHUNK = re.compile(r"\S+|\s+")
_LEFT = re.compile(r"[A-Za-z][a-z]*")
_RIGHT = re.compile(r"([a-z]+)([.,;:!?)\]\"'’”]*)")


@functools.cache
def english_words() -> frozenset[str]:
    """The committed English word list (lowercase, one word a line)."""
    with gzip.open(RULES_DIR / "words_en.txt.gz", "rt", encoding="utf-8") as handle:
        return frozenset(line.strip() for line in handle if line.strip())


def repair_broken_words(
    text: str, known: frozenset[str], never_join_right: frozenset[str]
) -> tuple[str, int]:
    """(repaired text, number of joins). known: lowercase word list."""
    chunks = _CHUNK.findall(text)
    out: list[str] = []
    repairs = 0
    i = 0
    while i < len(chunks):
        left = chunks[i]
        if i + 2 < len(chunks) and chunks[i + 1] == " " and _LEFT.fullmatch(left):
            right_match = _RIGHT.fullmatch(chunks[i + 2])
            if right_match:
                right, tail = right_match.groups()
                joined = (left + right).lower()
                if (
                    right not in never_join_right
                    and joined in known
                    and not (left.lower() in known and right in known)
                ):
                    out.append(left + right + tail)
                    repairs += 1
                    i += 3
                    continue
        out.append(left)
        i += 1
    return "".join(out), repairs
