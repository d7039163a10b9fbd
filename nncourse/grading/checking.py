"""``check("exNN-name", ...)``: run one item's visible tests and answer in plain words.

The visible tests live in ``nncourse/grading/items/exNN.py`` (one ``ITEMS`` dict per
exercise notebook). :func:`run_item` turns whatever happens into a :class:`Verdict`
(passed, a recognised mistake, not implemented yet, an exception in the student's
code) and :func:`check` prints it. The grader uses :func:`run_item` too, so a student
sees exactly the feedback the grader reports.
"""

import importlib
import linecache
import os
import re
import sys
import sysconfig
from dataclasses import dataclass

from nncourse.grading.feedback import Mistake

ITEM_ID = re.compile(r"^(ex\d\d)-[a-z0-9]+(-[a-z0-9]+)*$")
PASSED = "passed"
MISTAKE = "mistake"
NOT_IMPLEMENTED = "not implemented"
ERROR = "error"
UNKNOWN = "unknown item"

_COURSE_DIR = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))  # holds nncourse/, nnlib/
_LIBRARY_DIRS = tuple(
    os.path.join(os.path.abspath(path), "") for path in {
        os.path.join(_COURSE_DIR, "nncourse"), os.path.join(_COURSE_DIR, "nnlib"), sysconfig.get_paths()["stdlib"],
        sysconfig.get_paths()["purelib"], sysconfig.get_paths()["platlib"]}
)


@dataclass(frozen=True)
class Verdict:
    """The outcome of one item's visible tests.

    ``status`` is one of ``"passed"``, ``"mistake"``, ``"not implemented"``,
    ``"error"``, ``"unknown item"``; ``message`` is the plain-words text shown to
    the student; ``hidden`` is the number of hidden tests the grader adds.
    """

    item_id: str
    status: str
    message: str
    hidden: int = 0

    @property
    def passed(self):
        return self.status == PASSED


def find_item(item_id):
    """Return the registered :class:`~nncourse.grading.feedback.Item` for ``item_id``, or None."""
    match = ITEM_ID.match(item_id) if isinstance(item_id, str) else None
    if match is None:
        return None
    try:
        module = importlib.import_module(f"nncourse.grading.items.{match.group(1)}")
    except ModuleNotFoundError:
        return None
    return getattr(module, "ITEMS", {}).get(item_id)


def _is_library_file(filename):
    """True for the course's own files (nnlib, nncourse), the standard library and installed packages."""
    return os.path.abspath(filename).startswith(_LIBRARY_DIRS)


def _student_frame(tb):
    """The deepest traceback entry in the student's code (a notebook cell), or None."""
    found = None
    while tb is not None:
        if not _is_library_file(tb.tb_frame.f_code.co_filename):
            found = tb
        tb = tb.tb_next
    return found


def _location(tb):
    """``"in step, line 3: return z @ W"`` for the student's frame, or an empty string."""
    entry = _student_frame(tb)
    if entry is None:
        return ""
    code = entry.tb_frame.f_code
    line = linecache.getline(code.co_filename, entry.tb_lineno).strip()
    where = f"in {code.co_name}" if code.co_name != "<module>" else "in the cell"
    return f"{where}, line {entry.tb_lineno}: {line}" if line else f"{where}, line {entry.tb_lineno}"


def _exception_message(err):
    """Plain words for an exception raised while the tests called the student's code.

    An exception that came from a sandboxed notebook carries its facts in ``err.remote``
    (see :mod:`nncourse.grading.remote`); one raised in this process has a traceback.
    """
    remote = getattr(err, "remote", None)
    if isinstance(remote, dict) and remote.get("exit"):
        return ERROR, "your code called sys.exit() (or exit()); remove it, a function should return"
    if isinstance(remote, dict):
        location, type_name, text = remote["location"], remote["type"], remote["message"].strip()
        name = remote["function"] if remote["function"] not in ("", "<module>") else "your function"
    else:
        location, type_name, text = _location(err.__traceback__), type(err).__name__, str(err).strip()
        entry = _student_frame(err.__traceback__)
        name = entry.tb_frame.f_code.co_name if entry is not None else "your function"
    if isinstance(err, NotImplementedError):
        return NOT_IMPLEMENTED, (f"not implemented yet: replace \"raise NotImplementedError()\" in {name} "
                                 "with your code")
    described = f"{type_name}: {text}" if text else type_name
    if location:
        return ERROR, f"your code raised {described}, {location}"
    return ERROR, f"while checking your answer: {described}"


def run_item(item_id, *objects):
    """Run the visible tests of ``item_id`` on ``objects`` and return a :class:`Verdict`."""
    item = find_item(item_id)
    if item is None:
        return Verdict(str(item_id), UNKNOWN, f"there is no graded item called {item_id!r}; "
                       "check the spelling of the id (it looks like 'ex01-step')")
    try:
        item.test(*objects)
    except Mistake as err:
        return Verdict(item_id, MISTAKE, str(err), item.hidden)
    except Exception as err:  # the student's code may raise anything; explain it in words
        status, message = _exception_message(err)
        return Verdict(item_id, status, message, item.hidden)
    if item.hidden:
        tests = "test runs" if item.hidden == 1 else "tests run"
        message = f"visible tests passed; {item.hidden} more {tests} at grading"
    else:
        message = "all tests passed"
    return Verdict(item_id, PASSED, message, item.hidden)


def format_verdict(verdict):
    """One line of text for a verdict, as ``check`` prints it."""
    if verdict.passed:
        return f"✓ {verdict.item_id} passed: {verdict.message}."
    return f"✗ {verdict.item_id}: {verdict.message}"


def check(item_id, *objects):
    """Run the visible tests of one exercise item and print plain-words feedback.

    Parameters
    ----------
    item_id : str
        The item's id, e.g. ``"ex01-step"``.
    *objects
        Your answer(s): usually the function you wrote, passed without calling it.

    Examples
    --------
    >>> check("ex00-no-such-item")  # doctest: +ELLIPSIS
    ✗ ex00-no-such-item: there is no graded item called 'ex00-no-such-item'; check the spelling ...
    """
    print(format_verdict(run_item(item_id, *objects)))
    sys.stdout.flush()
