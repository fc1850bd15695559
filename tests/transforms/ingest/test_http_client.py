"""The polite, guarded HTTP fetcher against a real server on 127.0.0.1.

Every hostile case must end as a FetchResult with a specific reason code, never an
exception, and no test may open a connection to any address but 127.0.0.1.
"""

from __future__ import annotations

import gzip
import itertools
import socket
import threading
import time
from dataclasses import replace

import httpcore
import polars as pl
import pytest
from werkzeug import Request, Response

from tests.transforms.ingest.fake_news_site import (
    ARTICLE,
    base_url,
    guard_sockets,
    local_site,
    requested_paths,
    reset_site,
    serve_news_site,
    timed_handler,
    write_warc,
)
from transforms.ingest.decoding import decode_http_body
from transforms.ingest.discovery import discover
from transforms.ingest.fetch import fetch_all_pages
from transforms.ingest.http_client import (
    FetchPolicy,
    FetchState,
    fetch_http_pages,
    fetch_url,
    quarantine_reason,
)
from transforms.ingest.http_guard import PinnedBackend, address_category
from transforms.ingest.pages import HTTP_PAGES_SCHEMA, FetchRejected
from transforms.ingest.robots import parse_robots
from transforms.kernel.quarantine import reason_vocabulary
from transforms.kernel.settings import Settings

HTML = "text/html; charset=utf-8"


@pytest.fixture(autouse=True)
def refused_connections(monkeypatch):
    return guard_sockets(monkeypatch)


@pytest.fixture(scope="module")
def server():
    with local_site() as running:  # one server per module: stopping one takes 0.5 s
        yield running


@pytest.fixture
def site(server):
    reset_site(server)
    yield server
    reset_site(server)


def policy(**changes) -> FetchPolicy:
    """Fast limits for tests; 127.0.0.1 needs allow_private_addresses."""
    fast = FetchPolicy(allow_private_addresses=True, min_host_delay_s=0.0, backoff_base_s=0.05,
                       connect_timeout_s=1.0, read_timeout_s=2.0, total_timeout_s=5.0)
    return replace(fast, **changes)


def counting(responses: list[Response]):
    """A handler answering with `responses` in turn (the last one repeats)."""
    calls: list[float] = []

    def handle(request: Request) -> Response:
        calls.append(time.monotonic())
        return responses[min(len(calls), len(responses)) - 1]
    return handle, calls


def test_policy_from_source_options_ignores_other_keys():
    built = FetchPolicy.from_options({"url": "https://x.example/feed", "min_delay_seconds": 2,
                                      "allowed_domains": ".Example.com", "max_body_bytes": 1000,
                                      "allow_private_addresses": True})
    assert (built.min_host_delay_s, built.allowed_domains, built.max_body_bytes) == (
        2.0, ("example.com",), 1000)
    assert built.allow_private_addresses and not FetchPolicy().allow_private_addresses


def test_fetch_url_reads_a_page_with_its_validators(site):
    site.expect_request("/news/a").respond_with_data(
        ARTICLE.format(title="A"), content_type=HTML,
        headers={"ETag": '"v1"', "Last-Modified": "Mon, 23 Nov 2026 10:00:00 GMT"})
    result = fetch_url(base_url(site) + "/news/a?utm_source=x", policy=policy())
    assert (result.outcome, result.status, result.reason_code) == ("fetched", 200, None)
    assert b"soybeans" in result.body
    assert result.final_url == base_url(site) + "/news/a"  # tracking parameter dropped
    assert (result.etag, result.last_modified) == ('"v1"', "Mon, 23 Nov 2026 10:00:00 GMT")
    request = site.log[-1][0]
    assert request.headers["User-Agent"].startswith("claimledger/")


