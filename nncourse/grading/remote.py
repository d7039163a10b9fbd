"""The grader's side of the channel: stand-ins for the objects of a sandboxed notebook.

A test that runs in the grader calls the student's functions through :class:`RemoteFunction`
and reads attributes of the student's objects through :class:`RemoteObject`; every call is a
request over the channel (:mod:`nncourse.grading.wire`) with a deadline. What comes back is plain
data (copies), handles for objects that stay in the sandbox, and exceptions turned into the grader's
own exception classes (a student's ``ValueError`` arrives as a ``ValueError`` carrying the facts
in ``.remote``). Arguments the student's function changed in place are changed here too, so
"you modified your input" still works. Functions of the grader passed as arguments (a test's
``lambda``) stay here and run here when the student's code calls them.

When the sandbox does not answer in time, dies, or breaks the protocol, :class:`SandboxLost` (a
``BaseException``, so no test can swallow it) ends the step; a reply that is well framed but not
plain data fails the test with a plain reason.
"""

import builtins
import os
import select
import struct
import time
import warnings

import numpy as np

from nncourse.grading import wire

POLL_SECONDS = 0.25


class SandboxLost(BaseException):
    """The sandbox stopped answering: ``kind`` is timeout, crashed, memory or protocol."""

    def __init__(self, kind, reason):
        super().__init__(reason)
        self.kind = kind
        self.reason = reason


class StudentExit(Exception):
    """The student's code called ``sys.exit()`` or ``exit()`` while a test called it."""


class StudentError(Exception):
    """An exception of the student's own class (or one that is not a builtin)."""


class ChannelError(Exception):
    """A reply that is framed correctly but does not hold plain data of the agreed form."""


class Channel:
    """Frames over two pipes with a deadline; ``watch()`` runs while waiting (e.g. a memory check)."""

    def __init__(self, read_fd, write_fd, watch=None):
        self.read_fd, self.write_fd = read_fd, write_fd
        os.set_blocking(read_fd, False)
        os.set_blocking(write_fd, False)
        self.watch = watch
        self.deadline = time.monotonic() + 60.0
        self._watched = time.monotonic()

    def _wait(self, readable):
        while True:
            now = time.monotonic()
            if now - self._watched >= POLL_SECONDS and self.watch is not None:
                self._watched = now
                self.watch()
            remaining = self.deadline - now
            if remaining <= 0:
                raise SandboxLost("timeout", "did not answer in time")
            fds = ([self.read_fd], []) if readable else ([], [self.write_fd])
            ready = select.select(*fds, [], min(remaining, POLL_SECONDS))
            if ready[0] or ready[1]:
                return

    def send(self, header, parts=()):
        try:
            data = memoryview(wire.pack(header, parts))
        except wire.Unsendable as err:
            raise TypeError(f"the grader cannot send this to the notebook: {err}") from None
        while data:
            self._wait(readable=False)
            try:
                data = data[os.write(self.write_fd, data):]
            except BlockingIOError:
                continue
            except OSError:
                raise SandboxLost("crashed", "stopped") from None

    def _read(self, count):
        chunks, missing = [], count
        while missing:
            self._wait(readable=True)
            try:
                chunk = os.read(self.read_fd, min(missing, 2**20))
            except BlockingIOError:
                continue
            except OSError:
                chunk = b""
            if not chunk:
                raise SandboxLost("crashed", "stopped")
            chunks.append(chunk)
            missing -= len(chunk)
        return b"".join(chunks)

    def receive(self):
        (length,) = struct.unpack(">Q", self._read(8))
        if length > wire.MAX_FRAME:
            raise SandboxLost("protocol", f"sent a message of {length} bytes, more than the limit of "
                                          f"{wire.MAX_FRAME}")
        try:
            return wire.unpack(self._read(length))
        except wire.WireError as err:
            raise SandboxLost("protocol", f"sent {err}") from None


def _builtin_class(name, base):
    cls = getattr(builtins, name, None) if isinstance(name, str) else None
    return cls if isinstance(cls, type) and issubclass(cls, base) else None


