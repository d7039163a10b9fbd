"""Grade submitted exercise notebooks into Gradescope ``results.json`` files and a CSV.

:func:`grade_file` grades one notebook against the instructor's notebooks in
``solutions/``; :func:`grade_batch` grades many in parallel processes and writes
``OUT/<submission>/results.json`` plus ``OUT/grades.csv``. A submission is read once
into memory and never written to; its cells run in a fresh kernel in a temporary
directory (see :mod:`nncourse.grading.kernel`), and its test cells are replaced by the
instructor's (see :mod:`nncourse.grading.plan`).
"""

import csv
import json
import re
import time
from concurrent.futures import ProcessPoolExecutor
from multiprocessing import get_context
from pathlib import Path

from nncourse.grading.checking import find_item
from nncourse.grading.kernel import Executor, Limits
from nncourse.grading.plan import NotebookError, build_plan, match_source, read_cells

# Code a student has no reason to write in an exercise: flagged for an instructor to look at.
SUSPICIOUS = {
    "imports or patches the grading package": r"nncourse\.grading|nncourse\s+import\s+grading",
    "touches the interpreter's module table or builtins": r"sys\.modules|__builtins__|\bbuiltins\b|importlib",
    "hooks into IPython": r"get_ipython|\.events\.register|input_transformers|ast_transformers",
    "replaces output streams": r"sys\.(stdout|stderr)\s*=|sys\.__stdout__|sys\.__stderr__",
    "inspects the call stack": r"inspect\.stack|_getframe|f_back|f_globals",
    "reassigns a numpy function": r"\b(np|numpy)\.[A-Za-z_][\w.]*\s*=(?!=)",
    "reads files outside the exercise": r"solutions/|/autograder/",
}


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
    return [reason for reason, pattern in SUSPICIOUS.items() if re.search(pattern, code)]


def _test_entry(item, score, status, output, number):
    """One entry of Gradescope's ``tests`` list; ``tags`` holds the bare item id."""
    registered = find_item(item.item_id)
    name = f"{item.item_id}: {registered.title}" if registered is not None else item.item_id
    return {"name": name, "number": str(number), "score": score, "max_score": item.points,
            "status": status, "output": output, "visibility": "visible", "tags": [item.item_id]}


def _item_output(item, step_result, notes):
    """(passed, text) for one item from its step's result and notes about the student's cells."""
    if step_result.result is not None:
        passed, text = step_result.result["passed"], step_result.result["message"]
    elif step_result.status in ("timeout", "crashed"):
        passed, text = False, f"the tests called your code, which {step_result.error}"
    elif step_result.status == "not run":
        passed, text = False, step_result.error or "not run"
    else:
        passed, text = False, ("no valid result came back from the tests (the submission interferes with the "
                               "grader's output); an instructor will look at it")
    if not passed and notes:
        text += "\n" + "\n".join(notes)
    return passed, ("✓ " if passed else "✗ ") + text


def _cell_notes(plan, results):
    """Notes about student cells that failed, keyed by their labels (cell id / grade_id)."""
    notes, general = {}, []
    for step, result in zip(plan, results):
        if step.item is None and result.output_truncated:
            general.append(f"Note: the output of cell {step.cell_number} was cut off (too long).")
        if step.item is not None or result.status in ("ok", "not run"):
            continue
        if result.status == "error":
            text = f"Note: cell {step.cell_number} raised {result.error}; the cells after it still ran."
        else:
            text = f"Note: cell {step.cell_number} {result.error}."
        general.append(text)
        for label in step.labels:
            notes.setdefault(label, []).append(text)
    return notes, general


def run_submission(cells, source_cells, limits=None):
    """Execute a submission with the instructor's tests: ``(plan, items, step results)``."""
    plan, items = build_plan(source_cells, cells)
    return plan, items, Executor(limits or Limits()).execute(plan)


def step_report(path, source_path, limits=None):
    """What happened to each executed step of a submission, as plain dicts (for checks and debugging).

    Each dict has ``item`` (item id, or None for a student cell), ``cell`` (1-based cell
    number), ``status`` (ok, error, timeout, crashed, not run), ``error`` and ``result``.
    """
    cells = read_cells(Path(path).read_text(encoding="utf-8"), Path(path).name)
    source_cells = read_cells(Path(source_path).read_text(encoding="utf-8"), Path(source_path).name)
    plan, _, results = run_submission(cells, source_cells, limits)
    return [{"item": step.item.item_id if step.item else None, "cell": step.cell_number, "status": result.status,
             "error": result.error, "result": result.result} for step, result in zip(plan, results)]


