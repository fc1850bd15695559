import pytest

from transforms.quarantine import quarantine_row, reason_vocabulary


def test_quarantine_row_refuses_codes_outside_the_vocabulary():
    with pytest.raises(ValueError, match="unknown quarantine reason"):
        quarantine_row(stage="fetch", reason_code="oops", message="m", url="u", source_name="s")


def test_quarantine_id_is_stable_per_stage_and_url():
    a = quarantine_row(stage="fetch", reason_code="empty_file", message="m", url="u",
                       source_name="s")
    b = quarantine_row(stage="fetch", reason_code="not_html", message="n", url="u",
                       source_name="s")
    assert a["quarantine_id"] == b["quarantine_id"]


def test_vocabularies_are_snake_case_and_documented():
    for section in ("removal_reasons", "quarantine_reasons"):
        codes = reason_vocabulary(section)
        assert codes, section
        assert all(code.isidentifier() and code == code.lower() for code in codes)
