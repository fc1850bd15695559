"""WARC files: only regular files inside a source's folder are read, never quoted.

discover_warc (discovery_web) lists the HTML response records of a source's WARC files and
read_warc_record reads one back at fetch from its `warc://<path>#<offset>` location. Both
open files through open_inside, which refuses (FetchRejected unsafe_path, before a byte is
read) a path that resolves outside the source's folder (a symbolic link leaving it, a
dangling or looping link) or is not a regular file (a FIFO, a device, a socket). A file
that is no WARC is refused without warcio's message, which quotes the file's first line.
"""

from __future__ import annotations

import contextlib
import errno
import os
import stat
import zlib
from collections.abc import Iterator
from pathlib import Path
from typing import BinaryIO

from warcio.archiveiterator import ArchiveIterator
from warcio.exceptions import ArchiveLoadFailed

from transforms.ingest.pages import MAX_BODY_BYTES, FetchRejected

WARC_SUFFIXES = (".warc", ".warc.gz")
# What warcio raises on a file that is not (or stops being) a WARC.
NOT_WARC_ERRORS = (ArchiveLoadFailed, EOFError, zlib.error, ValueError)


def warc_entries(target: Path) -> list[Path]:
    """A source's WARC entries: its `path` when that is a file, else every *.warc and
    *.warc.gz under the folder that is not a plain directory (links and special files
    included, for open_inside to refuse with a reason rather than skip unseen)."""
    if not target.is_dir():
        return [target]
    return sorted(p for p in target.rglob("*")
                  if p.name.endswith(WARC_SUFFIXES) and (p.is_symlink() or not p.is_dir()))


@contextlib.contextmanager
def open_inside(path: Path, root: Path) -> Iterator[BinaryIO]:
    """`path` open for reading when it is a regular file at or inside `root` (resolved).

    Raises FetchRejected('unsafe_path') without reading: a link that dangles, loops or
    resolves outside root, or anything but a regular file ('fetch_error': no such file).
    The opened descriptor's own path (/proc/self/fd) is checked again, so a folder
    swapped for a link between the resolve and the open is refused too.
    """
    try:
        resolved = path.resolve(strict=True)
    except FileNotFoundError:
        if path.is_symlink():
            raise FetchRejected("unsafe_path", "dangling symbolic link") from None
        raise FetchRejected("fetch_error", "no such file") from None
    except (OSError, RuntimeError):  # RuntimeError: a loop, before Python 3.13
        raise FetchRejected("unsafe_path", "symbolic link loop") from None
    if not _inside(resolved, root):
        raise FetchRejected("unsafe_path", "resolves to a file outside the WARC folder")
    try:
        fd = os.open(resolved, os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK)
    except OSError as problem:
        if problem.errno == errno.ELOOP:  # swapped for a link since the resolve
            raise FetchRejected("unsafe_path", "became a symbolic link") from None
        raise
    with os.fdopen(fd, "rb") as handle:
        if not stat.S_ISREG(os.fstat(fd).st_mode):
            raise FetchRejected("unsafe_path", "not a regular file (FIFO, device or socket)")
        opened = _descriptor_path(fd)
        if opened is not None and not _inside(opened, root):
            raise FetchRejected("unsafe_path", "resolves to a file outside the WARC folder")
        yield handle


def _inside(path: Path, root: Path) -> bool:
    return path == root or path.is_relative_to(root)


def _descriptor_path(fd: int) -> Path | None:
    try:
        return Path(os.readlink(f"/proc/self/fd/{fd}"))
    except OSError:  # no /proc: the resolve before the open is the check
        return None


def parse_location(location: str) -> tuple[Path, int]:
    """(path, byte offset) of a warc:// location; FetchRejected(fetch_error) if malformed."""
    path, _, offset = location.removeprefix("warc://").rpartition("#")
    if not location.startswith("warc://") or not path or not offset.isdigit():
        raise FetchRejected("fetch_error", f"not a warc location: {location[:200]}")
    return Path(path), int(offset)


def read_warc_record(location: str, root: Path, max_bytes: int = MAX_BODY_BYTES) -> bytes:
    """The HTTP body (de-chunked, decompressed) of the response record at a warc://
    location whose file lies inside `root` (a source's resolved WARC folder or file).

    Raises FetchRejected(unsafe_path | parse_error | fetch_error | too_large).
    """
    path, offset = parse_location(location)
    try:
        with open_inside(path, root) as stream:
            stream.seek(offset)
            record = next(iter(ArchiveIterator(stream)), None)
            if record is None or record.rec_type != "response":
                raise FetchRejected("fetch_error", f"no response record at {location}")
            body = record.content_stream().read(max_bytes + 1)
    except NOT_WARC_ERRORS as error:
        raise FetchRejected("parse_error", f"not a WARC record at {location} "
                            f"({type(error).__name__})") from None
    except OSError as error:
        raise FetchRejected("fetch_error", f"cannot read {location}: {error.strerror}") \
            from None
    if len(body) > max_bytes:
        raise FetchRejected("too_large", f"the record body exceeds the {max_bytes}-byte cap")
    return body
