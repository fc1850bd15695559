"""claimledger.progress: task lines drawn from Airflow's task instance states."""

from __future__ import annotations

import io
from datetime import UTC, datetime, timedelta

from rich.console import Console

from claimledger.airflow_state import RunState, TaskState
from claimledger.progress import LineView, LiveView, TaskGroup, view_for

T0 = datetime(2026, 3, 2, 10, 0, tzinfo=UTC)


def _ti(task_id: str, state: str | None, start: float | None = None, end: float | None = None,
        map_index: int = -1) -> TaskState:
    def at(seconds: float | None) -> datetime | None:
        return None if seconds is None else T0 + timedelta(seconds=seconds)

    return TaskState(f"{task_id}{map_index}", task_id, map_index, state, at(start), at(end))


def _run(*tasks: TaskState, state: str = "running") -> RunState:
    return RunState("manual__x", state, list(tasks))


def test_a_mapped_task_counts_its_done_instances():
    run = _run(_ti("fetch_pages", "success", 1, 3, 0), _ti("fetch_pages", "running", 2, None, 1),
               _ti("fetch_pages", None, None, None, 2))
    (group,) = TaskGroup.of(run)
    assert (group.status, group.count) == ("running", "1/3")
    assert group.seconds(T0 + timedelta(seconds=10)) == 9.0  # from its first start, still going


def test_groups_follow_the_order_tasks_started_in():
    run = _run(_ti("load_warehouse", None), _ti("find_figures", "success", 5, 6),
               _ti("discover_pages", "success", 0, 4))
    assert [g.task_id for g in TaskGroup.of(run)] == ["discover_pages", "find_figures",
                                                      "load_warehouse"]


def test_the_line_view_prints_each_task_once_when_it_finishes():
    out = io.StringIO()
    view = LineView(out)
    view.update(_run(_ti("discover_pages", "success", 0, 9.1), _ti("build_marts", "running", 9)))
    view.update(_run(_ti("discover_pages", "success", 0, 9.1),
                     _ti("build_marts", "failed", 9, 30),
                     _ti("publish_warehouse", "upstream_failed", 30, 30),
                     _ti("mark_run_failed", "failed", 31, 31.5)))
    view.update(_run(_ti("discover_pages", "success", 0, 9.1), state="failed"))
    lines = [line.split() for line in out.getvalue().splitlines()]
    assert lines == [
        ["✓", "discover_pages", "9.1", "s"],
        ["✗", "build_marts", "21.0", "s"],
        ["✗", "mark_run_failed", "0.5", "s"],  # tasks that never ran come after those that did
        ["–", "publish_warehouse", "not", "run:", "an", "upstream", "task", "failed"],
    ]


def test_a_good_runs_skipped_verdict_task_is_not_listed():
    out = io.StringIO()
    LineView(out).update(_run(_ti("summarize_run", "success", 0, 1),
                              _ti("mark_run_failed", "skipped", 1, 1), state="success"))
    assert [line.split()[1] for line in out.getvalue().splitlines()] == ["summarize_run"]


def test_a_terminal_gets_the_live_view_and_a_pipe_plain_lines():
    assert isinstance(view_for(io.StringIO()), LineView)
    console = Console(file=io.StringIO(), force_terminal=True, width=80)
    live = LiveView(console)
    live.update(_run(_ti("fetch_pages", "success", 0, 1, 0), _ti("fetch_pages", "running", 0,
                                                                 None, 1)))
    live.update(_run(_ti("fetch_pages", "success", 0, 1, 0), _ti("fetch_pages", "success", 0,
                                                                 2, 1)))
    live.close()
    screen = console.file.getvalue()
    assert "fetch_pages" in screen and "2/2" in screen and "✓" in screen
