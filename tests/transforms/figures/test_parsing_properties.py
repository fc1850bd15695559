"""Property tests of parse_figures: it never raises, its spans lie inside the text, and a
formatted number parses back to itself."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from transforms.figures.parsing import format_number, parse_figures

# Text that looks like news around numbers: digits, separators, currency and scale words.
_newsy = st.lists(
    st.one_of(
        st.text(max_size=12),
        st.sampled_from(["$", "€", "USD", "%", " percent", " billion", " million", "bn", "-",
                         " to ", " and ", "between ", "more than ", "about ", "minus ", ",",
                         ".", " ", "hundreds of ", "thousands of ", "May ", "th", "one",
                         "twenty-", "five", "a dozen", "rose ", "fell ", "\"", "“"]),
        st.integers(min_value=-10**12, max_value=10**12).map(str),
        st.floats(allow_nan=False, allow_infinity=False, width=32).map(str),
    ),
    max_size=12,
).map("".join)


@settings(max_examples=300, deadline=None)
@given(st.one_of(st.text(), _newsy))
def test_parse_figures_never_raises_and_spans_lie_inside_the_text(text):
    figures = parse_figures(text)
    previous_end = 0
    for figure in figures:
        assert 0 <= figure.span_start < figure.span_end <= len(text)
        assert text[figure.span_start : figure.span_end] == figure.raw_text
        assert figure.span_start >= previous_end  # ordered and not overlapping
        previous_end = figure.span_end
        assert figure.quantity_kind in {"money", "percent", "count"}
        assert figure.direction in {None, "up", "down"}


_amounts = st.decimals(min_value=0, max_value=10**9, places=2, allow_nan=False,
                       allow_infinity=False)


@settings(max_examples=200, deadline=None)
@given(_amounts, st.integers(min_value=0, max_value=2), st.booleans(),
       st.sampled_from(["", " billion", " million", " trillion"]))
def test_formatted_money_round_trips(amount, decimals, thousands, scale):
    value = round(float(amount), decimals)
    written = format_number(value, decimals, thousands)
    (figure,) = parse_figures(f"Sales reached ${written}{scale} last quarter.")
    factor = {"": 1, " billion": 1e9, " million": 1e6, " trillion": 1e12}[scale]
    assert figure.quantity_kind == "money"
    assert figure.value == float(written.replace(",", ""))
    assert figure.value_full == float(written.replace(",", "")) * factor
    assert figure.decimals == decimals


@settings(max_examples=200, deadline=None)
@given(st.decimals(min_value=0, max_value=1000, places=1, allow_nan=False,
                   allow_infinity=False), st.sampled_from(["%", " percent", " per cent"]))
def test_formatted_percent_round_trips(amount, suffix):
    written = format_number(float(amount), 1)
    (figure,) = parse_figures(f"Prices rose {written}{suffix} in June.")
    assert (figure.quantity_kind, figure.unit) == ("percent", "percent")
    assert figure.value == float(written.replace(",", ""))
    assert figure.direction == "up"