def test_conditional_refetch_gives_unchanged_on_304(site):
    def handle(request: Request) -> Response:
        if request.headers.get("If-None-Match") == '"v1"':
            return Response(status=304, headers={"ETag": '"v1"'})
        return Response(ARTICLE.format(title="A"), content_type=HTML, headers={"ETag": '"v1"'})
    site.expect_request("/news/a").respond_with_handler(handle)
    url = base_url(site) + "/news/a"
    first = fetch_url(url, policy=policy())
    again = fetch_url(url, policy=policy(), validators={"etag": first.etag,
                                                        "last_modified": None})
    assert (first.outcome, again.outcome, again.status, again.body) == (
        "fetched", "unchanged", 304, None)
    assert again.etag == '"v1"'


def test_robots_disallowed_url_is_never_requested(site):
    base = serve_news_site(site)
    site.expect_request("/private/open-letter").respond_with_data(
        ARTICLE.format(title="Letter"), content_type=HTML)
    with FetchState() as state:
        secret = fetch_url(base + "/private/secret", policy=policy(), state=state)
        pdf = fetch_url(base + "/files/report.pdf", policy=policy(), state=state)
        letter = fetch_url(base + "/private/open-letter", policy=policy(), state=state)
    assert (secret.outcome, secret.reason_code) == ("quarantined", "robots_disallowed")
    assert pdf.reason_code == "robots_disallowed"
    assert letter.outcome == "fetched"  # the longer Allow beats the Disallow
    paths = requested_paths(site)
    assert "/private/secret" not in paths and "/files/report.pdf" not in paths
    assert paths.count("/robots.txt") == 1  # cached per host for the run


def test_unreachable_robots_means_disallow_everything(site):
    site.expect_request("/robots.txt").respond_with_data("down", status=503)
    site.expect_request("/news/a").respond_with_data(ARTICLE.format(title="A"), content_type=HTML)
    result = fetch_url(base_url(site) + "/news/a", policy=policy(max_retries=1))
    assert result.reason_code == "robots_disallowed"
    assert "/news/a" not in requested_paths(site)


def test_429_with_retry_after_is_waited_out_then_fetched(site):
    handle, calls = counting([
        Response("slow down", status=429, headers={"Retry-After": "1"}),
        Response(ARTICLE.format(title="A"), content_type=HTML)])
    site.expect_request("/news/a").respond_with_handler(handle)
    result = fetch_url(base_url(site) + "/news/a", policy=policy())
    assert (result.outcome, result.status) == ("fetched", 200)
    assert len(calls) == 2 and calls[1] - calls[0] >= 0.9


def test_retry_after_beyond_the_cap_gives_up_without_waiting(site):
    handle, calls = counting([Response("later", status=429, headers={"Retry-After": "3600"})])
    site.expect_request("/news/a").respond_with_handler(handle)
    started = time.monotonic()
    result = fetch_url(base_url(site) + "/news/a", policy=policy())
    assert (result.reason_code, result.status) == ("http_error", 429)
    assert len(calls) == 1 and time.monotonic() - started < 2


def test_500_then_200_is_retried_and_persistent_503_gives_up(site):
    flaky, flaky_calls = counting([Response("oops", status=500),
                                   Response(ARTICLE.format(title="A"), content_type=HTML)])
    down, down_calls = counting([Response("down", status=503)])
    site.expect_request("/flaky").respond_with_handler(flaky)
    site.expect_request("/down").respond_with_handler(down)
    assert fetch_url(base_url(site) + "/flaky", policy=policy()).outcome == "fetched"
    failed = fetch_url(base_url(site) + "/down", policy=policy(max_retries=2))
    assert (failed.reason_code, failed.status) == ("http_error", 503)
    assert (len(flaky_calls), len(down_calls)) == (2, 3)  # bounded: 1 try + 2 retries


