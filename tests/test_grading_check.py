"""check(): plain-words verdicts for the ex01 items, with right, wrong, unfinished and crashing answers."""

import re

import numpy as np
import pytest

from nncourse.grading import check, run_item


def step(z):
    return np.where(np.asarray(z, dtype=float) >= 0, 1.0, 0.0)


def sign(z):
    return np.where(np.asarray(z, dtype=float) >= 0, 1.0, -1.0)


def neuron(X, w, b):
    return step(X @ w + b)


def gate_weights(name):
    return {"AND": (np.array([1.0, 1.0]), -1.5), "OR": (np.array([1.0, 1.0]), -0.5),
            "NAND": (np.array([-1.0, -1.0]), 1.5)}[name]


def two_layer_forward(X, W1, b1, w2, b2):
    return step(step(X @ W1.T + b1) @ w2 + b2)


def xor_weights():
    return np.ones((2, 2)), np.array([-0.5, -1.5]), np.array([1.0, -1.0]), -0.5


def stub(*args):
    # YOUR CODE HERE
    raise NotImplementedError()


@pytest.mark.parametrize("item_id, answer, hidden", [
    ("ex01-step", step, 2), ("ex01-sign", sign, 1), ("ex01-neuron", neuron, 2),
    ("ex01-gates", gate_weights, 2), ("ex01-two-layer", two_layer_forward, 1), ("ex01-xor", xor_weights, 1),
])
def test_correct_answers_pass_and_announce_hidden_tests(item_id, answer, hidden, capsys):
    check(item_id, answer)
    tests = "test runs" if hidden == 1 else "tests run"
    assert capsys.readouterr().out == f"✓ {item_id} passed: visible tests passed; {hidden} more {tests} at grading.\n"


@pytest.mark.parametrize("item_id, answer, words", [
    ("ex01-step", lambda z: np.where(np.asarray(z) > 0, 1.0, 0.0), r"at z = 0 gives 0.*use >=, not >"),
    ("ex01-step", lambda z: None, r"returned None; did you forget the `return`"),
    ("ex01-step", lambda z: step(z)[:3], r"wrong shape, expected \(5,\), got \(3,\)"),
    ("ex01-sign", np.sign, r"sign\(0\) gives 0 \(that is np.sign\)"),
    ("ex01-sign", step, r"gives 0 for negative z; the sign unit outputs -1"),
    ("ex01-neuron", lambda X, w, b: step(X @ w), r"ignore the bias"),
    ("ex01-neuron", lambda X, w, b: step(X @ w + b).reshape(-1, 1), r"expected \(1,\), got \(1, 1\)"),
    ("ex01-gates", lambda name: (np.ones(2), -0.5), r"AND weights w = \[1.0, 1.0\], b = -0.5, the unit outputs "
                                                    r"\[0, 1, 1, 1\].*AND needs \[0, 0, 0, 1\]"),
    ("ex01-gates", lambda name: [np.ones(2), -1.5], r"should return a pair \(w, b\), got list"),
    ("ex01-two-layer", lambda X, W1, b1, w2, b2: step(step(X @ W1 + b1) @ w2 + b2), r"weights are transposed"),
    ("ex01-two-layer", lambda X, W1, b1, w2, b2: step(step(X @ W1.T) @ w2 + b2), r"hidden layer's bias b1 is missing"),
    ("ex01-two-layer", lambda X, W1, b1, w2, b2: step(step(X @ W1.T + b1) @ w2), r"output unit's bias b2 is missing"),
    ("ex01-two-layer", lambda X, W1, b1, w2, b2: step(X @ W1.T + b1) @ w2 + b2, r"must apply the step function too"),
    ("ex01-xor", lambda: (np.ones((2, 2)), np.array([-0.5, -0.5]), np.array([1.0, 0.0]), -0.5),
     r"your network computes OR, not XOR"),
    ("ex01-xor", lambda: (np.ones((2, 2)), np.zeros(2)), r"should return the tuple \(W1, b1, w2, b2\)"),
    ("ex01-xor", lambda: (np.ones((2, 3)), np.zeros(2), np.zeros(2), 0.0),
     r"W1 \(one row per hidden unit\): wrong shape, expected \(2, 2\), got \(2, 3\)"),
])
def test_wrong_answers_get_a_diagnosis(item_id, answer, words):
    verdict = run_item(item_id, answer)
    assert verdict.status == "mistake"
    assert verdict.hidden > 0
    assert re.search(words, verdict.message), verdict.message


def test_stub_is_not_implemented_yet(capsys):
    check("ex01-step", stub)
    assert capsys.readouterr().out == (
        '✗ ex01-step: not implemented yet: replace "raise NotImplementedError()" in stub with your code\n')


def test_exception_is_explained_with_the_line_of_the_student_code():
    def neuron_with_bug(X, w, b):
        z = X @ np.ones((2, 2)) + b
        return step(z)

    line = neuron_with_bug.__code__.co_firstlineno + 1
    verdict = run_item("ex01-neuron", neuron_with_bug)
    assert verdict.status == "error"
    assert verdict.message.startswith("your code raised ValueError: matmul: Input operand 1 has a mismatch")
    assert verdict.message.endswith(f"in neuron_with_bug, line {line}: z = X @ np.ones((2, 2)) + b")
    assert "Traceback" not in verdict.message


def test_passing_the_result_instead_of_the_function():
    verdict = run_item("ex01-step", step(0.0))
    assert verdict.status == "mistake"
    assert "expected a function, got a ndarray; pass the function itself" in verdict.message


@pytest.mark.parametrize("item_id", ["ex01-nope", "ex99-step", "step", 7])
def test_unknown_items(item_id, capsys):
    check(item_id, step)
    assert capsys.readouterr().out == (f"✗ {item_id}: there is no graded item called {item_id!r}; "
                                       "check the spelling of the id (it looks like 'ex01-step')\n")
