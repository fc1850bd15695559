"""bench.real_corpora: the shared corpora as page folders, one page per source file."""

from __future__ import annotations

import gzip
import json

from bench import real_corpora


def _shared(tmp_path):
    source = tmp_path / "eval"
    html = source / "trafilatura-eval" / "html"
    html.mkdir(parents=True)
    # names that share everything before their first dot must stay distinct pages
    for name in ("1337kultur.de.picard.html.gz", "1337kultur.de.other.html.gz",
                 "0a29620f9c4347758c146ed06dab6f3e.html.gz"):
        (html / name).write_bytes(gzip.compress(f"<p>{name}</p>".encode()))
    aeb = source / "article-extraction-benchmark" / "html"
    aeb.mkdir(parents=True)
    (aeb / "042b.html.gz").write_bytes(gzip.compress(b"<p>a</p>"))
    quant = source / "newsquant-dev"
    quant.mkdir()
    (quant / "NewsQuant.dev.json").write_text(json.dumps(
        [{"text": "Exports rose 5% to $3 billion."}, {"text": "Sales fell <2%."}]))
    return source


def test_every_file_becomes_its_own_page(tmp_path):
    source = _shared(tmp_path)
    counts = real_corpora.write_all(tmp_path / "out", source)
    assert counts == {"article-extraction-benchmark": 1, "trafilatura-eval": 3,
                      "newsquant-dev": 2}
    names = sorted(p.name for p in (tmp_path / "out" / "trafilatura-eval").iterdir())
    assert names == ["trafilatura-eval-0a29620f9c4347758c146ed06dab6f3e.html",
                     "trafilatura-eval-1337kultur.de.other.html",
                     "trafilatura-eval-1337kultur.de.picard.html"]
    page = (tmp_path / "out" / "trafilatura-eval" / names[2]).read_text()
    assert page == "<p>1337kultur.de.picard.html.gz</p>"


def test_a_sentence_page_escapes_its_text_under_a_headline_without_digits(tmp_path):
    source = _shared(tmp_path)
    pages = real_corpora.newsquant_pages(tmp_path / "quant", source)
    text = pages[1].read_text()
    assert "Sales fell &lt;2%." in text
    headline = text.split("<h1>")[1].split("</h1>")[0]
    assert not any(ch.isdigit() for ch in headline)