def test_slow_response_past_the_timeout_is_quarantined(site):
    def slow(request: Request) -> Response:
        time.sleep(1.0)
        return Response(ARTICLE.format(title="Slow"), content_type=HTML)
    site.expect_request("/slow").respond_with_handler(slow)
    started = time.monotonic()
    result = fetch_url(base_url(site) + "/slow", policy=policy(read_timeout_s=0.3))
    assert (result.outcome, result.reason_code) == ("quarantined", "timeout")
    assert time.monotonic() - started < 0.9
    while "/slow" not in requested_paths(site) and time.monotonic() - started < 3:
        time.sleep(0.05)  # let the sleeping handler finish before the next test's log


@pytest.mark.parametrize("chunked", [False, True])
def test_body_past_the_size_cap_is_refused_while_streaming(site, chunked):
    body = "<html><body>" + "<p>word</p>" * 20_000 + "</body></html>"  # ~220 kB

    def handle(request: Request) -> Response:
        if chunked:  # no Content-Length: only the streaming count can stop it
            return Response((body[i:i + 8192] for i in range(0, len(body), 8192)),
                            content_type="text/html")
        return Response(body, content_type="text/html")
    site.expect_request("/big").respond_with_handler(handle)
    result = fetch_url(base_url(site) + "/big", policy=policy(max_body_bytes=50_000))
    assert (result.outcome, result.reason_code) == ("quarantined", "too_large")
    assert ("while streaming" in result.message) == chunked


@pytest.mark.parametrize(("limits", "trips_on"), [
    ({"max_compression_ratio": 100.0}, "ratio cap"),
    ({"max_compression_ratio": 1e9, "max_decoded_bytes": 2_000_000}, "byte cap"),
])
def test_gzip_bomb_is_refused(site, limits, trips_on):
    bomb = gzip.compress(b"<html>" + b" " * 8_000_000, compresslevel=9)  # ~8 kB → 8 MB
    site.expect_request("/bomb").respond_with_data(
        bomb, content_type="text/html", headers={"Content-Encoding": "gzip"})
    result = fetch_url(base_url(site) + "/bomb", policy=policy(**limits))
    assert (result.outcome, result.reason_code) == ("quarantined", "decompression_bomb")
    assert trips_on in result.message


def test_gzip_page_within_limits_is_decoded(site):
    page = ARTICLE.format(title="Zipped").encode()
    site.expect_request("/zipped").respond_with_data(
        gzip.compress(page), content_type=HTML, headers={"Content-Encoding": "gzip"})
    assert fetch_url(base_url(site) + "/zipped", policy=policy()).body == page


def test_wrong_content_type_is_quarantined_as_not_html(site):
    site.expect_request("/report").respond_with_data(b"%PDF-1.7 ...",
                                                     content_type="application/pdf")
    result = fetch_url(base_url(site) + "/report", policy=policy())
    assert (result.reason_code, result.status) == ("not_html", 200)


def test_redirect_loop_and_long_chain_stop_at_the_limit(site):
    base = base_url(site)
    site.expect_request("/a").respond_with_data("", status=302, headers={"Location": "/b"})
    site.expect_request("/b").respond_with_data("", status=301, headers={"Location": f"{base}/a"})
    for hop in range(10):
        site.expect_request(f"/chain/{hop}").respond_with_data(
            "", status=307, headers={"Location": f"/chain/{hop + 1}"})
    loop = fetch_url(base + "/a", policy=policy())
    chain = fetch_url(base + "/chain/0", policy=policy(max_redirects=3))
    assert loop.reason_code == chain.reason_code == "too_many_redirects"
    paths = requested_paths(site)
    assert paths.count("/a") == 1 and paths.count("/b") == 1
    assert [p for p in paths if p.startswith("/chain/")] == [f"/chain/{i}" for i in range(4)]


