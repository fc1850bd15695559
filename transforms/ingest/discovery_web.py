"""Discovery for the web source kinds: rss, sitemap, urls and warc.

Each discoverer has the DISCOVERERS signature `(source, settings: Settings) -> frame of
DISCOVERED_SCHEMA`. Feeds and sitemaps are read through transforms.ingest.http_client
(robots.txt, per-host spacing, address and size guards) or from a local `path`;
XML is parsed with entity expansion and network access switched off.

Options every kind reads (config/sources.yml):
  url | path            where the feed, sitemap, list or archive is
  allowed_domains       article hosts to keep (a domain keeps its subdomains); default any
  language              ISO 639-1; entries that declare another language are skipped
  max_items             cap on discovered URLs per source (default 200)
plus the politeness and safety options of http_fetch.FetchPolicy.from_options.

A feed or sitemap that cannot be read is logged and yields no rows: one broken
source must not stop the others.
"""

from __future__ import annotations

import logging
from dataclasses import replace
from pathlib import Path
from urllib.parse import urljoin, urlsplit

import polars as pl
from lxml import etree
from warcio.archiveiterator import ArchiveIterator

from transforms.ingest.http_client import (
    FetchPolicy,
    FetchState,
    decompress_capped,
    domain_list,
    fetch_url,
    http_state_dir,
    robots_for,
)
from transforms.ingest.pages import FetchRejected
from transforms.ingest.sources import DISCOVERED_SCHEMA, Source, SourceConfigError
from transforms.ingest.warc import NOT_WARC_ERRORS, open_inside, warc_entries
from transforms.kernel.settings import Settings
from transforms.kernel.urls import article_url_problem, normalise_url

log = logging.getLogger(__name__)

DEFAULT_MAX_ITEMS = 200
DEFAULT_MAX_SITEMAP_DEPTH = 2   # index → index → urlset
DEFAULT_MAX_SITEMAPS = 20       # documents read per source, indexes included
MAX_DOCUMENT_BYTES = 10 * 1024 * 1024  # the sitemap protocol caps a file at 50 MB / 50k URLs
FEED_CONTENT_TYPES = (
    "application/rss+xml", "application/atom+xml", "application/rdf+xml", "application/xml",
    "text/xml", "application/x-gzip", "application/gzip", "application/octet-stream",
    "text/plain", "text/html",  # servers mislabel feeds; the XML parser decides
)
WARC_HTML_TYPES = ("text/html", "application/xhtml+xml")


def discovery_policy(source: Source, settings: Settings) -> FetchPolicy:
    """The fetch policy for reading a source's feeds and sitemaps (not its articles).

    allowed_domains is left out: it filters article URLs, while a feed may live on
    another host (feeds.example.com) than the articles it lists.
    """
    policy = FetchPolicy.from_options(source.options, state_dir=http_state_dir(settings))
    return replace(policy, allowed_domains=(), allowed_content_types=FEED_CONTENT_TYPES,
                   max_decoded_bytes=MAX_DOCUMENT_BYTES,
                   accept="application/rss+xml,application/atom+xml,application/xml;q=0.9,"
                          "text/xml;q=0.9,*/*;q=0.1")


# --- rss and atom ------------------------------------------------------------------------

def discover_rss(source: Source, settings: Settings) -> pl.DataFrame:
    """Article links of an RSS 2.0, RSS 1.0 or Atom feed (`url` or local `path`)."""
    with FetchState(http_state_dir(settings)) as state:
        document = _read_document(source, settings, state)
    if document is None:
        return _frame(source, [])
    body, base_url = document
    root = parse_xml(body)
    if root is None:
        log.warning("source %s: the feed is not XML", source.name)
        return _frame(source, [])
    feed_language = _declared_language(root)
    urls = []
    for element in root.iter():
        if _local(element) not in ("item", "entry"):
            continue
        language = _declared_language(element) or feed_language
        if not _language_matches(source, language):
            continue
        link = _entry_link(element)
        if link:
            urls.append(urljoin(base_url, link))
    return _frame(source, urls)


