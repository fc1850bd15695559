"""HTTP fetch: a polite, guarded fetcher for the web source kinds (rss, sitemap, urls).

`fetch_url` fetches one URL and always returns a FetchResult — a hostile or broken
server ends as outcome 'quarantined' with a reason code, never as an exception.
`fetch_http_pages` does it for a frame of discovered rows and returns the same
(pages, quarantine) pair as transforms.ingest.local_files.fetch_pages.

Politeness: robots.txt of every host is read once per FetchState and obeyed
(see transforms/ingest/robots.py); requests to one host are spaced by at least
max(min_host_delay_s, Crawl-delay), a spacing kept across threads and processes
through a lock file per host under the state folder; 429/5xx are retried a
bounded number of times with exponential back-off, honouring Retry-After.

Safety: only http(s); every hop's host is resolved and refused when any address is
private, loopback, link-local, multicast, unspecified or reserved — before a socket
opens — and the connection then goes to exactly the address that was checked (no
DNS-rebinding window). `allow_private_addresses: true` (for intranet sources and
tests on 127.0.0.1) lets the *first* request reach loopback and private ranges;
a redirect may then reach loopback but never another private range, and
link-local (cloud metadata), multicast and reserved addresses are never allowed.
Bodies are capped on the wire while streaming, decompressed by this module with a
cap on decoded bytes and on the decoded/wire ratio, and accepted only for allowed
content types. Requests never go through an environment proxy.
"""

from __future__ import annotations

import contextlib
import email.utils
import hashlib
import json
import logging
import threading
import time
from collections.abc import Mapping
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field, fields, replace
from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from urllib.parse import urljoin, urlsplit

import httpx
import polars as pl

from transforms.ingest.decoding import decode_http_body
from transforms.ingest.http_guard import (
    BodyDecoder,
    ExchangeDeadline,
    GuardedTransport,
    HostRateLimiter,
    check_url,
    exchange_scope,
)
from transforms.ingest.pages import HTTP_PAGES_SCHEMA, MAX_BODY_BYTES, FetchRejected
from transforms.ingest.robots import ALLOW_ALL, MAX_ROBOTS_BYTES, RobotsRules, parse_robots
from transforms.kernel.keys import page_id
from transforms.kernel.quarantine import quarantine_frame, quarantine_row, reason_vocabulary
from transforms.kernel.urls import normalise_url

log = logging.getLogger(__name__)

USER_AGENT = "claimledger/0.1 (+https://github.com/claimledger/claimledger)"
HTML_CONTENT_TYPES = ("text/html", "application/xhtml+xml")
RETRY_STATUSES = frozenset({429, 500, 502, 503, 504})
REDIRECT_STATUSES = frozenset({301, 302, 303, 307, 308})


# Specific codes this module gives, and the existing code each falls back to in a
# quarantine row until transforms/rules/reasons.yml lists it. FetchResult always
# carries the specific code.
REASON_FALLBACKS = {
    "robots_disallowed": "fetch_error",
    "blocked_url": "fetch_error",
    "too_many_redirects": "fetch_error",
    "decompression_bomb": "too_large",
    "timeout": "fetch_error",
    "http_error": "fetch_error",
}

# How a source option (config/sources.yml) maps to a FetchPolicy field.
POLICY_OPTIONS = {
    "user_agent": "user_agent",
    "connect_timeout_seconds": "connect_timeout_s",
    "timeout_seconds": "read_timeout_s",
    "total_timeout_seconds": "total_timeout_s",
    "max_retries": "max_retries",
    "max_retry_wait_seconds": "max_retry_wait_s",
    "max_redirects": "max_redirects",
    "max_body_bytes": "max_body_bytes",
    "max_decoded_bytes": "max_decoded_bytes",
    "max_compression_ratio": "max_compression_ratio",
    "min_delay_seconds": "min_host_delay_s",
    "max_crawl_delay_seconds": "max_crawl_delay_s",
    "allow_private_addresses": "allow_private_addresses",
    "allowed_domains": "allowed_domains",
}


