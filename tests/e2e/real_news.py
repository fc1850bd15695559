"""Real news corpora for DAG tests, built from ../shared/eval at test time (never copied
into the repository): the pages as HTML files in a temporary folder."""

from __future__ import annotations

import gzip
import json
from pathlib import Path

import pytest

from bench.corpus import eval_dir
from claimledger.eval_figures import write_sentence_pages


def require_eval(*parts: str) -> Path:
    """The shared evaluation folder `parts`, or skip with the reason."""
    path = eval_dir().joinpath(*parts)
    if not path.exists():
        pytest.skip(f"needs the shared evaluation data at {path} (../shared/eval)")
    return path


def extraction_pages(target: Path, dataset: str, every: int = 1) -> list[Path]:
    """Every `every`-th page of an extraction set (article-extraction-benchmark or
    trafilatura-eval), ungzipped into `target` as <name>.html."""
    folder = require_eval(dataset, "html")
    target.mkdir(parents=True, exist_ok=True)
    written = []
    for path in sorted(folder.glob("*.gz"))[::every]:
        page = target / f"{dataset}-{path.name.split('.')[0]}.html"
        page.write_bytes(gzip.decompress(path.read_bytes()))
        written.append(page)
    return written


def newsquant_records() -> list[dict]:
    return json.loads(require_eval("newsquant-dev", "NewsQuant.dev.json").read_text("utf-8"))


def newsquant_pages(target: Path) -> list[Path]:
    """One page per NewsQuant dev sentence (claimledger.eval_figures.write_sentence_pages)."""
    return write_sentence_pages(newsquant_records(), target)
