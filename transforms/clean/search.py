"""The near-duplicate search: which new rows agree with which earlier rows, and how much.

Over signature matrices (transforms/clean/signatures.py); the clusters are made of its
pairs by transforms/clean/clusters.py.
"""

from __future__ import annotations

import math
from collections.abc import Iterator

import numpy as np

# The search counts, for each pair (new row, earlier row), the signature positions where
# the two agree, from the runs of equal values of each position, and never looks at a pair
# that agrees nowhere: its similarity is 0, which only matters for the best similarity of a
# compared row (0, not -1) and for a threshold of 0 or below (then every compared pair is
# linked, and the search falls back to _compare_rows_all_pairs).
# The counts of a block of new rows are a dense (block rows x rows before the block's end)
# int64 array, one for each signature, of at most this many cells.
_BLOCK_CELLS = 1 << 17
# (new row, earlier row, position) agreements a block expands at once, in a few int64
# arrays of this length. Equal values are the cost: a run of g rows at one position is
# g*(g-1)/2 agreements (content words: runs of thousands at the minima of common words, 1e8
# agreements for 10,000 articles), so a block ends where its rows' agreements reach this.
# One new row may exceed it alone, with at most positions x rows (every earlier article
# identical to it): the size of a signature matrix.
# Both 2^17 (1 MiB arrays): blocks that stay in the cache were measured 1.5x as fast as
# 2^21 at 10,000 articles, and the ~800 blocks' numpy calls cost little.
_BLOCK_AGREEMENTS = 1 << 17
# An agreement costs 7 to 13 times what one position of one pair costs in
# _compare_rows_all_pairs (16-30 against 2.4 ns: the 10,000-article benchmark, and 1,500
# identical articles among 5,000): with more agreements than this share of the all-pairs
# comparisons (many identical articles), that search is the faster. The benchmark has 1e8
# agreements for 1.3e10 comparisons (0.008).
_MAX_AGREEMENTS_PER_COMPARISON = 1 / 16


def _compare_rows_all_pairs(shingle: np.ndarray, story: np.ndarray, empty: np.ndarray,
                            rows: list[int], thresholds: tuple[int, float, float]
                            ) -> tuple[list[tuple[int, int]], dict[int, int], np.ndarray,
                                       np.ndarray]:
    """Compare each of `rows` with every row before it, position by position.

    The search of _compare_rows for every pair, also those that agree nowhere: used when a
    threshold is 0 or below, where such pairs are linked, and when most pairs agree
    somewhere (many identical articles), where comparing them all is the faster.
    A pair's similarity is symmetric, so the later row of a pair records it for both: half
    the comparisons of all-pairs, the same results. Out: the linked (row, earlier row)
    pairs (story or shingle similarity at a threshold), each row's near-duplicate source
    (the most similar earlier copy, earliest on ties), and for every row its highest
    shingle and story similarity to any compared row (-1 while there is none).
    """
    num_perm, shingle_min, story_min = thresholds
    best_shingle = np.full(len(empty), -1.0)
    best_story = np.full(len(empty), -1.0)
    pairs: list[tuple[int, int]] = []
    sources: dict[int, int] = {}
    for row in rows:
        earlier = ~empty[:row]
        if empty[row] or not earlier.any():
            continue
        # count / num_perm equals the mean of the equality mask, without a float array.
        shingle_sim = np.count_nonzero(shingle[:row] == shingle[row], axis=1) / num_perm
        story_sim = np.count_nonzero(story[:row] == story[row], axis=1) / num_perm
        shingle_sim[~earlier] = -1.0
        story_sim[~earlier] = -1.0
        copies = shingle_sim >= shingle_min
        linked = copies | (story_sim >= story_min)
        pairs.extend((row, int(other)) for other in np.flatnonzero(linked))
        if copies.any():
            # Highest similarity first, earliest on ties: argmax returns the first maximum.
            sources[row] = int(np.argmax(np.where(copies, shingle_sim, -1.0)))
        best_shingle[row] = max(best_shingle[row], shingle_sim.max())
        best_story[row] = max(best_story[row], story_sim.max())
        np.maximum(best_shingle[:row], shingle_sim, out=best_shingle[:row])
        np.maximum(best_story[:row], story_sim, out=best_story[:row])
    return pairs, sources, best_shingle, best_story


