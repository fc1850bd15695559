"""URL normalisation: one article, one key, whatever tracking junk a link carries."""

from __future__ import annotations

from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

# Query parameters that identify a campaign or a click, never the page.
TRACKING_PREFIXES = ("utm_", "mc_", "pk_")
TRACKING_PARAMS = {"fbclid", "gclid", "dclid", "msclkid", "igshid", "ref", "ref_src", "cmpid",
                   "ocid", "_ga", "yclid"}
DEFAULT_PORTS = {"http": 80, "https": 443}
# urlsplit drops leading C0 controls and spaces itself; strip them (and Unicode
# whitespace) up front so a second pass finds nothing left to strip.
C0_AND_SPACE = "".join(chr(i) for i in range(0x21))


def _strip(url: str) -> str:
    while True:
        stripped = url.strip().strip(C0_AND_SPACE)
        if stripped == url:
            return url
        url = stripped


def normalise_url(url: str) -> str:
    """Lowercase scheme and host, drop default port, fragment and tracking parameters.

    Idempotent: normalise_url(normalise_url(u)) == normalise_url(u). Dropping a part
    can expose something a later pass would change (a trailing space before an empty
    fragment), so the single pass runs to its fixed point.
    """
    for _ in range(8):
        normalised = _normalise_once(url)
        if normalised == url:
            break
        url = normalised
    return url


def _normalise_once(url: str) -> str:
    url = _strip(url)
    try:
        parts = urlsplit(url)
        port = parts.port
    except ValueError:
        return url
    scheme = parts.scheme.lower()
    host = (parts.hostname or "").lower()
    netloc = host
    if parts.username:
        netloc = f"{parts.username}@{host}"
    if port and DEFAULT_PORTS.get(scheme) != port:
        netloc = f"{netloc}:{port}"
    if not host:
        netloc = parts.netloc
    query = [(k, v) for k, v in parse_qsl(parts.query, keep_blank_values=True)
             if not k.lower().startswith(TRACKING_PREFIXES) and k.lower() not in TRACKING_PARAMS]
    path = parts.path or ("/" if host and scheme in DEFAULT_PORTS else "")
    return urlunsplit((scheme, netloc, path, urlencode(query), ""))
