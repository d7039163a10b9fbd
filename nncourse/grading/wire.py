"""The channel between the grader and a sandboxed notebook: length-prefixed frames of plain data.

Both sides import this module (it needs only the standard library and numpy). A frame is an
8-byte big-endian length followed by the payload: a 4-byte header length, a UTF-8 JSON header,
then the binary parts the header refers to (numpy arrays in ``.npy`` form). Nothing is ever
pickled and no code travels: a value is ``None``, a bool, an int, a float, a complex number, a
string, a list, a tuple or a dict of values, a numpy array or scalar of bools or numbers, or a
*handle*, an opaque reference to an object that stays on the other side. Every decoder checks the
size, the nesting depth, the JSON types and the dtypes, and raises :class:`WireError` in plain
words for anything else, so a malformed or hostile message is only ever a failed test.

Tags used in the header (a JSON object in a value is always one of these):
``{"$t": [...]}`` tuple, ``{"$d": [[key, value], ...]}`` dict, ``{"$f": "nan"}`` non-finite float,
``{"$c": [re, im]}`` complex, ``{"$a": n}`` array in binary part n, ``{"$s": n}`` numpy scalar,
``{"$h": id, "type": name, "callable": bool}`` handle to a notebook object,
``{"$cb": id}`` a grader-side function the notebook may call back,
``{"$rng": {"bit_generator": name, "state": ...}}`` a ``np.random.Generator`` as its state (plain
numbers), so a test can hand the student's code ``np.random.default_rng(0)``.
"""

import io
import json
import math
import os
import struct

import numpy as np

# Taken once, at import: a notebook that later patches json, os, struct or numpy in its own process
# breaks only its own answers, not the way this module reads and writes frames.
_dumps, _loads = json.dumps, json.loads
_read, _write = os.read, os.write
_pack, _unpack = struct.pack, struct.unpack
_save, _load = np.save, np.load
_BytesIO = io.BytesIO

MAX_FRAME = 64 * 2**20  # bytes per message
MAX_DEPTH = 40
MAX_NODES = 100_000
MAX_TEXT = 200_000  # characters of a single string
MAX_INT_BITS = 4096
DTYPE_KINDS = "biufc"  # bool, int, unsigned, float, complex
BIT_GENERATORS = ("PCG64", "PCG64DXSM", "MT19937", "Philox", "SFC64")


class WireError(Exception):
    """A message that is not plain data of the agreed form."""


class Unsendable(Exception):
    """A value that cannot travel as plain data (the sender may send a handle instead)."""


# --- frames -------------------------------------------------------------------------------------

def pack(header, parts=()):
    """The bytes of one frame: ``header`` (JSON-ready dict) and binary ``parts``."""
    head = _dumps({**header, "parts": [len(part) for part in parts]}, allow_nan=False).encode()
    payload = _pack(">I", len(head)) + head + b"".join(parts)
    if len(payload) > MAX_FRAME:
        raise Unsendable(f"the message is {len(payload)} bytes, more than the limit of {MAX_FRAME}")
    return _pack(">Q", len(payload)) + payload


def unpack(payload):
    """``(header, parts)`` of a frame's payload, checked."""
    if len(payload) < 4:
        raise WireError("a message too short to hold a header")
    (length,) = _unpack(">I", payload[:4])
    if length > len(payload) - 4:
        raise WireError("a message whose header is longer than the message")
    try:
        header = _loads(payload[4:4 + length].decode("utf-8"))
    except (ValueError, RecursionError) as err:  # UnicodeDecodeError and JSONDecodeError are ValueErrors
        raise WireError(f"a message whose header is not valid JSON ({type(err).__name__})") from None
    if not isinstance(header, dict) or not isinstance(header.get("op"), str):
        raise WireError("a message without an operation")
    sizes = header.get("parts")
    if not isinstance(sizes, list) or not all(type(size) is int and size >= 0 for size in sizes):
        raise WireError("a message with a malformed list of parts")
    if sum(sizes) != len(payload) - 4 - length:
        raise WireError("a message whose parts do not add up to its length")
    parts, offset = [], 4 + length
    for size in sizes:
        parts.append(payload[offset:offset + size])
        offset += size
    return header, parts


