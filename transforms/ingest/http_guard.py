"""HTTP guards: where a request may connect, how often, and how much it may read.

- check_url refuses anything but an http(s) URL with a valid host, resolves its host
  and refuses private, loopback, link-local, multicast, unspecified and reserved
  addresses (also wrapped in IPv6: 6to4, NAT64, IPv4-compatible) before any socket opens;
  GuardedTransport then connects only to the address that check approved (pins),
  so a DNS answer that changes between check and connect cannot sneak past it.
- ExchangeDeadline bounds one exchange (connect, headers, body, redirects, retries) in
  wall-clock time, checked at every socket read and write, so a server that trickles
  bytes slower than the read timeout still ends at the deadline.
- HostRateLimiter spaces requests to one host across threads and processes.
- BodyDecoder decodes gzip/deflate while the body streams, with caps on wire bytes,
  decoded bytes and the decoded/wire ratio (decompression bombs).
"""

from __future__ import annotations

import contextlib
import fcntl
import hashlib
import ipaddress
import socket
import threading
import time
import zlib
from pathlib import Path
from urllib.parse import urlsplit

import httpcore
import httpx

from transforms.ingest.pages import FetchRejected
from transforms.kernel.urls import article_url_problem


class ExchangeDeadline:
    """A wall-clock limit on one exchange, started when its first request goes out (not
    while the host's spacing makes it wait) and shared by its redirects and retries."""

    def __init__(self, seconds: float):
        self.seconds = seconds
        self.ends_at: float | None = None

    def start(self) -> None:
        if self.ends_at is None:
            self.ends_at = time.monotonic() + self.seconds

    def remaining(self) -> float | None:
        """Seconds left (None: not started); raises ReadTimeout once it has passed."""
        if self.ends_at is None:
            return None
        left = self.ends_at - time.monotonic()
        if left <= 0:
            raise httpcore.ReadTimeout(f"the exchange passed its {self.seconds}s deadline")
        return left


# The deadline of the exchange the current thread is in: httpx's sync client does its
# socket I/O in the calling thread, and pooled connections outlive one exchange, so the
# streams look it up at each read rather than keeping one.
_current = threading.local()


@contextlib.contextmanager
def exchange_scope(deadline: ExchangeDeadline):
    """Make `deadline` the current thread's for the block (nested exchanges restore it)."""
    previous = getattr(_current, "deadline", None)
    _current.deadline = deadline
    try:
        yield deadline
    finally:
        _current.deadline = previous


def _bounded(timeout: float | None) -> float | None:
    deadline = getattr(_current, "deadline", None)
    left = deadline.remaining() if deadline is not None else None
    if left is None:
        return timeout
    return left if timeout is None else min(timeout, left)


class DeadlineStream(httpcore.NetworkStream):
    """A socket stream whose every read and write ends by the current exchange's deadline."""

    def __init__(self, inner: httpcore.NetworkStream):
        self._inner = inner

    def read(self, max_bytes, timeout=None):
        data = self._inner.read(max_bytes, _bounded(timeout))
        _bounded(None)  # a trickling server still returns bytes: check after each read
        return data

    def write(self, buffer, timeout=None):
        self._inner.write(buffer, _bounded(timeout))

    def close(self):
        self._inner.close()

    def start_tls(self, ssl_context, server_hostname=None, timeout=None):
        return DeadlineStream(self._inner.start_tls(ssl_context, server_hostname,
                                                    _bounded(timeout)))

    def get_extra_info(self, info):
        return self._inner.get_extra_info(info)


class PinnedBackend(httpcore.NetworkBackend):
    """Connects only to the address the pre-check approved for a host."""

    def __init__(self, pins: dict[str, str]):
        self._pins = pins
        self._inner = httpcore.SyncBackend()

    def connect_tcp(self, host, port, timeout=None, local_address=None, socket_options=None):
        address = self._pins.get(host.lower())
        if address is None:
            raise httpcore.ConnectError(f"refused: {host} was not checked before connecting")
        try:
            bounded = _bounded(timeout)
        except httpcore.ReadTimeout as late:
            raise httpcore.ConnectTimeout(str(late)) from None
        return DeadlineStream(self._inner.connect_tcp(address, port, bounded, local_address,
                                                      socket_options))

    def connect_unix_socket(self, path, timeout=None, socket_options=None):
        raise httpcore.ConnectError("refused: unix sockets are never used")

    def sleep(self, seconds):
        self._inner.sleep(seconds)


class GuardedTransport(httpx.HTTPTransport):
    def __init__(self, pins: dict[str, str]):
        super().__init__(trust_env=False)
        self._pool.close()
        # httpx has no public hook for the network backend; the pool is its documented
        # building block (httpcore.ConnectionPool), so swap it in with ours.
        self._pool = httpcore.ConnectionPool(
            ssl_context=httpx.create_ssl_context(trust_env=False),
            max_connections=20, max_keepalive_connections=10, keepalive_expiry=5.0,
            network_backend=PinnedBackend(pins))


