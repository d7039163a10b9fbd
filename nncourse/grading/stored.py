"""Stored numbers: the expected values of the visible tests, kept as data instead of code.

A visible test compares a student's answer with numbers computed once, on the instructor's side,
by the reference implementations in ``solutions/references/exNN.py`` (which students do not get).
``python -m nncourse.grading.store`` writes them to ``nncourse/grading/items/exNN.json``; the item
file reads them with :func:`load`. So nothing a student can import computes an answer: the package
holds inputs, numbers and the plain-words feedback, never the solution.

The JSON maps an item id to a dict of named values. A value is a number, a string, a bool, a list
of values, a dict of values, or an array written as ``{"array": [...], "dtype": "float64",
"shape": [...]}`` (the shape keeps empty arrays exact). Floats are written with Python's shortest
round-trip repr, so a value read back is bit-for-bit the value stored.
"""

import copy
import functools
import json
from pathlib import Path

import numpy as np

ITEMS_DIR = Path(__file__).resolve().parent / "items"
DTYPES = ("float64", "int64", "bool")


def encode(value):
    """A stored value as JSON-ready data (arrays become ``{"array", "dtype", "shape"}``)."""
    if isinstance(value, (bool, np.bool_)):
        return bool(value)
    if isinstance(value, (int, np.integer)):
        return int(value)
    if isinstance(value, (float, np.floating)):
        if not np.isfinite(value):
            raise ValueError(f"stored numbers: values must be finite, got {value}")
        return float(value)
    if isinstance(value, str):
        return value
    if isinstance(value, np.ndarray):
        dtype = {"b": "bool", "i": "int64", "u": "int64", "f": "float64"}.get(value.dtype.kind)
        if dtype is None:
            raise TypeError(f"stored numbers: arrays must hold bools, ints or floats, got dtype {value.dtype}")
        array = value.astype(dtype)
        if dtype == "float64" and not np.all(np.isfinite(array)):
            raise ValueError("stored numbers: arrays must be finite")
        return {"array": array.tolist(), "dtype": dtype, "shape": list(array.shape)}
    if isinstance(value, (list, tuple)):
        return [encode(entry) for entry in value]
    if isinstance(value, dict):
        if not all(isinstance(key, str) for key in value):
            raise TypeError("stored numbers: dict keys must be strings")
        return {key: encode(entry) for key, entry in value.items()}
    raise TypeError(f"stored numbers: cannot store a {type(value).__name__}")


def decode(data):
    """The inverse of :func:`encode`: arrays come back as numpy arrays of their dtype."""
    if isinstance(data, list):
        return [decode(entry) for entry in data]
    if isinstance(data, dict):
        if set(data) == {"array", "dtype", "shape"} and data["dtype"] in DTYPES:
            return np.array(data["array"], dtype=data["dtype"]).reshape(data["shape"])
        return {key: decode(entry) for key, entry in data.items()}
    return data


def dumps(numbers):
    """The text of an ``exNN.json`` file for ``{item_id: {name: value}}`` (sorted, one line per value)."""
    lines = ["{"]
    items = sorted(numbers)
    for index, item_id in enumerate(items):
        values = numbers[item_id]
        lines.append(f"  {json.dumps(item_id)}: {{")
        names = sorted(values)
        for position, name in enumerate(names):
            comma = "," if position < len(names) - 1 else ""
            lines.append(f"    {json.dumps(name)}: {json.dumps(encode(values[name]), ensure_ascii=False)}{comma}")
        lines.append("  }" + ("," if index < len(items) - 1 else ""))
    lines.append("}")
    return "\n".join(lines) + "\n"


@functools.lru_cache(maxsize=None)
def _read(exercise):
    path = ITEMS_DIR / f"{exercise}.json"
    return json.loads(path.read_text(encoding="utf-8"))


def load(exercise):
    """The stored numbers of one exercise (``"ex05"``): ``{item_id: {name: value}}``, a fresh copy."""
    return {item_id: decode(values) for item_id, values in copy.deepcopy(_read(exercise)).items()}


def numbers(item_id):
    """The stored numbers of one item (``"ex01-step"``), a fresh copy (read from disk once).

    Examples
    --------
    >>> numbers("ex01-step")["expected"].tolist()
    [0.0, 0.0, 1.0, 1.0, 1.0]
    """
    return load(item_id[:4])[item_id]
