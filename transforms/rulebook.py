"""Load the text→numbers rules (YAML in transforms/rules/, seeds in dbt_project/seeds/).

Everything here is read once and cached: the rules are data, the code that uses them lives
in figure_parsing.py, context.py, attribution.py and claims.py.
"""

from __future__ import annotations

import csv
from functools import cache
from pathlib import Path
from typing import Any

import yaml

RULES_DIR = Path(__file__).resolve().parent / "rules"
# The seeds are owned by dbt (they are loaded into the warehouse for joins) and read here
# from the repository checkout, relative to this package.
SEEDS_DIR = Path(__file__).resolve().parent.parent / "dbt_project" / "seeds"


@cache
def rules(name: str) -> dict[str, Any]:
    """Return the parsed YAML file transforms/rules/<name>.yml as a dict."""
    with (RULES_DIR / f"{name}.yml").open(encoding="utf-8") as handle:
        return yaml.safe_load(handle)


@cache
def seed_rows(name: str) -> tuple[dict[str, str], ...]:
    """Return the rows of dbt_project/seeds/<name>.csv as dicts of strings."""
    with (SEEDS_DIR / f"{name}.csv").open(encoding="utf-8", newline="") as handle:
        return tuple(dict(row) for row in csv.DictReader(handle))


@cache
def usd_per_unit() -> dict[str, float]:
    """Return {ISO 4217 code: US dollars per unit} from the fx_rates_usd seed."""
    return {row["currency"]: float(row["usd_per_unit"]) for row in seed_rows("fx_rates_usd")}
