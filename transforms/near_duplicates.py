"""Near-duplicate articles across sources and story clusters, by MinHash.

Two deterministic MinHash signatures per article, over its kept (clean) text:
- minhash: 5-word shingles. Its estimated Jaccard finds syndicated or lightly edited copies
  (near_duplicate_of, threshold near_duplicate.min_similarity).
- story_minhash: the set of content words (no stopwords, 3+ characters). It finds rewrites
  of the same story (story_cluster_id, threshold story_cluster.min_similarity).
Hash functions are fixed (blake2b of each shingle, then k universal hashes with seeds drawn
from a fixed string), so a signature is the same on every machine and run, and signatures
persisted in raw.article_signatures can be compared with tomorrow's articles.
Thresholds: transforms/rules/cleaning.yml (near_duplicate, story_cluster).
"""

from __future__ import annotations

import bisect
import functools
import hashlib
import math
from collections.abc import Iterator
from typing import Any

import numpy as np
import polars as pl

from transforms.clean import cleaning_rules, normalise
from transforms.language import all_stopwords

_MERSENNE = (1 << 61) - 1
_P = np.uint64(_MERSENNE)
_31 = np.uint64(31)
_61 = np.uint64(61)
_LOW30 = np.uint64((1 << 30) - 1)
_LOW31 = np.uint64((1 << 31) - 1)
# Items hashed per block: the eight (num_perm x 128) uint64 arrays of a block (four
# coefficient tiles, four work arrays) are 1 MiB at 128 permutations, so a block's dozen
# passes stay in the L2 cache (2 MiB a core here; 128 measured faster than 64 or 256), and
# no array reaches glibc's 1 MiB mmap threshold (MALLOC_MMAP_THRESHOLD_): no page faults.
# Blocks are multiples of _BLOCK_STEP items.
_BLOCK_ITEMS = 128
_BLOCK_STEP = 32
_DIGEST = functools.partial(hashlib.blake2b, digest_size=8)
SIGNATURE_COLUMNS = {
    "article_id": pl.String,
    "minhash": pl.List(pl.Int64),
    "story_minhash": pl.List(pl.Int64),
}
OUTPUT_COLUMNS = {
    "article_id": pl.String,
    "story_cluster_id": pl.String,
    "near_duplicate_of": pl.String,
    "near_duplicate_similarity": pl.Float64,
    "story_similarity": pl.Float64,
}


def _settings() -> dict[str, Any]:
    thresholds = cleaning_rules()["thresholds"]
    return {**thresholds["near_duplicate"], "story": thresholds["story_cluster"]}


@functools.cache
def _hash_coefficients(num_perm: int) -> tuple[np.ndarray, np.ndarray]:
    """The k (a, b) pairs of h(x) = (a*x + b) mod 2^61-1, derived from a fixed string.

    Out: two uint64 column vectors of shape (num_perm, 1), a in [1, p-1], b in [0, p-1].
    """
    a, b = [], []
    for i in range(num_perm):
        digest = hashlib.blake2b(f"claimledger-minhash-{i}".encode(), digest_size=16).digest()
        a.append(int.from_bytes(digest[:8], "big") % (_MERSENNE - 1) + 1)
        b.append(int.from_bytes(digest[8:], "big") % _MERSENNE)
    return (np.array(a, dtype=np.uint64).reshape(-1, 1),
            np.array(b, dtype=np.uint64).reshape(-1, 1))


def _reduce(values: np.ndarray) -> np.ndarray:
    """values (uint64, below 2^64) mod 2^61-1, using 2^61 = 1 (mod 2^61-1)."""
    values = (values & _P) + (values >> _61)  # below 2^61 + 8
    return np.where(values >= _P, values - _P, values)


@functools.cache
def _coefficient_tiles(num_perm: int, width: int) -> tuple[np.ndarray, ...]:
    """(2*a_hi, a_hi, a_lo, b) of _hash_coefficients with a = a_hi*2^31 + a_lo, each
    repeated over `width` columns: numpy multiplies two whole arrays about three times as
    fast as it broadcasts a column over a row (measured on uint64, numpy 2.4)."""
    a, b = _hash_coefficients(num_perm)
    a_hi = a >> _31
    return tuple(np.ascontiguousarray(np.broadcast_to(part, (num_perm, width)))
                 for part in (a_hi << np.uint64(1), a_hi, a & _LOW31, b))


