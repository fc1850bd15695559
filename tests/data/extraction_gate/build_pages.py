"""Write the extraction gate's pages: `python tests/data/extraction_gate/build_pages.py`.

Each article of articles.py is dressed in the page of one layout (a builder below) and
written as pages/<nn>_<slug>.html, with beside it:
- <nn>_<slug>.txt: the article text, one unit a line (a paragraph, a subheading, a list item,
  a quotation, a table row as its cells joined by " | "): each must be found in the output;
- <nn>_<slug>.boilerplate.txt: text of the page that is not the article (navigation, bylines,
  dates, captions, teasers, comments, banners, footers): none may be found in it.
and manifest.csv (file, url, layout, language).

The gate (claimledger/extraction_gate.py) reads the committed files, never this script. Run
it only to change the pages on purpose; the baseline's corpus digest then differs and the
gate asks for a deliberate re-pin (docs in SOURCES.md).
"""

# The page templates below are HTML as a site serves it, long lines included.
# ruff: noqa: E501

from __future__ import annotations

import csv
import datetime as dt
import html
import json
import re
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

from articles import ARTICLES  # noqa: E402  (a sibling file, not a package)

PAGES = HERE / "pages"
esc = html.escape

# Teasers of other stories (related, latest, most read) and reader comments: boilerplate
# every layout shows some of, picked per page so the pages do not all carry the same lines.
TEASERS = [
    "Bus fares frozen for another year as ridership recovers",
    "Why the price of eggs has doubled since last winter",
    "New owners promise to reopen the Regent cinema by Easter",
    "Five walks to try before the clocks go back",
    "Teachers vote to accept revised pay offer",
    "Hospital car park charges to be scrapped for night staff",
    "Inside the workshop restoring the town hall clock",
    "Drivers warned of delays as motorway junction closes",
    "Record entries for this year's half marathon",
    "The street that grows its own vegetables",
    "Police appeal after copper cable stolen from railway",
    "Plans for 300 homes on green belt land rejected",
    "Café owner celebrates 50 years behind the counter",
    "How a village saved its last pub",
    "Council tax bills set to rise by almost 5 percent",
    "Weekend weather: sunshine at last, but not for long",
    "Meet the volunteers who run the lifeboat station",
    "Recycling collections to change from next month",
    "Former mill to become an arts centre",
    "Road gritting: which routes are treated first",
    "Brewery expansion to create 40 jobs",
    "Concert hall unveils its spring season",
    "Airport chief says new routes are on the way",
    "The photographers capturing the city at night",
    "Steelworks pension fund wins court case",
    "Water company fined over sewage spill into river",
    "Secondary school rated outstanding after inspection",
    "Museum receives donation of Roman coins",
    "Cycle lane trial extended for six months",
    "Market traders call for cheaper stall rents",
    "Farmers count the cost of wet autumn",
    "Opinion: our high streets need more than free parking",
    "Chip shop named best in the region",
    "Tributes paid to long-serving lollipop man",
    "The dog that walked 40 miles home",
    "Wildlife trust buys wetland to create nature reserve",
]
COMMENTS = [
    ("Brian H.", "I have lived here for thirty years and never seen it this busy. Good for them."),
    ("northerner64", "Let's see if these numbers hold up next year before anyone celebrates."),
    ("Jill Parkes", "Does anyone know whether the footpath will stay open during the works?"),
    ("Sam T", "Another article that fails to ask who is actually paying for all of this."),
    ("Kath", "Lovely to read some good news for a change. Thank you for the write-up."),
    ("R. Obi", "My grandfather worked there in the sixties and would have been proud."),
    ("localwatcher", "The council should publish the full report instead of a summary."),
    ("Denise M", "We went last weekend and the queue was worth it, highly recommend."),
    ("old_salt", "Same story every winter. Nothing ever changes until something breaks."),
]


_LINK = re.compile(r"\[([^\]]+)\]\(([^)]+)\)")


def _text(markup: str) -> str:
    """A block's text as a reader sees it: links are their text."""
    return _LINK.sub(r"\1", markup)


def _inline_html(markup: str) -> str:
    """A block's text as HTML: escaped, its links as <a>."""
    parts, last = [], 0
    for match in _LINK.finditer(markup):
        parts.append(esc(markup[last:match.start()]))
        parts.append(f'<a href="{esc(match.group(2))}">{esc(match.group(1))}</a>')
        last = match.end()
    return "".join(parts) + esc(markup[last:])


def _units(body: str) -> list[tuple[str, object]]:
    """The article's blocks: ("p"|"h2"|"quote", text), ("ul", [items]), ("table", [rows])."""
    blocks = []
    for chunk in re.split(r"\n\s*\n", body.strip()):
        lines = [line.strip() for line in chunk.strip().split("\n")]
        if lines[0].startswith("## "):
            blocks.append(("h2", " ".join(lines)[3:]))
        elif lines[0].startswith("- "):
            blocks.append(("ul", [line[2:] for line in lines]))
        elif lines[0].startswith("> "):
            blocks.append(("quote", " ".join(line[2:] for line in lines)))
        elif lines[0].startswith("| "):
            blocks.append(("table", [[c.strip() for c in line.strip("|").split("|")]
                                     for line in lines]))
        else:
            blocks.append(("p", " ".join(lines)))
    return blocks


def expected_units(blocks: list[tuple[str, object]]) -> list[str]:
    """One line of expected text per unit, in page order."""
    out = []
    for kind, value in blocks:
        if kind == "ul":
            out.extend(_text(item) for item in value)
        elif kind == "table":
            out.extend(" | ".join(row) for row in value)
        else:
            out.append(_text(value))
    return out


def body_html(blocks, *, p_open="<p>", p_close="</p>", dropcap=False) -> str:
    """The article blocks as HTML, paragraphs wrapped in p_open/p_close."""
    parts = []
    for index, (kind, value) in enumerate(blocks):
        if kind == "p":
            text = _inline_html(value)
            if dropcap and index == 0:
                text = f'<span class="dropcap">{text[0]}</span>{text[1:]}'
            parts.append(f"{p_open}{text}{p_close}")
        elif kind == "h2":
            parts.append(f"<h2>{_inline_html(value)}</h2>")
        elif kind == "quote":
            parts.append(f"<blockquote><p>{_inline_html(value)}</p></blockquote>")
        elif kind == "ul":
            parts.append("<ul>" + "".join(f"<li>{_inline_html(i)}</li>" for i in value)
                         + "</ul>")
        elif kind == "table":
            head, *rows = value
            parts.append(
                '<table class="data"><thead><tr>'
                + "".join(f"<th>{esc(c)}</th>" for c in head) + "</tr></thead><tbody>"
                + "".join("<tr>" + "".join(f"<td>{esc(c)}</td>" for c in row) + "</tr>"
                          for row in rows)
                + "</tbody></table>")
    return "\n".join(parts)


