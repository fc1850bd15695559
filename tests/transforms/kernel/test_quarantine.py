import pytest

from transforms.kernel.keys import quarantine_id, quarantine_ids
from transforms.kernel.quarantine import quarantine_frame, quarantine_row, reason_vocabulary


def test_quarantine_row_refuses_codes_outside_the_vocabulary():
    with pytest.raises(ValueError, match="unknown quarantine reason"):
        quarantine_row(stage="fetch", reason_code="oops", message="m", url="u", source_name="s")


def test_quarantine_id_is_stable_per_day_stage_and_url():
    assert quarantine_id("2026-01-02", "fetch", "u") == quarantine_id("2026-01-02", "fetch", "u")
    assert quarantine_id("2026-01-02", "fetch", "u") != quarantine_id("2026-01-03", "fetch", "u")
    assert quarantine_id("2026-01-02", "fetch", "u") != quarantine_id("2026-01-02", "load", "u")
    assert quarantine_id("2026-01-02", "fetch", None) == quarantine_id("2026-01-02", "fetch", "")


def test_the_load_keys_every_quarantine_row_of_a_frame():
    rows = quarantine_frame([quarantine_row(stage=stage, reason_code="empty_file", message="m",
                                            url=url, source_name="s")
                             for stage, url in (("fetch", "u"), ("extract", None))])
    assert rows["quarantine_id"].is_null().all()
    assert quarantine_ids(rows, "2026-01-02").to_list() == [
        quarantine_id("2026-01-02", "fetch", "u"), quarantine_id("2026-01-02", "extract", None)]


def test_vocabularies_are_snake_case_and_documented():
    for section in ("removal_reasons", "quarantine_reasons"):
        codes = reason_vocabulary(section)
        assert codes, section
        assert all(code.isidentifier() and code == code.lower() for code in codes)
