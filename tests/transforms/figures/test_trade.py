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


def test_a_wire_city_that_is_no_capital_dates_the_story_and_a_headline_does_not():
    assert home_country("HAMBURG, March 12 - A bank said") == "DEU"
    assert home_country("NEW YORK (Reuters) - Stocks fell") == "USA"
    assert home_country("KASHIKOJIMA, Japan, April 26 - Ministers met") == "JPN"
    assert home_country("NIGERIA, FRANCE SIGN TRADE PACT") is None


def test_without_a_dateline_the_lede_s_country_is_the_unnamed_reporter():
    assert rows("Canada has released its trade figures for the year.",
                "Exports to Japan fell 4 pct in 1986 to 1.1 billion dlrs.",
                published=None) == [("export", "CAN", "JPN", 1986, "USD", 1.1e9, -4.0)]


def test_a_year_then_an_amount_is_not_a_span_of_years():
    assert rows("Dutch exports to Peru declined by 4 pct in 1986 to 11 billion dlrs.") == [
        ("export", "NLD", "PER", 1986, "USD", 11e9, -4.0)]


def test_crowns_are_the_currency_of_the_country_the_sentence_names():
    assert rows("Swedish imports from Chile fell 10 pct to 300 mln crowns in 1986.") == [
        ("import", "SWE", "CHL", 1986, "SEK", 300e6, -10.0)]


def test_that_country_is_the_place_named_before_it_not_the_last_partner():
    assert rows("WASHINGTON, March 12 - Exports to Peru rose 3 pct in 1986.",
                "Imports from Chile rose 5 pct in 1986, and exports to that country fell "
                "2 pct.") == [
        ("export", "USA", "PER", 1986, None, None, 3.0),
        ("import", "USA", "CHL", 1986, None, None, 5.0),
        ("export", "USA", "CHL", 1986, None, None, -2.0)]


def test_a_description_stands_for_the_articles_partner():
    assert rows("WASHINGTON, March 12 - Talks with Peru went on. Peru and the U.S. met.",
                "Imports from the Andean trading nation rose 5 pct in 1986.") == [
        ("import", "USA", "PER", 1986, None, None, 5.0)]


def test_a_percent_above_the_same_period_is_growth_for_the_current_period():
    assert rows("WASHINGTON, March 12 - Exports to Peru in the first two months of 1987 "
                "were 3.5 percent above the same period last year.") == [
        ("export", "USA", "PER", 1987, None, None, 3.5)]


def test_a_clause_naming_no_flow_and_no_place_goes_on_with_the_earlier_one():
    assert rows("WASHINGTON, March 12 - Exports to Peru fell 2 pct in January, but for "
                "1986 as a whole were 4 pct higher than in 1985.") == [
        ("export", "USA", "PER", 1987, None, None, -2.0),
        ("export", "USA", "PER", 1986, None, None, 4.0)]


def test_a_one_sided_flow_after_a_statement_takes_its_sides():
    assert rows("Greek exports to Egypt rose to 2.3 billion dlrs in 1986, while imports "
                "rose to 1.8 billion.") == [
        ("export", "GRC", "EGY", 1986, "USD", 2.3e9, None),
        ("import", "GRC", "EGY", 1986, "USD", 1.8e9, None)]


def test_a_period_right_before_a_figure_is_that_figures():
    assert rows("Peru cut its 1986 record 3.6 billion dlr trade surplus with Chile, up "
                "from a 1985 surplus with Chile of 1.2 billion.") == [
        ("surplus", "PER", "CHL", 1986, "USD", 3.6e9, None),
        ("surplus", "PER", "CHL", 1985, "USD", 1.2e9, None)]


def test_the_first_months_of_the_year_are_last_years_before_they_are_over():
    found = period_mentions("for the first 11 months of the year", dt.date(2007, 1, 10))
    assert [(p.kind, p.year) for p in found] == [("relative", 2006)]
    found = period_mentions("for the first 2 months of the year", dt.date(2007, 4, 10))
    assert [(p.kind, p.year) for p in found] == [("relative", 2007)]


def test_split_years_quarters_and_bare_months_resolve():
    published = dt.date(1987, 4, 14)
    found = {(p.kind, p.year) for p in period_mentions(
        "in 1986/87, in the fourth quarter, January's surplus, the year to March 31",
        published)}
    assert found == {("fiscal_year", 1987), ("quarter", 1986), ("month", 1987)}
    assert period_mentions("from 2004-2008", published) == []


def test_a_rate_compared_with_after_a_growth_rate_is_a_growth_rate_too():
    assert rows("BEIJING, March 12 - Imports from Peru grew 36.7 percent in February "
                "versus January's 33.4 percent.") == [
        ("import", "CHN", "PER", 1987, None, None, 36.7),
        ("import", "CHN", "PER", 1987, None, None, 33.4)]