def _long_date(iso: str, lang: str = "en") -> str:
    """A date as the page prints it ("14 October 2024", "24. Juli 2024", "4 septembre 2024",
    "27 de diciembre de 2024")."""
    day = dt.date.fromisoformat(iso)
    month = _MONTHS[lang].split()[day.month - 1]
    return {"en": f"{day.day} {month} {day.year}", "de": f"{day.day}. {month} {day.year}",
            "fr": f"{day.day} {month} {day.year}",
            "es": f"{day.day} de {month} de {day.year}"}[lang]


_MONTHS = {
    "en": "January February March April May June July August September October November December",
    "de": "Januar Februar März April Mai Juni Juli August September Oktober November Dezember",
    "fr": "janvier février mars avril mai juin juillet août septembre octobre novembre décembre",
    "es": "enero febrero marzo abril mayo junio julio agosto septiembre octubre noviembre "
          "diciembre",
}


def head(a: dict, url: str, *, extra: str = "", title_sep: str = " | ") -> str:
    """A <head> with the metadata news pages carry (canonical, Open Graph, article dates)."""
    return f"""<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{esc(a['headline'])}{title_sep}{esc(a['site'])}</title>
<link rel="canonical" href="{url}">
<meta name="description" content="{esc(a['dek'] or a['headline'])}">
<meta name="author" content="{esc(a['author'])}">
<meta property="og:type" content="article">
<meta property="og:title" content="{esc(a['headline'])}">
<meta property="og:url" content="{url}">
<meta property="og:site_name" content="{esc(a['site'])}">
<meta property="article:published_time" content="{a['date']}T07:30:00Z">
<meta property="article:section" content="{esc(a['section'])}">
<link rel="stylesheet" href="/assets/css/main.min.css?v=4.2.1">
<script>window.dataLayer = window.dataLayer || []; dataLayer.push({{"pageType": "article",
"section": "{esc(a['section'])}"}});</script>
<script async src="/assets/js/ads.bundle.js"></script>
{extra}</head>"""


def _teasers(n: int, start: int) -> list[str]:
    return [TEASERS[(start * 5 + i) % len(TEASERS)] for i in range(n)]


def _comments(n: int, start: int) -> list[tuple[str, str]]:
    return [COMMENTS[(start * 2 + i) % len(COMMENTS)] for i in range(n)]


# --- the layouts: each returns (html, boilerplate snippets) ------------------------------


def wordpress(a, url, blocks, n):
    teasers, comments = _teasers(4, n), _comments(3, n)
    date = _long_date(a["date"])
    site_id = a["site"].lower().replace(" ", "-")
    comment_html = "\n".join(
        f"""<li class="comment even thread-even depth-1" id="comment-{4100 + n * 10 + i}">
<article class="comment-body"><footer class="comment-meta"><div class="comment-author vcard">
<img alt="" src="/avatar/{i}.png" class="avatar" height="42" width="42">
<b class="fn">{esc(name)}</b> <span class="says">says:</span></div>
<div class="comment-metadata"><a href="{url}#comment-{4100 + n * 10 + i}">
<time datetime="{a['date']}T18:0{i}:00+00:00">{date} at 6:0{i} pm</time></a></div>
</footer><div class="comment-content"><p>{esc(text)}</p></div>
<div class="reply"><a rel="nofollow" class="comment-reply-link" href="#respond">Reply</a></div>
</article></li>""" for i, (name, text) in enumerate(comments))
    page = f"""<!DOCTYPE html>
<html lang="en-GB">
{head(a, url, title_sep=" &#8211; ")}
<body class="post-template-default single single-post postid-{8800 + n} single-format-standard">
<a class="skip-link screen-reader-text" href="#content">Skip to content</a>
<div id="page" class="site">
<header id="masthead" class="site-header">
<div class="site-branding"><p class="site-title"><a href="/" rel="home">{esc(a['site'])}</a></p>
<p class="site-description">News from the estuary towns since 1911</p></div>
<nav id="site-navigation" class="main-navigation"><button class="menu-toggle">Menu</button>
<ul id="primary-menu" class="menu"><li><a href="/">Home</a></li><li><a href="/news/">News</a></li>
<li><a href="/economy/">Economy</a></li><li><a href="/transport/">Transport</a></li>
<li><a href="/whats-on/">What&#8217;s On in the Towns</a></li><li><a href="/contact/">Contact</a></li>
</ul></nav></header>
<div id="content" class="site-content"><div id="primary" class="content-area">
<main id="main" class="site-main">
<article id="post-{8800 + n}" class="post-{8800 + n} post type-post status-publish hentry">
<header class="entry-header"><h1 class="entry-title">{esc(a['headline'])}</h1>
<div class="entry-meta"><span class="posted-on">Posted on <a href="{url}" rel="bookmark">
<time class="entry-date published" datetime="{a['date']}T09:12:00+00:00">{date}</time></a>
</span><span class="byline"> by <span class="author vcard"><a class="url fn n"
href="/author/{a['author'].lower().replace(' ', '-')}/">{esc(a['author'])}</a></span></span>
</div></header>
<div class="entry-content">
{body_html(blocks)}
<div class="sharedaddy sd-sharing-enabled"><h3 class="sd-title">Share this:</h3>
<ul><li><a class="share-facebook" href="#">Facebook</a></li><li><a class="share-x" href="#">X</a>
</li><li><a class="share-email" href="#">Email a friend</a></li></ul></div>
</div>
<footer class="entry-footer"><span class="cat-links">Posted in <a href="/economy/" rel="category tag">
{esc(a['section'])}</a></span><span class="tags-links">Tagged <a href="/tag/estuary/">estuary life</a>,
<a href="/tag/local/">local economy</a></span></footer>
<div class="author-info"><h2 class="author-title">About {esc(a['author'])}</h2>
<p class="author-bio">{esc(a['author'])} has reported on the estuary towns for the Ledger since
2016. Got a story? Get in touch through the newsroom page.</p></div>
</article>
<nav class="navigation post-navigation" aria-label="Posts"><h2 class="screen-reader-text">Post navigation</h2>
<div class="nav-links"><div class="nav-previous"><a href="/p/{n - 1}/" rel="prev">
<span class="meta-nav">Previous post</span> {esc(teasers[0])}</a></div>
<div class="nav-next"><a href="/p/{n + 1}/" rel="next"><span class="meta-nav">Next post</span>
{esc(teasers[1])}</a></div></div></nav>
<div id="comments" class="comments-area">
<h2 class="comments-title">3 thoughts on &ldquo;{esc(a['headline'])}&rdquo;</h2>
<ol class="comment-list">
{comment_html}
</ol>
<div id="respond" class="comment-respond"><h3 id="reply-title" class="comment-reply-title">Leave a Reply</h3>
<form action="/wp-comments-post.php" method="post" id="commentform" class="comment-form">
<p class="comment-notes">Your email address will not be published. Required fields are marked *</p>
<p class="comment-form-comment"><label for="comment">Comment *</label>
<textarea id="comment" name="comment" cols="45" rows="8" required></textarea></p>
<p class="form-submit"><input name="submit" type="submit" id="submit" class="submit" value="Post Comment"></p>
</form></div></div>
</main></div>
<aside id="secondary" class="widget-area">
<section id="recent-posts-2" class="widget widget_recent_entries"><h2 class="widget-title">Recent Posts</h2>
<ul><li><a href="/r/1/">{esc(teasers[2])}</a></li><li><a href="/r/2/">{esc(teasers[3])}</a></li></ul>
</section>
<section id="archives-2" class="widget widget_archive"><h2 class="widget-title">Archives</h2>
<ul><li><a href="/2025/01/">January 2025</a></li><li><a href="/2024/12/">December 2024</a></li>
<li><a href="/2024/11/">November 2024</a></li></ul></section>
</aside></div>
<footer id="colophon" class="site-footer"><div class="site-info">
&copy; 2025 {esc(a['site'])}, 14 Quay Street. All rights reserved. Registered in the estuary
towns as a community newspaper.</div></footer></div>
<script src="/wp-includes/js/comment-reply.min.js?ver=6.5" id="comment-reply-js" async></script>
<script id="{site_id}-stats">var _stq = window._stq || []; _stq.push(["view", {{"post": "{8800 + n}"}}]);</script>
</body></html>
"""
    boilerplate = [
        "News from the estuary towns since 1911", "What’s On in the Towns",
        f"Posted on {date}", f"by {a['author']}", "Share this:", "Email a friend",
        "estuary life", "local economy",
        "has reported on the estuary towns for the Ledger since 2016",
        "Got a story? Get in touch through the newsroom page.",
        *teasers, *(text for _, text in comments),
        f"3 thoughts on “{a['headline']}”", "Leave a Reply",
        "Your email address will not be published.",
        "January 2025", "All rights reserved. Registered in the estuary towns",
    ]
    return page, boilerplate


