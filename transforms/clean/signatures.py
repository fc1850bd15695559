"""Near-duplicate signatures: two deterministic MinHash signatures per article.

Over its kept (clean) text:
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

from transforms.clean.language import all_stopwords
from transforms.clean.paragraphs import cleaning_rules, normalise

_MERSENNE = (1 << 61) - 1
# Every position of the signature of a text without items (2^61-1, above any hash).
EMPTY = _MERSENNE
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


def similarity_settings() -> dict[str, Any]:
    """num_perm, shingle_words, min_similarity and story.min_similarity of cleaning.yml."""
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
    settings = similarity_settings()
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


def as_matrix(frame: pl.DataFrame, column: str, num_perm: int) -> np.ndarray:
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
