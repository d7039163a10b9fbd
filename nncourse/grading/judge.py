"""Run one item's instructor tests in the grader's own process, against a sandboxed notebook.

:func:`evaluate` executes the instructor's test cell (from ``solutions/``, never the submission's
copy): first the visible part, whose ``check(...)`` runs the registered visible tests
(:func:`nncourse.grading.checking.run_item`), then the hidden tests one statement at a time. Every
free name of the test code (found in its syntax tree, so names inside comprehensions and lambdas
count too) except builtins, ``np`` and ``check`` is looked up in the notebook first: functions and
classes become stand-ins that call into the sandbox, data arrives as a copy. ``np`` and the builtins
are the grader's own. Nothing of the tests or of the expected values ever enters the sandbox.
"""

import ast
import builtins

import numpy

from nncourse.grading.checking import NOT_IMPLEMENTED, PASSED, _exception_message, run_item
from nncourse.grading.remote import ChannelError

TRUSTED_NAMES = {"np", "check", "__builtins__"} | set(dir(builtins))


def free_names(*sources):
    """Every name read or written in ``sources`` that the notebook could provide."""
    names = set()
    for source in sources:
        for node in ast.walk(ast.parse(source)):
            if isinstance(node, ast.Name):
                names.add(node.id)
    return names - TRUSTED_NAMES


def _describe(err):
    """``(status, plain words)`` for an exception raised while running the tests."""
    if isinstance(err, NameError):
        return "error", (f"{err}: the function was not defined when the tests ran; check that its cell is there, "
                         "runs without errors, and keeps the name from the exercise")
    if isinstance(err, ChannelError):
        return "error", str(err)
    return _exception_message(err)


def _run_visible(item_id, visible, namespace):
    """Execute the visible part with a fresh ``check``; return (status, message)."""
    verdicts = []
    namespace["check"] = lambda given_id, *objects: verdicts.append(run_item(given_id, *objects))
    try:
        exec(compile(visible, f"<tests of {item_id}>", "exec"), namespace)
    except Exception as err:  # raised by the student's code through a stand-in, or a missing name
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
            reason = str(err)[:1000] or "no message"
            return number - 1, total, f"hidden test {number} of {total} failed: {reason}"
        except Exception as err:  # the student's code may raise anything through a stand-in
            status, message = _describe(err)
            if status == NOT_IMPLEMENTED:
                return number - 1, total, f"hidden test {number} of {total}: {message}"
            return number - 1, total, f"hidden test {number} of {total} could not run: {message}"
    return total, total, None


def namespace_for(remote, visible, hidden):
    """The namespace a test cell runs in: real builtins and numpy, the notebook's names as stand-ins."""
    namespace = {"__builtins__": builtins, "np": numpy}
    namespace.update(remote.resolve(free_names(visible, hidden)))
    return namespace


def evaluate(item_id, visible, hidden, remote):
    """Run one item's tests against the notebook behind ``remote``; return the result dict.

    :class:`~nncourse.grading.remote.SandboxLost` passes through: the step failed as a whole.
    """
    try:
        namespace = namespace_for(remote, visible, hidden)
    except ChannelError as err:
        return {"item": item_id, "passed": False, "status": "error", "message": str(err)}
    status, message = _run_visible(item_id, visible, namespace)
    if status != PASSED:
        return {"item": item_id, "passed": False, "status": status, "message": message}
    if not hidden.strip():
        return {"item": item_id, "passed": True, "status": PASSED, "message": "all tests passed"}
    passed, total, failure = _run_hidden(item_id, hidden, namespace)
    if failure is not None:
        return {"item": item_id, "passed": False, "status": "hidden failed",
                "message": f"visible tests passed; {failure}"}
    return {"item": item_id, "passed": True, "status": PASSED,
            "message": f"visible tests passed; {total} hidden {'test' if total == 1 else 'tests'} passed"}
