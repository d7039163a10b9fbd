"""The channel's wire format and the grader's handling of what comes back (no sandbox needed)."""

import json
import struct

import numpy as np
import pytest

from nncourse.grading import wire
from nncourse.grading.checking import _exception_message
from nncourse.grading.remote import StudentError, StudentExit, student_exception, write_back


def no_handles(value):
    raise wire.Unsendable(f"a {type(value).__name__}")


def round_trip(value, fallback=no_handles):
    parts = []
    data = wire.encode(value, fallback, parts)
    header, parts = wire.unpack(wire.pack({"op": "value", "value": data}, parts)[8:])
    return wire.decode(header["value"], parts, wire.refuse, wire.refuse)


def test_plain_data_round_trips_with_types_kept():
    value = {"w": np.arange(6.0).reshape(2, 3), "labels": np.array([2, 0, 1]), "mask": np.array([True, False]),
             "z": np.array([1 + 2j]), "t": (1, 2.5, "x", None, True), "f": np.float32(1.5), "i": np.int64(3),
             "n": [float("nan"), float("inf"), -float("inf")], "c": 2 - 1j, 7: "int key", ("a", 1): "tuple key",
             "big": 2 ** 100, "empty": np.zeros((0, 4))}
    back = round_trip(value)
    assert np.array_equal(back["w"], value["w"]) and back["w"].dtype == np.float64
    assert back["labels"].dtype == np.int64 and back["mask"].dtype == bool and back["z"].dtype == np.complex128
    assert back["t"] == (1, 2.5, "x", None, True) and isinstance(back["t"], tuple)
    assert type(back["f"]) is np.float32 and type(back["i"]) is np.int64
    assert np.isnan(back["n"][0]) and back["n"][1:] == [float("inf"), -float("inf")]
    assert back["c"] == 2 - 1j and back[7] == "int key" and back[("a", 1)] == "tuple key" and back["big"] == 2 ** 100
    assert back["empty"].shape == (0, 4)


def test_a_random_generator_travels_as_its_state():
    rng = np.random.default_rng(5)
    rng.normal(size=3)
    back = round_trip(rng)
    assert isinstance(back, np.random.Generator) and back is not rng
    assert np.array_equal(back.permutation(10), rng.permutation(10))


@pytest.mark.parametrize("value", [
    np.array([object()], dtype=object), object(), lambda x: x, {1, 2}, b"bytes",
    np.zeros(3, dtype=[("a", float)]), np.array(["text"]),
])
def test_anything_else_goes_to_the_fallback(value):
    assert round_trip(value, fallback=lambda v: "fallback") == "fallback"


def test_values_too_deep_or_too_large_go_to_the_fallback_as_a_whole():
    deep = []
    for _ in range(wire.MAX_DEPTH + 5):
        deep = [deep]
    assert round_trip(deep, fallback=lambda v: "whole") == "whole"
    assert round_trip(["ok", "x" * (wire.MAX_TEXT + 1)], fallback=lambda v: "whole") == "whole"
    assert round_trip(2 ** (wire.MAX_INT_BITS + 1), fallback=lambda v: "whole") == "whole"


def frame(header, parts=()):
    head = json.dumps({**header, "parts": [len(p) for p in parts]}).encode()
    return struct.pack(">I", len(head)) + head + b"".join(parts)


@pytest.mark.parametrize("payload, words", [
    (b"\x00", "too short"),
    (struct.pack(">I", 100) + b"{}", "header is longer than the message"),
    (struct.pack(">I", 3) + b"{{{", "not valid JSON"),
    (struct.pack(">I", 200_005) + b"[" * 200_000 + b"]" * 5, "not valid JSON"),
    (frame({"value": 1}), "without an operation"),
    (struct.pack(">I", 29) + b'{"op": "value", "parts": "x"}', "malformed list of parts"),
    (frame({"op": "value"}, [b"abc"])[:-1], "do not add up"),
])
def test_malformed_frames_are_refused_in_words(payload, words):
    with pytest.raises(wire.WireError, match=words):
        wire.unpack(payload)


