"""Score figure parsing against the NewsQuant development split (evaluation only).

Run: `python -m claimledger.eval_figures [--dataset PATH] [--misses N] [--part P]
[--through-warehouse DB]`.
The data lives outside the repository (../shared/eval/newsquant-dev/NewsQuant.dev.json,
overridable by the env variable CLAIMLEDGER_EVAL_DIR); it is read, never copied.

Scoring, per the dataset's README:
- Within a sentence, each gold quantity is matched to at most one predicted figure with
  the same value (relative difference < 1e-6, scale applied on both sides; a gold range
  "a-b" matches a predicted range with the same ends).
- value precision = matched / predicted, value recall = matched / gold, value F1.
- **value accuracy := value F1** (harmonic mean of value precision and recall), so that
  neither missing quantities nor emitting every digit can pass unnoticed.
- unit accuracy and change accuracy are over matched pairs. Units are compared after
  light normalisation (lowercase, singular, currency codes → the dataset's names); a
  counted noun matches when it equals the gold unit's head or any of its words.

Two parts, fixed by the sentence text (not by position, so a reordered file keeps them):
one sentence in three is **held out** (`split_of`), never looked at while tuning the
rules, and scored beside the **tuning** part so that overfitting shows as a gap.

`--through-warehouse DB` scores a built warehouse instead of the parser: the sentences
written as one page each (`write_sentence_pages`, then `make run CORPUS=...`), and the
figures the warehouse stored for each page compared with that page's gold quantities, so
whatever cleaning, sentence splitting or prefilters lose shows up as a lower score.
Exit status 1 when value accuracy (F1) < 0.9 or unit accuracy < 0.85 on the held-out
part; 2 when no data.
"""

from __future__ import annotations

import argparse
import hashlib
import html
import json
import os
import re
import sys
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from claimledger.scores import MatchRates
from transforms.figures.parsing import Figure, parse_figures

PARTS = ("tuning", "held_out")
# One sentence in HELD_OUT_MODULUS is held out (by a hash of its text).
HELD_OUT_MODULUS = 3
PAGE_NAME = "newsquant-{index:04d}.html"
_PAGE_INDEX = re.compile(r"newsquant-(\d+)\.html$")
VALUE_ACCURACY_FLOOR = 0.9
UNIT_ACCURACY_FLOOR = 0.85
REL_TOL = 1e-6

# How the dataset names the units our parser writes as codes. Evaluation glue only.
_UNIT_NAMES = {
    "USD": "dollar",
    "EUR": "euro",
    "GBP": "pound sterling",
    "CNY": "chinese yuan",
    "JPY": "japanese yen",
    "AUD": "australian dollar",
    "CAD": "canadian dollar",
    "NZD": "new zealand dollar",
    "HKD": "hong kong dollar",
    "INR": "indian rupee",
    "RUB": "russian ruble",
    "DKK": "danish krone",
    "ILS": "shekel",
    "percent": "percentage",
}


def default_dataset() -> Path:
    """The dev split, found via CLAIMLEDGER_EVAL_DIR or ../shared/eval beside the repo."""
    base = os.environ.get("CLAIMLEDGER_EVAL_DIR")
    root = Path(base) if base else Path(__file__).resolve().parents[2] / "shared" / "eval"
    return root / "newsquant-dev" / "NewsQuant.dev.json"


@dataclass
class Score(MatchRates):
    """Counts and misses of one evaluation run."""

    gold: int = 0
    predicted: int = 0
    matched: int = 0
    unit_ok: int = 0
    change_ok: int = 0
    missed: list[str] = field(default_factory=list)  # gold quantities not found
    spurious: list[str] = field(default_factory=list)  # predictions with no gold
    unit_wrong: list[str] = field(default_factory=list)

    @property
    def value_accuracy(self) -> float:
        """Value F1: see the module docstring."""
        return self.f1

    @property
    def unit_accuracy(self) -> float:
        return self.unit_ok / self.matched if self.matched else 0.0

    @property
    def change_accuracy(self) -> float:
        return self.change_ok / self.matched if self.matched else 0.0

    @property
    def passes(self) -> bool:
        return (
            self.value_accuracy >= VALUE_ACCURACY_FLOOR
            and self.unit_accuracy >= UNIT_ACCURACY_FLOOR
        )


def _close(a: float, b: float) -> bool:
    return abs(a - b) <= REL_TOL * max(abs(a), abs(b), 1e-12)


def _gold_values(value: str) -> tuple[float, ...] | None:
    """'252.0-287.0' → (252.0, 287.0); '1000.0' → (1000.0,); junk → None."""
    try:
        if "-" in value.lstrip("-"):
            low, high = value.lstrip("-").split("-", 1)
            return float(low), float(high)
        return (float(value),)
    except ValueError:
        return None


def _predicted_values(figure: Figure) -> tuple[float, ...]:
    if figure.is_range and figure.range_low is not None and figure.range_high is not None:
        return figure.range_low, figure.range_high
    return (figure.value_full,)


