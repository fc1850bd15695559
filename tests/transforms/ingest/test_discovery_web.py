"""Discovery of the web kinds (rss, sitemap, urls, warc) against a fake site on 127.0.0.1."""

from __future__ import annotations

import gzip

import polars as pl
import pytest

from tests.transforms.ingest.fake_news_site import (
    PAGES_SITEMAP,
    guard_sockets,
    local_site,
    requested_paths,
    reset_site,
    serve_news_site,
    write_warc,
)
from transforms.ingest.decoding import decode_body
from transforms.ingest.discovery_web import (
    discover_rss,
    discover_sitemap,
    discover_urls,
    discover_warc,
)
from transforms.ingest.pages import FetchRejected
from transforms.ingest.sources import DISCOVERED_SCHEMA, Source
from transforms.ingest.warc import read_warc_record

LOCAL = {"allow_private_addresses": True, "min_delay_seconds": 0}


@pytest.fixture(autouse=True)
def refused_connections(monkeypatch):
    return guard_sockets(monkeypatch)


@pytest.fixture(scope="module")
def server():
    with local_site() as running:
        yield running


@pytest.fixture
def site(server):
    reset_site(server)
    yield server
    reset_site(server)


def source(kind: str, **options) -> Source:
    return Source(name="fake", kind=kind, options={**LOCAL, **options})


def test_discover_rss_lists_item_links_normalised_and_filtered(site, settings):
    base = serve_news_site(site)
    everything = discover_rss(source("rss", url=f"{base}/feed.rss"), settings)
    assert everything.schema == pl.Schema(DISCOVERED_SCHEMA)
    assert everything["url"].to_list() == [f"{base}/news/one", f"{base}/news/two",
                                           "https://elsewhere.invalid/x"]
    assert everything["location"].to_list() == everything["url"].to_list()
    assert set(everything["source_kind"]) == {"rss"}
    on_site = discover_rss(source("rss", url=f"{base}/feed.rss", allowed_domains=["127.0.0.1"],
                                  max_items=1), settings)
    assert on_site["url"].to_list() == [f"{base}/news/one"]


def test_discover_atom_takes_alternate_links_and_skips_other_languages(site, settings):
    base = serve_news_site(site)
    found = discover_rss(source("rss", url=f"{base}/feed.atom", language="en"), settings)
    assert found["url"].to_list() == [f"{base}/news/one", f"{base}/news/three"]


def test_discover_sitemap_from_a_site_root_follows_robots_and_the_index(site, settings):
    base = serve_news_site(site)
    found = discover_sitemap(source("sitemap", url=f"{base}/", language="en"), settings)
    assert found["url"].to_list() == [f"{base}/news/one", f"{base}/news/two",
                                      f"{base}/news/three"]
    paths = requested_paths(site)
    assert paths.count("/sitemap_index.xml") == 1  # the index lists itself: read once
    assert not any(p.startswith("/news/") for p in paths)  # discovery fetches no articles


@pytest.mark.parametrize(("limits", "expected_reads"), [
    ({"max_sitemap_depth": 0}, ["/sitemap_index.xml"]),
    ({"max_sitemaps": 2}, ["/sitemap_index.xml", "/sitemap_news.xml"]),
])
def test_discover_sitemap_recursion_is_bounded(site, settings, limits, expected_reads):
    base = serve_news_site(site)
    discover_sitemap(source("sitemap", url=f"{base}/sitemap_index.xml", **limits), settings)
    assert [p for p in requested_paths(site) if p.startswith("/sitemap")] == expected_reads


def test_discover_sitemap_reads_a_gzipped_sitemap(site, settings):
    base = serve_news_site(site)
    site.expect_request("/sitemap.xml.gz").respond_with_data(
        gzip.compress(PAGES_SITEMAP.format(base=base).encode()), content_type="application/gzip")
    found = discover_sitemap(source("sitemap", url=f"{base}/sitemap.xml.gz"), settings)
    assert found["url"].to_list() == [f"{base}/news/two", f"{base}/news/three"]


