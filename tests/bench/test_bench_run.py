"""The benchmark runs end to end at a tiny N: bare trafilatura, the real DAG, a 1%-new day.

Not a performance test (the numbers on a shared 2-core machine are noise at this size): it
proves `make bench` works, that the per-stage table is complete and that the DAG's batch
tasks really used the worker processes inside `airflow dags test`.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from bench.corpus import eval_dir
from bench.run import (
    QUALITY_GATE_TASKS,
    STAGES,
    failed_tasks,
    first_task_api_seconds,
    run_benchmark,
    stage_peaks,
    table,
    task_seconds,
)

PAGES = 20

LOG = """\
2026-06-01T10:00:00.000000Z [info ] [DAG TEST] starting task_id=fetch_pages map_index=0 [x]
2026-06-01T10:00:01.500000Z [info ] [DAG TEST] end task task_id=fetch_pages map_index=0 [x]
2026-06-01T10:00:02.000000Z [info ] [DAG TEST] starting task_id=fetch_pages map_index=1 [x]
2026-06-01T10:00:02.500000Z [info ] Task instance state updated new_state=failed
2026-06-01T10:00:03.000000Z [info ] [DAG TEST] end task task_id=fetch_pages map_index=1 [x]
"""


def test_task_seconds_sum_mapped_instances_and_gaps():
    seconds, instances, first, last, gaps = task_seconds(LOG)
    assert seconds == {"fetch_pages": pytest.approx(2.5)}
    assert instances == {"fetch_pages": 2}
    assert last - first == pytest.approx(3.0)
    assert gaps == pytest.approx(0.5)
    assert failed_tasks(LOG) == ["fetch_pages[1]"]


def test_the_first_tasks_wait_for_airflows_execution_api_is_measured_apart():
    log = LOG.replace("[x]\n2026-06-01T10:00:01.5", "[x]\n2026-06-01T10:00:00.800000Z "
                      "[info ] Task started [airflow.api_fastapi]\n2026-06-01T10:00:01.5", 1)
    assert first_task_api_seconds(log) == pytest.approx(0.8)
    assert first_task_api_seconds(LOG) == 0.0


def test_stage_peaks_take_the_largest_sample_inside_each_task():
    start = _stamp_of("2026-06-01T10:00:00.000000Z")
    samples = [(start - 1, 999), (start + 0.5, 10), (start + 1.4, 30), (start + 2.2, 20),
               (start + 2.9, 5)]
    # Before the first task (999) belongs to no stage; map indexes of one task share a peak.
    assert stage_peaks(LOG, samples) == {"fetch-from-disk": 30}


def _stamp_of(text: str) -> float:
    import datetime as dt

    return dt.datetime.fromisoformat(text.replace("Z", "+00:00")).timestamp()


@pytest.fixture(scope="module")
def result(tmp_path_factory) -> dict:
    if not (eval_dir() / "article-extraction-benchmark" / "html").is_dir():
        pytest.skip(f"evaluation pages not found under {eval_dir()} (CLAIMLEDGER_EVAL_DIR)")
    work = tmp_path_factory.mktemp("bench")
    return run_benchmark(PAGES, workers=2, keep=work, copies=0.1, warm_shares=(0.05,))


@pytest.mark.e2e
def test_both_sides_process_every_page(result):
    assert result["bare"]["pages"] == PAGES and result["bare"]["extracted"] > PAGES // 2
    full = result["full"]
    # Real pages may trip the quality gate (the run then exits 1): every stage still ran.
    assert full["exit_code"] == 0 or full["failed_tasks"]
    data_stages = [t for t in full["failed_tasks"]
                   if t.split("[")[0] not in QUALITY_GATE_TASKS]
    assert data_stages == [], Path(full["log"]).read_text()[-3000:]
    assert full["articles"] > PAGES // 2


@pytest.mark.e2e
def test_every_data_stage_is_timed_and_the_table_shows_the_ratio(result):
    full = result["full"]
    for stage in ("fetch-from-disk", "extract", "clean", "figures", "load", "dbt"):
        assert full["stage_seconds"][stage] > 0, stage
    assert set(full["stage_seconds"]) <= set(STAGES.values())
    assert 0 < result["throughput_ratio"] < 10
    assert full["peak_pss_bytes"] > 50 * 2**20
    # Stages of a few seconds are sampled (every 0.25 s); none exceeds the run's peak.
    assert {"extract", "load", "dbt"} <= set(full["stage_peak_pss_bytes"])
    assert max(full["stage_peak_pss_bytes"].values()) <= full["peak_pss_bytes"]
    text = table(result)
    assert "peak MiB" in text
    assert "throughput ratio claimledger / bare trafilatura" in text
    assert "1%-new run" in text


@pytest.mark.e2e
def test_a_warm_day_reads_yesterdays_pages_again_and_adds_only_the_new_one(result):
    [day] = result["warm"]
    assert (day["new_pages"], day["pages"]) == (1, PAGES + 1)
    assert not [t for t in day["failed_tasks"] if t.split("[")[0] not in QUALITY_GATE_TASKS]
    assert day["articles"] == result["full"]["articles"] + 1
    assert 0 < result["increment_fraction"] < 2
    log = Path(day["log"]).read_text()
    # yesterday's pages are unchanged (same URL, same bytes) and never reach the extractor
    assert "extract_staged_pages: 20 rows" not in log
    assert "warm daily run" in table(result)


@pytest.mark.e2e
def test_copies_in_the_corpus_are_not_extracted_twice(result):
    log = Path(result["full"]["log"]).read_text()
    assert re.search(r"extract: 20 pages, [1-9]\d* with the bytes of an earlier page", log)


@pytest.mark.e2e
def test_batch_tasks_ran_in_worker_processes_inside_dags_test(result):
    log = Path(result["full"]["log"]).read_text()
    # the extract stage's chunk function (its workers read their pages from the batch file)
    assert re.search(r"extract_staged_pages: 1\d rows in", log)
    assert "on 2 worker processes" in log
    assert "BrokenProcessPool" not in log
