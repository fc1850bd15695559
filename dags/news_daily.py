"""news_daily: fetch → extract → clean → figures → load → dbt → checks → publish.

Wiring only: every task imports its function from `transforms` inside its body,
calls it and returns something small. Parallel stages are mapped over batch
folders of Parquet files; every task that writes DuckDB uses the one-slot
`duckdb_writer` pool, since DuckDB allows a single writer.
"""

from __future__ import annotations

import os
from datetime import timedelta

import pendulum
from airflow.sdk import dag, get_current_context, task

WRITER_POOL = "duckdb_writer"
# Retries are for transient faults in production; tests and `make run` set 0 so a real
# error surfaces at once instead of after the back-off.
RETRIES = int(os.environ.get("CLAIMLEDGER_TASK_RETRIES", "2"))
# The setting Settings.task_timeout_minutes documents, read here from the environment
# because a DAG file must parse without importing transforms.
TASK_TIMEOUT = timedelta(minutes=float(os.environ.get("CLAIMLEDGER_TASK_TIMEOUT_MINUTES",
                                                      "120")))

DOC_MD = """
### news_daily
Ingests the configured sources (`config/sources.yml`, or `CLAIMLEDGER_CORPUS`) for the
run's logical date, which is the ingest partition: rerunning a day replaces exactly that
day's rows. Parallel stages (fetch, extract, clean, figures) are mapped over batches and
hand Parquet files to the single DuckDB writer (`load_warehouse`, pool `duckdb_writer`).
`build_marts` runs one `dbt build`; `check_quality` runs the Great Expectations suites;
an `error` result stops `publish_warehouse`, so readers keep the last good warehouse.
`publish_warehouse` (transforms/publish/versions.py) writes the dbt docs page, copies the checked
build to a new version, exports its marts to Parquet and swaps the served files.
`summarize_run` always runs and writes the HTML reports; `mark_run_failed` then fails
the run when any task failed (it is skipped otherwise).
"""


def _partition() -> tuple[str, str]:
    """(ingest_date, run_id) of the running DAG run."""
    from transforms.pipeline.runs import partition_of

    context = get_current_context()
    return partition_of(context.get("logical_date"), context["dag_run"].run_after), \
        context["run_id"]


def _owner():
    """Who holds the warehouse's run lease for this run (transforms/warehouse/run_lock.py)."""
    from transforms.pipeline.runs import run_owner

    return run_owner(get_current_context())


def _settings():
    from transforms.kernel.settings import Settings

    return Settings.from_env()


@dag(
    dag_id="news_daily",
    schedule="@daily",
    start_date=pendulum.datetime(2026, 1, 1, tz="UTC"),
    catchup=False,
    max_active_runs=1,
    tags=["claimledger", "news"],
    doc_md=DOC_MD,
    default_args={
        "owner": "claimledger",
        "retries": RETRIES,
        "execution_timeout": TASK_TIMEOUT,
        "retry_delay": timedelta(seconds=30),
        "retry_exponential_backoff": 2.0,
        "max_retry_delay": timedelta(minutes=10),
    },
)
def news_daily():
    @task
    def discover_pages() -> list[str]:
        from transforms.pipeline.stages import plan_batches

        ingest_date, run_id = _partition()
        return plan_batches(_settings(), ingest_date, run_id, _owner())

    @task
    def fetch_pages(batch_dir: str) -> str:
        from transforms.pipeline.stages import fetch_batch

        ingest_date, _ = _partition()
        fetch_batch(_settings(), batch_dir, ingest_date)
        return batch_dir

    @task
    def extract_articles(batch_dir: str) -> str:
        from transforms.pipeline.stages import extract_batch

        extract_batch(batch_dir)
        return batch_dir

    @task
    def clean_paragraphs(batch_dir: str) -> str:
        from transforms.pipeline.stages import clean_batch

        clean_batch(batch_dir)
        return batch_dir

    @task
    def find_figures(batch_dir: str) -> str:
        from transforms.pipeline.stages import figures_batch

        figures_batch(batch_dir)
        return batch_dir

    @task(pool=WRITER_POOL)
    def load_warehouse(batch_dirs: list[str]) -> dict:
        from transforms.pipeline.stages import load_batches

        ingest_date, run_id = _partition()
        return load_batches(_settings(), ingest_date, run_id, list(batch_dirs), _owner())

    @task(pool=WRITER_POOL, retries=0)
    def build_marts() -> dict:
        from transforms.pipeline.runs import build_marts as run_build

        ingest_date, run_id = _partition()
        return run_build(_settings(), run_id, ingest_date, _owner())

    @task(pool=WRITER_POOL, retries=0)
    def check_quality() -> dict:
        from transforms.pipeline.runs import check_quality as run_checks

        ingest_date, run_id = _partition()
        return run_checks(_settings(), run_id, ingest_date, _owner())

    @task(pool=WRITER_POOL)
    def publish_warehouse() -> str:
        from transforms.pipeline.runs import publish_run

        ingest_date, run_id = _partition()
        return publish_run(_settings(), run_id, ingest_date, _owner())

    @task(trigger_rule="all_done", retries=0)
    def summarize_run() -> str:
        from transforms.pipeline.runs import summarize
        from transforms.warehouse.run_lock import release_run

        ingest_date, run_id = _partition()
        try:
            return summarize(_settings(), run_id, ingest_date)
        finally:
            release_run(_settings(), run_id)  # only this run's lease, never another's

    @task(trigger_rule="one_failed", retries=0)
    def mark_run_failed() -> None:
        raise RuntimeError("a task of this run failed (see its log); when the quality gate "
                           "stopped it, nothing was published")

    batches = discover_pages()
    fetched = fetch_pages.expand(batch_dir=batches)
    extracted = extract_articles.expand(batch_dir=fetched)
    cleaned = clean_paragraphs.expand(batch_dir=extracted)
    figured = find_figures.expand(batch_dir=cleaned)
    loaded = load_warehouse(figured)
    published = publish_warehouse()
    built, checked, summary = build_marts(), check_quality(), summarize_run()
    loaded >> built >> checked >> published >> summary
    # summarize_run (all_done) is a leaf that succeeds whatever happened; this leaf
    # fails the run when any task failed, so a quality-gate stop is a failed run
    [loaded, built, checked, published, summary] >> mark_run_failed()


news_daily()
