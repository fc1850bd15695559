"""parse_figures and figure_mentions: money, percentages, counts and what is not a figure."""

from __future__ import annotations

import polars as pl
import pytest

from transforms.figures.mentions import FIGURE_SCHEMA, figure_mentions
from transforms.figures.parsing import parse_figures


def only(text: str):
    figures = parse_figures(text)
    assert len(figures) == 1, figures
    return figures[0]


@pytest.mark.parametrize(
    ("text", "value", "currency", "scale", "value_full"),
    [
        ("trade reached $245 billion last year", 245.0, "USD", "billion", 245e9),
        ("exports rose to $306.6 billion", 306.6, "USD", "billion", 306.6e9),
        ("a record of 190,000 million dollars in 2022", 190_000.0, "USD", "million", 190e9),
        ("imports worth USD 88bn", 88.0, "USD", "billion", 88e9),
        ("a fund of €1.2 trillion", 1.2, "EUR", "trillion", 1.2e12),
        ("spending of 1.5 trillion yuan", 1.5, "CNY", "trillion", 1.5e12),
        ("a fine of 10.5 million Australian dollars", 10.5, "AUD", "million", 10.5e6),
        ("priced at US$58.24 per barrel", 58.24, "USD", None, 58.24),
        ("a yacht quoted at USD10m", 10.0, "USD", "million", 10e6),
    ],
)
def test_parse_figures_reads_money_with_currency_and_scale(text, value, currency, scale,
                                                           value_full):
    figure = only(text)
    assert figure.quantity_kind == "money"
    assert (figure.value, figure.currency, figure.scale) == (value, currency, scale)
    assert figure.value_full == pytest.approx(value_full)
    assert text[figure.span_start : figure.span_end] == figure.raw_text


@pytest.mark.parametrize("text", ["a rise of 1.9 percent", "a 1.9% increase", "up 1.9 per cent"])
def test_parse_figures_reads_percentages_and_their_direction(text):
    figure = only(text)
    assert (figure.quantity_kind, figure.value, figure.unit) == ("percent", 1.9, "percent")
    assert figure.direction == "up"
    assert figure.decimals == 1


def test_parse_figures_marks_a_fall_as_down():
    assert only("exports to China dropped 7% to the lowest level").direction == "down"


def test_parse_figures_keeps_a_level_after_to_undirected():
    pct, money = parse_figures("exports surging by 5.6% to $306.6 billion in 2023")
    assert pct.direction == "up"
    assert money.direction is None


@pytest.mark.parametrize(
    ("text", "approximation", "change"),
    [
        ("more than 700 heart transplants", "more than", ">"),
        ("about 15 percent", "about", "~"),
        ("nearly $2 billion", "nearly", "~"),
        ("just under 20 percent", "just under", "<"),
    ],
)
def test_parse_figures_reads_approximations(text, approximation, change):
    figure = only(text)
    assert figure.is_approximate
    assert figure.approximation == approximation
    assert figure.change == change


def test_parse_figures_reads_plain_counts_with_their_noun():
    figure = only("Ford has 13000 workers in the United Kingdom")
    assert (figure.quantity_kind, figure.value, figure.unit) == ("count", 13000.0, "workers")


@pytest.mark.parametrize(("text", "value"), [("fifteen players", 15.0),
                                             ("twenty-five people", 25.0),
                                             ("a dozen eggs", 12.0)])
def test_parse_figures_reads_spelled_out_numbers(text, value):
    assert only(text).value == value


def test_parse_figures_reads_hundreds_of_thousands_as_an_approximate_range():
    figure = only("participation from hundreds of thousands of soldiers")
    assert figure.is_range and figure.is_approximate
    assert figure.value_full == 100_000
    assert (figure.range_low, figure.range_high, figure.scale) == (1e5, 1e6, "thousand")
    assert figure.unit == "soldiers"


