"""Build a benchmark corpus of N distinct news pages from the real pages in ../shared/eval.

The evaluation sets hold 773 real pages (article-extraction-benchmark html/*.html.gz and
trafilatura-eval html/*.gz). Page k of the corpus is real page k mod 773 in its k // 773-th
variant: variant 0 is the page as published; later variants shift every ISO date by
`variant` days and add `variant` to the small integers of the visible text (not to years,
1900-2100, and never inside <script> or <style>), so content hashes, dates and figures
differ while the markup stays the real markup. Every page gets its own URL (manifest.csv)
and a matching <link rel=canonical>, since claimledger keys an article by its canonical
URL: without it, copies of a page would collapse into one article instead of being
processed as distinct pages.

With `copies` (a share of the pages), some pages are byte-for-byte copies of an earlier
page of the same build under another outlet's URL, as syndication and a story reached
through both a feed and a sitemap deliver them: the copy still names the original's URL
(its canonical link), so it is the same article, and its bytes hash the same.

The pages are read at build time from Path(repo)/../shared/eval (or CLAIMLEDGER_EVAL_DIR)
and written only to the folder the caller names (a temporary one); never into the repo.
"""

from __future__ import annotations

import csv
import datetime as dt
import gzip
import hashlib
import os
import re
from dataclasses import dataclass
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
EVAL_SETS = (("article-extraction-benchmark", "*.html.gz"), ("trafilatura-eval", "*.gz"))

# Fictional outlets the benchmark pages are attributed to (source_name in the manifest).
OUTLETS = ("bench_wire", "bench_daily", "bench_observer", "bench_review", "bench_monitor")

_SKIP_BLOCKS = re.compile(rb"(<script\b.*?</script\s*>|<style\b.*?</style\s*>|<!--.*?-->)",
                          re.I | re.S)
_TEXT_NODE = re.compile(rb">([^<]+)<")
# A small integer standing alone in visible text ("12 percent", "in 2019"): 1-4 digits,
# not part of a longer number, a decimal or an identifier.
_SMALL_INT = re.compile(rb"(?<![\w.,/-])([1-9]\d{0,3})(?![\w.,/-]\d|\d)")
YEARS = (1900, 2100)  # numbers in this range are read as years and never shifted
_ISO_DATE = re.compile(rb"\b(19\d\d|20\d\d)-(0[1-9]|1[0-2])-(0[1-9]|[12]\d|3[01])")
# Every tag a page may name its own URL in: trafilatura reads og:url and twitter:url before
# <link rel=canonical>, so all of them are replaced, or copies would share one article.
_CANONICAL = re.compile(
    rb"<link[^>]+rel\s*=\s*[\"']?canonical[^>]*>"
    rb"|<meta[^>]+(?:property|name|itemprop)\s*=\s*[\"']?(?:og:url|twitter:url|url)[\"'\s/>][^>]*>",
    re.I)
_HEAD = re.compile(rb"<head\b[^>]*>", re.I)


def eval_dir() -> Path:
    """The shared evaluation folder: CLAIMLEDGER_EVAL_DIR, else <repo>/../shared/eval."""
    return Path(os.environ.get("CLAIMLEDGER_EVAL_DIR", REPO.parent / "shared" / "eval"))


def rewrites_cleanly(html: bytes) -> bool:
    """Whether a copy of the page, given a new URL, names that URL (not its original one)
    in the metadata claimledger keys articles by. A few pages state their URL in forms
    the rewrite does not reach (entity-encoded attribute names): they are left out, since
    copies of them would all be one article."""
    from trafilatura import load_html
    from trafilatura.metadata import extract_metadata

    probe = "https://probe.example/variant"
    tree = load_html(page_variant(html, 1, probe, own_url(html)))
    found = extract_metadata(tree).url if tree is not None else None
    return found in (None, probe)


def usable_pages(folder: Path | None = None, limit: int | None = None
                 ) -> list[tuple[str, bytes]]:
    """real_pages() without the pages that do not rewrite cleanly (a handful of 773); only
    the first `limit` of them when a corpus needs fewer (the check parses every page: ~35 s
    for all of them)."""
    usable = []
    for name, html in real_pages(folder):
        if limit is not None and len(usable) >= limit:
            break
        if rewrites_cleanly(html):
            usable.append((name, html))
    return usable


def real_pages(folder: Path | None = None) -> list[tuple[str, bytes]]:
    """(name, raw HTML bytes) of every real page in the evaluation sets, in a stable order."""
    folder = folder or eval_dir()
    pages = []
    for name, pattern in EVAL_SETS:
        for path in sorted((folder / name / "html").glob(pattern)):
            pages.append((f"{name}/{path.name.split('.')[0]}", gzip.decompress(path.read_bytes())))
    if not pages:
        raise FileNotFoundError(f"no evaluation pages under {folder} (set CLAIMLEDGER_EVAL_DIR)")
    return pages


