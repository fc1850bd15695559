"""A page's metadata (title, author, date, site name, URL) by trafilatura's own rules, once.

trafilatura's `extract_metadata` also searches the whole tree for categories, tags and a
licence, which claimledger never stores: those three walks were a quarter of its metadata
time (docs/performance.md). This module runs the same steps in the same order for the five
fields the article row keeps, and nothing else, so the values are trafilatura's own
(tests/transforms/extract/test_metadata.py compares them page by page). It runs once per
page, not once per extractor path tried: the metadata of a page does not depend on the path.

The <meta> and JSON-LD fields come first; the slower searches of the tree (title and author
elements, htmldate's date search) only run for what those did not give.

A page that names its own URL (og:url, twitter:url, a canonical link) gets the same five
values whatever URL it was fetched from; one that does not has its date and site name
read from the fetch URL too. `PageMetadata.names_own_url` says which, so a copy of the
same bytes under another URL can take the metadata already read (transforms/extract/copies.py).
"""

from __future__ import annotations

import contextlib
from dataclasses import dataclass
from typing import Any

from htmldate import find_date
from lxml.html import HtmlElement
from trafilatura import metadata as trafilatura_metadata

__all__ = ["PageMetadata", "page_metadata"]


@dataclass(frozen=True)
class PageMetadata:
    """The five fields (None where the page has none), and whether the page named its own
    URL, so that none of them depends on the URL it was fetched from."""

    title: str | None
    author: str | None
    date: str | None
    sitename: str | None
    url: str | None
    names_own_url: bool


def page_metadata(tree: HtmlElement, url: str | None,
                  date_params: dict[str, Any]) -> PageMetadata:
    """Title, author, date, sitename and url of a parsed page, as trafilatura reads them.

    In: the page's lxml tree (only read: the author and date searches work on copies), the
    URL it was fetched from and htmldate's parameters (rules/extraction.yml
    `date_extraction_params`). Out: those five fields, trimmed like trafilatura's.
    """
    metadata = trafilatura_metadata.examine_meta(tree)
    # trafilatura's rule: a one-word <meta> author is a handle or a section, not a name
    if metadata.author and " " not in metadata.author:
        metadata.author = None
    # trafilatura guards its JSON-LD reader the same way: a malformed block is no metadata
    with contextlib.suppress(Exception):
        metadata = trafilatura_metadata.extract_meta_json(tree, metadata)
    if not metadata.title:
        metadata.title = trafilatura_metadata.extract_title(tree)
    if not metadata.author:
        metadata.author = trafilatura_metadata.extract_author(tree)
    if not metadata.url:
        metadata.url = trafilatura_metadata.extract_url(tree, None)
    names_own_url = bool(metadata.url)
    metadata.url = metadata.url or url
    metadata.date = find_date(tree, **{**date_params, "url": metadata.url})
    if not metadata.sitename:
        metadata.sitename = trafilatura_metadata.extract_sitename(tree)
    if metadata.sitename:
        metadata.sitename = metadata.sitename.lstrip("@")
        if metadata.sitename and "." not in metadata.sitename \
                and not metadata.sitename[0].isupper():
            metadata.sitename = metadata.sitename.title()
    elif metadata.url:
        match = trafilatura_metadata.META_URL.match(metadata.url)
        if match:
            metadata.sitename = match[1]
    metadata.clean_and_trim()
    return PageMetadata(metadata.title, metadata.author, metadata.date, metadata.sitename,
                        metadata.url, names_own_url)