def test_redirect_to_a_private_address_is_refused_before_connecting(site, refused_connections):
    site.expect_request("/go").respond_with_data(
        "", status=302, headers={"Location": "http://10.0.0.1/admin"})
    site.expect_request("/meta").respond_with_data(
        "", status=302, headers={"Location": "http://169.254.169.254/latest/meta-data/"})
    for path in ("/go", "/meta"):
        result = fetch_url(base_url(site) + path, policy=policy())
        assert (result.outcome, result.reason_code) == ("quarantined", "blocked_url")
        assert result.status == 302
    assert "10.0.0.1" in fetch_url(base_url(site) + "/go", policy=policy()).message
    assert refused_connections == []  # the guard never even saw an attempt


def test_loopback_is_refused_unless_the_source_allows_private_addresses(site):
    site.expect_request("/news/a").respond_with_data(ARTICLE.format(title="A"), content_type=HTML)
    result = fetch_url(base_url(site) + "/news/a", policy=policy(allow_private_addresses=False))
    assert result.reason_code == "blocked_url"
    assert not any(p in ("/news/a", "/robots.txt") for p in requested_paths(site))
    assert fetch_url("file:///etc/passwd", policy=policy()).reason_code == "unsupported_url"


def test_a_hostname_is_checked_on_its_resolved_address_and_pinned_to_it(site, monkeypatch,
                                                                       refused_connections):
    site.expect_request("/news/a").respond_with_data(ARTICLE.format(title="A"), content_type=HTML)
    port = site.port
    real_getaddrinfo = socket.getaddrinfo
    answers = {"fake-news.test": "127.0.0.1", "intranet.test": "10.0.0.1",
               "metadata.test": "169.254.169.254"}

    def fake_dns(host, *args, **kwargs):  # no real DNS: names map to fixed addresses
        if host in answers:
            return [(socket.AF_INET, socket.SOCK_STREAM, 6, "", (answers[host], args[0]))]
        return real_getaddrinfo(host, *args, **kwargs)
    monkeypatch.setattr(socket, "getaddrinfo", fake_dns)
    good = fetch_url(f"http://fake-news.test:{port}/news/a", policy=policy())
    # Private needs the switch; link-local (cloud metadata) is refused even with it.
    intranet = fetch_url(f"http://intranet.test:{port}/", policy=policy(
        allow_private_addresses=False))
    metadata = fetch_url(f"http://metadata.test:{port}/", policy=policy())
    assert good.outcome == "fetched"
    assert site.log[-1][0].headers["Host"] == f"fake-news.test:{port}"
    assert intranet.reason_code == metadata.reason_code == "blocked_url"
    assert refused_connections == []


def test_the_transport_refuses_a_host_that_was_not_checked(refused_connections):
    with pytest.raises(httpcore.ConnectError):
        PinnedBackend({}).connect_tcp("10.0.0.1", 80)
    assert refused_connections == []
    assert fetch_url("http://[not-a-host/", policy=policy()).outcome == "quarantined"


@pytest.mark.parametrize(("address", "category"), [
    ("8.8.8.8", "public"), ("127.0.0.1", "loopback"), ("::1", "loopback"),
    ("10.0.0.1", "private"), ("192.168.1.5", "private"), ("fd00::1", "private"),
    ("169.254.169.254", "link_local"), ("224.0.0.1", "multicast"), ("0.0.0.0", "unspecified"),
    ("240.0.0.1", "reserved"), ("::ffff:10.0.0.1", "private"), ("100.64.0.1", "reserved"),
    # IPv6 wrappers of IPv4 addresses take the wrapped address's category: 6to4 ...
    ("2002:a9fe:a9fe::", "link_local"), ("2002:7f00:1::", "loopback"),
    ("2002:c0a8:105::1", "private"), ("2002:808:808::", "public"),
    # ... NAT64's well-known prefix, and the deprecated IPv4-compatible form.
    ("64:ff9b::7f00:1", "loopback"), ("64:ff9b::a9fe:a9fe", "link_local"),
    ("64:ff9b::a00:1", "private"), ("::127.0.0.1", "loopback"), ("::a00:1", "private"),
    # Site-local (deprecated, still routed inside some networks) and NAT64 local-use.
    ("fec0::1", "private"), ("feff::1", "private"), ("64:ff9b:1::a00:1", "private"),
    ("2606:4700:4700::1111", "public"),
])
def test_address_category(address, category):
    assert address_category(address) == category


