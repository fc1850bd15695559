"""`python -m bench.run --pages N`: claimledger's real DAG against bare trafilatura.

One invocation, in a temporary folder (removed afterwards unless --keep):
1. builds a corpus of N distinct pages from the real pages of ../shared/eval (bench/corpus.py;
   with --copies, a share of them exact copies of earlier ones under other URLs);
2. bare: trafilatura.extract with claimledger's settings (transforms/rules/extraction.yml:
   the common keyword arguments and the first path's options) over the same N files, read
   from disk, in the same number of worker processes;
3. claimledger: the real DAG (`airflow dags test` through claimledger.cli.run_dag) with
   CLAIMLEDGER_CORPUS=<corpus>, a temporary AIRFLOW_HOME (SQLite) and warehouse; per-task
   seconds come from the "[DAG TEST] starting/end task" lines of its log;
4. the warm daily runs: on each following day the same N pages again (unchanged re-fetches)
   plus 0%, 1% and 10% of N new pages, into the same warehouse; fixed and marginal cost are
   fitted to them by least squares (seconds = fixed + marginal x new pages). Each is a fresh
   `airflow dags test` process, whose Airflow start is reported apart: a long-running
   scheduler does not pay it per run.

Peak memory is the largest sum, over the run's process tree, of each process's proportional
set size (PSS: pages shared by the forked workers are counted once), sampled every 0.25 s
with psutil. Printed as a table; --json writes the numbers too.
"""

from __future__ import annotations

import argparse
import contextlib
import csv
import datetime as dt
import hashlib
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Iterator
from concurrent.futures import ProcessPoolExecutor
from dataclasses import asdict, dataclass, field
from pathlib import Path

from bench.corpus import REPO, build_corpus, usable_pages
from claimledger.cli import run_dag
from transforms.extract.page import extraction_settings
from transforms.kernel.parallel import worker_count

FULL_DATE = "2026-06-01"
# Shares of N that are new on each warm day (after the full run's day, one day each).
WARM_SHARES = (0.0, 0.01, 0.10)
# DAG task -> the stage name in the table, in pipeline order.
STAGES = {
    "discover_pages": "discover",
    "fetch_pages": "fetch-from-disk",
    "extract_articles": "extract",
    "clean_paragraphs": "clean",
    "find_figures": "figures",
    "load_warehouse": "load",
    "build_marts": "dbt",
    "check_quality": "checks",
    "publish_warehouse": "publish",
    "summarize_run": "summary",
    "mark_run_failed": "run verdict",
}
# Tasks that fail when the quality gate stops a run: every stage was still measured.
QUALITY_GATE_TASKS = ("build_marts", "check_quality", "mark_run_failed")
_TASK_LINE = re.compile(r"^(\S+Z) .*\[DAG TEST\] (starting|end task) task_id=(\w+) "
                        r"map_index=(-?\d+)")
_FAILED = re.compile(r"new_state=(failed|upstream_failed)")
_NEAR_DUPLICATES = re.compile(r"near-duplicate search: (\d+) new x (\d+) stored articles in "
                              r"(\d+(?:\.\d+)?) s")
# The execution API's own log line once a task may run: the first task waits for Airflow to
# start its in-process API server, which is Airflow's start-up, not that task's work.
_TASK_STARTED = re.compile(r"^(\S+Z) .*Task started")
_DBT_FINISHED = re.compile(r"Finished running .* in .*\((\d+(?:\.\d+)?)s\)")


# ---------------------------------------------------------------- bare trafilatura


def _bare_settings() -> dict:
    """trafilatura.extract's keyword arguments for the output claimledger keeps: its common
    options and first path's, with trafilatura reading the metadata itself, as a user of
    trafilatura alone would call it."""
    settings = extraction_settings()
    first_path = settings["paths"][0].get("options", {})
    common = settings["common"]
    return {**common, **first_path, "with_metadata": True,
            "date_extraction_params": settings["metadata"]["date_extraction_params"]}


def _bare_chunk(items: list[tuple[str, str]], options: dict) -> int:
    """Read and extract each (file, url); the number of pages that gave text."""
    import trafilatura

    extracted = 0
    for path, url in items:
        html = Path(path).read_bytes()
        if trafilatura.extract(html, url=url, **options):
            extracted += 1
    return extracted


