"""The grader's side inside a student's kernel: run one item's instructor tests, sign the result.

The grader (:mod:`nncourse.grading.grader`) sends, after the student's cells, one small
cell per item (see :func:`driver_code`). That cell first drops every ``nncourse.grading``
module from ``sys.modules`` and imports this module afresh, so a student who redefined
``check`` or patched ``nncourse.grading`` gains nothing. :func:`grade` then runs the
instructor's test cell (from ``solutions/``, never the submission's copy) in a *copy* of
the student's namespace with a fresh ``check``, runs the hidden tests one statement at a
time, and publishes the outcome as a display message signed with HMAC-SHA256 under a
random per-item key that never appears in any output. Text a student prints (or a stream
filter that rewrites outputs) cannot produce a valid signature.
"""

import ast
import builtins
import contextlib
import hashlib
import hmac
import io
import json
import types

import numpy

from nncourse.grading.checking import NOT_IMPLEMENTED, PASSED, _exception_message, run_item

MIME_TYPE = "application/x-nnlib-grade+json"


def sign(key, payload):
    """Hex HMAC-SHA256 of ``payload`` (str) under ``key`` (str)."""
    return hmac.new(key.encode(), payload.encode(), hashlib.sha256).hexdigest()


def driver_code(item_id, key, visible, hidden):
    """Source of the cell the grader runs for one item (the instructor's tests inline)."""
    return (
        "def _nnlib_grade_item():\n"
        "    import sys\n"
        "    for name in [n for n in list(sys.modules)\n"
        "                 if n == 'nncourse.grading' or n.startswith('nncourse.grading.')]:\n"
        "        del sys.modules[name]\n"
        "    from nncourse.grading.harness import grade\n"
        f"    grade({item_id!r}, {key!r}, {visible!r}, {hidden!r}, globals())\n"
        "_nnlib_grade_item()\n"
        "del _nnlib_grade_item\n"
    )


def _missing_name(err):
    """Plain words for a NameError: the answer was never defined."""
    return (f"{err}: the function was not defined when the tests ran; check that its cell is there, "
            "runs without errors, and keeps the name from the exercise")


def _describe(err):
    """Plain words for any exception raised while running the tests (incl. SystemExit)."""
    if isinstance(err, NameError):
        return "error", _missing_name(err)
    if isinstance(err, SystemExit):
        return "error", "your code called sys.exit() (or exit()); remove it, a function should return"
    return _exception_message(err)


def _run_visible(item_id, visible, namespace):
    """Execute the visible part with a fresh ``check``; return (status, message)."""
    verdicts = []
    namespace["check"] = lambda given_id, *objects: verdicts.append(run_item(given_id, *objects))
    try:
        exec(compile(visible, f"<tests of {item_id}>", "exec"), namespace)
    except BaseException as err:  # the student's code may raise anything, even SystemExit
        if isinstance(err, KeyboardInterrupt):
            raise
        return _describe(err)
    mine = [verdict for verdict in verdicts if verdict.item_id == item_id]
    if not mine:
        return "error", f"the test cell of {item_id} did not call check({item_id!r}, ...) (instructor error)"
    return mine[0].status, mine[0].message


def _run_hidden(item_id, hidden, namespace):
    """Run hidden tests statement by statement; return (passed, total, failure message or None)."""
    statements = ast.parse(hidden).body
    total = sum(isinstance(node, ast.Assert) for node in ast.walk(ast.Module(statements, [])))
    number = 0
    for statement in statements:
        number += sum(isinstance(node, ast.Assert) for node in ast.walk(statement))
        code = compile(ast.Module([statement], []), f"<hidden tests of {item_id}>", "exec")
        try:
            exec(code, namespace)
        except AssertionError as err:
            reason = str(err) or "no message"
            return number - 1, total, f"hidden test {number} of {total} failed: {reason}"
        except BaseException as err:
            if isinstance(err, KeyboardInterrupt):
                raise
            status, message = _describe(err)
            if status == NOT_IMPLEMENTED:
                return number - 1, total, f"hidden test {number} of {total}: {message}"
            return number - 1, total, f"hidden test {number} of {total} could not run: {message}"
    return total, total, None


BUILTINS_USED_BY_TESTS = ("abs", "all", "any", "bool", "float", "int", "isinstance", "len", "list", "max",
                          "min", "range", "round", "sorted", "sum", "tuple", "type", "zip")


def replaced_functions():
    """Names of numpy functions and builtins that the submission replaced (tests would not be trustworthy)."""
    replaced = [f"numpy.{name}" for name in dir(numpy)
                if isinstance(getattr(numpy, name, None), types.FunctionType)
                and not str(getattr(numpy, name).__module__).startswith("numpy")]
    replaced += [name for name in BUILTINS_USED_BY_TESTS
                 if getattr(getattr(builtins, name), "__module__", "builtins") != "builtins"]
    return replaced


def clean_namespace(namespace):
    """A copy of the student's namespace in which ``np`` and the builtins are the real ones."""
    scratch = dict(namespace)
    for name in dir(builtins):
        scratch.pop(name, None)
    scratch["__builtins__"] = builtins
    scratch["np"] = numpy
    return scratch


def evaluate(item_id, visible, hidden, namespace):
    """Run one item's tests in a copy of ``namespace``; return the result dict."""
    replaced = replaced_functions()
    if replaced:
        message = (f"your notebook replaced {', '.join(replaced[:5])}, which the tests rely on, so they cannot "
                   "be trusted; remove that code (flagged for review by an instructor)")
        return {"item": item_id, "passed": False, "status": "tampered", "message": message}
    scratch = clean_namespace(namespace)
    with contextlib.redirect_stdout(io.StringIO()), contextlib.redirect_stderr(io.StringIO()):
        status, message = _run_visible(item_id, visible, scratch)
        if status != PASSED:
            return {"item": item_id, "passed": False, "status": status, "message": message}
        if not hidden.strip():
            return {"item": item_id, "passed": True, "status": PASSED, "message": "all tests passed"}
        passed, total, failure = _run_hidden(item_id, hidden, scratch)
    if failure is not None:
        message = f"visible tests passed; {failure}"
        return {"item": item_id, "passed": False, "status": "hidden failed", "message": message}
    return {"item": item_id, "passed": True, "status": PASSED,
            "message": f"visible tests passed; {total} hidden {'test' if total == 1 else 'tests'} passed"}


def grade(item_id, key, visible, hidden, namespace):
    """Evaluate one item and publish the signed result as a display message."""
    from IPython.display import publish_display_data

    payload = json.dumps(evaluate(item_id, visible, hidden, namespace), sort_keys=True)
    publish_display_data({MIME_TYPE: {"payload": payload, "signature": sign(key, payload)}})


def read_result(outputs, item_id, key):
    """The verified result dict for ``item_id`` among a cell's outputs, or None."""
    for output in outputs:
        data = output.get("data", {}).get(MIME_TYPE) if output.get("output_type") == "display_data" else None
        if not isinstance(data, dict) or not isinstance(data.get("payload"), str):
            continue
        if not hmac.compare_digest(str(data.get("signature", "")), sign(key, data["payload"])):
            continue
        result = json.loads(data["payload"])
        if result.get("item") == item_id:
            return result
    return None