def _shift_date(match: re.Match, days: int) -> bytes:
    try:
        day = dt.date(int(match[1]), int(match[2]), int(match[3])) + dt.timedelta(days=days)
    except ValueError:
        return match[0]
    return day.isoformat().encode()


def _shifted(number: re.Match, offset: int) -> bytes:
    value = int(number[1])
    # A year stays a year: "in 2024" shifted by a dozen variants would become a period
    # after the publication date, which the quality gate rightly stops (a future actual).
    if YEARS[0] <= value <= YEARS[1]:
        return number[0]
    return str(value + offset).encode()


def _shift_numbers(text_node: re.Match, offset: int) -> bytes:
    shifted = _SMALL_INT.sub(lambda m: _shifted(m, offset), text_node[1])
    return b">" + shifted + b"<"


def own_url(html: bytes) -> bytes | None:
    """The URL a page names itself by (what trafilatura's metadata reads: og:url,
    twitter:url, JSON-LD, canonical link), or None."""
    from trafilatura import load_html
    from trafilatura.metadata import extract_metadata

    tree = load_html(html)
    found = extract_metadata(tree).url if tree is not None else None
    return found.encode() if found and found.startswith("http") else None


def page_variant(html: bytes, variant: int, url: str, original: bytes | None = None) -> bytes:
    """The page as variant `variant` (0 = unchanged text), with `url` as its canonical URL.

    `original`: the URL the page names itself by (own_url); every mention of it (JSON-LD
    @id, share links) becomes `url` too, or all variants would still be one article.
    """
    if original:  # as written in HTML, and JSON-escaped ("https:\/\/...") in JSON-LD
        html = html.replace(original, url.encode())
        html = html.replace(original.replace(b"/", b"\\/"), url.encode().replace(b"/", b"\\/"))
    if variant:
        parts = _SKIP_BLOCKS.split(html)
        for i in range(0, len(parts), 2):  # even parts lie outside script/style/comments
            parts[i] = _TEXT_NODE.sub(lambda m: _shift_numbers(m, variant), parts[i])
        html = b"".join(parts)
        html = _ISO_DATE.sub(lambda m: _shift_date(m, variant), html)
    html = _CANONICAL.sub(b"", html)
    link = (b'<link rel="canonical" href="' + url.encode() + b'">'
            b'<meta property="og:url" content="' + url.encode() + b'">')
    head = _HEAD.search(html)
    if head:
        return html[: head.end()] + link + html[head.end():]
    return b"<head>" + link + b"</head>" + html


@dataclass(frozen=True)
class BenchCorpus:
    """A built corpus: its folder, its page files in order, and how many real pages fed it."""

    folder: Path
    files: list[Path]
    real_page_count: int


def build_corpus(folder: Path, pages: int, *, first: int = 0,
                 source: list[tuple[str, bytes]] | None = None,
                 copies: float = 0.0) -> BenchCorpus:
    """Write pages first..first+pages-1 of the benchmark sequence into `folder`.

    Writes page-<k>.html files and a manifest.csv (file, url, source_name). `first`
    lets a second call add new pages (an incremental day) that share no URL or content
    with the first call's pages. With `copies` in (0, 1), about that share of the pages are
    exact copies of an earlier page of this call under their own URL (is_copy).
    """
    source = source or usable_pages()
    folder.mkdir(parents=True, exist_ok=True)
    files, rows = [], []
    originals: dict[int, bytes | None] = {}
    written: list[Path] = []  # this call's pages that are not copies
    for k in range(first, first + pages):
        outlet = OUTLETS[k % len(OUTLETS)]
        path = folder / f"page-{k:06d}.html"
        if written and is_copy(k, copies):
            original = written[_draw(k, "original") % len(written)]
            path.write_bytes(original.read_bytes())
            url = f"https://{outlet.replace('_', '-')}.example/copy/{original.stem}-{k:06d}"
        else:
            name, html = source[k % len(source)]
            if k % len(source) not in originals:
                originals[k % len(source)] = own_url(html)
            variant = k // len(source)
            url = f"https://{outlet.replace('_', '-')}.example/{variant:03d}/{name}-{k:06d}"
            path.write_bytes(page_variant(html, variant, url, originals[k % len(source)]))
            written.append(path)
        files.append(path)
        rows.append({"file": path.name, "url": url, "source_name": outlet})
    with (folder / "manifest.csv").open("w", newline="", encoding="utf-8") as handle:
        writer = csv.DictWriter(handle, fieldnames=["file", "url", "source_name"])
        writer.writeheader()
        writer.writerows(rows)
    return BenchCorpus(folder=folder, files=files, real_page_count=len(source))


def is_copy(k: int, share: float) -> bool:
    """Whether page k is a copy, for a copies share `share` (deterministic in k)."""
    return share > 0 and _draw(k, "copy") / 2**32 < share


def _draw(k: int, purpose: str) -> int:
    return int.from_bytes(hashlib.sha256(f"{purpose}:{k}".encode()).digest()[:4], "big")