def grade_cells(cells, source_cells, limits):
    """Grade parsed submission cells against one instructor notebook: ``(tests, notes)``."""
    plan, items, results = run_submission(cells, source_cells, limits)
    notes, general = _cell_notes(plan, results)
    by_item = {step.item.item_id: result for step, result in zip(plan, results) if step.item is not None}
    tests = []
    for number, item in enumerate(items, start=1):
        passed, output = _item_output(item, by_item[item.item_id], notes.get(item.answer_id, []))
        tests.append(_test_entry(item, item.points if passed else 0.0, "passed" if passed else "failed",
                                 output, number))
    return tests, general


def _failed_tests(source_cells, reason):
    """Every item of a notebook failed for one reason (unreadable or missing submission)."""
    from nncourse.grading.plan import source_items

    return [_test_entry(item, 0.0, "failed", f"✗ {reason}", number)
            for number, item in enumerate(source_items(source_cells), start=1)]


def grade_text(text, name, sources, limits=None):
    """Grade one submission given as text (``name`` is its file name); return the results dict."""
    limits = limits or Limits()
    start = time.monotonic()
    try:
        cells = read_cells(text, name)
    except NotebookError as err:
        cells, error = None, str(err)
    else:
        error = None
    source_name = match_source(name, cells, sources)
    if source_name is None:
        return _results([], [f"Could not tell which exercise {name} is: name it like the exercise file "
                             f"(e.g. {next(iter(sources))})."], name, None, [], start)
    if error is not None:
        tests, general, flags = _failed_tests(sources[source_name], error), [error], []
    else:
        snapshot = grader_files()
        tests, general = grade_cells(cells, sources[source_name], limits)
        flags = flags_for(cells, sources[source_name])
        changed = restore_grader_files(snapshot)
        if changed:
            reason = f"the submission changed the grader's own files ({', '.join(changed)}); they were restored"
            tests = _failed_tests(sources[source_name], reason + " and no result of this submission counts")
            flags.append(reason)
    return _results(tests, general, name, source_name, flags, start)


# The grader's core modules, which submitted code could try to rewrite on disk to fool later submissions.
CORE_MODULES = ("__init__.py", "checking.py", "feedback.py", "harness.py", "markers.py")


def grader_files():
    """Contents of the grader's core modules, keyed by path."""
    folder = Path(__file__).resolve().parent
    return {folder / name: (folder / name).read_bytes() for name in CORE_MODULES}


def restore_grader_files(snapshot):
    """Put back any core module that changed since ``snapshot``; return the names that had changed."""
    changed = []
    for path, data in snapshot.items():
        try:
            current = path.read_bytes()
        except OSError:
            current = None
        if current != data:
            path.write_bytes(data)
            changed.append(path.name)
    return changed


def _results(tests, notes, name, source_name, flags, start):
    """The Gradescope results dict."""
    score = sum(test["score"] for test in tests)
    max_score = sum(test["max_score"] for test in tests)
    passed = sum(test["status"] == "passed" for test in tests)
    summary = [f"{name}: {score:g} of {max_score:g} points ({passed} of {len(tests)} items passed)."]
    summary += notes
    if flags:
        summary.append("Flagged for review by an instructor: " + "; ".join(flags) + ".")
    return {"score": score, "max_score": max_score, "output": "\n".join(summary), "visibility": "visible",
            "stdout_visibility": "hidden", "execution_time": round(time.monotonic() - start, 1), "tests": tests,
            "extra_data": {"submission": name, "exercise": source_name or "", "flags": flags}}


def grade_file(path, sources, limits=None):
    """Grade one submission file (read once, never written); return the results dict."""
    path = Path(path)
    try:
        text = path.read_bytes().decode("utf-8", errors="replace")
    except OSError as err:
        text = f"<unreadable: {err}>"
    return grade_text(text, path.name, sources, limits)


