"""Grade one submitted exercise notebook into a Gradescope ``results.json`` dict.

:func:`grade_file` reads the submission once (never writes it), matches it to an instructor notebook
in ``solutions/``, and runs it (see :mod:`nncourse.grading.executor`): the student's cells in a
sandbox, each item's tests from ``solutions/`` in this process. Items marked "numpy only" that
passed are tested a second time in a sandbox without ``nnlib``. Every text that ends up in the
results is capped, so a results.json stays small whatever the submission prints or raises.
Batches of submissions: :mod:`nncourse.grading.batch`.
"""

import errno
import os
import re
import stat
import time
from pathlib import Path

from nncourse.grading.checking import find_item
from nncourse.grading.executor import Executor
from nncourse.grading.plan import MAX_BYTES, NotebookError, build_plan, match_source, read_cells, source_items

MAX_TEST_OUTPUT = 4_000
MAX_NOTES = 40
MAX_NOTE = 400
MAX_FLAGS = 30
SANDBOX_NAMES = {"bwrap": "bubblewrap", "none": "none (--unsafe-no-sandbox)"}

# Code a student has no reason to write in an exercise: flagged for an instructor to look at.
SUSPICIOUS = {
    "imports or patches the grading package": r"nncourse\.grading|nncourse\s+import\s+grading",
    "touches the module table, the import system or builtins":
        r"sys\.modules|__builtins__|\bbuiltins\b|importlib|meta_path|path_hooks|__import__",
    "hooks into IPython": r"get_ipython|\.events\.register|input_transformers|ast_transformers|register_magic",
    "replaces output streams": r"sys\.(stdout|stderr)\s*=|sys\.__stdout__|sys\.__stderr__",
    "inspects the call stack or installs tracing hooks":
        r"inspect\.stack|_getframe|f_back|f_globals|settrace|setprofile|gc\.get_(objects|referrers)",
    "reassigns a numpy function": r"\b(np|numpy)\.[A-Za-z_][\w.]*\s*=(?!=)",
    "reads course files, other notebooks or /proc": r"solutions|/autograder/|\.ipynb\b|/proc\b|/course\b|site-packages",
    "starts processes or sends signals":
        r"os\.fork|subprocess|os\.system|os\.exec|os\.spawn|setsid|os\.kill|killpg|\bsignal\.|multiprocessing|"
        r"\bpty\.|ctypes|os\._exit",
}
# What the sandbox saw the notebook do (codes sent by the runner; only these words are ever shown).
OBSERVED = {
    "trace": "installed a tracing or profiling hook (seen while running)",
    "import-hook": "changed the import system (seen while running)",
    "ipython-hook": "registered IPython transformers or event hooks (seen while running)",
    "builtins": "replaced builtins (seen while running)",
    "numpy-patch": "replaced numpy functions (seen while running)",
    "process": "started processes (seen while running)",
    "processes": "left processes running after a cell (seen while running)",
    "signal": "sent signals (seen while running)",
    "ctypes": "loaded native code with ctypes (seen while running)",
    "audit": "added an audit hook (seen while running)",
    "proc": "read /proc entries of other processes (seen while running)",
    "course-files": "opened notebook or solution files (seen while running)",
    "late-kill": "had processes that survived the end of its sandbox and were killed one by one",
}


def cap(text, limit):
    """``text`` cut to ``limit`` characters, saying so."""
    text = str(text)
    return text if len(text) <= limit else text[:limit] + " [... cut off]"


def load_sources(folder):
    """Instructor notebooks in ``folder``: ``{file name: cells}``."""
    folder = Path(folder)
    sources = {}
    for path in sorted(folder.glob("ex[0-9][0-9]_*.ipynb")):
        sources[path.name] = read_cells(path.read_text(encoding="utf-8"), path.name)
    if not sources:
        raise FileNotFoundError(f"no exercise notebooks (exNN_*.ipynb) in {folder}")
    return sources


