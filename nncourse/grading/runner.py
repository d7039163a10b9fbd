"""The notebook's side of grading: runs inside the sandbox, never trusted.

``python -m nncourse.grading.runner REQUEST_FD REPLY_FD`` starts an IPython shell (so magics and
``display`` work as in Jupyter) and answers the grader's requests on two pipes, one frame at a time
(see :mod:`nncourse.grading.wire`): run a cell, look up names, call a function, read or set an
attribute, iterate. Objects that are not plain data stay here; the grader gets a numbered handle.
Whatever the student's code does to this process (patching it, writing to the pipes, exiting) can
only change what the grader receives as data, which it judges itself; the tests and the expected
values never come in here.
"""

import builtins
import io
import linecache
import os
import re
import sys
import sysconfig
import warnings

import numpy as np

from nncourse.grading import wire

MAX_OUTPUT = 20_000  # characters of output kept per cell, for the "cut off" note
MAX_MESSAGE = 2_000
STDLIB = os.path.abspath(sysconfig.get_paths()["stdlib"]) + os.sep
LIBRARY_DIRS = tuple(os.path.abspath(path) + os.sep for path in {
    os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__)))),  # the course packages
    sysconfig.get_paths()["stdlib"], sysconfig.get_paths()["purelib"], sysconfig.get_paths()["platlib"]})
WATCHED_NUMPY = ("allclose", "array_equal", "isclose", "asarray", "array", "all", "any", "shape")
AUDIT_FLAGS = {
    "os.fork": "process", "os.forkpty": "process", "subprocess.Popen": "process", "os.system": "process",
    "os.exec": "process", "os.posix_spawn": "process", "os.spawn": "process", "pty.spawn": "process",
    "os.kill": "signal", "os.killpg": "signal", "signal.pthread_kill": "signal",
    "ctypes.dlopen": "ctypes", "ctypes.dlsym": "ctypes", "ctypes.call_function": "ctypes",
    "sys.addaudithook": "audit", "sys.settrace": "trace", "sys.setprofile": "trace",
}
OTHER_PROCESS = re.compile(r"^/proc/(\d+|thread-self)/")


class CappedStream(io.TextIOBase):
    """A text stream that counts what is written and keeps nothing (output is not graded)."""

    def __init__(self):
        self.written = 0

    def writable(self):
        return True

    def write(self, text):
        self.written += len(text) if isinstance(text, str) else 0
        return len(text) if isinstance(text, str) else 0

    @property
    def truncated(self):
        return self.written > MAX_OUTPUT


def _text(value, limit=MAX_MESSAGE):
    try:
        text = str(value)
    except Exception:  # a student's __str__ may raise anything
        text = "<the message could not be turned into text>"
    return text[:limit] + (" [...]" if len(text) > limit else "")


def _is_library_file(filename):
    return os.path.abspath(filename).startswith(LIBRARY_DIRS)


def _student_asked():
    """True when the code that asked for an audited action is the student's (not a library's).

    Frames of the standard library are skipped (``subprocess.run`` asks ``subprocess.Popen``); the
    first other frame decides: a notebook cell or a student function, or a package such as matplotlib.
    """
    frame = sys._getframe(2)
    while frame is not None:
        filename = frame.f_code.co_filename
        if not (filename.startswith("<frozen") or os.path.abspath(filename).startswith(STDLIB)):
            return not _is_library_file(filename)
        frame = frame.f_back
    return False


def error_info(err):
    """Plain facts about an exception raised by the student's code (the grader words them)."""
    innermost = None
    tb = err.__traceback__
    while tb is not None:
        if not _is_library_file(tb.tb_frame.f_code.co_filename):
            innermost = tb
        tb = tb.tb_next
    location, function = "", ""
    if innermost is not None:
        code = innermost.tb_frame.f_code
        function = code.co_name
        line = linecache.getline(code.co_filename, innermost.tb_lineno).strip()
        where = f"in {code.co_name}" if code.co_name != "<module>" else "in the cell"
        location = f"{where}, line {innermost.tb_lineno}" + (f": {line}" if line else "")
    builtin = next((cls.__name__ for cls in type(err).__mro__
                    if cls.__module__ == "builtins" and issubclass(cls, Exception)), "Exception")
    return {"type": type(err).__name__[:80], "builtin": builtin, "message": _text(err),
            "location": location[:500], "function": function[:80], "exit": isinstance(err, SystemExit)}


