"""Markers, student copies, reading untrusted notebooks, grading plans, result names, and running an item's
tests in the grader against stand-ins (no sandbox needed)."""

import csv
import importlib.util
import json
from pathlib import Path

import nbformat
import numpy as np
import pytest

from nncourse.grading.batch import NOT_GRADED, collect, safe_key, unique_keys, write_csv
from nncourse.grading.grader import flags_for, grade_as_one, load_sources
from nncourse.grading.judge import evaluate, free_names
from nncourse.grading.markers import MarkerError, count_asserts, replace_solutions, split_hidden
from nncourse.grading.plan import NotebookError, build_plan, match_source, read_cells, source_items
from nncourse.grading.sandbox import Limits

ROOT = Path(__file__).resolve().parent.parent
SPEC = importlib.util.spec_from_file_location("make_exercises", ROOT / "scripts" / "make_exercises.py")
make_exercises = importlib.util.module_from_spec(SPEC)
SPEC.loader.exec_module(make_exercises)


# --- markers -------------------------------------------------------------------------------------

def test_stub_keeps_def_line_and_indentation_of_each_region():
    source = ("class Layer:\n    def forward(self, x):\n        ### BEGIN SOLUTION\n        return 2 * x\n"
              "        ### END SOLUTION\n\n    def backward(self, g):\n        ### BEGIN SOLUTION\n"
              "        return 2 * g\n        ### END SOLUTION\n")
    assert replace_solutions(source) == (
        "class Layer:\n    def forward(self, x):\n        # YOUR CODE HERE\n        raise NotImplementedError()\n"
        "\n    def backward(self, g):\n        # YOUR CODE HERE\n        raise NotImplementedError()")


def test_markdown_stub():
    assert replace_solutions("Answer:\n### BEGIN SOLUTION\nBecause.\n### END SOLUTION", markdown=True) == (
        "Answer:\nYOUR ANSWER HERE")


@pytest.mark.parametrize("source, words", [
    ("### BEGIN SOLUTION\nx = 1", r"'### BEGIN SOLUTION' on line 1 has no '### END SOLUTION'"),
    ("x = 1\n### END SOLUTION", r"'### END SOLUTION' on line 2 without '### BEGIN SOLUTION'"),
    ("### BEGIN SOLUTION\n### BEGIN SOLUTION\n", r"on line 2 inside another region"),
])
def test_unpaired_markers_are_errors(source, words):
    with pytest.raises(MarkerError, match=words):
        replace_solutions(source)


def test_split_hidden_and_count_asserts():
    visible, hidden = split_hidden('check("ex01-a", f)\n### BEGIN HIDDEN TESTS\nx = f(2)\nassert x == 4, "f(2)"\n'
                                   'assert f(0) == 0\n### END HIDDEN TESTS\n')
    assert visible == 'check("ex01-a", f)'
    assert hidden == 'x = f(2)\nassert x == 4, "f(2)"\nassert f(0) == 0'
    assert count_asserts(hidden) == 2


# --- make_exercises ------------------------------------------------------------------------------

def _exercise_source():
    nb = nbformat.v4.new_notebook()
    answer = nbformat.v4.new_code_cell("def f(x):\n    ### BEGIN SOLUTION\n    return 2 * x\n    ### END SOLUTION")
    answer.metadata["nbgrader"] = {"grade": False, "solution": True, "locked": False,
                                   "grade_id": "ex01-f-answer", "schema_version": 3}
    answer.outputs = [nbformat.v4.new_output("stream", text="hello")]
    answer.execution_count = 3
    test = nbformat.v4.new_code_cell('check("ex01-f", f)\n### BEGIN HIDDEN TESTS\nassert f(1) == 2, "one"\n'
                                     '### END HIDDEN TESTS')
    test.metadata["nbgrader"] = {"grade": True, "solution": False, "locked": True, "grade_id": "ex01-f",
                                 "points": 2, "schema_version": 3}
    nb.cells = [nbformat.v4.new_markdown_cell("# Title"), answer, test]
    return nb


def test_student_notebook_stubs_answers_removes_hidden_tests_clears_outputs_keeps_the_rest():
    source = _exercise_source()
    student = make_exercises.student_notebook(source)
    assert [c.id for c in student.cells] == [c.id for c in source.cells]
    assert student.cells[0] == source.cells[0]
    assert student.cells[1].source == "def f(x):\n    # YOUR CODE HERE\n    raise NotImplementedError()"
    assert student.cells[1].outputs == [] and student.cells[1].execution_count is None
    assert student.cells[1].metadata == source.cells[1].metadata
    assert student.cells[2].source == 'check("ex01-f", f)'
    assert "BEGIN SOLUTION" in source.cells[1].source  # the source notebook is not changed


