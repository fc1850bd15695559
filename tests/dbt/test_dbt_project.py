"""Static checks of dbt_project/ that need no dbt run: vocabularies, YAML docs, seeds."""

from __future__ import annotations

import csv
import re
from pathlib import Path

import yaml

REPO = Path(__file__).resolve().parents[2]
PROJECT = REPO / "dbt_project"


def _model_yamls(folder: str) -> list[dict]:
    models = []
    for path in sorted((PROJECT / "models" / folder).rglob("_*.yml")):
        models.extend(yaml.safe_load(path.read_text(encoding="utf-8")).get("models", []))
    return models


def test_dbt_vocabularies_match_reasons_yml() -> None:
    reasons = yaml.safe_load((REPO / "transforms" / "rules" / "reasons.yml").read_text())
    project_vars = yaml.safe_load((PROJECT / "dbt_project.yml").read_text())["vars"]
    for vocabulary in ("removal_reasons", "quarantine_reasons"):
        assert project_vars[vocabulary] == reasons[vocabulary], vocabulary


def test_every_model_states_its_grain_and_every_mart_column_is_described() -> None:
    for model in _model_yamls(""):
        assert model.get("description", "").startswith("One row per"), model["name"]
    for model in _model_yamls("marts"):
        for column in model["columns"]:
            assert column.get("description", "").strip(), (model["name"], column["name"])


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
    schema_sql = (REPO / "transforms" / "sql" / "raw_schema.sql").read_text()
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