def decode(data, parts=()):
    return wire.decode(data, list(parts), wire.refuse, wire.refuse)


def npy(array, allow_pickle=False):
    import io
    buffer = io.BytesIO()
    np.save(buffer, array, allow_pickle=allow_pickle)
    return buffer.getvalue()


@pytest.mark.parametrize("data, parts, words", [
    ({"$x": 1}, (), "unknown tag"),
    ({"$a": 0}, (), "does not exist"),
    ({"$a": 0}, (b"not npy",), "not valid .npy data"),
    ({"$a": 0}, (npy(np.array([object()], dtype=object), allow_pickle=True),), "not valid .npy data"),
    ({"$a": 0}, (npy(np.array(["a"])),), "does not hold plain numbers"),
    ({"$s": 0}, (npy(np.zeros(2)),), "not a scalar"),
    ({"$d": [[[1], 2]]}, (), "cannot be a key"),
    ({"$d": [[1]]}, (), "malformed dict entry"),
    ({"$f": "boom"}, (), "malformed number"),
    ({"$h": 3, "type": "x"}, (), "only plain data"),
    ({"$cb": 1}, (), "only plain data"),
    ({"$rng": {"$d": [["bit_generator", "Evil"], ["state", {"$d": []}]]}}, (), "unknown kind"),
    ({"$rng": {"$d": [["bit_generator", "PCG64"], ["state", {"$d": [["x", 1]]}]]}}, (), "malformed state"),
    ("x" * (wire.MAX_TEXT + 1), (), "too long"),
    ([[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[1]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]], (), "nested too deeply"),
])
def test_malformed_values_are_refused_in_words(data, parts, words):
    with pytest.raises(wire.WireError, match=words):
        decode(data, parts)


def test_a_message_above_the_size_limit_cannot_be_sent():
    with pytest.raises(wire.Unsendable, match="more than the limit"):
        wire.pack({"op": "value"}, [b"x" * (wire.MAX_FRAME + 1)])


def test_write_back_changes_the_graders_arguments_in_place():
    w, params, rng = np.zeros(3), {"w": np.zeros(2), "gone": 1}, np.random.default_rng(0)
    keep = params["w"]
    write_back(w, np.array([1.0, 2.0, 3.0]))
    write_back(params, {"w": np.ones(2), "new": 5})
    assert w.tolist() == [1.0, 2.0, 3.0] and params["w"] is keep and keep.tolist() == [1.0, 1.0]
    assert params == {"w": keep, "new": 5}
    moved = np.random.default_rng(0)
    moved.normal()
    write_back(rng, moved)
    assert rng.normal() == moved.normal()
    items = [np.zeros(1), 2]
    write_back(items, [np.ones(1), 3, 4])
    assert len(items) == 3


def test_student_exceptions_become_builtin_classes_with_their_facts():
    err = student_exception({"type": "LinAlgError", "builtin": "ValueError", "message": "singular",
                             "location": "in solve, line 2: return np.linalg.inv(A)", "function": "solve"})
    assert isinstance(err, ValueError)
    assert _exception_message(err) == ("error", "your code raised LinAlgError: singular, in solve, line 2: "
                                                "return np.linalg.inv(A)")
    stub = student_exception({"type": "NotImplementedError", "builtin": "NotImplementedError", "function": "step"})
    assert _exception_message(stub)[1].startswith('not implemented yet: replace "raise NotImplementedError()" in step')
    assert isinstance(student_exception({"type": "SystemExit", "exit": True}), StudentExit)
    assert isinstance(student_exception({"builtin": "SystemExit"}), StudentError)  # never the real SystemExit
    assert isinstance(student_exception({"builtin": "KeyboardInterrupt"}), StudentError)
    assert isinstance(student_exception("garbage"), StudentError)
