"""Warehouses built in-process for the quality tests, and corpora with planted errors.

`build_warehouse` runs the pipeline's own stage functions (transforms.pipeline.stages) and
the marts step of transforms.pipeline.runs (one `dbt build`, its results written to
audit.quality_results) over a folder of HTML pages, without Airflow: ~15 s for the
five bundled pages. `planted_corpus` copies the bundled corpus and edits the text
of its pages, so every planted error sits in a real page with its real chrome.
"""

from __future__ import annotations

import shutil
from pathlib import Path

from tests.conftest import REPO, SAMPLE_CORPUS
from transforms.kernel.settings import Settings

INGEST_DATE = "2026-03-02"
RUN_ID = "quality-test-run"

# The bundled corpus by seed number (file name prefix) and source.
SEED_SOURCES = {
    "000": "eurasia_monitor",
    "001": "global_affairs_wire",
    "002": "eastwatch_notes",
    "003": "frontline_dispatch",
    "004": "geopolitique_review",
}

# The planted errors: (seed page, text as published, text planted). Every
# occurrence in the page is replaced, repeated paragraphs included.
PLANTED_ERRORS = {
    # a 2024 level no other source states: 254 instead of 245 billion
    "level_2024": ("000", "$245 billion", "$254 billion"),
    # 2024's value given for 2023 (the article said $240 billion)
    "level_for_wrong_year": ("004", "$240 billion", "$245 billion"),
    # a growth rate ten times too large
    "growth_2024": ("001", "1.9%", "19%"),
    # a level 30% above China's customs figure for 2022 (190.27 billion)
    "off_reference_2022": ("002", "190,000 million dollars", "247,000 million dollars"),
}


def seed_page(corpus: Path, seed: str) -> Path:
    """The HTML file of a seed ('000'..'004') in a copy of the bundled corpus."""
    return next(corpus.glob(f"{seed}_*.html"))


def copy_corpus(target: Path) -> Path:
    """A copy of corpus/sample (pages and manifest.csv) at `target`."""
    shutil.copytree(SAMPLE_CORPUS, target)
    return target


def edit_page(corpus: Path, seed: str, published: str, planted: str) -> int:
    """Replace every `published` string of a seed page with `planted`; return how many."""
    page = seed_page(corpus, seed)
    html = page.read_text(encoding="utf-8")
    count = html.count(published)
    if not count:
        raise ValueError(f"{published!r} is not in {page.name}")
    page.write_text(html.replace(published, planted), encoding="utf-8")
    return count


def planted_corpus(target: Path, errors: dict | None = None) -> Path:
    """The bundled corpus with PLANTED_ERRORS (or `errors`) edited into its pages."""
    copy_corpus(target)
    for seed, published, planted in (errors or PLANTED_ERRORS).values():
        edit_page(target, seed, published, planted)
    return target


def settings_for(corpus: Path, warehouse: Path) -> Settings:
    return Settings.from_env({
        "CLAIMLEDGER_HOME": str(REPO),
        "CLAIMLEDGER_WAREHOUSE_DIR": str(warehouse),
        "CLAIMLEDGER_CORPUS": str(corpus),
    })


def build_warehouse(corpus: Path, warehouse: Path, *, marts: bool = True) -> Settings:
    """Run discover → fetch → extract → clean → figures → load → marts in-process.

    Returns the run's settings; the build database is settings.build_db, its
    audit.quality_results holds the dbt test results. Raises QualityGateError when an
    error-severity dbt test fails (as the DAG's build_marts does). marts=False stops after
    the load, so a test can alter raw rows before the first build reads them.
    """
    from transforms.pipeline import runs, stages

    settings = settings_for(corpus, warehouse)
    batches = stages.plan_batches(settings, INGEST_DATE)
    for batch in batches:
        stages.fetch_batch(settings, batch, INGEST_DATE)
        stages.extract_batch(batch)
        stages.clean_batch(batch)
        stages.figures_batch(batch)
    stages.load_batches(settings, INGEST_DATE, RUN_ID, batches)
    if marts:
        runs.build_marts(settings, RUN_ID, INGEST_DATE)
    return settings


def article_ids_by_seed(db: Path) -> dict[str, str]:
    """{'000': article_id, ...} from the sources of the bundled corpus."""
    import duckdb

    con = duckdb.connect(str(db), read_only=True)
    try:
        rows = dict(con.execute("select source_name, article_id from raw.articles").fetchall())
    finally:
        con.close()
    return {seed: rows[source] for seed, source in SEED_SOURCES.items() if source in rows}
