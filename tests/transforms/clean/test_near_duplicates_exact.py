"""The near-duplicate search by runs of equal signature values gives exactly the results of
comparing every new row with every earlier row, position by position (the oracle below:
the search as it was before, kept here unchanged)."""

from __future__ import annotations

import contextlib

import numpy as np
import polars as pl
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from transforms.clean import search, signatures
from transforms.clean.clusters import with_near_duplicates
from transforms.clean.signatures import _MERSENNE


def _oracle_matrix(frame: pl.DataFrame, column: str, num_perm: int) -> np.ndarray:
    if frame.height == 0:
        return np.zeros((0, num_perm), dtype=np.int64)
    return np.array(frame[column].to_list(), dtype=np.int64)


def _oracle_compare_rows(shingle, story, empty, rows, thresholds):
    num_perm, shingle_min, story_min = thresholds
    best_shingle = np.full(len(empty), -1.0)
    best_story = np.full(len(empty), -1.0)
    pairs: list[tuple[int, int]] = []
    sources: dict[int, int] = {}
    for row in rows:
        earlier = ~empty[:row]
        if empty[row] or not earlier.any():
            continue
        shingle_sim = np.count_nonzero(shingle[:row] == shingle[row], axis=1) / num_perm
        story_sim = np.count_nonzero(story[:row] == story[row], axis=1) / num_perm
        shingle_sim[~earlier] = -1.0
        story_sim[~earlier] = -1.0
        copies = shingle_sim >= shingle_min
        linked = copies | (story_sim >= story_min)
        pairs.extend((row, int(other)) for other in np.flatnonzero(linked))
        if copies.any():
            sources[row] = int(np.argmax(np.where(copies, shingle_sim, -1.0)))
        best_shingle[row] = max(best_shingle[row], shingle_sim.max())
        best_story[row] = max(best_story[row], story_sim.max())
        np.maximum(best_shingle[:row], shingle_sim, out=best_shingle[:row])
        np.maximum(best_story[:row], story_sim, out=best_story[:row])
    return pairs, sources, best_shingle, best_story


def oracle(new_signatures: pl.DataFrame, stored_signatures: pl.DataFrame, *,
           with_story_similarity: bool = False) -> pl.DataFrame:
    """with_near_duplicates as it was: the module's function (its union-find and output are
    unchanged) with the all-pairs search and the matrix conversion of before, the frozen
    copies above, in place of the new ones."""

    def all_pairs(shingle, story, empty, n_stored, thresholds):
        return _oracle_compare_rows(shingle, story, empty, list(range(n_stored, len(empty))),
                                    thresholds)

    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(search, "compare_rows", all_pairs)
        patch.setattr(signatures, "as_matrix", _oracle_matrix)
        return with_near_duplicates(new_signatures, stored_signatures,
                                    with_story_similarity=with_story_similarity)


# Eight positions: similarities are multiples of 1/8, so the thresholds below are hit exactly
# (4/8 = 0.5, 2/8 = 0.25) and ties are common.
NUM_PERM = 8
THRESHOLDS = [0.5, 0.25, 0.375, 1.0, 0.01, 1.5, 0.0, -1.0, -2.0]


@contextlib.contextmanager
def _search(shingle_min: float = 0.5, story_min: float = 0.25, *, num_perm: int = NUM_PERM,
            max_share: float = float("inf"), cells: int | None = None,
            agreements: int | None = None):
    """Patched settings; by default the run search always (never the all-pairs fallback)."""
    config = {"num_perm": num_perm, "shingle_words": 5, "min_similarity": shingle_min,
              "story": {"min_similarity": story_min}}
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(signatures, "similarity_settings", lambda: config)
        patch.setattr(search, "_MAX_AGREEMENTS_PER_COMPARISON", max_share)
        if cells is not None:
            patch.setattr(search, "_BLOCK_CELLS", cells)
        if agreements is not None:
            patch.setattr(search, "_BLOCK_AGREEMENTS", agreements)
        yield


def _frame(ids: list[str], shingle: np.ndarray, story: np.ndarray) -> pl.DataFrame:
    return pl.DataFrame({
        "article_id": pl.Series(ids, dtype=pl.String),
        "minhash": pl.Series(shingle.tolist(), dtype=pl.List(pl.Int64)),
        "story_minhash": pl.Series(story.tolist(), dtype=pl.List(pl.Int64)),
    })


def _assert_same(new: pl.DataFrame, stored: pl.DataFrame) -> pl.DataFrame:
    expected = oracle(new, stored, with_story_similarity=True)
    result = with_near_duplicates(new, stored, with_story_similarity=True)
    assert result.schema == expected.schema
    assert result.equals(expected), (result, expected)
    short = with_near_duplicates(new, stored)
    assert short.equals(oracle(new, stored)), (short, expected)
    return result


