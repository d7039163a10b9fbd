"""The grader against broken and dishonest submissions, organised by the threat model.

One batch (``python -m nncourse.grading ... --jobs 2``) grades every submission written by
``tests/grading_fixtures/make_fixtures.py`` (see ``THREATS`` there: broken code, malformed notebooks,
patching the grader in its own process, reading hidden tests and solutions, leaving something behind
for later submissions, killing the grader, exhausting resources, numpy-only answers that use nnlib, a
grader that fails on one file) plus hostile file names made here. The tests below read that one run:
exact scores, plain-words explanations, review flags, and that the batch changed nothing but its
output folder and left no process behind. Slow part: the batch itself (about a minute on two cores).
"""

import csv
import importlib
import json
import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

import nbformat
import pytest
from grading_support import FIXTURES, ROOT, grading_processes, load_fixture_generator, require_sandbox, tree_fingerprint

pytestmark = pytest.mark.slow  # one sandboxed batch of the real grader (about a minute on 2 cores)

make_fixtures = load_fixture_generator()
EXPECTED = make_fixtures.EXPECTED
EX01_ITEMS = importlib.import_module("nncourse.grading.items.ex01").ITEMS
CRASH_HOOK = '''import os, sys
def _crash(event, args):
    if (event == "open" and args and str(args[0]).endswith("crash_the_grader.ipynb")
            and "nncourse.grading.worker" in sys.orig_argv):
        os._exit(70)
sys.addaudithook(_crash)
'''
# Honest copies of exercise 01 under names chosen to break or escape the output folder -> their result folder.
HOSTILE_NAMES = {
    "grades.csv.ipynb": "submission-grades.csv",
    "...ipynb": "submission",
    "..ipynb": "submission-2",
    "Übung 01 ✓ (final).ipynb": "Übung 01 _ (final)",
    "=HYPERLINK(1).ipynb": "_HYPERLINK(1)",
    "line\nbreak.ipynb": "line_break",
    "dup/EX01.ipynb": "dup__EX01",
    "dup/ex01.ipynb": "dup__ex01-2",
}


def _write_hostile(folder):
    """Write the hostile names into ``folder``; return {result folder: expected score}."""
    text = nbformat.writes(make_fixtures.student_copy())
    for name in HOSTILE_NAMES:
        (folder / name).parent.mkdir(parents=True, exist_ok=True)
        (folder / name).write_text(text, encoding="utf-8")
    expected = dict.fromkeys(HOSTILE_NAMES.values(), make_fixtures.MAX_SCORE["ex01"])
    (folder / "ex01_huge_file.ipynb").write_text('{"cells": []' + " " * (21 * 2**20) + "}", encoding="utf-8")
    expected["ex01_huge_file"] = 0
    (folder / "link to the solution.ipynb").symlink_to(ROOT / "solutions" / "ex01_neurons_threshold_units.ipynb")
    os.mkfifo(folder / "fifo.ipynb")
    return expected


@pytest.fixture(scope="module")
def batch(tmp_path_factory):
    """Grade every fixture and the hostile names once; fingerprints of everything before and after."""
    require_sandbox()
    base = tmp_path_factory.mktemp("threats")
    submissions, out, hook = base / "submissions", base / "out", base / "hook"
    submissions.mkdir()
    hook.mkdir()
    (hook / "sitecustomize.py").write_text(CRASH_HOOK)
    for path in FIXTURES.glob("*.ipynb"):
        shutil.copy(path, submissions / path.name)
    hostile = _write_hostile(submissions)
    before = {"submissions": tree_fingerprint(submissions), "base": sorted(os.listdir(base)),
              "project": tree_fingerprint(ROOT, skip={".venv", ".git"}),
              "venv": tree_fingerprint(ROOT / ".venv", content=False)}
    env = {**os.environ, "PYTHONPATH": str(hook), "PYTHONDONTWRITEBYTECODE": "1"}
    started = time.monotonic()
    process = subprocess.run(
        [sys.executable, "-m", "nncourse.grading", str(submissions), "--out", str(out), "--jobs", "2",
         "--cell-timeout", "4", "--total-timeout", "120", "--memory-limit", "640"],
        cwd=ROOT, env=env, capture_output=True, text=True, timeout=900)
    seconds = time.monotonic() - started
    left = grading_processes() + grading_processes(marker="sleep 31337")
    time.sleep(6)  # a detached process of a submission would rewrite files 5 s after it started
    after = {"submissions": tree_fingerprint(submissions), "base": sorted(os.listdir(base)),
             "project": tree_fingerprint(ROOT, skip={".venv", ".git"}),
             "venv": tree_fingerprint(ROOT / ".venv", content=False)}
    return {"out": out, "process": process, "before": before, "after": after, "left": left,
            "hostile": hostile, "seconds": seconds}