def student_exception(error):
    """The grader-side exception for an exception the student's code raised (facts in ``.remote``)."""
    if not isinstance(error, dict):
        error = {}
    info = {key: str(error.get(key, ""))[:2000] for key in ("type", "message", "location", "function")}
    info["exit"] = error.get("exit") is True
    if info["exit"]:
        exception = StudentExit(info["message"])
    else:
        cls = _builtin_class(error.get("builtin"), Exception) or StudentError
        try:
            exception = cls(info["message"])
        except Exception:  # builtins such as UnicodeDecodeError need more arguments
            exception = StudentError(info["message"])
    exception.remote = info
    return exception


def write_back(original, new):
    """Make ``original`` (the grader's argument) equal to ``new`` (the student's version), in place."""
    if isinstance(original, np.ndarray) and isinstance(new, np.ndarray):
        if original.shape == new.shape and original.flags.writeable:
            np.copyto(original, new, casting="unsafe")
    elif isinstance(original, list) and isinstance(new, list):
        if len(original) != len(new):
            original[:] = new
            return
        for index, (old, value) in enumerate(zip(original, new)):
            if type(old) is type(value) and isinstance(old, (np.ndarray, list, dict)):
                write_back(old, value)
            else:
                original[index] = value
    elif isinstance(original, dict) and isinstance(new, dict):
        for key in [key for key in original if key not in new]:
            del original[key]
        for key, value in new.items():
            old = original.get(key)
            if type(old) is type(value) and isinstance(old, (np.ndarray, list, dict)):
                write_back(old, value)
            else:
                original[key] = value
    elif isinstance(original, np.random.Generator) and isinstance(new, np.random.Generator):
        if type(original.bit_generator) is type(new.bit_generator):
            original.bit_generator.state = new.bit_generator.state
    elif isinstance(original, tuple) and isinstance(new, tuple) and len(original) == len(new):
        for old, value in zip(original, new):
            write_back(old, value)


class Remote:
    """Requests to one sandboxed notebook; nested callbacks from it are served while waiting."""

    def __init__(self, channel):
        self.channel = channel
        self.callbacks = []

    # --- encoding and decoding --------------------------------------------------------------

    def _outgoing(self, value):
        if isinstance(value, RemoteObject) and value._remote is self:
            return {"$h": value._id}
        if callable(value):
            self.callbacks.append(value)
            return {"$cb": len(self.callbacks) - 1}
        raise wire.Unsendable(f"a {type(value).__name__} cannot be sent to the notebook")

    def _encode(self, value, parts):
        try:
            return wire.Encoder(self._outgoing, parts).encode(value)
        except (wire.Unsendable, RecursionError) as err:
            raise TypeError(f"the grader cannot pass this to the notebook: {err}") from None

    def _proxy(self, data):
        cls = RemoteFunction if data.get("callable") is True else RemoteObject
        return cls(self, data["$h"], str(data.get("type", "object"))[:80])

    def _decode(self, data, parts):
        try:
            return wire.decode(data, parts, self._proxy, wire.refuse)
        except wire.WireError as err:
            raise ChannelError(f"your notebook sent back {err}, not plain data") from None

    # --- requests -----------------------------------------------------------------------------

    def request(self, header, parts=()):
        """Send a request; serve callbacks until the answer comes; return ``(header, parts)``."""
        self.channel.send(header, parts)
        while True:
            reply, reply_parts = self.channel.receive()
            if reply["op"] != "callback":
                return reply, reply_parts
            self._serve_callback(reply, reply_parts)

    def _serve_callback(self, header, parts):
        number = header.get("target")
        if type(number) is not int or not 0 <= number < len(self.callbacks):
            raise SandboxLost("protocol", "called back a function of the grader that does not exist")
        try:
            args = self._decode(header.get("args"), parts)
            kwargs = self._decode(header.get("kwargs"), parts)
            if not isinstance(args, list) or not isinstance(kwargs, dict):
                raise ChannelError("your notebook called a function of the grader with malformed arguments")
            value = self.callbacks[number](*args, **{str(key): item for key, item in kwargs.items()})
        except Exception as err:  # the grader's function failed on what the student passed: tell the student
            self.channel.send({"op": "raised", "error": {"builtin": type(err).__name__, "message": str(err)[:2000]}})
            return
        reply_parts = []
        self.channel.send({"op": "value", "value": self._encode(value, reply_parts)}, reply_parts)

    def _result(self, reply, parts, arguments=()):
        """The value of a reply, with in-place changes written back and warnings re-issued."""
        if reply["op"] not in ("value", "raised"):
            raise SandboxLost("protocol", f"answered {reply['op'][:40]!r} to a call")
        mutated = reply.get("mutated", {})
        if isinstance(mutated, dict):
            for position, data in mutated.items():
                if isinstance(position, str) and position.isdigit() and int(position) < len(arguments):
                    write_back(arguments[int(position)], self._decode(data, parts))
        for warning in reply.get("warnings", [])[:5] if isinstance(reply.get("warnings"), list) else []:
            if isinstance(warning, dict):
                category = _builtin_class(warning.get("category"), Warning) or UserWarning
                warnings.warn(str(warning.get("message", ""))[:300], category, stacklevel=3)
        if reply["op"] == "raised":
            raise student_exception(reply.get("error"))
        return self._decode(reply.get("value"), parts)

    def operate(self, op, target, **fields):
        parts = []
        header = {"op": op, "target": target._id}
        for name, value in fields.items():
            header[name] = self._encode(value, parts) if name in ("value", "key") else value
        reply, reply_parts = self.request(header, parts)
        return self._result(reply, reply_parts)

    def call(self, target, args, kwargs):
        parts = []
        header = {"op": "call", "target": target._id, "args": self._encode(list(args), parts),
                  "kwargs": self._encode(dict(kwargs), parts)}
        reply, reply_parts = self.request(header, parts)
        return self._result(reply, reply_parts, args)

    def resolve(self, names):
        """``{name: value or stand-in}`` for the names defined in the notebook's namespace.

        The notebook is first asked which names it has, so that only names it defined itself are
        requested: the names a hidden test uses never reach the sandbox.
        """
        reply, parts = self.request({"op": "names"})
        defined = self._result(reply, parts)
        if not isinstance(defined, list) or not all(isinstance(name, str) for name in defined):
            raise ChannelError("your notebook answered the question which names it defines with something else")
        wanted = sorted(set(names) & set(defined))
        if not wanted:
            return {}
        reply, parts = self.request({"op": "resolve", "names": wanted})
        found = self._result(reply, parts)
        if not isinstance(found, dict) or not all(isinstance(name, str) for name in found):
            raise ChannelError("your notebook answered a name lookup with something else")
        return {name: value for name, value in found.items() if name in names}

    def run_cell(self, source):
        """Run one student cell: the reply header (``status``, ``error``, ``truncated``, ``flags``)."""
        reply, _ = self.request({"op": "run", "source": source})
        if reply["op"] != "done":
            raise SandboxLost("protocol", f"answered {reply['op'][:40]!r} to running a cell")
        return reply

    def forget(self):
        """Let the notebook drop the objects handed out so far (after each item)."""
        self.request({"op": "forget"})
        self.callbacks.clear()


