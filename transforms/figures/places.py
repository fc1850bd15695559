"""The country table: every ISO 3166 country (pycountry) plus what news calls them.

`country_alias_rows()` builds the rows of the dbt seed `country_aliases.csv` (alias,
country_code, kind) from pycountry's names and transforms/rules/places.yml (short forms,
demonyms, metonyms, historic states, blocs, regions). The seed is committed, because dbt
loads it into the warehouse; `python -m transforms.figures.places` writes it again after a
pycountry upgrade or a rules change, and a test fails while the two differ.
"""

from __future__ import annotations

import csv
import io
import sys
from collections.abc import Iterator

import pycountry

from transforms.kernel.rules import SEEDS_DIR, rules

__all__ = ["SEED_COLUMNS", "country_alias_rows", "not_trading", "seed_text"]

SEED_COLUMNS = ("alias", "country_code", "kind")


def _pycountry_names(country: object) -> list[str]:
    # "Korea, Republic of" is how a catalogue sorts, not how anyone writes: left out, the
    # short form in places.yml stands for it.
    names = [getattr(country, field, None) for field in ("common_name", "name", "official_name")]
    return [n for n in names if n and "," not in n]


def _candidates() -> Iterator[tuple[str, str, str]]:
    places = rules("places")
    not_names = set(places["not_names"])
    codes = [c.alpha_3 for c in pycountry.countries]
    by_code = {c.alpha_3: c for c in pycountry.countries}
    for code in [*places["short_forms"], *codes]:
        for alias in places["short_forms"].get(code, []):
            yield alias, code, "country"
        if code in by_code:
            for alias in _pycountry_names(by_code[code]):
                if alias not in not_names:
                    yield alias, code, "country"
    for code, aliases in places["historic"].items():
        for alias in aliases:
            yield alias, code, "country"
    for group in ("demonyms", "metonyms"):
        for code, aliases in places[group].items():
            kind = "bloc" if code in places["blocs"] else "country"
            for alias in aliases:
                yield alias, code, kind
    for group, kind in (("blocs", "bloc"), ("regions", "region")):
        for code, aliases in places[group].items():
            for alias in aliases:
                yield alias, code, kind


def country_alias_rows() -> list[tuple[str, str, str]]:
    """(alias, country_code, kind) rows, each code's display name first, every alias once.

    Raises ValueError when places.yml gives one alias to two codes: a sentence naming it
    could not say which economy it means.
    """
    rows: list[tuple[str, str, str]] = []
    owner: dict[str, str] = {}
    for alias, code, kind in _candidates():
        if alias in owner:
            if owner[alias] != code:
                raise ValueError(f"alias {alias!r} names both {owner[alias]} and {code}")
            continue
        owner[alias] = code
        rows.append((alias, code, kind))
    # Grouped by code (display name first, as listed), codes in first-seen order.
    order = {code: i for i, code in enumerate(dict.fromkeys(code for _, code, _ in rows))}
    return sorted(rows, key=lambda row: order[row[1]])


def not_trading() -> frozenset[str]:
    """Codes of blocs that never trade as one (alliances, forums: NATO, BRICS)."""
    return frozenset(rules("places")["not_trading"])


def seed_text() -> str:
    """The CSV text of the country_aliases seed."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(SEED_COLUMNS)
    writer.writerows(country_alias_rows())
    return out.getvalue()


if __name__ == "__main__":
    target = SEEDS_DIR / "country_aliases.csv"
    target.write_text(seed_text(), encoding="utf-8")
    print(f"wrote {target} ({len(country_alias_rows())} aliases)", file=sys.stderr)
