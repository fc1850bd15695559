"""transforms.clean.near_duplicates: deterministic MinHash, syndicated copies, story clusters."""

from __future__ import annotations

import csv
from pathlib import Path

import polars as pl
import pytest

from tests.transforms.clean.test_near_duplicates_exact import oracle
from transforms.clean import search
from transforms.clean.clusters import with_near_duplicates
from transforms.clean.metrics import article_noise_metrics
from transforms.clean.paragraphs import cleaning_rules, with_paragraph_decisions
from transforms.clean.signatures import article_signatures
from transforms.extract.page import extract_page

REPO = Path(__file__).resolve().parents[3]
SAMPLE = REPO / "corpus" / "sample"
THRESHOLDS = cleaning_rules()["thresholds"]

STORY = (
    "Exports through Northport harbour rose by 4.2 percent in 2023 to 18 million tonnes, the "
    "port authority said on Tuesday, the third annual rise in a row.\n"
    "Grain shipments led the increase, followed by timber and machinery, while container "
    "traffic was flat compared with the year before.\n"
    "The authority expects a further rise this year once the new deep-water berth opens in "
    "the autumn, its chief executive told reporters."
)
OTHER = (
    "The city council approved a new cycling plan on Wednesday that adds forty kilometres of "
    "protected lanes by 2027 and lowers speed limits near schools.\n"
    "Opposition members criticised the cost, which they put at twelve million euros, and "
    "asked for a referendum on the closure of two central streets."
)


def _signatures(texts: dict[str, str]) -> pl.DataFrame:
    return article_signatures(
        pl.DataFrame({"article_id": list(texts), "clean_text": list(texts.values())})
    )


def _empty() -> pl.DataFrame:
    return _signatures({}).head(0)


def test_signatures_are_deterministic_int64_lists():
    first = _signatures({"a": STORY, "b": OTHER})
    second = _signatures({"b": OTHER, "a": STORY})
    assert first.equals(second)
    assert first.schema["minhash"] == pl.List(pl.Int64)
    for values in first["minhash"].to_list() + first["story_minhash"].to_list():
        assert len(values) == THRESHOLDS["near_duplicate"]["num_perm"]
        assert all(0 <= value < 2**61 for value in values)


def test_syndicated_copy_is_flagged_against_the_earlier_article():
    copy = STORY + "\nThis article first appeared in the Northport Gazette."
    result = with_near_duplicates(_signatures({"b2": copy, "a1": STORY, "c3": OTHER}), _empty())
    assert result.columns == [
        "article_id",
        "story_cluster_id",
        "near_duplicate_of",
        "near_duplicate_similarity",
    ]
    rows = {row["article_id"]: row for row in result.to_dicts()}
    assert rows["b2"]["near_duplicate_of"] == "a1"  # smaller id of the batch wins
    assert rows["a1"]["near_duplicate_of"] is None
    assert rows["b2"]["near_duplicate_similarity"] >= THRESHOLDS["near_duplicate"]["min_similarity"]
    assert rows["a1"]["story_cluster_id"] == rows["b2"]["story_cluster_id"] == "a1"
    assert rows["c3"]["story_cluster_id"] == "c3"
    assert rows["c3"]["near_duplicate_of"] is None
    assert rows["c3"]["near_duplicate_similarity"] < 0.2


def test_stored_article_comes_first_whatever_its_id():
    stored = _signatures({"zz": STORY}).with_columns(story_cluster_id=pl.lit("cluster-old"))
    result = with_near_duplicates(_signatures({"aa": STORY + "\nUpdated at noon."}), stored)
    row = result.row(0, named=True)
    assert row["article_id"] == "aa"
    assert row["near_duplicate_of"] == "zz"
    assert row["story_cluster_id"] == "cluster-old"


