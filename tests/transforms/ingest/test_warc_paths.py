"""A WARC source reads regular files inside its folder only: links that leave it, dangling
links, link loops and special files each become one `unsafe_path` quarantine row, unread,
and a file that is no WARC a `parse_error` row that does not quote it."""

from __future__ import annotations

import os
from pathlib import Path

import polars as pl
import pytest

from tests.transforms.ingest.fake_news_site import write_warc
from transforms.ingest.discovery_web import discover_warc, warc_root
from transforms.ingest.local_files import fetch_pages
from transforms.ingest.pages import FetchRejected
from transforms.ingest.sources import Source
from transforms.ingest.warc import read_warc_record

OUTSIDE_MARKER = "OUTSIDE-ONLY-MARKER"
INSIDE_JUNK = "INSIDE-JUNK-FIRST-LINE"
UNSAFE = ("passwd.warc", "outside.warc", "loop_a.warc", "loop_b.warc", "dangling.warc",
          "pipe.warc", "zero.warc")


def _outside_warc(tmp_path: Path) -> Path:
    """A real WARC outside the source's folder whose pages carry OUTSIDE_MARKER."""
    outside = tmp_path / "elsewhere" / "real.warc"
    outside.parent.mkdir()
    write_warc(outside, compressed=False)
    outside.write_bytes(outside.read_bytes().replace(b"Exports rose", OUTSIDE_MARKER.encode()))
    return outside


def _warc_folder(tmp_path: Path) -> Path:
    folder = tmp_path / "warcs"
    (folder / "sub").mkdir(parents=True)
    write_warc(folder / "good.warc", compressed=False)
    write_warc(folder / "sub" / "good.warc.gz", compressed=True)
    outside = _outside_warc(tmp_path)
    (folder / "passwd.warc").symlink_to("/etc/passwd")
    (folder / "outside.warc").symlink_to(outside)
    (folder / "loop_a.warc").symlink_to(folder / "loop_b.warc")
    (folder / "loop_b.warc").symlink_to(folder / "loop_a.warc")
    (folder / "dangling.warc").symlink_to(folder / "nothing-here.warc")
    (folder / "inside_link.warc").symlink_to(folder / "good.warc")
    (folder / "zero.warc").symlink_to("/dev/zero")
    os.mkfifo(folder / "pipe.warc")
    (folder / "junk.warc").write_text(f"{INSIDE_JUNK}\nnot a WARC at all\n")
    return folder


def _source(folder: Path) -> Source:
    return Source("crawl", "warc", {"path": str(folder)})


def _run(tmp_path: Path, settings) -> tuple[pl.DataFrame, pl.DataFrame, pl.DataFrame]:
    folder = _warc_folder(tmp_path)
    discovered = discover_warc(_source(folder), settings)
    roots = {"crawl": warc_root(_source(folder), settings)}
    pages, quarantine = fetch_pages(discovered, "2026-01-01", warc_roots=roots)
    return discovered, pages, quarantine


@pytest.mark.timeout(60)  # a FIFO opened for reading without O_NONBLOCK would hang here
def test_links_out_of_the_folder_and_special_files_are_quarantined_unread(tmp_path, settings):
    discovered, pages, quarantine = _run(tmp_path, settings)
    reasons = dict(zip(quarantine["url"], quarantine["reason_code"], strict=True))
    unsafe = {f"warc://crawl/{name}": "unsafe_path" for name in UNSAFE}
    assert reasons == {**unsafe, "warc://crawl/junk.warc#0": "parse_error"}
    assert quarantine.filter(pl.col("reason_code") == "unsafe_path")["input_excerpt"] \
        .is_null().all()
    # good.warc, the inside link to it and sub/good.warc.gz hold pages a and b each (the
    # first copy of a URL is kept); none of the three is refused.
    fetched = pages.filter(pl.col("fetch_outcome") == "fetched")
    assert fetched["url"].to_list() == ["https://news.example/a", "https://news.example/b"]
    messages = dict(zip(quarantine["url"], quarantine["error_message"], strict=True))
    assert "dangling" in messages["warc://crawl/dangling.warc"]
    assert "loop" in messages["warc://crawl/loop_a.warc"]
    assert "outside" in messages["warc://crawl/passwd.warc"]
    assert "outside" in messages["warc://crawl/zero.warc"]
    assert "FIFO" in messages["warc://crawl/pipe.warc"]
    assert discovered.height == 2 + len(UNSAFE) + 1


def test_no_byte_of_an_outside_file_or_of_a_junk_file_reaches_any_row(tmp_path, settings):
    discovered, pages, quarantine = _run(tmp_path, settings)
    passwd_lines = [line for line in Path("/etc/passwd").read_text().splitlines() if line]
    cells = [str(value) for frame in (discovered, pages, quarantine)
             for column in frame.columns for value in frame[column].to_list()
             if value is not None]
    text = "\n".join(cells)
    assert OUTSIDE_MARKER not in text
    assert not any(line in text for line in passwd_lines)
    assert "root:" not in text
    assert INSIDE_JUNK not in text  # warcio's own message quotes a bad file's first line


def test_a_location_outside_the_folder_or_of_another_source_is_refused(tmp_path):
    folder = tmp_path / "warcs"
    folder.mkdir()
    outside = _outside_warc(tmp_path)
    forged = pl.DataFrame({
        "source_name": ["crawl", "crawl", "other"],
        "source_kind": ["warc"] * 3,
        "url": ["https://news.example/a"] * 3,
        "location": [f"warc://{outside}#0", f"warc://{folder}/../elsewhere/real.warc#0",
                     f"warc://{outside}#0"],
    })
    pages, quarantine = fetch_pages(forged, "2026-01-01",
                                    warc_roots={"crawl": folder.resolve()})
    assert quarantine["reason_code"].to_list() == ["unsafe_path"] * 3
    assert "no WARC folder" in quarantine["error_message"][2]
    assert OUTSIDE_MARKER not in "".join(str(v) for v in pages["html"].to_list())


def test_a_file_swapped_for_a_link_after_discovery_is_refused(tmp_path, settings):
    folder = tmp_path / "warcs"
    (folder / "sub").mkdir(parents=True)
    write_warc(folder / "sub" / "good.warc", compressed=False)
    discovered = discover_warc(_source(folder), settings)
    outside = _outside_warc(tmp_path)
    (folder / "sub" / "good.warc").unlink()
    (folder / "sub" / "good.warc").symlink_to(outside)
    roots = {"crawl": folder.resolve()}
    pages, quarantine = fetch_pages(discovered, "2026-01-01", warc_roots=roots)
    assert quarantine["reason_code"].to_list() == ["unsafe_path"] * 2
    assert pages["html"].is_null().all()


def test_a_folder_swapped_for_a_link_between_resolve_and_open_is_refused(tmp_path,
                                                                        monkeypatch):
    """The race open_inside's descriptor check closes: the path resolved inside the
    folder, then `sub` became a link out of it before the open."""
    folder = tmp_path / "warcs"
    folder.mkdir()
    outside = _outside_warc(tmp_path)
    (folder / "sub").symlink_to(outside.parent)
    monkeypatch.setattr(Path, "resolve", lambda self, strict=False: Path(os.path.abspath(self)))
    with pytest.raises(FetchRejected) as refused:
        read_warc_record(f"warc://{folder}/sub/real.warc#0", folder)
    assert refused.value.reason_code == "unsafe_path"
    assert "outside" in str(refused.value)