def results(batch, key):
    return json.loads((batch["out"] / key / "results.json").read_text(encoding="utf-8"))


def outputs(batch, key):
    return {test["tags"][0]: test["output"] for test in results(batch, key)["tests"]}


def csv_rows(batch):
    with open(batch["out"] / "grades.csv", newline="", encoding="utf-8") as handle:
        return {row["submission"]: row for row in csv.DictReader(handle)}


# --- the batch as a whole -------------------------------------------------------------------------

def test_the_batch_finishes_and_reports_every_submission(batch):
    process = batch["process"]
    assert process.returncode == 0, process.stderr[-3000:]
    total = len(EXPECTED) + len(batch["hostile"])
    assert f"({total} of {total} submissions graded)" in process.stdout
    assert "Traceback" not in process.stdout + process.stderr


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_exact_scores(batch, name):
    report = results(batch, Path(name).stem)
    exercise = report["extra_data"]["exercise"][:4]
    assert (report["score"], report["max_score"]) == (EXPECTED[name], make_fixtures.MAX_SCORE[exercise]), (
        report["output"])
    assert report["score"] == sum(test["score"] for test in report["tests"])


def test_hostile_names_get_safe_separate_folders_and_are_graded(batch):
    for key, score in batch["hostile"].items():
        assert results(batch, key)["score"] == score, key
    rows = csv_rows(batch)
    assert not any("link to the solution" in key or "fifo" in key for key in rows)  # never followed or read
    assert (batch["out"] / "grades.csv").is_file()


def test_nothing_outside_the_output_folder_was_written(batch):
    assert batch["after"]["base"] == sorted([*batch["before"]["base"], "out"])
    written = {str(path.relative_to(batch["out"])) for path in batch["out"].rglob("*") if path.is_file()}
    assert written == {"grades.csv"} | {f"{key}/results.json" for key in csv_rows(batch)}


def test_submissions_are_unchanged_byte_for_byte(batch):
    assert batch["after"]["submissions"] == batch["before"]["submissions"]


def test_the_project_and_its_environment_are_unchanged(batch):
    assert batch["after"]["project"] == batch["before"]["project"]
    assert batch["after"]["venv"] == batch["before"]["venv"]


def test_no_process_is_left_running(batch):
    assert batch["left"] == []
    assert grading_processes() == [] and grading_processes(marker="sleep 31337") == []


def test_every_results_file_stays_small_and_follows_gradescopes_format(batch):
    for key in csv_rows(batch):
        path = batch["out"] / key / "results.json"
        assert path.stat().st_size < 1_000_000, key
        report = results(batch, key)
        assert {"score", "max_score", "output", "tests", "visibility", "extra_data"} <= set(report)
        for test in report["tests"]:
            assert {"name", "score", "max_score", "status", "output", "visibility"} <= set(test)
            assert test["status"] == ("passed" if test["score"] == test["max_score"] else "failed")
            assert test["output"].startswith("✓" if test["status"] == "passed" else "✗")
            assert "Traceback" not in test["output"] and "\x1b[" not in test["output"]
    assert (batch["out"] / "ex01_huge_messages" / "results.json").stat().st_size < 20_000
    assert (batch["out"] / "ex01_huge_output" / "results.json").stat().st_size < 20_000