def run_bare(corpus: Path, workers: int) -> dict:
    """Wall seconds and pages extracted by bare trafilatura over every page of `corpus`."""
    import multiprocessing

    with (corpus / "manifest.csv").open(newline="", encoding="utf-8") as handle:
        items = [(str(corpus / r["file"]), r["url"]) for r in csv.DictReader(handle)]
    options = _bare_settings()
    chunk = max(len(items) // (workers * 8), 1)
    chunks = [items[i:i + chunk] for i in range(0, len(items), chunk)]
    started = time.monotonic()
    if workers <= 1:
        extracted = sum(_bare_chunk(c, options) for c in chunks)
    else:
        context = multiprocessing.get_context("forkserver")
        with ProcessPoolExecutor(max_workers=workers, mp_context=context) as pool:
            extracted = sum(pool.map(_bare_chunk, chunks, [options] * len(chunks)))
    seconds = time.monotonic() - started
    return {"pages": len(items), "extracted": extracted, "seconds": round(seconds, 2),
            "pages_per_second": round(len(items) / seconds, 1), "options": options}


# ---------------------------------------------------------------- memory sampling


class TreeMemory:
    """Samples the summed PSS (and RSS) of this process's descendants in a thread."""

    def __init__(self, interval: float = 0.25):
        self.interval = interval
        self.peak_pss = 0
        self.peak_rss = 0
        self.peak_breakdown: list[tuple[str, int]] = []  # (process, PSS bytes) at the peak
        self.peak_at = 0.0
        self.samples: list[tuple[float, int]] = []  # (epoch seconds, summed PSS)
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._loop, daemon=True)

    def _sample(self) -> None:
        import psutil

        pss = rss = 0
        parts = []
        for child in psutil.Process().children(recursive=True):
            try:
                info = child.memory_full_info()
                name = " ".join(child.cmdline()[1:3])[-60:]
            except (psutil.NoSuchProcess, psutil.AccessDenied, psutil.ZombieProcess):
                continue
            pss += getattr(info, "pss", info.rss)
            rss += info.rss
            parts.append((name, getattr(info, "pss", info.rss)))
        self.samples.append((time.time(), pss))
        if pss > self.peak_pss:
            self.peak_pss = pss
            self.peak_at = time.time()
            self.peak_breakdown = sorted(parts, key=lambda p: -p[1])[:6]
        self.peak_rss = max(self.peak_rss, rss)

    def _loop(self) -> None:
        while not self._stop.is_set():
            self._sample()
            self._stop.wait(self.interval)

    def __enter__(self) -> TreeMemory:
        self._thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self._stop.set()
        self._thread.join()


# ---------------------------------------------------------------- the DAG run


@dataclass
class DagRun:
    """One `airflow dags test` run: wall time, per-stage seconds, overheads, memory."""

    pages: int
    exit_code: int
    wall_seconds: float
    stage_seconds: dict[str, float] = field(default_factory=dict)
    task_instances: dict[str, int] = field(default_factory=dict)
    airflow_start_seconds: float = 0.0
    airflow_api_start_seconds: float = 0.0  # inside the first task (see first_task_api_seconds)
    airflow_end_seconds: float = 0.0
    between_tasks_seconds: float = 0.0
    dbt_work_seconds: float | None = None
    peak_pss_bytes: int = 0
    peak_rss_bytes: int = 0
    peak_breakdown: list = field(default_factory=list)
    peak_task: str | None = None
    stage_peak_pss_bytes: dict[str, int] = field(default_factory=dict)
    articles: int | None = None
    failed_tasks: list[str] = field(default_factory=list)
    near_duplicate_seconds: float | None = None
    log: str = ""


def _stamp(text: str) -> float:
    return dt.datetime.fromisoformat(text.replace("Z", "+00:00")).timestamp()


def failed_tasks(log_text: str) -> list[str]:
    """Task ids whose instance ended failed in a dags-test log. `airflow dags test` exits 0
    and the run counts as a success when only non-leaf tasks failed (summarize_run, the
    leaf, runs whatever happened), so the exit code alone does not tell."""
    current, failed = None, []
    for line in log_text.splitlines():
        match = _TASK_LINE.search(line)
        if match and match[2] == "starting":
            current = match[3] + (f"[{match[4]}]" if match[4] != "-1" else "")
        elif current and _FAILED.search(line) and current not in failed:
            failed.append(current)
    return failed


