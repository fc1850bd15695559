"""End to end over the web: the real DAG fetches a fake news site on 127.0.0.1.

A module-scoped fake site serves four article pages (the bundled corpus pages) listed
both in an RSS feed and in a sitemap, a page robots.txt forbids, and five hostile pages.
Day 1 runs the DAG; a fifth article is then added to the feed and day 2 runs it again.
The assertions read the warehouse and the server's own request log (arrival time, path
and headers of every request), so politeness is judged by what the site saw.
"""

from __future__ import annotations

import hashlib
import itertools
import threading
import time
from contextlib import closing

import duckdb
import pytest
from pytest_httpserver import HTTPServer
from werkzeug import Request, Response

from claimledger.cli import run_dag
from tests.conftest import SAMPLE_CORPUS
from tests.dag_harness import dag_env, init_airflow

pytestmark = pytest.mark.e2e

DAYS = ("2026-04-01", "2026-04-02")
MIN_DELAY_S = 0.2
JITTER_S = 0.02  # the limiter spaces sends; arrivals may be a few ms closer
ARTICLES = {f"/news/{name}": SAMPLE_CORPUS / file for name, file in (
    ("united-front", "000_a905701361e50df6.html"), ("joint-strategy", "001_e698897ae060d885.html"),
    ("promote", "002_97b1e3636e8cd943.html"), ("resilience", "003_09d4fba5f342163e.html"))}
NEW_ARTICLE = ("/news/sino-russian", SAMPLE_CORPUS / "004_2b8ef3741530c3b8.html")
DISALLOWED = "/private/leak"
# Each hostile page and the reason code its quarantine row must carry.
HOSTILE = {"/news/gone": "http_error", "/news/broken": "http_error",
           "/news/brochure": "not_html", "/news/loop": "too_many_redirects",
           "/news/slow": "timeout", DISALLOWED: "robots_disallowed"}
LAST_MODIFIED = "Tue, 31 Mar 2026 08:00:00 GMT"


class LoggingSite(HTTPServer):
    """HTTPServer that records (arrival time, path, headers) of every request it gets."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.arrivals: list[tuple[float, str, dict[str, str]]] = []
        self._arrivals_lock = threading.Lock()

    def dispatch(self, request: Request) -> Response:
        with self._arrivals_lock:
            self.arrivals.append((time.time(), request.path, dict(request.headers)))
        return super().dispatch(request)


def _article_handler(body: bytes):
    """A page with validators that answers a matching conditional request with 304."""
    etag = '"' + hashlib.sha1(body).hexdigest()[:16] + '"'

    def handle(request: Request) -> Response:
        headers = {"ETag": etag, "Last-Modified": LAST_MODIFIED}
        if request.headers.get("If-None-Match") == etag:
            return Response(status=304, headers=headers)
        return Response(body, content_type="text/html; charset=utf-8", headers=headers)
    return handle


def _slow(request: Request) -> Response:
    """Headers at once, then the body a byte every 0.3 s: every read returns within the
    source's 0.5 s read timeout, so only the 2 s deadline of the whole exchange ends it."""
    def trickle():
        for byte in b"<html><body><p>" + b"x" * 30:
            time.sleep(0.3)
            yield bytes([byte])

    return Response(trickle(), content_type="text/html", direct_passthrough=True)


def _serve(site: LoggingSite, feed_paths: list[str]) -> str:
    base = site.url_for("/").rstrip("/")
    listed = [*ARTICLES, DISALLOWED, *[p for p in HOSTILE if p != DISALLOWED]]
    site.expect_request("/robots.txt").respond_with_data(
        "User-agent: *\nDisallow: /private/\n", content_type="text/plain")

    def feed(request: Request) -> Response:
        items = "".join(f"<item><title>{p}</title><link>{base}{p}</link></item>"
                        for p in feed_paths)
        return Response('<?xml version="1.0" encoding="utf-8"?><rss version="2.0"><channel>'
                        f"<title>Fake</title><link>{base}/</link>{items}</channel></rss>",
                        content_type="application/rss+xml")
    site.expect_request("/feed.rss").respond_with_handler(feed)
    urls = "".join(f"<url><loc>{base}{p}</loc></url>" for p in listed)
    site.expect_request("/sitemap.xml").respond_with_data(
        '<?xml version="1.0" encoding="UTF-8"?>'
        f'<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">{urls}</urlset>',
        content_type="application/xml")
    for path, file in [*ARTICLES.items(), NEW_ARTICLE]:
        site.expect_request(path).respond_with_handler(_article_handler(file.read_bytes()))
    site.expect_request(DISALLOWED).respond_with_data("<html><body>secret</body></html>",
                                                      content_type="text/html")
    site.expect_request("/news/gone").respond_with_data("gone", status=404)
    site.expect_request("/news/broken").respond_with_data("oops", status=500)
    site.expect_request("/news/brochure").respond_with_data(b"%PDF-1.4 fake",
                                                            content_type="application/pdf")
    site.expect_request("/news/loop").respond_with_data(
        "", status=302, headers={"Location": f"{base}/news/loop-back"})
    site.expect_request("/news/loop-back").respond_with_data(
        "", status=302, headers={"Location": f"{base}/news/loop"})
    site.expect_request("/news/slow").respond_with_handler(_slow)
    return base


def _sources_yml(base: str) -> str:
    options = f"""
    allow_private_addresses: true
    min_delay_seconds: {MIN_DELAY_S}
    connect_timeout_seconds: 1
    timeout_seconds: 0.5
    total_timeout_seconds: 2
    max_retries: 1
    max_retry_wait_seconds: 2"""
    return f"""sources:
  - name: fake-feed
    kind: rss
    url: {base}/feed.rss{options}
  - name: fake-sitemap
    kind: sitemap
    url: {base}/sitemap.xml{options}
"""