def wire(a, url, blocks, n):
    teasers = _teasers(5, n)
    stamp = f"{_long_date(a['date'])} 11:4{n % 10} AM UTC"
    updated = f"Updated {n % 5 + 2} hours ago"
    author_line = "" if a["author"] == "Staff reporter" else f"By {a['author']}"
    page = f"""<!DOCTYPE html>
<html lang="en">
{head(a, url)}
<body class="page-story">
<div id="top-bar"><div class="ticker"><span class="tick">BRENT 74.12 -0.8%</span>
<span class="tick">GOLD 2,041.30 +0.2%</span><span class="tick">EUR/USD 1.0862</span></div>
<div class="account"><a href="/signin">Sign in</a> <a href="/register">Register for free</a></div></div>
<div id="header"><div class="logo"><a href="/">{esc(a['site'])}</a></div>
<div class="nav"><a href="/world">World</a> <a href="/business">Business</a> <a href="/markets">Markets</a>
<a href="/commodities">Energy &amp; Commodities</a> <a href="/shipping">Shipping &amp; Logistics</a></div></div>
<div id="content">
<div class="breadcrumb"><a href="/">Home</a> &rsaquo; <a href="/{a['section'].lower()}">{esc(a['section'])}</a></div>
<div class="story">
<div class="story-head"><div class="headline"><h1>{esc(a['headline'])}</h1></div>
<div class="byline">{esc(author_line)}</div>
<div class="timestamp">{stamp}</div><div class="updated">{updated}</div></div>
<div class="story-share"><a href="#">Share this story</a> <a href="#">Save for later</a></div>
<div class="story-body">
<div class="story-text">
{body_html(blocks, p_open='<div class="story-paragraph">', p_close="</div>")}
</div>
<div class="story-footer">Our Standards: how Meridian Wire checks and corrects its reporting.</div>
</div></div>
<div class="rail"><div class="rail-title">Most Read on Meridian</div><ol>
{"".join(f'<li><a href="/s/{n}{i}">{esc(t)}</a></li>' for i, t in enumerate(teasers[:3]))}
</ol></div>
<div class="more"><div class="more-title">More from {esc(a['section'])}</div>
{"".join(f'<div class="card"><a href="/m/{n}{i}">{esc(t)}</a></div>' for i, t in enumerate(teasers[3:]))}
</div></div>
<div id="footer"><div class="links"><a href="/about">About Meridian Wire</a> <a href="/careers">Careers</a>
<a href="/terms">Terms of use</a> <a href="/privacy">Privacy statement</a></div>
<div class="copy">All quotes delayed a minimum of 15 minutes. &copy; 2025 Meridian Wire Services Ltd.</div></div>
</body></html>
"""
    boilerplate = [
        "BRENT 74.12", "Register for free", "Energy & Commodities", "Shipping & Logistics",
        stamp, updated, "Share this story", "Save for later",
        "Our Standards: how Meridian Wire checks and corrects its reporting.",
        "Most Read on Meridian", *teasers, "Privacy statement",
        "All quotes delayed a minimum of 15 minutes.",
    ]
    if author_line:
        boilerplate.append(author_line)
    return page, boilerplate


