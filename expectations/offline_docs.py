"""Data Docs that render offline: the pages' CDN files replaced by vendored copies.

GX's templates load Bootstrap, jQuery, bootstrap-table, Font Awesome and more from CDNs,
so a site opened without a network shows unstyled pages and an empty index (its tables
are filled by bootstrap-table's script). `localize_site(docs_dir)` copies
data_docs_assets/ into the site's static/vendor/ and points every page's scripts,
stylesheets and images at those copies by relative path (manifest.yml maps each URL);
a remote one the manifest does not know is removed and returned, so no page reaches
the network. GX's own static/ files are linked from the site root too. Links a person
clicks (<a href>) stay as they are.
"""

from __future__ import annotations

import os
import re
import shutil
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import yaml

ASSETS_DIR = Path(__file__).with_name("data_docs_assets")
MANIFEST = ASSETS_DIR / "manifest.yml"
VENDOR_DIR = "static/vendor"  # inside the site, beside GX's own static/styles

# A script element that loads a file, a stylesheet/icon link, an image.
SCRIPT_ELEMENT = re.compile(r"<script\b[^>]*\bsrc\s*=[^>]*>\s*</script>", re.I)
LINK_OR_IMG = re.compile(r"<(?:link|img)\b[^>]*>", re.I)
URL_ATTR = re.compile(r"""\b(src|href)\s*=\s*(["'])([^"']*)\2""", re.I)
# SRI and CORS attributes: a file:// load with crossorigin fails in Chromium (an opaque
# origin), and the integrity of the copies is checked by the tests instead.
SRI_ATTR = re.compile(r"""\s(?:integrity|crossorigin)(?:\s*=\s*(?:"[^"]*"|'[^']*'|[^\s>]+))?""",
                      re.I)


@dataclass(frozen=True)
class Manifest:
    """local: URL (without query) → path inside the site; dropped: URLs removed outright."""

    local: dict[str, str]
    dropped: frozenset[str]


@cache
def load_manifest(path: Path = MANIFEST) -> Manifest:
    spec = yaml.safe_load(path.read_text(encoding="utf-8"))
    local = {entry["url"]: entry.get("site") or f"{VENDOR_DIR}/{entry['file']}"
             for entry in spec["assets"]}
    return Manifest(local, frozenset(spec.get("dropped") or ()))


def is_remote(url: str) -> bool:
    """http(s) or protocol-relative: a load that leaves the machine."""
    return url.strip().lower().startswith(("http:", "https:", "//"))


def _without_query(url: str) -> str:
    parts = urlsplit(url.strip())
    return urlunsplit((parts.scheme, parts.netloc, parts.path, "", ""))


def localize_page(html: str, root: str, manifest: Manifest | None = None,
                  unknown: set[str] | None = None) -> str:
    """The page with each remote script/stylesheet/image pointed at its vendored copy.

    root: the relative path from the page's folder to the site root ("." or "../..").
    A remote URL the manifest maps nowhere is removed with its element and added to
    `unknown` (the dropped ones too, silently).
    """
    manifest = manifest or load_manifest()

    def rewrite(match: re.Match) -> str:
        element = match.group(0)
        attr = URL_ATTR.search(element)
        if not attr:
            return element
        if not is_remote(attr.group(3)):
            # GX links its own static/ files by a relative path that is one folder short
            # on validation pages (the favicon); every static/ file sits at the site root.
            path = attr.group(3)
            at = path.find("static/")
            if at < 0 or not set(path[:at]) <= {".", "/"}:
                return element
            return element[:attr.start(3)] + f"{root}/{path[at:]}" + element[attr.end(3):]
        url = _without_query(attr.group(3))
        if url not in manifest.local:
            if unknown is not None and url not in manifest.dropped:
                unknown.add(url)
            return ""
        local = f"{root}/{manifest.local[url]}"
        element = (element[:attr.start(3)] + local + element[attr.end(3):])
        return SRI_ATTR.sub("", element)

    return LINK_OR_IMG.sub(rewrite, SCRIPT_ELEMENT.sub(rewrite, html))


def localize_site(docs_dir: Path) -> list[str]:
    """Vendor the assets into `docs_dir` and rewrite its pages; return unknown URLs removed."""
    docs_dir = Path(docs_dir)
    manifest = load_manifest()
    target = docs_dir / VENDOR_DIR
    shutil.rmtree(target, ignore_errors=True)
    shutil.copytree(ASSETS_DIR, target, ignore=shutil.ignore_patterns(MANIFEST.name))
    unknown: set[str] = set()
    for page in sorted(docs_dir.rglob("*.html")):
        text = page.read_text(encoding="utf-8")
        root = Path(os.path.relpath(docs_dir, page.parent)).as_posix()
        localized = localize_page(text, root, manifest, unknown)
        if localized != text:
            page.write_text(localized, encoding="utf-8")
    return sorted(unknown)