def test_grades_csv_records_status_sandbox_and_flags(batch):
    rows = csv_rows(batch)
    assert rows["ex01_kernel_crash"]["score"] == "12" and rows["ex01_kernel_crash"]["percent"] == "85.7"  # of 14
    assert (rows["ex01_kernel_crash"]["ex01-gates"], rows["ex01_kernel_crash"]["ex01-xor"]) == ("0", "2")
    assert rows["ex01_crash_the_grader"]["status"] == "grader failed"
    assert {row["sandbox"] for row in rows.values()} == {"bubblewrap"}
    assert rows["homework_final (2)"]["flags"] == "imports or patches the grading package; replaces output streams"
    assert "installed a tracing or profiling hook (seen while running)" in rows["ex01_trace_hooks"]["flags"]
    assert "changed the import system (seen while running)" in rows["ex01_import_hook"]["flags"]
    assert "registered IPython transformers or event hooks (seen while running)" in rows["ex01_ipython_hooks"]["flags"]
    assert "sent signals (seen while running)" in rows["ex01_kill_the_grader"]["flags"]
    assert "reads course files, other notebooks or /proc" in rows["ex01_read_solutions"]["flags"]
    assert "numpy only" in rows["ex03_sneaky_nnlib"]["flags"] and "numpy only" in rows["ex03_uses_nnlib"]["flags"]
    assert rows["ex01_victim"]["flags"] == "" and rows["ex01_tests_deleted"]["flags"] == ""


# --- what the student reads -------------------------------------------------------------------------

def test_infinite_loops_cost_only_the_looping_item(batch):
    assert "Note: cell 3 did not finish within the 4 s limit per cell" in results(batch, "ex01_infinite_loop")["output"]
    assert outputs(batch, "ex01_infinite_loop")["ex01-sign"] == (
        "✗ the tests called your code, which did not finish within the 4 s limit per cell (an endless loop, "
        "or far too slow); it was stopped and skipped")


def test_sys_exit_and_exit_are_survived(batch):
    assert "Note: cell 3 raised SystemExit: stop here (line 2); the cells after it still ran." in (
        results(batch, "ex01_sys_exit")["output"])
    assert outputs(batch, "ex01_sys_exit")["ex01-sign"] == (
        "✗ your code called sys.exit() (or exit()); remove it, a function should return")


def test_a_crashed_notebook_costs_only_the_crashing_item(batch):
    assert "Note: cell 12 stopped the Python process" in results(batch, "ex01_kernel_crash")["output"]
    assert outputs(batch, "ex01_kernel_crash")["ex01-gates"].startswith(
        "✗ the tests called your code, which stopped the Python process")


def test_exceptions_in_early_cells_do_not_stop_later_cells(batch):
    output = results(batch, "ex01_early_exception")["output"]
    assert "Note: cell 2 raised ZeroDivisionError: division by zero (line 4); the cells after it still ran." in output
    assert "Note: cell 7 raised NameError: name 'undefined_name' is not defined (line 6)" in output


def test_huge_output_and_huge_messages_are_cut_off(batch):
    assert "Note: the output of cell 3 was cut off (too long)." in results(batch, "ex01_huge_output")["output"]
    sign = outputs(batch, "ex01_huge_messages")["ex01-sign"]
    assert sign.startswith("✗ your code raised ValueError: yyyy") and len(sign) < 5_000


def test_missing_functions_are_named(batch):
    found = outputs(batch, "ex01_missing_function")
    assert found["ex01-gates"].startswith("✗ name 'gate_weights' is not defined: the function was not defined")
    assert found["ex01-xor"].startswith("✗ name 'xor_weights' is not defined")