def test_check_mode_reports_missing_stale_and_out_of_date(tmp_path, capsys):
    solutions, exercises = tmp_path / "solutions", tmp_path / "exercises"
    solutions.mkdir()
    nbformat.write(_exercise_source(), solutions / "ex01_demo.ipynb")
    args = ["--source", str(solutions), "--dest", str(exercises)]
    assert make_exercises.main(args + ["--check"]) == 1
    assert "ex01_demo.ipynb is missing" in capsys.readouterr().out
    assert make_exercises.main(args) == 0
    assert make_exercises.main(args + ["--check"]) == 0
    target = exercises / "ex01_demo.ipynb"
    target.write_text(target.read_text().replace("YOUR CODE HERE", "my code"))
    (exercises / "ex09_old.ipynb").write_text("{}")
    assert make_exercises.main(args + ["--check"]) == 1
    out = capsys.readouterr().out
    assert "ex01_demo.ipynb is out of date" in out and "ex09_old.ipynb has no source" in out


# --- reading submissions and planning -------------------------------------------------------------

@pytest.mark.parametrize("text, words", [
    ('{"cells": [', r"a.ipynb is not valid JSON \(line 1, column 12: Expecting value\); it was probably damaged"),
    ("[1, 2]", r"a.ipynb is JSON but not a Jupyter notebook"),
    ('{"nbformat": 4}', r"a.ipynb is JSON but not a Jupyter notebook \(it has no list of cells\)"),
    ('{"cells": {"a": 1}}', r"has no list of cells"),
    ("[" * 100_000 + "]" * 100_000, r"a.ipynb is JSON nested too deeply to be a notebook"),
    ('{"cells": [], "x": ' + "1" * 5000 + "}", r"a.ipynb is not readable JSON"),
    ("", r"a.ipynb is not valid JSON"),
    ("\x00\xff garbage", r"a.ipynb is not valid JSON"),
    (" " * (21 * 2**20), r"a.ipynb is larger than 20 MB"),
    (json.dumps({"cells": [{"cell_type": "code", "source": "x"}] * 2001}), r"has 2001 cells, more than the 2000"),
    (json.dumps({"cells": [{"cell_type": "code", "source": "x" * 200_001}]}), r"a cell of 200001 characters"),
])
def test_what_is_no_readable_notebook_is_explained(text, words):
    with pytest.raises(NotebookError, match=words):
        read_cells(text, "a.ipynb")


def test_wrong_types_in_a_notebook_are_dropped_not_fatal():
    cells = read_cells(json.dumps({"cells": [
        7, "text", {"cell_type": 3}, {"cell_type": "code", "source": 5, "metadata": [], "id": ["x"]},
        {"cell_type": "code", "source": ["a = 1\n", 2, "b = 2"], "metadata": {"nbgrader": "yes"}, "id": "c1"},
        {"cell_type": "code", "source": "", "metadata": {"nbgrader": {"grade": "true", "grade_id": 7, "points": -1,
                                                                      "solution": True}}},
    ]}), "a.ipynb")
    assert [cell["source"] for cell in cells] == ["", "a = 1\nb = 2", ""]
    assert [cell["id"] for cell in cells] == [None, "c1", None]
    assert [cell["metadata"]["nbgrader"] for cell in cells] == [{}, {}, {"solution": True}]


def test_nbformat_3_notebooks_are_read():
    v3 = {"nbformat": 3, "worksheets": [{"cells": [
        {"cell_type": "markdown", "source": ["# title"]},
        {"cell_type": "code", "input": ["def f(x):\n", "    return 2 * x"], "language": "python", "outputs": []},
    ]}]}
    cells = read_cells(json.dumps(v3), "old.ipynb")
    assert [(cell["cell_type"], cell["source"]) for cell in cells] == [
        ("markdown", "# title"), ("code", "def f(x):\n    return 2 * x")]


def _cells(nb):
    return read_cells(json.dumps(nb))


def test_plan_replaces_edited_deleted_and_duplicated_test_cells_with_the_instructors():
    source = _exercise_source()
    student = make_exercises.student_notebook(source)
    student.cells[1].source = "def f(x):\n    return 2 * x"
    student.cells[2].source = 'print("✓ ex01-f passed")'  # edited test cell
    duplicate = nbformat.v4.new_code_cell('print("✓ passed again")', metadata=student.cells[2].metadata)
    stripped = nbformat.v4.new_code_cell("assert True")
    stripped.id = student.cells[2].id  # metadata removed, but it is the locked test cell
    student.cells += [duplicate, stripped]
    plan, items = build_plan(_cells(source), _cells(student))
    assert [step.item.item_id if step.item else step.source for step in plan] == [
        "def f(x):\n    return 2 * x", "ex01-f"]
    assert items[0].hidden == 'assert f(1) == 2, "one"' and items[0].points == 2.0
    assert items[0].answer_id == "ex01-f-answer"