def _values_match(gold: tuple[float, ...], predicted: tuple[float, ...]) -> bool:
    if len(gold) == len(predicted):
        return all(_close(g, p) for g, p in zip(gold, predicted, strict=True))
    return False


def _singular(word: str) -> str:
    word = word.lower().strip()
    for suffix, repl in (("ies", "y"), ("ches", "ch"), ("shes", "sh"), ("sses", "ss")):
        if word.endswith(suffix):
            return word[: -len(suffix)] + repl
    if word.endswith("s") and not word.endswith("ss") and len(word) > 3:
        return word[:-1]
    return word


def _unit_matches(gold_normalized: str, gold_unit: str, figure: Figure) -> bool:
    ours = figure.unit
    if ours is None:
        return gold_normalized.strip() in ("-", "")
    ours = _UNIT_NAMES.get(ours, ours)
    if figure.unit == "percentage point":
        ours = "percentage"
    gold_words = [_singular(w) for w in f"{gold_normalized} {gold_unit}".replace("-", " ").split()]
    our_words = [_singular(w) for w in ours.replace("-", " ").split()]
    if " ".join(our_words) == " ".join(_singular(w) for w in gold_normalized.split()):
        return True
    return bool(our_words) and our_words[-1] in gold_words


def split_of(text: str) -> str:
    """'held_out' for one sentence in HELD_OUT_MODULUS (by sha1 of its text), else 'tuning'."""
    digest = int(hashlib.sha1(text.encode("utf-8")).hexdigest()[:8], 16)
    return "held_out" if digest % HELD_OUT_MODULUS == 0 else "tuning"


def evaluate(records: list[dict],
             predict: Callable[[int, str], list[Figure]] | None = None) -> Score:
    """Score figures over NewsQuant-style records ({"text", "quantities"}).

    predict(index, text) gives the figures of record `index`; by default parse_figures of
    its text (the parser alone), or the warehouse's figures (`warehouse_figures`).
    """
    score = Score()
    for index, record in enumerate(records):
        text = record["text"]
        figures = predict(index, text) if predict else parse_figures(text)
        gold = [q for q in record["quantities"] if _gold_values(str(q["value"])) is not None]
        score.gold += len(gold)
        score.predicted += len(figures)
        used: set[int] = set()
        for quantity in gold:
            values = _gold_values(str(quantity["value"]))
            assert values is not None
            hit = next(
                (
                    i
                    for i, f in enumerate(figures)
                    if i not in used and _values_match(values, _predicted_values(f))
                ),
                None,
            )
            if hit is None:
                score.missed.append(f"{quantity['value']} {quantity['unit']!r} ← {text}")
                continue
            used.add(hit)
            figure = figures[hit]
            score.matched += 1
            if _unit_matches(quantity["normalized_unit"], quantity["unit"], figure):
                score.unit_ok += 1
            else:
                score.unit_wrong.append(
                    f"{figure.raw_text!r}: ours {figure.unit!r}, gold "
                    f"{quantity['normalized_unit']!r}"
                )
            if figure.change == quantity["change"]:
                score.change_ok += 1
        for i, figure in enumerate(figures):
            if i not in used:
                score.spurious.append(f"{figure.raw_text!r} ← {text}")
    return score


def write_sentence_pages(records: list[dict], folder: Path) -> list[Path]:
    """One HTML page per record in `folder` (PAGE_NAME), for a run through the DAG.

    The sentence is the page's one paragraph under a neutral headline without digits (a
    headline repeated as the first paragraph is searched for figures too, so a number in
    it would be scored as one), so nothing but the pipeline's own cleaning can remove the
    sentence. Written outside the repository only.
    """
    folder.mkdir(parents=True, exist_ok=True)
    paths = []
    for index, record in enumerate(records):
        path = folder / PAGE_NAME.format(index=index)
        path.write_text(
            "<!doctype html><html lang=\"en\"><head><meta charset=\"utf-8\">"
            "<title>A sentence from the news</title></head><body><article>"
            f"<h1>A sentence from the news</h1><p>{html.escape(record['text'])}</p>"
            "</article></body></html>", encoding="utf-8")
        paths.append(path)
    return paths


def warehouse_figures(db: Path) -> dict[int, list[Figure]]:
    """{record index: the figures a warehouse stored for that record's page}, from the
    kept sentences of pages named like PAGE_NAME (read-only connection)."""
    import duckdb

    by_index: dict[int, list[Figure]] = {}
    con = duckdb.connect(str(db), read_only=True)
    try:
        rows = con.execute("""
            select a.url, f.raw_text, f.span_start, f.span_end, f.quantity_kind, f.value,
                   f.unit, f.currency, f.scale, f.value_full, f.is_approximate,
                   f.approximation, f.is_range, f.range_low, f.range_high, f.direction,
                   f.decimals
            from raw.figure_mentions as f join raw.articles as a using (article_id)
            order by f.sentence_id, f.span_start""").fetchall()
    finally:
        con.close()
    for url, *columns in rows:
        match = _PAGE_INDEX.search(url or "")
        if match:
            by_index.setdefault(int(match.group(1)), []).append(Figure(*columns))
    return by_index


