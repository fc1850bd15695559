"""The one loader of the rules: YAML in transforms/rules/, seeds in dbt_project/seeds/.

Heuristics are data; every module that needs one reads it through here, so there is a
single place that knows where the rules live.
"""

from __future__ import annotations

import csv
from functools import cache
from pathlib import Path
from typing import Any

import yaml

PACKAGE_DIR = Path(__file__).resolve().parents[1]
RULES_DIR = PACKAGE_DIR / "rules"
REPO_DIR = PACKAGE_DIR.parent
# The seeds are owned by dbt (they are loaded into the warehouse for joins) and read here
# from the repository checkout, relative to this package.
SEEDS_DIR = REPO_DIR / "dbt_project" / "seeds"


def read_rules(name: str) -> dict[str, Any]:
    """transforms/rules/<name>.yml parsed now (for callers that must see the file as it is)."""
    with (RULES_DIR / f"{name}.yml").open(encoding="utf-8") as handle:
        return yaml.safe_load(handle)


@cache
def rules(name: str) -> dict[str, Any]:
    """transforms/rules/<name>.yml, parsed once per process. Callers must not mutate it."""
    return read_rules(name)


@cache
def seed_rows(name: str) -> tuple[dict[str, str], ...]:
    """Return the rows of dbt_project/seeds/<name>.csv as dicts of strings."""
    with (SEEDS_DIR / f"{name}.csv").open(encoding="utf-8", newline="") as handle:
        return tuple(dict(row) for row in csv.DictReader(handle))


@cache
def usd_rate_years() -> dict[str, int]:
    """Return {ISO 4217 code: the year its fx_rates_usd rate is the average of}."""
    return {row["currency"]: int(row["as_of"][:4]) for row in seed_rows("fx_rates_usd")}


def usd_per_unit() -> dict[str, float]:
    """Return {ISO 4217 code: US dollars per unit} from the fx_rates_usd seed."""
    return {row["currency"]: float(row["usd_per_unit"]) for row in seed_rows("fx_rates_usd")}
