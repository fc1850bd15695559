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
    if frame.height == 0:
        return np.zeros((0, num_perm), dtype=np.int64)
    return np.array(frame[column].to_list(), dtype=np.int64)


# Below this many signature comparisons the search runs in the caller: shipping the
# matrices to the worker processes would cost more (about 1 s of search per 2e7).
PARALLEL_MIN_COMPARISONS = 20_000_000


def _compare_rows(shingle: np.ndarray, story: np.ndarray, empty: np.ndarray, rows: list[int],
                  thresholds: tuple[int, float, float]
                  ) -> tuple[list[tuple[int, int]], dict[int, int], np.ndarray, np.ndarray]:
    """Compare each of `rows` with every row before it.

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


def _compare_in_parallel(shingle: np.ndarray, story: np.ndarray, empty: np.ndarray,
                         rows: list[int], thresholds: tuple[int, float, float]):
    """_compare_rows over `rows`, split over the stage worker processes when the search is
    big (a first load of thousands of articles: all pairs), merged to the same result."""
    from transforms.parallel import map_calls, worker_count

    comparisons = sum(rows) if rows else 0  # row i is compared with i earlier rows
    workers = worker_count()
    if workers <= 1 or comparisons < PARALLEL_MIN_COMPARISONS:
        return _compare_rows(shingle, story, empty, rows, thresholds)
    # Interleaved, so each share holds early (cheap) and late (dear) rows alike.
    shares = [rows[i::workers] for i in range(workers)]
    results = map_calls(_compare_rows, [(shingle, story, empty, share, thresholds)
                                        for share in shares])
    pairs = [pair for result in results for pair in result[0]]
    sources = {row: source for result in results for row, source in result[1].items()}
    best_shingle = np.maximum.reduce([result[2] for result in results])
    best_story = np.maximum.reduce([result[3] for result in results])
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
    pairs, sources, best_shingle, best_story = _compare_in_parallel(
        shingle, story, empty, new_rows, thresholds)
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