def task_seconds(log_text: str) -> tuple[dict[str, float], dict[str, int], float, float, float]:
    """(seconds per task_id summed over map indexes, instances per task_id, first start,
    last end, seconds between one task's end and the next one's start) from a dags-test log."""
    open_tasks: dict[tuple[str, str], float] = {}
    seconds: dict[str, float] = {}
    instances: dict[str, int] = {}
    first = last = None
    gaps = 0.0
    for line in log_text.splitlines():
        match = _TASK_LINE.search(line)
        if not match:
            continue
        stamp, verb, task_id, index = match.groups()
        moment = _stamp(stamp)
        if verb == "starting":
            first = moment if first is None else first
            if last is not None:
                gaps += max(moment - last, 0.0)
            open_tasks[(task_id, index)] = moment
        elif (task_id, index) in open_tasks:
            seconds[task_id] = seconds.get(task_id, 0.0) + moment - open_tasks.pop((task_id,
                                                                                     index))
            instances[task_id] = instances.get(task_id, 0) + 1
            last = moment
    return seconds, instances, first or 0.0, last or 0.0, gaps


def first_task_api_seconds(log_text: str) -> float:
    """Seconds from the first task's start to Airflow's "Task started" for it: the
    execution API starting up inside `airflow dags test` (0.0 when the lines are absent)."""
    first = None
    for line in log_text.splitlines():
        match = _TASK_LINE.search(line)
        if match and first is None and match[2] == "starting":
            first = _stamp(match[1])
            continue
        started = _TASK_STARTED.search(line)
        if started and first is not None:
            return round(max(_stamp(started[1]) - first, 0.0), 2)
    return 0.0


def task_intervals(log_text: str) -> list[tuple[str, float, float]]:
    """(task_id, start, end) of every task instance in a dags-test log, epoch seconds."""
    open_tasks: dict[tuple[str, str], float] = {}
    intervals = []
    for line in log_text.splitlines():
        match = _TASK_LINE.search(line)
        if not match:
            continue
        stamp, verb, task_id, index = match.groups()
        if verb == "starting":
            open_tasks[(task_id, index)] = _stamp(stamp)
        elif (task_id, index) in open_tasks:
            intervals.append((task_id, open_tasks.pop((task_id, index)), _stamp(stamp)))
    return intervals


def stage_peaks(log_text: str, samples: list[tuple[float, int]]) -> dict[str, int]:
    """The largest memory sample taken while each stage ran (stage names as in STAGES)."""
    peaks: dict[str, int] = {}
    intervals = task_intervals(log_text)
    for moment, value in samples:
        for task_id, start, end in intervals:
            if start <= moment <= end:
                stage = STAGES.get(task_id, task_id)
                peaks[stage] = max(peaks.get(stage, 0), value)
    return peaks


def _task_at(log_text: str, moment: float) -> str | None:
    """The task running at `moment` (epoch seconds) in a dags-test log, else None."""
    current = None
    for line in log_text.splitlines():
        match = _TASK_LINE.search(line)
        if not match:
            continue
        if _stamp(match[1]) > moment:
            return current if match[2] == "end task" else None
        current = match[3] if match[2] == "starting" else None
    return current


def airflow_env(home: Path, corpus: Path, warehouse: Path, workers: int) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("AIRFLOW", "CLAIMLEDGER"))}
    env.update({
        "AIRFLOW_HOME": str(home),
        "AIRFLOW__CORE__DAGS_FOLDER": str(REPO / "dags"),
        "AIRFLOW__CORE__LOAD_EXAMPLES": "False",
        "AIRFLOW__LOGGING__LOGGING_LEVEL": "INFO",
        "CLAIMLEDGER_HOME": str(REPO),
        "CLAIMLEDGER_CORPUS": str(corpus),
        "CLAIMLEDGER_WAREHOUSE_DIR": str(warehouse),
        "CLAIMLEDGER_TASK_RETRIES": "0",
        "CLAIMLEDGER_WORKERS": str(workers),
    })
    if os.environ.get("CLAIMLEDGER_BATCH_SIZE"):
        env["CLAIMLEDGER_BATCH_SIZE"] = os.environ["CLAIMLEDGER_BATCH_SIZE"]
    return env