def _agreements_needed(minimum: float, num_perm: int, positions: int) -> int:
    """The fewest agreeing positions whose similarity (count / num_perm, the division of
    the search) reaches `minimum`; positions + 1 when none does."""
    return next((count for count in range(positions + 1) if count / num_perm >= minimum),
                positions + 1)


def _position_runs(values: np.ndarray, rows: np.ndarray, n_stored: int
                   ) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """The runs of equal values at one signature position that hold a new row.

    In: the position's values of the non-empty rows, and their row numbers (ascending).
    Out: members (the rows of those runs, run after run, ascending in a run) and, for each
    new row in them, the row, the start of its run in members and how many members come
    before it: the earlier rows agreeing with it here are members[start : start + count].
    """
    new = rows >= n_stored
    if 2 * np.count_nonzero(new) < len(rows):
        # A daily load (few new rows, many stored): only stored rows holding a new row's
        # value can agree with one; the others are dropped before the sort.
        new_values = np.sort(values[new])
        at = np.searchsorted(new_values, values).clip(max=max(len(new_values) - 1, 0))
        shared = new_values[at] == values if len(new_values) else new
        values, rows = values[shared], rows[shared]
    order = np.argsort(values, kind="stable")  # stable: rows stay ascending within a run
    values, rows = values[order], rows[order]
    first = np.ones(len(values), dtype=bool)
    np.not_equal(values[1:], values[:-1], out=first[1:])
    run_starts = np.flatnonzero(first)
    ends = np.empty_like(run_starts)
    ends[:-1], ends[-1:] = run_starts[1:], len(values)
    # New rows are numbered after the stored ones: a run holds one when its last row is new.
    # Runs of one row agree with nothing.
    useful = (ends - run_starts >= 2) & (rows[ends - 1] >= n_stored)
    kept = useful[np.cumsum(first) - 1]
    rows, first = rows[kept], first[kept]
    position = np.arange(len(rows))
    starts = np.maximum.accumulate(np.where(first, position, 0))
    new = np.flatnonzero(rows >= n_stored)
    return rows, rows[new], starts[new], new - starts[new]


