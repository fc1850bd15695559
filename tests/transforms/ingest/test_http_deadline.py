"""One wall-clock deadline per HTTP exchange, whatever pace the server keeps: a real
server on 127.0.0.1 trickling its headers or its body at one byte a second, each byte
well inside the read timeout, ends as `timeout` at the total deadline."""

from __future__ import annotations

import socket
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import replace

import pytest

from tests.transforms.ingest.fake_news_site import guard_sockets
from transforms.ingest.http_client import FetchPolicy, fetch_url

DEADLINE_S = 2.0
BODY = b"<html><body>" + b"<p>x</p>" * 48 + b"</body></html>"
HEADERS = (b"HTTP/1.1 200 OK\r\nContent-Type: text/html\r\n"
           b"Content-Length: %d\r\nConnection: close\r\n\r\n" % len(BODY))


@pytest.fixture(autouse=True)
def refused_connections(monkeypatch):
    return guard_sockets(monkeypatch)


@contextmanager
def trickling_server(prefix: bytes, trickled: bytes) -> Iterator[str]:
    """Answers /robots.txt with a 404 at once; any other request with `prefix` at once,
    then `trickled` one byte a second until the client goes away."""
    listener = socket.create_server(("127.0.0.1", 0))
    listener.settimeout(0.2)
    stop = threading.Event()

    def serve(conn: socket.socket) -> None:
        with conn:
            request = conn.recv(4096)
            try:
                if b"/robots.txt" in request.split(b"\r\n", 1)[0]:
                    conn.sendall(b"HTTP/1.1 404 Not Found\r\nContent-Length: 0\r\n"
                                 b"Connection: close\r\n\r\n")
                    return
                conn.sendall(prefix)
                for byte in trickled:
                    if stop.wait(1.0):
                        return
                    conn.sendall(bytes([byte]))
            except OSError:  # the client closed the connection at its deadline
                return

    def accept() -> None:
        while not stop.is_set():
            try:
                conn, _ = listener.accept()
            except TimeoutError:
                continue
            threading.Thread(target=serve, args=(conn,), daemon=True).start()

    thread = threading.Thread(target=accept, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{listener.getsockname()[1]}"
    finally:
        stop.set()
        thread.join()
        listener.close()


def _policy() -> FetchPolicy:
    return replace(FetchPolicy(), allow_private_addresses=True, min_host_delay_s=0.0,
                   connect_timeout_s=1.0, read_timeout_s=5.0, total_timeout_s=DEADLINE_S,
                   max_retries=0)


@pytest.mark.timeout(30)
@pytest.mark.parametrize(("prefix", "trickled"), [
    (b"", HEADERS + BODY),  # the headers at 1 byte/s
    (HEADERS, BODY),        # the headers at once, the body at 1 byte/s
], ids=["headers", "body"])
def test_a_server_trickling_one_byte_a_second_ends_as_timeout_at_the_deadline(prefix, trickled):
    with trickling_server(prefix, trickled) as base:
        result = fetch_url(base + "/slow", policy=_policy())
    assert (result.outcome, result.reason_code) == ("quarantined", "timeout")
    assert result.elapsed_ms <= (DEADLINE_S + 1.0) * 1000


@pytest.mark.timeout(30)
def test_a_page_within_the_deadline_is_fetched_over_the_same_streams():
    with trickling_server(HEADERS + BODY, b"") as base:
        result = fetch_url(base + "/fast", policy=_policy())
    assert result.outcome == "fetched" and result.body == BODY