def prepare_airflow(env: dict[str, str]) -> float:
    """`airflow db migrate` and the writer pool in a fresh AIRFLOW_HOME; its seconds."""
    airflow = str(Path(sys.executable).with_name("airflow"))
    started = time.monotonic()
    subprocess.run([airflow, "db", "migrate"], env=env, check=True, capture_output=True)
    subprocess.run([airflow, "pools", "set", "duckdb_writer", "1", "one DuckDB writer"],
                   env=env, check=True, capture_output=True)
    return time.monotonic() - started


def run_claimledger(env: dict[str, str], date: str, pages: int, log_path: Path) -> DagRun:
    """Run the DAG for `date` and measure it."""

    with TreeMemory() as memory:
        started = time.time()
        code = run_dag(date, log_path=log_path, env=env, echo=False)
        ended = time.time()
    text = log_path.read_text(encoding="utf-8", errors="replace")
    seconds, instances, first, last, gaps = task_seconds(text)
    run = DagRun(pages=pages, exit_code=code, wall_seconds=round(ended - started, 2),
                 log=str(log_path))
    run.stage_seconds = {STAGES.get(t, t): round(s, 2) for t, s in seconds.items()}
    run.task_instances = {STAGES.get(t, t): n for t, n in instances.items()}
    run.airflow_start_seconds = round(first - started, 2) if first else 0.0
    run.airflow_end_seconds = round(ended - last, 2) if last else 0.0
    run.airflow_api_start_seconds = first_task_api_seconds(text)
    run.between_tasks_seconds = round(gaps, 2)
    finished = _DBT_FINISHED.findall(text)
    run.dbt_work_seconds = float(finished[-1]) if finished else None
    run.peak_pss_bytes, run.peak_rss_bytes = memory.peak_pss, memory.peak_rss
    run.peak_breakdown = memory.peak_breakdown
    run.peak_task = _task_at(text, memory.peak_at)
    run.stage_peak_pss_bytes = stage_peaks(text, memory.samples)
    run.failed_tasks = failed_tasks(text)
    near = _NEAR_DUPLICATES.findall(text)
    run.near_duplicate_seconds = float(near[-1][2]) if near else None
    run.articles = _article_count(Path(env["CLAIMLEDGER_WAREHOUSE_DIR"]))
    return run


def _article_count(warehouse: Path) -> int | None:
    import duckdb

    db = warehouse / "build" / "claimledger.duckdb"
    if not db.exists():
        return None
    with contextlib.closing(duckdb.connect(str(db), read_only=True)) as con:
        return con.execute("select count(*) from raw.articles").fetchone()[0]


def gx_start_seconds() -> float:
    """Seconds to import Great Expectations and open an ephemeral context, in a fresh
    process: the fixed part of check_quality."""
    code = ("import time; t = time.monotonic(); import great_expectations as gx; "
            "gx.get_context(mode='ephemeral'); print(time.monotonic() - t)")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         check=True, cwd=tempfile.gettempdir())
    return round(float(out.stdout.strip().splitlines()[-1]), 2)


# ---------------------------------------------------------------- report


def _rate(pages: int, seconds: float | None) -> str:
    if not seconds:
        return "-"
    return f"{pages / seconds:,.0f}"


def _mib(size: int | None) -> str:
    return "-" if not size else f"{size / 2**20:,.0f}"