def test_unreadable_feed_gives_no_rows_not_an_exception(site, settings):
    base = serve_news_site(site)
    missing = discover_rss(source("rss", url=f"{base}/no-such-feed"), settings)
    private = discover_rss(Source("fake", "rss", {"url": f"{base}/feed.rss"}), settings)
    assert missing.height == 0 and private.height == 0  # 404; loopback not allowed
    assert "/feed.rss" not in requested_paths(site)


def test_feed_entities_are_not_expanded(tmp_path, settings):
    feed = tmp_path / "feed.xml"
    feed.write_text("""<?xml version="1.0"?>
<!DOCTYPE rss [<!ENTITY xxe SYSTEM "file:///etc/passwd">
  <!ENTITY lol "lollollollollollollol"><!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;">]>
<rss version="2.0"><channel>
<item><link>https://news.example/a/&xxe;</link></item>
<item><link>https://news.example/b/&lol2;</link></item>
<item><link>https://news.example/c</link></item>
</channel></rss>""")
    urls = discover_rss(source("rss", path=str(feed)), settings)["url"].to_list()
    assert "https://news.example/c" in urls
    assert not any("root" in u or "lollol" in u for u in urls)


def test_discover_urls_reads_a_list_with_comments(tmp_path, settings):
    listing = tmp_path / "urls.txt"
    listing.write_text("# today's picks\nhttps://news.example/a?utm_medium=x\n\n"
                       "  https://news.example/b   # via newsletter\nftp://news.example/c\n"
                       "https://news.example/a\nhttps://other.example/d\n")
    found = discover_urls(source("urls", path=str(listing), allowed_domains=["news.example"]),
                          settings)
    # The ftp: line stays, whatever allowed_domains says, for the fetch to quarantine it.
    assert found["url"].to_list() == ["https://news.example/a", "https://news.example/b",
                                      "ftp://news.example/c"]


def test_discover_urls_over_http(site, settings):
    base = serve_news_site(site)
    site.expect_request("/list.txt").respond_with_data("/news/one\n# no\n/news/two\n",
                                                       content_type="text/plain")
    found = discover_urls(source("urls", url=f"{base}/list.txt"), settings)
    assert found["url"].to_list() == [f"{base}/news/one", f"{base}/news/two"]


@pytest.mark.parametrize("compressed", [False, True])
def test_discover_warc_lists_html_responses_and_reads_them_back(tmp_path, settings, compressed):
    archive = tmp_path / ("crawl.warc.gz" if compressed else "crawl.warc")
    write_warc(archive, compressed)
    found = discover_warc(source("warc", path=str(archive)), settings)
    assert found["url"].to_list() == ["https://news.example/a", "https://news.example/b"]
    assert all(loc.startswith(f"warc://{archive}#") for loc in found["location"])
    texts = [decode_body(read_warc_record(loc, archive)) for loc in found["location"]]
    assert "12 percent" in texts[0] and "13 percent" in texts[1]
    folder = discover_warc(source("warc", path=str(tmp_path)), settings)
    assert folder["location"].to_list() == found["location"].to_list()


def test_read_warc_record_refuses_a_bad_location_or_an_oversized_body(tmp_path, settings):
    archive = tmp_path / "crawl.warc"
    write_warc(archive, compressed=False)
    location = discover_warc(source("warc", path=str(archive)), settings)["location"][0]
    with pytest.raises(FetchRejected) as too_big:
        read_warc_record(location, archive, max_bytes=10)
    with pytest.raises(FetchRejected) as missing:
        read_warc_record(f"warc://{tmp_path}/none.warc#0", tmp_path)
    with pytest.raises(FetchRejected) as malformed:
        read_warc_record(f"warc://{archive}", tmp_path)
    assert (too_big.value.reason_code, missing.value.reason_code,
            malformed.value.reason_code) == ("too_large", "fetch_error", "fetch_error")
