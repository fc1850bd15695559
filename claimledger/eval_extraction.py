"""Score extraction against the public benchmarks: `python -m claimledger.eval_extraction`.

Systems compared on the same pages:
- trafilatura_bare: trafilatura.extract(html) with its defaults (comments kept, ...);
- trafilatura_ours: transforms.extract.page.extract_page's raw_text (rules/extraction.yml);
- claimledger: extract_page, then transforms.clean.paragraphs (kept, repaired paragraphs joined).

Benchmarks, read from ../shared/eval next to the repository (env CLAIMLEDGER_EVAL_DIR):
- article-extraction-benchmark: 4-token \\w+ shingles with counts against the human-checked
  article body; precision and recall per page, averaged; F1 from the two averages.
- trafilatura-eval: snippets that must be in the text ("with") and must not ("without"),
  pooled over all pages: precision = TP / (TP + FP), recall = TP / (TP + FN).
Pages are processed by a multiprocessing pool of 2 workers; results are per page, so the
scores do not depend on the order pages are processed in.
"""

from __future__ import annotations

import argparse
import gzip
import json
import multiprocessing
import os
import re
import sys
import time
from collections import Counter
from pathlib import Path

import polars as pl
import trafilatura

from claimledger.scores import f1, squash_space
from transforms.clean.articles import split_paragraphs
from transforms.clean.metrics import article_noise_metrics
from transforms.clean.paragraphs import with_paragraph_decisions
from transforms.extract.page import ExtractionError, extract_page

REPO_DIR = Path(__file__).resolve().parent.parent
SYSTEMS = ("trafilatura_bare", "trafilatura_ours", "claimledger")
_TOKEN = re.compile(r"\w+")



def _pool(workers: int):
    """A worker pool that never forks a process holding polars' or DuckDB's threads.

    fork() after those libraries started their thread pools can deadlock the child,
    as it did inside pytest; forkserver starts workers from a clean process.
    """
    return multiprocessing.get_context("forkserver").Pool(workers)

def eval_dir() -> Path:
    """The shared evaluation folder (CLAIMLEDGER_EVAL_DIR, else ../shared/eval)."""
    return Path(os.environ.get("CLAIMLEDGER_EVAL_DIR", REPO_DIR.parent / "shared" / "eval"))


def system_outputs(html: str, url: str) -> dict[str, str]:
    """The text each system extracts from one page ("" when it finds nothing)."""
    bare = trafilatura.extract(html) or ""
    try:
        page = extract_page(html, url)
    except ExtractionError:
        return {"trafilatura_bare": bare, "trafilatura_ours": "", "claimledger": ""}
    # Production's splitter (transforms/clean/articles.py), so the score measures the
    # paragraphs the pipeline decides.
    paragraphs = split_paragraphs(
        pl.DataFrame({"article_id": ["a"], "raw_text": [page["raw_text"]]}))
    articles = pl.DataFrame(
        [
            {key: page[key] for key in ("language", "title", "author", "site_name")}
            | {"article_id": "a"}
        ],
        schema={
            "article_id": pl.String,
            "language": pl.String,
            "title": pl.String,
            "author": pl.String,
            "site_name": pl.String,
        },
    )
    metrics = article_noise_metrics(with_paragraph_decisions(paragraphs, articles))
    return {
        "trafilatura_bare": bare,
        "trafilatura_ours": page["raw_text"],
        "claimledger": metrics["clean_text"][0],
    }


def _shingles(text: str, size: int = 4) -> Counter:
    tokens = _TOKEN.findall(text or "")
    return Counter(tuple(tokens[i : i + size]) for i in range(len(tokens) - size + 1))


def shingle_scores(truth: str, prediction: str) -> tuple[float, float]:
    """(precision, recall) of one page by 4-token shingles with counts."""
    true, pred = _shingles(truth), _shingles(prediction)
    tp = sum((true & pred).values())
    fp = sum((pred - true).values())
    fn = sum((true - pred).values())
    precision = tp / (tp + fp) if tp + fp else (1.0 if not true else 0.0)
    recall = tp / (tp + fn) if tp + fn else 1.0
    return precision, recall


def _read_gz(path: Path) -> str:
    return gzip.decompress(path.read_bytes()).decode("utf-8", errors="replace")


def _aeb_page(task: tuple[str, str, str, str]) -> dict[str, tuple[float, float]]:
    _page_id, path, url, truth = task
    outputs = system_outputs(_read_gz(Path(path)), url)
    return {system: shingle_scores(truth, outputs[system]) for system in SYSTEMS}


