"""The numpy MinHash gives exactly the values of the Python-integer definition."""

from __future__ import annotations

import hashlib
import random

from transforms.clean.signatures import _MERSENNE, _minhash


def _reference_minhash(items: set[str], num_perm: int) -> list[int]:
    """min((a*x + b) mod 2^61-1) with Python integers: the definition."""
    a, b = [], []
    for i in range(num_perm):
        digest = hashlib.blake2b(f"claimledger-minhash-{i}".encode(), digest_size=16).digest()
        a.append(int.from_bytes(digest[:8], "big") % (_MERSENNE - 1) + 1)
        b.append(int.from_bytes(digest[8:], "big") % _MERSENNE)
    values = [int.from_bytes(hashlib.blake2b(item.encode(), digest_size=8).digest(), "big")
              % _MERSENNE for item in items]
    return [min((ai * v + bi) % _MERSENNE for v in values) for ai, bi in zip(a, b, strict=True)]


def test_vectorised_minhash_equals_the_python_integer_definition():
    rng = random.Random(7)
    for size in (1, 2, 17, 400):
        items = {" ".join(rng.choice("abcdefghij") * rng.randint(1, 6) for _ in range(5))
                 for _ in range(size)}
        assert _minhash(items, 128) == _reference_minhash(items, 128)


def test_empty_set_gives_the_unknown_signature():
    assert _minhash(set(), 16) == [_MERSENNE] * 16


def test_every_partial_product_stays_exact_at_the_largest_values():
    # a, b and x at p-1 give the largest partial sums the 64-bit steps must hold.
    import numpy as np

    from transforms.clean.signatures import _folded_hashes, _reduced_in_place

    top = _MERSENNE - 1
    a = np.array([[top], [1], [top - 12345]], dtype=np.uint64)
    b = np.array([[top], [0], [7]], dtype=np.uint64)
    x = np.array([top, 0, 1, (1 << 31) - 1, 1 << 31, top - 1], dtype=np.uint64)
    a_hi = a >> np.uint64(31)

    def tile(values):
        return np.ascontiguousarray(np.broadcast_to(values, (3, 6)))

    coefficients = tuple(tile(part) for part in
                         (a_hi << np.uint64(1), a_hi, a & np.uint64((1 << 31) - 1), b))
    folded = _folded_hashes(tile(x >> np.uint64(31)), tile(x & np.uint64((1 << 31) - 1)),
                            coefficients, np.empty((3, 6), np.uint64), np.empty((3, 6), np.uint64))
    expected = [[(int(ai) * int(xi) + int(bi)) % _MERSENNE for xi in x]
                for ai, bi in zip(a[:, 0], b[:, 0], strict=True)]
    assert _reduced_in_place(folded).tolist() == expected


def test_values_at_or_above_the_prime_are_reduced():
    import numpy as np

    from transforms.clean.signatures import _reduced_in_place

    values = np.array([[_MERSENNE - 1, _MERSENNE, _MERSENNE + 5, 3]], dtype=np.uint64)
    assert _reduced_in_place(values).tolist() == [[_MERSENNE - 1, 0, 5, 3]]


def test_signatures_of_many_articles_over_several_blocks_equal_the_definition():
    # Segments longer than a block and segments split across blocks (near_duplicates
    # computes _BLOCK_ITEMS items at a time) must give each set's own minima.
    import numpy as np

    from transforms.clean.signatures import _digests, _signature_matrix

    rng = random.Random(11)
    sets = [{f"w{rng.randrange(10**6)} x{rng.randrange(50)}" for _ in range(size)}
            for size in (0, 1, 700, 3, 0, 1100, 511, 512, 513, 2)]
    items = [list(s) for s in sets]
    matrix = _signature_matrix([_digests(i) for i in items], [len(i) for i in items], 16)
    assert isinstance(matrix, np.ndarray)
    for row, s in zip(matrix.tolist(), sets, strict=True):
        expected = _reference_minhash(s, 16) if s else [_MERSENNE] * 16
        assert row == expected