def portal(a, url, blocks, n):
    teasers = _teasers(6, n)
    date = _long_date(a["date"])
    # In-body boxes: a "read also" link after the first paragraph, a newsletter box after the
    # second (where the site's CMS inserts them), when the article is long enough to have them.
    inner = [body_html([b]) for b in blocks]
    boxed = len(blocks) > 2
    if boxed:
        inner.insert(1, f'<div class="read-also"><span class="label">Read also:</span> '
                        f'<a href="/r/{n}">{esc(teasers[0])}</a></div>')
        inner.insert(3, '<div class="newsletter-box"><h4>The Northfield Briefing</h4><p>Get the '
                        "day's top local stories in your inbox every morning at 7am.</p>"
                        '<form><input type="email" placeholder="Your email"><button>Sign me up'
                        "</button></form></div>")
    if len(blocks) > 4:
        inner.insert(6, '<div class="ad-slot" data-slot="mpu-1"><span class="ad-label">'
                        "Advertisement</span><div id=\"mpu-1\"></div><p class=\"ad-note\">"
                        "Story continues below advertisement</p></div>")
    dek = f'<p class="standfirst">{esc(a["dek"])}</p>' if a["dek"] else ""
    cards = "\n".join(
        f'<div class="card"><a href="/c/{n}{i}"><img src="/img/c{i}.jpg" alt=""><h3>{esc(t)}</h3>'
        f"</a><span class=\"card-meta\">{i + 2} hours ago</span></div>"
        for i, t in enumerate(teasers[1:]))
    page = f"""<!DOCTYPE html>
<html lang="en-GB">
{head(a, url)}
<body>
<div class="breaking-bar"><strong>Breaking:</strong> <a href="/live">Live traffic and travel
updates across the county</a></div>
<header class="masthead"><a class="logo" href="/">{esc(a['site'])}</a>
<nav class="main-nav"><ul><li><a href="/news">News</a></li><li><a href="/sport">Sport</a></li>
<li><a href="/whats-on">What's On</a></li><li><a href="/property">Homes &amp; Property</a></li>
<li><a href="/jobs">Jobs in Northfield</a></li><li><a href="/announcements">Family Notices</a></li></ul></nav>
<div class="weather">Northfield 7°C, light rain</div></header>
<main class="content">
<article class="article">
<ul class="breadcrumbs"><li><a href="/">Home</a></li><li><a href="/{a['section'].lower()}">{esc(a['section'])}</a></li></ul>
<h1 class="article-title">{esc(a['headline'])}</h1>
{dek}
<div class="article-meta"><span class="author">By <a href="/authors/{n}">{esc(a['author'])}</a></span>
<span class="role">Local Democracy Reporter</span>
<time datetime="{a['date']}">{date}</time></div>
<figure class="lead-image"><img src="/img/lead-{n}.jpg" alt="">
<figcaption>The view from the north side, photographed last week. Picture: Northfield Today</figcaption></figure>
<div class="article-body">
{chr(10).join(inner)}
</div>
<div class="article-tags">Topics: <a href="/t/1">Northfield</a> <a href="/t/2">County Council</a></div>
</article>
<section class="latest"><h2>Latest from Northfield Today</h2>
{cards}
</section>
</main>
<footer class="site-footer"><p>Northfield Today is part of Meadowbank Regional Media.
Registered office: 3 Printworks Yard.</p><p><a href="/complaints">How to complain</a> |
<a href="/cookies">Cookie settings</a></p></footer>
</body></html>
"""
    boilerplate = [
        "Live traffic and travel updates across the county", "Homes & Property",
        "Jobs in Northfield", "Family Notices", "Northfield 7°C, light rain",
        f"By {a['author']}", "Local Democracy Reporter", date,
        "The view from the north side, photographed last week.",
        "Topics: Northfield", "Latest from Northfield Today", *teasers[1:],
        "Northfield Today is part of Meadowbank Regional Media.", "How to complain",
    ]
    if len(blocks) > 4:
        boilerplate.append("Story continues below advertisement")
    if boxed:
        boilerplate += [teasers[0], "The Northfield Briefing",
                        "Get the day's top local stories in your inbox every morning at 7am."]
    return page, boilerplate


def blogger(a, url, blocks, n):
    day = dt.date.fromisoformat(a["date"])
    date_header = f"{day.strftime('%A')}, {day.strftime('%B')} {day.day}, {day.year}"
    # Blogger's editor writes a post as text runs separated by <br>, without <p>.
    text = "<br />\n<br />\n".join(_inline_html(value) for _, value in blocks)
    page = f"""<!DOCTYPE html>
<html class="v2" dir="ltr" lang="en-GB" xmlns="http://www.w3.org/1999/xhtml">
{head(a, url, title_sep=": ")}
<body class="loading variant-simplysimple">
<div class="navbar section" id="navbar"><div class="widget Navbar" id="Navbar1"></div></div>
<div class="content"><div class="content-outer"><div class="region-inner header-inner">
<div class="header section" id="header"><div class="widget Header" id="Header1">
<div id="header-inner"><div class="titlewrapper"><h1 class="title"><a href="/">{esc(a['site'])}</a></h1></div>
<div class="descriptionwrapper"><p class="description"><span>Notes and photographs from a small corner of
the county, posted when there is something to say.</span></p></div></div></div></div></div>
<div class="main-outer"><div class="columns"><div class="main-inner"><div class="column-center-inner">
<div class="main section" id="main"><div class="widget Blog" id="Blog1"><div class="blog-posts hfeed">
<div class="date-outer"><h2 class="date-header"><span>{date_header}</span></h2>
<div class="date-posts"><div class="post-outer"><div class="post hentry uncustomized-post-template">
<a name="{7700 + n}"></a>
<h3 class="post-title entry-title">{esc(a['headline'])}</h3>
<div class="post-header"><div class="post-header-line-1"></div></div>
<div class="post-body entry-content" id="post-body-{7700 + n}">
{text}
<div style="clear: both;"></div></div>
<div class="post-footer"><div class="post-footer-line post-footer-line-1">
<span class="post-author vcard">Posted by <span class="fn">{esc(a['author'])}</span></span>
<span class="post-timestamp">at <a class="timestamp-link" href="{url}"><abbr class="published"
title="{a['date']}T10:1{n % 10}:00Z">10:1{n % 10}</abbr></a></span>
<span class="post-comment-link"><a class="comment-link" href="{url}#comment-form">No comments:</a></span></div>
<div class="post-footer-line post-footer-line-2"><span class="post-labels">Labels:
<a href="/search/label/{a['section'].lower()}" rel="tag">{esc(a['section'])}</a>,
<a href="/search/label/county" rel="tag">county life</a></span></div>
<div class="post-share-buttons"><a class="share-button" href="#">Email This</a>
<a class="share-button" href="#">BlogThis!</a><a class="share-button" href="#">Share to Pinterest</a></div>
</div></div>
<div class="comments" id="comments"><a name="comments"></a><h4>No comments:</h4>
<div id="comment-holder"></div><p class="comment-footer"><a href="/comment?blogID=1">Post a Comment</a></p></div>
</div></div></div></div>
<div class="blog-pager" id="blog-pager"><span id="blog-pager-newer-link"><a class="blog-pager-newer-link"
href="/newer">Newer Post</a></span><span id="blog-pager-older-link"><a class="blog-pager-older-link"
href="/older">Older Post</a></span><a class="home-link" href="/">Home</a></div>
<div class="post-feeds"><div class="feed-links">Subscribe to: <a class="feed-link" href="/feeds/{n}/comments/default">Post Comments (Atom)</a></div></div>
</div></div></div></div>
<div class="column-right-inner"><aside><div class="sidebar section" id="sidebar-right-1">
<div class="widget Profile" id="Profile1"><h2>About Me</h2><div class="widget-content">
<dl class="profile-datablock"><dt class="profile-data"><a class="profile-name-link" href="/profile/{n}">{esc(a['author'])}</a></dt>
<dd class="profile-textblock">Retired teacher, keen gardener, occasional photographer.</dd></dl>
<a class="profile-link" href="/profile/{n}">View my complete profile</a></div></div>
<div class="widget BlogArchive" id="BlogArchive1"><h2>Blog Archive</h2><div class="widget-content">
<ul class="hierarchy"><li class="archivedate expanded"><a class="toggle" href="#">▼</a>
<a class="post-count-link" href="/{day.year}/">{day.year}</a> <span class="post-count">(23)</span>
<ul class="hierarchy"><li class="archivedate collapsed"><a class="toggle" href="#">►</a>
<a class="post-count-link" href="/{day.year - 1}/">{day.year - 1}</a> <span class="post-count">(41)</span></li></ul>
</li></ul></div></div></div></aside></div></div></div>
<div class="footer-outer"><div class="attribution">Simple theme. Powered by <a href="https://www.blogger.com">Blogger</a>.</div></div>
</div></div>
</body></html>
"""
    boilerplate = [
        "posted when there is something to say.", date_header, f"Posted by {a['author']}",
        "No comments:", "Labels:", "county life", "Email This", "BlogThis!", "Post a Comment",
        "Newer Post", "Older Post", "Subscribe to: Post Comments (Atom)", "About Me",
        "Retired teacher, keen gardener, occasional photographer.",
        "View my complete profile", "Blog Archive", "Simple theme. Powered by",
    ]
    return page, boilerplate


