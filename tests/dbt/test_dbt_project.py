"""Checks of dbt_project/: vocabularies, YAML docs and test coverage, seeds (static), and
one `dbt build` proving the model-level columns_hold test fails where the tests it
replaced would have."""

from __future__ import annotations

import copy
import csv
import json
import re
from collections.abc import Iterator
from datetime import date
from pathlib import Path
from typing import Any

import polars as pl
import yaml

from tests.dbt.test_dbt_build import make_raw_db, raw_frames
from transforms.checks.dbt_build import project_vars, run_dbt_build

REPO = Path(__file__).resolve().parents[2]
PROJECT = REPO / "dbt_project"
# The column checks tests/generic/test_columns_hold.sql folds into one test per model
# (its arguments are named for them); they may appear nowhere else.
FOLDED_CHECKS = ("not_null", "not_empty_string", "value_in_range", "accepted_values",
                 "matches_pattern", "expression_is_true")
# Arguments of other generic tests that point into another model, not at a column.
FOREIGN_ARGUMENTS = {"to", "field"}


def _model_yamls(folder: str) -> list[dict]:
    models = []
    for path in sorted((PROJECT / "models" / folder).rglob("_*.yml")):
        models.extend(yaml.safe_load(path.read_text(encoding="utf-8")).get("models", []))
    return models


def _seed_yamls() -> list[dict]:
    return yaml.safe_load((PROJECT / "seeds" / "_seeds.yml").read_text(encoding="utf-8"))["seeds"]


def _tests(entries: list | None) -> Iterator[tuple[str, dict[str, Any], dict[str, Any]]]:
    """(test name, arguments, config) of each entry of a data_tests list."""
    for entry in entries or []:
        if isinstance(entry, str):
            yield entry, {}, {}
            continue
        ((name, body),) = entry.items()
        body = body or {}
        yield name, body.get("arguments") or {}, body.get("config") or {}


def _words(text: str) -> set[str]:
    return set(re.findall(r"[a-z_][a-z0-9_]*", text))


def _columns_hold_listed(arguments: dict[str, Any]) -> set[str]:
    """The columns a columns_hold test checks by name (not in its expressions)."""
    listed = set(arguments.get("not_null", [])) | set(arguments.get("not_empty_string", []))
    for check in ("value_in_range", "accepted_values", "matches_pattern"):
        listed |= set(arguments.get(check, {}))
    return listed


def _named_by(name: str, arguments: dict[str, Any]) -> set[str]:
    """Every word a test's arguments name: columns_hold's lists and expressions, other
    tests' column arguments (end_column, other_column, combination_of_columns...)."""
    if name == "columns_hold":
        named = _columns_hold_listed(arguments)
        for expression in arguments.get("expression_is_true", []):
            named |= _words(expression)
        return named
    named: set[str] = set()
    for key, value in arguments.items():
        if key not in FOREIGN_ARGUMENTS:
            named |= {v for v in (value if isinstance(value, list) else [value])
                      if isinstance(v, str)}
    return named


def untested_columns(model: dict) -> list[str]:
    """The model's columns no test checks: none on the column, none of the model's tests
    (or its columns' tests) names it, and no config.meta.tested_by file (a singular test
    or an expectation suite, path from the repo root) mentions it."""
    named: set[str] = set()
    for name, arguments, _ in _tests(model.get("data_tests")):
        named |= _named_by(name, arguments)
    for column in model["columns"]:
        for name, arguments, _ in _tests(column.get("data_tests")):
            named |= _named_by(name, arguments)
    untested = []
    for column in model["columns"]:
        tested_by = (column.get("config") or {}).get("meta", {}).get("tested_by")
        if column.get("data_tests") or column["name"] in named:
            continue
        if tested_by and column["name"] in _words((REPO / tested_by).read_text("utf-8")):
            continue
        untested.append(column["name"])
    return untested