def table(result: dict) -> str:
    """The benchmark's numbers as a fixed-width text table."""
    full, inc, bare = result["full"], result["increment"], result["bare"]
    n = full["pages"]
    lines = [
        f"claimledger benchmark: {n:,} pages ({result['real_pages']} real pages in "
        f"{result['variants']} variants), {result['workers']} worker processes, "
        f"{result['cores']} cores",
        "",
        f"{'stage':<18}{'seconds':>10}{'pages/s':>10}{'tasks':>7}"
        f"{'1%-new s':>10}{'peak MiB':>10}",
    ]
    for stage in STAGES.values():
        if stage not in full["stage_seconds"] and stage not in inc["stage_seconds"]:
            continue
        seconds = full["stage_seconds"].get(stage)
        lines.append(f"{stage:<18}{seconds or 0:>10.1f}{_rate(n, seconds):>10}"
                     f"{full['task_instances'].get(stage, 0):>7}"
                     f"{inc['stage_seconds'].get(stage, 0):>10.1f}"
                     f"{_mib(full.get('stage_peak_pss_bytes', {}).get(stage)):>10}")
    overhead = result["startup_overhead"]
    lines += [
        f"{'  near-duplicates':<18}{full['near_duplicate_seconds'] or 0:>10.1f}{'':>17}"
        f"{inc['near_duplicate_seconds'] or 0:>10.1f}",
        f"{'airflow between':<18}{full['between_tasks_seconds']:>10.1f}{'':>17}"
        f"{inc['between_tasks_seconds']:>10.1f}",
        f"{'total wall':<18}{full['wall_seconds']:>10.1f}{_rate(n, full['wall_seconds']):>10}"
        f"{'':>7}{inc['wall_seconds']:>10.1f}",
        "",
        f"start-up overhead (in total wall): {overhead['total']:.1f} s = Airflow start "
        f"{overhead['airflow_start']:.1f} + Airflow end {overhead['airflow_end']:.1f} + "
        f"Airflow's execution API start (in the first task, discover) "
        f"{overhead.get('airflow_api_start', 0.0):.1f} + dbt start {overhead['dbt_start']:.1f}"
        f" + GX start {overhead['gx_start']:.1f}",
        f"bare trafilatura.extract: {bare['seconds']:.1f} s, {bare['pages_per_second']:,.1f} "
        f"pages/s ({bare['extracted']:,} of {bare['pages']:,} pages gave text)",
        f"claimledger end to end:   {full['wall_seconds']:.1f} s, "
        f"{n / full['wall_seconds']:,.1f} pages/s ({full['articles']:,} articles stored)",
        f"throughput ratio claimledger / bare trafilatura: {result['throughput_ratio']:.2f}",
        f"1%-new run ({inc['new_pages']:,} new pages beside the {n:,} of the day before, "
        f"next day): {inc['wall_seconds']:.1f} s = "
        f"{result['increment_fraction'] * 100:.1f}% of the full run",
        f"peak memory (sum of PSS over the process tree): full "
        f"{full['peak_pss_bytes'] / 2**30:.2f} GiB, 1%-new {inc['peak_pss_bytes'] / 2**30:.2f}"
        f" GiB (RSS sum {full['peak_rss_bytes'] / 2**30:.2f} GiB), full-run peak during "
        f"{full['peak_task'] or 'start-up/shutdown'}: " + ", ".join(
            f"{name.split('/')[-1]} {size / 2**20:.0f} MiB"
            for name, size in full["peak_breakdown"][:4]),
    ]
    lines += warm_table(result)
    for name, run in (("full", full), *((f"warm {w['share']:.0%}-new", w)
                                        for w in result["warm"])):
        if run["exit_code"] or run["failed_tasks"]:
            lines.append(f"WARNING: {name} run: exit code {run['exit_code']}, failed tasks "
                         f"{', '.join(run['failed_tasks']) or 'none'} ({run['log']})")
    return "\n".join(lines)


WARM_STAGES = ("fetch-from-disk", "extract", "clean", "load", "dbt", "checks", "publish")


def warm_table(result: dict) -> list[str]:
    """The warm daily runs: one row per day, then the fitted fixed and marginal cost."""
    if not result["warm"]:
        return []
    lines = ["", f"warm daily run (each day: the {result['pages']:,} pages of the day before "
             "again, unchanged, plus the new ones; a fresh `airflow dags test` process)",
             f"{'new':>7}{'wall s':>9}{'airflow s':>10}" +
             "".join(f"{stage.split('-')[0]:>9}" for stage in WARM_STAGES)]
    for run in result["warm"]:
        lines.append(f"{run['new_pages']:>7,}{run['wall_seconds']:>9.1f}"
                     f"{_airflow_process(run):>10.1f}" +
                     "".join(f"{run['stage_seconds'].get(stage, 0):>9.1f}"
                             for stage in WARM_STAGES))
    fit = result["warm_fit"]
    if fit:
        bare_fixed = fit["fixed_seconds_without_airflow_start"]
        lines.append(
            f"fitted: fixed {fit['fixed_seconds']:.1f} s ({bare_fixed:.1f}"
            f" s without the per-process Airflow start), marginal {fit['marginal_seconds']:.3f}"
            f" s per new page = {fit['marginal_vs_full_per_page']:.2f}x the full run's "
            f"{fit['full_run_seconds_per_page']:.3f} s per page")
    return lines


