"""Seed gold: the bundled corpus yields exactly the seven trade statements of issue 4,
and the claims the issue names.

The seed text is read from the repository's corpus/sample/*.html (the article-body <p>
elements, verbatim seed lines). The cleaning stage removes repeated paragraphs before this
stage sees text, so the second copy of a repeated paragraph is dropped here too.
Published dates come from each page's article:published_time.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import polars as pl
import pytest

from transforms.clean.sentences import with_sentences
from transforms.figures.claims import claims
from transforms.figures.mentions import figure_mentions
from transforms.figures.trade import trade_statements

lxml_html = pytest.importorskip("lxml.html")

CORPUS = Path(__file__).resolve().parents[3] / "corpus" / "sample"

# (article, flow, reporter, partner, commodity, period_year, value_usd, growth_pct,
#  is_forecast, attributed_to) — attributed_to compared lowercased, as a substring.
GOLD = [
    ("000", "bilateral", "CHN", "RUS", "all", 2024, 245e9, 1.9, False, None),
    ("001", "bilateral", "CHN", "RUS", "all", 2024, 245e9, 1.9, False, None),
    ("002", "bilateral", "CHN", "RUS", "all", 2022, 190e9, None, False, "chinese customs"),
    ("002", "export", "RUS", "CHN", "energy", None, None, 40.0, True, "alexander novak"),
    ("004", "bilateral", "CHN", "RUS", "all", 2023, 240e9, None, False, None),
    ("004", "export", "RUS", "ASIA", "all", 2023, 306.6e9, 5.6, False, None),
    ("004", "import", "CHN", "RUS", "energy", 2023, 88e9, None, False, None),
]


def _corpus_frames() -> tuple[pl.DataFrame, pl.DataFrame]:
    paragraphs, articles = [], []
    for page in sorted(CORPUS.glob("*.html")):
        doc = lxml_html.parse(str(page)).getroot()
        article_id = page.stem[:3]
        body = doc.xpath('//*[contains(concat(" ", @itemprop, " "), " articleBody ")]')[0]
        seen: set[str] = set()
        for p in body.xpath(".//p"):
            text = " ".join(p.text_content().replace("\xa0", " ").split())
            if not text or text in seen:
                continue
            seen.add(text)
            position = len(seen) - 1
            paragraphs.append({
                "paragraph_id": f"{article_id}-p{position:04d}",
                "article_id": article_id,
                "position": position,
                "repaired_text": text,
            })
        published = doc.xpath('//meta[@property="article:published_time"]/@content')[0]
        articles.append({
            "article_id": article_id,
            "published_date": dt.date.fromisoformat(published[:10]),
            "title": doc.findtext(".//title"),
        })
    return pl.DataFrame(paragraphs), pl.DataFrame(articles)


@pytest.fixture(scope="module")
def seed_outputs() -> dict[str, pl.DataFrame]:
    if not CORPUS.is_dir() or not list(CORPUS.glob("*.html")):
        pytest.skip(f"bundled corpus not found at {CORPUS}")
    paragraphs, articles = _corpus_frames()
    sentences = with_sentences(paragraphs)
    figures = figure_mentions(sentences)
    return {
        "sentences": sentences,
        "figures": figures,
        "trade": trade_statements(sentences, figures, articles),
        "claims": claims(sentences, figures),
    }


def _row_key(row: dict) -> tuple:
    attributed = row["attributed_to"]
    return (row["article_id"], row["flow"], row["reporter"], row["partner"], row["commodity"],
            row["period_year"], row["is_forecast"], attributed)


def _matches(row: dict, gold: tuple) -> bool:
    (article, flow, reporter, partner, commodity, year, value, growth, forecast,
     attributed) = gold
    if (row["article_id"], row["flow"], row["reporter"], row["partner"], row["commodity"],
            row["period_year"], row["is_forecast"]) != (
            article, flow, reporter, partner, commodity, year, forecast):
        return False
    if (value is None) != (row["value_usd"] is None):
        return False
    if value is not None and abs(row["value_usd"] - value) > 0.005 * value:
        return False
    if (growth is None) != (row["growth_pct"] is None):
        return False
    if growth is not None and abs(row["growth_pct"] - growth) > 0.005 * abs(growth):
        return False
    if attributed is None:
        return row["attributed_to"] is None
    return row["attributed_to"] is not None and attributed in row["attributed_to"].lower()


def test_seed_trade_statements_are_exactly_the_gold_rows(seed_outputs):
    rows = seed_outputs["trade"].to_dicts()
    unmatched_gold = [g for g in GOLD if not any(_matches(r, g) for r in rows)]
    extra_rows = [_row_key(r) for r in rows if not any(_matches(r, g) for g in GOLD)]
    assert not unmatched_gold, f"gold rows not produced: {unmatched_gold}\nrows: {rows}"
    assert not extra_rows, f"rows outside the gold: {extra_rows}"
    assert len(rows) == len(GOLD)


def test_seed_trade_statements_come_from_nothing_in_article_003(seed_outputs):
    assert seed_outputs["trade"].filter(pl.col("article_id") == "003").is_empty()


@pytest.mark.parametrize(
    "phrase",
    # The "2018 trade war" is written "2018 U.S. trade war" in article 004.
    ["20 years", "80th anniversary", "four-day visit", "2018 U.S. trade war", "Vostok 2018",
     "hundreds of thousands of soldiers", "May 24"],
)
def test_seed_trade_statements_never_use_non_trade_numbers(seed_outputs, phrase):
    figures = seed_outputs["figures"]
    trade = seed_outputs["trade"]
    used = set(trade["value_figure_id"].drop_nulls()) | set(trade["growth_figure_id"].drop_nulls())
    sentences = seed_outputs["sentences"].filter(pl.col("text").str.contains(phrase, literal=True))
    assert not sentences.is_empty(), f"{phrase!r} is not in the corpus any more"
    for sentence in sentences.iter_rows(named=True):
        start = sentence["text"].index(phrase)
        end = start + len(phrase)
        overlapping = figures.filter(
            (pl.col("sentence_id") == sentence["sentence_id"])
            & (pl.col("span_start") < end) & (pl.col("span_end") > start)
        )
        assert not set(overlapping["figure_id"]) & used


def test_seed_years_dates_and_ordinals_are_not_figures(seed_outputs):
    raw = " | ".join(seed_outputs["figures"]["raw_text"].to_list())
    for not_amount in ("2018", "2024", "80", "May 24", "24"):
        assert not any(r.strip() == not_amount for r in raw.split(" | "))


def test_seed_claims_hold_the_three_quotes_of_001_with_speaker_and_organisation(seed_outputs):
    quotes = seed_outputs["claims"].filter(
        (pl.col("article_id") == "001") & (pl.col("claim_type") == "quote")
    )
    found = {(r["speaker"], r["speaker_org"]) for r in quotes.iter_rows(named=True)}
    assert found == {
        ("Richard Weitz", "NATO Defense College"),
        ("Einar Tangen", "Centre for International Governance Innovation"),
        ("Andrey Kortunov", "Russian International Affairs Council"),
    }
    roles = set(quotes["speaker_role"])
    assert "senior non-resident associate fellow" in roles


def test_seed_claims_hold_the_largest_trading_partner_ranking(seed_outputs):
    rankings = seed_outputs["claims"].filter(pl.col("claim_type") == "ranking")
    assert "For 15 consecutive years, China has been Russia's largest trading partner" in set(
        rankings["claim_text"]
    )


def test_seed_claims_hold_novaks_forecast_with_its_hedge(seed_outputs):
    forecasts = seed_outputs["claims"].filter(
        (pl.col("claim_type") == "forecast") & (pl.col("speaker") == "Alexander Novak")
    )
    assert forecasts.height == 1
    row = forecasts.row(0, named=True)
    assert row["hedge"] == "is expected"
    assert "40%" in row["claim_text"]
    assert row["speaker_role"] == "Russian Deputy Prime Minister"
