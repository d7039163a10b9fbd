"""The grader on deliberately broken submissions: exact scores, plain-words output, untouched files.

One batch (``python -m nncourse.grading tests/grading_fixtures --jobs 2``) grades every
fixture; the tests below read its results. The fixtures are written by
``tests/grading_fixtures/make_fixtures.py``, which also holds the expected scores.
"""

import csv
import importlib.util
import json
import os
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
FIXTURES = ROOT / "tests" / "grading_fixtures"
SPEC = importlib.util.spec_from_file_location("make_fixtures", FIXTURES / "make_fixtures.py")
make_fixtures = importlib.util.module_from_spec(SPEC)
SPEC.loader.exec_module(make_fixtures)
EXPECTED = make_fixtures.EXPECTED


@pytest.fixture(scope="module")
def batch(tmp_path_factory):
    """Grade every fixture once; return (out folder, finished process, file bytes before grading)."""
    out = tmp_path_factory.mktemp("graded")
    before = {path.name: path.read_bytes() for path in FIXTURES.iterdir()}
    process = subprocess.run(
        [sys.executable, "-m", "nncourse.grading", str(FIXTURES), "--out", str(out), "--jobs", "2",
         "--cell-timeout", "4", "--total-timeout", "120"],
        cwd=ROOT, capture_output=True, text=True, timeout=600)
    return out, process, before


def results(batch, name):
    out, _, _ = batch
    return json.loads((out / Path(name).stem / "results.json").read_text(encoding="utf-8"))


def test_fixture_list_is_complete():
    assert sorted(EXPECTED) == sorted(path.name for path in FIXTURES.glob("*.ipynb"))


def test_batch_finishes_and_reports_every_submission(batch):
    out, process, _ = batch
    assert process.returncode == 0, process.stderr
    assert f"wrote {out / 'grades.csv'} ({len(EXPECTED)} submissions)" in process.stdout
    assert "Traceback" not in process.stdout + process.stderr


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_exact_scores(batch, name):
    report = results(batch, name)
    assert (report["score"], report["max_score"]) == (EXPECTED[name], 10)
    assert report["score"] == sum(test["score"] for test in report["tests"])


def test_submissions_are_unchanged_byte_for_byte(batch):
    _, _, before = batch
    assert {path.name: path.read_bytes() for path in FIXTURES.iterdir()} == before


def test_results_follow_gradescope_format(batch):
    for name in EXPECTED:
        report = results(batch, name)
        assert {"score", "max_score", "output", "tests", "visibility"} <= set(report)
        for test in report["tests"]:
            assert {"name", "score", "max_score", "status", "output", "visibility"} <= set(test)
            assert test["status"] == ("passed" if test["score"] == test["max_score"] else "failed")
            assert test["output"].startswith("✓" if test["status"] == "passed" else "✗")
            assert "Traceback" not in test["output"] and "\x1b[" not in test["output"]


def test_csv_has_one_row_per_submission_with_item_scores(batch):
    out, _, _ = batch
    with open(out / "grades.csv", newline="", encoding="utf-8") as handle:
        rows = {row["submission"]: row for row in csv.DictReader(handle)}
    assert set(rows) == {Path(name).stem for name in EXPECTED}
    row = rows["ex01_kernel_crash"]
    assert (row["score"], row["max_score"], row["percent"]) == ("8", "10", "80.0")
    assert (row["ex01-gates"], row["ex01-xor"]) == ("0", "2")
    assert rows["homework_final (2)"]["flags"] == "imports or patches the grading package; replaces output streams"


def outputs(batch, name):
    return {test["tags"][0]: test["output"] for test in results(batch, name)["tests"]}


def test_infinite_loops_cost_only_the_looping_item(batch):
    report = results(batch, "ex01_infinite_loop.ipynb")
    assert "Note: cell 3 did not finish within the 4 s limit per cell" in report["output"]
    assert outputs(batch, "ex01_infinite_loop.ipynb")["ex01-sign"] == (
        "✗ the tests called your code, which did not finish within the 4 s limit per cell (an endless loop, "
        "or far too slow); it was stopped and skipped")


def test_sys_exit_and_exit_are_survived(batch):
    report = results(batch, "ex01_sys_exit.ipynb")
    assert "Note: cell 3 raised SystemExit: stop here; the cells after it still ran." in report["output"]
    assert outputs(batch, "ex01_sys_exit.ipynb")["ex01-sign"] == (
        "✗ your code called sys.exit() (or exit()); remove it, a function should return")


def test_a_crashed_kernel_costs_only_the_crashing_item(batch):
    report = results(batch, "ex01_kernel_crash.ipynb")
    assert "Note: cell 12 stopped the Python kernel" in report["output"]
    assert outputs(batch, "ex01_kernel_crash.ipynb")["ex01-gates"].startswith(
        "✗ the tests called your code, which stopped the Python kernel")


def test_exceptions_in_early_cells_do_not_stop_later_cells(batch):
    report = results(batch, "ex01_early_exception.ipynb")
    assert "Note: cell 2 raised ZeroDivisionError: division by zero (line 4); the cells after it still ran." in (
        report["output"])
    assert "Note: cell 7 raised NameError: name 'undefined_name' is not defined (line 6)" in report["output"]


def test_huge_output_is_cut_off(batch):
    out, _, _ = batch
    report = results(batch, "ex01_huge_output.ipynb")
    assert "Note: the output of cell 3 was cut off (too long)." in report["output"]
    assert (out / "ex01_huge_output" / "results.json").stat().st_size < 20_000