class RemoteObject:
    """Stand-in for an object that stays in the notebook; attribute access goes over the channel."""

    __slots__ = ("_remote", "_id", "_type")

    def __init__(self, remote, number, type_name):
        object.__setattr__(self, "_remote", remote)
        object.__setattr__(self, "_id", number)
        object.__setattr__(self, "_type", type_name)

    @property
    def remote_type(self):
        """The name of the object's class in the notebook (for messages)."""
        return self._type

    def __getattr__(self, name):
        if name.startswith("__") and name.endswith("__"):
            raise AttributeError(name)
        return self._remote.operate("getattr", self, name=name)

    def __setattr__(self, name, value):
        self._remote.operate("setattr", self, name=name, value=value)

    def __getitem__(self, key):
        return self._remote.operate("getitem", self, key=key)

    def __len__(self):
        length = self._remote.operate("len", self)
        if type(length) is not int or length < 0:
            raise TypeError(f"len() of your {self._type} is not a non-negative int")
        return length

    def __iter__(self):
        iterator = self._remote.operate("iter", self)
        return iter(iterator) if not isinstance(iterator, RemoteObject) else RemoteIterator(iterator)

    def __repr__(self):
        return f"<{self._type} from your notebook>"


class RemoteFunction(RemoteObject):
    """Stand-in for a function or class of the notebook: calling it calls it in the sandbox."""

    __slots__ = ()

    def __call__(self, *args, **kwargs):
        return self._remote.call(self, args, kwargs)


class RemoteIterator:
    """Iterates over an iterator that stays in the notebook."""

    def __init__(self, target):
        self.target = target

    def __iter__(self):
        return self

    def __next__(self):
        return self.target._remote.operate("next", self.target)
