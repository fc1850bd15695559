"""The bundled corpus (corpus/sample/): pages parse, the manifest matches the files, and
each article body still carries the noise and figures the later stages are tested on.

The body of a page is its `itemprop="articleBody"` element; it holds one <p> per line of
the seed article. These tests read only the repository's copy, never ../shared/seeds.
"""

from __future__ import annotations

import csv
import json
import re
from datetime import datetime
from pathlib import Path

import lxml.html
import pytest

SAMPLE_DIR = Path(__file__).resolve().parents[1] / "corpus" / "sample"
MANIFEST = SAMPLE_DIR / "manifest.csv"
HTML_FILES = sorted(SAMPLE_DIR.glob("*.html"))
SLUG = re.compile(r"^[a-z][a-z0-9_]*$")

# Body lines the cleaning stage has rules for: (page stem prefix, exact paragraph text).
NOISE_PARAGRAPHS = [
    ("002", "No comments:"),
    ("002", "Post a Comment"),
    ("002", "Saturday, July 22, 2023"),
    ("003", "Skip to content"),
    ("003", "Read also:"),
    ("003", "Latest"),
    ("004", "Last updated:"),
    ("004", "Ümmügülsüm Çavuş"),
]
# Noise inside a paragraph: (page stem prefix, substring).
NOISE_SUBSTRINGS = [
    ("002", "Among the d eals signed"),
    ("004", "Une image contenant drapeau"),
    ("004", "Cliquez sur la photo pour plus d’articles"),
]
# Sentences the figure extractor and the seed gold are built on.
FIGURES = [
    ("000", "$245 billion in 2024"),
    ("001", "$245 billion in 2024"),
    ("002", "190,000 million dollars in 2022"),
    ("004", "$240 billion in 2023"),
    ("004", "$306.6 billion in 2023"),
    ("004", "$88 billion in 2023"),
]
# Page 000 repeats its whole article once; the cleaning stage must flag the copies.
REPEATED_000 = (
    "For 15 consecutive years, China has been Russia's largest trading partner, with "
    "bilateral trade reaching a staggering $245 billion in 2024 - a rise of 1.9 percent "
    "year-over-year. But the US pressure has started to bite, causing commerce between the "
    "two nations to slow down significantly."
)