@pytest.mark.parametrize(("text", "low", "high"), [("5-10% of sales", 5.0, 10.0),
                                                   ("one to two years", 1.0, 2.0),
                                                   ("between 5 and 10 percent", 5.0, 10.0),
                                                   ("between 5% and 6%", 5.0, 6.0),
                                                   ("from $750,000 to $1 million", 750e3, 1e6),
                                                   ("from $10 to $15 billion", 10e9, 15e9),
                                                   ("US $89 to $93 billion", 89e9, 93e9)])
def test_parse_figures_reads_ranges(text, low, high):
    figure = only(text)
    assert figure.is_range
    assert (figure.range_low, figure.range_high) == (low, high)


@pytest.mark.parametrize(
    "text",
    [
        "the 80th anniversary of Japan's surrender",
        "signed pacts on May 24 in Beijing",
        "stemming from the 2018 U.S. trade war",
        "the monumental Vostok 2018 military exercise",
        "she died on 8 September",
        "at 17:22 local time",
        "Part 3 of the act",
        "the new iPhone 11 Pro",
        "in the 21st century",
    ],
)
def test_parse_figures_never_reads_years_dates_ordinals_or_labels_as_amounts(text):
    assert parse_figures(text) == []


def test_parse_figures_keeps_durations_as_counts():
    figure = only("his first trip to a single country in 20 years")
    assert (figure.value, figure.unit) == (20.0, "year")


def test_parse_figures_reads_hyphenated_counts():
    assert only("Russia's four-day visit").unit == "day"


def test_parse_figures_reads_negative_numbers_written_with_minus():
    assert only("temperatures fell to minus 20 degrees").value_full == -20.0


def test_figure_mentions_returns_the_raw_columns_with_ids_and_usd():
    sentences = pl.DataFrame({
        "sentence_id": ["a-p0000-s000"],
        "article_id": ["a"],
        "text": ["Trade hit 1.5 trillion yuan, up 3%."],
    })
    out = figure_mentions(sentences)
    assert out.schema == pl.Schema(FIGURE_SCHEMA)
    money = out.row(0, named=True)
    assert money["figure_id"] == f"a-p0000-s000-f{money['span_start']}"
    assert money["value_usd"] == pytest.approx(1.5e12 * 0.139)
    assert out.row(1, named=True)["direction"] == "up"


def test_figure_mentions_of_no_sentences_is_an_empty_frame_with_the_schema():
    empty = pl.DataFrame(schema={"sentence_id": pl.String, "article_id": pl.String,
                                 "text": pl.String})
    assert figure_mentions(empty).schema == pl.Schema(FIGURE_SCHEMA)


@pytest.mark.parametrize("text", ["Arsenal won 3-1 on Sunday.",
                                  "The index fell 634 – 1.704 points."])
def test_parse_figures_never_reads_a_descending_pair_as_a_range(text):
    figures = parse_figures(text)
    assert figures
    assert not any(f.is_range for f in figures)
    assert all(f.range_low is None or f.range_low <= f.range_high for f in figures)


def test_typesetting_and_wire_copy_forms_of_numbers_are_read():
    from transforms.figures.parsing import parse_figures

    def read(text):
        return [(f.raw_text, f.value_full, f.currency) for f in parse_figures(text)]

    assert read("Trade reached $6·5 billion.") == [("$6·5 billion", 6.5e9, "USD")]
    assert read("a haul of 1\u2009234\u2009567 tonnes") == [
        ("1\u2009234\u2009567 tonnes", 1234567.0, None)]
    assert read("a surplus of 4.3 billion dlrs") == [("4.3 billion dlrs", 4.3e9, "USD")]
    assert read("imports of 500 mln stg") == [("500 mln stg", 5e8, "GBP")]
    assert read("a deal worth Rs 1,200 crore") == [("Rs 1,200 crore", 1.2e10, "INR")]
    assert read("Rs 5 lakh in cash") == [("Rs 5 lakh", 5e5, "INR")]