@st.composite
def signature_sets(draw, num_perm: int = NUM_PERM):
    """Stored and new signatures: few distinct values (many shared ones), rows planted as
    copies of earlier rows at some positions, empty rows, story-only empty signatures,
    partly 2^61-1 rows, stored story_cluster_id values and ids shared by both sets."""
    n = draw(st.integers(0, 24))
    rng = np.random.default_rng(draw(st.integers(0, 2**32 - 1)))
    alphabet = draw(st.integers(1, 12))
    shingle = rng.integers(0, alphabet * 4, (n, num_perm))
    story = rng.integers(0, alphabet, (n, num_perm))
    for row in range(1, n):
        if rng.random() < 0.4:  # a partial copy of an earlier row
            source = rng.integers(0, row)
            same = rng.random(num_perm) < rng.random()
            shingle[row, same] = shingle[source, same]
            story[row, same] = story[source, same]
    kinds = rng.random((3, n))
    shingle[kinds[0] < 0.15] = _MERSENNE  # no words: never compared
    story[kinds[1] < 0.1] = _MERSENNE     # words, but no content words
    partly = kinds[2] < 0.1
    shingle[partly, : num_perm // 2] = _MERSENNE  # not empty: compared like any row
    ids = [f"a{i:02d}" for i in rng.permutation(60)[:n]]
    frame = _frame(ids, shingle, story)
    order = rng.permutation(n).tolist()
    n_stored = draw(st.integers(0, n))
    stored, new = frame[order[:n_stored]], frame[order[n_stored:]]
    if n_stored and draw(st.booleans()):
        stored = stored.with_columns(story_cluster_id=pl.Series(
            [None if rng.random() < 0.4 else f"c{rng.integers(0, 3)}" for _ in range(n_stored)],
            dtype=pl.String))
    if n_stored and draw(st.booleans()):  # an article stored before and new again
        new = pl.concat([new, stored.head(1).select(new.columns)])
    return new, stored


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(signature_sets(), st.sampled_from(THRESHOLDS), st.sampled_from(THRESHOLDS),
       st.sampled_from([(None, None), (1, 1), (40, 25)]))
def test_run_search_equals_all_pairs(sets, shingle_min, story_min, budgets):
    # Also with blocks of one row and tiny expansions (budgets 1), and thresholds at 0 or
    # below, where the search falls back to all pairs.
    new, stored = sets
    cells, agreements = budgets
    with _search(shingle_min, story_min, cells=cells, agreements=agreements):
        _assert_same(new, stored)


@settings(max_examples=100, deadline=None)
@given(signature_sets(), st.sampled_from([0.0, 0.05, 1.0]))
def test_fallback_to_all_pairs_for_dense_agreement_gives_the_same(sets, max_share):
    # Many identical rows make the all-pairs search the faster: either way, one result.
    new, stored = sets
    with _search(max_share=max_share):
        _assert_same(new, stored)


def test_real_size_signatures_with_planted_copies_equal_all_pairs():
    # 128 positions, the rules' thresholds: copies at exactly 0.5 (64 equal positions),
    # story links at exactly 0.25 (32), a tie between two sources, stored clusters.
    rng = np.random.default_rng(3)
    n, num_perm = 120, 128
    shingle = rng.integers(0, 2**61 - 1, (n, num_perm))
    story = rng.integers(0, 40, (n, num_perm))  # content words: many shared minima
    shingle[10, :64] = shingle[3, :64]            # exactly the copy threshold
    shingle[11, :63] = shingle[4, :63]            # just below it
    shingle[20] = shingle[5]
    shingle[21, :100] = shingle[5, :100]
    shingle[21, 100:] = shingle[6, 100:]          # 100 equal positions with 5, 28 with 6
    shingle[22, :64], shingle[22, 64:] = shingle[7, :64], shingle[8, 64:]  # a 0.5 tie
    story[30, :32] = story[2, :32]
    shingle[40:45] = _MERSENNE
    ids = [f"r{i:03d}" for i in range(n)]
    frame = _frame(ids, shingle, story)
    stored = frame.head(60).with_columns(
        story_cluster_id=pl.Series([f"old{i % 7}" if i % 3 else None for i in range(60)]))
    for cells in (None, 1):
        with _search(num_perm=num_perm, cells=cells, agreements=cells):
            _assert_same(frame.tail(60), stored)
            _assert_same(frame, stored.head(0))
            result = _assert_same(frame.slice(5, 115), frame.head(5))
    rows = {row["article_id"]: row for row in result.to_dicts()}
    assert rows["r010"]["near_duplicate_of"] == "r003"
    assert rows["r010"]["near_duplicate_similarity"] >= 0.5
    assert rows["r011"]["near_duplicate_of"] is None
    assert rows["r020"]["near_duplicate_of"] == "r005"
    assert rows["r020"]["near_duplicate_similarity"] == 1.0
    assert rows["r021"]["near_duplicate_of"] == "r005"  # 100/128 with r005 and r020
    assert rows["r022"]["near_duplicate_of"] == "r007"  # 64/128 with r007 and r008


def test_source_ties_go_to_the_earliest_and_exact_thresholds_link():
    # Rows 0 and 1 share 4 of 8 positions with row 2 each (0.5, the threshold): row 2's
    # source is row 0, the earlier; row 3 agrees with row 2 at 2 story positions (0.25).
    shingle = np.array([[1, 2, 3, 4, 90, 91, 92, 93],
                        [1, 2, 3, 4, 80, 81, 82, 83],
                        [1, 2, 3, 4, 70, 71, 72, 73],
                        [60, 61, 62, 63, 64, 65, 66, 67]])
    story = np.array([[1] * 8, [2] * 8, [3] * 8, [3, 3, 4, 4, 4, 4, 4, 4]])
    new = _frame(["b", "c", "d"], shingle[1:], story[1:])
    stored = _frame(["z"], shingle[:1], story[:1]).with_columns(
        story_cluster_id=pl.lit("kept"))
    with _search(0.5, 0.25):
        result = _assert_same(new, stored)
    assert result.to_dicts() == [
        {"article_id": "b", "story_cluster_id": "kept", "near_duplicate_of": "z",
         "near_duplicate_similarity": 0.5, "story_similarity": 0.0},
        {"article_id": "c", "story_cluster_id": "kept", "near_duplicate_of": "z",
         "near_duplicate_similarity": 0.5, "story_similarity": 0.25},
        {"article_id": "d", "story_cluster_id": "kept", "near_duplicate_of": None,
         "near_duplicate_similarity": 0.0, "story_similarity": 0.25},
    ]


def test_empty_rows_and_rows_without_an_earlier_one():
    # An empty row is compared with nothing (null); the first non-empty row is compared
    # only by later ones (0.0 when they agree nowhere); without a later one it stays null.
    empty = [_MERSENNE] * NUM_PERM
    shingle = np.array([empty, list(range(8)), empty, list(range(10, 18))])
    story = np.array([empty, list(range(8)), list(range(8)), list(range(20, 28))])
    frame = _frame(["a", "b", "c", "d"], shingle, story)
    with _search():
        result = _assert_same(frame, frame.head(0))
        assert result["near_duplicate_similarity"].to_list() == [None, 0.0, None, 0.0]
        alone = _assert_same(frame.head(3), frame.head(0))
        assert alone["near_duplicate_similarity"].to_list() == [None, None, None]
        stored_first = _assert_same(frame.slice(2), frame.head(2))
        assert stored_first["near_duplicate_similarity"].to_list() == [None, 0.0]


def test_story_signatures_without_content_words_agree_everywhere():
    # Two articles with words but no content words have all-2^61-1 story signatures: the
    # all-pairs search counts them equal at every position (story similarity 1, linked).
    empty = [_MERSENNE] * NUM_PERM
    frame = _frame(["a", "b"], np.array([list(range(8)), list(range(30, 38))]),
                   np.array([empty, empty]))
    with _search():
        result = _assert_same(frame, frame.head(0))
    assert result["story_similarity"].to_list() == [1.0, 1.0]
    assert result["story_cluster_id"].to_list() == ["a", "a"]


@pytest.mark.parametrize("n_new, n_stored", [(0, 0), (0, 3), (3, 0), (1, 0), (0, 1), (1, 1)])
def test_edge_sizes(n_new, n_stored):
    rng = np.random.default_rng(n_new * 10 + n_stored)
    n = n_new + n_stored
    frame = _frame([f"a{i}" for i in range(n)], rng.integers(0, 3, (n, NUM_PERM)),
                   rng.integers(0, 3, (n, NUM_PERM)))
    with _search():
        result = _assert_same(frame.tail(n_new), frame.head(n_stored))
    assert result.height == n_new


def test_all_rows_empty():
    empty = np.full((5, NUM_PERM), _MERSENNE)
    frame = _frame([f"a{i}" for i in range(5)], empty, empty)
    with _search():
        result = _assert_same(frame.tail(3), frame.head(2))
    assert result["near_duplicate_similarity"].null_count() == 3
    assert result["story_cluster_id"].to_list() == ["a2", "a3", "a4"]


def test_signature_lists_that_are_not_one_length_fail_as_before():
    frame = pl.DataFrame({"article_id": ["a", "b"], "minhash": [[1, 2], [1]],
                          "story_minhash": [[1, 2], [1, 2]]})
    with _search(), pytest.raises(ValueError):
        oracle(frame, frame.head(0))
    with _search(), pytest.raises(ValueError):
        with_near_duplicates(frame, frame.head(0))
