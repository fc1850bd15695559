"""The DAG's writing tasks as functions, for fault tests that skip Airflow.

`run_pipeline` calls the same stage functions, in the same order, that news_daily's tasks
call (discover_pages → fetch_pages → extract_articles → clean_paragraphs → find_figures →
load_warehouse), then releases the run lease as summarize_run does (even after a
failure). `run_after_load` does the same for the run-level tasks (build_marts →
check_quality → publish_warehouse). Run as `python -m tests.faults.pipeline <date>
<run_id> [after-load]` either runs in a fresh process, which CLAIMLEDGER_FAULT can
SIGKILL at any named point.
"""

from __future__ import annotations

import sys

from transforms.kernel.settings import Settings
from transforms.pipeline import runs
from transforms.pipeline.stages import (
    clean_batch,
    extract_batch,
    fetch_batch,
    figures_batch,
    load_batches,
    plan_batches,
)
from transforms.warehouse.run_lock import release_run


def run_pipeline(settings: Settings, ingest_date: str, run_id: str) -> dict:
    """Every writing stage of one run, in DAG order; returns load_batches' report."""
    try:
        batches = plan_batches(settings, ingest_date, run_id)
        for batch in batches:
            fetch_batch(settings, batch, ingest_date)
        for stage in (extract_batch, clean_batch, figures_batch):
            for batch in batches:
                stage(batch)
        return load_batches(settings, ingest_date, run_id, batches)
    finally:  # summarize_run runs whatever failed (trigger_rule all_done) and releases
        release_run(settings, run_id)


def run_after_load(settings: Settings, ingest_date: str, run_id: str) -> str:
    """build_marts, check_quality and publish_warehouse of one run; the served file."""
    try:
        runs.build_marts(settings, run_id, ingest_date)
        runs.check_quality(settings, run_id, ingest_date)
        return runs.publish_run(settings, run_id, ingest_date)
    finally:
        release_run(settings, run_id)


if __name__ == "__main__":
    if sys.argv[3:] == ["after-load"]:
        print(run_after_load(Settings.from_env(), sys.argv[1], sys.argv[2]))
    else:
        report = run_pipeline(Settings.from_env(), sys.argv[1], sys.argv[2])
        print(report["articles_loaded"])