@pytest.fixture(scope="module")
def web_runs(tmp_path_factory) -> dict:
    tmp = tmp_path_factory.mktemp("web_e2e")
    site = LoggingSite(host="127.0.0.1", port=0, threaded=True)
    site.no_handler_status_code = 404
    feed_paths = [*ARTICLES, DISALLOWED, *[p for p in HOSTILE if p != DISALLOWED]]
    site.start()  # before _serve: the base URL needs the bound port
    try:
        base = _serve(site, feed_paths)
        sources = tmp / "sources.yml"
        sources.write_text(_sources_yml(base), encoding="utf-8")
        env = dag_env(tmp / "airflow_home", tmp / "warehouse", sources=sources)
        init_airflow(env)
        codes, logs, arrivals = [], [], []
        for day in DAYS:
            if day == DAYS[1]:
                feed_paths.insert(0, NEW_ARTICLE[0])  # the feed's new item of day 2
            log = tmp / f"{day}.log"
            start = len(site.arrivals)
            codes.append(run_dag(day, log_path=log, env=env, echo=False))
            logs.append(log)
            arrivals.append(list(site.arrivals[start:]))
    finally:
        site.clear()
        site.stop()
    return {"base": base, "codes": codes, "logs": logs, "arrivals": arrivals,
            "db": tmp / "warehouse" / "claimledger.duckdb"}


def _query(web_runs, sql: str, params=None) -> list[tuple]:
    with closing(duckdb.connect(str(web_runs["db"]), read_only=True)) as con:
        return con.execute(sql, params or []).fetchall()


def _path(web_runs, url: str) -> str:
    return url.removeprefix(web_runs["base"])


def test_both_days_run_to_success(web_runs):
    for code, log in zip(web_runs["codes"], web_runs["logs"], strict=True):
        assert code == 0, log.read_text()[-5000:]


def test_every_article_lands_once(web_runs):
    rows = _query(web_runs, "select url, canonical_url, count(*) over (partition by "
                            "canonical_url) from raw.articles")
    assert sorted(_path(web_runs, url) for url, _, _ in rows) == sorted(
        [*ARTICLES, NEW_ARTICLE[0]])
    assert all(count == 1 for _, _, count in rows)
    new_day = _query(web_runs, "select url from raw.articles where ingest_date = ?", [DAYS[1]])
    assert [_path(web_runs, url) for (url,) in new_day] == [NEW_ARTICLE[0]]


def test_the_disallowed_url_was_never_requested(web_runs):
    paths = [path for day in web_runs["arrivals"] for _, path, _ in day]
    assert "/robots.txt" in paths and "/news/resilience" in paths  # the log is live
    assert not any(path.startswith("/private/") for path in paths)


def test_requests_to_the_host_keep_the_configured_spacing(web_runs):
    for day in web_runs["arrivals"]:
        times = sorted(moment for moment, _, _ in day)
        assert len(times) > 10
        gaps = [later - earlier for earlier, later in itertools.pairwise(times)]
        assert min(gaps) >= MIN_DELAY_S - JITTER_S, sorted(gaps)[:3]


def test_day_two_asks_conditionally_and_fetches_only_the_new_article(web_runs):
    day_two = [(path, headers) for _, path, headers in web_runs["arrivals"][1]]
    for path in ARTICLES:
        asked = [headers for seen, headers in day_two if seen == path]
        assert len(asked) == 1, path
        assert asked[0].get("If-None-Match") and asked[0].get("If-Modified-Since") == \
            LAST_MODIFIED
    new = [headers for seen, headers in day_two if seen == NEW_ARTICLE[0]]
    assert len(new) == 1 and "If-None-Match" not in new[0]
    pages = {_path(web_runs, url): (outcome, status) for url, outcome, status in _query(
        web_runs, "select url, fetch_outcome, http_status from raw.pages "
                  "where ingest_date = ?", [DAYS[1]])}
    assert {p for p, (outcome, _) in pages.items() if outcome == "fetched"} == {NEW_ARTICLE[0]}
    assert pages[NEW_ARTICLE[0]][1] == 200
    assert {p: pages[p] for p in ARTICLES} == {p: ("unchanged", 304) for p in ARTICLES}


@pytest.mark.parametrize("day", DAYS)
def test_each_hostile_page_is_quarantined_with_its_reason(web_runs, day):
    rows = _query(web_runs, "select url, stage, reason_code, error_message "
                            "from raw.quarantine where ingest_date = ?", [day])
    found = {_path(web_runs, url): (stage, code) for url, stage, code, _ in rows}
    assert found == {path: ("fetch", code) for path, code in HOSTILE.items()}
    assert all(message.startswith(f"[{code}]") for _, _, code, message in rows)


@pytest.mark.parametrize("day", DAYS)
def test_discovered_equals_loaded_plus_unchanged_plus_quarantined(web_runs, day):
    stages = {stage: (items_in, out, quarantined, unchanged)
              for stage, items_in, out, quarantined, unchanged in _query(web_runs, """
        select stage, items_in, items_out, items_quarantined, items_unchanged
        from audit.stage_counts where ingest_date = ?""", [day])}
    discovered = stages["discover"][1]
    loaded = stages["load"][1]
    unchanged = sum(row[3] for row in stages.values())
    quarantined = sum(row[2] for row in stages.values())
    stored = _query(web_runs, "select count(*) from raw.quarantine where ingest_date = ?",
                    [day])[0][0]
    listed = len(ARTICLES) + len(HOSTILE) + (day == DAYS[1])
    assert discovered == listed  # the feed and the sitemap list the same URLs: one row each
    assert quarantined == stored == len(HOSTILE)
    assert discovered == loaded + unchanged + quarantined, stages
