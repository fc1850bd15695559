"""The hostile corpus: pages built by code (nothing big is committed), each with the
outcome the pipeline must give it.

`write_corpus(folder)` writes every page and a manifest.csv and returns the cases.
An outcome is either ("quarantined", stage, reason_code) or ("loaded", None, None); a
loaded page's further expectations live in the tests (tests/hostile/test_hostile_*.py).
"""

from __future__ import annotations

import csv
from dataclasses import dataclass
from pathlib import Path

from transforms.kernel.urls import normalise_url

BASE = "https://hostile.example/news/"
# In the file a link outside the corpus points at: no row of the warehouse may hold it.
OUTSIDE_MARKER = "OUTSIDE-THE-CORPUS-7f3a"


@dataclass(frozen=True)
class Link:
    """A corpus entry that is a symbolic link, not a page: to `target` (an absolute path,
    a name inside the corpus, or OUTSIDE for an HTML file beside the corpus folder)."""

    target: str


OUTSIDE = "OUTSIDE"


@dataclass(frozen=True)
class Case:
    name: str        # file name; also the last part of the URL
    outcome: str     # loaded | quarantined
    stage: str | None = None
    reason: str | None = None
    url: str | None = None  # when not BASE + name

    @property
    def page_url(self) -> str:
        """The URL the manifest gives the page."""
        return self.url or BASE + self.name

    @property
    def stored_url(self) -> str:
        """The URL the warehouse keeps for it: the manifest's, canonical."""
        return normalise_url(self.page_url)


def article(title: str, paragraphs: list[str], *, head: str = "", lang: str = "en",
            charset: str = "utf-8", before: str = "", after: str = "") -> str:
    """A plausible news page: chrome around an <article> with a headline and paragraphs."""
    body = "\n".join(f"<p>{p}</p>" for p in paragraphs)
    return (f'<!doctype html><html lang="{lang}"><head><meta charset="{charset}">'
            f"<title>{title}</title>{head}</head><body>"
            f'<header><nav><a href="/">Home</a> <a href="/world">World</a></nav></header>'
            f"{before}<article><h1>{title}</h1>{body}</article>{after}"
            f"<footer><p>© Hostile Example 2026</p></footer></body></html>")


TRADE = ("Trade between China and Russia reached $245 billion in 2024, up 1.9% "
         "from a year earlier, according to Chinese customs data published on Monday.")
FILLER = [
    "Officials in Beijing said the volume of energy shipments rose again last year, "
    "with pipeline gas and crude oil making up most of the total value.",
    "Analysts expect growth to slow as payment problems with banks in third countries "
    "continue to weigh on exporters and importers on both sides of the border.",
    "The two governments have set a target for the coming years and say that most "
    "settlements are now made in their national currencies rather than in dollars.",
]


def _deep(depth: int) -> str:
    text = " ".join([TRADE, *FILLER])
    return ('<!doctype html><html lang="en"><head><title>Deep nesting</title></head><body>'
            + "<div>" * depth + f"<p>{text}</p>" + "</div>" * depth + "</body></html>")


XHTML_BOMB = f"""<?xml version="1.0" encoding="utf-8"?>
<!DOCTYPE html [
  <!ENTITY lol "lol">
  <!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">
  <!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">
  <!ENTITY lol4 "&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;">
  <!ENTITY lol5 "&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;">
  <!ENTITY lol6 "&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;">
  <!ENTITY lol7 "&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;">
  <!ENTITY lol8 "&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;">
  <!ENTITY lol9 "&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;">
  <!ENTITY xxe SYSTEM "file:///etc/passwd">
  <!ENTITY remote SYSTEM "http://127.0.0.1:9/evil.dtd">
]>
<html xmlns="http://www.w3.org/1999/xhtml" lang="en"><head><title>Entity test</title></head>
<body><article><h1>Entity test</h1>
<p>Laughs: &lol9; end of laughs.</p>
<p>File: &xxe; end of file.</p>
<p>Remote: &remote; end of remote.</p>
<p>{TRADE}</p><p>{FILLER[0]}</p><p>{FILLER[1]}</p>
</article></body></html>
"""