@pytest.mark.parametrize("key, words", [
    ("ex01_invalid_json", "ex01_invalid_json.ipynb is not valid JSON (line"),
    ("ex01_nested_deep", "ex01_nested_deep.ipynb is JSON nested too deeply to be a notebook"),
    ("ex01_no_cells", "ex01_no_cells.ipynb is JSON but not a Jupyter notebook (it has no list of cells)"),
    ("ex01_empty", "ex01_empty.ipynb is not valid JSON"),
    ("ex01_cells_not_a_list", "it has no list of cells"),
    ("ex01_huge_file", "ex01_huge_file.ipynb is larger than 20 MB"),
])
def test_malformed_notebooks_cost_every_item_with_an_explanation(batch, key, words):
    found = outputs(batch, key)
    assert len(found) == len(EX01_ITEMS) and all(words in text for text in found.values()), found


def test_common_mistakes_get_their_diagnosis(batch):
    found = outputs(batch, "ex01_common_mistakes")
    assert "(use >=, not >)" in found["ex01-step"]
    assert "sign(0) gives 0 (that is np.sign)" in found["ex01-sign"]
    assert "the results ignore the bias" in found["ex01-neuron"]
    assert "with your OR weights w = [1.0, 1.0], b = -1.5" in found["ex01-gates"]
    assert "the weights are transposed" in found["ex01-two-layer"]
    assert found["ex01-xor"] == "✓ visible tests passed; 1 hidden test passed"


def test_hidden_test_failures_are_reported_by_number(batch):
    found = outputs(batch, "ex01_hidden_fail")
    assert found["ex01-step"] == ("✗ visible tests passed; hidden test 2 of 2 failed: step is wrong for values "
                                  "just below and just above 0")
    assert found["ex01-xor"].startswith("✗ visible tests passed; hidden test 1 of 1 failed: your XOR network "
                                        "fails for inputs within 0.1 of 0 or 1")


def test_cheating_in_the_notebooks_own_process_gains_nothing(batch):
    """Redefined check, patched grading modules and stdlib, forged results, liars: only the honest step counts."""
    for key in ("homework_final (2)", "ex01_patched_numpy", "ex01_patch_stdlib", "ex01_trace_hooks",
                "ex01_import_hook", "ex01_ipython_hooks", "ex01_liars"):
        found = outputs(batch, key)
        assert found["ex01-step"] == "✓ visible tests passed; 2 hidden tests passed", (key, found)
        assert [item for item, text in found.items() if text.startswith("✓")] == ["ex01-step"], (key, found)


def test_resources_exhausted_cost_only_the_cell_that_exhausted_them(batch):
    assert "Note: cell 3 used more than the 640 MB of memory allowed" in results(batch, "ex01_memory_hog")["output"]
    assert "Note: cell 3 did not finish within the 4 s limit" in results(batch, "ex01_sleeper")["output"]
    assert outputs(batch, "ex01_sleeper")["ex01-sign"].startswith("✗ the tests called your code, which did not finish")
    assert "wrote something on the grader's channel that is not an answer" in (
        results(batch, "ex01_channel_garbage")["output"])


def test_numpy_only_items_that_need_nnlib_score_zero_in_plain_words(batch):
    found = outputs(batch, "ex03_uses_nnlib")
    assert found["ex03-sigmoid"].startswith("✗ this item must be solved with numpy alone, but without nnlib your "
                                            "answer fails: your code raised ModuleNotFoundError: No module named")
    assert found["ex03-tanh-relu"].startswith("✓")
    assert outputs(batch, "ex03_sneaky_nnlib")["ex03-tanh-relu"].startswith(
        "✗ this item must be solved with numpy alone")


def test_a_grader_failure_costs_that_submission_only(batch):
    report = results(batch, "ex01_crash_the_grader")
    assert (report["score"], report["max_score"]) == (0, make_fixtures.MAX_SCORE["ex01"])
    assert len(report["tests"]) == len(EX01_ITEMS)
    assert report["output"].splitlines()[1] == ("the grader failed on this submission (its grading process stopped "
                                                "with exit code 70); an instructor will look at it")
