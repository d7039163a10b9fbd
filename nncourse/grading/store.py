"""Compute the stored numbers from the instructor's references: ``python -m nncourse.grading.store``.

For every ``solutions/references/exNN.py`` (``--references``) this imports the module, calls each
function of its ``NUMBERS`` dict (``{item_id: function returning {name: value}}``), hashes each quiz
of its ``QUIZZES`` dict (see :mod:`nncourse.grading.quiz`) and writes
``nncourse/grading/items/exNN.json``. With ``--check`` nothing is written: the command exits with 1
when a stored file is missing, stale or disagrees with its references (floats must agree to a
relative 1e-8 and an absolute 1e-9: a processor that rounds the last bits differently, even inside a
numerical gradient, still agrees, while any real change is caught; visible tests compare students'
answers with a tolerance of 1e-6 or looser).
See ``solutions/README.md``.
"""

import argparse
import importlib.util
import json
import sys
from pathlib import Path

import numpy as np

from nncourse.grading.quiz import stored_block
from nncourse.grading.stored import ITEMS_DIR, decode, dumps, encode


def load_references(path):
    """Import a references module from its file (it is not part of any installed package)."""
    spec = importlib.util.spec_from_file_location(f"nncourse_references_{path.stem}", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def compute(module):
    """``{item_id: {name: value}}`` from a references module's NUMBERS and QUIZZES."""
    numbers = {item_id: function() for item_id, function in getattr(module, "NUMBERS", {}).items()}
    for item_id, spec in getattr(module, "QUIZZES", {}).items():
        if item_id in numbers:
            raise ValueError(f"{item_id} is both in NUMBERS and QUIZZES")
        numbers[item_id] = stored_block(item_id, spec)
    for item_id, values in numbers.items():
        if not isinstance(values, dict) or not values:
            raise TypeError(f"{item_id}: NUMBERS functions return a non-empty dict of named values")
    return numbers


def same(a, b):
    """Stored values equal up to the last bits of floats."""
    if isinstance(a, np.ndarray) or isinstance(b, np.ndarray):
        if not (isinstance(a, np.ndarray) and isinstance(b, np.ndarray)) or a.shape != b.shape or a.dtype != b.dtype:
            return False
        return bool(np.allclose(a, b, rtol=1e-8, atol=1e-9)) if a.dtype.kind == "f" else bool(np.array_equal(a, b))
    if isinstance(a, float) or isinstance(b, float):
        numbers = isinstance(a, (int, float)) and isinstance(b, (int, float))
        return numbers and bool(np.isclose(a, b, rtol=1e-8, atol=1e-9))
    if isinstance(a, list) and isinstance(b, list):
        return len(a) == len(b) and all(same(x, y) for x, y in zip(a, b))
    if isinstance(a, dict) and isinstance(b, dict):
        return a.keys() == b.keys() and all(same(a[key], b[key]) for key in a)
    return type(a) is type(b) and a == b


def differences(computed, stored):
    """Item ids whose stored numbers differ from the computed ones (missing ones included)."""
    fresh = decode(json.loads(json.dumps(encode(computed))))
    return sorted(item for item in set(fresh) | set(stored) if not same(fresh.get(item), stored.get(item)))


def main(argv=None):
    parser = argparse.ArgumentParser(prog="python -m nncourse.grading.store", description=__doc__.splitlines()[0])
    parser.add_argument("--references", type=Path, default=Path("solutions") / "references",
                        help="folder with exNN.py reference modules (default: solutions/references)")
    parser.add_argument("--items", type=Path, default=ITEMS_DIR, help="where the exNN.json files go")
    parser.add_argument("--check", action="store_true", help="only compare; exit 1 on any difference")
    args = parser.parse_args(argv)
    paths = sorted(args.references.glob("ex[0-9][0-9].py"))
    if not paths:
        print(f"no reference modules (exNN.py) in {args.references}")
        return 1
    problems = []
    for path in paths:
        numbers = compute(load_references(path))
        target = args.items / f"{path.stem}.json"
        if not args.check:
            target.write_text(dumps(numbers), encoding="utf-8")
            print(f"wrote {target} ({len(numbers)} items)")
            continue
        if not target.exists():
            problems.append(f"{target} is missing")
            continue
        stored = decode(json.loads(target.read_text(encoding="utf-8")))
        changed = differences(numbers, stored)
        if changed:
            problems.append(f"{target} disagrees with {path} for {', '.join(changed)}")
    for problem in problems:
        print(problem)
    if problems:
        print("run: python -m nncourse.grading.store")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
