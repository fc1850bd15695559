"""Whether the marts' inputs are what they were when the last passing build vouched for them.

A day with nothing new leaves every row the dbt models read as it was: the same marts come
out of a `dbt build`, the same results out of its tests and out of the Great Expectations
suites. Such a run carries the last passing run's results instead of building again
(`transforms/pipeline/runs.py`).

The fingerprint of the marts' inputs is the project's (`project_fingerprint`: dbt version,
--vars, models, macros, seeds, dbt_project.yml) plus the singular tests, and, for each table
a model reads through `source()`, its row count and the sum of its rows' hashes: any row
added, removed, or rewritten by another run (every raw row carries its run_id) changes it.
The Great Expectations fingerprint adds the suites' code and thresholds to it.

A vouch (`<warehouse>/state/vouched_<step>.json`: fingerprint and run_id) is written only
after a step passed, and withdrawn before a step writes: a build killed halfway leaves no
vouch, and the rerun builds. A real build withdraws the checks' vouch too, since the marts
it writes are no longer the ones those checks saw.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import tempfile
from collections.abc import Iterable
from contextlib import closing
from dataclasses import dataclass
from pathlib import Path

import duckdb
import polars as pl

from transforms.checks.dbt_build import RESULT_SCHEMA, project_fingerprint
from transforms.kernel.settings import Settings

BUILD_STEP = "build_marts"
CHECKS_STEP = "check_quality"
# `source('raw', 'articles')` in a model's SQL (dbt's own call, either quote).
_SOURCE_CALL = re.compile(r"""source\(\s*['"](\w+)['"]\s*,\s*['"](\w+)['"]\s*\)""")
CARRIED_PREFIX = "carried from run "
EXPECTATIONS_DIR = Path(__file__).resolve().parents[2] / "expectations"
EXPECTATIONS_FILES = ("runner.py", "suites.py", "thresholds.yml")


@dataclass(frozen=True)
class Vouch:
    """The fingerprint a step passed on, and the run it passed in."""

    fingerprint: str
    run_id: str


def model_sources(project: Path) -> list[tuple[str, str]]:
    """The (schema, table) pairs the project's models read through `source()`, sorted."""
    pairs = set()
    for path in sorted((project / "models").rglob("*.sql")):
        pairs.update(_SOURCE_CALL.findall(path.read_text(encoding="utf-8")))
    return sorted(pairs)


def marts_inputs_fingerprint(settings: Settings) -> str:
    """sha256 over the project and every row the models read (see the module docstring)."""
    project = Path(settings.dbt_project_dir).resolve()
    digest = hashlib.sha256(project_fingerprint(project).encode())
    _update_with_files(digest, project, sorted((project / "tests").rglob("*")))
    with closing(duckdb.connect(str(settings.build_db), read_only=True)) as con:
        for schema, table in model_sources(project):
            try:
                rows, hashes = con.execute(
                    f'select count(*), coalesce(sum(hash(t)::hugeint), 0) '
                    f'from "{schema}"."{table}" as t').fetchone()
            except duckdb.CatalogException:
                rows, hashes = -1, 0  # a missing table is a state too
            digest.update(f"\0{schema}.{table}\0{rows}\0{hashes}".encode())
    return digest.hexdigest()


def checks_fingerprint(marts_fingerprint: str) -> str:
    """The marts' fingerprint plus the Great Expectations suites that check them."""
    from importlib.metadata import version

    digest = hashlib.sha256(marts_fingerprint.encode())
    digest.update(version("great_expectations").encode())
    _update_with_files(digest, EXPECTATIONS_DIR,
                       [EXPECTATIONS_DIR / name for name in EXPECTATIONS_FILES])
    return digest.hexdigest()


def _update_with_files(digest: object, root: Path, paths: Iterable[Path]) -> None:
    for path in paths:
        if path.is_file():
            digest.update(b"\0" + str(path.relative_to(root)).encode() + b"\0")
            digest.update(path.read_bytes())


def vouch_file(settings: Settings, step: str) -> Path:
    return settings.warehouse_dir / "state" / f"vouched_{step}.json"


def vouched(settings: Settings, step: str) -> Vouch | None:
    """The step's vouch, or None (never vouched, withdrawn, or unreadable)."""
    try:
        stored = json.loads(vouch_file(settings, step).read_text(encoding="utf-8"))
        return Vouch(fingerprint=str(stored["fingerprint"]), run_id=str(stored["run_id"]))
    except (OSError, ValueError, KeyError, TypeError):
        return None


def vouch(settings: Settings, step: str, fingerprint: str, run_id: str) -> None:
    """Record that `step` passed on `fingerprint` in `run_id` (atomically)."""
    path = vouch_file(settings, step)
    path.parent.mkdir(parents=True, exist_ok=True)
    handle, temporary = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.")
    with os.fdopen(handle, "w", encoding="utf-8") as out:
        json.dump({"fingerprint": fingerprint, "run_id": run_id}, out)
        out.flush()
        os.fsync(out.fileno())
    os.replace(temporary, path)


def withdraw(settings: Settings, *steps: str) -> None:
    """Remove the steps' vouches: what they vouched for is about to change."""
    for step in steps:
        vouch_file(settings, step).unlink(missing_ok=True)


def carried_results(settings: Settings, step: str, source: str,
                    fingerprint: str) -> tuple[str, pl.DataFrame] | None:
    """(run_id, quality rows) to carry when `step` vouched for `fingerprint`, else None.

    The rows are the vouching run's `source` rows of audit.quality_results (the columns of
    RESULT_SCHEMA), each message prefixed "carried from run <run_id>: ". None when the
    vouch differs or that run's rows are gone.
    """
    found = vouched(settings, step)
    if found is None or found.fingerprint != fingerprint:
        return None
    columns = ", ".join(RESULT_SCHEMA)
    with closing(duckdb.connect(str(settings.build_db), read_only=True)) as con:
        try:
            rows = con.execute(
                f"select {columns} from audit.quality_results "
                "where run_id = ? and check_source = ? order by check_name",
                [found.run_id, source]).fetchall()
        except duckdb.CatalogException:
            return None
    if not rows:
        return None
    # A vouch is written by a real build only, so its run's rows are never carried ones.
    frame = pl.DataFrame(rows, schema=RESULT_SCHEMA, orient="row")
    return found.run_id, frame.with_columns(
        message=pl.lit(f"{CARRIED_PREFIX}{found.run_id}: ") + pl.col("message").fill_null(""))


def carried_from(messages: Iterable[str | None]) -> str | None:
    """The run a step's results were carried from, when every message says so; else None."""
    origins = {(m or "")[len(CARRIED_PREFIX):].split(": ", 1)[0]
               if (m or "").startswith(CARRIED_PREFIX) else None for m in messages}
    if len(origins) != 1:
        return None
    return origins.pop()
