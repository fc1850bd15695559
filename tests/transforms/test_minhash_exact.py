"""The numpy MinHash gives exactly the values of the Python-integer definition."""

from __future__ import annotations

import hashlib
import random

from transforms.near_duplicates import _MERSENNE, _minhash


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