def test_result_does_not_depend_on_row_order_or_batching():
    texts = {"a1": STORY, "b2": STORY + "\nMore soon.", "c3": OTHER, "d4": OTHER + "\nEnd."}
    signatures = _signatures(texts)
    one = with_near_duplicates(signatures, _empty())
    two = with_near_duplicates(signatures.reverse(), _empty())
    assert one.equals(two)
    # A daily run: yesterday's articles are stored, today's are new.
    daily = with_near_duplicates(
        signatures.filter(pl.col("article_id").is_in(["b2", "d4"])),
        signatures.filter(pl.col("article_id").is_in(["a1", "c3"])),
    )
    assert daily.equals(one.filter(pl.col("article_id").is_in(["b2", "d4"])))



@pytest.mark.parametrize("max_share", [float("inf"), 0.0])
def test_search_of_real_signatures_equals_the_all_pairs_search(monkeypatch, max_share):
    # Copies and rewrites of two texts, one without words, part stored: the search by runs
    # of equal values (tests/transforms/clean/test_near_duplicates_exact.py) finds what comparing
    # every pair finds. So many copies make it fall back to all pairs: forced off, then on.
    monkeypatch.setattr(search, "_MAX_AGREEMENTS_PER_COMPARISON", max_share)
    texts = {f"s{i}": STORY + f"\nUpdate {i}." * (i % 3) for i in range(6)}
    texts |= {f"o{i}": OTHER + f"\nNote {i}." for i in range(5)}
    texts["empty"] = ""
    signatures = _signatures(texts)
    stored = signatures.filter(pl.col("article_id").is_in(["s0", "o0", "empty"]))
    new = signatures.filter(~pl.col("article_id").is_in(["s0", "o0", "empty"]))
    result = with_near_duplicates(new, stored, with_story_similarity=True)
    assert result.equals(oracle(new, stored, with_story_similarity=True))
    assert with_near_duplicates(signatures, _empty()).equals(oracle(signatures, _empty()))
    assert result["near_duplicate_of"].drop_nulls().len() >= 4  # the copies were found


def test_article_without_text_is_never_a_duplicate():
    result = with_near_duplicates(_signatures({"a": "", "b": ""}), _empty())
    assert result["near_duplicate_of"].null_count() == 2
    assert result["near_duplicate_similarity"].null_count() == 2
    assert result["story_cluster_id"].to_list() == ["a", "b"]


@pytest.fixture(scope="module")
def seed_results() -> pl.DataFrame:
    paragraphs, articles = [], []
    with (SAMPLE / "manifest.csv").open(newline="", encoding="utf-8") as handle:
        for row in csv.DictReader(handle):
            page = extract_page((SAMPLE / row["file"]).read_text(encoding="utf-8"), row["url"])
            seed = row["file"][:3]
            paragraphs += [(seed, i, t) for i, t in enumerate(page["raw_text"].split("\n"))]
            articles.append(
                {
                    "article_id": seed,
                    **{k: page[k] for k in ("language", "title", "author", "site_name")},
                }
            )
    frame = pl.DataFrame(
        paragraphs,
        schema={"article_id": pl.String, "position": pl.Int64, "text": pl.String},
        orient="row",
    )
    metrics = article_noise_metrics(with_paragraph_decisions(frame, pl.DataFrame(articles)))
    return with_near_duplicates(article_signatures(metrics), _empty(), with_story_similarity=True)


def test_seed_rewrites_are_compared_but_not_near_duplicates(seed_results):
    # 000 and 001 are two rewrites of one story: compared (similarity recorded), not copies,
    # and, at the documented story threshold, not one cluster either (docs/cleaning.md).
    rows = {row["article_id"]: row for row in seed_results.to_dicts()}
    for seed in ("000", "001"):
        assert rows[seed]["near_duplicate_similarity"] is not None
        assert rows[seed]["near_duplicate_similarity"] < 0.1
        assert rows[seed]["near_duplicate_of"] is None
        assert 0.1 < rows[seed]["story_similarity"] < THRESHOLDS["story_cluster"]["min_similarity"]
    assert rows["000"]["story_cluster_id"] != rows["001"]["story_cluster_id"]
    assert seed_results["near_duplicate_of"].null_count() == seed_results.height