def magazine(a, url, blocks, n):
    teasers = _teasers(3, n)
    date = _long_date(a["date"])
    pull = {
        "salt-marsh-restoration": "Neither the flooding nor the ruined fishing ever came.",
        "violin-maker": "He keeps the spruce for a decade before the first cut.",
        "night-train-return": "Full at weekends, half empty midweek: the sleeper's first year.",
    }[a["slug"]]
    inner = [body_html([b], dropcap=(i == 0)) for i, b in enumerate(blocks)]
    inner.insert(2, f'<aside class="pullquote"><blockquote>{esc(pull)}</blockquote></aside>')
    dek = f'<p class="dek">{esc(a["dek"])}</p>' if a["dek"] else ""
    page = f"""<!DOCTYPE html>
<html lang="en">
{head(a, url, title_sep=" — ")}
<body class="longform">
<header class="site-header"><a class="wordmark" href="/">{esc(a['site'])}</a>
<nav><a href="/issues">Current Issue</a><a href="/archive">The Archive</a><a href="/subscribe">Subscribe
from £6 an issue</a></nav></header>
<main>
<article class="feature">
<div class="feature-hero"><figure><img src="/images/{a['slug']}-hero.jpg" alt="">
<figcaption><span class="caption">Photographed for {esc(a['site'])} in the late afternoon light.</span>
<span class="credit">Photograph: Iris Calloway</span></figcaption></figure></div>
<div class="kicker">{esc(a['section'])}</div>
<h1>{esc(a['headline'])}</h1>
{dek}
<div class="feature-byline">Words by {esc(a['author'])} &middot; <time datetime="{a['date']}">{date}</time>
&middot; <span class="readtime">{4 + n % 5} minute read</span></div>
<section class="feature-body">
{chr(10).join(inner)}
</section>
<footer class="feature-footer"><div class="author-box"><img src="/authors/{n}.jpg" alt="">
<p><strong>{esc(a['author'])}</strong> is a contributing editor. Their book on the coast is
published next spring.</p></div>
<div class="topics">Filed under: <a href="/topics/{n}">{esc(a['section'])}</a>, <a href="/topics/long">Long reads</a></div>
</footer>
</article>
<section class="also"><h2>You might also like</h2><ul>
{"".join(f'<li><a href="/f/{n}{i}">{esc(t)}</a></li>' for i, t in enumerate(teasers))}
</ul></section>
</main>
<footer class="site-footer"><p>Printed four times a year on recycled paper.</p>
<p>&copy; Fieldnotes Publishing 2025</p></footer>
</body></html>
"""
    boilerplate = [
        "Subscribe from £6 an issue", "Photographed for", "Photograph: Iris Calloway",
        f"Words by {a['author']}", "minute read", pull, "is a contributing editor.",
        "Filed under:", "You might also like", *teasers,
        "Printed four times a year on recycled paper.", "Fieldnotes Publishing 2025",
    ]
    return page, boilerplate


def govpress(a, url, blocks, n):
    date = _long_date(a["date"])
    dek = f'<p class="govuk-body-l">{esc(a["dek"])}</p>' if a["dek"] else ""
    page = f"""<!DOCTYPE html>
<html lang="en" class="govuk-template">
{head(a, url, title_sep=" - ")}
<body class="govuk-template__body">
<a href="#main-content" class="govuk-skip-link">Skip to main content</a>
<div id="cookie-banner" class="govuk-cookie-banner" role="region" aria-label="Cookies on this site">
<h2 class="govuk-cookie-banner__heading">Cookies on this government site</h2>
<p>We use some essential cookies to make this service work. We would also like to use analytics
cookies so we can understand how you use the service and make improvements.</p>
<button>Accept analytics cookies</button> <button>Reject analytics cookies</button>
<a href="/help/cookies">View cookies</a></div>
<header class="govuk-header"><a href="/" class="govuk-header__link">Government Services</a>
<nav><a href="/browse">Menu</a> <a href="/search">Search this site</a></nav></header>
<div class="govuk-width-container">
<div class="govuk-phase-banner"><strong class="govuk-tag">Beta</strong> This part of the site is
new. Your <a href="/feedback">feedback will help us to improve it</a>.</div>
<nav class="govuk-breadcrumbs"><ol><li><a href="/">Home</a></li><li><a href="/business">Business and
industry</a></li></ol></nav>
<main id="main-content" class="govuk-main-wrapper" role="main">
<span class="govuk-caption-xl">{esc(a['section'])}</span>
<h1 class="govuk-heading-xl">{esc(a['headline'])}</h1>
{dek}
<dl class="metadata"><dt>From:</dt><dd><a href="/org/{n}">{esc(a['author'])}</a></dd>
<dt>Published</dt><dd>{date}</dd></dl>
<div class="share-links"><h2>Share this page</h2><a href="#">Facebook</a> <a href="#">Twitter</a></div>
<div class="govspeak">
{body_html(blocks)}
<h2>Media enquiries</h2>
<p>Press office, 0300 555 0192 (9am to 5pm, Monday to Friday). Out of hours: 0300 555 0100.</p>
</div>
<div class="print-link"><button>Print this page</button></div>
<div class="page-feedback"><h2>Is this page useful?</h2><button>Yes</button>
<button>No</button> <a href="/contact/problem">Report a problem with this page</a></div>
</main>
<div class="related"><h2>Related content</h2><ul><li><a href="/guidance/{n}">Guidance for employers and
training providers</a></li><li><a href="/statistics/{n}">Statistics: quarterly summary tables</a></li></ul></div>
<div class="topics"><h2>Explore the topic</h2><a href="/topic/{n}">Business regulation</a></div>
</div>
<footer class="govuk-footer"><ul><li><a href="/help">Help</a></li><li><a href="/privacy">Privacy</a></li>
<li><a href="/accessibility">Accessibility statement</a></li></ul>
<p>All content is available under the Open Government Licence v3.0, except where otherwise stated.</p>
<p>&copy; Crown copyright</p></footer>
</body></html>
"""
    boilerplate = [
        "Skip to main content", "Cookies on this government site",
        "We use some essential cookies to make this service work.",
        "Accept analytics cookies", "This part of the site is new.", "Business and industry",
        f"Published {date}", "Share this page", "Media enquiries",
        "Press office, 0300 555 0192", "Print this page", "Is this page useful?",
        "Report a problem with this page", "Related content",
        "Guidance for employers and training providers", "Explore the topic",
        "Accessibility statement", "All content is available under the Open Government Licence",
        "Crown copyright",
    ]
    return page, boilerplate


