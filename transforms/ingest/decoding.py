"""Bytes of a page -> text, with one charset policy for files, WARC records and HTTP bodies.

A byte-order mark decides first, then UTF-8, then the declared charset (the HTTP header's,
else the page's meta tag, else cp1252). A page declared UTF-8 with rare invalid bytes keeps
U+FFFD for them; whatever cannot be read raises FetchRejected with its reason.
"""

from __future__ import annotations

import re

import polars as pl

from transforms.ingest.pages import MAX_BODY_BYTES, FetchRejected
from transforms.kernel.rules import rules

# Magic numbers of formats that are sometimes saved with an .html name
# (transforms/rules/binary_formats.yml; its strings are the bytes, read as Latin-1).
BINARY_SIGNATURES = tuple(signature.encode("latin-1")
                          for signature in rules("binary_formats")["signatures"].values())
META_CHARSET = re.compile(rb"""<meta[^>]+charset\s*=\s*["']?([A-Za-z0-9_.:-]+)""", re.I)
BYTE_ORDER_MARKS = ((b"\xef\xbb\xbf", "utf-8-sig"), (b"\xff\xfe", "utf-16"),
                    (b"\xfe\xff", "utf-16"))
_BOM_MARKS = tuple(mark for mark, _ in BYTE_ORDER_MARKS)
UTF8_NAMES = frozenset({"utf-8", "utf8"})
# A page declared UTF-8 with a few stray bytes from another encoding (a
# pasted Latin-1 quote) is UTF-8 with damage: decode it with U+FFFD for the damage,
# rather than refuse the article or read every other character as cp1252 mojibake.
MAX_INVALID_UTF8_SHARE = 0.001


def is_utf8_name(charset: str) -> bool:
    """Whether a declared charset name means UTF-8 (utf-8, UTF8, utf_8)."""
    return charset.lower().replace("_", "-") in UTF8_NAMES


def _utf8_with_damage(body: bytes) -> tuple[str, int]:
    """(the body as UTF-8 with U+FFFD for invalid bytes, how many sequences were invalid)."""
    text = body.decode("utf-8", errors="replace")
    return text, text.count("\ufffd") - body.count("\ufffd".encode())


def _damage_is_rare(body: bytes, damaged: int) -> bool:
    return damaged <= max(1, len(body) * MAX_INVALID_UTF8_SHARE)


def _mostly_utf8(body: bytes) -> str | None:
    """The body as UTF-8 with U+FFFD for invalid bytes, if they are rare; else None."""
    text, damaged = _utf8_with_damage(body)
    return text if _damage_is_rare(body, damaged) else None


def decode_body(body: bytes) -> str:
    """Bytes of a page → text. A BOM's encoding, else UTF-8, then the declared charset
    (a declared-UTF-8 page with rare invalid bytes keeps U+FFFD for them), else refuse.
    NUL characters become U+FFFD.

    Raises FetchRejected(empty_file | not_html | undecodable | too_large).
    """
    if not body.strip():
        raise FetchRejected("empty_file", "the body has no content")
    if len(body) > MAX_BODY_BYTES:
        raise FetchRejected("too_large", f"{len(body)} bytes exceeds the {MAX_BODY_BYTES} cap")
    head = body[:1024]
    # A byte-order mark decides the encoding before anything else (as browsers do); a
    # UTF-16 page is full of NUL bytes, so this comes before the binary sniff.
    bom = next((enc for mark, enc in BYTE_ORDER_MARKS if head.startswith(mark)), None)
    if bom is None and (head.startswith(BINARY_SIGNATURES) or b"\x00" in head):
        raise FetchRejected("not_html", "the body is binary, not HTML")
    try:
        text = body.decode(bom or "utf-8-sig")
    except UnicodeDecodeError:
        declared = META_CHARSET.search(body[:4096])
        encoding = declared.group(1).decode("ascii") if declared else "cp1252"
        text = _mostly_utf8(body) if is_utf8_name(encoding) else None
        if text is None:
            try:
                text = body.decode(encoding)
            except (UnicodeDecodeError, LookupError) as error:
                raise FetchRejected("undecodable",
                                    f"not UTF-8 and not {encoding}: {error}") from None
    # NUL is not a character of any HTML text (browsers replace it); DuckDB and the
    # extractor's C parser would otherwise cut the text at it.
    text = text.replace("\x00", "\ufffd")
    if "<" not in text[:4096] and "<" not in text[-4096:]:
        raise FetchRejected("not_html", "no markup found: plain text, not HTML")
    return unicode_text(text)