CYRILLIC = [
    "Товарооборот между Россией и Китаем в 2024 году достиг 245 миллиардов долларов, "
    "сообщила таможенная служба Китая в понедельник.",
    "Эксперты ожидают, что рост замедлится из-за проблем с платежами через банки "
    "третьих стран, которые продолжают мешать экспортерам и импортерам.",
    "Правительства двух стран заявляют, что большая часть расчетов теперь ведется "
    "в национальных валютах, а не в долларах США.",
]
CHINESE = [
    "据中国海关总署周一公布的数据，2024年中俄贸易额达到2450亿美元，比上年增长1.9%。",
    "分析人士预计，由于通过第三国银行付款的问题继续困扰两国的出口商和进口商，增长将会放缓。",
    "两国政府表示，目前大部分结算以本国货币而不是美元进行，双方计划进一步扩大能源合作。",
]
NUMBERS = [
    "The model produced 1e309 as its estimate, a number no budget can hold.",
    "One trader booked $-5 billion in losses on the contract last quarter, officials said.",
    "Roughly ½ of the shipments were delayed at the border for more than a week.",
    "The Arabic edition printed the figure ١٢٣ in its headline on Tuesday morning.",
    "Indian reports put the sum at 10,00,000 rupees for the whole regional programme.",
    "Version 3.5.2 of the customs software was installed at every crossing this spring.",
    TRADE,
]
ZWSP = "\u200b"


def _zero_width(text: str) -> str:
    return ZWSP.join(text)  # a zero-width space between every character


