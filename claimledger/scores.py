"""Precision, recall and F1 from match counts, and the whitespace folding snippets are
compared under: the one reading the evaluation commands (eval_figures, eval_trade,
eval_extraction, extraction_gate) share."""

from __future__ import annotations

import re

_SPACE = re.compile(r"\s+")


def f1(precision: float, recall: float) -> float:
    """The harmonic mean of precision and recall (0 when both are 0)."""
    return 2 * precision * recall / (precision + recall) if precision + recall else 0.0


def squash_space(text: str | None) -> str:
    """Text with every run of whitespace one space, stripped."""
    return _SPACE.sub(" ", text or "").strip()


class MatchRates:
    """Mixed into a score dataclass with `gold`, `predicted` and `matched` counts."""

    gold: int
    predicted: int
    matched: int

    @property
    def precision(self) -> float:
        return self.matched / self.predicted if self.predicted else 0.0

    @property
    def recall(self) -> float:
        return self.matched / self.gold if self.gold else 0.0

    @property
    def f1(self) -> float:
        return f1(self.precision, self.recall)
