import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from transforms.kernel.urls import article_url_problem, normalise_url


def test_normalise_url_drops_tracking_fragment_and_default_port():
    assert (normalise_url("HTTPS://News.Example.com:443/a/b?utm_source=x&id=7&fbclid=1#top")
            == "https://news.example.com/a/b?id=7")


def test_normalise_url_keeps_meaningful_query_and_odd_ports():
    assert normalise_url("http://x.example:8080/p?page=2") == "http://x.example:8080/p?page=2"


@pytest.mark.parametrize(("url", "canonical"), [
    # IPv6 literals keep their brackets, compressed and lowercased.
    ("http://[::1]:8080/x", "http://[::1]:8080/x"),
    ("http://[0:0::1]/", "http://[::1]/"),
    ("HTTP://[2002:A9FE:A9FE::]:80/", "http://[2002:a9fe:a9fe::]/"),
    ("http://[::ffff:127.0.0.1]/", "http://[::ffff:7f00:1]/"),
    # A host that ends in a number is an IPv4 address, written as browsers read it.
    ("http://2130706433/", "http://127.0.0.1/"),
    ("http://0x7f.1/", "http://127.0.0.1/"),
    ("http://0177.0.0.01/a", "http://127.0.0.1/a"),
    ("http://169.254.43518/", "http://169.254.169.254/"),
    # User info never names the page, and hides the real host from a reader.
    ("http://evil.example@127.0.0.1/", "http://127.0.0.1/"),
    ("http://user:secret@Example.COM:80/a", "http://example.com/a"),
    # IDNA: the host as it goes on the wire.
    ("http://BÜCHER.example/ä?q=ü", "http://xn--bcher-kva.example/%C3%A4?q=%C3%BC"),
    ("http://example.com./", "http://example.com/"),
    # Percent-encoding: unreserved characters decoded, escapes in upper case.
    ("http://x.example/a%7eb/%41/%c3%a4", "http://x.example/a~b/A/%C3%A4"),
    ("http://x.example/a/../b/./c", "http://x.example/b/c"),
    ("http://x.example?b=2&a=1", "http://x.example/?b=2&a=1"),
    # Tracking parameters (transforms/rules/urls.yml), matched on the decoded name.
    ("https://x.example/a?UTM_Medium=m&p=2&%66bclid=1&mtm_campaign=c#frag",
     "https://x.example/a?p=2"),
    ("https://x.example/a?gclid=1&ref=home", "https://x.example/a"),
    # Whitespace and controls around a link, tabs and newlines inside it.
    (" \t\nhttps://x.example/a\tb\n \x00", "https://x.example/ab"),
    ("http://x.example/a b\x00c", "http://x.example/a%20b%00c"),
])
def test_normalise_url_gives_the_canonical_form(url, canonical):
    assert normalise_url(url) == canonical
    assert article_url_problem(url) is None
    assert normalise_url(canonical) == canonical


@pytest.mark.parametrize(("url", "why"), [
    ("javascript:alert(1)", "javascript"),
    ("JavaScript:alert(document.cookie)//http://x.example/", "javascript"),
    ("data:text/html,<script>alert(1)</script>", "data"),
    ("mailto:desk@x.example", "mailto"),
    ("file:///etc/passwd", "file"),
    ("ftp://x.example/a", "ftp"),
    ("//x.example/a", "no scheme"),
    ("/news/a", "no scheme"),
    ("http:///a", "no host"),
    ("http://[::1/", "unparseable"),
    ("http://[fe80::1]x/", "after an IPv6 literal"),
    ("http://[not-an-address]/", "unparseable"),
    ("http://[v1.fe]/", "invalid IPv6"),  # an IPvFuture literal: no address to check
    ("http://x.example:99999/", "invalid port"),
    ("http://x.example:8o/", "invalid port"),
    ("http://1.2.3.4.5/", "invalid IPv4"),
    ("http://256.1.1.1/", "invalid IPv4"),
    ("http://a b.example/", "invalid host"),
    ("http://ex%41mple.com/", "invalid host"),
])
def test_a_url_that_cannot_be_an_article_is_kept_as_it_came_and_says_why(url, why):
    assert why in (article_url_problem(url) or "")
    assert normalise_url(url) == url  # never half-mended into something fetchable
    assert article_url_problem(f"  {url}\n") == article_url_problem(url)


def test_snapshot_urls_are_article_urls_only_where_a_snapshot_source_allows_them():
    url = "snapshot://corpus/sub/page.html"
    assert article_url_problem(url, allow_snapshot=True) is None
    assert "snapshot" in article_url_problem(url)
    assert article_url_problem("javascript:x", allow_snapshot=True) is not None


@given(st.text(max_size=80))
def test_normalise_url_never_raises_and_is_idempotent(text):
    once = normalise_url(text)
    assert normalise_url(once) == once


# Pieces that reach the parser's corners: brackets, escapes, IDNA mappings that drop or
# fold characters, numbers that make a host an address.
_PIECES = st.sampled_from([
    *"aZ09.:/?#[]@%&=+-_~!$'()*,; \t\n\x00\x1bÄü中",
    "%2F", "%41", "%7e", "%zz", "%C3%A4", "%00", "%25", "0x7f", "0x", "xn--", "::1",
    "[::1]", "ffff:", "..", "./", "\u3002", "ß", "ﬁ", "\u200b", "İ", "utm_source=1"])
_URLISH = st.tuples(
    st.sampled_from(["http://", "https://", "HTTP://", "http:", "//", "", "javascript:"]),
    st.lists(_PIECES, max_size=25).map("".join)).map("".join)


@settings(max_examples=500, deadline=None)
@given(_URLISH)
def test_normalise_url_is_idempotent_and_keeps_the_verdict_on_url_like_text(url):
    once = normalise_url(url)
    assert normalise_url(once) == once
    assert (article_url_problem(once) is None) == (article_url_problem(url) is None)
