"""transforms.kernel.parallel: chunks by key and the process pool give the one-process output."""

from __future__ import annotations

import os

import polars as pl
import pytest

from transforms.kernel import parallel
from transforms.kernel.parallel import chunks_by_key, map_frames, worker_count


def tag_with_pid(frame: pl.DataFrame, extra: pl.DataFrame) -> tuple[pl.DataFrame, ...]:
    """Module level, so worker processes can import it: rows plus the pid that saw them."""
    joined = frame.join(extra, on="article_id", how="left")
    counts = frame.group_by("article_id", maintain_order=True).len()
    return joined.with_columns(pid=pl.lit(os.getpid())), counts


def _frame(articles: int, rows_each: int) -> pl.DataFrame:
    return pl.DataFrame({
        "article_id": [f"a{i:03d}" for i in range(articles) for _ in range(rows_each)],
        "position": [p for _ in range(articles) for p in range(rows_each)],
    })


def test_chunks_never_split_an_article_and_keep_row_order():
    frame = _frame(articles=9, rows_each=5)
    chunks = chunks_by_key(frame, "article_id", 4)
    assert 2 <= len(chunks) <= 4
    assert pl.concat(chunks).equals(frame)
    seen = [set(c["article_id"]) for c in chunks]
    assert all(not (a & b) for i, a in enumerate(seen) for b in seen[i + 1:])


def test_chunking_refuses_rows_of_one_key_that_are_not_contiguous():
    frame = pl.DataFrame({"article_id": ["a", "b", "a"]})
    with pytest.raises(ValueError, match="contiguous"):
        chunks_by_key(frame, "article_id", 2)


def test_worker_count_reads_the_environment_and_never_goes_below_one():
    assert worker_count({"CLAIMLEDGER_WORKERS": "3"}) == 3
    assert worker_count({"CLAIMLEDGER_WORKERS": "0"}) == 1
    assert worker_count({}) >= 1


def test_pool_output_equals_single_process_output_and_uses_other_processes():
    frame = _frame(articles=40, rows_each=3)
    extra = pl.DataFrame({"article_id": [f"a{i:03d}" for i in range(40)],
                          "title": [f"t{i}" for i in range(40)]})
    serial = tag_with_pid(frame, extra)
    pooled = map_frames(tag_with_pid, frame, key="article_id", extra=[extra], workers=2)
    assert pooled[0].drop("pid").equals(serial[0].drop("pid"))
    assert pooled[1].equals(serial[1])
    assert os.getpid() not in set(pooled[0]["pid"])
    assert pooled[0]["pid"].n_unique() >= 1


def test_small_inputs_and_one_worker_run_in_the_caller():
    frame = _frame(articles=3, rows_each=2)
    extra = pl.DataFrame({"article_id": ["a000"], "title": ["t"]})
    out, _ = map_frames(tag_with_pid, frame, key="article_id", extra=[extra], workers=2)
    assert set(out["pid"]) == {os.getpid()}
    big = _frame(articles=40, rows_each=1)
    out, _ = map_frames(tag_with_pid, big, key="article_id", extra=[extra], workers=1)
    assert set(out["pid"]) == {os.getpid()}


def test_the_pool_is_reused_between_calls():
    frame = _frame(articles=40, rows_each=1)
    extra = pl.DataFrame({"article_id": ["a000"], "title": ["t"]})
    map_frames(tag_with_pid, frame, key="article_id", extra=[extra], workers=2)
    pool = parallel._pool
    map_frames(tag_with_pid, frame, key="article_id", extra=[extra], workers=2)
    assert parallel._pool is pool
    parallel.shutdown()
    assert parallel._pool is None

