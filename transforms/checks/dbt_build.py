"""Run the dbt project once (`dbt build`) over a DuckDB file and report its tests.

`run_dbt_build(duckdb_path)` calls dbt in-process through `dbtRunner`, with the
committed dbt_project/ and its profiles.yml, the database's file name passed in
the environment variable CLAIMLEDGER_DUCKDB_PATH (dbt runs from the database's
folder), and target/log folders kept out of the repository (beside the database
unless `target_dir` says otherwise). It returns whether the build succeeded plus
one row per dbt test in the shape of audit.quality_results, so the caller can
record them and decide what fails the run; the build leaves out the project's dbt unit
tests, which `run_dbt_unit_tests(duckdb_path)` runs over a built database (the tests of
tests/dbt do). `generate_dbt_docs(duckdb_path)` writes the static docs page of the last
build into the same target folder.

All pass the same flags and --vars, so they share the target folder's
partial_parse.msgpack: dbt re-parses just the files whose hashes changed, and
everything when the vars (transforms/rules/reasons.yml), dbt_project.yml, the
profile's connection values or the dbt version change. A full parse costs ~8-10 s,
so a target folder without that file starts from the last parse any folder saved
(`<project>/target/parse_cache/`, see `_seed_parse`), and every warehouse gives dbt
the same connection values: the database's file name, with dbt run from the
database's folder (`_invoke`). The saved parse is a cache, never a source of truth:
dbt checks it (file hashes, vars, profile, version) and parses again when stale.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import tempfile
import time
from collections.abc import Iterator
from contextlib import chdir, contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import polars as pl

from transforms.kernel.audit import QUALITY_RESULT_SCHEMA
from transforms.kernel.faults import fault_armed, fault_point
from transforms.kernel.rules import REPO_DIR, read_rules

DBT_PROJECT_DIR = REPO_DIR / "dbt_project"
THRESHOLDS_YML = REPO_DIR / "expectations" / "thresholds.yml"
REASON_VOCABULARIES = ("removal_reasons", "quarantine_reasons", "rejection_checks")
# The thresholds.yml entries a single trade row is screened against (a row outside them
# is rejected into rpt_rejected_rows, not published).
TRADE_ROW_BOUNDS = ("value_usd", "growth_pct", "period_year_min",
                    "period_year_max_years_after_publication", "evidence_text_length",
                    "rejected_share_max", "rejected_share_min_rows",
                    "candidate_without_statement_share_max", "candidate_articles_min")
DUCKDB_PATH_VAR = "CLAIMLEDGER_DUCKDB_PATH"
# dbt's saved parse, shared by every target folder of one project: under the
# project's own target/ (git-ignored, emptied by `dbt clean` and `make clean`), so
# a copy of the project never starts from another copy's files.
PARSE_CACHE_DIR = Path("target") / "parse_cache"
PARTIAL_PARSE_FILE = "partial_parse.msgpack"  # dbt's name, in the --target-path
# Rows of a failing test shown in audit.quality_results.failing_sample, and the
# characters kept of each value (a model-level test returns whole articles).
SAMPLE_ROWS = 5
SAMPLE_VALUE_CHARS = 120
# What an incremental mart holds for an article it built earlier depends on these project
# files (and the --vars and the dbt version): when their fingerprint differs from the one of
# the last successful build into a target folder, the next build runs with --full-refresh
# (macros/incremental_by_article.sql).
FINGERPRINTED = ("models", "macros", "seeds", "dbt_project.yml")
FINGERPRINT_FILE = "incremental_fingerprint.txt"  # in the target folder
# dbt unit tests (`unit_tests:` in the models' YAML) check the SQL logic on fixed rows, not
# the day's data, so the DAG's build leaves them out (dbt's advice for production runs): a
# day's run neither pays for them nor stops on them, and they never reach
# audit.quality_results. `run_dbt_unit_tests` runs them (tests/dbt/test_dbt_unit_tests.py,
# part of `make test`).
BUILD_ARGS = ("build", "--exclude-resource-type", "unit_test")
UNIT_TEST_ARGS = ("test", "--select", "test_type:unit")

RESULT_SCHEMA = QUALITY_RESULT_SCHEMA


@dataclass(frozen=True)
class DbtBuildResult:
    """What one `dbt build` did.

    success: dbt's own verdict (False when any model, seed or error-severity
        test failed, or dbt could not run at all).
    results: one row per dbt test, columns as in RESULT_SCHEMA (the
        audit.quality_results columns minus run_id/ingest_date/recorded_at).
        severity is error | warn; status is pass | fail | error | skipped, where
        fail means the test returned rows whatever its severity (dbt calls a
        failing warn-severity test "warn"; here, as in the Great Expectations
        rows, the consequence is in severity), error that it could not run.
    message: a one-line summary, naming failed models and tests.
    node_counts: {"<resource type>:<status>": count} over every node run.
    elapsed_seconds: wall time of the dbt invocation.
    full_refresh: whether the incremental marts were rebuilt in full (a target folder
        without the fingerprint of a successful build, or a changed project).
    """

    success: bool
    results: pl.DataFrame
    message: str
    node_counts: dict[str, int]
    elapsed_seconds: float
    full_refresh: bool = False


def run_dbt_build(duckdb_path: Path, *, target_dir: Path | None = None,
                  project_dir: Path | None = None) -> DbtBuildResult:
    """Run `dbt build` (seeds, models, tests) against the DuckDB file at `duckdb_path`.

    target_dir: where dbt writes compiled SQL, run_results.json and logs/
        (default: <database folder>/dbt_target). project_dir: the dbt project
        (default: the repository's dbt_project/, whose profiles.yml is used).
    The database must already hold the raw layer (transforms/warehouse/raw_schema.sql);
    nothing else may have it open for writing while dbt runs.
    """
    import dbt.cli.main  # noqa: F401  (imported here, so elapsed_seconds is dbt's own time)

    duckdb_path = Path(duckdb_path).resolve()
    target = _target_dir(duckdb_path, target_dir)
    fingerprint = project_fingerprint(Path(project_dir or DBT_PROJECT_DIR))
    stored = target / FINGERPRINT_FILE
    full_refresh = not stored.exists() or stored.read_text(encoding="utf-8") != fingerprint
    started = time.monotonic()
    command = [*BUILD_ARGS, "--full-refresh"] if full_refresh else [*BUILD_ARGS]
    outcome = _invoke(command, duckdb_path, target, project_dir)
    elapsed = time.monotonic() - started
    if outcome.success:
        # Only a build that succeeded vouches for the marts; after a failed one the next
        # build refreshes them in full again if it had to this time.
        _write_atomically(stored, fingerprint)

    node_results = list(getattr(outcome.result, "results", None) or [])
    rows = [_test_row(r) for r in node_results if _resource_type(r) == "test"]
    results = pl.DataFrame(rows, schema=RESULT_SCHEMA, orient="row")
    results = _with_failing_samples(results, node_results, duckdb_path)
    counts: dict[str, int] = {}
    for r in node_results:
        key = f"{_resource_type(r)}:{_status(r)}"
        counts[key] = counts.get(key, 0) + 1
    return DbtBuildResult(
        success=bool(outcome.success),
        results=results,
        message=_summary(outcome, node_results),
        node_counts=counts,
        elapsed_seconds=round(elapsed, 2),
        full_refresh=full_refresh,
    )


@dataclass(frozen=True)
class DbtUnitTestResult:
    """What one run of the project's dbt unit tests did.

    success: dbt's verdict (False when a unit test failed or dbt could not run).
    results: one row per unit test: unit_test (its name), model (the model it tests),
        status (pass | fail | error | skipped) and message (dbt's, with the differing
        rows for a failure).
    message: a one-line summary, as for the build.
    """

    success: bool
    results: pl.DataFrame
    message: str


UNIT_TEST_RESULT_SCHEMA = {"unit_test": pl.String, "model": pl.String, "status": pl.String,
                           "message": pl.String}


def run_dbt_unit_tests(duckdb_path: Path, *, target_dir: Path | None = None,
                       project_dir: Path | None = None) -> DbtUnitTestResult:
    """Run every dbt unit test of the project (`dbt test --select test_type:unit`).

    Unit tests read only their given rows, but dbt takes the column types of each
    input from the database, so `duckdb_path` must hold the built models (after a
    `run_dbt_build` into it); nothing is written. Same flags, --vars and target
    folder defaults as `run_dbt_build`, so the build's parse is reused.
    """
    duckdb_path = Path(duckdb_path).resolve()
    target = _target_dir(duckdb_path, target_dir)
    outcome = _invoke(list(UNIT_TEST_ARGS), duckdb_path, target, project_dir)
    node_results = list(getattr(outcome.result, "results", None) or [])
    rows = [{"unit_test": r.node.name, "model": _unit_tested_model(r.node),
             "status": _status(r), "message": r.message or _status(r)}
            for r in node_results if _resource_type(r) == "unit_test"]
    return DbtUnitTestResult(
        success=bool(outcome.success),
        results=pl.DataFrame(rows, schema=UNIT_TEST_RESULT_SCHEMA, orient="row"),
        message=_summary(outcome, node_results),
    )


def project_fingerprint(project: Path) -> str:
    """sha256 over the dbt version, the --vars and the paths and contents of the project
    files that define the marts (FINGERPRINTED); tests and docs do not count."""
    from dbt.version import __version__

    project = Path(project).resolve()
    digest = hashlib.sha256(__version__.encode())
    digest.update(json.dumps(project_vars(), sort_keys=True).encode())
    for name in FINGERPRINTED:
        root = project / name
        files = sorted(p for p in root.rglob("*") if p.is_file()) if root.is_dir() else \
            [root] if root.is_file() else []
        for path in files:
            digest.update(b"\0" + str(path.relative_to(project)).encode() + b"\0")
            digest.update(path.read_bytes())
    return digest.hexdigest()


def _write_atomically(path: Path, text: str) -> None:
    handle, temporary = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.")
    with os.fdopen(handle, "w", encoding="utf-8") as out:
        out.write(text)
    os.replace(temporary, path)


def generate_dbt_docs(duckdb_path: Path, *, target_dir: Path | None = None,
                      project_dir: Path | None = None) -> Path:
    """Run `dbt docs generate --static` over `duckdb_path`; return the static page.

    The page embeds the catalog (tables, columns and their types) read from the
    database now, and the manifest.json the last `run_dbt_build` left in the same
    target folder, so it describes the models and tests as they were built, with
    their compiled SQL. That invocation neither compiles again nor rewrites
    manifest.json (--no-compile --no-write-json), and it reuses the build's parse.
    Without a manifest.json there (no build into this folder yet), dbt compiles the
    project and writes one first. Raises RuntimeError when dbt fails.
    """
    duckdb_path = Path(duckdb_path).resolve()
    target = _target_dir(duckdb_path, target_dir)
    page = target / "static_index.html"
    page.unlink(missing_ok=True)  # never hand back the page of an earlier run
    reuse = ["--no-compile", "--no-write-json"] if (target / "manifest.json").exists() else []
    outcome = _invoke(["docs", "generate", "--static", *reuse, "--quiet"],
                      duckdb_path, target, project_dir)
    if not outcome.success or not page.exists():
        raise RuntimeError(f"dbt docs generate failed: {outcome.exception or 'see ' + str(target)}")
    return page


def _target_dir(duckdb_path: Path, target_dir: Path | None) -> Path:
    target = Path(target_dir or duckdb_path.parent / "dbt_target").resolve()
    target.mkdir(parents=True, exist_ok=True)
    return target


def _invoke(command: list[str], duckdb_path: Path, target: Path,
            project_dir: Path | None) -> Any:
    """One dbtRunner invocation with the flags and --vars every caller shares.

    Identical --vars and profile keep a saved partial_parse.msgpack valid from one
    invocation to the next, in this target folder and (through the parse cache) in
    a fresh one; dbt-duckdb's cached database is closed after.

    The profile's `path` is the database's file name, and dbt runs with the
    database's folder as the working directory (DuckDB opens a relative path from
    there). dbt hashes the profile's connection values into its parse state, so an
    absolute path would make every new warehouse folder parse the whole project
    again; the file name (and the catalog name dbt-duckdb derives from it) is the
    same for every warehouse (`Settings.build_db`, the tests, bench/). The change of
    directory is process-wide but safe here: the caller waits for dbt (in-process,
    dbtRunner), and Airflow runs each task in its own process (or, under `airflow
    dags test`, one task after another), so nothing else in the process resolves
    relative paths meanwhile; it is undone when dbt returns or raises.
    """
    from dbt.cli.main import dbtRunner

    project = Path(project_dir or DBT_PROJECT_DIR).resolve()
    args = [
        *command,
        "--project-dir", str(project),
        "--profiles-dir", str(project),
        "--target-path", str(target),
        "--log-path", str(target / "logs"),
        "--no-use-colors",
        "--no-send-anonymous-usage-stats",
        "--vars", json.dumps(project_vars()),
    ]
    saved = target / PARTIAL_PARSE_FILE
    cached = _parse_cache_file(project, duckdb_path.name)
    _seed_parse(cached, saved)
    before = _file_stamp(saved)
    with _environment({DUCKDB_PATH_VAR: duckdb_path.name, "DBT_PROFILES_DIR": str(project)}), \
            chdir(duckdb_path.parent):
        try:
            outcome = dbtRunner(callbacks=_fault_hooks()).invoke(args)
        finally:
            _close_dbt_duckdb()
    if _file_stamp(saved) != before:  # dbt parsed (fully or partly) and saved its parse
        _share_parse(saved, cached)
    return outcome


def _fault_hooks() -> list:
    """dbt event callbacks of the fault tests: none unless CLAIMLEDGER_FAULT names build_marts."""
    if not fault_armed("build_marts"):
        return []

    def on_event(event: Any) -> None:
        if event.info.name == "LogModelResult":  # a model has been written to the database
            fault_point("build_marts", "during_write")

    return [on_event]


def _parse_cache_file(project: Path, database_file_name: str) -> Path:
    """Where the shared parse of `project` lives for databases named `database_file_name`.

    One per dbt version and database file name, the parts of dbt's parse state
    that differ between checkouts or warehouses, so they do not overwrite each
    other's parse; dbt still checks everything else (files, vars, dbt_project.yml).
    """
    from dbt.version import __version__

    return project / PARSE_CACHE_DIR / __version__ / database_file_name / PARTIAL_PARSE_FILE


def _seed_parse(cached: Path, saved: Path) -> None:
    """Copy the shared parse into a target folder that has none of its own.

    Best effort: without a readable cache dbt parses the whole project, as it would
    anyway. A stale or damaged copy is safe too: dbt re-parses what changed, or
    everything when the state check fails or the file does not load.
    """
    if saved.exists() or not cached.exists():
        return
    try:
        _copy_atomically(cached, saved)
    except OSError:
        return


def _share_parse(saved: Path, cached: Path) -> None:
    """Offer the parse dbt just saved in a target folder to every later fresh folder.

    Written to a temporary file beside the cache and renamed over it, so another
    process (parallel tests, a second pipeline) reads the old file or the new one,
    never half of one. Best effort: a read-only project only loses the speed-up.
    """
    if not saved.exists():
        return
    try:
        cached.parent.mkdir(parents=True, exist_ok=True)
        _copy_atomically(saved, cached)
    except OSError:
        return


def _copy_atomically(source: Path, destination: Path) -> None:
    handle, temporary = tempfile.mkstemp(dir=destination.parent, prefix=f".{destination.name}.")
    os.close(handle)
    try:
        shutil.copyfile(source, temporary)
        shutil.copymode(source, temporary)  # mkstemp's 0600 would hide it from other users
        os.replace(temporary, destination)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise


def _file_stamp(path: Path) -> tuple[int, int] | None:
    try:
        stat = path.stat()
    except FileNotFoundError:
        return None
    return stat.st_mtime_ns, stat.st_size


@contextmanager
def _environment(values: dict[str, str]) -> Iterator[None]:
    """Set environment variables for the duration of the block, then restore them."""
    saved = {key: os.environ.get(key) for key in values}
    os.environ.update(values)
    try:
        yield
    finally:
        for key, old in saved.items():
            if old is None:
                os.environ.pop(key, None)
            else:
                os.environ[key] = old


def project_vars() -> dict[str, Any]:
    """The dbt --vars every invocation passes, read from the files that own them.

    The closed reason vocabularies (transforms/rules/reasons.yml), the removal reasons
    whose paragraphs still count as evidence (cleaning.yml), the scale words a
    figure may carry (numbers.yml), the trade flows (trade.yml) and the row bounds of
    a plausible trade figure (expectations/thresholds.yml, shared with the Great
    Expectations suites). dbt_project.yml holds a copy for hand runs;
    tests/dbt/test_dbt_project.py fails when it drifts. Passing the files' current
    content means the pipeline's tests never lag behind a new code or threshold.
    """
    import yaml

    def read(path: Path) -> dict[str, Any]:
        return yaml.safe_load(path.read_text(encoding="utf-8"))

    reasons = read_rules("reasons")
    trade_bounds = read(THRESHOLDS_YML)["fct_trade_figures"]
    trade = read_rules("trade")
    return {
        **{name: reasons[name] for name in REASON_VOCABULARIES},
        "figure_scales": sorted(read_rules("numbers")["scale_factors"]),
        "evidence_reasons": read_rules("cleaning")["evidence_reasons"],
        "trade_flows": sorted(trade["flows"]),
        "trade_flow_phrases": sorted({phrase.lower() for phrases in trade["flows"].values()
                                      for phrase in phrases}),
        "trade_plausibility": {name: trade_bounds[name] for name in TRADE_ROW_BOUNDS},
    }


def _close_dbt_duckdb() -> None:
    """Close the DuckDB database dbt-duckdb keeps open in this process after a run.

    dbt-duckdb caches one connection per process (DuckDBConnectionManager._ENV) and
    only drops it at interpreter exit; while it is open, the same process cannot
    open the file again with another configuration (read-only, or the warehouse's
    storage_compatibility_version), and the next writer task would fail.
    """
    import gc

    from dbt.adapters.duckdb.connections import DuckDBConnectionManager

    with DuckDBConnectionManager._LOCK:
        environment = DuckDBConnectionManager._ENV
        DuckDBConnectionManager._ENV = None
        if environment is not None:
            environment.close()
    gc.collect()  # cursors dbt still references keep the database instance alive


def _resource_type(result: Any) -> str:
    return str(getattr(result.node.resource_type, "value", result.node.resource_type))


def _status(result: Any) -> str:
    return str(getattr(result.status, "value", result.status)).lower()


def _test_row(result: Any) -> dict[str, Any]:
    node = result.node
    status = _status(result)
    status = "fail" if status == "warn" else status
    severity = str(node.config.severity).lower()
    failures = result.failures if status in ("pass", "fail") else None
    where = ".".join(p for p in (_tested_model(node), getattr(node, "column_name", None)) if p)
    message = result.message or ("passed" if status == "pass" else status)
    return {
        "check_name": node.name,
        "check_source": "dbt",
        "severity": "warn" if severity == "warn" else "error",
        "status": status,
        "failing_row_count": failures,
        "failing_sample": None,
        "message": f"{where}: {message}" if where else message,
    }


def _tested_model(node: Any) -> str | None:
    attached = getattr(node, "attached_node", None)
    if attached:
        return attached.split(".")[-1]
    parents = [p.split(".")[-1] for p in getattr(node.depends_on, "nodes", [])]
    return ",".join(parents) or None


def _unit_tested_model(node: Any) -> str | None:
    tested = getattr(node, "tested_node_unique_id", None) or getattr(node, "model", None)
    return tested.split(".")[-1] if tested else None


def _with_failing_samples(results: pl.DataFrame, node_results: list[Any],
                          duckdb_path: Path) -> pl.DataFrame:
    """Fill failing_sample with the first rows each failing test returns (JSON lines).

    Tests return their offending rows, so rerunning the compiled SQL after the build
    shows which rows; failures here leave the sample empty rather than the run.
    """
    failing = {r.node.name: r.node.compiled_code for r in node_results
               if _resource_type(r) == "test" and _status(r) in ("fail", "warn")
               and (r.failures or 0) > 0 and getattr(r.node, "compiled_code", None)}
    if not failing:
        return results
    import duckdb

    samples: dict[str, str] = {}
    try:
        con = duckdb.connect(str(duckdb_path), read_only=True)
    except duckdb.Error:
        return results
    try:
        for name, sql in failing.items():
            try:
                cursor = con.execute(f"select * from ({sql}) as failing limit {SAMPLE_ROWS}")
                names = [d[0] for d in cursor.description]
                lines = [json.dumps({n: _shortened(v) for n, v in zip(names, row, strict=True)},
                                    default=str, ensure_ascii=False)
                         for row in cursor.fetchall()]
                samples[name] = "\n".join(lines)
            except duckdb.Error:
                continue
    finally:
        con.close()
    return results.with_columns(
        failing_sample=pl.col("check_name").replace_strict(
            samples, default=None, return_dtype=pl.String))


def _shortened(value: Any) -> Any:
    if isinstance(value, str) and len(value) > SAMPLE_VALUE_CHARS:
        return value[:SAMPLE_VALUE_CHARS] + "…"
    return value


def _summary(outcome: Any, node_results: list[Any]) -> str:
    if outcome.exception is not None:
        return f"dbt could not run: {outcome.exception}"
    bad = [f"{_resource_type(r)} {r.node.name}: {_status(r)}"
           for r in node_results if _status(r) in ("error", "fail")]
    if not node_results:
        return "dbt ran no nodes"
    summary = f"{len(node_results)} nodes, {len(bad)} failed"
    return f"{summary}: " + "; ".join(bad[:10]) if bad else summary
