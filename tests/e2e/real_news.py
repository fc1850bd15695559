"""Real news corpora for DAG tests, built from ../shared/eval at test time (never copied
into the repository): the pages as HTML files in a temporary folder, or a skip saying
which shared data is missing."""

from __future__ import annotations

from pathlib import Path

import pytest

from bench import real_corpora
from bench.corpus import eval_dir


def require_eval(*parts: str) -> Path:
    """The shared evaluation folder `parts`, or skip with the reason."""
    path = eval_dir().joinpath(*parts)
    if not path.exists():
        pytest.skip(f"needs the shared evaluation data at {path} (../shared/eval)")
    return path


def extraction_pages(target: Path, dataset: str, every: int = 1) -> list[Path]:
    require_eval(dataset, "html")
    return real_corpora.extraction_pages(target, dataset, every)


def newsquant_records() -> list[dict]:
    require_eval(*real_corpora.NEWSQUANT)
    return real_corpora.newsquant_records()


def newsquant_pages(target: Path) -> list[Path]:
    require_eval(*real_corpora.NEWSQUANT)
    return real_corpora.newsquant_pages(target)