def test_tests_run_at_the_end_when_the_answer_cell_is_gone():
    source = _exercise_source()
    student = make_exercises.student_notebook(source)
    del student.cells[1]
    student.cells.append(nbformat.v4.new_code_cell("def f(x):\n    return 2 * x"))
    plan, _ = build_plan(_cells(source), _cells(student))
    assert [step.item is not None for step in plan] == [False, True]


def test_match_source_by_name_then_grade_ids_then_the_only_one():
    cells = _cells(_exercise_source())
    sources = {"ex01_demo.ipynb": cells, "ex02_other.ipynb": []}
    assert match_source("Copy of EX01_demo (3).ipynb", None, sources) == "ex01_demo.ipynb"
    assert match_source("homework.ipynb", cells, sources) == "ex01_demo.ipynb"
    assert match_source("homework.ipynb", None, sources) is None
    assert match_source("homework.ipynb", None, {"ex01_demo.ipynb": cells}) == "ex01_demo.ipynb"


def test_flags_ignore_the_exercise_lines_and_catch_tampering():
    source = [{"cell_type": "code", "source": "from nncourse.grading import check"}]
    ordinary = [{"cell_type": "code", "source": "from nncourse.grading import check\nx = np.zeros(3)\nx[0] = 1"}]
    assert flags_for(ordinary, source) == []
    tampering = [{"cell_type": "code", "source": "import nncourse.grading.checking as c\nnp.allclose = f\n"
                                                  "sys.stdout = w"}]
    assert flags_for(tampering, source) == ["imports or patches the grading package", "replaces output streams",
                                            "reassigns a numpy function"]


def test_as_one_charges_missing_notebooks_their_items():
    report = grade_as_one([], load_sources(ROOT / "solutions"), Limits())
    assert report["score"] == 0 and report["max_score"] == sum(t["max_score"] for t in report["tests"]) > 0
    assert all("is not in your submission; upload your copy of exercises/" in t["output"] for t in report["tests"])


# --- running an item's tests in the grader, against stand-ins ------------------------------------------

class LocalNotebook:
    """A stand-in for a sandboxed notebook: names resolve to local objects (what the channel returns)."""

    def __init__(self, namespace):
        self.namespace = namespace
        self.asked = set()

    def resolve(self, names):
        self.asked |= set(names)
        return {name: self.namespace[name] for name in names if name in self.namespace}


def _step(z):
    return np.where(np.asarray(z) >= 0, 1.0, 0.0)


def test_free_names_include_comprehensions_and_lambdas_but_not_trusted_names():
    names = free_names("check('ex01-step', step)", "assert all(f(v) for v in values) and (lambda: g)() == len(np.x)")
    assert names == {"step", "f", "v", "values", "g"}


def test_evaluate_runs_visible_then_hidden_tests_with_names_from_the_notebook():
    notebook = LocalNotebook({"step": _step, "np": "a fake numpy", "check": "a fake check"})
    hidden = "_z = np.array([[-1.0, 2.0]])\nassert step(_z).shape == (1, 2), 'shape'\nassert step(-0.0) == 1.0, 'zero'"
    result = evaluate("ex01-step", 'check("ex01-step", step)', hidden, notebook)
    assert result == {"item": "ex01-step", "passed": True, "status": "passed",
                      "message": "visible tests passed; 2 hidden tests passed"}
    assert notebook.asked == {"step", "_z"}


def test_evaluate_reports_the_failing_hidden_test_by_number():
    notebook = LocalNotebook({"step": lambda z: _step(z).ravel()})
    hidden = "assert step(np.ones(2)).shape == (2,), 'first'\nassert step(np.ones((1, 2))).shape == (1, 2), 'keep'"
    result = evaluate("ex01-step", 'check("ex01-step", step)', hidden, notebook)
    assert result["message"] == "visible tests passed; hidden test 2 of 2 failed: keep"


def test_evaluate_explains_a_missing_function():
    result = evaluate("ex01-step", 'check("ex01-step", step)', "", LocalNotebook({}))
    assert not result["passed"] and result["message"].startswith(
        "name 'step' is not defined: the function was not defined when the tests ran")


