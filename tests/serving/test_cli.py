"""The `claimledger` command's parsing of Airflow's task lines (its progress output)."""

from __future__ import annotations

import pytest

from claimledger.cli import TASK_LINE


@pytest.mark.parametrize(("line", "expected"), [
    ("2026-11-24T05:15:14Z [info ] [DAG TEST] starting task_id=discover_pages map_index=-1 "
     "[airflow.sdk.definitions.dag] loc=dag.py:1501", ("starting", "discover_pages", "-1")),
    ("2026-11-24T05:15:21Z [info ] [DAG TEST] end task task_id=fetch_pages map_index=0 "
     "[airflow.sdk.definitions.dag] loc=dag.py:1563", ("end", "fetch_pages", "0")),
    ("[DAG TEST] running task <TaskInstance: news_daily.fetch_pages map_index=0>", None),
])
def test_progress_reads_airflow_task_start_and_end_lines(line, expected):
    match = TASK_LINE.search(line)
    assert (match.groups() if match else None) == expected
