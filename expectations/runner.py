"""Run the Great Expectations suites over the marts and summarise them for audit.

The marts are read read-only from DuckDB into pandas (GX's SQL datasource fails on
DuckDB, great_expectations#10738) with a short-lived connection that is closed
before any validation starts, and validated in an ephemeral GX context. Data Docs
HTML is written under ``docs_dir``, with its CDN files replaced by vendored copies
(expectations/offline_docs.py) so it renders offline. Nothing is written to DuckDB: the results come
back as a polars frame for the pipeline's single writer to store in
audit.quality_results.
"""

from __future__ import annotations

import datetime as dt
import logging
import re
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

import polars as pl

from expectations.offline_docs import MANIFEST, localize_site
from expectations.suites import (
    MART_KEYS,
    SUITE_BUILDERS,
    check_name,
    load_thresholds,
    run_parameters,
    suite_columns,
    with_derived_columns,
)
from transforms.checks.gate import verdict_of_results
from transforms.kernel.audit import QUALITY_RESULT_SCHEMA

if TYPE_CHECKING:
    from collections.abc import Mapping, Sequence

    import pandas as pd

log = logging.getLogger(__name__)

CHECK_SOURCE = "great_expectations"
DOCS_SITE_NAME = "claimledger"
# Failing keys kept per check in failing_sample (GX's partial_unexpected_count).
SAMPLE_SIZE = 5

RESULT_SCHEMA = QUALITY_RESULT_SCHEMA


@dataclass(frozen=True)
class QualityOutcome:
    """What a quality run found.

    verdict: transforms/checks/gate.py's pass | warn | fail of the results.
    results: one row per check (RESULT_SCHEMA). docs_index: the Data Docs index.html
    (None when no mart could be read, so nothing was rendered).
    """

    verdict: str
    results: pl.DataFrame
    docs_index: Path | None


def run_quality_checks(
    duckdb_path: Path,
    *,
    run_id: str,
    ingest_date: dt.date,
    docs_dir: Path,
    schema: str = "marts",
    thresholds: Mapping[str, Any] | None = None,
) -> QualityOutcome:
    """Validate every mart in ``schema`` of the DuckDB file at ``duckdb_path``.

    A missing mart yields a failing 'error' row ('gx.<mart>.mart_exists'), not an
    exception; a suite GX cannot run yields 'gx.<mart>.suite_ran'. A missing database
    file raises FileNotFoundError. Data Docs go to ``docs_dir`` and show this run
    only (GX's site builder drops the pages of earlier runs in that folder).
    """
    duckdb_path = Path(duckdb_path)
    thresholds = thresholds or load_thresholds()
    frames = read_marts(duckdb_path, schema=schema,
                        columns={mart: suite_columns(mart, thresholds) for mart in MART_KEYS})
    article_count = len(frames["dim_articles"]) if "dim_articles" in frames else None

    rows = [_missing_mart_row(mart, schema) for mart in MART_KEYS if mart not in frames]
    docs_index = None
    if frames:
        validated, docs_index = _validate(
            {mart: with_derived_columns(mart, df, thresholds) for mart, df in frames.items()},
            parameters=run_parameters(article_count, thresholds),
            run_name=_run_name(run_id, ingest_date),
            docs_dir=Path(docs_dir),
            thresholds=thresholds,
        )
        rows += validated
    results = pl.DataFrame(rows, schema=RESULT_SCHEMA, orient="row").sort("check_name")
    return QualityOutcome(verdict=verdict_of_results(results), results=results,
                          docs_index=docs_index)


def read_marts(
    duckdb_path: Path,
    *,
    schema: str = "marts",
    columns: Mapping[str, Sequence[str]] | None = None,
) -> dict[str, pd.DataFrame]:
    """The marts that exist in ``schema``, as pandas frames keyed by mart name.

    columns: per mart, the columns to read (those the table has; a missing one is left
    for its expectation to report); a mart not named there is read whole.
    One read-only connection, closed before returning (DuckDB allows one writer per
    file; a reader must not hold it open).
    """
    import duckdb

    if not duckdb_path.exists():
        raise FileNotFoundError(f"no DuckDB warehouse at {duckdb_path}")
    con = duckdb.connect(str(duckdb_path), read_only=True)
    try:
        present: dict[str, set[str]] = {}
        for table, column in con.execute(
            "select table_name, column_name from information_schema.columns "
            "where table_schema = ?",
            [schema],
        ).fetchall():
            present.setdefault(table, set()).add(column)
        frames = {}
        for mart in MART_KEYS:
            if mart not in present:
                continue
            wanted = (columns or {}).get(mart)
            chosen = [c for c in wanted if c in present[mart]] if wanted else []
            select = ", ".join(f'"{c}"' for c in chosen) if chosen else "*"
            frames[mart] = con.execute(f'select {select} from "{schema}"."{mart}"').df()
        return frames
    finally:
        con.close()