def _entry_link(entry) -> str | None:
    """An item's article URL: RSS <link>, Atom <link rel=alternate href>, or a permalink guid."""
    atom_links, guid = [], None
    for child in entry:
        name = _local(child)
        if name == "link":
            href = child.get("href")
            if href is None and (child.text or "").strip():
                return child.text.strip()
            if href and child.get("rel", "alternate") == "alternate":
                atom_links.append(href.strip())
        elif name == "guid" and child.get("isPermaLink", "true") != "false":
            guid = (child.text or "").strip() or None
    if atom_links:
        return atom_links[0]
    return guid if guid and guid.startswith(("http://", "https://")) else None


def _declared_language(element) -> str | None:
    lang = element.get("{http://www.w3.org/XML/1998/namespace}lang")
    if lang:
        return lang
    for child in element:
        if _local(child) == "channel":
            return _declared_language(child)
        if _local(child) == "language" and (child.text or "").strip():
            return child.text.strip()
    return None


# --- sitemaps ------------------------------------------------------------------------------

def discover_sitemap(source: Source, settings: Settings) -> pl.DataFrame:
    """Page URLs of a sitemap, sitemap index (recursively, bounded) or news sitemap.

    `url` may be a site root ('https://example.com/'): its robots.txt `Sitemap:`
    lines are read, else /sitemap.xml. Options: max_sitemap_depth (2),
    max_sitemaps (20). A child sitemap must be on its index's host.
    """
    max_depth = int(source.options.get("max_sitemap_depth", DEFAULT_MAX_SITEMAP_DEPTH))
    max_documents = int(source.options.get("max_sitemaps", DEFAULT_MAX_SITEMAPS))
    max_items = int(source.options.get("max_items", DEFAULT_MAX_ITEMS))
    policy = discovery_policy(source, settings)
    urls: list[str] = []
    with FetchState(http_state_dir(settings)) as state:
        if "path" in source.options:
            document = _read_document(source, settings, state)
            queue = []
            if document is not None:
                urls.extend(_sitemap_entries(source, document[0], document[1], queue, 0))
        else:
            queue = [(u, 0) for u in _start_sitemaps(source, policy, state)]
        read: set[str] = set()
        while queue and len(read) < max_documents and len(urls) < max_items:
            sitemap_url, depth = queue.pop(0)
            if sitemap_url in read or depth > max_depth:
                continue
            read.add(sitemap_url)
            result = fetch_url(sitemap_url, policy=policy, state=state)
            if result.outcome != "fetched":
                log.warning("source %s: sitemap %s not read: %s %s", source.name, sitemap_url,
                            result.reason_code, result.message)
                continue
            urls.extend(_sitemap_entries(source, result.body or b"", result.final_url, queue,
                                         depth))
    return _frame(source, urls)


def _start_sitemaps(source: Source, policy: FetchPolicy, state: FetchState) -> list[str]:
    url = source.options.get("url")
    if not url:
        raise SourceConfigError(
            f"sitemap source {source.name!r} needs a 'url' or a 'path'")
    url = normalise_url(str(url))
    parts = urlsplit(url)
    if parts.path not in ("", "/") or parts.query:
        return [url]
    # A site root: robots.txt names the sitemaps (robots_for obeys the same guards).
    sitemaps = list(robots_for(url, policy, state).sitemaps)
    return [normalise_url(urljoin(url, s)) for s in sitemaps] or [urljoin(url, "/sitemap.xml")]