# IPv6 prefixes whose addresses carry an IPv4 address that a gateway on the path may
# deliver to: NAT64's well-known prefix (RFC 6052, the IPv4 address in the last 32 bits)
# and the IPv4-compatible form (RFC 4291, deprecated, the same bits). 6to4 (RFC 3056) and
# IPv4-mapped addresses have their own accessors in ipaddress.
NAT64_WELL_KNOWN = ipaddress.IPv6Network("64:ff9b::/96")
IPV4_COMPATIBLE = ipaddress.IPv6Network("::/96")
# NAT64's local-use prefix (RFC 8215): a network's own translator, so always internal.
NAT64_LOCAL_USE = ipaddress.IPv6Network("64:ff9b:1::/48")


def embedded_ipv4(ip: ipaddress.IPv6Address) -> ipaddress.IPv4Address | None:
    """The IPv4 address an IPv6 address wraps (mapped, 6to4, NAT64, IPv4-compatible)."""
    if ip.ipv4_mapped is not None:
        return ip.ipv4_mapped
    if ip.sixtofour is not None:
        return ip.sixtofour
    if ip in NAT64_WELL_KNOWN or (ip in IPV4_COMPATIBLE and int(ip) > 1):
        return ipaddress.IPv4Address(int(ip) & 0xFFFFFFFF)
    return None


def address_category(address: str) -> str:
    """'public' or why not: loopback | private | link_local | multicast | unspecified | reserved.

    An IPv6 address that wraps an IPv4 one (6to4 2002:a9fe:a9fe:: is 169.254.169.254)
    has the IPv4 address's category when that is not public: a relay or translator on
    the path would deliver to it. Site-local fec0::/10 (deprecated, still routed inside
    some networks) and NAT64's local-use prefix are private.
    """
    ip = ipaddress.ip_address(address.split("%", 1)[0])
    if isinstance(ip, ipaddress.IPv6Address):
        inner = embedded_ipv4(ip)
        if ip.ipv4_mapped is not None:
            ip = ip.ipv4_mapped
        elif inner is not None and (wrapped := address_category(str(inner))) != "public":
            return wrapped
        elif ip.is_site_local or ip in NAT64_LOCAL_USE:
            return "private"
    if ip.is_loopback:
        return "loopback"
    if ip.is_link_local:
        return "link_local"
    if ip.is_multicast:
        return "multicast"
    if ip.is_unspecified:
        return "unspecified"
    if ip.is_reserved:
        return "reserved"
    if ip.is_private:
        return "private"
    return "public" if ip.is_global else "reserved"


def _permitted(category: str, allow_private: bool, is_redirect: bool) -> bool:
    if category == "public":
        return True
    if not allow_private:
        return False
    return category == "loopback" or (category == "private" and not is_redirect)


def check_url(url: str, *, allow_private: bool = False, allowed_domains: tuple[str, ...] = (),
              is_redirect: bool = False) -> str:
    """The address to connect to for `url`, or FetchRejected (unsupported_url | blocked_url).

    Refuses anything but an http(s) URL with a valid host (unsupported_url), then
    resolves the host (IP literals need no lookup) and refuses the URL when any of its
    addresses is not permitted, so no socket is opened to a forbidden address.
    """
    problem = article_url_problem(url)
    if problem is not None:
        raise FetchRejected("unsupported_url", f"{problem}: {url[:200]}")
    parts = urlsplit(url)
    host = (parts.hostname or "").lower()
    if allowed_domains and not any(host == d or host.endswith("." + d)
                                   for d in allowed_domains):
        raise FetchRejected("blocked_url", f"{host} is outside allowed_domains")
    try:
        port = parts.port or (443 if parts.scheme == "https" else 80)
        # Resolve the IDNA form: the name the connection will use, not the display one.
        wire_host = httpx.URL(url).raw_host.decode("ascii")
        infos = socket.getaddrinfo(wire_host, port, type=socket.SOCK_STREAM)
    except (OSError, ValueError, UnicodeError, httpx.InvalidURL) as error:
        raise FetchRejected("fetch_error", f"cannot resolve {host}: {error}") from None
    addresses = list(dict.fromkeys(str(info[4][0]) for info in infos))
    for address in addresses:
        category = address_category(address)
        if not _permitted(category, allow_private, is_redirect):
            hop = "a redirect to " if is_redirect else ""
            raise FetchRejected("blocked_url",
                                f"refused {hop}{host}: {address} is a {category} address")
    return addresses[0]


# --- per-host spacing ---------------------------------------------------------------