def unicode_text(text: str) -> str:
    """`text`, if it is valid Unicode; else FetchRejected('undecodable').

    A declared charset can decode to text that is not (Python's unicode_escape codec turns
    the bytes "\\ud800" into a lone surrogate): no String column or Parquet file holds it,
    and one such page stopped its whole batch.
    """
    if not text.isascii():
        try:
            text.encode("utf-8")
        except UnicodeEncodeError as error:
            raise FetchRejected("undecodable", f"decodes to text that is not valid Unicode: "
                                               f"{error.reason}") from None
    return text


def html_cell(body: bytes) -> pl.Series:
    """decode_body(body) as a one-row String column; raises FetchRejected as decode_body does.

    Most pages are plain UTF-8 HTML, for which decode_body returns body.decode() unchanged:
    their bytes are validated by polars instead and never become a Python str. Decoding
    1,000 bench/ pages to str and encoding them back into a String column took ~0.85 s;
    this takes ~0.15 s. Everything else goes through decode_body itself.
    """
    if _plain_html(body):
        try:
            return pl.Series([body], dtype=pl.Binary).cast(pl.String)
        except pl.exceptions.ComputeError:  # not valid UTF-8: decode_body's fallbacks decide
            pass
    return pl.Series([decode_body(body)], dtype=pl.String)


def _plain_html(body: bytes) -> bool:
    """Whether decode_body(body) is body.decode('utf-8') whenever body is valid UTF-8.

    It is when the body is within the cap, has no byte-order mark, binary signature or NUL
    byte (NUL is replaced, and refused in the head), and has a '<' within its first or last
    4096 bytes: those bytes are at most 4096 characters, so the '<' is also within the
    first or last 4096 characters decode_body looks at — and the body is not empty.
    Other bodies may be fine too; decode_body decides them.
    """
    head = body[:1024]
    return (len(body) <= MAX_BODY_BYTES and not head.startswith(_BOM_MARKS)
            and not head.startswith(BINARY_SIGNATURES) and b"\x00" not in body
            and (b"<" in body[:4096] or b"<" in body[-4096:]))


def decode_http_body(body: bytes, content_type: str | None) -> str:
    """A response body → text, using the header's charset as well as decode_body's rules.

    Policy for bytes that are not valid UTF-8:
    - header says UTF-8 and at most 0.1 % of the bytes are invalid → decoded with U+FFFD
      in their place (a stray byte should not cost the article);
    - header says UTF-8 and more are invalid → FetchRejected('undecodable');
    - header names another charset → decoded with it (FetchRejected if it fails);
    - no charset → decode_body's rules (meta charset, else cp1252, else undecodable).
    Raises FetchRejected(empty_file | not_html | undecodable | too_large).
    """
    charset = _header_charset(content_type)
    try:
        text = decode_body(body)  # emptiness, binary sniffing, markup and its own decoding
    except FetchRejected as rejected:
        if rejected.reason_code != "undecodable" or charset is None:
            raise
        text = None
    try:
        body.decode("utf-8-sig")
        if text is not None:
            return text
    except UnicodeDecodeError:
        pass
    if charset is not None and is_utf8_name(charset):
        repaired, invalid = _utf8_with_damage(body)
        if _damage_is_rare(body, invalid):
            return repaired.removeprefix("\ufeff")
        raise FetchRejected("undecodable", f"declared UTF-8 but {invalid} invalid byte sequences")
    if charset is not None:
        try:
            return unicode_text(body.decode(charset))
        except (UnicodeDecodeError, LookupError, FetchRejected) as error:
            if text is None:
                raise FetchRejected("undecodable", f"not {charset}: {error}") from None
    if text is None:
        raise FetchRejected("undecodable", "the body matches no charset")
    return text


def _header_charset(content_type: str | None) -> str | None:
    for parameter in (content_type or "").split(";")[1:]:
        key, _, value = parameter.partition("=")
        if key.strip().lower() == "charset" and value.strip():
            return value.strip().strip("\"'").lower()
    return None
