"""The figure-parsing evaluation: scoring logic, and the pinned floor on NewsQuant dev."""

from __future__ import annotations

import json

import pytest

from claimledger.eval_figures import (
    UNIT_ACCURACY_FLOOR,
    VALUE_ACCURACY_FLOOR,
    default_dataset,
    evaluate,
    main,
)


def test_evaluate_matches_by_value_and_scores_units_and_changes():
    records = [
        {"text": "Sales rose 5% to $2 billion.", "quantities": [
            {"change": "up", "value": "5", "unit": "%", "normalized_unit": "percentage",
             "referred_concepts": "-"},
            {"change": "=", "value": "2000000000", "unit": "$", "normalized_unit": "dollar",
             "referred_concepts": "-"},
        ]},
        {"text": "It happened in 2019 with 7 goals.", "quantities": [
            {"change": "=", "value": "8", "unit": "goals", "normalized_unit": "goal",
             "referred_concepts": "-"},
        ]},
    ]
    score = evaluate(records)
    assert (score.gold, score.predicted, score.matched) == (3, 3, 2)
    assert score.unit_accuracy == 1.0 and score.change_accuracy == 1.0
    assert len(score.missed) == 1 and len(score.spurious) == 1


def test_eval_cli_reports_missing_data_with_exit_status_2(tmp_path, capsys):
    assert main(["--dataset", str(tmp_path / "nope.json")]) == 2


def test_eval_cli_fails_below_the_floor(tmp_path, capsys):
    data = tmp_path / "tiny.json"
    data.write_text(json.dumps([{"text": "Nothing here.", "quantities": [
        {"change": "=", "value": "3", "unit": "x", "normalized_unit": "x",
         "referred_concepts": "-"}]}]))
    assert main(["--dataset", str(data)]) == 1
    assert "missed gold quantities (1)" in capsys.readouterr().out


@pytest.mark.skipif(not default_dataset().exists(),
                    reason=f"NewsQuant dev split not found at {default_dataset()} "
                           "(set CLAIMLEDGER_EVAL_DIR)")
def test_figure_parsing_meets_the_newsquant_dev_floor():
    records = json.loads(default_dataset().read_text(encoding="utf-8"))
    score = evaluate(records)
    assert score.value_accuracy >= VALUE_ACCURACY_FLOOR, score.missed[:20]
    assert score.unit_accuracy >= UNIT_ACCURACY_FLOOR, score.unit_wrong[:20]