@dataclass(frozen=True)
class FetchPolicy:
    """How to fetch: every limit with its default. Build per source with from_options."""

    user_agent: str = USER_AGENT
    connect_timeout_s: float = 5.0
    read_timeout_s: float = 10.0          # between two bytes of the response
    total_timeout_s: float = 30.0         # one exchange: connect, headers, body, redirects
    max_retries: int = 2                  # extra attempts after a 429/5xx or a reset
    backoff_base_s: float = 1.0           # waits 1 s, 2 s, 4 s… when no Retry-After
    max_retry_wait_s: float = 30.0        # a longer Retry-After gives up (http_error)
    max_redirects: int = 5
    max_body_bytes: int = 5 * 1024 * 1024        # on the wire (compressed)
    max_decoded_bytes: int = MAX_BODY_BYTES      # after decompression
    max_compression_ratio: float = 100.0         # HTML compresses ~5-10x; bombs 1000x
    ratio_floor_bytes: int = 1024 * 1024         # the ratio is judged past this size
    min_host_delay_s: float = 1.0
    max_crawl_delay_s: float = 30.0       # a robots Crawl-delay above this skips the host
    allow_private_addresses: bool = False
    allowed_domains: tuple[str, ...] = ()  # empty: any public host
    allowed_content_types: tuple[str, ...] = HTML_CONTENT_TYPES
    accept: str = "text/html,application/xhtml+xml;q=0.9,*/*;q=0.1"
    state_dir: Path | None = None         # per-host timing shared across processes

    @classmethod
    def from_options(cls, options: Mapping[str, Any], *,
                     state_dir: Path | None = None) -> FetchPolicy:
        """A policy from a source's options; keys not about fetching are ignored."""
        types = {f.name: f.type for f in fields(cls)}
        values: dict[str, Any] = {"state_dir": state_dir}
        for option, name in POLICY_OPTIONS.items():
            if option not in options:
                continue
            value = options[option]
            if name == "allowed_domains":
                value = domain_list(value)
            elif types[name] == "bool":
                value = bool(value)
            elif types[name] == "int":
                value = int(value)
            elif types[name] == "float":
                value = float(value)
            values[name] = value
        return cls(**values)


def domain_list(value: Any) -> tuple[str, ...]:
    """allowed_domains as lowercase names: a YAML list, or one name as a string."""
    if isinstance(value, str):
        value = [value]
    return tuple(str(d).strip().lower().lstrip(".") for d in (value or ()) if str(d).strip())


@dataclass
class FetchResult:
    """The outcome of one fetch: fetched | unchanged (304) | quarantined."""

    url: str
    final_url: str
    outcome: str
    status: int | None = None
    headers: dict[str, str] = field(default_factory=dict)
    body: bytes | None = None
    reason_code: str | None = None
    message: str = ""
    elapsed_ms: int = 0
    etag: str | None = None
    last_modified: str | None = None

    @property
    def content_type(self) -> str | None:
        return self.headers.get("content-type")


def quarantine_reason(code: str) -> str:
    """The code a quarantine row can carry today: the specific one once reasons.yml has it."""
    if code in reason_vocabulary("quarantine_reasons"):
        return code
    return REASON_FALLBACKS.get(code, "fetch_error")


class FetchState:
    """What a run's fetches share: the HTTP client, approved addresses, robots, spacing."""

    def __init__(self, state_dir: Path | None = None):
        self.pins: dict[str, str] = {}
        self.client = httpx.Client(transport=GuardedTransport(self.pins),
                                   follow_redirects=False, trust_env=False)
        self.robots: dict[tuple[str, str], RobotsRules] = {}
        self.limiter = HostRateLimiter(state_dir)
        self._robots_locks: dict[tuple[str, str], threading.Lock] = {}
        self._guard = threading.Lock()

    def robots_lock(self, key: tuple[str, str]) -> threading.Lock:
        with self._guard:
            return self._robots_locks.setdefault(key, threading.Lock())

    def close(self) -> None:
        self.client.close()

    def __enter__(self) -> FetchState:
        return self

    def __exit__(self, *exc_info) -> None:
        self.close()


# --- one URL -------------------------------------------------------------------------

def fetch_url(url: str, *, policy: FetchPolicy, validators: Mapping[str, str | None] | None = None,
              state: FetchState | None = None) -> FetchResult:
    """Fetch one URL politely and safely; never raises for anything a server does.

    validators: the previous response's {'etag': …, 'last_modified': …}; when given,
    the request is conditional and a 304 gives outcome 'unchanged' with no body.
    """
    own_state = state is None
    state = state or FetchState(policy.state_dir)
    started = time.monotonic()
    url = normalise_url(url)
    progress = {"final_url": url, "status": None, "headers": {}}
    try:
        result = _fetch(url, policy, dict(validators or {}), state, progress)
    except FetchRejected as rejected:
        result = FetchResult(url=url, final_url=progress["final_url"], outcome="quarantined",
                             status=progress["status"], headers=progress["headers"],
                             reason_code=rejected.reason_code, message=str(rejected))
    except Exception as error:  # a bug or an exotic failure must not stop the batch
        log.warning("fetch of %s failed unexpectedly", url, exc_info=True)
        result = FetchResult(url=url, final_url=progress["final_url"], outcome="quarantined",
                             reason_code="fetch_error", message=f"{type(error).__name__}: {error}")
    finally:
        if own_state:
            state.close()
    result.elapsed_ms = int((time.monotonic() - started) * 1000)
    return result


