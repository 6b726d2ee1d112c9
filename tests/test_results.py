"""Results files: good ones load; malformed, truncated, oversized or forged ones are refused."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from quizbook.results import MAX_RESULTS_BYTES, ResultsFileError, dump_results, load_results


def good() -> dict[str, Any]:
    return {
        "format": "quizbook-results/1", "student": "Ada", "exported_at": "2026-11-24T10:00:00Z",
        "source": "book",
        "quizzes": [{"quiz": "l1-laboratory", "lesson": "01-laboratory", "version": "abc123",
                     "score": 1.5, "max": 2, "attempts": 2,
                     "first_attempt": "2026-11-24T09:00:00Z",
                     "last_attempt": "2026-11-24T09:30:00Z",
                     "questions": [
                         {"id": "q1", "points": 1, "max": 1, "correct": True, "attempts": 1,
                          "response": "b"},
                         {"id": "q2", "points": 0.5, "max": 1, "correct": False, "attempts": 2,
                          "response": ["a"]}]}]}


def write(tmp_path: Path, data: Any) -> Path:
    path = tmp_path / "results.json"
    path.write_text(data if isinstance(data, str) else json.dumps(data), encoding="utf-8")
    return path


def test_good_file_round_trips(tmp_path: Path) -> None:
    results = load_results(write(tmp_path, good()))
    assert results.student == "Ada" and results.quizzes[0].score == 1.5
    again = load_results(write(tmp_path, dump_results(results)))
    assert again == results


def refused(tmp_path: Path, data: Any) -> str:
    path = write(tmp_path, data)
    with pytest.raises(ResultsFileError) as info:
        load_results(path)
    message = str(info.value)
    assert str(path) in message
    return message


def test_truncated(tmp_path: Path) -> None:
    assert "not valid JSON" in refused(tmp_path, json.dumps(good())[:-20])


def test_foreign_json(tmp_path: Path) -> None:
    assert "not a quizbook results file" in refused(tmp_path, {"hello": "world"})


def test_forged_score_above_max(tmp_path: Path) -> None:
    data = good()
    data["quizzes"][0]["score"] = 99
    assert "exceeds the maximum" in refused(tmp_path, data)


def test_forged_question_points(tmp_path: Path) -> None:
    data = good()
    data["quizzes"][0]["questions"][0]["points"] = 5
    assert "exceed the maximum" in refused(tmp_path, data)


def test_score_not_sum_of_questions(tmp_path: Path) -> None:
    data = good()
    data["quizzes"][0]["score"] = 2
    assert "not the sum" in refused(tmp_path, data)


def test_wrong_type_names_field(tmp_path: Path) -> None:
    data = good()
    data["quizzes"][0]["attempts"] = "many"
    assert "quizzes.0.attempts" in refused(tmp_path, data)


def test_oversized(tmp_path: Path) -> None:
    assert "larger than" in refused(tmp_path, " " * (MAX_RESULTS_BYTES + 1))