def _cell_line(err):
    """The line of the cell where an exception surfaced, or None."""
    if isinstance(err, SyntaxError) and isinstance(err.lineno, int):
        return err.lineno
    tb = err.__traceback__
    while tb is not None:
        code = tb.tb_frame.f_code
        if code.co_name == "<module>" and not _is_library_file(code.co_filename):
            return tb.tb_lineno
        tb = tb.tb_next
    return None


class TrustedFunction:
    """A function of the grader that the student's code may call back (it runs in the grader)."""

    def __init__(self, runner, number):
        self._runner = runner
        self._number = number

    def __call__(self, *args, **kwargs):
        return self._runner.call_back(self._number, args, kwargs)

    def __repr__(self):
        return "<function of the grader>"


class Runner:
    """Answers the grader's requests; ``handles`` keeps the objects the grader refers to by number."""

    def __init__(self, read_fd, write_fd):
        self.read_fd, self.write_fd = read_fd, write_fd
        self.handles, self.next_handle = {}, 1
        self.stream = CappedStream()
        self.audited = set()
        self.shell = _make_shell()
        self.baseline = self._state()

    # --- encoding ---------------------------------------------------------------------------

    def _handle(self, obj):
        number = self.next_handle
        self.next_handle += 1
        self.handles[number] = obj
        return {"$h": number, "type": type(obj).__name__[:80], "callable": callable(obj)}

    def _known(self, data):
        if data["$h"] not in self.handles:
            raise wire.WireError("a handle the notebook never gave")
        return self.handles[data["$h"]]

    def _decode(self, data, parts):
        return wire.decode(data, parts, self._known, lambda d: TrustedFunction(self, d["$cb"]))

    def _send(self, header, parts=()):
        try:
            wire.write_frame(self.write_fd, header, parts)
        except wire.Unsendable as err:  # e.g. an answer of 100 MB: say so instead
            message = f"the answer could not be sent to the grader: {err}"
            wire.write_frame(self.write_fd, {"op": "raised", "error": {"type": "ValueError", "builtin": "ValueError",
                                                                       "message": message}})

    def _value_reply(self, value, extra=None):
        parts = []
        try:
            data = wire.encode(value, self._handle, parts)
        except Exception:  # e.g. a dict subclass whose items() raises: send a handle instead
            parts.clear()
            data = self._handle(value)
        return {"op": "value", "value": data, **(extra or {})}, parts

    # --- serving ----------------------------------------------------------------------------

    def serve(self):
        self._send({"op": "ready", "pid": os.getpid()})
        while True:
            try:
                header, parts = wire.read_frame(self.read_fd)
            except (EOFError, OSError):
                return
            reply, reply_parts = self.dispatch(header, parts)
            self._send(reply, reply_parts)

    def dispatch(self, header, parts):
        """Answer one request: ``(reply header, reply parts)``."""
        op = header["op"]
        try:
            if op == "run":
                return self.run_cell(str(header.get("source", ""))), []
            if op == "forget":
                self.handles.clear()
                return {"op": "value", "value": None}, []
            if op == "names":
                return self._value_reply([name for name in self.shell.user_ns if isinstance(name, str)][:100_000])
            if op == "resolve":
                names = [name for name in header.get("names", []) if isinstance(name, str)]
                found = {name: self.shell.user_ns[name] for name in names if name in self.shell.user_ns}
                return self._value_reply(found)
            target = self.handles.get(header.get("target"))
            if target is None:
                return {"op": "raised", "error": {"type": "LookupError", "builtin": "LookupError",
                                                  "message": "the grader referred to an unknown object"}}, []
            return self._operate(op, target, header, parts)
        except wire.WireError as err:
            return {"op": "raised", "error": {"type": "ValueError", "builtin": "ValueError",
                                              "message": f"the grader sent {err}"}}, []
        except Exception as err:  # keep serving whatever a request runs into
            return {"op": "raised", "error": error_info(err)}, []

    def _operate(self, op, target, header, parts):
        if op == "call":
            args = self._decode(header.get("args", []), parts)
            kwargs = self._decode(header.get("kwargs", {"$d": []}), parts)
            if not isinstance(args, list) or not isinstance(kwargs, dict):
                raise wire.WireError("a malformed call")
            return self._call(target, args, {str(k): v for k, v in kwargs.items()})
        operations = {
            "getattr": lambda: getattr(target, str(header.get("name"))),
            "setattr": lambda: setattr(target, str(header.get("name")), self._decode(header.get("value"), parts)),
            "getitem": lambda: target[self._decode(header.get("key"), parts)],
            "len": lambda: len(target),
            "iter": lambda: iter(target),
            "next": lambda: next(target),
        }
        if op not in operations:
            raise wire.WireError(f"an unknown request {op[:40]!r}")
        return self._guarded(operations[op])

    def _guarded(self, action, extra=None):
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            try:
                value = action()
            except BaseException as err:  # the student's code may raise anything, even SystemExit
                return {"op": "raised", "error": error_info(err), **(extra or {}), "warnings": _warnings(caught)}, []
        header, parts = self._value_reply(value, extra)
        header["warnings"] = _warnings(caught)
        return header, parts

    def _call(self, target, args, kwargs):
        """Call ``target``; report arguments the call changed in place (for "you modified your input")."""
        before = [_fingerprint(arg) for arg in args]
        outcome = {}

        def action():
            return target(*args, **kwargs)

        header, parts = self._guarded(action, outcome)
        mutated = {}
        for position, arg in enumerate(args):
            if before[position] is not None and _fingerprint(arg) != before[position]:
                mutated[str(position)] = wire.encode(arg, self._handle, parts)
        header["mutated"] = mutated
        return header, parts

    def call_back(self, number, args, kwargs):
        """Call a grader function from the student's code; serve nested requests until it answers."""
        parts = []
        data_args = wire.encode(list(args), self._handle, parts)
        data_kwargs = wire.encode(dict(kwargs), self._handle, parts)
        self._send({"op": "callback", "target": number, "args": data_args, "kwargs": data_kwargs}, parts)
        while True:
            header, reply_parts = wire.read_frame(self.read_fd)
            if header["op"] == "value":
                return self._decode(header.get("value"), reply_parts)
            if header["op"] == "raised":
                raise _grader_exception(header.get("error"))
            reply, nested_parts = self.dispatch(header, reply_parts)
            self._send(reply, nested_parts)

    # --- cells ------------------------------------------------------------------------------

    def run_cell(self, source):
        """Run one student cell; report errors and what the cell changed that deserves a look."""
        self.stream.written = 0
        sys.stdout = sys.stderr = self.stream
        result = self.shell.run_cell(source, store_history=False)
        err = result.error_before_exec or result.error_in_exec
        reply = {"op": "done", "status": "ok", "truncated": self.stream.truncated, "flags": self._flags()}
        if err is not None:
            reply["status"] = "error"
            reply["error"] = {"type": type(err).__name__[:80], "message": _text(err, 500), "line": _cell_line(err)}
        return reply

    def audit(self, event, args):
        """Audit hook (cannot be removed once added): note process tricks and reads of other processes."""
        code = AUDIT_FLAGS.get(event)
        if code is not None:
            if code not in self.audited and _student_asked():
                self.audited.add(code)
        elif event == "open" and args and isinstance(args[0], str):
            path = args[0]
            match = OTHER_PROCESS.match(path)
            if match and match.group(1) != str(os.getpid()):
                self.audited.add("proc")
            elif path.endswith(".ipynb") or "solutions" in path:
                self.audited.add("course-files")

    def _state(self):
        shell = self.shell
        return {
            "trace": (sys.gettrace(), sys.getprofile()),
            "import-hook": (tuple(map(id, sys.meta_path)), tuple(map(id, sys.path_hooks))),
            "ipython-hook": (tuple(map(id, shell.input_transformers_cleanup)),
                             tuple(map(id, shell.input_transformers_post)), tuple(map(id, shell.ast_transformers)),
                             tuple((name, id(callback)) for name, callbacks in shell.events.callbacks.items()
                                   for callback in callbacks if not _is_library_file(_source_file(callback)))),
            "builtins": tuple((name, id(value)) for name, value in sorted(vars(builtins).items())
                              if not name.startswith("_")),
            "numpy-patch": tuple(id(getattr(np, name, None)) for name in WATCHED_NUMPY),
        }

    def _flags(self):
        now = self._state()
        flags = sorted({name for name, value in now.items() if value != self.baseline[name]} | self.audited)
        try:
            others = [entry for entry in os.listdir("/proc") if entry.isdigit() and int(entry) not in (1, os.getpid())]
        except OSError:
            others = []
        return flags + (["processes"] if others and os.getpid() == 2 else [])


