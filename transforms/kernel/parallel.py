"""Run a frame-in, frames-out stage function over chunks of a batch in worker processes.

`airflow dags test` runs mapped task instances one after another in one process, and a
Celery worker runs one task per slot, so the parallelism of extract, clean and figures
comes from a process pool inside the batch task. The pool:

- uses the 'forkserver' start method (Airflow task processes run threads, so plain fork is
  unsafe; forkserver forks from a clean single-threaded server that has already imported the
  stage modules, so a worker starts in milliseconds, not the ~1 s a spawned one needs);
- is created once per process and reused by every later batch task of that process (the
  whole `dags test` run), and shut down at interpreter exit;
- is skipped (the function runs in the caller) when there is one worker, too few rows to be
  worth shipping, or the caller is a daemonic process, which may not have children.

Workers: CLAIMLEDGER_WORKERS, default the number of cores this process may use.
Chunks are whole articles (split on `key`), since every stage decides an article from its
own rows alone; results are concatenated in chunk order, so the output equals the
single-process output row for row.
"""

from __future__ import annotations

import atexit
import contextlib
import itertools
import logging
import multiprocessing
import os
import sys
import types
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import ProcessPoolExecutor

import polars as pl

from transforms.kernel.processes import die_with_parent

log = logging.getLogger(__name__)

# Modules the fork server imports once, so forked workers start warm: the callers name
# them (preload_in_workers), since this module knows nothing of the stages it runs.
PRELOAD: list[str] = []
# Fewer rows than this per worker are processed in the caller: shipping them costs more.
MIN_ROWS_PER_WORKER = 8
# Chunks per worker: more than one evens out pages of very different sizes.
CHUNKS_PER_WORKER = 4

_pool: ProcessPoolExecutor | None = None
_pool_key: tuple[int, int] | None = None  # (pid, workers) the pool was made for


def preload_in_workers(module: str) -> None:
    """Have pools made from now on start their workers with `module` imported."""
    if module not in PRELOAD:
        PRELOAD.append(module)


def worker_count(env: dict[str, str] | None = None) -> int:
    """CLAIMLEDGER_WORKERS, else the cores available to this process (at least 1)."""
    env = os.environ if env is None else env
    configured = env.get("CLAIMLEDGER_WORKERS", "").strip()
    if configured:
        return max(int(configured), 1)
    try:
        return max(len(os.sched_getaffinity(0)), 1)
    except AttributeError:  # not Linux
        return os.cpu_count() or 1


def _executor(workers: int) -> ProcessPoolExecutor:
    global _pool, _pool_key
    key = (os.getpid(), workers)
    if _pool is None or _pool_key != key:
        if _pool is not None and _pool_key is not None and _pool_key[0] == os.getpid():
            _pool.shutdown(wait=True)
        method = "forkserver" if "forkserver" in multiprocessing.get_all_start_methods() \
            else "spawn"
        context = multiprocessing.get_context(method)
        if method == "forkserver":
            context.set_forkserver_preload(list(PRELOAD))
        # A worker's parent is the forkserver, which ends when this process dies: the
        # worker then goes too instead of finishing a batch nobody will load.
        _pool = ProcessPoolExecutor(max_workers=workers, mp_context=context,
                                    initializer=die_with_parent)
        _pool_key = key
    return _pool


@contextlib.contextmanager
def _main_module_hidden() -> Iterator[None]:
    main = sys.modules.get("__main__")
    sys.modules["__main__"] = types.ModuleType("__main__")
    try:
        yield
    finally:
        if main is not None:
            sys.modules["__main__"] = main


@atexit.register
def shutdown() -> None:
    """Stop this process's pool (it is also stopped at interpreter exit)."""
    global _pool, _pool_key
    if _pool is not None and _pool_key is not None and _pool_key[0] == os.getpid():
        _pool.shutdown(wait=True, cancel_futures=True)
    _pool, _pool_key = None, None


def chunks_by_key(frame: pl.DataFrame, key: str, parts: int) -> list[pl.DataFrame]:
    """`frame` cut into at most `parts` slices of about equal row counts, never splitting
    the rows of one `key` value across two slices. Row order is kept."""
    if parts <= 1 or frame.height == 0:
        return [frame]
    groups = frame.select(pl.col(key).rle_id().alias("_group"))["_group"]
    if groups.n_unique() != frame[key].n_unique():
        raise ValueError(f"rows of one {key} must be contiguous to be chunked")
    target = frame.height / parts
    # Start a new chunk at the first row of a group once the running count passes target*i.
    starts = [0]
    boundaries = (groups.diff().fill_null(1) != 0).arg_true().to_list()
    for row in boundaries:
        if row > 0 and row >= target * len(starts):
            starts.append(row)
    starts.append(frame.height)
    return [frame.slice(a, b - a) for a, b in itertools.pairwise(starts) if b > a]


def map_frames(func: Callable[..., tuple[pl.DataFrame, ...]], frame: pl.DataFrame, *,
               key: str, extra: Sequence[pl.DataFrame] = (),
               workers: int | None = None) -> tuple[pl.DataFrame, ...]:
    """func(chunk, *extra_for_chunk) over chunks of `frame`; its output frames concatenated.

    In: func, a module-level function (picklable) taking frames and returning a tuple of
    frames; `frame` split on `key` (its rows of one key contiguous); `extra` frames are
    filtered to each chunk's keys before the call. Out: the tuple of func's frames, each
    concatenated over the chunks in order (equal to func(frame, *extra) when func decides
    each key from its own rows).
    """
    workers = worker_count() if workers is None else workers
    daemonic = multiprocessing.current_process().daemon
    if workers <= 1 or daemonic or frame.height < MIN_ROWS_PER_WORKER * 2:
        return func(frame, *extra)
    chunks = chunks_by_key(frame, key, workers * CHUNKS_PER_WORKER)
    if len(chunks) == 1:
        return func(frame, *extra)
    pool = _executor(workers)
    futures = []
    # A submit may start a worker: with the main module hidden, or the worker would re-run
    # the caller's main script first (the `airflow` command: seconds of imports).
    with _main_module_hidden():
        for chunk in chunks:
            keys = chunk[key].unique().implode()
            args = [e.filter(pl.col(key).is_in(keys)) for e in extra]
            futures.append(pool.submit(func, chunk, *args))
    results = [future.result() for future in futures]
    name = getattr(func, "__name__", None) or getattr(func, "func", func).__name__  # partial
    log.info("%s: %d rows in %d chunks on %d worker processes", name, frame.height,
             len(chunks), workers)
    return tuple(pl.concat([r[i] for r in results], how="diagonal_relaxed")
                 for i in range(len(results[0])))

