"""Stored numbers and quizzes: they agree with the instructor's references, round-trip exactly,
and the student's copy of the package never holds a quiz answer in readable form."""

import importlib
import json
import shutil
from pathlib import Path

import numpy as np
import pytest

from nncourse.grading import run_item
from nncourse.grading import store as store_cli
from nncourse.grading.feedback import Mistake
from nncourse.grading.quiz import Choice, Number, check_quiz, stored_block
from nncourse.grading.stored import ITEMS_DIR, decode, dumps, encode, numbers

ROOT = Path(__file__).resolve().parent.parent
REFERENCES = ROOT / "solutions" / "references"


def test_stored_numbers_agree_with_the_references(capsys):
    assert store_cli.main(["--check", "--references", str(REFERENCES)]) == 0, capsys.readouterr().out


def test_a_stale_stored_number_is_reported(tmp_path, capsys):
    for path in ITEMS_DIR.glob("ex*.json"):
        shutil.copy(path, tmp_path / path.name)
    stale = json.loads((tmp_path / "ex01.json").read_text())
    stale["ex01-step"]["expected"]["array"][0] = 1.0
    (tmp_path / "ex01.json").write_text(json.dumps(stale))
    assert store_cli.main(["--check", "--references", str(REFERENCES), "--items", str(tmp_path)]) == 1
    out = capsys.readouterr().out
    assert "ex01.json disagrees with" in out and "for ex01-step" in out


def test_every_stored_item_is_a_registered_item():
    for path in ITEMS_DIR.glob("ex*.json"):
        module = importlib.import_module(f"nncourse.grading.items.{path.stem}")
        assert set(json.loads(path.read_text())) <= set(module.ITEMS), path.name


def test_values_round_trip_bit_for_bit():
    values = {"a": np.array([[0.1, 1 / 3], [np.pi, -2.5e-300]]), "n": 7, "x": 0.1 + 0.2, "flag": True,
              "labels": np.array([2, 0, 1]), "mask": np.array([True, False]), "empty": np.zeros((0, 3)),
              "many": [np.ones(2), 1.5, "text"], "nested": {"k": np.array(2.0)}}
    back = decode(json.loads(json.dumps(encode(values))))
    assert back["x"] == 0.1 + 0.2 and back["n"] == 7 and back["flag"] is True
    for name in ("a", "labels", "mask", "empty"):
        assert back[name].dtype == values[name].dtype and np.array_equal(back[name], values[name])
    assert back["empty"].shape == (0, 3) and back["nested"]["k"].shape == ()
    assert json.loads(dumps({"ex99-x": values}))["ex99-x"]["n"] == 7


@pytest.mark.parametrize("value, words", [
    (np.array([np.nan]), "arrays must be finite"),
    (float("inf"), "values must be finite"),
    (np.array(["a"]), "arrays must hold bools, ints or floats"),
    ({1: 2}, "dict keys must be strings"),
    (object(), "cannot store a object"),
])
def test_unstorable_values_are_refused(value, words):
    with pytest.raises((ValueError, TypeError), match=words):
        encode(value)


def test_numbers_are_a_fresh_copy_each_time():
    first = numbers("ex01-step")
    first["expected"][:] = 7.0
    assert numbers("ex01-step")["expected"].tolist() == [0.0, 0.0, 1.0, 1.0, 1.0]


# --- quizzes ---------------------------------------------------------------------------------------

SINGLE = Choice("abc", correct="b", explain={"a": "a is the learning rate, not the batch size"})
SEVERAL = Choice("abcd", correct="ac", multiple=True, explain={"b": "b only looks right", "c": "c is right"})
NUMBER = Number(2.302585, tolerance=0.01, wrong={1.0: "that is log10(10)"})


def verdict(spec, answer):
    block = stored_block("ex99-quiz", spec)
    try:
        check_quiz("ex99-quiz", block, lambda: answer)
    except Mistake as err:
        return str(err)
    return "passed"


@pytest.mark.parametrize("answer, words", [
    ("b", "passed"), ("B", "passed"), (["b"], "passed"),
    ("a", "a: a is the learning rate, not the batch size"),
    ("c", "c is not right"),
    ("a, b", "choose exactly one answer, got a, b"),
    ("z", "choose among a, b, c; got 'z'"),
    (2, "answer with the letter of your choice as a string"),
    (None, "your function returned None"),
])
def test_single_choice(answer, words):
    assert words in verdict(SINGLE, answer)


@pytest.mark.parametrize("answer, words", [
    ("a, c", "passed"), ("ca", "passed"), (("a", "c"), "passed"),
    ("a", "not quite. 1 more choice is right"),
    ("a, b, c", "b: b only looks right"),
    ("b", "b: b only looks right; 2 more choices are right"),
])
def test_several_choices(answer, words):
    assert words in verdict(SEVERAL, answer)


@pytest.mark.parametrize("answer, words", [
    (2.302585, "passed"), (2.295, "passed"), (2.31, "passed"), (np.float64(2.3), "passed"), (np.array([2.3]), "passed"),
    (2.32, "is not right (answers within 0.01"), (2.28, "is not right (answers within 0.01"),
    (1.0, "1 is not right: that is log10(10)"), (0.995, "that is log10(10)"),
    ("2.3", "passed"), ("ten", "answer with one number, got a str"), (float("nan"), "finite number"),
])
def test_number_with_tolerance(answer, words):
    assert words in verdict(NUMBER, answer)


def test_the_stored_quiz_holds_no_answer_and_no_explanation_in_clear():
    text = json.dumps(stored_block("ex99-quiz", SEVERAL)) + json.dumps(stored_block("ex99-quiz", NUMBER))
    assert "only looks right" not in text and "log10" not in text and "2.30" not in text
    assert '"correct"' not in text and '"ac"' not in text


def test_quizzes_in_the_course_pass_with_the_solution_answers_and_fail_otherwise():
    assert run_item("ex11-quiz-signs", lambda: "a, c").passed
    assert run_item("ex11-quiz-first-loss", lambda: np.log(26)).passed
    assert "not quite" in run_item("ex11-quiz-signs", lambda: "a").message
    assert "log10(26)" in run_item("ex11-quiz-first-loss", lambda: 1.415).message


@pytest.mark.parametrize("spec, words", [
    (Choice("abc", correct="d"), "correct must be one of the choices"),
    (Choice("abc", correct="ab"), "several only with multiple=True"),
    (Number(1.0, tolerance=0.0), "the tolerance must be positive"),
])
def test_bad_quiz_specs_are_refused(spec, words):
    with pytest.raises(ValueError, match=words):
        stored_block("ex99-quiz", spec)
