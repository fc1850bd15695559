"""trade_statements and claims on small hand-made articles (the seed gold is in
test_trade_gold.py)."""

from __future__ import annotations

import datetime as dt

import polars as pl
import pytest

from tests.transforms.figures.one_article import statements
from transforms.figures.claims import CLAIM_SCHEMA
from transforms.figures.trade import TRADE_SCHEMA


def run(*paragraphs: str, published: dt.date = dt.date(2024, 6, 1)):
    return statements(*paragraphs, published=published)


def test_trade_statements_put_a_level_and_its_growth_in_one_bilateral_row():
    trade, _ = run("Trade between India and Russia reached $65 billion in 2023, "
                   "a rise of 33 percent.")
    assert trade.schema == pl.Schema(TRADE_SCHEMA)
    row = trade.row(0, named=True)
    assert trade.height == 1
    assert (row["flow"], row["reporter"], row["partner"]) == ("bilateral", "IND", "RUS")
    assert (row["value_usd"], row["growth_pct"], row["period_year"]) == (65e9, 33.0, 2023)
    assert row["trade_figure_id"] == f"{row['sentence_id']}-t0"


def test_trade_statements_read_exporter_and_partner_around_the_flow_word():
    trade, _ = run("Chinese oil imports from Russia fell 5% last year.")
    row = trade.row(0, named=True)
    assert (row["flow"], row["reporter"], row["partner"]) == ("import", "CHN", "RUS")
    assert (row["commodity"], row["growth_pct"], row["period_year"]) == ("oil", -5.0, 2023)


def test_trade_statements_convert_other_currencies_at_the_rate_of_their_year():
    trade, _ = run("Bilateral trade between China and Russia hit 1.5 trillion yuan in 2024.")
    row = trade.row(0, named=True)
    assert row["value_usd"] == pytest.approx(1.5e12 * 0.139)
    assert (row["currency"], row["value_native"]) == ("CNY", 1.5e12)


def test_no_rate_of_another_year_is_applied_and_the_native_value_is_kept():
    trade, _ = run("West German exports to France rose to 11 billion marks in 1986.")
    row = trade.row(0, named=True)
    assert (row["reporter"], row["partner"], row["flow"]) == ("DEU", "FRA", "export")
    assert row["value_usd"] is None
    assert (row["currency"], row["value_native"], row["period_year"]) == ("DEM", 11e9, 1986)


def test_trade_statements_mark_expected_figures_as_forecasts_with_their_source():
    trade, _ = run("Exports from India to the EU are expected to grow 10%, "
                   "according to Trade Minister Piyush Goyal.")
    row = trade.row(0, named=True)
    assert row["is_forecast"] is True
    assert row["attributed_to"] == "Piyush Goyal"


def test_trade_statements_ignore_figures_without_a_trade_phrase():
    trade, _ = run("Putin made his first trip in 20 years, a four-day visit on May 24.",
                   "The 2018 trade war began.")
    assert trade.is_empty()


def test_claims_type_a_ranking_clause_apart_from_its_trade_figure():
    _, out = run("China is Russia's largest trading partner, with bilateral trade at "
                 "$240 billion in 2023.")
    assert out.schema == pl.Schema(CLAIM_SCHEMA)
    assert out["claim_type"].to_list() == ["ranking", "trade_figure"]
    assert out["figure_count"].to_list() == [0, 1]


def test_claims_read_a_quote_with_speaker_role_and_organisation():
    _, out = run('Jane Doe, chief economist at the Institute of Trade, says that "the '
                 'partnership will keep growing for many years to come."')
    row = out.row(0, named=True)
    assert row["claim_type"] == "quote"
    assert (row["speaker"], row["speaker_role"], row["speaker_org"]) == (
        "Jane Doe", "chief economist", "Institute of Trade")


def test_claims_skip_scare_quotes_and_sentences_with_nothing_checkable():
    _, out = run('They oppose "unilateral sanctions." The two nations are friends.')
    assert out.is_empty()


def test_a_side_no_alias_names_is_never_filled_in_from_another_sentence():
    """The article is about China and India; a sentence naming China and a place the
    country table cannot resolve yields no row, never CHN-IND."""
    context = ("China and India held talks; India said the meeting with China went well.",
               "India and China will meet again.")
    trade, _ = run(*context, "Trade between China and Ruritania reached $150 billion in 2024.")
    assert trade.is_empty()
    trade, _ = run(*context, "Trade between China and Brazil reached $150 billion in 2024.")
    assert trade.select("reporter", "partner").rows() == [("BRA", "CHN")]


def test_a_sentence_that_names_the_pair_by_reference_takes_the_articles_pair():
    trade, _ = run("China and Russia signed a pact; Russia and China agreed on energy.",
                   "Trade between the two countries reached $245 billion in 2024.")
    assert trade.select("flow", "reporter", "partner", "value_usd").rows() == [
        ("bilateral", "CHN", "RUS", 245e9)]
    # "Bilateral trade" alone is the pair's only when the article's pair stands out.
    trade, _ = run("China and Russia signed a pact; Russia and China agreed on energy.",
                   "Bilateral trade reached $245 billion in 2024.")
    assert trade.select("reporter", "partner").rows() == [("CHN", "RUS")]
    trade, _ = run("China, Russia and India signed a pact; India, Russia and China agreed.",
                   "Bilateral trade reached $245 billion in 2024.")
    assert trade.is_empty()


def test_a_sentence_initial_year_phrase_gives_the_period():
    trade, _ = run("During 2004 exports from Japan to China rose to $94 billion.")
    assert trade.select("flow", "reporter", "partner", "period_year").rows() == [
        ("export", "JPN", "CHN", 2004)]