def _sitemap_entries(source: Source, body: bytes, base_url: str, queue: list, depth: int):
    """Page URLs of one sitemap document; child sitemaps of an index go onto `queue`."""
    root = parse_xml(body, policy=FetchPolicy(max_decoded_bytes=MAX_DOCUMENT_BYTES))
    if root is None:
        log.warning("source %s: %s is not a sitemap", source.name, base_url)
        return []
    kind = _local(root)
    pages = []
    base_host = urlsplit(base_url).hostname
    for entry in root:
        name = _local(entry)
        loc = _child_text(entry, "loc")
        if not loc:
            continue
        loc = normalise_url(urljoin(base_url, loc))
        if kind == "sitemapindex" and name == "sitemap":
            if urlsplit(loc).hostname == base_host:
                queue.append((loc, depth + 1))
            else:
                log.warning("source %s: skipped off-host child sitemap %s", source.name, loc)
        elif kind == "urlset" and name == "url" and \
                _language_matches(source, _news_language(entry)):
            pages.append(loc)
    return pages


def _news_language(url_entry) -> str | None:
    """<news:news><news:publication><news:language> of a Google News sitemap entry."""
    for element in url_entry.iter():
        if _local(element) == "language" and (element.text or "").strip():
            return element.text.strip()
    return None


# --- url lists ----------------------------------------------------------------------------

def discover_urls(source: Source, settings: Settings) -> pl.DataFrame:
    """URLs of a text file (`path`, or `url` served as text/plain): one per line, # comments."""
    with FetchState(http_state_dir(settings)) as state:
        document = _read_document(source, settings, state)
    if document is None:
        return _frame(source, [])
    body, base_url = document
    urls = []
    for raw_line in body.decode("utf-8", errors="replace").splitlines():
        line = raw_line.split(" #", 1)[0].strip()
        if line and not line.startswith("#"):
            urls.append(urljoin(base_url, line) if base_url else line)
    return _frame(source, urls)


# --- warc archives ------------------------------------------------------------------------

def discover_warc(source: Source, settings: Settings) -> pl.DataFrame:
    """HTML response records of a WARC file or a folder of *.warc / *.warc.gz (`path`).

    location is 'warc://<absolute path>#<byte offset of the record>', which
    read_warc_record turns back into the body without touching the network. A file
    open_inside refuses (a link out of the folder, a FIFO) or that is no WARC is not
    quoted and does not stop the others: it gets one row, url
    'warc://<source>/<relative path>', which the fetch quarantines (unsafe_path,
    parse_error) without reading it.
    """
    target = _local_path(source, settings)
    root = warc_root(source, settings)
    urls, locations = [], []
    for file in warc_entries(target):
        name = file.relative_to(target).as_posix() if file != target else file.name
        try:
            with open_inside(file, root) as stream:
                records, failed_at = _html_records(stream)
        except (FetchRejected, OSError) as refused:
            log.warning("source %s: %s refused: %s", source.name, name, refused)
            urls.append(f"warc://{source.name}/{name}")
            locations.append(f"warc://{file}#0")
            continue
        resolved = file.resolve()
        for url, offset in records:
            urls.append(url)
            locations.append(f"warc://{resolved}#{offset}")
        if failed_at is not None:
            log.warning("source %s: %s is no WARC from byte %s on", source.name, name,
                        failed_at)
            urls.append(f"warc://{source.name}/{name}#{failed_at}")
            locations.append(f"warc://{resolved}#{failed_at}")
    return _frame(source, urls, locations)


def warc_root(source: Source, settings: Settings) -> Path:
    """The resolved folder (or file) a warc source may read: its `path`."""
    path = Path(str(source.options.get("path", "")))
    return (path if path.is_absolute() else settings.home / path).resolve()


def _html_records(stream) -> tuple[list[tuple[str, int]], int | None]:
    """(target URI, offset) of each 200 HTML response record, and the offset where the
    stream stopped being a WARC (None: it never did)."""
    found = []
    iterator = ArchiveIterator(stream)
    try:
        for record in iterator:
            if record.rec_type != "response" or record.http_headers is None:
                continue
            status = record.http_headers.get_statuscode()
            media = (record.http_headers.get_header("Content-Type") or "").split(";")[0]
            if status != "200" or media.strip().lower() not in WARC_HTML_TYPES:
                continue
            url = record.rec_headers.get_header("WARC-Target-URI")
            if url:
                found.append((url, iterator.get_record_offset()))
    except NOT_WARC_ERRORS:
        return found, iterator.offset
    return found, None


