"""A fake news site on 127.0.0.1 for the web fetch and discovery tests.

`local_site()` starts a threaded pytest-httpserver that answers 404 (not 500) to
paths it does not know, like a real site with no robots.txt. `guard_sockets()`
makes any connection to an address other than 127.0.0.1 fail loudly and records
it, so a test can assert that a forbidden address was never dialled.
"""

from __future__ import annotations

import contextlib
import io
import socket
import time

from pytest_httpserver import HTTPServer
from warcio.statusandheaders import StatusAndHeaders
from warcio.warcwriter import WARCWriter
from werkzeug import Request, Response

ARTICLE = """<!doctype html><html lang="en"><head><meta charset="utf-8">
<title>{title}</title></head><body><article><h1>{title}</h1>
<p>Exports of soybeans rose 12 percent to $4.5 billion in 2025, the ministry said.</p>
</article></body></html>"""

ROBOTS = """# the fake site's robots.txt
User-agent: *
Disallow: /private/
Disallow: /*.pdf$
Allow: /private/open-letter
Sitemap: {base}/sitemap_index.xml

User-agent: otherbot
Disallow: /
"""

RSS = """<?xml version="1.0" encoding="utf-8"?>
<rss version="2.0"><channel><title>Fake News</title><language>en</language>
<link>{base}/</link>
<item><title>One</title><link>{base}/news/one?utm_source=rss</link></item>
<item><title>Two</title><link>{base}/news/two</link><guid>{base}/news/two</guid></item>
<item><title>Elsewhere</title><link>https://elsewhere.invalid/x</link></item>
</channel></rss>"""

ATOM = """<?xml version="1.0" encoding="utf-8"?>
<feed xmlns="http://www.w3.org/2005/Atom" xml:lang="en"><title>Fake News</title>
<entry><title>One</title><link rel="alternate" href="{base}/news/one"/>
<link rel="edit" href="{base}/edit/one"/></entry>
<entry><title>Three</title><link href="/news/three"/></entry>
<entry xml:lang="fr"><title>Quatre</title><link href="{base}/fr/quatre"/></entry>
</feed>"""

SITEMAP_INDEX = """<?xml version="1.0" encoding="UTF-8"?>
<sitemapindex xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">
<sitemap><loc>{base}/sitemap_news.xml</loc></sitemap>
<sitemap><loc>{base}/sitemap_pages.xml</loc></sitemap>
<sitemap><loc>{base}/sitemap_index.xml</loc></sitemap>
</sitemapindex>"""

NEWS_SITEMAP = """<?xml version="1.0" encoding="UTF-8"?>
<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9"
        xmlns:news="http://www.google.com/schemas/sitemap-news/0.9">
<url><loc>{base}/news/one</loc><news:news><news:publication><news:name>Fake</news:name>
<news:language>en</news:language></news:publication></news:news></url>
<url><loc>{base}/fr/quatre</loc><news:news><news:publication><news:name>Fake</news:name>
<news:language>fr</news:language></news:publication></news:news></url>
</urlset>"""

PAGES_SITEMAP = """<?xml version="1.0" encoding="UTF-8"?>
<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">
<url><loc>{base}/news/two</loc></url><url><loc>{base}/news/three</loc></url>
</urlset>"""


@contextlib.contextmanager
def local_site():
    """A started HTTPServer on 127.0.0.1 (ephemeral port), stopped on exit."""
    server = HTTPServer(host="127.0.0.1", port=0, threaded=True)
    reset_site(server)
    server.start()
    try:
        yield server
    finally:
        server.clear()
        server.stop()


def reset_site(server: HTTPServer) -> None:
    """Forget handlers and the request log; unknown paths answer 404 (clear() sets 500)."""
    server.clear()
    server.no_handler_status_code = 404


def base_url(server: HTTPServer) -> str:
    return server.url_for("/").rstrip("/")


def serve_news_site(server: HTTPServer) -> str:
    """Register robots.txt, feeds, sitemaps and article pages; returns the base URL."""
    base = base_url(server)
    xml = "application/xml"
    server.expect_request("/robots.txt").respond_with_data(ROBOTS.format(base=base),
                                                           content_type="text/plain")
    server.expect_request("/feed.rss").respond_with_data(RSS.format(base=base),
                                                         content_type="application/rss+xml")
    server.expect_request("/feed.atom").respond_with_data(ATOM.format(base=base),
                                                          content_type="application/atom+xml")
    for path, text in (("/sitemap_index.xml", SITEMAP_INDEX), ("/sitemap_news.xml", NEWS_SITEMAP),
                       ("/sitemap_pages.xml", PAGES_SITEMAP)):
        server.expect_request(path).respond_with_data(text.format(base=base), content_type=xml)
    for slug in ("one", "two", "three"):
        server.expect_request(f"/news/{slug}").respond_with_data(
            ARTICLE.format(title=slug.title()), content_type="text/html; charset=utf-8")
    return base


def requested_paths(server: HTTPServer) -> list[str]:
    return [request.path for request, _ in server.log]


def timed_handler(times: list[float], body: str = ARTICLE.format(title="Timed")):
    """A handler that records when each request arrived (time.monotonic)."""
    def handle(request: Request) -> Response:
        times.append(time.monotonic())
        return Response(body, content_type="text/html")
    return handle


def guard_sockets(monkeypatch) -> list[tuple]:
    """Fail any connection not to 127.0.0.1; returns the list of refused addresses."""
    refused: list[tuple] = []
    real_connect = socket.socket.connect

    def connect(sock, address):
        if sock.family == socket.AF_UNIX:  # local IPC (the worker pool's), not a network
            return real_connect(sock, address)
        if not (isinstance(address, tuple) and address[0] == "127.0.0.1"):
            refused.append(address)
            raise OSError(f"test guard: connection to {address!r} refused")
        return real_connect(sock, address)

    monkeypatch.setattr(socket.socket, "connect", connect)
    return refused


def write_warc(path, compressed: bool) -> None:
    """A tiny WARC: two HTML pages (a, b), a PNG, a 404 page and a request record."""
    page = b"<html><body><p>Exports rose 12 percent to $4.5 billion.</p></body></html>"
    with path.open("wb") as stream:
        writer = WARCWriter(stream, gzip=compressed)
        records = [
            ("https://news.example/a?utm_source=x", "200 OK", "text/html; charset=utf-8", page),
            ("https://news.example/logo.png", "200 OK", "image/png", b"\x89PNG...."),
            ("https://news.example/gone", "404 Not Found", "text/html", b"<p>gone</p>"),
            ("https://news.example/b", "200 OK", "text/html", page.replace(b"12", b"13")),
        ]
        for url, status, media, body in records:
            headers = StatusAndHeaders(status, [("Content-Type", media)], protocol="HTTP/1.1")
            writer.write_record(writer.create_warc_record(
                url, "response", payload=io.BytesIO(body), http_headers=headers))
        writer.write_record(writer.create_warc_record(
            "https://news.example/a", "request", payload=io.BytesIO(b"GET /a HTTP/1.1\r\n\r\n")))