def _manifest_rows() -> list[dict[str, str]]:
    with MANIFEST.open(encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


def _page(prefix: str) -> Path:
    (path,) = [p for p in HTML_FILES if p.name.startswith(prefix + "_")]
    return path


def _doc(path: Path) -> lxml.html.HtmlElement:
    # Bytes, so lxml honours <meta charset> rather than guessing.
    return lxml.html.fromstring(path.read_bytes())


def _body(doc: lxml.html.HtmlElement) -> lxml.html.HtmlElement:
    bodies = doc.xpath(
        "//*[contains(concat(' ', normalize-space(@itemprop), ' '), ' articleBody ')]"
    )
    assert len(bodies) == 1, f"expected one articleBody element, found {len(bodies)}"
    return bodies[0]


def _paragraphs(path: Path) -> list[str]:
    return [p.text_content() for p in _body(_doc(path))]


def _meta(doc: lxml.html.HtmlElement, attr: str, value: str) -> str:
    (content,) = doc.xpath(f"//head/meta[@{attr}=$v]/@content", v=value)
    return content


def _jsonld(doc: lxml.html.HtmlElement) -> dict:
    (script,) = doc.xpath("//script[@type='application/ld+json']")
    return json.loads(script.text)


def test_sample_has_five_pages():
    assert [p.name[:3] for p in HTML_FILES] == ["000", "001", "002", "003", "004"]


@pytest.mark.parametrize("path", HTML_FILES, ids=lambda p: p.name[:3])
def test_page_parses_as_utf8_english_html(path):
    raw = path.read_bytes()
    raw.decode("utf-8")  # raises on a bad byte
    doc = _doc(path)
    assert doc.tag == "html"
    assert doc.get("lang") == "en"
    assert doc.xpath("//head/meta[@charset]/@charset") == ["utf-8"]


@pytest.mark.parametrize("path", HTML_FILES, ids=lambda p: p.name[:3])
def test_page_body_holds_only_paragraphs(path):
    body = _body(_doc(path))
    assert len(body) > 0
    assert {child.tag for child in body} == {"p"}
    # Chrome lives outside the body, so a good extractor has something to reject.
    assert not body.xpath(".//nav|.//header|.//footer|.//aside|.//form|.//script|.//img")


@pytest.mark.parametrize("path", HTML_FILES, ids=lambda p: p.name[:3])
def test_page_has_chrome_around_the_body(path):
    doc = _doc(path)
    text = doc.text_content().lower()
    assert doc.xpath("//nav"), "no navigation menu"
    assert doc.xpath("//img[normalize-space(@alt)]"), "no image with alt text"
    assert "cookie" in text, "no cookie banner"
    assert doc.xpath(
        "//a[contains(@href, 'facebook') or contains(@href, 'twitter') or contains(@href, 'share')]"
    ), "no share buttons"
    assert "©" in text, "no copyright footer"


@pytest.mark.parametrize("path", HTML_FILES, ids=lambda p: p.name[:3])
def test_page_metadata_agrees_everywhere(path):
    doc = _doc(path)
    og_title = _meta(doc, "property", "og:title")
    og_url = _meta(doc, "property", "og:url")
    published = _meta(doc, "property", "article:published_time")
    ld = _jsonld(doc)

    assert og_title and og_title in doc.findtext(".//head/title")
    assert doc.xpath("//head/link[@rel='canonical']/@href") == [og_url]
    assert _meta(doc, "property", "og:site_name")
    assert datetime.fromisoformat(published).tzinfo is not None
    assert ld["headline"] == og_title
    assert ld["datePublished"] == published
    assert ld["author"][0]["name"] == _meta(doc, "name", "author")
    assert ld["publisher"]["name"] == _meta(doc, "property", "og:site_name")


def test_manifest_lists_every_page_once_with_unique_urls():
    rows = _manifest_rows()
    assert rows, "empty manifest"
    assert list(rows[0]) == ["file", "url", "source_name"]
    files = [row["file"] for row in rows]
    assert sorted(files) == [p.name for p in HTML_FILES]
    assert len(set(files)) == len(files)
    urls = [row["url"] for row in rows]
    assert len(set(urls)) == len(urls)
    assert all(url.startswith("https://") for url in urls)
    assert all(SLUG.match(row["source_name"]) for row in rows)


def test_manifest_url_is_the_page_canonical_url():
    for row in _manifest_rows():
        doc = _doc(SAMPLE_DIR / row["file"])
        assert doc.xpath("//head/link[@rel='canonical']/@href") == [row["url"]], row["file"]


@pytest.mark.parametrize(("prefix", "line"), NOISE_PARAGRAPHS)
def test_body_keeps_noise_line_as_its_own_paragraph(prefix, line):
    assert line in _paragraphs(_page(prefix))


@pytest.mark.parametrize(("prefix", "fragment"), NOISE_SUBSTRINGS)
def test_body_keeps_noise_inside_a_paragraph(prefix, fragment):
    assert any(fragment in p for p in _paragraphs(_page(prefix)))


@pytest.mark.parametrize(("prefix", "figure"), FIGURES)
def test_body_states_trade_figure(prefix, figure):
    assert any(figure in p for p in _paragraphs(_page(prefix)))


def test_body_000_repeats_its_paragraph_twice():
    assert _paragraphs(_page("000")).count(REPEATED_000) == 2


def test_body_002_keeps_nbsp_only_paragraphs():
    # Blogger's empty <p>&nbsp;</p> spacers, which extraction must not turn into text.
    assert "\u00a0" in _paragraphs(_page("002"))


def test_title_of_002_and_004_comes_from_the_seed():
    for prefix, title in [
        (
            "002",
            'Russia, China Promote "Unprecedented" Cooperation Despite Western '
            '"Illegitimate Sanctions"',
        ),
        ("004", "The Evolving Sino-Russian Relations Against Western Sanctions"),
    ]:
        doc = _doc(_page(prefix))
        assert _meta(doc, "property", "og:title") == title
        assert title in _paragraphs(_page(prefix))