def microdata(a, url, blocks, n):
    teasers = _teasers(5, n)
    date = _long_date(a["date"])
    ld = json.dumps({
        "@context": "https://schema.org", "@type": "NewsArticle", "headline": a["headline"],
        "datePublished": f"{a['date']}T06:00:00+00:00", "author": [{"@type": "Person",
        "name": a["author"]}], "publisher": {"@type": "Organization", "name": a["site"]},
        "mainEntityOfPage": url}, ensure_ascii=False)
    json_ld = f'<script type="application/ld+json">{ld}</script>\n'
    inner = [body_html([b]) for b in blocks]
    linked = len(blocks) > 3
    if linked:
        inner.insert(3, '<ul class="related-inline"><li><strong>Related:</strong> <a href="/r1">'
                        f"{esc(teasers[0])}</a></li><li><a href=\"/r2\">{esc(teasers[1])}</a></li></ul>")
    page = f"""<!DOCTYPE html>
<html lang="en">
{head(a, url, extra=json_ld)}
<body>
<div class="top-strip">Today's paper &middot; <a href="/epaper">Read the digital edition</a> &middot;
<a href="/puzzles">Puzzles &amp; Games</a></div>
<header><div class="logo"><a href="/">{esc(a['site'])}</a></div>
<nav class="sections"><a href="/news">News</a><a href="/business">Business</a>
<a href="/fishing">Fishing &amp; Marine</a><a href="/community">Community</a><a href="/notices">Public notices</a></nav></header>
<div class="layout"><div class="col-main">
<div itemscope itemtype="https://schema.org/NewsArticle" class="news-article">
<meta itemprop="datePublished" content="{a['date']}">
<div class="section-label">{esc(a['section'])}</div>
<h1 itemprop="headline">{esc(a['headline'])}</h1>
<div class="byline-block"><span itemprop="author" itemscope itemtype="https://schema.org/Person">
<a href="/staff/{n}" itemprop="url"><span itemprop="name">{esc(a['author'])}</span></a></span>
<span class="job-title">Business Correspondent</span>
<span class="dates">Published {date} &middot; Updated {date}</span></div>
<div class="share-tools"><a href="#">Copy link</a> <a href="#">Share on WhatsApp</a></div>
<div itemprop="articleBody" class="article-text">
{chr(10).join(inner)}
</div>
<div class="tags"><span>Topics:</span> <a href="/tags/{n}">Regional economy</a> <a href="/tags/jobs">Jobs and skills</a></div>
<div class="comments-count"><a href="#comments">Join the conversation (12 comments)</a></div>
</div></div>
<div class="col-side"><div class="box"><h3>More from {esc(a['section'])}</h3><ul>
{"".join(f'<li><a href="/m/{n}{i}">{esc(t)}</a></li>' for i, t in enumerate(teasers[2:]))}
</ul></div><div class="box ad"><span>Advertisement</span></div></div></div>
<footer><p>{esc(a['site'])}, published in print every weekday since 1882.</p>
<p><a href="/terms">Terms and conditions</a> &middot; <a href="/privacy">Privacy notice</a> &middot;
<a href="/contact">Contact the newsroom</a></p></footer>
</body></html>
"""
    boilerplate = [
        "Read the digital edition", "Puzzles & Games", "Fishing & Marine", "Public notices",
        "Business Correspondent", f"Published {date}", "Copy link", "Share on WhatsApp",
        "Regional economy", "Jobs and skills", "Join the conversation", *teasers[2:],
        "published in print every weekday since 1882", "Contact the newsroom",
    ]
    if linked:
        boilerplate += teasers[:2]
    return page, boilerplate


def paywall(a, url, blocks, n):
    teasers = _teasers(4, n)
    date = _long_date(a["date"])
    inner = [body_html([b]) for b in blocks]
    inner.insert(2, '<div class="meter-banner"><p>You have read 3 of your 5 free articles this '
                    'month.</p><p><a href="/subscribe">Subscribe for unlimited access from 99p a '
                    "week.</a></p></div>")
    page = f"""<!DOCTYPE html>
<html lang="en-GB">
{head(a, url)}
<body class="article-page">
<div id="consent-dialog" class="cmp" role="dialog" aria-modal="true">
<div class="cmp-inner"><h2>We value your privacy</h2>
<p>We and our 143 partners store and access information on your device, such as cookies, and
process personal data for personalised advertising and content, audience measurement and
product development.</p>
<p>You can change your choices at any time by visiting Privacy settings at the foot of every page.</p>
<button class="cmp-accept">Accept all</button><button class="cmp-manage">Manage options</button></div></div>
<header class="hdr"><a class="brand" href="/">{esc(a['site'])}</a>
<nav><a href="/news">News</a><a href="/housing">Housing</a><a href="/sport">Sport</a><a href="/opinion">Opinion</a>
<a href="/subscribe" class="cta">Subscribe today</a></nav></header>
<main><article>
<header class="article-header"><p class="label">{esc(a['section'])}</p>
<h1>{esc(a['headline'])}</h1>
<p class="meta">By {esc(a['author'])} &bull; {date}</p></header>
<div class="article-content">
{chr(10).join(inner)}
</div>
<aside class="support"><h3>Support local journalism</h3><p>Our reporters cover the council,
the courts and the stories that matter to you. Every subscription helps fund that work.</p></aside>
</article>
<section class="recommended"><h2>Recommended for you</h2>
{"".join(f'<div class="rec"><a href="/rec/{n}{i}">{esc(t)}</a></div>' for i, t in enumerate(teasers))}
</section></main>
<footer><a href="/privacy-settings">Privacy settings</a> <a href="/terms">Terms</a>
<p>Metro Examiner Group, registered in the city, company number 0420 1187.</p></footer>
</body></html>
"""
    boilerplate = [
        "We value your privacy", "We and our 143 partners store and access information",
        "You can change your choices at any time", "Manage options", "Subscribe today",
        f"By {a['author']} • {date}",
        "You have read 3 of your 5 free articles this month.",
        "Subscribe for unlimited access from 99p a week.", "Support local journalism",
        "Every subscription helps fund that work.", "Recommended for you", *teasers,
        "company number 0420 1187",
    ]
    return page, boilerplate


