"""Data Docs render offline: vendored CDN files, no remote load, styled in a browser."""

from __future__ import annotations

import base64
import hashlib
import re

import pytest
import yaml

from expectations.offline_docs import ASSETS_DIR, MANIFEST, load_manifest, localize_page
from tests.expectations.test_runner import good_rows, run
from tests.offline_pages import assert_loads_only_local_files, probe_page, resource_references

CDN_PAGE = """<html><head>
<link rel="stylesheet" href="https://maxcdn.bootstrapcdn.com/bootstrap/4.3.1/css/bootstrap.min.css">
<script src="https://stackpath.bootstrapcdn.com/bootstrap/4.3.1/js/bootstrap.min.js"
 integrity="sha384-JjSmVgyd0p3pXB1rRibZUAYoIIy6OrQ6VrjIEaFf/nJGzIxFDsf4x0xIM+B07jRM"
 crossorigin="anonymous"></script>
<script src="https://cdn.jsdelivr.net/npm/vega@5"></script>
<script src="https://cdn.example.net/new-in-a-gx-upgrade.js"></script>
<link rel="icon" href="../static/images/favicon.ico">
</head><body>
<img src="https://great-expectations-web-assets.s3.us-east-2.amazonaws.com/logo-long.png?d=1">
<a href="https://greatexpectations.io">GX</a>
<script>$('#t').bootstrapTable({});</script>
</body></html>"""


def test_every_vendored_file_exists_and_pinned_ones_match_gxs_integrity_hashes():
    spec = yaml.safe_load(MANIFEST.read_text(encoding="utf-8"))
    for entry in spec["assets"]:
        if "file" not in entry:
            continue
        path = ASSETS_DIR / entry["file"]
        assert path.is_file(), entry
        if "sha384" in entry:
            digest = base64.b64encode(hashlib.sha384(path.read_bytes()).digest()).decode()
            assert digest == entry["sha384"], f"{path} is not the file GX pins"


def test_font_awesome_finds_every_woff2_font_its_stylesheet_names():
    css = (ASSETS_DIR / "fontawesome-free-6.6.0" / "css" / "all.min.css").read_text()
    fonts = set(re.findall(r"url\(\.\./webfonts/([\w.-]+\.woff2)\)", css))
    assert fonts, "no woff2 fonts named"
    for font in fonts:
        assert (ASSETS_DIR / "fontawesome-free-6.6.0" / "webfonts" / font).is_file(), font


def test_a_page_is_pointed_at_the_local_copies_and_unknown_remote_loads_are_removed():
    unknown: set[str] = set()
    page = localize_page(CDN_PAGE, "../..", unknown=unknown)
    loads = [url for _, url in resource_references(page)]
    assert loads == ["../../static/vendor/bootstrap-4.3.1/bootstrap.min.css",
                     "../../static/vendor/bootstrap-4.3.1/bootstrap.min.js",
                     "../../static/images/favicon.ico",  # GX's link is a folder short
                     "../../static/images/logo-long.png"]
    assert unknown == {"https://cdn.example.net/new-in-a-gx-upgrade.js"}
    assert "integrity" not in page and "crossorigin" not in page  # file:// + CORS fails
    assert '<a href="https://greatexpectations.io">' in page  # links a person clicks stay
    assert "bootstrapTable" in page  # inline scripts stay
    assert localize_page(page, "../..", load_manifest()) == page


@pytest.fixture(scope="module")
def site(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("offline-docs")
    _, outcome = run(tmp, good_rows())
    assert outcome.docs_index is not None
    return outcome.docs_index.parent


def _pages(site):
    pages = sorted(site.rglob("*.html"))
    assert len(pages) >= 5  # the index, and per mart an expectation and a validation page
    return pages


def test_no_data_docs_page_loads_anything_from_the_network(site):
    for page in _pages(site):
        assert assert_loads_only_local_files(page) > 5, page


def test_no_data_docs_page_draws_a_chart_that_needs_the_dropped_vega_files(site):
    # Vega is not vendored (manifest.yml `dropped`): an expectation whose Data Docs
    # draw a chart would render without it. Vendor it before adding one.
    for page in _pages(site):
        assert "vegaEmbed(" not in page.read_text(encoding="utf-8"), page


BOOTSTRAP_STYLES = [
    ("row display", ".row", "display"),  # flex from Bootstrap 4 (a div is block without)
    ("row margin", ".row", "margin-left"),
    ("icon font", ".fas", "font-family", "::before"),  # Font Awesome's own font
    ("icon glyph", ".fas", "content", "::before"),
]


@pytest.mark.parametrize("which", ["index.html", "validations"])
def test_data_docs_pages_are_styled_and_complete_in_a_browser_with_the_network_off(
        site, chromium, which):
    page = (site / which if which == "index.html"
            else sorted((site / which).rglob("*.html"))[0])
    probed = probe_page(chromium, page, site=site, styles=BOOTSTRAP_STYLES,
                        counts=[("built tables", ".bootstrap-table"),
                                ("table rows", "table tbody tr"),
                                ("success icons", ".fa-check-circle")])
    assert probed.console == []  # nothing failed to load, no script error
    assert all(url.startswith("file://") for url in probed.resources), probed.resources
    assert len(probed.resources) >= 8  # Bootstrap, jQuery, bootstrap-table, icons, ...
    assert sum(sheet.startswith("file://") for sheet in probed.sheets) >= 6
    assert probed.styles["row display"] == "flex"
    assert probed.styles["row margin"] == "-15px"
    assert "Font Awesome 6 Free" in probed.styles["icon font"]
    assert probed.styles["icon glyph"] not in (None, "", "none", "normal")
    assert probed.counts["success icons"] > 0
    if which == "index.html":
        # The index's validation list exists only once bootstrap-table's script ran.
        assert probed.counts["built tables"] >= 1 and probed.counts["table rows"] >= 4
    else:
        assert probed.counts["table rows"] >= 4