def _digests(items: list[str]) -> bytes:
    """The 8-byte blake2b digests of the items, concatenated."""
    return b"".join([_DIGEST(item.encode()).digest() for item in items])


def _item_values(digests: bytes) -> np.ndarray:
    """Big-endian 64-bit digests -> their values mod 2^61-1 (uint64, 1-D)."""
    return _reduce(np.frombuffer(digests, dtype=">u8").astype(np.uint64))


def _folded_hashes(x_hi: np.ndarray, x_lo: np.ndarray, coefficients: tuple[np.ndarray, ...],
                   total: np.ndarray, mid: np.ndarray) -> np.ndarray:
    """a*x + b for every (a, b) row and x column, below 2^61 + 6 and equal to it mod p.

    x_hi, x_lo: the item parts repeated on every row (overwritten: used as work arrays);
    coefficients: _coefficient_tiles of the same shape. Written into `total`.
    With x = x_hi*2^31 + x_lo and a likewise (high parts below 2^30, low below 2^31):
    a*x = a_hi*x_hi*2^62 + mid*2^31 + a_lo*x_lo with mid = a_hi*x_lo + a_lo*x_hi < 2^62,
    and as 2^61 = 1 (mod p): 2^62 = 2 and mid*2^31 = (mid >> 30) + (mid mod 2^30)*2^31.
    The sum stays below 2^61 + 2^32 + 2^61 + 2^62 + 2^61 < 2^64: no step overflows.
    """
    a_hi2, a_hi, a_lo, b = coefficients
    np.multiply(a_hi2, x_hi, out=total)       # 2*a_hi*x_hi < 2^61
    np.multiply(a_hi, x_lo, out=mid)
    np.multiply(a_lo, x_hi, out=x_hi)         # x_hi is not needed any more
    mid += x_hi                               # < 2^62
    np.right_shift(mid, np.uint64(30), out=x_hi)
    total += x_hi
    mid &= _LOW30
    mid <<= _31
    total += mid
    np.multiply(a_lo, x_lo, out=x_lo)         # < 2^62
    total += x_lo
    total += b
    np.right_shift(total, _61, out=x_hi)      # at most 4
    total &= _P
    total += x_hi
    return total


def _reduced_in_place(folded: np.ndarray) -> np.ndarray:
    """Values below 2^61 + 6 -> mod 2^61-1, in place; only about never is one p or above."""
    if folded.size and folded.max() >= _P:
        np.subtract(folded, _P, out=folded, where=folded >= _P)
    return folded


def _segment_minima(values: np.ndarray, starts: np.ndarray, num_perm: int) -> np.ndarray:
    """k minima of the universal hashes over each segment of `values`.

    values: item values mod 2^61-1 (uint64); starts: increasing start of each segment, the
    first 0, none empty. Out: uint64 (segments, num_perm). Computed in blocks of
    _BLOCK_ITEMS items; a segment spread over blocks takes the minimum of its pieces.
    """
    # Padded to a multiple of _BLOCK_STEP items with copies of the last item, which is in
    # the last segment and cannot change its minima: every block then has one of a few
    # widths, each with contiguous coefficient tiles (a slice of a wider tile is strided,
    # and numpy runs a strided operand row by row, about twice as slow).
    values = np.pad(values, (0, -len(values) % _BLOCK_STEP), mode="edge")
    x_hi, x_lo = values >> _31, values & _LOW31
    # Segment bounds as Python lists: bisect per block costs less than numpy calls.
    start_list = starts.tolist()
    end_list = [*start_list[1:], len(values)]
    minima = np.full((num_perm, len(start_list)), _P)
    width = 0
    for lo in range(0, len(values), _BLOCK_ITEMS):
        hi = min(lo + _BLOCK_ITEMS, len(values))
        if hi - lo != width:  # the first block, and a narrower last one
            width = hi - lo
            coefficients = _coefficient_tiles(num_perm, width)
            tile_hi, tile_lo, total, mid = (np.empty((num_perm, width), dtype=np.uint64)
                                            for _ in range(4))
        first = bisect.bisect_right(end_list, lo)  # the first segment ending after lo
        last = bisect.bisect_left(start_list, hi)  # the segments starting before hi
        np.copyto(tile_hi, x_hi[lo:hi])
        np.copyto(tile_lo, x_lo[lo:hi])
        folded = _reduced_in_place(_folded_hashes(tile_hi, tile_lo, coefficients, total, mid))
        if first + 1 == last:  # one segment in the block: a plain row minimum
            pieces = folded.min(axis=1, keepdims=True)
        else:
            offsets = [max(start - lo, 0) for start in start_list[first:last]]
            pieces = np.minimum.reduceat(folded, offsets, axis=1)
        np.minimum(minima[:, first:last], pieces, out=minima[:, first:last])
    return minima.T