def write_frame(fd, header, parts=()):
    """Write one frame to a file descriptor (blocking)."""
    data = memoryview(pack(header, parts))
    while data:
        written = _write(fd, data)
        data = data[written:]


def read_exactly(fd, count):
    """Read exactly ``count`` bytes (blocking); EOFError when the other side is gone."""
    chunks, missing = [], count
    while missing:
        chunk = _read(fd, min(missing, 2**20))
        if not chunk:
            raise EOFError("the other side closed the channel")
        chunks.append(chunk)
        missing -= len(chunk)
    return b"".join(chunks)


def read_frame(fd):
    """Read one frame (blocking): ``(header, parts)``."""
    (length,) = _unpack(">Q", read_exactly(fd, 8))
    if length > MAX_FRAME:
        raise WireError(f"a message of {length} bytes, more than the limit of {MAX_FRAME}")
    return unpack(read_exactly(fd, length))


# --- values -------------------------------------------------------------------------------------

def _array_bytes(array):
    buffer = _BytesIO()
    _save(buffer, np.asarray(array), allow_pickle=False)
    return buffer.getvalue()


def _plain_array(value):
    return (isinstance(value, (np.ndarray, np.generic)) and value.dtype.kind in DTYPE_KINDS
            and not value.dtype.hasobject and value.dtype.fields is None)


def _float(value):
    value = float(value)
    return value if math.isfinite(value) else {"$f": repr(value)}


class Encoder:
    """Turns a value into JSON-ready data plus binary parts.

    ``fallback(obj)`` is called for anything that is not plain data; it returns the tagged
    replacement (a handle or a callback reference) or raises :class:`Unsendable`.
    """

    def __init__(self, fallback, parts=None):
        self.fallback = fallback
        self.parts = [] if parts is None else parts
        self.nodes = 0

    def encode(self, value, depth=0):
        self.nodes += 1
        if depth > MAX_DEPTH or self.nodes > MAX_NODES:
            raise Unsendable("the value is nested too deeply or too large")
        if value is None or isinstance(value, (bool, str)):
            if isinstance(value, str) and len(value) > MAX_TEXT:
                raise Unsendable(f"a string of {len(value)} characters")
            return value
        if isinstance(value, int):
            if value.bit_length() > MAX_INT_BITS:
                raise Unsendable("an integer with too many digits")
            return int(value)
        if isinstance(value, float):
            return _float(value)
        if isinstance(value, complex):
            return {"$c": [_float(value.real), _float(value.imag)]}
        if _plain_array(value):
            self.parts.append(_array_bytes(np.asarray(value)))
            return {"$a" if isinstance(value, np.ndarray) else "$s": len(self.parts) - 1}
        if isinstance(value, tuple):
            return {"$t": [self.encode(entry, depth + 1) for entry in value]}
        if isinstance(value, list):
            return [self.encode(entry, depth + 1) for entry in value]
        if isinstance(value, dict):
            return {"$d": [[self.encode(key, depth + 1), self.encode(entry, depth + 1)]
                           for key, entry in value.items()]}
        if type(value) is np.random.Generator and type(value.bit_generator).__name__ in BIT_GENERATORS:
            return {"$rng": self.encode(value.bit_generator.state, depth + 1)}
        return self.fallback(value)


def encode(value, fallback, parts):
    """JSON-ready data for one value, its arrays appended to ``parts`` (shared by one message).

    A value too deep or too large to travel as data goes to ``fallback`` as a whole.
    """
    start = len(parts)
    encoder = Encoder(fallback, parts)
    try:
        return encoder.encode(value)
    except (Unsendable, RecursionError):
        del parts[start:]
        return fallback(value)


def _load_array(blob):
    try:
        array = _load(_BytesIO(blob), allow_pickle=False)
    except Exception as err:  # numpy raises ValueError, OSError, EOFError ... for damaged .npy data
        raise WireError(f"an array that is not valid .npy data ({type(err).__name__})") from None
    if not isinstance(array, np.ndarray) or not _plain_array(array):
        raise WireError("an array that does not hold plain numbers")
    return array