def robots_for(url: str, policy: FetchPolicy, state: FetchState) -> RobotsRules:
    """The robots rules of `url`'s host for the policy's user agent (fetched once per state)."""
    parts = urlsplit(url)
    origin = f"{parts.scheme}://{parts.netloc}"
    key = (origin, policy.user_agent)
    with state.robots_lock(key):  # one robots.txt request per host even with many threads
        if key not in state.robots:
            state.robots[key] = _read_robots(origin, policy, state)
        return state.robots[key]


def _read_robots(origin: str, policy: FetchPolicy, state: FetchState) -> RobotsRules:
    robots_policy = replace(policy, allowed_content_types=(), max_body_bytes=MAX_ROBOTS_BYTES,
                            max_decoded_bytes=MAX_ROBOTS_BYTES, accept="text/plain,*/*;q=0.1")
    progress = {"final_url": origin, "status": None, "headers": {}}
    try:
        result = _fetch(origin + "/robots.txt", robots_policy, {}, state, progress,
                        obey_robots=False)
    except FetchRejected as rejected:
        status = progress["status"]
        if status is not None and 400 <= status < 500 and status != 429:
            return ALLOW_ALL
        # RFC 9309: an unreachable robots.txt means "assume everything is disallowed".
        return RobotsRules(disallow_all=True, note=f"robots.txt unreachable: {rejected}")
    text = (result.body or b"").decode("utf-8", errors="replace")
    return parse_robots(text, policy.user_agent)


def _fetch(url: str, policy: FetchPolicy, validators: dict, state: FetchState, progress: dict,
           *, obey_robots: bool = True) -> FetchResult:
    with exchange_scope(ExchangeDeadline(policy.total_timeout_s)) as deadline:
        return _hops(url, policy, validators, state, progress, deadline, obey_robots)


def _hops(url: str, policy: FetchPolicy, validators: dict, state: FetchState, progress: dict,
          deadline: ExchangeDeadline, obey_robots: bool) -> FetchResult:
    seen: set[str] = set()
    current = url
    for hop in range(policy.max_redirects + 1):
        if current in seen:
            raise FetchRejected("too_many_redirects", f"redirect loop back to {current}")
        seen.add(current)
        progress["final_url"] = current
        address = check_url(current, allow_private=policy.allow_private_addresses,
                            allowed_domains=policy.allowed_domains, is_redirect=hop > 0)
        host = _connect_host(current)
        state.pins[host] = address
        delay = policy.min_host_delay_s
        if obey_robots:
            rules = robots_for(current, policy, state)
            parts = urlsplit(current)
            path = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
            if not rules.allows(path):
                raise FetchRejected("robots_disallowed",
                                    f"robots.txt disallows {path} {rules.note}".strip())
            if rules.crawl_delay_s is not None:
                if rules.crawl_delay_s > policy.max_crawl_delay_s:
                    raise FetchRejected("robots_disallowed",
                                        f"Crawl-delay {rules.crawl_delay_s}s exceeds the "
                                        f"{policy.max_crawl_delay_s}s this run can honour")
                delay = max(delay, rules.crawl_delay_s)
        headers = _request_headers(policy, validators if hop == 0 else {})
        with contextlib.closing(_send(current, headers, host, delay, policy, state,
                                      progress, deadline)) as response:
            status = response.status_code
            location = response.headers.get("location")
            if status in REDIRECT_STATUSES and location:
                current = normalise_url(urljoin(current, location))
                continue
            return _read_response(url, current, response, policy, validators)
    raise FetchRejected("too_many_redirects", f"more than {policy.max_redirects} redirects")


def _connect_host(url: str) -> str:
    """The host as the connection sees it (IDNA-encoded), the key of pins and spacing."""
    try:
        return httpx.URL(url).raw_host.decode("ascii").lower()
    except (httpx.InvalidURL, UnicodeError) as error:
        raise FetchRejected("blocked_url", f"invalid host in {url}: {error}") from None


