"""The student copies in exercises/: up to date, and every item fails only with the stub's NotImplementedError.

Every exercise notebook (and every solution notebook) is run through the grader, so
notebooks added later are covered automatically: in exercises/ every cell runs without
error except NotImplementedError from a stub, and every graded item reports "not
implemented yet" (0 points); in solutions/ every cell runs cleanly and every item
passes (full marks).
"""

import importlib.util
from concurrent.futures import ProcessPoolExecutor
from multiprocessing import get_context
from pathlib import Path

import pytest

from nncourse.grading.grader import step_report
from nncourse.grading.kernel import Limits

ROOT = Path(__file__).resolve().parent.parent
SOLUTIONS = sorted((ROOT / "solutions").glob("ex[0-9][0-9]_*.ipynb"))
EXERCISES = sorted((ROOT / "exercises").glob("ex[0-9][0-9]_*.ipynb"))
LIMITS = Limits(cell=120, total=600)
SPEC = importlib.util.spec_from_file_location("make_exercises", ROOT / "scripts" / "make_exercises.py")
make_exercises = importlib.util.module_from_spec(SPEC)
SPEC.loader.exec_module(make_exercises)


def test_committed_exercises_are_generated_from_solutions(capsys):
    status = make_exercises.main(["--check"])
    assert status == 0, capsys.readouterr().out


def test_every_solution_has_an_exercise():
    assert [path.name for path in EXERCISES] == [path.name for path in SOLUTIONS]


@pytest.fixture(scope="module")
def reports():
    """Grade every exercise and solution notebook against its solution, two at a time."""
    jobs = [(path, ROOT / "solutions" / path.name) for path in EXERCISES + SOLUTIONS]
    with ProcessPoolExecutor(max_workers=2, mp_context=get_context("spawn")) as pool:
        steps = list(pool.map(step_report, *zip(*jobs), [LIMITS] * len(jobs)))
    return {(path.parent.name, path.name): report for (path, _), report in zip(jobs, steps)}


@pytest.mark.parametrize("name", [path.name for path in EXERCISES])
def test_untouched_exercise_fails_only_with_not_implemented(reports, name):
    steps = reports[("exercises", name)]
    for step in steps:
        if step["item"] is None:
            assert step["status"] == "ok" or (step["status"] == "error" and
                                              step["error"].startswith("NotImplementedError")), step
        else:
            assert step["result"] is not None, step
            assert (step["result"]["passed"], step["result"]["status"]) == (False, "not implemented"), step
            assert step["result"]["message"].startswith("not implemented yet: replace"), step
    assert any(step["item"] for step in steps)


@pytest.mark.parametrize("name", [path.name for path in SOLUTIONS])
def test_solution_gets_full_marks_from_the_grader(reports, name):
    for step in reports[("solutions", name)]:
        assert step["status"] == "ok", step
        if step["item"] is not None:
            assert step["result"]["passed"], step