def report(score: Score, misses: int = 40, title: str = "figure parsing on NewsQuant dev",
           ) -> str:
    """A plain-text table of the scores followed by the misses."""
    lines = [
        title,
        f"  gold quantities      {score.gold:6d}",
        f"  predicted figures    {score.predicted:6d}",
        f"  matched (by value)   {score.matched:6d}",
        f"  value precision      {score.precision:6.3f}",
        f"  value recall         {score.recall:6.3f}",
        f"  value F1             {score.f1:6.3f}   <- value accuracy (floor "
        f"{VALUE_ACCURACY_FLOOR})",
        f"  unit accuracy        {score.unit_accuracy:6.3f}   (matched pairs; floor "
        f"{UNIT_ACCURACY_FLOOR})",
        f"  change accuracy      {score.change_accuracy:6.3f}   (matched pairs)",
        f"  verdict              {'PASS' if score.passes else 'FAIL'}",
    ]
    for title, items in (
        ("missed gold quantities", score.missed),
        ("unit mismatches", score.unit_wrong),
        ("spurious figures", score.spurious),
    ):
        lines.append(f"\n{title} ({len(items)}):")
        lines.extend(f"  - {item[:200]}" for item in items[:misses])
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    """CLI entry: print the report; return 1 when a floor is not met (2: no data)."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--dataset", type=Path, default=default_dataset())
    parser.add_argument("--misses", type=int, default=40, help="misses listed per kind")
    parser.add_argument("--part", choices=(*PARTS, "all"), default="all",
                        help="score one part only (default: both, side by side)")
    parser.add_argument("--through-warehouse", type=Path, metavar="DB",
                        help="score the figures a built warehouse stored for the sentence "
                             "pages (see --write-pages) instead of the parser")
    parser.add_argument("--write-pages", type=Path, metavar="FOLDER",
                        help="write one HTML page per sentence into FOLDER and exit")
    args = parser.parse_args(argv)
    if not args.dataset.exists():
        print(f"no evaluation data at {args.dataset}", file=sys.stderr)
        return 2
    records = json.loads(args.dataset.read_text(encoding="utf-8"))
    if args.write_pages:
        pages = write_sentence_pages(records, args.write_pages)
        print(f"{len(pages)} pages in {args.write_pages}: make run CORPUS={args.write_pages}, "
              "then --through-warehouse <its warehouse>/claimledger.duckdb")
        return 0
    predict = None
    how = "parser"
    if args.through_warehouse:
        stored = warehouse_figures(args.through_warehouse)
        predict = lambda index, _text: stored.get(index, [])  # noqa: E731
        how = f"through the warehouse {args.through_warehouse}"
    scores = score_parts(records, predict)
    print(summary_table(scores, how))
    for part in PARTS if args.part == "all" else (args.part,):
        print()
        print(report(scores[part], args.misses, f"{part} part ({how})"))
    return 0 if scores["held_out"].passes else 1


def score_parts(records: list[dict],
                predict: Callable[[int, str], list[Figure]] | None = None) -> dict[str, Score]:
    """{part: Score} for the tuning and held-out parts (split_of), records keeping their
    indices so a warehouse lookup by index still finds them."""
    scores = {}
    for part in PARTS:
        indexed = [(i, r) for i, r in enumerate(records) if split_of(r["text"]) == part]
        chosen = {i for i, _ in indexed}
        scores[part] = evaluate(
            [r if i in chosen else {"text": r["text"], "quantities": []}
             for i, r in enumerate(records)] if predict else [r for _, r in indexed],
            _only(predict, chosen) if predict else None)
    return scores


def _only(predict: Callable[[int, str], list[Figure]],
          chosen: set[int]) -> Callable[[int, str], list[Figure]]:
    return lambda index, text: predict(index, text) if index in chosen else []


def summary_table(scores: dict[str, Score], how: str) -> str:
    """Tuning and held-out side by side: the figures that say whether rules generalise."""
    rows = [("gold quantities", "gold", "d"), ("predicted", "predicted", "d"),
            ("value precision", "precision", ".3f"), ("value recall", "recall", ".3f"),
            ("value F1", "f1", ".3f"), ("unit accuracy", "unit_accuracy", ".3f"),
            ("change accuracy", "change_accuracy", ".3f")]
    lines = [f"NewsQuant dev, {how}", f"  {'':28}{'tuning':>10}{'held out':>10}"]
    for label, attribute, fmt in rows:
        values = [format(getattr(scores[p], attribute), fmt) for p in PARTS]
        lines.append(f"  {label:28}{values[0]:>10}{values[1]:>10}")
    return "\n".join(lines)


if __name__ == "__main__":
    sys.exit(main())