class HostRateLimiter:
    """Spaces requests to one host by a minimum delay.

    With a state folder the last request time of each host lives in a file locked
    with flock, so threads and processes of one run share the spacing; without
    one, the spacing holds within this process.
    """

    def __init__(self, state_dir: Path | None = None):
        self.state_dir = state_dir
        self._locks: dict[str, threading.Lock] = {}
        self._last: dict[str, float] = {}
        self._guard = threading.Lock()

    def wait(self, host: str, delay_s: float) -> None:
        if self.state_dir is None:
            with self._guard:
                lock = self._locks.setdefault(host, threading.Lock())
            with lock:
                self._sleep_until(self._last.get(host, 0.0) + delay_s, delay_s)
                self._last[host] = time.time()
            return
        self.state_dir.mkdir(parents=True, exist_ok=True)
        name = hashlib.sha1(host.encode()).hexdigest()[:16] + ".last"
        with open(self.state_dir / name, "a+", encoding="ascii") as handle:
            fcntl.flock(handle, fcntl.LOCK_EX)  # released when the file closes
            handle.seek(0)
            try:
                last = float(handle.read().strip() or 0)
            except ValueError:
                last = 0.0
            self._sleep_until(last + delay_s, delay_s)
            handle.seek(0)
            handle.truncate()
            handle.write(repr(time.time()))
            handle.flush()

    @staticmethod
    def _sleep_until(moment: float, delay_s: float) -> None:
        # Clamped to the delay so a clock jump cannot make a worker sleep for hours.
        pause = min(moment - time.time(), delay_s)
        if pause > 0:
            time.sleep(pause)


class BodyDecoder:
    """Decodes a Content-Encoding while it streams, refusing what grows past the caps.

    feed() raises FetchRejected: too_large (wire bytes past max_wire_bytes),
    decompression_bomb (decoded bytes past max_decoded_bytes, or a decoded/wire
    ratio past max_ratio once ratio_floor_bytes are decoded),
    undecodable (an unknown encoding or a corrupt stream).
    """

    def __init__(self, content_encoding: str, *, max_wire_bytes: int, max_decoded_bytes: int,
                 max_ratio: float, ratio_floor_bytes: int):
        self.max_wire_bytes, self.max_decoded_bytes = max_wire_bytes, max_decoded_bytes
        self.max_ratio, self.ratio_floor_bytes = max_ratio, ratio_floor_bytes
        self.encoding = content_encoding.strip().lower()
        self.wire_bytes = self.decoded_bytes = 0
        self._parts: list[bytes] = []
        if self.encoding in ("", "identity"):
            self._inflater = None
        elif self.encoding in ("gzip", "x-gzip"):
            self._inflater = zlib.decompressobj(16 + zlib.MAX_WBITS)
        elif self.encoding == "deflate":
            self._inflater = zlib.decompressobj(zlib.MAX_WBITS)
        else:
            raise FetchRejected("undecodable", f"unsupported content-encoding {self.encoding!r}")

    def feed(self, chunk: bytes) -> None:
        self.wire_bytes += len(chunk)
        if self.wire_bytes > self.max_wire_bytes:
            raise FetchRejected("too_large", f"body passed the {self.max_wire_bytes}-byte "
                                "cap while streaming")
        if self._inflater is None:
            self._add(chunk)
            return
        data = chunk
        while data and not self._inflater.eof:
            room = self.max_decoded_bytes - self.decoded_bytes + 1
            try:
                out = self._inflater.decompress(data, room)
            except zlib.error as error:
                if self.encoding == "deflate" and self.decoded_bytes == 0:
                    # Some servers send raw deflate without the zlib header.
                    self._inflater = zlib.decompressobj(-zlib.MAX_WBITS)
                    self.encoding = "raw-deflate"
                    continue
                raise FetchRejected("undecodable",
                                    f"corrupt {self.encoding} body: {error}") from None
            self._add(out)
            data = self._inflater.unconsumed_tail

    def _add(self, out: bytes) -> None:
        self.decoded_bytes += len(out)
        compressed = self._inflater is not None
        if self.decoded_bytes > self.max_decoded_bytes:
            code = "decompression_bomb" if compressed else "too_large"
            raise FetchRejected(code, f"decoded body passed the {self.max_decoded_bytes}"
                                "-byte cap")
        if compressed and self.decoded_bytes > self.ratio_floor_bytes and \
                self.decoded_bytes > self.max_ratio * self.wire_bytes:
            raise FetchRejected("decompression_bomb", f"{self.wire_bytes} compressed bytes "
                                f"grew past {self.decoded_bytes} (ratio cap "
                                f"{self.max_ratio:g})")
        if out:
            self._parts.append(out)

    def finish(self) -> bytes:
        if self._inflater is not None and not self._inflater.eof:
            with contextlib.suppress(zlib.error):
                self._add(self._inflater.flush())
        return b"".join(self._parts)
