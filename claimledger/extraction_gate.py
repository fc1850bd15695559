"""The committed extraction gate: `python -m claimledger.extraction_gate [--update-baseline]`.

Pages: tests/data/extraction_gate/pages/ (written for this repository; how, and how to
change them, in tests/data/extraction_gate/SOURCES.md). Beside each <page>.html:
<page>.txt, its article text, one unit a line (a paragraph, a subheading, a list item, a
quotation, a table row as "cell | cell"), and <page>.boilerplate.txt, text of the page that is
not the article (navigation, bylines, dates, captions, teasers, comments, banners, footers).

Systems, as in `make eval-extraction` (claimledger.eval_extraction.system_outputs):
trafilatura_ours is extract_page's raw_text; claimledger is what the production paragraph
splitter (transforms.clean.articles.split_paragraphs) and the paragraph decisions keep;
trafilatura_bare (trafilatura.extract with its defaults) is measured for reference only.

Scoring: trafilatura's snippet method, pooled over all pages. An article unit found inside
one output line (whitespace collapsed) is a true positive, else a false negative; a
boilerplate snippet found anywhere in the output is a false positive.
precision = TP / (TP + FP), recall = TP / (TP + FN).

The floors are tests/data/extraction_gate/baseline.json. The gate fails when a score of ours
is more than its `tolerance` under the floor, or when the pages are not the ones the floors
were measured on (corpus_sha256). `--update-baseline` re-pins the floors (and the digest)
from a fresh measurement; it refuses to lower a floor unless `--allow-regression` is given.
"""

from __future__ import annotations

import argparse
import csv
import hashlib
import json
import math
import os
import sys
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from claimledger.eval_extraction import system_outputs
from claimledger.scores import f1, squash_space
from transforms.extract.page import EXTRACTOR_VERSION

REPO_DIR = Path(__file__).resolve().parent.parent
GATE_DIR = REPO_DIR / "tests" / "data" / "extraction_gate"
BASELINE_PATH = GATE_DIR / "baseline.json"
GATED = ("trafilatura_ours", "claimledger")
REFERENCE = ("trafilatura_bare",)
METRICS = ("precision", "recall", "f1")


@dataclass(frozen=True)
class GatePage:
    """One saved page: its file name, URL, HTML, article units and boilerplate snippets."""

    file: str
    url: str
    html: str
    units: tuple[str, ...]
    boilerplate: tuple[str, ...]


def _lines(path: Path) -> tuple[str, ...]:
    return tuple(line for line in path.read_text(encoding="utf-8").splitlines() if line.strip())


def load_pages(gate_dir: Path = GATE_DIR) -> list[GatePage]:
    """The pages of manifest.csv (file, url, ...), in its order, with their expectations."""
    with (gate_dir / "manifest.csv").open(encoding="utf-8", newline="") as handle:
        rows = list(csv.DictReader(handle))
    pages = []
    for row in rows:
        html_path = gate_dir / "pages" / row["file"]
        stem = html_path.with_suffix("")
        pages.append(GatePage(
            file=row["file"], url=row["url"], html=html_path.read_text(encoding="utf-8"),
            units=_lines(stem.with_suffix(".txt")),
            boilerplate=_lines(stem.with_name(stem.name + ".boilerplate.txt"))))
    return pages


def corpus_digest(gate_dir: Path = GATE_DIR) -> str:
    """sha256 of the manifest and of every page and expectation file (names and bytes)."""
    digest = hashlib.sha256((gate_dir / "manifest.csv").read_bytes())
    for path in sorted((gate_dir / "pages").iterdir()):
        digest.update(path.name.encode())
        digest.update(path.read_bytes())
    return digest.hexdigest()


def missed_and_leaked(page: GatePage, output: str) -> tuple[list[str], list[str]]:
    """(article units not found in one output line, boilerplate snippets found in the output)
    of one system's text of one page."""
    lines = [squash_space(line) for line in (output or "").split("\n")]
    whole = squash_space(output)
    missed = [unit for unit in page.units if not any(squash_space(unit) in line for line in lines)]
    leaked = [snippet for snippet in page.boilerplate if squash_space(snippet) in whole]
    return missed, leaked


def page_counts(page: GatePage, output: str) -> tuple[int, int, int]:
    """(true positives, false positives, false negatives) of one system's text of one page."""
    missed, leaked = missed_and_leaked(page, output)
    return len(page.units) - len(missed), len(leaked), len(missed)


def _rates(tp: int, fp: int, fn: int) -> dict[str, float | int]:
    precision = tp / (tp + fp) if tp + fp else 0.0
    recall = tp / (tp + fn) if tp + fn else 0.0
    return {"precision": precision, "recall": recall, "f1": f1(precision, recall),
            "tp": tp, "fp": fp, "fn": fn}


def score_pages(
    pages: list[GatePage],
    outputs_of: Callable[[str, str], dict[str, str]] = system_outputs,
) -> dict[str, dict[str, float | int]]:
    """{system: precision, recall, f1 and the pooled tp/fp/fn} over the pages.

    outputs_of(html, url) -> {system: text}; the production one by default (a test passes
    its own to show that the gate catches a regression)."""
    totals = {system: [0, 0, 0] for system in (*GATED, *REFERENCE)}
    for page in pages:
        outputs = outputs_of(page.html, page.url)
        for system, counts in totals.items():
            for index, value in enumerate(page_counts(page, outputs[system])):
                counts[index] += value
    return {system: _rates(*counts) for system, counts in totals.items()}