def _run_name(run_id: str, ingest_date: dt.date) -> str:
    # Data Docs put the run name in file paths and links: keep it to safe characters.
    return f"{ingest_date.isoformat()}__{re.sub(r'[^A-Za-z0-9._-]+', '_', run_id)}"


def _missing_mart_row(mart: str, schema: str) -> tuple:
    return (
        f"gx.{mart}.mart_exists",
        CHECK_SOURCE,
        "error",
        "fail",
        None,
        None,
        f"table {schema}.{mart} does not exist: dbt did not build it, so its suite could not run",
    )


def _suite_error_row(mart: str, error: Exception) -> tuple:
    return (
        f"gx.{mart}.suite_ran",
        CHECK_SOURCE,
        "error",
        "fail",
        None,
        None,
        f"the {mart} suite raised {type(error).__name__}: {error}"[:2000],
    )


def quiet_gx_logging() -> None:
    """Keep GX's INFO/DEBUG chatter out of task logs; its warnings and errors still show.

    Lowering the package logger is not enough: some GX modules pin their own logger to
    INFO at import (data_context/types/base.py), so call this again after importing GX.
    """
    logging.getLogger("great_expectations").setLevel(logging.WARNING)
    for name, logger in list(logging.root.manager.loggerDict.items()):
        if (
            name.startswith("great_expectations.")
            and isinstance(logger, logging.Logger)
            and logger.level != logging.NOTSET
            and logger.level < logging.WARNING
        ):
            logger.setLevel(logging.WARNING)


def _validate(
    frames: Mapping[str, pd.DataFrame],
    *,
    parameters: Mapping[str, Any],
    run_name: str,
    docs_dir: Path,
    thresholds: Mapping[str, Any],
) -> tuple[list[tuple], Path]:
    """Run each mart's suite in one ephemeral context; return result rows and docs index."""
    quiet_gx_logging()
    import great_expectations as gx
    from great_expectations.core.run_identifier import RunIdentifier
    from great_expectations.data_context.types.base import ProgressBarsConfig

    quiet_gx_logging()
    context = gx.get_context(mode="ephemeral")
    # tqdm bars per metric batch would flood the task log.
    context.variables.progress_bars = ProgressBarsConfig(globally=False)
    # The ephemeral context ships a 'local_site' in a temp dir; only ours is wanted.
    for site_name in list(context.list_data_docs_sites()):
        context.delete_data_docs_site(site_name)
    context.add_data_docs_site(
        site_name=DOCS_SITE_NAME,
        site_config={
            "class_name": "SiteBuilder",
            "store_backend": {
                "class_name": "TupleFilesystemStoreBackend",
                "base_directory": str(docs_dir),
            },
            "site_index_builder": {"class_name": "DefaultSiteIndexBuilder"},
        },
    )
    datasource = context.data_sources.add_pandas("claimledger_marts")
    run_identifier = RunIdentifier(run_name=run_name, run_time=dt.datetime.now(dt.UTC))

    rows: list[tuple] = []
    for mart, df in frames.items():
        suite = context.suites.add(SUITE_BUILDERS[mart](thresholds))
        batch_definition = datasource.add_dataframe_asset(
            mart
        ).add_batch_definition_whole_dataframe(mart)
        validation = context.validation_definitions.add(
            gx.ValidationDefinition(name=mart, data=batch_definition, suite=suite)
        )
        key = MART_KEYS[mart]
        result_format: dict[str, Any] = {
            "result_format": "SUMMARY",
            "partial_unexpected_count": SAMPLE_SIZE,
        }
        if key in df.columns:
            # Name failing rows by their key, not by their pandas index.
            result_format["unexpected_index_column_names"] = [key]
        # A Checkpoint (rather than validation.run) stores the result, which Data
        # Docs then render; no actions: the docs are built once, after all marts.
        checkpoint = context.checkpoints.add(
            gx.Checkpoint(
                name=f"{mart}_checkpoint",
                validation_definitions=[validation],
                result_format=result_format,
            )
        )
        try:
            outcome = checkpoint.run(
                batch_parameters={"dataframe": df},
                expectation_parameters=dict(parameters),
                run_id=run_identifier,
            )
        except Exception as error:  # one broken suite must not hide the other marts' results
            log.exception("GX suite %s did not run", mart)
            rows.append(_suite_error_row(mart, error))
            continue
        for suite_result in outcome.run_results.values():
            rows += [_result_row(mart, key, r) for r in suite_result.results]

    urls = context.build_data_docs(site_names=[DOCS_SITE_NAME])
    unknown = localize_site(docs_dir)
    if unknown:
        log.warning("Data Docs: removed remote files not in %s: %s", MANIFEST, unknown)
    log.info("Data Docs for %s: %s", run_name, urls.get(DOCS_SITE_NAME))
    return rows, docs_dir / "index.html"