def test_dbt_project_vars_match_the_rules_files_they_are_copied_from() -> None:
    """dbt_project.yml's vars (for hand runs) equal what the pipeline passes: the
    vocabularies of reasons.yml, numbers.yml and trade.yml and the trade row bounds of
    expectations/thresholds.yml."""
    reasons = yaml.safe_load((REPO / "transforms" / "rules" / "reasons.yml").read_text())
    in_project = yaml.safe_load((PROJECT / "dbt_project.yml").read_text())["vars"]
    passed = project_vars()
    for vocabulary in ("removal_reasons", "quarantine_reasons", "rejection_checks"):
        assert passed[vocabulary] == reasons[vocabulary], vocabulary
    for name, value in passed.items():
        assert in_project.get(name) == value, name


def test_every_model_states_its_grain_and_every_mart_column_is_described_and_tested() -> None:
    for model in _model_yamls(""):
        assert model.get("description", "").startswith("One row per"), model["name"]
    for model in _model_yamls("marts"):
        for column in model["columns"]:
            assert column.get("description", "").strip(), (model["name"], column["name"])
        assert untested_columns(model) == [], model["name"]


def test_a_mart_column_dropped_from_its_columns_hold_lists_counts_as_untested() -> None:
    claims = copy.deepcopy(next(m for m in _model_yamls("marts") if m["name"] == "fct_claims"))
    assert untested_columns(claims) == []
    for name, arguments, _ in _tests(claims["data_tests"]):
        if name == "columns_hold":
            for check in ("not_null", "not_empty_string"):
                if "claim_text" in arguments.get(check, []):
                    arguments[check].remove("claim_text")
    assert untested_columns(claims) == ["claim_text"]


def test_column_checks_are_folded_into_columns_hold_tests_on_known_columns() -> None:
    """One columns_hold test per model and severity: no column-level not_null & co.
    (each would be a dbt node of its own), every listed column exists, and the
    closed vocabularies come from the dbt vars (reasons.yml), not a copy."""
    vocabularies = {"removal_reason": "removal_reasons", "reason_code": "quarantine_reasons",
                    "stage": "quarantine_stages"}
    for model in _model_yamls("") + _seed_yamls():
        columns = {c["name"] for c in model["columns"]}
        for column in model["columns"]:
            for name, _, _ in _tests(column.get("data_tests")):
                assert name not in FOLDED_CHECKS, (model["name"], column["name"], name)
        severities = []
        for name, arguments, config in _tests(model.get("data_tests")):
            assert name not in FOLDED_CHECKS, (model["name"], name)
            if name != "columns_hold":
                continue
            severities.append(config.get("severity", "error"))
            assert set(arguments) <= {*FOLDED_CHECKS, "key_column"}, model["name"]
            assert _columns_hold_listed(arguments) <= columns, model["name"]
            for column, values in arguments.get("accepted_values", {}).items():
                if column in vocabularies:
                    assert f"var('{vocabularies[column]}')" in values, (model["name"], column)
        assert len(severities) == len(set(severities)), model["name"]


