"""Quiz items: multiple choice (one or several answers) and numbers with a tolerance.

The instructor writes the answer in clear in ``solutions/references/exNN.py`` (a :class:`Choice` or a
:class:`Number` in its ``QUIZZES`` dict); ``python -m nncourse.grading.store`` turns it into salted
hashes in ``nncourse/grading/items/exNN.json`` (:func:`stored_block`). The student's copy therefore
never contains the answer in readable form, yet ``check`` can still say "right" or "wrong", and
explain a wrong choice or a common wrong number in plain words. (Like any tutor that answers, it can
be asked again and again: trying every choice with ``check`` finds the right one. The hashes keep
the answer out of the files, they do not stop guessing.)

Hashes are PBKDF2-HMAC-SHA256 salted with the item id. A number is hashed on a grid of a quarter
of its tolerance; ``check`` hashes the student's value and its neighbours on the grid, so any
answer within about the tolerance (between 0.75 and 1.25 times it) is accepted.
"""

import base64
import hashlib
import math
import re
from dataclasses import dataclass, field

import numpy as np

from nncourse.grading.feedback import Item, Mistake, fail
from nncourse.grading.stored import numbers

ITERATIONS = 20_000
GRID = 4  # grid points per tolerance
LETTERS = re.compile(r"[a-z]")


@dataclass(frozen=True)
class Choice:
    """A multiple-choice question (authoring side).

    ``choices`` are the letters offered (``"abcd"``), ``correct`` the right ones (``"b"``, or
    ``"ac"`` for several); ``explain`` maps a letter to plain words shown when a student picks that
    wrong choice; ``multiple`` says whether several answers may be right (the task must say so).
    """

    choices: str
    correct: str
    explain: dict = field(default_factory=dict)
    multiple: bool = False


@dataclass(frozen=True)
class Number:
    """A numeric question (authoring side): ``value`` within ``tolerance``; ``wrong`` maps common
    wrong values to an explanation shown when a student answers (close to) one of them."""

    value: float
    tolerance: float
    wrong: dict = field(default_factory=dict)


def _hash(item_id, label):
    salt = ("nncourse-quiz:" + item_id).encode()
    return hashlib.pbkdf2_hmac("sha256", label.encode(), salt, ITERATIONS).hex()[:32]


def _keystream(key, length):
    blocks = [hashlib.sha256(f"{key}:{n}".encode()).digest() for n in range(length // 32 + 1)]
    return b"".join(blocks)[:length]


def _seal(item_id, label, text):
    data = text.encode()
    key = _hash(item_id, "why:" + label)
    return base64.b64encode(bytes(a ^ b for a, b in zip(data, _keystream(key, len(data))))).decode()


def _open(item_id, label, sealed):
    data = base64.b64decode(sealed)
    key = _hash(item_id, "why:" + label)
    return bytes(a ^ b for a, b in zip(data, _keystream(key, len(data)))).decode(errors="replace")


def _grid(value, tolerance):
    return round(value / (tolerance / GRID))


def stored_block(item_id, spec):
    """The stored (hashed) form of a :class:`Choice` or :class:`Number` for ``exNN.json``."""
    if isinstance(spec, Choice):
        letters = spec.choices
        if not set(spec.correct) <= set(letters) or not spec.correct or (len(spec.correct) > 1 and not spec.multiple):
            raise ValueError(f"{item_id}: correct must be one of the choices {letters!r} (several only with "
                             f"multiple=True), got {spec.correct!r}")
        marks = {letter: _hash(item_id, f"{letter}:{'in' if letter in spec.correct else 'out'}")
                 for letter in letters}
        explain = {letter: _seal(item_id, letter, text) for letter, text in spec.explain.items()}
        return {"kind": "choice", "choices": letters, "multiple": spec.multiple, "marks": marks, "explain": explain}
    if isinstance(spec, Number):
        if not spec.tolerance > 0:
            raise ValueError(f"{item_id}: the tolerance must be positive, got {spec.tolerance}")
        wrong = [[_hash(item_id, f"value:{_grid(value, spec.tolerance)}"),
                  _seal(item_id, str(_grid(value, spec.tolerance)), text)] for value, text in spec.wrong.items()]
        return {"kind": "number", "tolerance": float(spec.tolerance),
                "answer": _hash(item_id, f"value:{_grid(spec.value, spec.tolerance)}"), "wrong": wrong}
    raise TypeError(f"{item_id}: a quiz is a Choice or a Number, got {type(spec).__name__}")


def _letters(what, answer, block):
    """The set of letters a student chose, from "b", "B", "a, c", ["a", "c"] ..."""
    offered = block["choices"]
    if isinstance(answer, str):
        picked = LETTERS.findall(answer.lower())
    elif isinstance(answer, (list, tuple, set, frozenset)) and all(isinstance(a, str) for a in answer):
        picked = [letter for a in answer for letter in LETTERS.findall(a.lower())]
    else:
        fail(f"{what}: answer with the letter of your choice as a string, e.g. \"b\""
             + (" (or several, e.g. \"a, c\")" if block["multiple"] else "") + f", got a {type(answer).__name__}")
    unknown = sorted(set(picked) - set(offered))
    if unknown or not picked:
        fail(f"{what}: choose among {', '.join(offered)}; got {answer!r}")
    if len(set(picked)) > 1 and not block["multiple"]:
        fail(f"{what}: choose exactly one answer, got {', '.join(sorted(set(picked)))}")
    return set(picked)


def _check_choice(item_id, what, answer, block):
    picked = _letters(what, answer, block)
    right = {letter for letter, mark in block["marks"].items() if mark == _hash(item_id, f"{letter}:in")}
    if picked == right:
        return
    reasons = [f"{letter}: {_open(item_id, letter, block['explain'][letter])}" if letter in block["explain"]
               else f"{letter} is not right" for letter in sorted(picked - right)]
    missing = len(right - picked)
    if missing:
        reasons.append(f"{missing} more {'choice is' if missing == 1 else 'choices are'} right")
    fail(f"{what}: not quite. " + "; ".join(reasons))


def _check_number(item_id, what, answer, block):
    try:
        value = float(np.asarray(answer, dtype=float).reshape(()))
    except (TypeError, ValueError):
        fail(f"{what}: answer with one number, got a {type(answer).__name__}")
    if not math.isfinite(value):
        fail(f"{what}: answer with a finite number, got {value}")
    centre = _grid(value, block["tolerance"])
    near = {_hash(item_id, f"value:{k}"): k for k in range(centre - GRID, centre + GRID + 1)}
    if block["answer"] in near:
        return
    for stored_hash, sealed in block["wrong"]:
        if stored_hash in near:
            fail(f"{what}: {value:g} is not right: {_open(item_id, str(near[stored_hash]), sealed)}")
    fail(f"{what}: {value:g} is not right (answers within {block['tolerance']:g} of the right value count)")


def check_quiz(item_id, block, answer_function):
    """Call the student's answer function and compare its answer with the stored hashes."""
    if not callable(answer_function):
        raise Mistake(f"{item_id}: pass the function that returns your answer, without calling it")
    what = f"your answer to {item_id}"
    answer = answer_function()
    if answer is None:
        fail(f"{what}: your function returned None; return your answer")
    if block["kind"] == "choice":
        _check_choice(item_id, what, answer, block)
    else:
        _check_number(item_id, what, answer, block)


def quiz_item(item_id, title):
    """The registry :class:`~nncourse.grading.feedback.Item` of a quiz whose hashes are stored for ``item_id``."""

    def test(answer_function):
        check_quiz(item_id, numbers(item_id), answer_function)

    return Item(test, title=title, hidden=0)
