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

import functools
import hashlib
import re
from typing import Any

import numpy as np
import polars as pl

from transforms.clean import cleaning_rules, normalise
from transforms.language import all_stopwords

_MERSENNE = (1 << 61) - 1
_P = np.uint64(_MERSENNE)
_32 = np.uint64(32)
_LOW32 = np.uint64((1 << 32) - 1)
_LOW29 = np.uint64((1 << 29) - 1)
_TOKEN = re.compile(r"\w+")
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
    values = (values & _P) + (values >> np.uint64(61))
    return np.where(values >= _P, values - _P, values)


@functools.cache
def _coefficient_halves(num_perm: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(a's high 32 bits, a's low 32 bits, b) of _hash_coefficients, split once."""
    a, b = _hash_coefficients(num_perm)
    return a >> _32, a & _LOW32, b


def _minhash(items: set[str], num_perm: int) -> list[int]:
    """k minima of the universal hashes over the items; all 2^61-1 for an empty set.

    Vectorised with numpy in exact modular arithmetic: the same values as
    min((a*x + b) % (2^61-1)) computed with Python integers (tests/transforms/
    test_minhash_exact.py). This is most of the clean stage's time, hence in-place steps.
    """
    if not items:
        return [_MERSENNE] * num_perm
    a_hi, a_lo, b = _coefficient_halves(num_perm)
    digests = b"".join(hashlib.blake2b(item.encode(), digest_size=8).digest()
                       for item in items)
    x = _reduce(np.frombuffer(digests, dtype=">u8").astype(np.uint64)).reshape(1, -1)
    x_hi, x_lo = x >> _32, x & _LOW32
    # (a * x) mod 2^61-1 with a and x below 2^61: the 122-bit product is split into 32-bit
    # halves so no partial product overflows: a*x = hh*2^64 + mid*2^32 + ll, with 2^64 = 8
    # and 2^61 = 1 (mod 2^61-1).
    total = a_hi * x_hi                 # hh < 2^58
    total <<= np.uint64(3)
    mid = a_hi * x_lo
    mid += a_lo * x_hi                  # < 2^62
    part = mid >> np.uint64(29)
    total += part
    mid &= _LOW29
    mid <<= _32
    total += mid
    ll = a_lo * x_lo                    # < 2^64
    np.right_shift(ll, np.uint64(61), out=part)
    total += part
    ll &= _P
    total += ll                         # < 2^63
    # One folding step leaves a value below 2^61 + 4, congruent to a*x; adding b (< p) and
    # folding again gives below p + 3, so one conditional subtraction is exact.
    folded = total & _P
    total >>= np.uint64(61)
    folded += total
    folded += b
    hashed = _reduce(folded)
    return hashed.min(axis=1).astype(np.int64).tolist()


def _tokens(text: str) -> list[str]:
    return _TOKEN.findall(normalise(text))


def _shingles(text: str | list[str], size: int) -> set[str]:
    tokens = _tokens(text) if isinstance(text, str) else text
    if not tokens:
        return set()
    if len(tokens) < size:
        return {" ".join(tokens)}
    return {" ".join(tokens[i : i + size]) for i in range(len(tokens) - size + 1)}


def _content_words(text: str | list[str]) -> set[str]:
    stopwords = all_stopwords()
    return {
        token
        for token in (_tokens(text) if isinstance(text, str) else text)
        if token not in stopwords and (len(token) >= 3 or token.isdigit())
    }


def article_signatures(articles: pl.DataFrame) -> pl.DataFrame:
    """[article_id, clean_text] in -> [article_id, minhash, story_minhash] out.

    Each signature is a list of num_perm Int64 values below 2^61 (cleaning.yml,
    near_duplicate.num_perm); an article without words gets all-2^61-1 lists, which
    compare as unknown (never a duplicate).
    """
    settings = _settings()
    rows = []
    for article_id, text in articles.select("article_id", "clean_text").iter_rows():
        tokens = _tokens(text or "")  # one normalisation for both signatures
        rows.append(
            (
                article_id,
                _minhash(_shingles(tokens, settings["shingle_words"]), settings["num_perm"]),
                _minhash(_content_words(tokens), settings["num_perm"]),
            )
        )
    return pl.DataFrame(rows, schema=SIGNATURE_COLUMNS, orient="row").sort("article_id")


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
