"""The trade-statement scorer on hand-made rows, and the integrity of the trade_dev set
(read from beside the repository: docs/trade_dev.md)."""

from __future__ import annotations

import html
import json
import re
from pathlib import Path

import pytest

from claimledger.eval_trade import (
    FLOWS,
    REGIONS,
    SCOPES,
    GoldSet,
    Row,
    score_page,
    score_set,
    sentences_overlap,
    trade_dev_dir,
)

DEV = trade_dev_dir()
# The issue's size for the set; the held-out articles the project keeps for its own check.
TARGET_STATEMENTS = 300
TARGET_ARTICLES = 100
HELD_OUT_REUTERS = {354, 2535, 3199, 5371, 5810, 6976, 8132, 14739, 15840, 16139, 16775}
HELD_OUT_BBC = {440, 488, 505}
SHARED = Path(__file__).resolve().parents[3] / "shared" / "eval" / "trade-realworld-dev"

SENTENCE = ("Last year South Korea ran a 4.3 billion dlr trade surplus, including a record "
            "7.1 billion surplus with the U.S. and a 5.5 billion dlr deficit with Japan.")


def _gold(reporter="KOR", partner="USA", flow="surplus", period=1986, usd=7.1, **extra):
    record = {"file": "p.html", "sentence": SENTENCE, "reporter": reporter,
              "partner": partner, "flow": flow, "period": period, "value_usd_bn": usd,
              "currency": "USD" if usd is not None else None, "value_native_bn": usd,
              "growth_pct": None}
    record.update(extra)
    return record


def _row(reporter="KOR", partner="USA", flow="surplus", period=1986, usd=7.1e9,
         sentence=SENTENCE, **extra) -> Row:
    return Row("p.html", sentence, reporter, partner, flow, period, usd, **extra)


def test_an_exact_row_matches():
    score = score_page("p.html", [_gold()], [_row()])
    assert (score.gold, score.predicted, score.matched) == (1, 1, 1)
    assert score.precision == score.recall == 1.0


def test_the_pair_is_unordered():
    score = score_page("p.html", [_gold(flow="bilateral")],
                       [_row("USA", "KOR", "bilateral")])
    assert score.matched == 1


def test_a_surplus_is_the_partners_deficit():
    assert score_page("p.html", [_gold()], [_row("USA", "KOR", "deficit")]).matched == 1
    # The same codes with the other balance is the opposite statement.
    wrong = score_page("p.html", [_gold()], [_row("KOR", "USA", "deficit")])
    assert wrong.matched == 0
    assert wrong.errors["flow"] == 1


def test_values_agree_within_one_percent():
    assert score_page("p.html", [_gold()], [_row(usd=7.1e9 * 1.009)]).matched == 1
    off = score_page("p.html", [_gold()], [_row(usd=7.1e9 * 1.02)])
    assert off.matched == 0
    assert off.errors["value"] == 1
    assert len(off.false_positives) == 1


def test_a_native_currency_figure_compares_in_its_currency():
    gold = _gold(usd=None, currency="PTE", value_native_bn=98.1)
    assert score_page("p.html", [gold], [_row(usd=None, currency="PTE",
                                               value_native=98.1e9)]).matched == 1
    # A dollar conversion of an escudo figure is not the gold value.
    assert score_page("p.html", [gold], [_row(usd=0.7e9)]).matched == 0


def test_a_second_rendering_of_the_figure_is_accepted():
    gold = _gold(usd=9.8, flow="bilateral", also_currency="GBP", also_native_bn=6.2)
    row = _row(flow="bilateral", usd=None, currency="GBP", value_native=6.2e9)
    assert score_page("p.html", [gold], [row]).matched == 1


def test_a_growth_only_statement_compares_its_rate():
    gold = _gold(usd=None, flow="export", growth_pct=-33.0)
    assert score_page("p.html", [gold], [_row(flow="export", usd=None,
                                               growth_pct=-33.0)]).matched == 1
    assert score_page("p.html", [gold], [_row(flow="export", usd=None,
                                               growth_pct=33.0)]).matched == 0


def test_the_period_counts_only_when_gold_has_one():
    assert score_page("p.html", [_gold()], [_row(period=1985)]).errors["period"] == 1
    assert score_page("p.html", [_gold(period=None)], [_row(period=1985)]).matched == 1
    assert score_page("p.html", [_gold(period=1987, period_alt=[1986])],
                      [_row(period=1986)]).matched == 1


def test_a_row_in_another_sentence_does_not_match():
    row = _row(sentence="Exports to Japan rose sharply in the first quarter of the year.")
    score = score_page("p.html", [_gold()], [row])
    assert score.matched == 0
    assert score.errors["missing"] == 1


def test_an_ignore_record_is_neither_required_nor_penalised():
    ignore = _gold(partner="NICS", scope="ignore")
    assert score_page("p.html", [ignore], []).gold == 0
    score = score_page("p.html", [ignore], [_row(partner="NICS")])
    assert (score.gold, score.predicted, score.ignored_rows) == (0, 0, 1)