def test_hidden_tests_use_the_real_numpy_and_builtins_even_if_the_notebook_shadows_them():
    fake = type("FakeNumpy", (), {"array_equal": staticmethod(lambda a, b: True)})
    notebook = LocalNotebook({"np": fake, "all": lambda x: True, "step": _step})
    result = evaluate("ex01-step", 'check("ex01-step", step)', "assert all([False]), 'all'", notebook)
    assert result["message"] == "visible tests passed; hidden test 1 of 1 failed: all"
    assert notebook.asked == {"step"}


def test_source_items_of_exercise_01():
    cells = read_cells((ROOT / "solutions" / "ex01_neurons_threshold_units.ipynb").read_text())
    items = source_items(cells)
    assert [item.item_id for item in items] == ["ex01-step", "ex01-sign", "ex01-neuron", "ex01-gates",
                                                "ex01-two-layer", "ex01-xor", "ex01-quiz-majority", "ex01-quiz-hebb",
                                                "ex01-quiz-rescorla", "ex01-quiz-xor-layer"]
    assert sum(item.points for item in items) == 14  # 10 for the functions, one per quiz question


def test_results_folders_are_unique_and_follow_the_submission_folders(tmp_path):
    for folder in ["alice", "bob", "bob/.ipynb_checkpoints"]:
        (tmp_path / "subs" / folder).mkdir(parents=True)
        (tmp_path / "subs" / folder / "ex01_x.ipynb").write_text("{}")
    (tmp_path / "ex01_x.ipynb").write_text("{}")
    (tmp_path / "subs" / "link.ipynb").symlink_to(tmp_path / "ex01_x.ipynb")
    found = collect([tmp_path / "subs", tmp_path / "ex01_x.ipynb", tmp_path / "subs" / "alice" / "ex01_x.ipynb"])
    assert unique_keys(found) == ["alice__ex01_x", "bob__ex01_x", "ex01_x"]  # no symlink, no file twice


@pytest.mark.parametrize("name, key", [
    ("grades.csv.ipynb", "submission-grades.csv"),
    ("GRADES.CSV.ipynb", "submission-GRADES.CSV"),
    ("...ipynb", "submission"),
    (".ipynb", "submission"),
    ("..hidden.ipynb", "hidden"),
    ("Übung 01 ✓ (final).ipynb", "Übung 01 _ (final)"),
    ("=HYPERLINK(1).ipynb", "_HYPERLINK(1)"),
    ("-rf.ipynb", "_rf"),
    ("a\nb\tc.ipynb", "a_b_c"),
    ("x" * 300 + ".ipynb", "x" * 91 + "-"),
])
def test_result_folder_names_are_safe(name, key):
    made = safe_key(Path("/subs") / name, Path("/subs"))
    assert made.startswith(key) and "/" not in made and not made.startswith(".") and len(made) <= 100


def _report(exercise, scores, flags=()):
    tests = [{"tags": [item], "score": score} for item, score in scores.items()]
    return {"score": sum(scores.values()), "max_score": 10, "tests": tests,
            "extra_data": {"exercise": exercise, "flags": list(flags), "sandbox": "bubblewrap"}}


def test_grades_csv_imports_into_a_spreadsheet_or_lms_as_numbers_and_never_as_formulas(tmp_path):
    rows = [("alice__ex01", _report("ex01", {"ex01-step": 1, "ex01-xor": 2})),
            ("@SUM(1+1)", _report("=ex01", {"ex01-step": 0.5}, flags=["-1+1", "+cmd"])),
            ("bob__ex01", None)]
    write_csv(rows, tmp_path / "grades.csv")
    with open(tmp_path / "grades.csv", newline="", encoding="utf-8") as handle:
        table = list(csv.reader(handle))
    assert table[0] == ["submission", "exercise", "status", "score", "max_score", "percent", "ex01-step", "ex01-xor",
                        "sandbox", "flags"]
    assert [len(row) for row in table] == [10] * 4
    assert [float(row[3]) for row in table[1:3]] == [3.0, 0.5] and table[1][5] == "30.0" and table[2][6] == "0.5"
    assert table[3][:3] == ["bob__ex01", "", NOT_GRADED] and table[3][3] == ""
    assert not any(cell[:1] in "=+-@" for row in table for cell in row if cell)
    assert table[2][9] == "'-1+1; +cmd" and table[2][0] == "'@SUM(1+1)"


def test_names_that_differ_only_in_case_get_different_folders():
    found = [(Path("/s/a/EX01.ipynb"), Path("/s")), (Path("/s/a/ex01.ipynb"), Path("/s"))]
    assert unique_keys(found) == ["a__EX01", "a__ex01-2"]


def test_limits_default_to_the_documented_values():
    assert (Limits().cell, Limits().total, Limits().memory_mb) == (30.0, 300.0, 4096)
