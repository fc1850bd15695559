from hypothesis import given
from hypothesis import strategies as st

from transforms.kernel.urls import normalise_url


def test_normalise_url_drops_tracking_fragment_and_default_port():
    assert (normalise_url("HTTPS://News.Example.com:443/a/b?utm_source=x&id=7&fbclid=1#top")
            == "https://news.example.com/a/b?id=7")


def test_normalise_url_keeps_meaningful_query_and_odd_ports():
    assert normalise_url("http://x.example:8080/p?page=2") == "http://x.example:8080/p?page=2"


@given(st.text(max_size=80))
def test_normalise_url_never_raises_and_is_idempotent(text):
    once = normalise_url(text)
    assert normalise_url(once) == once