def test_it_after_a_statement_is_that_statement():
    assert rows("WASHINGTON, March 12 - The deficit with Peru was 2 billion dlrs in "
                "January.", "It totaled 3.1 billion dlrs in 1986.") == [
        ("deficit", "USA", "PER", 1987, "USD", 2e9, None),
        ("deficit", "USA", "PER", 1986, "USD", 3.1e9, None)]


def test_balances_other_than_trade_and_totals_give_no_row():
    assert rows("Peru's current account surplus with Chile was 2 billion dlrs in 1986.") == []
    assert rows("Trade with Chile was 3 billion dlrs in 1986, or 20 pct of Peru's 15 "
                "billion dlrs foreign trade.") == [
        ("bilateral", "CHL", "PER", 1986, "USD", 3e9, None)]
    assert rows("Peru's deficit was 9 billion dlrs in 1986, with more than one-third of "
                "it in trade with Chile.") == []


def test_a_target_takes_the_year_it_is_to_be_reached_by():
    trade, _ = statements("Peru and Chile pledged to double their bilateral trade to 4 "
                          "billion dlrs by 1990.", published=dt.date(1987, 3, 12))
    assert trade.select("flow", "period_year", "is_forecast").rows() == [
        ("bilateral", 1990, True)]


def test_a_flow_word_in_an_aside_is_not_the_figures_flow():
    assert rows("TOKYO, March 12 - Shipments to Peru, which account for half of Japan's "
                "total exports, rose 31.7 percent in 1986.") == [
        ("export", "JPN", "PER", 1986, None, None, 31.7)]


def test_a_balance_after_a_pairs_exports_and_imports_is_that_pairs():
    assert rows("In 1986, U.S. imports from Peru were worth 3 billion dlrs, and U.S. "
                "exports to Peru 1 billion dlrs, giving a U.S. deficit of 2 billion dlrs.") == [
        ("import", "USA", "PER", 1986, "USD", 3e9, None),
        ("export", "USA", "PER", 1986, "USD", 1e9, None),
        ("deficit", "USA", "PER", 1986, "USD", 2e9, None)]


def test_a_balance_takes_the_partner_of_the_trade_named_before_it():
    assert rows("OTTAWA, March 12 - Canada's trade figures were out.",
                "The trade balance with Peru showed a deficit of 1.2 billion dlrs in "
                "1986.") == [("deficit", "CAN", "PER", 1986, "USD", 1.2e9, None)]
    assert rows("Chile's surplus in trade with Peru was 5.6 billion dlrs in 1986.") == [
        ("surplus", "CHL", "PER", 1986, "USD", 5.6e9, None)]


def test_a_later_clause_keeps_the_earlier_clauses_reporter():
    assert rows("WASHINGTON, March 12 - Figures were out.",
                "Chile's exports to Peru rose to 1.9 billion dlrs in 1986, while imports "
                "from Peru rose to 0.5 billion.") == [
        ("export", "CHL", "PER", 1986, "USD", 1.9e9, None),
        ("import", "CHL", "PER", 1986, "USD", 0.5e9, None)]


def test_a_place_inside_a_currency_is_no_side():
    assert rows("The EC had a 2.1 billion European Currency Unit deficit with Peru in "
                "1986.") == [("deficit", "EU", "PER", 1986, "XEU", 2.1e9, None)]


def test_a_base_s_period_is_not_the_period_of_the_figure_it_is_compared_with():
    assert rows("LIMA, March 12 - Peru's exports in 1987 were strong.",
                "Exports to Chile totalled 6.67 billion dlrs against 4.99 billion in "
                "1985.") == [
        ("export", "PER", "CHL", 1987, "USD", 6.67e9, None),
        ("export", "PER", "CHL", 1985, "USD", 4.99e9, None)]


def test_two_places_joined_by_a_dash_before_trade_are_its_sides():
    assert rows("Sino-Soviet trade rose 20 pct to 2.6 billion Swiss francs in 1986.") == [
        ("bilateral", "CHN", "SUN", 1986, "CHF", 2.6e9, 20.0)]
    assert rows("Chile-EU trade reached 40 billion dlrs in 1986.") == [
        ("bilateral", "CHL", "EU", 1986, "USD", 40e9, None)]
    assert rows("Chile-Peru trade talks cost 2 billion dlrs in 1986.") == []


def test_a_flow_word_in_a_participle_aside_is_not_the_figures_flow():
    assert rows("LIMA, March 12 - The surplus with Chile, helped by strong exports to "
                "Asia, rose to 2 billion dlrs in 1986.") == [
        ("surplus", "PER", "CHL", 1986, "USD", 2e9, None)]


def test_roubles_before_1992_are_soviet_roubles():
    assert rows("Soviet exports to Finland rose to 2.5 billion roubles in 1986.") == [
        ("export", "SUN", "FIN", 1986, "SUR", 2.5e9, None)]