def load_baseline(path: Path = BASELINE_PATH) -> dict:
    return json.loads(path.read_text(encoding="utf-8"))


def below_floor(scores: dict[str, dict], baseline: dict) -> list[str]:
    """One line per gated score more than the tolerance under its floor (empty: passed)."""
    tolerance = baseline["tolerance"]
    return [
        f"{system} {metric} {scores[system][metric]:.4f} < floor {floor:.4f} - {tolerance}"
        for system, floors in baseline["floors"].items()
        for metric, floor in floors.items()
        if scores[system][metric] < floor - tolerance
    ]


def _rounded(scores: dict[str, dict], systems: tuple[str, ...]) -> dict[str, dict]:
    # Rounded down, so that a floor is never above the score it was pinned from.
    return {s: {m: math.floor(scores[s][m] * 10_000) / 10_000 for m in METRICS}
            for s in systems}


def lowered_floors(scores: dict[str, dict], baseline: dict) -> list[str]:
    """One line per pinned floor that re-pinning these scores would lower, by any amount
    (re-pins within the tolerance would otherwise let a floor drift down unnoticed)."""
    new = _rounded(scores, GATED)
    return [f"{system} {metric}: {floor:.4f} -> {new[system][metric]:.4f}"
            for system, floors in baseline["floors"].items()
            for metric, floor in floors.items() if new[system][metric] < floor]


def pinned_baseline(scores: dict[str, dict], pages: list[GatePage], tolerance: float) -> dict:
    """The baseline.json content for these scores and pages."""
    return {
        "note": "Floors of the extraction gate (claimledger/extraction_gate.py); re-pin with "
                "`python -m claimledger.extraction_gate --update-baseline`, never by hand.",
        "tolerance": tolerance,
        "corpus_sha256": corpus_digest(),
        "pages": len(pages),
        "article_units": sum(len(p.units) for p in pages),
        "boilerplate_snippets": sum(len(p.boilerplate) for p in pages),
        "extractor_version": EXTRACTOR_VERSION,
        "floors": _rounded(scores, GATED),
        "reference": _rounded(scores, REFERENCE),
    }


def _write_atomically(path: Path, content: dict) -> None:
    tmp = path.with_suffix(".json.tmp")
    tmp.write_text(json.dumps(content, indent=2) + "\n", encoding="utf-8")
    os.replace(tmp, path)


def _print_table(scores: dict[str, dict], baseline: dict | None) -> None:
    print(f"{'system':<18} {'precision':>9} {'recall':>9} {'f1':>9}   tp   fp   fn   floor f1")
    for system, s in scores.items():
        floor = (baseline or {}).get("floors", {}).get(system, {}).get("f1")
        print(f"{system:<18} {s['precision']:>9.4f} {s['recall']:>9.4f} {s['f1']:>9.4f} "
              f"{s['tp']:>4} {s['fp']:>4} {s['fn']:>4}   {'' if floor is None else floor}")


def main(argv: list[str] | None = None) -> int:
    """Score the gate pages; exit 1 when a floor is missed (or, re-pinning, would be lowered)."""
    parser = argparse.ArgumentParser(prog="python -m claimledger.extraction_gate",
                                     description=__doc__.split("\n")[0])
    parser.add_argument("--update-baseline", action="store_true",
                        help="re-pin baseline.json's floors and corpus digest")
    parser.add_argument("--allow-regression", action="store_true",
                        help="with --update-baseline: accept floors lower than the pinned ones")
    parser.add_argument("--tolerance", type=float, default=None,
                        help="with --update-baseline: a new tolerance (default: keep it)")
    parser.add_argument("--show", choices=(*GATED, *REFERENCE),
                        help="also list, page by page, that system's missed and leaked text")
    args = parser.parse_args(argv)

    baseline = load_baseline() if BASELINE_PATH.exists() else None
    pages = load_pages()
    if args.show:
        for page in pages:
            missed, leaked = missed_and_leaked(page, system_outputs(page.html, page.url)[args.show])
            for kind, texts in (("missed", missed), ("leaked", leaked)):
                for text in texts:
                    print(f"{page.file}  {kind}: {text}")
    scores = score_pages(pages)
    _print_table(scores, baseline)
    missed = below_floor(scores, baseline) if baseline else []
    if args.update_baseline:
        lowered = lowered_floors(scores, baseline) if baseline else []
        if lowered and not args.allow_regression:
            print("refusing to lower a floor (fix the regression, or re-pin with "
                  "--allow-regression to accept it):\n" + "\n".join(lowered))
            return 1
        tolerance = args.tolerance if args.tolerance is not None else (
            baseline["tolerance"] if baseline else 0.005)
        _write_atomically(BASELINE_PATH, pinned_baseline(scores, pages, tolerance))
        print(f"pinned {BASELINE_PATH.relative_to(REPO_DIR)}")
        return 0
    if baseline is None:
        print("no baseline.json: pin one with --update-baseline")
        return 1
    if baseline["corpus_sha256"] != corpus_digest():
        missed.append("the pages differ from the ones the floors were measured on: re-pin")
    print("\n".join(missed) or "gate: PASS")
    return 1 if missed else 0


if __name__ == "__main__":
    sys.exit(main())