@contextlib.contextmanager
def _workdir(keep: Path | None) -> Iterator[Path]:
    if keep:
        keep.mkdir(parents=True, exist_ok=True)
        yield keep
        return
    folder = Path(tempfile.mkdtemp(prefix="claimledger-bench-"))
    try:
        yield folder
    finally:
        shutil.rmtree(folder, ignore_errors=True)


def _corpus(folder: Path, pages: int, first: int, source: list, copies: float = 0.0) -> Path:
    """build_corpus, or the folder as it is when a --keep folder already holds the same
    pages (the corpus is deterministic; building 10,000 pages takes minutes)."""
    stamp = folder / "bench-corpus.json"
    recipe = hashlib.sha256((Path(__file__).parent / "corpus.py").read_bytes()).hexdigest()
    wanted = {"pages": pages, "first": first, "real_pages": len(source), "recipe": recipe,
              "copies": copies}
    if stamp.exists() and json.loads(stamp.read_text(encoding="utf-8")) == wanted:
        return folder
    built = build_corpus(folder, pages, first=first, source=source, copies=copies).folder
    stamp.write_text(json.dumps(wanted), encoding="utf-8")
    return built


def day_folder(folder: Path, parts: list[Path]) -> Path:
    """A folder holding every page of `parts` (hard links) and one manifest of them all: a
    day that fetches yesterday's pages again beside its new ones."""
    shutil.rmtree(folder, ignore_errors=True)
    folder.mkdir(parents=True)
    rows = []
    for part in parts:
        with (part / "manifest.csv").open(newline="", encoding="utf-8") as handle:
            for row in csv.DictReader(handle):
                os.link(part / row["file"], folder / row["file"])
                rows.append(row)
    with (folder / "manifest.csv").open("w", newline="", encoding="utf-8") as handle:
        writer = csv.DictWriter(handle, fieldnames=["file", "url", "source_name"])
        writer.writeheader()
        writer.writerows(rows)
    return folder


def fit_fixed_marginal(points: list[tuple[int, float]]) -> tuple[float, float] | None:
    """Least-squares (fixed, marginal) of seconds = fixed + marginal x new pages; None
    with fewer than two distinct page counts."""
    if len({n for n, _ in points}) < 2:
        return None
    mean_n = sum(n for n, _ in points) / len(points)
    mean_s = sum(s for _, s in points) / len(points)
    slope = sum((n - mean_n) * (s - mean_s) for n, s in points) / \
        sum((n - mean_n) ** 2 for n, _ in points)
    return mean_s - slope * mean_n, slope