def _request_headers(policy: FetchPolicy, validators: dict) -> dict[str, str]:
    headers = {"User-Agent": policy.user_agent, "Accept": policy.accept,
               "Accept-Encoding": "gzip, deflate"}  # the encodings _BodyDecoder can cap
    if validators.get("etag"):
        headers["If-None-Match"] = validators["etag"]
    if validators.get("last_modified"):
        headers["If-Modified-Since"] = validators["last_modified"]
    return headers


def _send(url: str, headers: dict, host: str, delay_s: float, policy: FetchPolicy,
          state: FetchState, progress: dict, deadline: ExchangeDeadline) -> httpx.Response:
    """One request with bounded retries; returns an open streaming response.

    progress gets the status and headers of the latest response, for the report.
    """
    timeout = httpx.Timeout(policy.read_timeout_s, connect=policy.connect_timeout_s)
    for attempt in range(policy.max_retries + 1):
        state.limiter.wait(host, delay_s)
        deadline.start()
        try:
            request = state.client.build_request("GET", url, headers=headers, timeout=timeout)
            response = state.client.send(request, stream=True)
        except httpx.InvalidURL as error:
            # httpx builds the redirect request even when it does not follow it, so a
            # Location such as javascript:alert(1) fails here, before _hops can check it.
            raise FetchRejected("unsupported_url", f"cannot follow the answer: {error}") \
                from None
        except httpx.TimeoutException as error:
            # Not retried: a server too slow now is retried by tomorrow's run.
            raise FetchRejected("timeout", f"no answer within the timeout: {error!r}") from None
        except httpx.TransportError as error:
            if attempt == policy.max_retries:
                raise FetchRejected("fetch_error", f"{type(error).__name__}: {error}") from None
            time.sleep(min(policy.backoff_base_s * 2 ** attempt, policy.max_retry_wait_s))
            continue
        progress["status"], progress["headers"] = response.status_code, dict(response.headers)
        if response.status_code not in RETRY_STATUSES or attempt == policy.max_retries:
            return response
        wait = _retry_after_s(response.headers.get("retry-after"))
        response.close()
        if wait is None:
            wait = policy.backoff_base_s * 2 ** attempt
        if wait > policy.max_retry_wait_s:
            raise FetchRejected("http_error", f"HTTP {response.status_code}: Retry-After "
                                f"{wait:.0f}s exceeds the {policy.max_retry_wait_s}s cap")
        time.sleep(wait)
    raise AssertionError("unreachable")  # the loop always returns or raises


def _retry_after_s(value: str | None) -> float | None:
    """Retry-After as seconds from now (delta-seconds or an HTTP date); None if absent."""
    if not value:
        return None
    value = value.strip()
    if value.isdigit():
        return float(value)
    try:
        moment = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return max(0.0, (moment - datetime.now(UTC)).total_seconds())


def _read_response(url: str, final_url: str, response: httpx.Response, policy: FetchPolicy,
                   validators: dict) -> FetchResult:
    status = response.status_code
    headers = dict(response.headers)
    etag = response.headers.get("etag") or validators.get("etag")
    last_modified = response.headers.get("last-modified") or validators.get("last_modified")
    common = {"url": url, "final_url": final_url, "status": status, "headers": headers,
              "etag": etag, "last_modified": last_modified}
    if status == 304:
        return FetchResult(outcome="unchanged", **common)
    if not 200 <= status < 300:
        raise FetchRejected("http_error", f"HTTP {status}")
    media_type = response.headers.get("content-type", "").split(";", 1)[0].strip().lower()
    if policy.allowed_content_types and media_type and \
            media_type not in policy.allowed_content_types:
        raise FetchRejected("not_html", f"content type {media_type!r} is not one of "
                            f"{', '.join(policy.allowed_content_types)}")
    declared = response.headers.get("content-length", "")
    if declared.isdigit() and int(declared) > policy.max_body_bytes:
        raise FetchRejected("too_large", f"Content-Length {declared} exceeds the "
                            f"{policy.max_body_bytes}-byte cap")
    decoder = body_decoder(response.headers.get("content-encoding", ""), policy)
    try:  # the exchange's deadline is enforced by the stream at every socket read
        for chunk in response.iter_raw(chunk_size=64 * 1024):
            decoder.feed(chunk)
    except httpx.TimeoutException as error:
        raise FetchRejected("timeout", f"the body stalled: {error!r}") from None
    except httpx.TransportError as error:
        raise FetchRejected("fetch_error", f"{type(error).__name__}: {error}") from None
    return FetchResult(outcome="fetched", body=decoder.finish(), **common)


