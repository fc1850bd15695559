"""figures/trade.py and figures/periods.py: statements from the phrasing of wire and
business news, one behaviour per test (sentences written for the test, not the dev set)."""

from __future__ import annotations

import datetime as dt

from tests.transforms.figures.one_article import statements
from transforms.figures.periods import period_mentions
from transforms.figures.trade import home_country


def rows(*paragraphs: str, published: dt.date | None = dt.date(1987, 3, 12)) -> list[tuple]:
    trade, _ = statements(*paragraphs, published=published)
    return trade.select("flow", "reporter", "partner", "period_year", "currency",
                        "value_native", "growth_pct").rows()


def test_a_surplus_is_a_balance_of_its_holder_with_the_base_year_a_second_row():
    assert rows("Spain's trade surplus with Mexico rose to 3.5 billion dlrs in 1986 "
                "from 2.5 billion in 1985.") == [
        ("surplus", "ESP", "MEX", 1986, "USD", 3.5e9, None),
        ("surplus", "ESP", "MEX", 1985, "USD", 2.5e9, None)]


def test_a_deficit_listed_by_partner_gives_one_row_per_partner():
    assert rows("Canada last year had deficits with two partners -- Peru 1.2 billion "
                "dlrs and Chile 0.8 billion.") == [
        ("deficit", "CAN", "PER", 1986, "USD", 1.2e9, None),
        ("deficit", "CAN", "CHL", 1986, "USD", 0.8e9, None)]


def test_the_datelines_country_is_the_reporter_a_sentence_leaves_unnamed():
    assert rows("OTTAWA, March 12 - Canada's trade data were released today.",
                "Exports to Japan fell 4 pct in February to 1.1 billion dlrs.") == [
        ("export", "CAN", "JPN", 1987, "USD", 1.1e9, -4.0)]


def test_without_a_dateline_an_unnamed_reporter_gives_no_row():
    assert rows("Exports to Japan fell 4 pct in February to 1.1 billion dlrs.") == []


def test_a_change_in_money_is_not_a_level():
    assert rows("Italian exports to Egypt rose 900 mln dlrs to 2.6 billion in 1986.") == [
        ("export", "ITA", "EGY", 1986, "USD", 2.6e9, None)]


def test_a_conversion_in_brackets_is_the_same_statement():
    assert rows("Japan's surplus with Australia was 500 billion yen ($3.3 billion) "
                "in 1986.") == [("surplus", "JPN", "AUS", 1986, "JPY", 500e9, None)]


def test_a_partner_list_is_an_aggregate_not_a_pair():
    assert rows("French exports to Chile, Peru and Bolivia were 2 billion dlrs in 1986.") == []


def test_a_share_of_a_total_is_no_bilateral_figure():
    assert rows("Peru had a trade surplus of 1.5 billion dlrs last year, 40 pct of it "
                "with Japan.") == []


def test_an_exchange_rate_note_is_no_figure():
    assert rows("Trade between Canada and Mexico was $17 billion in 2011. "
                "($1 = 0.9981 Canadian dollars)") == [
        ("bilateral", "CAN", "MEX", 2011, "USD", 17e9, None)]


def test_home_country_reads_wire_and_agency_datelines():
    assert home_country("WASHINGTON, April 17 - The U.S. said") == "USA"
    assert home_country("SEOUL (Reuters) - South Korea's exports") == "KOR"
    assert home_country("The trade deficit narrowed in April.") is None


def test_periods_resolve_months_quarters_fiscal_and_relative_years():
    published = dt.date(1987, 3, 12)
    found = {(p.kind, p.year) for p in period_mentions(
        "in fiscal 1986/87, in the first quarter of 1985, last year, in November, "
        "in January", published)}
    assert found == {("fiscal_year", 1987), ("quarter", 1985), ("relative", 1986),
                     ("month", 1986), ("month", 1987)}


def test_a_reference_point_is_not_a_figures_period():
    found = period_mentions("the lowest since May 2006, compared to the same period in "
                            "2012", dt.date(2013, 6, 4))
    assert found == []