def _minhash(items: set[str], num_perm: int) -> list[int]:
    """k minima of the universal hashes over the items; all 2^61-1 for an empty set.

    Vectorised with numpy in exact modular arithmetic: the same values as
    min((a*x + b) % (2^61-1)) computed with Python integers (tests/transforms/
    test_minhash_exact.py).
    """
    if not items:
        return [_MERSENNE] * num_perm
    values = _item_values(_digests(list(items)))
    return _segment_minima(values, np.zeros(1, dtype=np.intp), num_perm)[0].astype(
        np.int64).tolist()


def _tokens(text: str) -> list[str]:
    # normalise leaves word characters (no "_") and single spaces, and no word character
    # is whitespace to str.split: the same tokens as re.findall(r"\w+"), without a regex.
    return normalise(text).split()


def _shingles(text: str | list[str], size: int) -> set[str]:
    tokens = _tokens(text) if isinstance(text, str) else text
    if not tokens:
        return set()
    if len(tokens) < size:
        return {" ".join(tokens)}
    # zip of the shifted lists: the same windows as tokens[i : i + size], without slicing.
    # Unequal lengths on purpose: zip stops at the shortest, the last full window.
    return set(map(" ".join, zip(*(tokens[i:] for i in range(size)), strict=False)))


def _content_words(text: str | list[str]) -> set[str]:
    # The distinct tokens less the stopwords first (set operations, in C), then the length
    # rule on what is left: the same set as filtering every token.
    tokens = set(_tokens(text) if isinstance(text, str) else text) - all_stopwords()
    return {token for token in tokens if len(token) >= 3 or token.isdigit()}


def _signature_items(texts: list[str | None], shingle_words: int
                     ) -> tuple[list[bytes], list[int]]:
    """Digests of each text's shingles and of its content words (two segments a text).

    Out: the digests of every non-empty segment, and each segment's item count (0 for an
    empty one), in order: text 0 shingles, text 0 words, text 1 shingles, ...
    """
    digests, sizes = [], []
    for text in texts:
        tokens = _tokens(text or "")  # one normalisation for both signatures
        shingles, words = _shingles(tokens, shingle_words), _content_words(tokens)
        digests.append(_digests(list(shingles)))
        digests.append(_digests(list(words)))
        sizes += [len(shingles), len(words)]
    return digests, sizes


def _signature_matrix(digests: list[bytes], sizes: list[int], num_perm: int) -> np.ndarray:
    """(segments, num_perm) int64 MinHash of each segment; all 2^61-1 for an empty one."""
    matrix = np.full((len(sizes), num_perm), _MERSENNE, dtype=np.int64)
    counts = np.array(sizes, dtype=np.intp)
    filled = np.flatnonzero(counts)
    if filled.size:
        starts = np.cumsum(counts[filled]) - counts[filled]
        values = _item_values(b"".join(digests))
        matrix[filled] = _segment_minima(values, starts, num_perm).astype(np.int64)
    return matrix


def article_signatures(articles: pl.DataFrame) -> pl.DataFrame:
    """[article_id, clean_text] in -> [article_id, minhash, story_minhash] out.

    Each signature is a list of num_perm Int64 values below 2^61 (cleaning.yml,
    near_duplicate.num_perm); an article without words gets all-2^61-1 lists, which
    compare as unknown (never a duplicate).
    """
    settings = _settings()
    num_perm = settings["num_perm"]
    matrix = _signature_matrix(
        *_signature_items(articles["clean_text"].to_list(), settings["shingle_words"]), num_perm)
    signatures = pl.DataFrame({
        "article_id": articles["article_id"].cast(pl.String),
        # From the numpy rows (a fixed-size Array) to lists: half the time of Python lists.
        "minhash": pl.Series(matrix[0::2]).cast(SIGNATURE_COLUMNS["minhash"]),
        "story_minhash": pl.Series(matrix[1::2]).cast(SIGNATURE_COLUMNS["story_minhash"]),
    })
    # The stage calls this once a URL, mostly with one article: nothing to sort.
    return signatures.sort("article_id") if signatures.height > 1 else signatures