# --- shared ---------------------------------------------------------------------------------

def parse_xml(body: bytes, policy: FetchPolicy | None = None):
    """The root element of an XML document (gzip is unpacked under the caps), or None.

    Entities are not expanded, no DTD is loaded and nothing is fetched, so a hostile
    feed can neither read local files (XXE) nor blow up memory (billion laughs).
    """
    if body[:2] == b"\x1f\x8b":
        try:
            body = decompress_capped(body, "gzip", policy or FetchPolicy(
                max_body_bytes=MAX_DOCUMENT_BYTES, max_decoded_bytes=MAX_DOCUMENT_BYTES))
        except FetchRejected as rejected:
            log.warning("compressed XML refused: %s", rejected)
            return None
    parser = etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False,
                             huge_tree=False, remove_comments=True, remove_pis=True,
                             recover=True)
    try:
        root = etree.fromstring(body, parser)
    except (etree.XMLSyntaxError, ValueError):
        return None
    return root


def _read_document(source: Source, settings: Settings,
                   state: FetchState) -> tuple[bytes, str] | None:
    """(body, base URL) of the source's `path` or `url`; None (logged) when unreadable."""
    if "path" in source.options:
        path = _local_path(source, settings)
        if path.stat().st_size > MAX_DOCUMENT_BYTES:
            log.warning("source %s: %s is larger than %s bytes", source.name, path,
                        MAX_DOCUMENT_BYTES)
            return None
        return path.read_bytes(), str(source.options.get("base_url", ""))
    url = source.options.get("url")
    if not url:
        raise SourceConfigError(
            f"{source.kind} source {source.name!r} needs a 'url' or a 'path'")
    result = fetch_url(str(url), policy=discovery_policy(source, settings), state=state)
    if result.outcome != "fetched":
        log.warning("source %s: %s not read: %s %s", source.name, url, result.reason_code,
                    result.message)
        return None
    return result.body or b"", result.final_url


def _local_path(source: Source, settings: Settings) -> Path:
    path = Path(str(source.options.get("path", "")))
    if not path.is_absolute():
        path = settings.home / path
    if not path.exists():
        raise SourceConfigError(
            f"{source.kind} source {source.name!r}: not found: {path}")
    return path


def _frame(source: Source, urls: list[str],
           locations: list[str] | None = None) -> pl.DataFrame:
    """Rows of DISCOVERED_SCHEMA: URLs in their canonical form, in allowed_domains, first
    occurrence kept, at most max_items. location is the URL unless given.

    A URL that cannot be an article's (javascript:, data:, mailto:, malformed) is kept,
    whatever allowed_domains says, so the fetch quarantines it as `unsupported_url`
    rather than it vanishing unseen; it counts towards max_items like any other.
    """
    domains = domain_list(source.options.get("allowed_domains"))
    max_items = int(source.options.get("max_items", DEFAULT_MAX_ITEMS))
    rows, seen = [], set()
    for index, raw in enumerate(urls):
        url = normalise_url(raw)
        if url in seen:
            continue
        host = (urlsplit(url).hostname or "").lower() if article_url_problem(url) is None \
            else None
        if host is not None and domains and \
                not any(host == d or host.endswith("." + d) for d in domains):
            continue
        seen.add(url)
        rows.append({"source_name": source.name, "source_kind": source.kind, "url": url,
                     "location": locations[index] if locations else url})
        if len(rows) >= max_items:
            break
    return pl.DataFrame(rows, schema=DISCOVERED_SCHEMA)


def _language_matches(source: Source, declared: str | None) -> bool:
    wanted = source.options.get("language")
    if not wanted or not declared:
        return True
    return declared.strip().lower().replace("_", "-").split("-")[0] == str(wanted).lower()


def _local(element) -> str:
    return etree.QName(element).localname if isinstance(element.tag, str) else ""


def _child_text(element, name: str) -> str | None:
    for child in element:
        if _local(child) == name and (child.text or "").strip():
            return child.text.strip()
    return None