def test_an_apposition_to_the_partner_is_no_list():
    assert rows("SEOUL (Reuters) - Exports fell.",
                "Exports to Peru, Chile's biggest market, rose 0.7 percent in 1986.") == [
        ("export", "KOR", "PER", 1986, None, None, 0.7)]


def test_places_beyond_outside_a_preposition_are_not_its_partner():
    assert rows("BERLIN (Reuters) - Exports rose.",
                "Exports jumped 15.9 percent in 1986 to countries beyond Europe.") == []


def test_a_flow_verb_needs_a_place_as_its_subject():
    assert rows("WASHINGTON, March 12 - Officials spoke.",
                "Acme Corp has exported 2 billion dlrs of goods to Peru in 1986.") == []
    assert rows("Chile exported 2 billion dlrs of goods to Peru in 1986.") == [
        ("export", "CHL", "PER", 1986, "USD", 2e9, None)]


def test_respectively_pairs_figures_with_the_earlier_periods_in_order():
    assert rows("Chilean exports to Peru were 565 mln dlrs in 1986, down from 960 mln in "
                "1985, while Peru's exports to Chile were 328 mln dlrs and 647 mln, "
                "respectively.") == [
        ("export", "CHL", "PER", 1986, "USD", 565e6, None),
        ("export", "CHL", "PER", 1985, "USD", 960e6, None),
        ("export", "PER", "CHL", 1986, "USD", 328e6, None),
        ("export", "PER", "CHL", 1985, "USD", 647e6, None)]


def test_an_undated_relative_year_leaves_the_period_open_not_the_bases():
    assert rows("Trade between Peru and Chile rose to 13.6 billion dlrs last year from 7.6 "
                "billion in 1985.", published=None) == [
        ("bilateral", "CHL", "PER", None, "USD", 13.6e9, None),
        ("bilateral", "CHL", "PER", 1985, "USD", 7.6e9, None)]


def test_bilateral_trade_named_before_any_place_is_the_articles_pair():
    assert rows("LIMA, March 12 - Peru and Chile met; Chile and Peru agreed.",
                "Bilateral trade totalled 1.3 billion dlrs in 1986, of which Chilean "
                "exports were most.") == [("bilateral", "CHL", "PER", 1986, "USD", 1.3e9, None)]


def test_tariff_bases_loans_credits_deals_and_purchases_are_no_trade_levels():
    for sentence in ("Peru imposed tariffs on 3 billion dlrs of imports from Chile in 1986.",
                     "Peru gave a loan of 2 billion dlrs to Chile to finance exports to Chile.",
                     "Exports to Chile are backed by a 500 mln dlr credit line.",
                     "Peru signed deals worth 3 billion dlrs to boost exports to Chile.",
                     "Peru agreed to buy 2 billion dlrs of imports from Chile."):
        assert rows("LIMA, March 12 - Officials spoke.", sentence) == [], sentence


def test_a_firms_exports_are_not_the_datelines_countrys():
    assert rows("LIMA, March 12 - Officials spoke.",
                "Acme's exports to Chile rose 5 pct to 2 billion dlrs in 1986.") == []
    assert rows("LIMA, March 12 - Officials spoke.",
                "The company's exports to Chile rose 5 pct in 1986.") == []


def test_an_apposition_opening_with_the_holds_no_figures_flow():
    assert rows("WASHINGTON, March 12 - Officials spoke.",
                "Exports to Peru, the third-largest U.S. export market in the region, rose "
                "3.4 percent to 5.1 billion dlrs in 1986.") == [
        ("export", "USA", "PER", 1986, "USD", 5.1e9, 3.4)]


def test_a_change_noun_names_the_flow_it_is_a_change_of():
    assert rows("WASHINGTON, March 12 - Officials spoke.",
                "The deficit narrowed on a 12 percent drop in imports from Peru in 1986.") == [
        ("import", "USA", "PER", 1986, None, None, -12.0)]


def test_volumes_are_no_trade_values():
    assert rows("LONDON, March 12 - Officials spoke.",
                "Export volumes to Peru dropped 6.5 percent in 1986, outweighing a 2.3 "
                "percent fall in imports from Peru.") == []


def test_a_rate_of_growth_takes_the_verb_before_it():
    assert rows("WASHINGTON, March 12 - Officials spoke.",
                "Exports to Peru fell at an annual rate of 12 percent in 1986.") == [
        ("export", "USA", "PER", 1986, None, None, -12.0)]