def test_columns_hold_fails_with_one_row_per_failing_column_check(tmp_path: Path) -> None:
    frames = raw_frames()
    quarantine = frames["quarantine"].row(0, named=True)
    frames["quarantine"] = pl.concat([frames["quarantine"], pl.DataFrame([
        # a blank source and a URL without a host (not refused for that): two errors on
        # rpt_quarantine
        {**quarantine, "quarantine_id": "q2", "source_name": "  ", "url": "no scheme"},
        # a javascript: URL refused as unsupported_url has no host, and passes
        {**quarantine, "quarantine_id": "q4", "url": "javascript:alert(1)",
         "reason_code": "unsupported_url"},
        # absent ones pass, as they did for not_empty_string
        {**quarantine, "quarantine_id": "q3", "source_name": None, "url": None},
    ], schema=frames["quarantine"].schema)])
    figures = frames["figure_mentions"]
    quote = frames["sentences"].filter(pl.col("text").str.starts_with("Lavrov")).row(0, named=True)
    frames["figure_mentions"] = pl.concat([figures, pl.DataFrame([{
        # no number read and an implausible amount: two warnings on fct_figures
        "figure_id": f"{quote['sentence_id']}-f0", "article_id": quote["article_id"],
        "sentence_id": quote["sentence_id"], "raw_text": "Lavrov", "span_start": 0,
        "span_end": 6, "quantity_kind": "money", "unit": "USD", "currency": "USD",
        "value": None, "value_usd": 2e15, "decimals": 0, "is_approximate": False,
        "is_range": False,
    }], schema=figures.schema)], how="vertical")
    articles = frames["articles"]
    frames["articles"] = articles.with_columns(
        # a malformed hash and a date before the corpus: two warnings on dim_articles
        content_hash=pl.when(pl.col("article_id").str.starts_with("b"))
        .then(pl.lit("not-a-hash")).otherwise(pl.col("content_hash")),
        published_date=pl.when(pl.col("article_id").str.starts_with("c"))
        .then(pl.lit(date(1980, 1, 1))).otherwise(pl.col("published_date")),
    )
    db = make_raw_db(tmp_path / "claimledger.duckdb", frames)

    result = run_dbt_build(db, target_dir=tmp_path / "dbt")

    assert not result.success
    failing = {r["check_name"]: r for r in result.results.filter(pl.col("status") != "pass")
               .iter_rows(named=True)}
    figure_id = f"{quote['sentence_id']}-f0"
    expected = {
        "columns_hold_rpt_quarantine": ("error", [
            ("source_name", "not_empty_string", 1, "  ", "q2"),
            (None, "expression_is_true", 1, None, "q2")]),
        "columns_hold_fct_figures_warn": ("warn", [
            ("value", "not_null", 1, None, figure_id),
            ("value_usd", "value_in_range", 1, "2000000000000000.0", figure_id)]),
        "columns_hold_dim_articles_warn": ("warn", [
            ("content_hash", "matches_pattern", 1, "not-a-hash", "b000000000000002"),
            (None, "expression_is_true", 1, None, "c000000000000003")]),
    }
    assert set(failing) == set(expected)  # every other check ran and passed
    for check_name, (severity, rows) in expected.items():
        row = failing.pop(check_name)
        # dbt counts failing rows, as the separate tests did together
        assert (row["status"], row["severity"], row["failing_row_count"]) == (
            "fail", severity, len(rows)), row
        sample = [json.loads(line) for line in row["failing_sample"].splitlines()]
        assert [(s["column_name"], s["test_name"], s["failing_row_count"], s["sample_value"],
                 s["sample_key"]) for s in sample] == rows, check_name
        assert all(s["requirement"] for s in sample)


def test_every_model_file_has_a_yaml_entry_and_the_other_way_round() -> None:
    sql_names = {p.stem for p in (PROJECT / "models").rglob("*.sql")}
    yaml_names = {m["name"] for m in _model_yamls("")}
    assert sql_names == yaml_names


def test_reference_trade_statistics_are_full_dollars_with_bilateral_pairs_sorted() -> None:
    with (PROJECT / "seeds" / "reference_trade_statistics.csv").open(newline="") as handle:
        rows = list(csv.DictReader(handle))
    assert rows
    for row in rows:
        assert float(row["value_usd"]) > 1e9, row  # "146.88 billion" stored as 146880000000
        if row["flow"] == "bilateral":
            assert row["reporter"] < row["partner"], row


def test_every_raw_and_audit_table_is_a_dbt_source_with_its_columns() -> None:
    schema_sql = (REPO / "transforms" / "warehouse" / "raw_schema.sql").read_text()
    tables = dict(re.findall(r"create table if not exists (\w+\.\w+) \((.*?)\n\);",
                             schema_sql, flags=re.S))
    sources_yml = PROJECT / "models" / "staging" / "raw" / "_raw__sources.yml"
    declared = {f"{source['schema']}.{table['name']}": [c["name"] for c in table["columns"]]
                for source in yaml.safe_load(sources_yml.read_text())["sources"]
                for table in source["tables"]}
    assert set(declared) == set(tables)
    for table, body in tables.items():
        columns = re.findall(r"^\s+(\w+) [a-z]", body, flags=re.M)
        columns = [c for c in columns if c != "primary"]
        assert declared[table] == columns, table