def stats(a, url, blocks, n):
    date = _long_date(a["date"])
    page = f"""<!DOCTYPE html>
<html lang="en">
{head(a, url)}
<body class="release">
<header class="nso-header"><a href="/" class="nso-logo">{esc(a['site'])}</a>
<nav><a href="/economy">Economy</a><a href="/people">People, population and community</a>
<a href="/business">Business, industry and trade</a><a href="/releases">Release calendar</a></nav>
<form class="search"><input type="search" placeholder="Search for a keyword or time series ID"></form></header>
<main class="bulletin">
<nav class="breadcrumb"><a href="/">Home</a> &gt; <a href="/business">Business, industry and trade</a>
&gt; <a href="/{a['section'].lower()}">{esc(a['section'])}</a></nav>
<div class="release-meta"><span class="type">Statistical bulletin</span>
<h1>{esc(a['headline'])}</h1>
<dl><dt>Release date:</dt><dd>{date}</dd><dt>Next release:</dt><dd>To be announced</dd>
<dt>Contact:</dt><dd><a href="mailto:stats@nso.example">Trade statistics team</a></dd></dl></div>
<div class="toc"><h2>Table of contents</h2><ol><li><a href="#main-points">Main points</a></li>
<li><a href="#data">Data</a></li><li><a href="#related">Related links</a></li></ol></div>
<section id="main-points" class="section">
{body_html(blocks)}
</section>
<section id="data" class="downloads"><h2>Data downloads</h2><ul>
<li><a href="/data/{n}.xlsx">Download this table (XLSX, 48 KB)</a></li>
<li><a href="/data/{n}.csv">Download this dataset as CSV (12 KB)</a></li></ul></section>
<section id="related"><h2>Related links</h2><p><a href="/methodology">Quality and methodology
information for this release</a></p></section>
<div class="national-statistics"><img src="/img/kitemark.png" alt="">These are accredited official
statistics.</div>
</main>
<footer class="nso-footer"><p>Release calendar · Methodology · Accessibility · Open Government
Licence</p><p>National Statistics Office, Government Buildings, Cardiff Road</p></footer>
</body></html>
"""
    boilerplate = [
        "People, population and community",
        "Statistical bulletin", f"Release date: {date}", "To be announced",
        "Trade statistics team", "Table of contents", "Main points", "Data downloads",
        "Download this table (XLSX, 48 KB)", "Quality and methodology information",
        "These are accredited official statistics.", "Government Buildings, Cardiff Road",
    ]
    return page, boilerplate


def tables(a, url, blocks, n):
    # An old site: HTML 4, no lang attribute, layout tables, <font> tags, a left menu.
    date = dt.date.fromisoformat(a["date"]).strftime("%d/%m/%Y")
    paras = "\n".join(f'<p><font face="Verdana, Arial" size="2">{_inline_html(v)}</font></p>'
                      for _, v in blocks)
    page = f"""<!DOCTYPE HTML PUBLIC "-//W3C//DTD HTML 4.01 Transitional//EN">
<html>
<head>
<meta http-equiv="Content-Type" content="text/html; charset=utf-8">
<title>{esc(a['site'])} - {esc(a['headline'])}</title>
<meta name="keywords" content="{esc(a['site'])}, news, events">
<script language="JavaScript" src="menu.js"></script>
</head>
<body bgcolor="#FFFFFF" leftmargin="0" topmargin="0" marginwidth="0" marginheight="0">
<table width="780" border="0" cellpadding="0" cellspacing="0" align="center">
<tr><td colspan="2" bgcolor="#003366" height="80"><font face="Verdana" size="5" color="#FFFFFF">
<b>{esc(a['site'])}</b></font><br><font face="Verdana" size="1" color="#CCCCCC">Serving the
community since 1952 &middot; Registered charity 1044 182</font></td></tr>
<tr><td width="160" valign="top" bgcolor="#E8EEF4">
<table width="100%" border="0" cellpadding="4"><tr><td><font face="Verdana" size="2">
<a href="index.html">Home page</a><br><a href="news.html">Latest news</a><br>
<a href="diary.html">Diary of events</a><br><a href="members.html">Members area</a><br>
<a href="gallery.html">Photo gallery</a><br><a href="links.html">Useful links</a><br>
<a href="contact.html">Contact us</a></font></td></tr>
<tr><td><font face="Verdana" size="1">You are visitor number 0{48213 + n * 37}</font></td></tr>
</table></td>
<td width="620" valign="top"><table width="100%" border="0" cellpadding="10"><tr><td>
<font face="Verdana" size="4" color="#003366"><b>{esc(a['headline'])}</b></font><br>
<font face="Verdana" size="1">Posted {date} by {esc(a['author'])}</font>
{paras}
<p><font face="Verdana" size="1"><a href="news.html">&lt;&lt; Back to the news index</a></font></p>
</td></tr></table></td></tr>
<tr><td colspan="2" bgcolor="#003366" align="center"><font face="Verdana" size="1" color="#FFFFFF">
Page last updated {date} &middot; Site maintained by volunteers &middot; Best viewed at 1024 x 768
</font></td></tr></table>
</body></html>
"""
    boilerplate = [
        "Serving the community since 1952", "Diary of events", "Members area", "Photo gallery",
        "Useful links", "You are visitor number", f"Posted {date} by {a['author']}",
        "Back to the news index", "Site maintained by volunteers", "Best viewed at 1024 x 768",
    ]
    return page, boilerplate


_FOREIGN = {
    "de": {"cookie": "Wir verwenden Cookies, um Ihnen ein optimales Nutzungserlebnis zu bieten.",
           "accept": "Alle akzeptieren", "nav": "Sport und Freizeit", "by": "Von",
           "more": "Mehr aus der Region", "news": "Newsletter abonnieren und nichts verpassen",
           "imprint": "Impressum", "teasers": [
               "Neue Buslinie verbindet die Dörfer im Landkreis",
               "Stadtrat beschließt Sanierung des Freibads",
               "Wochenmarkt zieht auf den Rathausplatz um"]},
    "fr": {"cookie": "Nous utilisons des cookies pour améliorer votre expérience sur notre site.",
           "accept": "Tout accepter", "nav": "Faits divers", "by": "Par",
           "more": "À lire aussi dans la région", "news": "Recevez notre lettre d'information",
           "imprint": "Mentions légales", "teasers": [
               "Le marché de Noël ouvrira ses portes samedi",
               "Une nouvelle piste cyclable entre les deux villages",
               "La médiathèque fête ses vingt ans"]},
    "es": {"cookie": "Utilizamos cookies propias y de terceros para mejorar nuestros servicios.",
           "accept": "Aceptar todas", "nav": "Sucesos", "by": "Por",
           "more": "Más noticias de la provincia", "news": "Suscríbete a nuestro boletín diario",
           "imprint": "Aviso legal", "teasers": [
               "El ayuntamiento aprueba el presupuesto para el próximo año",
               "Las obras del paseo marítimo terminarán en primavera",
               "Récord de visitantes en la feria del libro"]},
}