def cases_and_bodies(big_bytes: int) -> list[tuple[Case, bytes | Link]]:
    """Every hostile page: (its case, its bytes)."""
    def utf8(text: str) -> bytes:
        return text.encode("utf-8")

    long_paragraph = (" ".join([TRADE, *FILLER]) + " ") * 400  # ~200,000 characters
    script_title = "&lt;script&gt;alert('title')&lt;/script&gt; China–Russia trade"
    canonical = f'<link rel="canonical" href="{BASE}original.html">'
    jsonld = ('<script type="application/ld+json">{"@context":"https://schema.org",'
              '"@type":"NewsArticle","headline":"Trade &amp; sanctions: Beijing &lt;and&gt; '
              'Moscow","datePublished":"2026-03-01","author":{"@type":"Person",'
              '"name":"Ana &quot;Quotes&quot; Petrova"}}</script>')
    future = '<meta property="article:published_time" content="2099-12-31T10:00:00Z">'
    homepage = ('<!doctype html><html><head><title>Hostile Example: home</title></head><body>'
                + "".join(f'<div class="teaser"><a href="/news/{i}">Headline number {i}</a>'
                          f"</div>" for i in range(40)) + "</body></html>")
    login = ('<!doctype html><html><head><title>Sign in</title></head><body><main>'
             '<h1>Subscribers only</h1><form action="/login" method="post">'
             '<label>Email <input name="email"></label><label>Password <input '
             'name="password" type="password"></label><button>Sign in</button></form>'
             "</main></body></html>")
    scripts = ("<!doctype html><html><head><title>Loading</title></head><body>"
               + "<script>var x = 'Trade between China and Russia reached $245 billion';"
                 "</script>" * 30 + "</body></html>")
    mixed = utf8(article("Mixed encodings", [TRADE, *FILLER, "Naïve café owners said so."]))
    mixed = mixed.replace("café".encode(), "caf\xe9".encode("latin-1"))  # one stray byte
    return [
        (Case("empty.html", "quarantined", "fetch", "empty_file"), b""),
        (Case("whitespace_only.html", "quarantined", "fetch", "empty_file"), b" \n\t\r\n" * 50),
        (Case("report.pdf.html", "quarantined", "fetch", "not_html"),
         b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj<</Type/Catalog>>endobj\n" * 20),
        (Case("photo.jpg.html", "quarantined", "fetch", "not_html"),
         b"\xff\xd8\xff\xe0\x00\x10JFIF\x00\x01\x01" + bytes(range(256)) * 8),
        (Case("unknown_charset.html", "quarantined", "fetch", "undecodable"),
         b'<html><head><meta charset="x-no-such-charset"></head><body><p>caf\xe9 '
         b"\xff\xfe\xfd</p></body></html>"),
        (Case("huge.html", "quarantined", "fetch", "too_large"),
         b"<html><body><p>" + b"a" * big_bytes + b"</p></body></html>"),
        (Case("scripts_only.html", "quarantined", "extract", "no_article"), utf8(scripts)),
        (Case("homepage.html", "quarantined", "extract", "no_article"), utf8(homepage)),
        (Case("login_wall.html", "quarantined", "extract", "no_article"), utf8(login)),
        # Both pages are in one batch: extract_batch keeps the page that lives at the
        # canonical URL and quarantines the copy (pages of different batches: stage load).
        (Case("copy_via_canonical.html", "quarantined", "extract", "duplicate_url"),
         utf8(article("Trade hits record, copy", [TRADE, *FILLER], head=canonical))),
        (Case("original.html", "loaded"),
         utf8(article("Trade hits record", [TRADE, *FILLER[:2]]))),
        (Case("windows1252.html", "loaded"),
         article("Caf\u00e9 society and trade", [TRADE, *FILLER, "The caf\u00e9 owners "
                 "in the border town said business was \u201cgood\u201d this winter."],
                 charset="windows-1252").encode("cp1252")),
        (Case("mixed_encoding.html", "loaded"), mixed),
        (Case("utf16_bom.html", "loaded"),
         b"\xff\xfe" + article("UTF-16 page", [TRADE, *FILLER], charset="utf-16")
         .encode("utf-16-le")),
        # libxml2 drops everything below depth 256 (lxml's huge_tree stays off): no text.
        (Case("deep_nesting.html", "quarantined", "extract", "no_article"),
         utf8(_deep(10_000))),
        (Case("entities.xhtml", "loaded"), utf8(XHTML_BOMB)),
        (Case("one_paragraph.html", "loaded"), utf8(article("One paragraph", [TRADE]))),
        (Case("cyrillic.html", "loaded"),
         utf8(article("Товарооборот России и Китая", CYRILLIC, lang="ru"))),
        (Case("chinese.html", "loaded"), utf8(article("中俄贸易额创新高", CHINESE, lang="zh"))),
        (Case("long_paragraph.html", "loaded"),
         utf8(article("A very long paragraph", [long_paragraph]))),
        (Case("numbers.html", "loaded"), utf8(article("Odd numbers", NUMBERS))),
        (Case("future_date.html", "loaded"),
         utf8(article("A report from the future", [TRADE, *FILLER], head=future))),
        (Case("same_story_a.html", "loaded"),
         utf8(article("Same story", [*FILLER, TRADE]))),
        (Case("same_story_b.html", "loaded"),
         utf8(article("Same story", [*FILLER, TRADE]))),
        (Case("jsonld_escaped.html", "loaded"),
         utf8(article("JSON-LD page", [TRADE, *FILLER], head=jsonld))),
        (Case("zero_width.html", "loaded"),
         utf8(article(_zero_width("Invisible spaces"), [_zero_width(TRADE),
                                                        *map(_zero_width, FILLER)]))),
        (Case("script_in_title.html", "loaded"),
         utf8(article(script_title, [
             TRADE.replace("according to", "&lt;script&gt;alert('body')&lt;/script&gt; "
                           "according to"), *FILLER]))),
        (Case("nul_bytes.html", "loaded"),  # NULs past the first KiB: not sniffed as binary
         utf8(article("NUL bytes", [TRADE, *FILLER, "The border crossing\x00 at Zabaikalsk "
                                    "handled more trucks than ever before, officials said."],
                      before="<aside>" + "<p>Related: more world news</p>" * 12 + "</aside>"))),
        (Case("nul_in_head.html", "quarantined", "fetch", "not_html"),
         b"<html>\x00\x00<body><p>" + TRADE.encode() + b"</p></body></html>"),
        (Case("script_url.html", "quarantined", "extract", "no_article",
              url=BASE + "search?q=<script>alert('url')</script>"),
         utf8("<html><head><title>x</title></head><body><nav><a href='/'>Home</a></nav>"
              "</body></html>")),
        # Links that leave the corpus or lead nowhere: refused unread, one row each.
        (Case("passwd_link.html", "quarantined", "fetch", "unsafe_path"), Link("/etc/passwd")),
        (Case("outside_link.html", "quarantined", "fetch", "unsafe_path"), Link(OUTSIDE)),
        (Case("loop_a.html", "quarantined", "fetch", "unsafe_path"), Link("loop_b.html")),
        (Case("loop_b.html", "quarantined", "fetch", "unsafe_path"), Link("loop_a.html")),
        (Case("dangling_link.html", "quarantined", "fetch", "unsafe_path"),
         Link("nothing-here.html")),
        # A manifest URL no reader may click: refused before the (good) page is read.
        (Case("javascript_url.html", "quarantined", "fetch", "unsupported_url",
              url="javascript:alert('manifest')"),
         utf8(article("A page behind a script link", [TRADE, *FILLER[:2]]))),
    ]


def write_corpus(folder: Path, big_bytes: int = 50 * 1024 * 1024) -> list[Case]:
    """Write every page and manifest.csv into `folder`; return the cases."""
    folder.mkdir(parents=True, exist_ok=True)
    cases = []
    with (folder / "manifest.csv").open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(["file", "url", "source_name"])
        for case, body in cases_and_bodies(big_bytes):
            if isinstance(body, Link):
                _link(folder, case.name, body)
            else:
                (folder / case.name).write_bytes(body)
            writer.writerow([case.name, case.page_url, "hostile"])
            cases.append(case)
    return cases


def _link(folder: Path, name: str, link: Link) -> None:
    if link.target == OUTSIDE:
        outside = folder.parent / "outside.html"
        outside.write_text(article("A page beside the corpus", [
            f"{OUTSIDE_MARKER} Trade between China and Russia reached $999 billion in 2024.",
            *FILLER[:2]]), encoding="utf-8")
        target = outside
    else:
        target = Path(link.target) if link.target.startswith("/") else folder / link.target
    (folder / name).symlink_to(target)