def body_decoder(content_encoding: str, policy: FetchPolicy) -> BodyDecoder:
    return BodyDecoder(content_encoding, max_wire_bytes=policy.max_body_bytes,
                       max_decoded_bytes=policy.max_decoded_bytes,
                       max_ratio=policy.max_compression_ratio,
                       ratio_floor_bytes=policy.ratio_floor_bytes)


def decompress_capped(data: bytes, encoding: str, policy: FetchPolicy) -> bytes:
    """Decode a whole compressed blob (a .xml.gz sitemap) under the same caps."""
    decoder = body_decoder(encoding, policy)
    decoder.feed(data)
    return decoder.finish()


# --- a batch ---------------------------------------------------------------------------

HTTP_KINDS = ("rss", "sitemap", "urls")  # kinds whose pages come over the network


def http_state_dir(settings) -> Path:
    """Where per-host request times live, shared by discovery and fetch of a run."""
    return settings.warehouse_dir / "staging" / "http_state"


def fetch_http_pages(discovered: pl.DataFrame, ingest_date: str, *,
                     validators: pl.DataFrame | None = None,
                     policy: FetchPolicy | Mapping[str, FetchPolicy],
                     workers: int = 4) -> tuple[pl.DataFrame, pl.DataFrame]:
    """Fetch every discovered row over HTTP. Returns (pages, quarantine).

    discovered: DISCOVERED_SCHEMA rows (url is fetched; location is ignored).
    validators: optional frame with url, etag, last_modified from the previous run.
    policy: one FetchPolicy, or one per source_name. Pages follow HTTP_PAGES_SCHEMA
    (PAGES_SCHEMA plus HTTP_PAGE_COLUMNS), one row per discovered row, in order;
    quarantined and unchanged pages are kept with no html. Threads share the
    per-host spacing, so `workers` only overlaps requests to different hosts.
    """
    previous: dict[str, dict[str, str | None]] = {}
    if validators is not None and validators.height:
        for row in validators.iter_rows(named=True):
            previous[row["url"]] = {"etag": row.get("etag"),
                                    "last_modified": row.get("last_modified")}
    rows = list(discovered.iter_rows(named=True))
    policies = [policy if isinstance(policy, FetchPolicy) else policy[row["source_name"]]
                for row in rows]
    state_dir = next((p.state_dir for p in policies if p.state_dir is not None), None)
    with FetchState(state_dir) as state, ThreadPoolExecutor(max(1, workers)) as pool:
        results = list(pool.map(
            lambda pair: (pair[0], fetch_url(pair[0]["url"], policy=pair[1],
                                             validators=previous.get(pair[0]["url"]),
                                             state=state)),
            zip(rows, policies, strict=True)))
    pages, quarantined = [], []
    for row, result in results:
        page, problem = _page_row(row, result, ingest_date)
        pages.append(page)
        if problem is not None:
            quarantined.append(problem)
    return pl.DataFrame(pages, schema=HTTP_PAGES_SCHEMA), quarantine_frame(quarantined)


def _page_row(row: dict, result: FetchResult, ingest_date: str) -> tuple[dict, dict | None]:
    body = result.body or b""
    html, outcome, code, message = None, result.outcome, result.reason_code, result.message
    if outcome == "fetched":
        try:
            html = decode_http_body(body, result.content_type)
        except FetchRejected as rejected:
            outcome, code, message = "quarantined", rejected.reason_code, str(rejected)
    problem = None
    if outcome == "quarantined":
        problem = quarantine_row(
            stage="fetch", reason_code=quarantine_reason(code or "fetch_error"),
            message=f"[{code}] {message}", url=row["url"], source_name=row["source_name"],
            excerpt=body or None)
    page = {
        "page_id": page_id(ingest_date, row["url"]),
        "source_name": row["source_name"],
        "url": row["url"],
        "fetched_at": datetime.now(UTC).replace(tzinfo=None),
        "http_status": result.status,
        "content_type": result.content_type,
        "content_hash": hashlib.sha256(body).hexdigest() if result.body is not None else None,
        "byte_count": len(body),
        "html": html,
        "fetch_outcome": outcome,
        "final_url": result.final_url,
        "etag": result.etag,
        "last_modified": result.last_modified,
        "response_headers": json.dumps(result.headers, sort_keys=True) if result.headers else None,
        "elapsed_ms": result.elapsed_ms,
    }
    return page, problem