@pytest.mark.parametrize("url", [
    "http://[2002:a9fe:a9fe::]/latest/meta-data/",   # 6to4 of 169.254.169.254
    "http://[2002:7f00:1::]:8080/",                   # 6to4 of 127.0.0.1
    "http://[64:ff9b::7f00:1]/",                      # NAT64 of 127.0.0.1
    "http://[fec0::1]/",                              # site-local
    "http://[::ffff:127.0.0.1]/",                     # IPv4-mapped
    "http://2130706433/", "http://0x7f.1/", "http://0177.0.0.1/",  # 127.0.0.1 spelt oddly
    "http://evil.example@127.0.0.1/",                 # the host is 127.0.0.1, not evil
])
def test_wrapped_and_oddly_written_private_addresses_are_refused_unconnected(
        url, refused_connections):
    result = fetch_url(url, policy=policy(allow_private_addresses=False))
    assert (result.outcome, result.reason_code) == ("quarantined", "blocked_url")
    assert refused_connections == []


@pytest.mark.parametrize("url", ["javascript:alert(1)", "data:text/html,<b>x</b>",
                                 "mailto:desk@x.example", "file:///etc/passwd", "/news/a"])
def test_a_url_that_is_not_http_is_refused_as_unsupported(url, refused_connections):
    result = fetch_url(url, policy=policy())
    assert (result.outcome, result.reason_code) == ("quarantined", "unsupported_url")
    assert refused_connections == []


def test_a_redirect_to_javascript_is_refused_as_unsupported(site):
    site.expect_request("/js").respond_with_data(
        "", status=302, headers={"Location": "javascript:alert(document.cookie)"})
    site.expect_request("/mail").respond_with_data(
        "", status=301, headers={"Location": "mailto:desk@x.example"})
    for path in ("/js", "/mail"):
        result = fetch_url(base_url(site) + path, policy=policy())
        assert (result.outcome, result.reason_code) == ("quarantined", "unsupported_url")


def test_requests_to_one_host_are_spaced_across_threads_and_states(site, tmp_path):
    times: list[float] = []
    site.expect_request("/timed").respond_with_handler(timed_handler(times))
    url = base_url(site) + "/timed"
    spaced = policy(min_host_delay_s=0.2, state_dir=tmp_path / "http_state")

    def worker():
        with FetchState(spaced.state_dir) as own_state:  # like a separate process
            for _ in range(2):
                assert fetch_url(url, policy=spaced, state=own_state).outcome == "fetched"
    threads = [threading.Thread(target=worker) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=10)
    gaps = [later - earlier for earlier, later in itertools.pairwise(times)]
    assert len(times) == 4
    assert min(gaps) >= 0.17  # 0.2 s, with a little slack for timer granularity


def test_crawl_delay_of_our_group_slows_requests(site):
    times: list[float] = []
    site.expect_request("/robots.txt").respond_with_data(
        "User-agent: claimledger\nCrawl-delay: 0.3\n", content_type="text/plain")
    site.expect_request("/timed").respond_with_handler(timed_handler(times))
    with FetchState() as state:
        for _ in range(2):
            fetch_url(base_url(site) + "/timed", policy=policy(), state=state)
    assert times[1] - times[0] >= 0.27


