"""The student copies in exercises/: up to date; graded in the sandbox, they score 0 and the solutions full marks.

Every exercise notebook and every solution notebook goes through one batch of the real grader
(``python -m nncourse.grading``, two at a time, each in its bubblewrap sandbox), so notebooks added
later are covered automatically: an untouched exercise gets 0 points, every item saying "not
implemented yet" and no cell failing with anything but the stub's NotImplementedError; a solution
gets every point, with no note and no review flag.
"""

import csv
import importlib.util
import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from grading_support import require_sandbox

ROOT = Path(__file__).resolve().parent.parent
SOLUTIONS = sorted((ROOT / "solutions").glob("ex[0-9][0-9]_*.ipynb"))
EXERCISES = sorted((ROOT / "exercises").glob("ex[0-9][0-9]_*.ipynb"))
SPEC = importlib.util.spec_from_file_location("make_exercises", ROOT / "scripts" / "make_exercises.py")
make_exercises = importlib.util.module_from_spec(SPEC)
SPEC.loader.exec_module(make_exercises)


def test_committed_exercises_are_generated_from_solutions(capsys):
    status = make_exercises.main(["--check"])
    assert status == 0, capsys.readouterr().out


def test_every_solution_has_an_exercise():
    assert [path.name for path in EXERCISES] == [path.name for path in SOLUTIONS]


SLOW = pytest.mark.slow  # these share one sandboxed batch of the real grader (about a minute on 2 cores)


@pytest.fixture(scope="module")
def graded(tmp_path_factory):
    """Grade copies of every exercise and solution notebook in one batch: {(folder, name): results}."""
    require_sandbox()
    submissions = tmp_path_factory.mktemp("submissions")
    for folder, paths in (("exercises", EXERCISES), ("solutions", SOLUTIONS)):
        (submissions / folder).mkdir()
        for path in paths:
            shutil.copy(path, submissions / folder / path.name)
    out = tmp_path_factory.mktemp("graded")
    done = subprocess.run([sys.executable, "-m", "nncourse.grading", str(submissions), "--out", str(out),
                           "--source", str(ROOT / "solutions"), "--jobs", "2", "--cell-timeout", "60"],
                          capture_output=True, text=True, timeout=900)
    assert done.returncode == 0, done.stderr[-3000:]
    reports = {}
    for folder, paths in (("exercises", EXERCISES), ("solutions", SOLUTIONS)):
        for path in paths:
            results = out / f"{folder}__{path.stem}" / "results.json"
            reports[(folder, path.name)] = json.loads(results.read_text(encoding="utf-8"))
    with open(out / "grades.csv", newline="", encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle))
    return reports, rows


@SLOW
@pytest.mark.parametrize("name", [path.name for path in EXERCISES])
def test_untouched_exercise_scores_zero_with_not_implemented_everywhere(graded, name):
    report = graded[0][("exercises", name)]
    assert report["score"] == 0 and report["max_score"] > 0 and report["tests"]
    for test in report["tests"]:
        assert test["output"].startswith("✗ not implemented yet: replace \"raise NotImplementedError()\" in "), test
    for line in report["output"].splitlines()[1:]:
        assert line.startswith("Note: cell ") and " raised NotImplementedError" in line, line
    assert report["extra_data"]["flags"] == [] and report["extra_data"]["sandbox"] == "bubblewrap"


@SLOW
@pytest.mark.parametrize("name", [path.name for path in SOLUTIONS])
def test_solution_gets_full_marks_from_the_grader(graded, name):
    report = graded[0][("solutions", name)]
    assert report["score"] == report["max_score"] > 0, [t["output"] for t in report["tests"] if t["score"] == 0]
    assert report["output"].splitlines()[1:] == [] and report["extra_data"]["flags"] == []


@SLOW
def test_grades_csv_has_every_notebook_graded_in_the_sandbox(graded):
    rows = graded[1]
    assert len(rows) == len(EXERCISES) + len(SOLUTIONS)
    assert {(row["status"], row["sandbox"]) for row in rows} == {("graded", "bubblewrap")}
    percent = {row["submission"].split("__")[0]: set() for row in rows}
    for row in rows:
        percent[row["submission"].split("__")[0]].add(row["percent"])
    assert percent == {"exercises": {"0.0"}, "solutions": {"100.0"}}
