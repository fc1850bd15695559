from pathlib import Path

import pytest

from tests.conftest import REPO, SAMPLE_CORPUS
from transforms.ingest.discovery import discover
from transforms.ingest.sources import SourceConfigError, load_sources
from transforms.kernel.settings import Settings


def test_discover_lists_every_bundled_page_with_its_manifest_url(settings):
    discovered = discover(settings)
    assert discovered.height == len(list(SAMPLE_CORPUS.glob("*.html")))
    assert discovered["url"].str.starts_with("http").all()
    assert discovered["url"].is_unique().all()
    assert set(discovered["source_kind"]) == {"snapshot"}


def test_corpus_override_replaces_configured_sources_and_derives_urls(tmp_path: Path):
    folder = tmp_path / "pages"
    (folder / "sub").mkdir(parents=True)
    (folder / "one.html").write_text("<p>x</p>")
    (folder / "sub" / "two.htm").write_text("<p>y</p>")
    (folder / "notes.txt").write_text("not a page")
    settings = Settings.from_env({"CLAIMLEDGER_HOME": str(REPO),
                                  "CLAIMLEDGER_CORPUS": str(folder)})
    discovered = discover(settings)
    assert discovered["url"].to_list() == ["snapshot://pages/one.html",
                                           "snapshot://pages/sub/two.htm"]
    assert set(discovered["source_name"]) == {"pages"}


def test_unknown_source_kind_is_a_clear_error(tmp_path: Path):
    config = tmp_path / "sources.yml"
    config.write_text("sources:\n  - name: x\n    kind: carrier_pigeon\n")
    settings = Settings.from_env({"CLAIMLEDGER_HOME": str(REPO),
                                  "CLAIMLEDGER_SOURCES": str(config)})
    with pytest.raises(SourceConfigError, match="unknown kind 'carrier_pigeon'"):
        load_sources(settings)


def test_missing_snapshot_folder_is_a_clear_error(tmp_path: Path):
    settings = Settings.from_env({"CLAIMLEDGER_HOME": str(REPO),
                                  "CLAIMLEDGER_CORPUS": str(tmp_path / "absent")})
    with pytest.raises(SourceConfigError, match="folder not found"):
        discover(settings)
