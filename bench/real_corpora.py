"""The three shared real corpora as folders of HTML pages, for `make run CORPUS=<folder>`.

    python -m bench.real_corpora /tmp/real
    make run CORPUS=/tmp/real/article-extraction-benchmark   # 121 news pages
    make run CORPUS=/tmp/real/trafilatura-eval               # 652 web pages
    make run CORPUS=/tmp/real/newsquant-dev                  # 390 sentences, one per page

The pages are read from ../shared/eval (or CLAIMLEDGER_EVAL_DIR) and written only where
the caller says, never into the repository (the NewsQuant sentences may not be shipped).
"""

from __future__ import annotations

import argparse
import gzip
import json
from pathlib import Path

from bench.corpus import eval_dir
from claimledger.eval_figures import write_sentence_pages

EXTRACTION_SETS = ("article-extraction-benchmark", "trafilatura-eval")
NEWSQUANT = ("newsquant-dev", "NewsQuant.dev.json")


def extraction_pages(target: Path, dataset: str, every: int = 1,
                     source: Path | None = None) -> list[Path]:
    """Every `every`-th page of an extraction set, ungzipped into `target` as
    <dataset>-<file name without .gz>, ending in .html. Names keep their dots: many
    trafilatura-eval files differ only after the first one ("1337kultur.de.picard")."""
    folder = (source or eval_dir()) / dataset / "html"
    target.mkdir(parents=True, exist_ok=True)
    written = []
    for path in sorted(folder.glob("*.gz"))[::every]:
        name = path.name.removesuffix(".gz").removesuffix(".html")
        page = target / f"{dataset}-{name}.html"
        page.write_bytes(gzip.decompress(path.read_bytes()))
        written.append(page)
    return written


def newsquant_records(source: Path | None = None) -> list[dict]:
    return json.loads((source or eval_dir()).joinpath(*NEWSQUANT).read_text("utf-8"))


def newsquant_pages(target: Path, source: Path | None = None) -> list[Path]:
    """One page per NewsQuant dev sentence (claimledger.eval_figures.write_sentence_pages)."""
    return write_sentence_pages(newsquant_records(source), target)


def write_all(root: Path, source: Path | None = None) -> dict[str, int]:
    """{folder name: pages written} for the three corpora under `root`."""
    counts = {dataset: len(extraction_pages(root / dataset, dataset, source=source))
              for dataset in EXTRACTION_SETS}
    counts[NEWSQUANT[0]] = len(newsquant_pages(root / NEWSQUANT[0], source))
    return counts


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("root", type=Path, help="folder to write the three corpora into")
    args = parser.parse_args(argv)
    if not eval_dir().exists():
        parser.error(f"no shared evaluation data at {eval_dir()} (set CLAIMLEDGER_EVAL_DIR)")
    for name, count in write_all(args.root).items():
        print(f"{count:5d} pages  {args.root / name}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