def flags_for(cells, source_cells=()):
    """Plain-words reasons to review a submission by hand (empty for ordinary code).

    Only the student's own lines are scanned: lines that also occur in the instructor's
    notebook (such as ``from nncourse.grading import check``) are not.
    """
    given = {line.strip() for cell in source_cells for line in cell["source"].splitlines()}
    code = "\n".join(line for cell in cells if cell["cell_type"] == "code"
                     for line in cell["source"].splitlines() if line.strip() not in given)
    flags = [reason for reason, pattern in SUSPICIOUS.items() if re.search(pattern, code)]
    numpy_only = any(getattr(find_item(item.item_id), "numpy_only", False) for item in source_items(source_cells))
    if numpy_only and re.search(r"\bnnlib\b|[\"']nn[\"']|importlib|__import__", code):
        flags.append("mentions nnlib or imports by name in an exercise that asks for numpy only")
    return flags


def _test_entry(item, score, status, output, number):
    """One entry of Gradescope's ``tests`` list; ``tags`` holds the bare item id."""
    registered = find_item(item.item_id)
    name = f"{item.item_id}: {registered.title}" if registered is not None else item.item_id
    return {"name": name, "number": str(number), "score": score, "max_score": item.points,
            "status": status, "output": cap(output, MAX_TEST_OUTPUT), "visibility": "visible", "tags": [item.item_id]}


def _item_outcome(step_result):
    """(passed, text) for one item from its step's result."""
    if step_result.result is not None:
        return step_result.result["passed"], step_result.result["message"]
    if step_result.status in ("timeout", "crashed", "memory", "protocol"):
        return False, f"the tests called your code, which {step_result.error}"
    return False, step_result.error or "not run"


def _cell_notes(plan, results):
    """Notes about student cells that failed, keyed by their labels (cell id / grade_id), and in general."""
    notes, general = {}, []
    for step, result in zip(plan, results):
        if step.item is None and result.output_truncated:
            general.append(f"Note: the output of cell {step.cell_number} was cut off (too long).")
        if step.item is not None or result.status in ("ok", "not run"):
            continue
        if result.status == "error":
            text = f"Note: cell {step.cell_number} raised {cap(result.error, MAX_NOTE)}; the cells after it still ran."
        else:
            text = f"Note: cell {step.cell_number} {result.error}."
        general.append(text)
        for label in step.labels:
            notes.setdefault(label, []).append(text)
    return notes, general


PLOTS = re.compile(r"matplotlib|nncourse\.(lessons|plotting|widgets)")


def _numpy_only_pass(plan, items, by_item, limits, mode):
    """Test the passed "numpy only" items again without nnlib; return {item_id: failure text}."""
    wanted = {item.item_id for item in items
              if getattr(find_item(item.item_id), "numpy_only", False) and by_item[item.item_id][0]}
    if not wanted:
        return {}
    fonts = any(PLOTS.search(step.source) for step in plan if step.item is None)
    results = Executor(limits, mode, with_nnlib=False, only_items=wanted, fonts=fonts).execute(plan)
    failures = {}
    for step, result in zip(plan, results):
        if step.item is None or step.item.item_id not in wanted:
            continue
        passed, text = _item_outcome(result)
        if not passed:
            failures[step.item.item_id] = ("this item must be solved with numpy alone, but without nnlib your answer "
                                           f"fails: {text}")
    return failures


def grade_cells(cells, source_cells, limits, mode="bwrap"):
    """Grade parsed submission cells against one instructor notebook: ``(tests, notes, observed codes)``."""
    plan, items = build_plan(source_cells, cells)
    fonts = any(PLOTS.search(step.source) for step in plan if step.item is None)
    executor = Executor(limits, mode, fonts=fonts)
    results = executor.execute(plan)
    notes, general = _cell_notes(plan, results)
    by_item = {step.item.item_id: _item_outcome(result) for step, result in zip(plan, results) if step.item}
    failures = _numpy_only_pass(plan, items, by_item, limits, mode)
    tests = []
    for number, item in enumerate(items, start=1):
        passed, text = by_item[item.item_id]
        if item.item_id in failures:
            passed, text = False, failures[item.item_id]
        if not passed and notes.get(item.answer_id):
            text += "\n" + "\n".join(notes[item.answer_id])
        tests.append(_test_entry(item, item.points if passed else 0.0, "passed" if passed else "failed",
                                 ("✓ " if passed else "✗ ") + text, number))
    observed = sorted({flag for result in results for flag in result.flags} | ({"late-kill"} if executor.late_kills
                                                                                 else set()))
    return tests, general, observed


def failed_tests(source_cells, reason):
    """Every item of a notebook failed for one reason (unreadable or missing submission, grader failure)."""
    return [_test_entry(item, 0.0, "failed", f"✗ {reason}", number)
            for number, item in enumerate(source_items(source_cells), start=1)]


