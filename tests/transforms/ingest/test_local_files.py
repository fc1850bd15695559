import polars as pl
import pytest

from transforms.ingest.decoding import decode_body
from transforms.ingest.local_files import fetch_pages
from transforms.ingest.pages import FetchRejected


@pytest.mark.parametrize(("body", "reason"), [
    (b"", "empty_file"),
    (b"   \n\t ", "empty_file"),
    (b"%PDF-1.7 binary", "not_html"),
    (b"\x89PNG\r\n\x1a\n....", "not_html"),
    (b"abc\x00def<html>", "not_html"),
    (b"just some words, no markup at all", "not_html"),
])
def test_decode_body_rejects_with_a_specific_reason(body, reason):
    with pytest.raises(FetchRejected) as caught:
        decode_body(body)
    assert caught.value.reason_code == reason


def test_decode_body_reads_utf8_and_a_declared_legacy_charset():
    assert "café" in decode_body("<p>café</p>".encode())
    latin = '<meta charset="iso-8859-1"><p>café</p>'.encode("latin-1")
    assert "café" in decode_body(latin)


def test_fetch_pages_quarantines_bad_files_and_keeps_the_good(tmp_path):
    good, empty = tmp_path / "good.html", tmp_path / "empty.html"
    good.write_text("<html><body><p>hello</p></body></html>")
    empty.write_bytes(b"")
    discovered = pl.DataFrame({
        "source_name": ["s", "s", "s"], "source_kind": ["snapshot"] * 3,
        "url": ["snapshot://s/good", "snapshot://s/empty", "snapshot://s/missing"],
        "location": [str(good), str(empty), str(tmp_path / "missing.html")],
    })
    pages, quarantine = fetch_pages(discovered, "2026-01-01")
    assert pages["fetch_outcome"].to_list() == ["fetched", "quarantined", "quarantined"]
    assert dict(zip(quarantine["url"], quarantine["reason_code"], strict=True)) == {
        "snapshot://s/empty": "empty_file", "snapshot://s/missing": "fetch_error"}
    assert pages["page_id"].is_unique().all()


def test_a_charset_that_decodes_to_a_lone_surrogate_is_quarantined_not_fatal(tmp_path):
    # Invalid UTF-8 (\xff) sends the page to its declared charset, here Python's
    # unicode_escape codec, which turns the text "\\ud800" into a lone surrogate: text that
    # no String column can hold.
    page = tmp_path / "escape.html"
    page.write_bytes(b'<html><head><meta charset="unicode_escape"></head>'
                     b'<body>\xff \\ud800</body></html>')
    good = tmp_path / "good.html"
    good.write_text("<html><body><p>hello</p></body></html>")
    discovered = pl.DataFrame({
        "source_name": ["s", "s"], "source_kind": ["snapshot"] * 2,
        "url": ["snapshot://s/escape", "snapshot://s/good"],
        "location": [str(page), str(good)],
    })
    pages, quarantine = fetch_pages(discovered, "2026-01-01")
    assert pages["fetch_outcome"].to_list() == ["quarantined", "fetched"]
    assert quarantine["reason_code"].to_list() == ["undecodable"]
    assert "not valid Unicode" in quarantine["error_message"][0]