def _matrix(frame: pl.DataFrame, column: str, num_perm: int) -> np.ndarray:
    """(rows, positions) int64 of a signature column; (0, num_perm) for no rows."""
    if frame.height == 0:
        return np.zeros((0, num_perm), dtype=np.int64)
    lists = frame[column]
    lengths = lists.list.len()
    if (lists.dtype == pl.List(pl.Int64) and lengths.null_count() == 0
            and lengths.min() == lengths.max() > 0):
        # Lists of one length without nulls (every signature): the flat values reshaped,
        # without a Python int per value (to_list was half the time of a daily load's search:
        # 0.5 s for 10,000 stored articles).
        values = lists.explode()
        if values.null_count() == 0:
            return values.to_numpy().reshape(frame.height, -1)
    return np.array(lists.to_list(), dtype=np.int64)


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


def _compare_rows(shingle: np.ndarray, story: np.ndarray, empty: np.ndarray, n_stored: int,
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


def with_near_duplicates(
    new_signatures: pl.DataFrame,
    stored_signatures: pl.DataFrame,
    *,
    with_story_similarity: bool = False,
) -> pl.DataFrame:
    """Story cluster and near-duplicate source of each new article.

    In: signatures of the new articles, and of everything already stored (same columns,
    optionally story_cluster_id as already stored in raw.articles). Stored articles come
    first; among articles of the same batch the smaller article_id is the earlier.
    Out: one row per new article: story_cluster_id (the cluster of its earliest story-linked
    article, itself when none), near_duplicate_of (the most similar EARLIER article whose
    5-word-shingle similarity reaches the threshold, else null), near_duplicate_similarity
    (its highest shingle similarity to any other compared article, null when there is none)
    and, when with_story_similarity, story_similarity (the same over content words; not a
    raw.articles column yet). The result depends only on the two sets of signatures, not on
    their row order.
    """
    settings = _settings()
    num_perm = settings["num_perm"]
    new = new_signatures.sort("article_id")
    stored = stored_signatures.filter(~pl.col("article_id").is_in(new["article_id"].implode()))
    stored = stored.sort("article_id")
    if "story_cluster_id" not in stored.columns:
        stored = stored.with_columns(story_cluster_id=pl.lit(None, dtype=pl.String))
    ids = stored["article_id"].to_list() + new["article_id"].to_list()
    stored_cluster = dict(zip(stored["article_id"], stored["story_cluster_id"], strict=True))
    n_stored = stored.height
    shingle = np.vstack([_matrix(stored, "minhash", num_perm), _matrix(new, "minhash", num_perm)])
    story = np.vstack(
        [_matrix(stored, "story_minhash", num_perm), _matrix(new, "story_minhash", num_perm)]
    )
    empty = (shingle == _MERSENNE).all(axis=1)

    parent = list(range(len(ids)))  # union-find; index order is precedence order

    def find(i: int) -> int:
        while parent[i] != i:
            parent[i] = parent[parent[i]]
            i = parent[i]
        return i

    new_rows = list(range(n_stored, len(ids)))
    thresholds = (num_perm, settings["min_similarity"], settings["story"]["min_similarity"])
    pairs, sources, best_shingle, best_story = _compare_rows(
        shingle, story, empty, n_stored, thresholds)
    for row, other in pairs:
        a, b = find(row), find(other)
        parent[max(a, b)] = min(a, b)
    results = []
    for row in new_rows:
        compared = best_shingle[row] >= 0
        source = sources.get(row)
        results.append((ids[row], ids[source] if source is not None else None,
                        float(best_shingle[row]) if compared else None,
                        float(best_story[row]) if compared else None))

    index = {article_id: i for i, article_id in enumerate(ids)}
    rows = []
    for article_id, source, similarity, story_similarity in results:
        root = find(index[article_id])
        cluster = stored_cluster.get(ids[root]) if root < n_stored else None
        rows.append((article_id, cluster or ids[root], source, similarity, story_similarity))
    result = pl.DataFrame(rows, schema=OUTPUT_COLUMNS, orient="row").sort("article_id")
    return result if with_story_similarity else result.drop("story_similarity")
