"""bench.corpus: N distinct, realistic pages from a few real ones."""

from __future__ import annotations

import csv
import hashlib

from bench.corpus import build_corpus, page_variant

PAGE = (b"<html><head><title>Trade up 12 percent</title>"
        b'<link rel="canonical" href="https://old.example/a">'
        b'<meta property="og:url" content="https://old.example/a">'
        b'<meta name="date" content="2024-03-05"></head><body><article>'
        b"<p>Trade rose 12 percent to 245 billion dollars in 2024.</p>"
        b"<script>var id = 12;</script></article></body></html>")


def test_variant_zero_keeps_the_text_and_only_replaces_the_canonical_url():
    out = page_variant(PAGE, 0, "https://new.example/x")
    assert b"rose 12 percent to 245 billion dollars in 2024" in out
    assert b"old.example" not in out
    assert out.count(b'rel="canonical"') == 1 and b"https://new.example/x" in out
    assert out.count(b"og:url") == 1


def test_later_variants_shift_numbers_and_dates_but_never_scripts():
    out = page_variant(PAGE, 3, "https://new.example/y")
    assert b"rose 15 percent to 248 billion dollars in 2024" in out  # a year stays
    assert b"2024-03-08" in out
    assert b"var id = 12;" in out


def test_corpus_pages_are_distinct_with_their_own_urls(tmp_path):
    source = [("set/a", PAGE), ("set/b", PAGE.replace(b"Trade", b"Exports"))]
    corpus = build_corpus(tmp_path / "c", 7, source=source)
    more = build_corpus(tmp_path / "c2", 3, first=7, source=source)
    files = corpus.files + more.files
    hashes = {hashlib.sha256(f.read_bytes()).hexdigest() for f in files}
    assert len(files) == 10 and len(hashes) == 10
    urls = []
    for folder in (corpus.folder, more.folder):
        with (folder / "manifest.csv").open(newline="") as handle:
            urls += [row["url"] for row in csv.DictReader(handle)]
    assert len(set(urls)) == 10
    assert all(u.encode() in f.read_bytes() for u, f in zip(urls, files, strict=True))


def test_copies_repeat_an_earlier_pages_bytes_under_their_own_url(tmp_path):
    source = [(f"set/{i}", PAGE.replace(b"Trade", f"Trade {i}".encode())) for i in range(40)]
    corpus = build_corpus(tmp_path / "c", 40, source=source, copies=0.3)
    with (corpus.folder / "manifest.csv").open(newline="") as handle:
        urls = [row["url"] for row in csv.DictReader(handle)]
    bodies = [f.read_bytes() for f in corpus.files]
    copies = [u for u in urls if "/copy/" in u]
    assert 6 <= len(copies) <= 20 and len(set(urls)) == 40
    assert len(set(bodies)) == 40 - len(copies)
    for url, body in zip(urls, bodies, strict=True):
        if "/copy/" in url:
            assert url.encode() not in body  # the copy names the original's URL
            assert bodies.index(body) < urls.index(url)