def foreign(a, url, blocks, n):
    words = _FOREIGN[a["language"]]
    date = _long_date(a["date"], a["language"])
    page = f"""<!DOCTYPE html>
<html lang="{a['language']}">
{head(a, url)}
<body>
<div class="cookie-notice"><p>{esc(words['cookie'])}</p><button>{esc(words['accept'])}</button></div>
<header><a class="logo" href="/">{esc(a['site'])}</a>
<nav><a href="/lokal">{esc(a['section'])}</a> <a href="/sport">{esc(words['nav'])}</a></nav></header>
<main><article>
<h1>{esc(a['headline'])}</h1>
<p class="byline">{words['by']} {esc(a['author'])} &middot; <time datetime="{a['date']}">{date}</time></p>
<div class="text">
{body_html(blocks)}
</div>
<div class="newsletter">{esc(words['news'])}</div>
</article>
<aside><h2>{esc(words['more'])}</h2><ul>
{"".join(f'<li><a href="/a/{n}{i}">{esc(t)}</a></li>' for i, t in enumerate(words['teasers']))}
</ul></aside></main>
<footer><a href="/impressum">{esc(words['imprint'])}</a> &middot; &copy; 2025 {esc(a['site'])}</footer>
</body></html>
"""
    boilerplate = [words["cookie"], words["accept"], f"{words['by']} {a['author']}", date,
                   words["news"], words["more"], *words["teasers"], words["imprint"]]
    return page, boilerplate


def newsletter(a, url, blocks, n):
    # The web version of an e-mail: nested tables, inline styles, a preheader, footer links.
    date = _long_date(a["date"])
    cell = ('<p style="margin:0 0 16px 0;font-family:Georgia,serif;font-size:17px;'
            'line-height:26px;color:#222222;">')
    page = f"""<!DOCTYPE html>
<html lang="en" xmlns="http://www.w3.org/1999/xhtml">
{head(a, url)}
<body style="margin:0;padding:0;background:#f2f2f2;">
<div style="display:none;max-height:0;overflow:hidden;">This week's numbers, in five minutes.</div>
<table role="presentation" width="100%" cellpadding="0" cellspacing="0" border="0"><tr><td align="center">
<table role="presentation" width="600" cellpadding="0" cellspacing="0" border="0" style="background:#ffffff;">
<tr><td style="padding:12px 24px;font-size:12px;color:#888888;">Having trouble reading this? <a href="{url}">View
it in your browser</a></td></tr>
<tr><td style="padding:24px;border-bottom:3px solid #222222;"><span style="font-size:28px;font-weight:bold;">
{esc(a['site'])}</span><br><span style="font-size:13px;color:#666666;">Issue {120 + n} &middot; {date}</span></td></tr>
<tr><td style="padding:24px;"><h1 style="font-size:24px;">{esc(a['headline'])}</h1>
<p style="font-size:13px;color:#666666;">Written by {esc(a['author'])}</p>
{body_html(blocks, p_open=cell)}
</td></tr>
<tr><td style="padding:16px 24px;background:#f7f7f7;font-size:14px;">Enjoying the newsletter?
<a href="/refer">Forward it to a colleague</a> or <a href="/subscribe">sign up here</a> if this was
forwarded to you.</td></tr>
<tr><td style="padding:16px 24px;font-size:11px;color:#999999;">You are receiving this email because
you subscribed at our website. <a href="/preferences">Update your preferences</a> or
<a href="/unsubscribe">unsubscribe from this list</a>.<br>Our mailing address is: PO Box 2231, Harbour
Road.</td></tr>
</table></td></tr></table>
</body></html>
"""
    boilerplate = [
        "This week's numbers, in five minutes.", "Having trouble reading this?",
        "View it in your browser", f"Issue {120 + n}", f"Written by {a['author']}",
        "Enjoying the newsletter?", "Forward it to a colleague",
        "You are receiving this email because you subscribed at our website.",
        "unsubscribe from this list", "Our mailing address is: PO Box 2231",
    ]
    return page, boilerplate


LAYOUTS = {f.__name__: f for f in (wordpress, wire, portal, blogger, magazine, govpress,
                                   microdata, paywall, stats, tables, foreign, newsletter)}
_SPACE = re.compile(r"\s+")


def _visible(page: str) -> str:
    """The page's text roughly as a reader sees it (tags dropped, entities decoded)."""
    text = re.sub(r"<(script|style)\b.*?</\1>", " ", page, flags=re.S | re.I)
    text = re.sub(r"<[^>]+>", " ", text)
    return _SPACE.sub(" ", html.unescape(text))


def main() -> int:
    PAGES.mkdir(exist_ok=True)
    for old in PAGES.iterdir():
        old.unlink()
    rows = []
    for n, a in enumerate(ARTICLES):
        host = re.sub(r"[^a-z]+", "", a["site"].lower())
        day = dt.date.fromisoformat(a["date"])
        url = f"https://www.{host}.example/{a['section'].lower().replace(' ', '-')}/" \
              f"{day.year}/{day.month:02d}/{a['slug']}/"
        blocks = _units(a["body"])
        page, boilerplate = LAYOUTS[a["layout"]](a, url, blocks, n)
        units = expected_units(blocks)
        article_text = _SPACE.sub(" ", " ".join(units))
        visible = _visible(page)
        for snippet in boilerplate:
            # A forbidden snippet must be on the page and must not be article text.
            assert _SPACE.sub(" ", snippet) in visible, (a["slug"], snippet)
            assert _SPACE.sub(" ", snippet) not in article_text, (a["slug"], snippet)
        name = f"{n:02d}_{a['slug']}"
        (PAGES / f"{name}.html").write_text(page, encoding="utf-8")
        (PAGES / f"{name}.txt").write_text("\n".join(units) + "\n", encoding="utf-8")
        (PAGES / f"{name}.boilerplate.txt").write_text(
            "\n".join(dict.fromkeys(boilerplate)) + "\n", encoding="utf-8")
        rows.append({"file": f"{name}.html", "url": url, "layout": a["layout"],
                     "language": a["language"]})
    with (HERE / "manifest.csv").open("w", encoding="utf-8", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=["file", "url", "layout", "language"])
        writer.writeheader()
        writer.writerows(rows)
    print(f"wrote {len(rows)} pages to {PAGES}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
