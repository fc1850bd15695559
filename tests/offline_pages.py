"""Checks that a generated HTML page is whole offline: what it loads, and how it renders.

`resource_references(html)` lists what a page loads (scripts, stylesheets, images,
frames; not the links a person clicks). `assert_loads_only_local_files(page)` fails on
any http(s) reference and on a local one that does not exist. `probe_page(...)` opens a
copy of the page in headless Chromium with the network off (every host unresolvable,
a dead proxy) in a 1400 px window, and returns what a probe script read there: loaded
resources, style sheets, computed styles, the page's scroll width, console lines.
"""

from __future__ import annotations

import json
import re
import shutil
import subprocess
import tempfile
from dataclasses import dataclass
from html import unescape
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import unquote, urlsplit

# Element -> the attributes through which it loads something when the page opens.
LOADING_ATTRS = {"script": ("src",), "link": ("href",), "img": ("src", "srcset"),
                 "iframe": ("src",), "source": ("src", "srcset"), "video": ("src", "poster"),
                 "audio": ("src",), "embed": ("src",), "object": ("data",),
                 "image": ("href", "xlink:href"), "use": ("href", "xlink:href")}
NETWORK_OFF = ["--host-resolver-rules=MAP * ~NOTFOUND", "--proxy-server=http://127.0.0.1:9",
               "--disable-background-networking", "--disable-component-update",
               "--disable-sync", "--no-first-run", "--disable-quic"]
CONSOLE_LINE = re.compile(r":CONSOLE[:(]|Failed to load resource|ERR_[A-Z_]+")
WINDOW_WIDTH = 1400


class _Loads(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.found: list[tuple[str, str]] = []

    def handle_starttag(self, tag, attrs):
        for name, value in attrs:
            if name in LOADING_ATTRS.get(tag, ()) and value:
                urls = ([part.strip().split()[0] for part in value.split(",") if part.strip()]
                        if name == "srcset" else [value.strip()])
                self.found += [(tag, url) for url in urls]

    handle_startendtag = handle_starttag


def resource_references(html: str) -> list[tuple[str, str]]:
    """(element, URL) of everything the page loads on open."""
    parser = _Loads()
    parser.feed(html)
    return parser.found


def is_remote(url: str) -> bool:
    return url.lower().startswith(("http:", "https:", "//"))


def assert_loads_only_local_files(page: Path, *, local_files_exist: bool = True) -> int:
    """Fail on a remote reference or a missing local file; return how many were checked.

    local_files_exist=False checks only that nothing is remote (a page we do not write,
    whose own broken local links are its maker's: dbt's docs page names a favicon path
    left from its build).
    """
    references = resource_references(page.read_text(encoding="utf-8"))
    remote = [(tag, url) for tag, url in references if is_remote(url)]
    assert not remote, f"{page} loads from the network: {remote}"
    if not local_files_exist:
        return len(references)
    missing = []
    for tag, url in references:
        parts = urlsplit(url)
        if parts.scheme in ("data", "blob") or not parts.path:
            continue  # inline data, or a fragment of this page
        target = (Path(unquote(parts.path)) if parts.scheme == "file"
                  else page.parent / unquote(parts.path))
        if not target.is_file():
            missing.append((tag, url))
    assert not missing, f"{page} references files that do not exist: {missing}"
    return len(references)


PROBE = """<script>(function () {
  const styles = {};
  for (const [name, selector, property, pseudo] of %(checks)s) {
    const element = document.querySelector(selector);
    styles[name] = element ? getComputedStyle(element, pseudo || null)
      .getPropertyValue(property) : null;
  }
  const counts = {};
  for (const [name, selector] of %(counts)s) {
    counts[name] = document.querySelectorAll(selector).length;
  }
  const report = {
    // Resource Timing leaves file:// loads out: list the elements' resolved URLs.
    resources: [].concat(
      Array.from(document.scripts).map(s => s.src).filter(Boolean),
      Array.from(document.querySelectorAll('link[href]')).map(l => l.href),
      Array.from(document.images).map(i => i.currentSrc || i.src)),
    sheets: Array.from(document.styleSheets).map(s => s.href || 'inline'),
    scroll_width: document.documentElement.scrollWidth,
    window_width: window.innerWidth,
    styles: styles, counts: counts,
  };
  const out = document.createElement('pre');
  out.id = 'offline-probe';
  out.textContent = JSON.stringify(report);
  document.body.appendChild(out);
})();</script>"""


@dataclass(frozen=True)
class Probed:
    """What the probe read in the browser, and the console lines Chromium logged."""

    resources: list[str]
    sheets: list[str]
    scroll_width: int
    window_width: int
    styles: dict[str, str | None]
    counts: dict[str, int]
    console: list[str]


def probe_page(chromium: str, page: Path, *, site: Path | None = None,
               styles: list[tuple] = (), counts: list[tuple] = ()) -> Probed:
    """Open a copy of `page` (and of its `site` folder, when it has one) with the probe.

    styles: (name, CSS selector, property[, pseudo-element]) computed after the page's
    own scripts ran; counts: (name, CSS selector) elements counted then. A page whose
    Content-Security-Policy forbids scripts gets the probe, and only it, allowed in the
    copy: the page's own behaviour under its policy is what the other tests check.
    """
    with tempfile.TemporaryDirectory() as tmp:
        tmp_path = Path(tmp)
        if site is not None:
            copy_root = tmp_path / "site"
            shutil.copytree(site, copy_root)
            copy = copy_root / page.relative_to(site)
        else:
            copy = tmp_path / page.name
            shutil.copy(page, copy)
        html = copy.read_text(encoding="utf-8")
        html = html.replace("default-src 'none';",
                            "default-src 'none'; script-src 'unsafe-inline';")
        probe = PROBE % {"checks": json.dumps([list(c) + [None] * (4 - len(c))
                                               for c in styles]),
                         "counts": json.dumps([list(c) for c in counts])}
        closing = html.lower().rfind("</body>")
        html = html[:closing] + probe + html[closing:] if closing >= 0 else html + probe
        copy.write_text(html, encoding="utf-8")
        profile = tmp_path / "profile"
        done = subprocess.run(
            [chromium, "--headless", "--no-sandbox", "--disable-gpu", *NETWORK_OFF,
             f"--window-size={WINDOW_WIDTH},900", f"--user-data-dir={profile}",
             "--enable-logging=stderr", "--v=0", "--virtual-time-budget=5000",
             "--dump-dom", copy.as_uri()],
            capture_output=True, text=True, timeout=120, check=False)
    assert done.returncode == 0, done.stderr[-3000:]
    found = re.search(r'<pre id="offline-probe">(.*?)</pre>', done.stdout, flags=re.S)
    assert found, f"the probe did not run in {page}: {done.stderr[-2000:]}"
    report = json.loads(unescape(found.group(1)))
    console = [line for line in done.stderr.splitlines() if CONSOLE_LINE.search(line)]
    return Probed(console=console, **report)
