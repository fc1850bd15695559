"""URLs from every discovery source: each non-http(s) one ends as one `unsupported_url`
quarantine row, never an article, and every stored URL is in its canonical form."""

from __future__ import annotations

import csv
import os
import shutil
from pathlib import Path

import duckdb
import polars as pl
import pytest

from tests.conftest import REPO, SAMPLE_CORPUS
from tests.faults.pipeline import run_pipeline
from tests.transforms.ingest.fake_news_site import guard_sockets, write_warc
from transforms.ingest.discovery import discover_snapshot
from transforms.ingest.discovery_web import discover_rss, discover_urls
from transforms.ingest.fetch import fetch_all_pages
from transforms.ingest.local_files import fetch_pages
from transforms.ingest.sources import Source
from transforms.kernel.settings import Settings

HOSTILE = ["javascript:alert(document.cookie)", "data:text/html,<script>alert(1)</script>",
           "mailto:desk@news.example", "file:///etc/passwd"]
ARTICLE = "<html><head><title>{0}</title></head><body><p>{0} body text.</p></body></html>"
FEED = """<?xml version="1.0"?><rss version="2.0"><channel><title>t</title>
<item><link>javascript:alert(1)</link></item>
<item><link>https://News.Example:443/a?utm_source=rss&amp;id=1#comments</link></item>
<item><link>data:text/html,x</link></item>
</channel></rss>"""


@pytest.fixture(autouse=True)
def refused_connections(monkeypatch):
    return guard_sockets(monkeypatch)


def _manifest_folder(tmp_path: Path) -> Path:
    folder = tmp_path / "snap"
    folder.mkdir()
    rows = [("page0.html", "HTTPS://News.Example:443/a/./b?utm_medium=x&id=7#top")]
    rows += [(f"page{i}.html", url) for i, url in enumerate(HOSTILE, start=1)]
    for name, _ in rows:
        (folder / name).write_text(ARTICLE.format(name))
    with (folder / "manifest.csv").open("w", newline="") as handle:
        csv.writer(handle).writerows([("file", "url"), *rows])
    return folder


def test_manifest_urls_are_stored_canonical_and_hostile_ones_quarantined_unread(tmp_path,
                                                                               settings):
    folder = _manifest_folder(tmp_path)
    discovered = discover_snapshot(Source("snap", "snapshot", {"path": str(folder)}), settings)
    pages, quarantine = fetch_pages(discovered, "2026-01-01")
    fetched = pages.filter(pl.col("fetch_outcome") == "fetched")["url"].to_list()
    assert fetched == ["https://news.example/a/b?id=7"]
    assert sorted(quarantine["url"]) == sorted(HOSTILE)
    assert set(quarantine["reason_code"]) == {"unsupported_url"}
    assert quarantine["input_excerpt"].is_null().all()  # refused before a byte is read
    assert "javascript" in quarantine.filter(pl.col("url") == HOSTILE[0])["error_message"][0]


def test_url_lists_and_feeds_send_non_http_urls_to_quarantine_without_a_socket(
        tmp_path, settings, refused_connections):
    listing = tmp_path / "urls.txt"
    listing.write_text("\n".join(HOSTILE) + "\n")
    feed = tmp_path / "feed.rss"
    feed.write_text(FEED)
    discovered = pl.concat([
        discover_urls(Source("list", "urls", {"path": str(listing)}), settings),
        discover_rss(Source("feed", "rss", {"path": str(feed),
                                            "allowed_domains": ["other.example"]}), settings),
    ])
    # The feed's http link is outside allowed_domains; its two hostile links are kept.
    assert discovered["url"].to_list() == [*HOSTILE, "javascript:alert(1)", "data:text/html,x"]
    config = tmp_path / "sources.yml"
    config.write_text(f"sources:\n  - {{name: list, kind: urls, path: {listing}}}\n"
                      f"  - {{name: feed, kind: rss, path: {feed}}}\n")
    run_settings = Settings.from_env({**os.environ, "CLAIMLEDGER_SOURCES": str(config),
                                      "CLAIMLEDGER_WAREHOUSE_DIR": str(tmp_path / "wh")})
    pages, quarantine = fetch_all_pages(discovered, "2026-01-01", run_settings)
    assert pages["fetch_outcome"].to_list() == ["quarantined"] * discovered.height
    assert quarantine["reason_code"].to_list() == ["unsupported_url"] * discovered.height
    assert refused_connections == []