def test_decode_http_body_decides_on_invalid_utf8():
    stray = "<p>café prices</p>".encode() + b"\xff" + b"<p>more text</p>" * 80
    text = decode_http_body(stray, "text/html; charset=utf-8")
    assert "café" in text and "\ufffd" in text  # one stray byte: kept, marked
    garbage = b"<p>" + bytes(range(0x80, 0x100)) * 4 + b"</p>"
    with pytest.raises(FetchRejected) as caught:
        decode_http_body(garbage, "text/html; charset=UTF-8")
    assert caught.value.reason_code == "undecodable"
    latin = "<p>café</p>".encode("latin-1")
    assert "café" in decode_http_body(latin, "text/html; charset=iso-8859-1")
    assert "café" in decode_http_body(latin, "text/html")  # decode_body's cp1252 fallback
    # A header charset whose decoding is not valid Unicode (unicode_escape: a lone
    # surrogate) loses to decode_body's reading, and is refused when there is none.
    escaped = b"<p>caf\xe9 \\ud800</p>"
    assert decode_http_body(escaped, "text/html; charset=unicode_escape") == \
        "<p>café \\ud800</p>"
    with pytest.raises(FetchRejected) as caught:
        decode_http_body(b"<p>" + bytes(range(0x80, 0x100)) + b" \\ud800</p>",
                         "text/html; charset=unicode_escape")
    assert caught.value.reason_code == "undecodable"


def test_fetch_http_pages_keeps_every_url_and_quarantines_with_reasons(site):
    base = serve_news_site(site)
    site.expect_request("/pdf").respond_with_data(b"%PDF-1.7", content_type="application/pdf")
    site.expect_request("/garbage").respond_with_data(
        b"<p>" + bytes(range(0x80, 0x100)) * 4 + b"</p>", content_type=HTML)
    urls = [f"{base}/news/one", f"{base}/private/x", f"{base}/pdf", f"{base}/garbage",
            f"{base}/missing"]
    discovered = pl.DataFrame({"source_name": "fake", "source_kind": "urls", "url": urls,
                               "location": urls})
    pages, quarantine = fetch_http_pages(discovered, "2026-11-24", policy=policy(), workers=2)
    assert pages.schema == pl.Schema(HTTP_PAGES_SCHEMA)
    assert pages["url"].to_list() == urls
    assert pages["fetch_outcome"].to_list() == ["fetched"] + ["quarantined"] * 4
    assert "soybeans" in pages["html"][0]
    reasons = dict(zip(quarantine["url"], quarantine["error_message"], strict=True))
    assert reasons[f"{base}/private/x"].startswith("[robots_disallowed]")
    assert reasons[f"{base}/pdf"].startswith("[not_html]")
    assert reasons[f"{base}/garbage"].startswith("[undecodable]")
    assert reasons[f"{base}/missing"].startswith("[http_error]")
    assert set(quarantine["reason_code"]) <= reason_vocabulary("quarantine_reasons")
    assert quarantine.filter(pl.col("url") == f"{base}/private/x")["reason_code"].item() == \
        quarantine_reason("robots_disallowed")


def test_fetch_http_pages_sends_stored_validators(site):
    site.expect_request("/news/a", headers={"If-None-Match": '"v7"'}).respond_with_data(
        "", status=304)
    url = base_url(site) + "/news/a"
    discovered = pl.DataFrame({"source_name": ["fake"], "source_kind": ["urls"], "url": [url],
                               "location": [url]})
    validators = pl.DataFrame({"url": [url], "etag": ['"v7"'], "last_modified": [None]},
                              schema={"url": pl.String, "etag": pl.String,
                                      "last_modified": pl.String})
    pages, quarantine = fetch_http_pages(discovered, "2026-11-24", validators=validators,
                                         policy={"fake": policy()})
    assert pages["fetch_outcome"].to_list() == ["unchanged"]
    assert pages["etag"].to_list() == ['"v7"'] and quarantine.height == 0


