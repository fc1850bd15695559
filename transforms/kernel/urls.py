"""Article URLs: which URLs can be an article's, and the one canonical form each is kept in.

An article URL is http or https with a valid host. normalise_url writes one in its
canonical form: url-normalize does the RFC 3986 part (case of scheme and host, IDNA,
percent-encoding, dot segments, default ports, an empty path as "/"); around it this
module drops what never names the page (user info, the fragment, the tracking parameters
of transforms/rules/urls.yml), writes a numeric IPv4 host (2130706433, 0x7f.1) in dotted
form as browsers read it, and an IPv6 literal compressed and inside its brackets. Any
other text (javascript:, data:, mailto:, file:, relative or malformed) is returned only
stripped of surrounding whitespace: article_url_problem says why it is no article.
"""

from __future__ import annotations

import ipaddress
import re
from functools import cache
from urllib.parse import unquote_plus, urlsplit

from url_normalize import url_normalize

from transforms.kernel.rules import rules

ARTICLE_SCHEMES = ("http", "https")
# The URL discovery gives a page of a snapshot folder that its manifest does not name.
SNAPSHOT_SCHEME = "snapshot"
# urlsplit drops leading C0 controls and spaces itself; strip them (and Unicode
# whitespace) up front so a second pass finds nothing left to strip.
C0_AND_SPACE = "".join(chr(i) for i in range(0x21))
# Browsers (the WHATWG URL standard) delete tabs and newlines anywhere in a URL; so does
# urlsplit, so a link split over lines in a feed names the same page.
TAB_AND_NEWLINE = str.maketrans("", "", "\t\n\r")
# What a host may hold once url-normalize has IDNA-encoded it: LDH labels (underscores
# occur in real host names); anything else cannot be resolved or is a trick.
HOST_NAME = re.compile(r"[a-z0-9_-]+(?:\.[a-z0-9_-]+)*")
IPV4_PART = re.compile(r"0[xX][0-9a-fA-F]*|0[0-7]*|[1-9][0-9]*")
MAX_PORT = 65535


class _NotArticleUrl(ValueError):
    """Why a text is not an article URL."""


@cache
def _tracking() -> tuple[tuple[str, ...], frozenset[str]]:
    table = rules("urls")
    return tuple(table["tracking_prefixes"]), frozenset(table["tracking_params"])


def normalise_url(url: str) -> str:
    """The canonical form of an article URL; any other text stripped of whitespace only.

    Never raises. Idempotent: normalise_url(normalise_url(u)) == normalise_url(u). Dropping
    a part can expose something a later pass would change (a trailing space before an
    empty fragment), so the single pass runs to its fixed point.
    """
    for _ in range(8):
        normalised = _normalise_once(url)
        if normalised == url:
            break
        url = normalised
    return url


def article_url_problem(url: str, *, allow_snapshot: bool = False) -> str | None:
    """Why `url` cannot be an article's URL, or None when it can.

    It must be http(s) with a valid host and port; with allow_snapshot, the
    snapshot://<source>/<path> URLs that discovery makes for a snapshot folder's files
    pass too.
    """
    text = _strip(url)
    if allow_snapshot and urlsplit(text).scheme.lower() == SNAPSHOT_SCHEME:
        return None
    try:
        _canonical(text)
    except _NotArticleUrl as problem:
        return str(problem)
    return None


def article_canonical_url(declared: str | None, page_url: str) -> str:
    """The page's declared canonical URL when it can be an article's, else its own URL:
    a hostile <link rel=canonical href="javascript:..."> must not become the article's
    key or its stored link."""
    if declared and article_url_problem(declared) is None:
        return normalise_url(declared)
    return normalise_url(page_url)


def _normalise_once(url: str) -> str:
    url = _strip(url)
    try:
        return _canonical(url)
    except _NotArticleUrl:
        return url


def _strip(url: str) -> str:
    url = url.translate(TAB_AND_NEWLINE)
    while True:
        stripped = url.strip().strip(C0_AND_SPACE)
        if stripped == url:
            return url
        url = stripped