def test_missing_functions_are_named(batch):
    found = outputs(batch, "ex01_missing_function.ipynb")
    assert found["ex01-gates"].startswith("✗ name 'gate_weights' is not defined: the function was not defined")
    assert found["ex01-xor"].startswith("✗ name 'xor_weights' is not defined")


def test_invalid_json_costs_every_item_with_an_explanation(batch):
    found = outputs(batch, "ex01_invalid_json.ipynb")
    assert len(found) == 6
    assert all("ex01_invalid_json.ipynb is not valid JSON (line" in text for text in found.values())


def test_common_mistakes_get_their_diagnosis(batch):
    found = outputs(batch, "ex01_common_mistakes.ipynb")
    assert "(use >=, not >)" in found["ex01-step"]
    assert "sign(0) gives 0 (that is np.sign)" in found["ex01-sign"]
    assert "the results ignore the bias" in found["ex01-neuron"]
    assert "with your OR weights w = [1.0, 1.0], b = -1.5" in found["ex01-gates"]
    assert "the weights are transposed" in found["ex01-two-layer"]
    assert found["ex01-xor"] == "✓ visible tests passed; 1 hidden test passed"


def test_hidden_test_failures_are_reported_by_number(batch):
    found = outputs(batch, "ex01_hidden_fail.ipynb")
    assert found["ex01-step"] == ("✗ visible tests passed; hidden test 2 of 2 failed: step is wrong for values "
                                  "just below and just above 0")
    assert found["ex01-xor"].startswith("✗ visible tests passed; hidden test 1 of 1 failed: your XOR network "
                                        "fails for inputs within 0.1 of 0 or 1")


def test_patched_numpy_is_caught(batch):
    report = results(batch, "ex01_patched_numpy.ipynb")
    assert report["extra_data"]["flags"] == ["reassigns a numpy function"]
    assert all("your notebook replaced numpy.allclose, numpy.array_equal" in text
               for text in outputs(batch, "ex01_patched_numpy.ipynb").values())


def test_cheating_gains_nothing(batch):
    """Redefined check, patched nncourse.grading, forged result messages, edited/deleted/duplicated tests."""
    found = outputs(batch, "homework_final (2).ipynb")
    assert found["ex01-step"] == "✓ visible tests passed; 2 hidden tests passed"
    for item in ["ex01-sign", "ex01-neuron", "ex01-two-layer", "ex01-xor"]:
        assert found[item].startswith("✗ not implemented yet"), found[item]
    assert "with your AND weights w = [0.0, 0.0], b = 0" in found["ex01-gates"]


def test_gradescope_bundle_runs_a_submission(tmp_path):
    """Build the bundle for ex01, unpack it like Gradescope, and run run_autograder on one submission."""
    from nncourse.grading.bundle import build

    names = build(tmp_path / "autograder.zip", exercises=["ex01"], cell_timeout=4, total_timeout=120)
    assert {"setup.sh", "run_autograder", "requirements.txt", "pyproject.toml", "nncourse/grading/grader.py",
            "solutions/ex01_neurons_threshold_units.ipynb"} <= set(names)
    assert not any(name.startswith("solutions/ex02") for name in names)
    root = tmp_path / "autograder"
    with zipfile.ZipFile(tmp_path / "autograder.zip") as archive:
        archive.extractall(root / "source")
        assert archive.getinfo("run_autograder").external_attr >> 16 & 0o111
    (root / "submission").mkdir()
    submitted = FIXTURES / "ex01_missing_function.ipynb"
    (root / "submission" / submitted.name).write_bytes(submitted.read_bytes())
    env = {**os.environ, "AUTOGRADER_ROOT": str(root), "AUTOGRADER_PYTHON": sys.executable}
    subprocess.run(["bash", str(root / "source" / "run_autograder")], env=env, check=True, timeout=300,
                   capture_output=True)
    report = json.loads((root / "results" / "results.json").read_text(encoding="utf-8"))
    assert (report["score"], report["max_score"]) == (6, 10)
    assert not (root / "source" / "solutions").exists()  # hidden tests gone before student code ran


REWRITE = '''import pathlib
import nncourse.grading.checking as checking
path = pathlib.Path(checking.__file__)
path.write_text(path.read_text() + "\\n\\ndef run_item(item_id, *objects):\\n    return Verdict(item_id, PASSED, 'ok', 0)\\n")'''


def test_rewriting_the_grader_on_disk_gains_nothing_and_is_undone(tmp_path):
    """A submission that rewrites nncourse/grading/checking.py: items fail, the file is restored, it is flagged."""
    import nbformat

    from nncourse.grading.grader import grade_file, grader_files, load_sources
    from nncourse.grading.kernel import Limits

    nb = make_fixtures.student_copy()
    for grade_id in ["ex01-step-answer", "ex01-sign-answer"]:
        make_fixtures.set_body(nb, grade_id, make_fixtures.STUB)
    nb.cells.insert(2, nbformat.v4.new_code_cell(REWRITE))
    nbformat.write(nb, tmp_path / "ex01_rewrites_grader.ipynb")
    before = grader_files()
    try:
        report = grade_file(tmp_path / "ex01_rewrites_grader.ipynb", load_sources(ROOT / "solutions"),
                            Limits(cell=20, total=120))
    finally:
        after = grader_files()
        for path, data in before.items():  # never leave a poisoned grader behind, even if grading broke
            path.write_bytes(data)
    assert after == before
    assert report["score"] == 0
    assert report["extra_data"]["flags"][-1] == ("the submission changed the grader's own files (checking.py); "
                                                 "they were restored")
    assert all("no result of this submission counts" in test["output"] for test in report["tests"])