def _tev_page(task: tuple[str, str, list[str], list[str]]) -> dict[str, tuple[int, int, int]]:
    path, url, with_snippets, without_snippets = task
    outputs = system_outputs(_read_gz(Path(path)), url)
    counts = {}
    for system in SYSTEMS:
        text = squash_space(outputs[system])
        tp = sum(1 for snippet in with_snippets if squash_space(snippet) in text)
        fp = sum(1 for snippet in without_snippets if squash_space(snippet) in text)
        counts[system] = (tp, fp, len(with_snippets) - tp)
    return counts


def evaluate_article_benchmark(workers: int = 2, limit: int | None = None) -> dict[str, dict]:
    """Per-system precision, recall, F1 (and page count) on article-extraction-benchmark."""
    folder = eval_dir() / "article-extraction-benchmark"
    truth = json.loads((folder / "ground-truth.json").read_text(encoding="utf-8"))
    tasks = [
        (page_id, str(folder / "html" / f"{page_id}.html.gz"), item["url"], item["articleBody"])
        for page_id, item in sorted(truth.items())
    ][:limit]
    with _pool(workers) as pool:
        pages = pool.map(_aeb_page, tasks, chunksize=4)
    results = {}
    for system in SYSTEMS:
        precision = sum(page[system][0] for page in pages) / len(pages)
        recall = sum(page[system][1] for page in pages) / len(pages)
        results[system] = {
            "precision": precision,
            "recall": recall,
            "f1": f1(precision, recall),
            "pages": len(pages),
        }
    return results


def evaluate_trafilatura_eval(workers: int = 2, limit: int | None = None) -> dict[str, dict]:
    """Per-system snippet precision, recall, F1 (and page count) on trafilatura-eval."""
    folder = eval_dir() / "trafilatura-eval"
    data = json.loads((folder / "evaldata.json").read_text(encoding="utf-8"))
    tasks = []
    for url, item in sorted(data.items()):
        path = folder / "html" / f"{item['file']}.gz"
        if path.exists():
            tasks.append((str(path), url, item.get("with", []), item.get("without", [])))
    tasks = tasks[:limit]
    with _pool(workers) as pool:
        pages = pool.map(_tev_page, tasks, chunksize=8)
    results = {}
    for system in SYSTEMS:
        tp = sum(page[system][0] for page in pages)
        fp = sum(page[system][1] for page in pages)
        fn = sum(page[system][2] for page in pages)
        precision = tp / (tp + fp) if tp + fp else 0.0
        recall = tp / (tp + fn) if tp + fn else 0.0
        results[system] = {
            "precision": precision,
            "recall": recall,
            "f1": f1(precision, recall),
            "pages": len(pages),
        }
    return results


def _print_table(name: str, results: dict[str, dict], seconds: float) -> None:
    print(f"\n{name} ({next(iter(results.values()))['pages']} pages, {seconds:.0f} s)")
    print(f"{'system':<18} {'precision':>9} {'recall':>9} {'f1':>9}")
    for system, scores in results.items():
        print(
            f"{system:<18} {scores['precision']:>9.4f} {scores['recall']:>9.4f} "
            f"{scores['f1']:>9.4f}"
        )


def main(argv: list[str] | None = None) -> int:
    """Print the tables; exit 1 when claimledger misses the acceptance gate on the benchmark
    (F1 at least bare trafilatura's and precision strictly higher)."""
    parser = argparse.ArgumentParser(prog="python -m claimledger.eval_extraction")
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--limit", type=int, default=None, help="first N pages only (debug)")
    parser.add_argument("--skip-trafilatura-eval", action="store_true")
    parser.add_argument("--json", type=Path, help="also write the scores to this JSON file")
    args = parser.parse_args(argv)

    all_results = {}
    started = time.monotonic()
    aeb = evaluate_article_benchmark(args.workers, args.limit)
    _print_table("article-extraction-benchmark", aeb, time.monotonic() - started)
    all_results["article-extraction-benchmark"] = aeb
    if not args.skip_trafilatura_eval:
        started = time.monotonic()
        tev = evaluate_trafilatura_eval(args.workers, args.limit)
        _print_table("trafilatura-eval", tev, time.monotonic() - started)
        all_results["trafilatura-eval"] = tev
    if args.json:
        args.json.parent.mkdir(parents=True, exist_ok=True)
        args.json.write_text(json.dumps(all_results, indent=2), encoding="utf-8")

    ours, bare = aeb["claimledger"], aeb["trafilatura_bare"]
    passed = ours["f1"] >= bare["f1"] and ours["precision"] > bare["precision"]
    print(f"\nacceptance (F1 >= bare and precision > bare): {'PASS' if passed else 'FAIL'}")
    return 0 if passed else 1


if __name__ == "__main__":
    sys.exit(main())
