"""Extract an article's text and metadata from one HTML page with trafilatura.

The settings (trafilatura keyword arguments, the ordered list of extractor paths, the
fallback threshold) live in transforms/rules/extraction.yml. Every path is deterministic:
trafilatura's own deduplication is off (its cache is process-wide), so the same HTML always
gives the same text, whatever was extracted before it.
"""

from __future__ import annotations

import datetime as dt
import functools
import re
from typing import Any

import trafilatura

from transforms.extract.metadata import page_metadata
from transforms.kernel.rules import rules

EXTRACTOR_VERSION = trafilatura.__version__

# ISO 639-1 code at the start of an html lang attribute ("en-US" -> "en").
_LANG_CODE = re.compile(r"^\s*([a-zA-Z]{2})(?:[-_].*)?$")


class ExtractionError(Exception):
    """Nothing usable came out of a page; reason_code is a quarantine_reasons code."""

    def __init__(self, reason_code: str, message: str) -> None:
        super().__init__(f"{reason_code}: {message}")
        self.reason_code = reason_code
        self.message = message


@functools.cache
def extraction_settings() -> dict[str, Any]:
    """The parsed transforms/rules/extraction.yml (common kwargs, paths, thresholds)."""
    return rules("extraction")


def _path_text(html: str, tree: Any, url: str, path: dict[str, Any],
               common: dict[str, Any]) -> str:
    """The text one extractor path finds ("" when none)."""
    if path["kind"] == "baseline":
        # baseline cleans the tree it is given: its own parse
        _, text, _ = trafilatura.baseline(trafilatura.load_html(html))
        return (text or "").strip()
    # bare_extraction works on a copy of a tree it is given, so every path shares one parse
    document = trafilatura.bare_extraction(
        tree, url=url, output_format="python", **common, **path.get("options", {})
    )
    return (document.text or "").strip() if document is not None else ""


def _page_language(tree: Any) -> str | None:
    """ISO 639-1 code from <html lang> (or og:locale / content-language meta), else None."""
    candidates = [tree.get("lang"), tree.get("{http://www.w3.org/XML/1998/namespace}lang")]
    for meta in tree.iterfind(".//meta"):
        key = (meta.get("property") or meta.get("http-equiv") or meta.get("name") or "").lower()
        if key in {"og:locale", "content-language", "language"}:
            candidates.append(meta.get("content"))
    for value in candidates:
        match = _LANG_CODE.match(value or "")
        if match:
            return match.group(1).lower()
    return None


def _as_date(value: str | None) -> dt.date | None:
    """A 'YYYY-MM-DD...' string from trafilatura as a date; None when absent or malformed."""
    if not value:
        return None
    try:
        return dt.date.fromisoformat(value[:10])
    except ValueError:
        return None


def _is_sentence(line: str, rule: dict[str, Any]) -> bool:
    """Whether a line is a short sentence of prose (enough words, ends like a sentence)."""
    line = line.strip()
    return bool(line) and line[-1] in rule["ends_with"] and \
        len(line.split()) >= rule["min_words"]


def extract_page(html: str, url: str) -> dict[str, Any]:
    """Article text and metadata of one page.

    In: the decoded HTML and the URL it was fetched from. Out: title, author,
    published_date (date or None), site_name, language (ISO 639-1 from the page markup or
    None), canonical_url (metadata canonical/og:url, else url), names_own_url (whether the
    page named its URL itself, so no field depends on `url`), raw_text (paragraphs joined
    by "\\n"), extraction_path (the name of the extractions.yml path that produced raw_text)
    and extractor_version. Raises ExtractionError(parse_error) when the HTML cannot be
    parsed and ExtractionError(no_article) when no path yields text.
    """
    settings = extraction_settings()
    if not html or not html.strip():
        raise ExtractionError("parse_error", "empty HTML document")
    tree = trafilatura.load_html(html)
    if tree is None:
        raise ExtractionError("parse_error", "trafilatura could not parse the HTML")

    best_text, best_path = "", None
    for path in settings["paths"]:
        text = _path_text(html, tree, url, path, settings["common"])
        if len(text) > len(best_text):
            best_text, best_path = text, path["name"]
        if len(best_text) >= settings["fallback_below_chars"]:
            break
    if len(best_text) < settings["min_chars"] or best_path is None:
        raise ExtractionError("no_article", f"no extractor path found article text in {url}")
    longest = max(len(line.strip()) for line in best_text.split("\n"))
    if longest < settings["min_longest_line_chars"] and not any(
            _is_sentence(line, settings["short_sentence"]) for line in best_text.split("\n")):
        raise ExtractionError("no_article", f"no line of prose in {url} (longest line "
                                            f"{longest} characters): a link list or a form")

    # After the text: a page without an article costs no metadata search.
    return {
        **_metadata_fields(tree, url),
        "raw_text": "\n".join(line.strip() for line in best_text.split("\n")),
        "extraction_path": best_path,
        "extractor_version": EXTRACTOR_VERSION,
    }


def page_metadata_fields(html: str, url: str) -> dict[str, Any]:
    """extract_page's metadata fields alone (title, author, published_date, site_name,
    language, canonical_url, names_own_url), for a page whose text is already known: the
    same bytes were extracted under another URL (transforms/extract/copies.py)."""
    tree = trafilatura.load_html(html) if html and html.strip() else None
    if tree is None:
        raise ExtractionError("parse_error", "trafilatura could not parse the HTML")
    return _metadata_fields(tree, url)


def _metadata_fields(tree: Any, url: str) -> dict[str, Any]:
    metadata = page_metadata(tree, url, extraction_settings()["metadata"]["date_extraction_params"])
    return {
        "title": metadata.title,
        "author": metadata.author,
        "published_date": _as_date(metadata.date),
        "site_name": metadata.sitename,
        "language": _page_language(tree),
        "canonical_url": metadata.url or url,
        # The page names its own URL: none of these fields depends on the fetch URL.
        "names_own_url": metadata.names_own_url,
    }