def _canonical(url: str) -> str:
    """The canonical article URL of `url`; raises _NotArticleUrl."""
    try:
        parts = urlsplit(url)
    except ValueError as error:
        raise _NotArticleUrl(f"unparseable URL: {error}") from None
    scheme = parts.scheme.lower()
    if scheme not in ARTICLE_SCHEMES:
        shown = f"the {scheme}: scheme" if scheme else "no scheme"
        raise _NotArticleUrl(f"{shown}; only http(s) URLs can be articles")
    host, port = _host_and_port(parts.netloc.rpartition("@")[2])
    rebuilt = f"{scheme}://{host}{':' + port if port else ''}{parts.path}"
    if parts.query:
        rebuilt += f"?{parts.query}"
    try:
        final = urlsplit(url_normalize(rebuilt) or "")
    except (ValueError, UnicodeError) as error:
        raise _NotArticleUrl(f"cannot normalise: {error}") from None
    if not host.startswith("["):
        # After IDNA mapping, which can make a number of a name ("1.2\u200b" is "1.2").
        name = final.hostname or ""
        name = _dotted_ipv4(name) or name
        if not HOST_NAME.fullmatch(name):
            raise _NotArticleUrl(f"invalid host {name!r}")
        final = final._replace(netloc=name if final.port is None else f"{name}:{final.port}")
    return final._replace(query=_without_tracking(final.query)).geturl()


def _host_and_port(host_port: str) -> tuple[str, str]:
    """(host in canonical form, port digits or '') of a netloc without user info."""
    if host_port.startswith("["):
        literal, _, rest = host_port[1:].partition("]")
        if rest and not rest.startswith(":"):
            raise _NotArticleUrl(f"text after an IPv6 literal: {host_port!r}")
        try:
            host = f"[{ipaddress.IPv6Address(literal).compressed}]"
        except ValueError:
            raise _NotArticleUrl(f"invalid IPv6 literal [{literal}]") from None
        port = rest.removeprefix(":")
    else:
        host, _, port = host_port.partition(":")
        if not host:
            raise _NotArticleUrl("no host")
    if port and (not port.isascii() or not port.isdigit() or int(port) > MAX_PORT):
        raise _NotArticleUrl(f"invalid port {port!r}")
    return host, port


def _dotted_ipv4(host: str) -> str | None:
    """A host that ends in a number is an IPv4 address, in the forms browsers accept
    (decimal, octal 0177, hex 0x7f, fewer than four parts): its dotted quad. None when
    the host ends in a label that is no number; _NotArticleUrl when it ends in a number
    but is no address (1.2.3.4.5, 256.0.0.1)."""
    labels = host.split(".")
    if len(labels) > 1 and labels[-1] == "":
        labels.pop()
    if not IPV4_PART.fullmatch(labels[-1]):
        return None
    if len(labels) > 4 or not all(IPV4_PART.fullmatch(label) for label in labels):
        raise _NotArticleUrl(f"invalid IPv4 host {host!r}")
    numbers = [_ipv4_number(label) for label in labels]
    *leading, last = numbers
    if any(n > 255 for n in leading) or last >= 256 ** (5 - len(numbers)):
        raise _NotArticleUrl(f"invalid IPv4 host {host!r}")
    value = last
    for index, number in enumerate(leading):
        value += number << (8 * (3 - index))
    return str(ipaddress.IPv4Address(value))


def _ipv4_number(label: str) -> int:
    if label[:2].lower() == "0x":
        return int(label[2:] or "0", 16)
    if len(label) > 1 and label.startswith("0"):
        return int(label, 8)
    return int(label)


def _without_tracking(query: str) -> str:
    if not query:
        return ""
    prefixes, names = _tracking()
    kept = []
    for pair in query.split("&"):
        name = unquote_plus(pair.partition("=")[0]).lower()
        if name.startswith(prefixes) or name in names:
            continue
        kept.append(pair)
    return "&".join(kept)