def _run_corpus(tmp_path: Path) -> tuple[Path, list[str]]:
    """The sample corpus with hostile and non-canonical manifest URLs, and extra pages."""
    corpus = tmp_path / "corpus"
    shutil.copytree(SAMPLE_CORPUS, corpus)
    with (corpus / "manifest.csv").open(newline="") as handle:
        rows = list(csv.DictReader(handle))
    canonical = rows[0]["url"]
    host_end = canonical.index("/", len("https://"))
    rows[0]["url"] = (canonical[:host_end].upper().replace("HTTPS", "https") + ":443"
                      + canonical[host_end:] + "?utm_source=feed&fbclid=1#comments")
    for index, url in enumerate(HOSTILE):
        name = f"hostile_{index}.html"
        shutil.copy(corpus / rows[1]["file"], corpus / name)
        rows.append({"file": name, "url": url, "source_name": "hostile"})
    with (corpus / "manifest.csv").open("w", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=["file", "url", "source_name"])
        writer.writeheader()
        writer.writerows(rows)
    return corpus, [canonical]


def test_a_run_fetches_and_loads_only_canonical_http_urls_and_quarantines_the_rest(tmp_path):
    corpus, canonical = _run_corpus(tmp_path)
    warcs = tmp_path / "warcs"
    warcs.mkdir()
    write_warc(warcs / "crawl.warc", compressed=False)
    (warcs / "passwd.warc").symlink_to("/etc/passwd")
    listing = tmp_path / "urls.txt"
    listing.write_text("\n".join(HOSTILE) + "\n")
    config = tmp_path / "sources.yml"
    config.write_text(f"sources:\n  - {{name: sample, kind: snapshot, path: {corpus}}}\n"
                      f"  - {{name: crawl, kind: warc, path: {warcs}}}\n"
                      f"  - {{name: list, kind: urls, path: {listing}}}\n")
    settings = Settings.from_env({"CLAIMLEDGER_HOME": str(REPO),
                                  "CLAIMLEDGER_SOURCES": str(config),
                                  "CLAIMLEDGER_WAREHOUSE_DIR": str(tmp_path / "warehouse")})
    run_pipeline(settings, "2026-03-02", "urls-run")
    with duckdb.connect(str(settings.build_db), read_only=True) as con:
        reasons = con.execute("select url, reason_code, input_excerpt from raw.quarantine "
                              "where stage = 'fetch' order by url").fetchall()
        # Refused rows stay in raw.pages as the archive's record of the URL, bodiless.
        page_urls = [u for (u,) in con.execute(
            "select url from raw.pages where fetch_outcome = 'fetched'").fetchall()]
        refused_pages = con.execute("select url, byte_count from raw.pages "
                                    "where fetch_outcome = 'quarantined'").fetchall()
        article_urls = con.execute("select url, canonical_url from raw.articles").fetchall()
    unsupported = [(u, e) for u, code, e in reasons if code == "unsupported_url"]
    # Each hostile URL once: the manifest's and the list's copies are one URL (first wins).
    assert sorted(u for u, _ in unsupported) == sorted(HOSTILE)
    assert all(excerpt is None for _, excerpt in unsupported)
    assert [(u, code) for u, code, _ in reasons if code == "unsafe_path"] == \
        [("warc://crawl/passwd.warc", "unsafe_path")]
    assert {u for u, _ in refused_pages} >= set(HOSTILE)
    assert all(count == 0 for _, count in refused_pages)
    stored = page_urls + [u for pair in article_urls for u in pair]
    assert all(u.startswith(("https://", "http://", "snapshot://")) for u in stored), stored
    assert canonical[0] in page_urls
    assert {"https://news.example/a", "https://news.example/b"} <= set(page_urls)
    assert not any("utm_" in u or "#" in u or ":443" in u for u in stored)
    assert len(article_urls) >= 5  # the sample's articles and the WARC's pages load
