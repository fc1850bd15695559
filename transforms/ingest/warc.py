"""WARC records: the body of the response record at a warc:// location."""

from __future__ import annotations

from warcio.archiveiterator import ArchiveIterator

from transforms.ingest.pages import MAX_BODY_BYTES, FetchRejected


def read_warc_record(location: str, max_bytes: int = MAX_BODY_BYTES) -> bytes:
    """The HTTP body (de-chunked, decompressed) of the WARC record at a warc:// location.

    Raises FetchRejected(fetch_error | too_large).
    """
    if not location.startswith("warc://") or "#" not in location:
        raise FetchRejected("fetch_error", f"not a warc location: {location}")
    path, _, offset = location.removeprefix("warc://").rpartition("#")
    try:
        with open(path, "rb") as stream:
            stream.seek(int(offset))
            record = next(iter(ArchiveIterator(stream)), None)
            if record is None or record.rec_type != "response":
                raise FetchRejected("fetch_error", f"no response record at {location}")
            body = record.content_stream().read(max_bytes + 1)
    except (OSError, ValueError) as error:
        raise FetchRejected("fetch_error", f"cannot read {location}: {error}") from None
    if len(body) > max_bytes:
        raise FetchRejected("too_large", f"the record body exceeds the {max_bytes}-byte cap")
    return body