def test_parse_robots_groups_wildcards_and_longest_match():
    rules = parse_robots(
        "User-agent: *\nDisallow: /\n\n"
        "User-agent: ClaimLedger\nUser-agent: other\nDisallow: /search\nDisallow: /*.pdf$\n"
        "Allow: /search/about\nDisallow: /tmp*/x\nCrawl-delay: 2\n\nSitemap: https://s/x.xml\n",
        "claimledger/0.1 (+https://example.org)")
    assert rules.allows("/news/1") and rules.allows("/search/about")
    assert not rules.allows("/search?q=1") and not rules.allows("/a/b.pdf")
    assert rules.allows("/a/b.pdf?download=1")  # $ anchors the end
    assert not rules.allows("/tmp123/x") and rules.allows("/robots.txt")
    assert (rules.crawl_delay_s, rules.sitemaps) == (2.0, ("https://s/x.xml",))
    assert not parse_robots("User-agent: *\nDisallow: /\n", "claimledger/0.1").allows("/a")
    assert parse_robots("User-agent: *\nDisallow:\n", "claimledger/0.1").allows("/a")


def test_fetch_all_pages_routes_local_and_web_rows_and_keeps_their_order(site, tmp_path):
    base = serve_news_site(site)
    (tmp_path / "snap").mkdir()
    (tmp_path / "snap" / "local.html").write_text(ARTICLE.format(title="Local"))
    write_warc(tmp_path / "crawl.warc.gz", compressed=True)
    (tmp_path / "urls.txt").write_text(f"{base}/news/one\n{base}/private/x\n")
    (tmp_path / "sources.yml").write_text(f"""sources:
  - {{name: snap, kind: snapshot, path: {tmp_path / "snap"}}}
  - {{name: list, kind: urls, path: {tmp_path / "urls.txt"}, allow_private_addresses: true,
     min_delay_seconds: 0}}
  - {{name: arch, kind: warc, path: {tmp_path / "crawl.warc.gz"}}}
""")
    settings = Settings.from_env({"CLAIMLEDGER_WAREHOUSE_DIR": str(tmp_path / "warehouse"),
                                  "CLAIMLEDGER_SOURCES": str(tmp_path / "sources.yml")})
    discovered = discover(settings)
    pages, quarantine = fetch_all_pages(discovered, "2026-11-24", settings)
    assert pages["url"].to_list() == discovered["url"].to_list()
    assert pages["fetch_outcome"].to_list() == ["fetched", "fetched", "quarantined",
                                                "fetched", "fetched"]
    assert pages["http_status"].to_list() == [None, 200, None, None, None]
    assert "12 percent" in pages["html"][3]  # read back from the WARC, no network
    assert quarantine["url"].to_list() == [f"{base}/private/x"]


def test_local_pages_are_the_same_whatever_the_worker_count(tmp_path, monkeypatch):
    # 40 snapshot files (one unreadable): enough rows for the stage pool, which snapshot
    # batches no longer use (fetch_pages reads them in threads; WARC rows still go there).
    snap = tmp_path / "snap"
    snap.mkdir()
    for i in range(40):
        (snap / f"p{i:02d}.html").write_text(ARTICLE.format(title=f"Page {i}"))
    (snap / "p07.html").write_bytes(b"%PDF-1.7 not a page")
    (tmp_path / "sources.yml").write_text(f"sources:\n  - {{name: snap, kind: snapshot, "
                                          f"path: {snap}}}\n")
    settings = Settings.from_env({"CLAIMLEDGER_WAREHOUSE_DIR": str(tmp_path / "warehouse"),
                                  "CLAIMLEDGER_SOURCES": str(tmp_path / "sources.yml")})
    discovered = discover(settings)
    results = {}
    for workers in ("1", "2"):
        monkeypatch.setenv("CLAIMLEDGER_WORKERS", workers)
        pages, quarantine = fetch_all_pages(discovered, "2026-11-24", settings)
        results[workers] = (pages.drop("fetched_at"), quarantine.drop("recorded_at",
                                                                      strict=False))
    assert results["1"][0].equals(results["2"][0])
    assert results["1"][1].equals(results["2"][1])
    assert results["2"][1]["url"].to_list() == [discovered["url"][7]]
