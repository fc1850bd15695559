"""The country table is ISO 3166 (pycountry) plus the news forms of places.yml."""

from __future__ import annotations

import pycountry

from transforms.figures.context import place_mentions
from transforms.figures.places import country_alias_rows, not_trading, seed_text
from transforms.kernel.rules import SEEDS_DIR


def test_the_committed_seed_is_what_pycountry_and_places_yml_build():
    committed = (SEEDS_DIR / "country_aliases.csv").read_text(encoding="utf-8")
    assert committed == seed_text(), "run `python -m transforms.figures.places` and commit the seed"


def test_every_iso_country_has_a_name_and_each_code_is_named_first():
    rows = country_alias_rows()
    codes = {code for _, code, _ in rows}
    assert {c.alpha_3 for c in pycountry.countries} <= codes
    first = {}
    for alias, code, _ in rows:
        first.setdefault(code, alias)
    assert (first["KOR"], first["TWN"], first["USA"], first["SUN"]) == \
        ("South Korea", "Taiwan", "United States", "Soviet Union")


def test_news_forms_of_places_resolve_in_a_sentence():
    text = ("Exports from South Korea, Taiwan, Hong Kong and Brazil to the EEC and Latin "
            "America rose, the Soviet Union said; Argentine and Canadian officials agreed.")
    assert [p.code for p in place_mentions(text)] == [
        "KOR", "TWN", "HKG", "BRA", "EU", "LATAM", "SUN", "ARG", "CAN"]


def test_alliances_and_forums_never_trade_and_the_west_is_no_place():
    assert {"NATO", "BRICS", "G7"} <= not_trading()
    assert "EU" not in not_trading()
    assert place_mentions("pressure from the West") == []