def _result_row(mart: str, key: str, result: Any) -> tuple:
    """One audit row from an ExpectationValidationResult."""
    config = result.expectation_config
    meta = config.meta or {}
    status = "pass" if result.success else "fail"
    details = result.result or {}
    unexpected = details.get("unexpected_count")
    error = _exception_message(result.exception_info)
    if error:
        summary = f"could not evaluate: {error}"
    elif unexpected is not None:
        summary = f"{unexpected} of {details.get('element_count')} rows unexpected"
        if config.kwargs.get("mostly") is not None:
            summary += f" (allowed share {1 - config.kwargs['mostly']:.2f})"
    elif details.get("observed_value") is None:
        # A mean or median over no values (a day with no trade rows) says nothing about the
        # data: not a failure of it, and not a warning to read every quiet day.
        status = "skipped"
        summary = "not evaluated: no non-null values to aggregate"
    else:
        summary = f"observed {_plain(details.get('observed_value'))}"
    expected = _expected_range(config.kwargs)
    if expected:
        summary += f"; expected {expected}"
    if status == "fail" and meta.get("why"):
        summary += f". Why it matters: {meta['why']}"
    return (
        check_name(mart, config.type, config.kwargs, meta),
        CHECK_SOURCE,
        meta.get("severity", "error"),
        status,
        int(unexpected) if unexpected is not None else None,
        _failing_sample(details, key) if unexpected else None,
        summary,
    )


def _failing_sample(details: Mapping[str, Any], key: str) -> str | None:
    """Up to SAMPLE_SIZE failing keys ('tf-1, tf-9'), else the failing values."""
    indexed = details.get("partial_unexpected_index_list") or []
    keys = [str(row[key]) for row in indexed if isinstance(row, dict) and key in row]
    if not keys:
        keys = [str(_plain(value)) for value in details.get("partial_unexpected_list") or []]
    keys = list(dict.fromkeys(keys))[:SAMPLE_SIZE]
    return ", ".join(keys) or None


def _exception_message(info: Any) -> str | None:
    # GX gives either {raised_exception, exception_message} or, when a metric failed,
    # {metric id: {raised_exception, exception_message, ...}}.
    if not isinstance(info, dict):
        return None
    entries = [info] if "raised_exception" in info else list(info.values())
    messages = [
        str(entry.get("exception_message"))
        for entry in entries
        if isinstance(entry, dict) and entry.get("raised_exception")
    ]
    return "; ".join(dict.fromkeys(messages)) or None


def _expected_range(kwargs: Mapping[str, Any]) -> str | None:
    low, high = kwargs.get("min_value"), kwargs.get("max_value")
    if low is None and high is None:
        return None
    low_text = "-inf" if low is None else _plain(low)
    high_text = "inf" if high is None else _plain(high)
    return f"[{low_text}, {high_text}]"


def _plain(value: Any) -> Any:
    # numpy scalars print as np.float64(...); audit messages want plain numbers.
    return value.item() if hasattr(value, "item") and callable(value.item) else value