def test_the_previous_year_counts_from_the_year_its_sentence_names():
    assert rows("U.S. farm exports to China dropped to $9.1 billion in 2018, down from "
                "$19.5 billion the previous year.", published=dt.date(2019, 8, 1)) == [
        ("export", "USA", "CHN", 2018, "USD", 9.1e9, None),
        ("export", "USA", "CHN", 2017, "USD", 19.5e9, None)]
    # with no year before it, it counts from the publication date, as "last year" does
    found = period_mentions("Exports were $4 billion the previous year.", dt.date(2019, 8, 1))
    assert [(p.kind, p.year) for p in found] == [("relative", 2018)]


# --- phrasing from the issue 17 batches of real news (sentences written for the test) ----

def test_a_span_of_two_years_is_the_later_years():
    assert rows("BRUSSELS (Reuters) - EU exports to India grew 6 percent between 2008 and "
                "2009.", published=dt.date(2010, 5, 1)) == [
        ("export", "EU", "IND", 2009, None, None, 6.0)]


def test_export_financing_and_assets_are_no_trade_money():
    assert rows("WASHINGTON (Reuters) - The bank will help finance as much as $3 billion in "
                "U.S. exports to Brazil.", published=dt.date(2012, 5, 1)) == []


def test_they_continues_the_statement_before():
    assert rows("WASHINGTON (Reuters) - Exports to Japan increased 3.1 percent in May.",
                "They were up 2.2 percent for the first five months of 2012.",
                published=dt.date(2012, 7, 1)) == [
        ("export", "USA", "JPN", 2012, None, None, 3.1),
        ("export", "USA", "JPN", 2012, None, None, 2.2)]


def test_the_bloc_is_the_bloc_the_article_names():
    assert rows("BEIJING (Reuters) - The European Union is China's biggest market.",
                "Chinese exports of goods to the bloc totaled 300 billion euros last year.",
                published=dt.date(2013, 3, 1)) == [
        ("export", "CHN", "EU", 2012, "EUR", 300e9, None)]


def test_a_place_describing_a_firm_is_no_side():
    assert rows("WASHINGTON, March 12 - The Korea-based joint venture said it will boost its "
                "1987 imports of U.S. goods to 200 mln dlrs.") == []


def test_percentages_beside_physical_units_are_volumes():
    assert rows("TOKYO (Reuters) - Crude imports from Iran were 12.5 percent higher than "
                "March's 300,000 bpd.", published=dt.date(2012, 5, 1)) == []


def test_a_market_of_another_place_gives_a_bare_flow_its_sides():
    assert rows("WASHINGTON (Reuters) - Canada was the United States' largest export market "
                "last year, and exports in the first half of 2012 were 4.1 percent above the "
                "same period in 2011.", published=dt.date(2012, 8, 9)) == [
        ("export", "USA", "CAN", 2012, None, None, 4.1)]


def test_a_growth_verb_reaches_over_by_and_an_adjective():
    assert rows("BEIJING (Reuters) - Exports to Brazil grew by an astounding 61 percent in "
                "March.", published=dt.date(2013, 4, 10)) == [
        ("export", "CHN", "BRA", 2013, None, None, 61.0)]


def test_a_bare_flow_after_a_statement_of_its_sentence_takes_its_sides():
    assert rows("WASHINGTON (Reuters) - The U.S. trade deficit with Brazil hit $4.5 billion "
                "in 2011, as exports rose to $21.6 billion.", published=dt.date(2012, 3, 7)) == [
        ("deficit", "USA", "BRA", 2011, "USD", 4.5e9, None),
        ("export", "USA", "BRA", 2011, "USD", 21.6e9, None)]


def test_a_place_in_an_apposition_is_no_reporter():
    assert rows("SEOUL (Reuters) - South Korea, Asia's fourth-largest economy, said its exports "
                "to China were up 7.4 percent to $5.2 billion in May.",
                published=dt.date(2010, 6, 1)) == [
        ("export", "KOR", "CHN", 2010, "USD", 5.2e9, 7.4)]


def test_a_paced_growth_rate_is_positive():
    assert rows("TOKYO (Reuters) - Annual growth in Japan's exports to China eased to 4.8 "
                "percent in June.", published=dt.date(2013, 7, 24)) == [
        ("export", "JPN", "CHN", 2013, None, None, 4.8)]


def test_a_qualified_place_is_no_side():
    assert rows("MOSCOW (Reuters) - Trade within the post-Soviet customs union grew 4 percent "
                "to $60 billion in 2012.", published=dt.date(2013, 7, 1)) == []


def test_a_total_flow_keeps_no_far_partner():
    assert rows("BEIJING (Reuters) - China's total trade surplus shrank 15 percent to $155 "
                "billion in 2011, as demand slowed in its biggest market, the trade with the "
                "European Union.", published=dt.date(2012, 3, 7)) == []


def test_a_month_before_the_flow_is_its_period():
    assert period_mentions("South Korea's July exports to the United States rose",
                           dt.date(2011, 8, 3))[0].year == 2011