def _source_file(function):
    """The file a callback was defined in ("" when unknown, e.g. a builtin)."""
    code = getattr(getattr(function, "__func__", function), "__code__", None)
    return code.co_filename if code is not None else os.sep


def _warnings(caught):
    return [{"category": type(w.message).__name__[:60], "message": _text(w.message, 300)} for w in caught[:5]]


def _grader_exception(error):
    name = error.get("builtin") if isinstance(error, dict) else None
    cls = getattr(builtins, name, None) if isinstance(name, str) else None
    if not (isinstance(cls, type) and issubclass(cls, Exception)):
        cls = RuntimeError
    message = _text(error.get("message", "") if isinstance(error, dict) else "")
    try:
        return cls(message)
    except Exception:  # builtins such as UnicodeDecodeError need more arguments
        return RuntimeError(message)


def _fingerprint(value):
    """Bytes that change when ``value`` (data, possibly nested) changes in place; None for other objects."""
    parts = []
    try:
        data = wire.encode(value, _opaque, parts)
    except wire.Unsendable:
        return None
    return repr(data).encode() + b"".join(parts)


def _opaque(value):
    raise wire.Unsendable("not data")


def _make_shell():
    from IPython.core.interactiveshell import InteractiveShell
    from traitlets.config import Config

    config = Config()
    config.HistoryManager.enabled = False
    config.InteractiveShell.colors = "NoColor"
    shell = InteractiveShell.instance(config=config)
    shell.showtraceback = lambda *args, **kwargs: None  # tracebacks are not graded; formatting them costs time
    shell.ask_exit = lambda: None  # exit() and quit() in a cell end nothing
    shell.enable_gui = lambda gui=None: None  # %matplotlib inline works as in a kernel (figures are not kept)
    return shell


class _NoNnlib:
    """Without a sandbox (``--unsafe-no-sandbox``) a "numpy only" pass can only refuse the import."""

    @staticmethod
    def find_spec(name, path=None, target=None):
        if name == "nnlib" or name.startswith("nnlib."):
            raise ModuleNotFoundError(f"No module named {name!r} (numpy only)")
        return None


def main(argv=None):
    argv = sys.argv[1:] if argv is None else argv
    read_fd, write_fd = int(argv[0]), int(argv[1])
    if os.environ.get("NNCOURSE_BLOCK_NNLIB") == "1":
        sys.meta_path.insert(0, _NoNnlib())
    sys.stdin = open(os.devnull)
    runner = Runner(read_fd, write_fd)
    sys.addaudithook(runner.audit)
    runner.baseline = runner._state()
    runner.serve()
    os._exit(0)


if __name__ == "__main__":
    main()