def results_dict(tests, notes, name, source_name, flags, start, mode="bwrap", status="graded"):
    """The Gradescope results dict, every text capped."""
    score = sum(test["score"] for test in tests)
    max_score = sum(test["max_score"] for test in tests)
    passed = sum(test["status"] == "passed" for test in tests)
    flags = [cap(flag, 200) for flag in flags[:MAX_FLAGS]]
    summary = [cap(f"{name}: {score:g} of {max_score:g} points ({passed} of {len(tests)} items passed).", 500)]
    summary += [cap(note, MAX_NOTE) for note in notes[:MAX_NOTES]]
    if len(notes) > MAX_NOTES:
        summary.append(f"({len(notes) - MAX_NOTES} more notes left out)")
    if flags:
        summary.append("Flagged for review by an instructor: " + "; ".join(flags) + ".")
    if mode != "bwrap":
        summary.append("Graded without a sandbox (--unsafe-no-sandbox).")
    return {"score": score, "max_score": max_score, "output": "\n".join(summary), "visibility": "visible",
            "stdout_visibility": "hidden", "execution_time": round(time.monotonic() - start, 1), "tests": tests,
            "extra_data": {"submission": cap(name, 200), "exercise": source_name or "", "flags": flags,
                           "sandbox": SANDBOX_NAMES.get(mode, mode), "status": status}}


def grade_text(text, name, sources, limits, mode="bwrap"):
    """Grade one submission given as text (``name`` is its file name); return the results dict."""
    start = time.monotonic()
    try:
        cells, error = read_cells(text, name), None
    except NotebookError as err:
        cells, error = None, str(err)
    source_name = match_source(name, cells, sources)
    if source_name is None:
        reason = (error + ". " if error else "") + (f"Could not tell which exercise {name} is: name it like the "
                                                    f"exercise file (e.g. {next(iter(sources))}).")
        return results_dict([], [reason], name, None, [], start, mode)
    if error is not None:
        return results_dict(failed_tests(sources[source_name], error), [error], name, source_name, [], start, mode)
    tests, notes, observed = grade_cells(cells, sources[source_name], limits, mode)
    flags = flags_for(cells, sources[source_name]) + [OBSERVED[code] for code in observed if code in OBSERVED]
    return results_dict(tests, notes, name, source_name, flags, start, mode)


def read_submission(path):
    """The text of a submission file: a regular file, never through a symbolic link, at most MAX_BYTES + 1 bytes."""
    fd = os.open(path, os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK)
    with os.fdopen(fd, "rb") as handle:
        if not stat.S_ISREG(os.fstat(handle.fileno()).st_mode):
            raise OSError(errno.EINVAL, "not a regular file")
        return handle.read(MAX_BYTES + 1).decode("utf-8", errors="replace")


def grade_file(path, sources, limits, mode="bwrap"):
    """Grade one submission file (read once, never written); return the results dict."""
    path = Path(path)
    try:
        text = read_submission(path)
    except OSError as err:
        text = f"<unreadable: {err.strerror}>"
    return grade_text(text, path.name, sources, limits, mode)


def grade_as_one(paths, sources, limits, mode="bwrap"):
    """Grade several notebooks as one student's assignment covering every source notebook.

    This is what a Gradescope run does: a missing exercise notebook costs its items.
    """
    start = time.monotonic()
    tests, notes, flags = [], [], []
    by_source = {}
    for path in paths:
        cells = None
        try:
            cells = read_cells(read_submission(path), Path(path).name)
        except (NotebookError, OSError):
            pass
        by_source.setdefault(match_source(Path(path).name, cells, sources), path)
    for source_name, source_cells in sources.items():
        if source_name not in by_source:
            reason = f"{source_name} is not in your submission; upload your copy of exercises/{source_name}"
            tests += failed_tests(source_cells, reason)
            notes.append(reason + ".")
            continue
        single = grade_file(by_source[source_name], {source_name: source_cells}, limits, mode)
        tests += single["tests"]
        notes += single["output"].splitlines()
        flags += single["extra_data"]["flags"]
    for number, test in enumerate(tests, start=1):
        test["number"] = str(number)
    return results_dict(tests, notes, "submission", ", ".join(sources), sorted(set(flags)), start, mode)