def run_benchmark(pages: int, *, workers: int | None = None, keep: Path | None = None,
                  copies: float = 0.0, warm_shares: tuple[float, ...] = WARM_SHARES) -> dict:
    """Build the corpus, run bare trafilatura, the DAG, then the warm days; the numbers."""

    workers = workers or worker_count()
    new_counts = [max(round(pages * share), 1) if share else 0 for share in warm_shares]
    source = usable_pages(limit=pages + sum(new_counts))
    with _workdir(keep) as work:
        corpus = _corpus(work / "corpus", pages, 0, source, copies)
        bare = run_bare(corpus, workers)
        # A kept folder reuses its corpus only: a warehouse left by an earlier benchmark
        # would make the full run find every article already stored (unchanged).
        for stale in ("warehouse", "airflow_home", "logs"):
            shutil.rmtree(work / stale, ignore_errors=True)
        env = airflow_env(work / "airflow_home", corpus, work / "warehouse", workers)
        migrate_seconds = prepare_airflow(env)
        full = run_claimledger(env, FULL_DATE, pages, work / "logs" / "full.log")
        warm, first = [], pages
        for day, (share, new) in enumerate(zip(warm_shares, new_counts, strict=True), 1):
            parts = [corpus]
            if new:
                parts.append(_corpus(work / f"new-{day}", new, first, source))
            first += new
            date = (dt.date.fromisoformat(FULL_DATE) + dt.timedelta(days=day)).isoformat()
            day_env = {**env, "CLAIMLEDGER_CORPUS": str(day_folder(work / f"day-{day}", parts))}
            run = run_claimledger(day_env, date, pages + new, work / "logs" / f"day-{day}.log")
            warm.append({"share": share, "new_pages": new, **asdict(run)})
        gx_start = gx_start_seconds()
        dbt_total = full.stage_seconds.get("dbt", 0.0)
        dbt_start = max(dbt_total - (full.dbt_work_seconds or dbt_total), 0.0)
        overhead = {"airflow_start": full.airflow_start_seconds,
                    "airflow_end": full.airflow_end_seconds,
                    "airflow_api_start": full.airflow_api_start_seconds,
                    "dbt_start": round(dbt_start, 2), "gx_start": gx_start}
        overhead["total"] = round(sum(overhead.values()), 2)
        increment = next((w for w in warm if w["share"] == 0.01), warm[-1] if warm else None)
        result = {
            "pages": pages, "workers": workers, "cores": os.cpu_count(), "copies": copies,
            "real_pages": len(source), "variants": -(-pages // len(source)),
            "airflow_db_migrate_seconds": round(migrate_seconds, 2),
            "bare": bare, "full": asdict(full), "warm": warm, "increment": increment,
            "warm_fit": _warm_fit(warm, full),
            "startup_overhead": overhead,
            "throughput_ratio": round((pages / full.wall_seconds) / bare["pages_per_second"], 3),
            "increment_fraction": round(increment["wall_seconds"] / full.wall_seconds, 4)
            if increment else None,
        }
        if keep is None:  # the logs vanish with the folder: keep their tails in the result
            for run in (result["full"], *warm):
                if run["exit_code"] or run["failed_tasks"]:
                    run["log_tail"] = Path(run["log"]).read_text()[-4000:]
        return result


def _warm_fit(warm: list[dict], full: DagRun) -> dict | None:
    """Fixed and marginal cost of a warm day, with and without the per-process Airflow
    start (Airflow's start and end around the tasks, its execution API's start in the
    first task), which a long-running scheduler pays once, not per run."""
    walls = fit_fixed_marginal([(w["new_pages"], w["wall_seconds"]) for w in warm])
    if walls is None:
        return None
    tasks = fit_fixed_marginal([(w["new_pages"], w["wall_seconds"] - _airflow_process(w))
                                for w in warm])
    per_page = full.wall_seconds / full.pages
    return {"fixed_seconds": round(walls[0], 2), "marginal_seconds": round(walls[1], 4),
            "fixed_seconds_without_airflow_start": round(tasks[0], 2),
            "full_run_seconds_per_page": round(per_page, 4),
            "marginal_vs_full_per_page": round(walls[1] / per_page, 3)}


def _airflow_process(run: dict) -> float:
    return run["airflow_start_seconds"] + run["airflow_end_seconds"] + \
        run["airflow_api_start_seconds"]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--pages", type=int, default=1000, help="corpus size N")
    parser.add_argument("--workers", type=int, default=None,
                        help="worker processes for both sides (default: CLAIMLEDGER_WORKERS "
                             "or the number of cores)")
    parser.add_argument("--keep", type=Path, default=None,
                        help="work in this folder and keep it (corpus, logs, warehouse)")
    parser.add_argument("--json", type=Path, default=None, help="also write the numbers here")
    parser.add_argument("--copies", type=float, default=0.0,
                        help="share of the pages that are exact copies of earlier ones under "
                             "other URLs (default 0: all distinct)")
    args = parser.parse_args(argv)
    result = run_benchmark(args.pages, workers=args.workers, keep=args.keep,
                           copies=args.copies)
    print(table(result))
    if args.json:
        args.json.write_text(json.dumps(result, indent=2, default=str), encoding="utf-8")
    broken = False
    for run in (result["full"], *result["warm"]):
        # A failed quality gate still measures every stage; a failed data stage does not.
        data_failures = [t for t in run["failed_tasks"]
                         if t.split("[")[0] not in QUALITY_GATE_TASKS]
        # `dags test` exits 1 when the gate failed the run (mark_run_failed): that is fine.
        unexplained = run["exit_code"] and not run["failed_tasks"]
        if unexplained or data_failures:
            broken = True
            print(run.get("log_tail", ""), file=sys.stderr)
    return 1 if broken else 0


if __name__ == "__main__":
    sys.exit(main())