def _agreement_index(matrix: np.ndarray, rows: np.ndarray, n_stored: int
                     ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """_position_runs of every position of a signature matrix, for the non-empty `rows`.

    Out: the members of all positions' runs, concatenated, and two (new rows, positions)
    arrays: where each new row's earlier agreeing members start in them, and how many they
    are (0 for an empty row, or a value no earlier row has).
    """
    n_new, positions = len(matrix) - n_stored, matrix.shape[1]
    members = []
    starts = np.zeros((n_new, positions), dtype=np.int64)
    counts = np.zeros((n_new, positions), dtype=np.int32)  # at most the rows
    offset = 0
    for column in range(positions):
        run_rows, new_rows, run_starts, run_counts = _position_runs(
            matrix[rows, column], rows, n_stored)
        members.append(run_rows)
        starts[new_rows - n_stored, column] = run_starts + offset
        counts[new_rows - n_stored, column] = run_counts
        offset += len(run_rows)
    return np.concatenate(members) if members else rows[:0], starts, counts


def _agreement_counts(index: tuple[np.ndarray, np.ndarray, np.ndarray], first: int,
                      stop: int, width: int) -> np.ndarray:
    """(stop - first, width) int64: at how many positions each of the new rows first..stop-1
    (counted from the first new row) agrees with each row before `width` (0 for the rest)."""
    members, starts, counts = index
    lengths = counts[first:stop].ravel()  # row by row, position by position
    ends = np.cumsum(lengths)
    # The members of entry e are starts[e] + 0, 1, ... lengths[e]-1: the running count of
    # all entries' members, shifted by each entry's start less the members before it.
    at = np.repeat(starts[first:stop].ravel() - (ends - lengths), lengths)
    at += np.arange(at.size)
    cells = members[at]
    cells += np.repeat(np.arange(stop - first) * width, counts[first:stop].sum(axis=1))
    return np.bincount(cells, minlength=(stop - first) * width).reshape(stop - first, width)


def _blocks(n_stored: int, n_rows: int, agreements: np.ndarray) -> Iterator[tuple[int, int]]:
    """(start, stop) ranges of the new rows, in order: at most _BLOCK_CELLS counts and,
    unless a single row has more, _BLOCK_AGREEMENTS agreements (per new row: `agreements`)."""
    total = np.cumsum(agreements)
    start = n_stored
    while start < n_rows:
        # rows x (start + rows) cells, the block's rows and every row before its end
        rows = (math.isqrt(start * start + 4 * _BLOCK_CELLS) - start) // 2
        done = total[start - n_stored - 1] if start > n_stored else 0
        rows = min(rows, int(np.searchsorted(total, done + _BLOCK_AGREEMENTS, side="right"))
                   - (start - n_stored))
        stop = min(n_rows, start + max(rows, 1))
        yield start, stop
        start = stop


def _searched(empty: np.ndarray, n_stored: int) -> tuple[np.ndarray, np.ndarray]:
    """Which rows the search compares with others, and with how many earlier ones.

    Out: for every row, whether it is compared with at least one other (non-empty, and new
    with a non-empty row before it or before a non-empty new row), and the number of
    earlier rows a new row is compared with (the non-empty ones, 0 for an empty row).
    """
    nonempty = ~empty
    row = np.arange(len(empty))
    new = np.flatnonzero(nonempty[n_stored:])
    last_new = new[-1] + n_stored if new.size else -1
    before = np.cumsum(nonempty) - nonempty
    compared = nonempty & (((row >= n_stored) & (before > 0)) | (row < last_new))
    return compared, np.where(nonempty, before, 0)[n_stored:]


def compare_rows(shingle: np.ndarray, story: np.ndarray, empty: np.ndarray, n_stored: int,
                  thresholds: tuple[int, float, float]
                  ) -> tuple[list[tuple[int, int]], dict[int, int], np.ndarray, np.ndarray]:
    """Compare each new row (n_stored and after) with every non-empty row before it.

    Out, as an all-pairs comparison would give them (_compare_rows_all_pairs): the linked
    (row, earlier row) pairs (story or shingle similarity at a threshold), each row's
    near-duplicate source (the most similar earlier copy, earliest on ties), and for every
    row its highest shingle and story similarity to any compared row (-1 while there is
    none). Empty rows compare with nothing.
    """
    num_perm, shingle_min, story_min = thresholds
    needed = (_agreements_needed(shingle_min, num_perm, shingle.shape[1]),
              _agreements_needed(story_min, num_perm, story.shape[1]))
    all_pairs = (shingle, story, empty, list(range(n_stored, len(empty))), thresholds)
    if min(needed) <= 0:
        return _compare_rows_all_pairs(*all_pairs)
    compared, earlier = _searched(empty, n_stored)
    rows = np.flatnonzero(~empty)
    indexes = [_agreement_index(matrix, rows, n_stored) for matrix in (shingle, story)]
    agreements = indexes[0][2].sum(axis=1) + indexes[1][2].sum(axis=1)
    comparisons = int(earlier.sum()) * (shingle.shape[1] + story.shape[1])
    if agreements.sum() > comparisons * _MAX_AGREEMENTS_PER_COMPARISON:
        return _compare_rows_all_pairs(*all_pairs)
    best = np.zeros((2, len(empty)), dtype=np.int64)  # agreeing positions
    pairs: list[tuple[int, int]] = []
    sources: dict[int, int] = {}
    for start, stop in _blocks(n_stored, len(empty), agreements):
        counts = [_agreement_counts(index, start - n_stored, stop - n_stored, stop)
                  for index in indexes]
        copies = counts[0] >= needed[0]
        linked = np.flatnonzero(copies | (counts[1] >= needed[1]))
        pairs.extend(zip((linked // stop + start).tolist(), (linked % stop).tolist(),
                         strict=True))
        # Pairs that are not compared count 0, below any copy: the first maximum of the row
        # is its most similar copy, earliest on ties.
        with_copies = np.flatnonzero(copies.any(axis=1))
        sources.update(zip((with_copies + start).tolist(),
                           counts[0][with_copies].argmax(axis=1).tolist(), strict=True))
        for signature, count in enumerate(counts):
            np.maximum(best[signature, start:stop], count.max(axis=1),
                       out=best[signature, start:stop])
            np.maximum(best[signature, :stop], count.max(axis=0), out=best[signature, :stop])
    best_shingle, best_story = (np.where(compared, count / num_perm, -1.0) for count in best)
    return pairs, sources, best_shingle, best_story