class Decoder:
    """Turns checked JSON data and parts back into a value.

    ``handle(data)`` builds the local stand-in for a ``$h`` tag, ``callback(data)`` for a ``$cb``
    tag; either may raise :class:`WireError` (e.g. the sandbox side refuses ``$h`` ids it never gave).
    """

    def __init__(self, parts, handle, callback):
        self.parts = parts
        self.handle = handle
        self.callback = callback
        self.nodes = 0

    def _part(self, index):
        if type(index) is not int or not 0 <= index < len(self.parts):
            raise WireError("a reference to a binary part that does not exist")
        return _load_array(self.parts[index])

    def _number(self, data):
        if isinstance(data, dict) and set(data) == {"$f"} and data["$f"] in ("nan", "inf", "-inf"):
            return float(data["$f"])
        if type(data) in (int, float):
            return float(data)
        raise WireError("a malformed number")

    def decode(self, data, depth=0):
        self.nodes += 1
        if depth > MAX_DEPTH or self.nodes > MAX_NODES:
            raise WireError("a value nested too deeply or with too many parts")
        if data is None or type(data) in (bool, float):
            return data
        if type(data) is int:
            if data.bit_length() > MAX_INT_BITS:
                raise WireError("an integer with too many digits")
            return data
        if type(data) is str:
            if len(data) > MAX_TEXT:
                raise WireError("a string that is too long")
            return data
        if type(data) is list:
            return [self.decode(entry, depth + 1) for entry in data]
        if type(data) is not dict or not data:
            raise WireError("a value of an unknown kind")
        return self._tagged(data, depth)

    def _tagged(self, data, depth):
        tag = next(iter(data))
        body = data[tag]
        if tag == "$t" and len(data) == 1 and type(body) is list:
            return tuple(self.decode(entry, depth + 1) for entry in body)
        if tag == "$d" and len(data) == 1 and type(body) is list:
            result = {}
            for pair in body:
                if type(pair) is not list or len(pair) != 2:
                    raise WireError("a malformed dict entry")
                key = self.decode(pair[0], depth + 1)
                try:
                    result[key] = self.decode(pair[1], depth + 1)
                except TypeError:
                    raise WireError("a dict key that cannot be a key") from None
            return result
        if tag == "$f" and len(data) == 1:
            return self._number(data)
        if tag == "$c" and len(data) == 1 and type(body) is list and len(body) == 2:
            return complex(self._number(body[0]), self._number(body[1]))
        if tag == "$a" and len(data) == 1:
            return self._part(body)
        if tag == "$s" and len(data) == 1:
            array = self._part(body)
            if array.shape != ():
                raise WireError("a numpy scalar that is not a scalar")
            return array[()]
        if tag == "$rng" and len(data) == 1:
            return _generator(self.decode(body, depth + 1))
        if tag == "$h" and set(data) <= {"$h", "type", "callable"} and type(body) is int:
            return self.handle(data)
        if tag == "$cb" and len(data) == 1 and type(body) is int:
            return self.callback(data)
        raise WireError("a value with an unknown tag")


def _generator(state):
    """A ``np.random.Generator`` in the given state (only numpy's own bit generators)."""
    name = state.get("bit_generator") if isinstance(state, dict) else None
    if name not in BIT_GENERATORS:
        raise WireError("a random generator of an unknown kind")
    generator = np.random.Generator(getattr(np.random, name)())
    try:
        generator.bit_generator.state = state
    except (TypeError, ValueError, KeyError, OverflowError):
        raise WireError("a random generator with a malformed state") from None
    return generator


def decode(data, parts, handle, callback):
    """One value from checked data; raises :class:`WireError` for anything malformed."""
    try:
        return Decoder(parts, handle, callback).decode(data)
    except RecursionError:
        raise WireError("a value nested too deeply") from None


def refuse(data):
    """A ``handle``/``callback`` argument for :func:`decode` where that tag is not allowed."""
    raise WireError("a reference where only plain data is allowed")
