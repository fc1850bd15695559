"""Precision, recall and F1 from match counts: the one reading the evaluation commands
(eval_figures, eval_trade) share."""

from __future__ import annotations


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
        p, r = self.precision, self.recall
        return 2 * p * r / (p + r) if p + r else 0.0