def test_rows_on_near_misses_or_nothing_are_false_positives():
    total = {"file": "p.html", "sentence": SENTENCE, "scope": "total", "note": "overall"}
    rows = [_row(partner="WLD", usd=4.3e9), _row("KOR", "CHN", usd=1e9)]
    score = score_page("p.html", [total, _gold()], rows)
    assert (score.gold, score.predicted, score.matched) == (1, 2, 0)
    assert score.precision == 0.0
    assert len(score.false_positives) == 2
    assert "total" in score.false_positives[0]


def test_each_row_matches_one_statement():
    score = score_page("p.html", [_gold(), _gold()], [_row()])
    assert (score.gold, score.matched, score.errors["missing"]) == (2, 1, 1)


def test_sentences_overlap_across_splitter_differences():
    assert sentences_overlap(SENTENCE, SENTENCE.upper())
    assert sentences_overlap(SENTENCE, SENTENCE[:90])
    assert not sentences_overlap(SENTENCE, "The won has gained 5.1 pct since 1986.")


def test_parts_are_scored_apart():
    gold = GoldSet("t", Path("."), {"a.html": {"split": "tuning"},
                                    "b.html": {"split": "held_out"}},
                   [dict(_gold(), file="a.html"), dict(_gold(), file="b.html")], True)
    scores = score_set(gold, [Row("a.html", SENTENCE, "KOR", "USA", "surplus", 1986, 7.1e9)])
    assert (scores["tuning"].recall, scores["held_out"].recall) == (1.0, 0.0)


# --- the committed dev set ------------------------------------------------------------

@pytest.fixture(scope="module")
def dev() -> dict:
    if not (DEV / "gold.json").exists():
        pytest.skip(f"no trade_dev set at {DEV} (CLAIMLEDGER_TRADE_DEV_DIR): its pages may "
                    "not be committed, see docs/trade_dev.md")
    return json.loads((DEV / "gold.json").read_text(encoding="utf-8"))


def _page_text(path: Path) -> str:
    page = path.read_text(encoding="utf-8")
    parts = re.findall(r"<h1>(.*?)</h1>|<p>(.*?)</p>", page, re.S)
    return re.sub(r"\s+", " ", " ".join(html.unescape(h or p) for h, p in parts)).strip()


def test_every_sentence_is_verbatim_page_text(dev):
    texts = {file: _page_text(DEV / "pages" / file) for file in dev["pages"]}
    for record in dev["records"]:
        assert record["file"] in texts, record
        assert re.sub(r"\s+", " ", record["sentence"]) == record["sentence"]
        assert record["sentence"] in texts[record["file"]], record


def test_every_record_is_well_formed(dev):
    for record in dev["records"]:
        scope = record.get("scope")
        assert scope is None or scope in SCOPES, record
        if scope in ("total", "distractor"):
            continue
        codes = (record["reporter"], record["partner"])
        if scope is None:
            assert all(re.fullmatch(r"[A-Z]{3}", c) or c in REGIONS for c in codes), record
            assert codes[0] != codes[1], record
        assert record["flow"] in FLOWS, record
        assert record["period"] is None or 1950 <= record["period"] <= 2030, record
        usd, currency, native = (record["value_usd_bn"], record["currency"],
                                 record["value_native_bn"])
        if usd is not None:
            assert currency == "USD" and native == usd, record
        elif currency is not None:
            assert currency != "USD" and native is not None and native > 0, record
        else:
            assert native is None and record["growth_pct"] is not None, record
        assert "period_from" not in record or record["period_from"] == "context", record


def test_pages_have_a_split_and_a_source(dev):
    for file, meta in dev["pages"].items():
        assert meta["split"] in ("tuning", "held_out"), file
        assert (DEV / "pages" / file).exists(), file
        assert meta["source"]
    splits = [meta["split"] for meta in dev["pages"].values()]
    assert 0.2 <= splits.count("held_out") / len(splits) <= 0.45


def test_the_projects_held_out_articles_are_absent(dev):
    for file in dev["pages"]:
        number = int(re.search(r"(\d+)\.html$", file).group(1))
        if file.startswith("reuters-"):
            assert number not in HELD_OUT_REUTERS, file
        elif file.startswith("bbc-business-"):
            assert number not in HELD_OUT_BBC, file
        else:  # other sources (reutersnews-: Reuters 2006-13) share no ids with these
            assert file.startswith("reutersnews-id"), file


@pytest.mark.skipif(not SHARED.exists(), reason="no ../shared sample beside the repo")
def test_no_article_of_the_shared_sample_is_repeated(dev):
    shared = json.loads((SHARED / "gold.json").read_text(encoding="utf-8"))
    assert not set(dev["pages"]) & set(shared["pages"])


def test_the_set_has_the_issues_size(dev):
    scored = [r for r in dev["records"] if "scope" not in r]
    assert len(scored) >= TARGET_STATEMENTS
    assert len(dev["pages"]) >= TARGET_ARTICLES