def grade_as_one(paths, sources, limits=None):
    """Grade several notebooks as one student's assignment covering every source notebook.

    This is what a Gradescope run does: a missing exercise notebook costs its items.
    """
    start = time.monotonic()
    tests, notes, flags = [], [], []
    by_source = {}
    for path in paths:
        cells = None
        try:
            cells = read_cells(Path(path).read_bytes().decode("utf-8", errors="replace"), Path(path).name)
        except NotebookError:
            pass
        by_source.setdefault(match_source(Path(path).name, cells, sources), path)
    for source_name, source_cells in sources.items():
        if source_name not in by_source:
            reason = f"{source_name} is not in your submission; upload your copy of exercises/{source_name}"
            tests += _failed_tests(source_cells, reason)
            notes.append(reason + ".")
            continue
        single = grade_file(by_source[source_name], {source_name: source_cells}, limits)
        tests += single["tests"]
        notes += single["output"].splitlines()
        flags += single["extra_data"]["flags"]
    for number, test in enumerate(tests, start=1):
        test["number"] = str(number)
    return _results(tests, notes, "submission", ", ".join(sources), sorted(set(flags)), start)


def submission_key(path, root):
    """A folder name for a submission's results: its path below ``root`` without ``.ipynb``."""
    relative = Path(path).resolve().relative_to(Path(root).resolve()) if root else Path(Path(path).name)
    return "__".join(relative.with_suffix("").parts)


def collect(targets):
    """(path, root) for every notebook named or found (recursively) in the given folders."""
    found = []
    for target in map(Path, targets):
        if target.is_dir():
            for path in sorted(target.rglob("*.ipynb")):
                if ".ipynb_checkpoints" not in path.parts:
                    found.append((path, target))
        else:
            found.append((target, None))
    return found


def _grade_one_job(job):
    path, sources, limits = job
    try:
        return grade_file(path, sources, limits)
    except Exception as err:  # a grader bug must not stop the batch
        return _results([], [f"The grader failed on this submission: {type(err).__name__}: {err}"],
                        Path(path).name, None, [], time.monotonic())


def _grade_parallel(jobs_args, jobs):
    """Reports graded in worker processes; None where a worker died (graded again in this process)."""
    reports = [None] * len(jobs_args)
    with ProcessPoolExecutor(max_workers=jobs, mp_context=get_context("spawn")) as pool:
        futures = [pool.submit(_grade_one_job, job) for job in jobs_args]
        for index, future in enumerate(futures):
            try:
                reports[index] = future.result()
            except Exception:  # e.g. BrokenProcessPool after a worker was killed
                reports[index] = None
    return reports


def _unique_keys(found):
    """Results folder names, with -2, -3 ... for files of the same name given separately."""
    keys, used = [], set()
    for path, root in found:
        key = base = submission_key(path, root)
        number = 1
        while key in used:
            number += 1
            key = f"{base}-{number}"
        used.add(key)
        keys.append(key)
    return keys


def grade_batch(targets, out, sources, limits=None, jobs=1):
    """Grade every submission, write results.json files and grades.csv; return (key, report) rows."""
    out = Path(out)
    found = collect(targets)
    jobs_args = [(path, sources, limits or Limits()) for path, _ in found]
    if jobs > 1 and len(found) > 1:
        reports = _grade_parallel(jobs_args, jobs)
    else:
        reports = [None] * len(jobs_args)
    # Whatever no worker graded (sequential mode, or a worker that died) is graded here.
    reports = [report if report is not None else _grade_one_job(job) for report, job in zip(reports, jobs_args)]
    rows = list(zip(_unique_keys(found), reports))
    for key, report in rows:
        write_results(report, out / key / "results.json")
    write_csv(rows, out / "grades.csv")
    return rows


def write_results(report, path):
    """Write one results.json."""
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(report, indent=1, ensure_ascii=False) + "\n", encoding="utf-8")


def write_csv(rows, path):
    """One line per submission: total, each item's score, notes and review flags."""
    item_ids = []
    for _, report in rows:
        item_ids += [test["tags"][0] for test in report["tests"] if test["tags"][0] not in item_ids]
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path, "w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(["submission", "exercise", "score", "max_score", "percent", *item_ids, "flags"])
        for key, report in rows:
            scores = {test["tags"][0]: test["score"] for test in report["tests"]}
            percent = 100 * report["score"] / report["max_score"] if report["max_score"] else 0.0
            writer.writerow([key, report["extra_data"]["exercise"], f"{report['score']:g}",
                             f"{report['max_score']:g}", f"{percent:.1f}",
                             *(f"{scores[i]:g}" if i in scores else "" for i in item_ids),
                             "; ".join(report["extra_data"]["flags"])])
