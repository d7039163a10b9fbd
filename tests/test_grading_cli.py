"""The grader's command line: refusing without a sandbox, --unsafe-no-sandbox, interrupted batches, the
Gradescope bundle (built, unpacked like Gradescope and run locally), and --as-one always writing results."""

import csv
import json
import os
import signal
import subprocess
import sys
import time
import zipfile
from pathlib import Path

import nbformat
import pytest
from grading_support import FIXTURES, ROOT, grading_processes, load_fixture_generator, require_sandbox

from nncourse.grading.bundle import build

SOLUTION = ROOT / "solutions" / "ex01_neurons_threshold_units.ipynb"
make_fixtures = load_fixture_generator()
FULL = make_fixtures.MAX_SCORE["ex01"]  # every point of exercise 01 (functions and quiz)


def grader(*args, env=None, timeout=300):
    return subprocess.run([sys.executable, "-m", "nncourse.grading", *map(str, args)], cwd=ROOT, env=env,
                          capture_output=True, text=True, timeout=timeout)


def no_bwrap_env(tmp_path):
    """An environment whose PATH has python's folder but neither bwrap nor setpriv."""
    folder = tmp_path / "bin"
    folder.mkdir()
    for name in ("timeout", "bash", "mkdir", "rm", "cat"):
        (folder / name).symlink_to(f"/usr/bin/{name}")
    return {**os.environ, "PATH": str(folder)}


def read_csv(path):
    with open(path, newline="", encoding="utf-8") as handle:
        return list(csv.DictReader(handle))


def test_without_a_sandbox_batch_grading_refuses_in_plain_words(tmp_path):
    done = grader(SOLUTION, "--out", tmp_path / "out", env=no_bwrap_env(tmp_path))
    assert done.returncode == 2
    assert "Refusing to grade: bubblewrap (bwrap) is not installed" in done.stderr
    assert "--unsafe-no-sandbox" in done.stderr and not (tmp_path / "out").exists()


def test_unsafe_no_sandbox_grades_and_says_so(tmp_path):
    done = grader(SOLUTION, "--out", tmp_path / "out", "--unsafe-no-sandbox", env=no_bwrap_env(tmp_path))
    assert done.returncode == 0, done.stderr[-2000:]
    [row] = read_csv(tmp_path / "out" / "grades.csv")
    assert (row["score"], row["sandbox"]) == (str(FULL), "none (--unsafe-no-sandbox)")
    report = json.loads((tmp_path / "out" / "ex01_neurons_threshold_units" / "results.json").read_text())
    assert report["output"].endswith("Graded without a sandbox (--unsafe-no-sandbox).")


def _sleepy(seconds):
    """An honest exercise-01 notebook with a cell that sleeps first."""
    nb = make_fixtures.student_copy()
    nb.cells.insert(2, nbformat.v4.new_code_cell(f"import time\ntime.sleep({seconds})"))
    return nbformat.writes(nb)


@pytest.mark.parametrize("stop, code", [(signal.SIGINT, 130), (signal.SIGTERM, 143)])
@pytest.mark.slow
def test_an_interrupted_batch_still_writes_grades_csv_and_leaves_no_process(tmp_path, stop, code):
    require_sandbox()
    submissions = tmp_path / "subs"
    submissions.mkdir()
    (submissions / "ex01_a_quick.ipynb").write_text(_sleepy(0), encoding="utf-8")
    for name in ("ex01_b_slow", "ex01_c_slow", "ex01_d_slow"):
        (submissions / f"{name}.ipynb").write_text(_sleepy(60), encoding="utf-8")
    out = tmp_path / "out"
    process = subprocess.Popen([sys.executable, "-m", "nncourse.grading", str(submissions), "--out", str(out),
                                "--jobs", "1"], cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline and not (out / "ex01_a_quick" / "results.json").exists():
        time.sleep(0.2)
    time.sleep(1.0)  # the slow one is running now
    process.send_signal(stop)
    stdout, stderr = process.communicate(timeout=60)
    assert process.returncode == code, stderr[-2000:]
    rows = {row["submission"]: row for row in read_csv(out / "grades.csv")}
    assert set(rows) == {"ex01_a_quick", "ex01_b_slow", "ex01_c_slow", "ex01_d_slow"}
    assert (rows["ex01_a_quick"]["status"], rows["ex01_a_quick"]["score"]) == ("graded", str(FULL))
    assert {rows[key]["status"] for key in ("ex01_b_slow", "ex01_c_slow", "ex01_d_slow")} == {
        "not graded (the run was interrupted)"}
    assert f"interrupted by {stop.name}" in stderr
    time.sleep(0.5)
    assert grading_processes() == []


def test_as_one_always_writes_a_results_file(tmp_path):
    done = grader(tmp_path, "--as-one", "--out", tmp_path / "out", "--source", tmp_path / "no-such-folder",
                  "--unsafe-no-sandbox")
    assert done.returncode == 0
    report = json.loads((tmp_path / "out" / "results.json").read_text())
    assert report["score"] == 0 and "The autograder failed (FileNotFoundError" in report["output"]


def _unpack(tmp_path, exercises=("ex01",)):
    names = build(tmp_path / "autograder.zip", exercises=list(exercises), cell_timeout=20, total_timeout=120)
    root = tmp_path / "autograder"
    with zipfile.ZipFile(tmp_path / "autograder.zip") as archive:
        archive.extractall(root / "source")
        assert archive.getinfo("run_autograder").external_attr >> 16 & 0o111
    (root / "submission").mkdir()
    return names, root


def test_the_gradescope_bundle_holds_what_setup_needs_and_no_ppa(tmp_path):
    names, root = _unpack(tmp_path)
    assert {"setup.sh", "run_autograder", "requirements.txt", "pyproject.toml", "nncourse/grading/grader.py",
            "nncourse/grading/items/ex01.json", "solutions/ex01_neurons_threshold_units.ipynb"} <= set(names)
    assert not any(name.startswith(("solutions/ex02", "solutions/references")) for name in names)
    setup = (root / "source" / "setup.sh").read_text()
    assert "ppa" not in setup.lower() and "add-apt-repository" not in setup
    assert "bubblewrap" in setup and "python3.11" in setup and "chmod -R go-rwx /autograder/source" in setup
    subprocess.run(["bash", "-n", str(root / "source" / "setup.sh")], check=True)
    subprocess.run(["bash", "-n", str(root / "source" / "run_autograder")], check=True)


@pytest.mark.slow
def test_run_autograder_grades_a_submission_in_the_sandbox(tmp_path):
    require_sandbox()
    _, root = _unpack(tmp_path)
    submitted = FIXTURES / "ex01_missing_function.ipynb"
    (root / "submission" / submitted.name).write_bytes(submitted.read_bytes())
    env = {**os.environ, "AUTOGRADER_ROOT": str(root), "AUTOGRADER_PYTHON": sys.executable}
    done = subprocess.run(["bash", str(root / "source" / "run_autograder")], env=env, timeout=600,
                          capture_output=True, text=True)
    assert done.returncode == 0, done.stderr[-2000:]
    report = json.loads((root / "results" / "results.json").read_text(encoding="utf-8"))
    assert (report["score"], report["max_score"]) == (make_fixtures.EXPECTED[submitted.name], FULL)
    assert report["extra_data"]["sandbox"] == "bubblewrap"
    assert "Graded without a sandbox" not in report["output"]


@pytest.mark.slow
def test_run_autograder_falls_back_without_namespaces_and_always_leaves_results(tmp_path):
    _, root = _unpack(tmp_path)
    (root / "submission" / "ex01_neurons_threshold_units.ipynb").write_bytes(SOLUTION.read_bytes())
    env = {**no_bwrap_env(tmp_path), "AUTOGRADER_ROOT": str(root), "AUTOGRADER_PYTHON": sys.executable}
    done = subprocess.run(["bash", str(root / "source" / "run_autograder")], env=env, timeout=600,
                          capture_output=True, text=True)
    assert done.returncode == 0, done.stderr[-2000:]
    report = json.loads((root / "results" / "results.json").read_text(encoding="utf-8"))
    assert report["score"] == FULL and report["output"].endswith("Graded without a sandbox (--unsafe-no-sandbox).")
    broken = {**env, "AUTOGRADER_PYTHON": str(tmp_path / "no-python")}
    subprocess.run(["bash", str(root / "source" / "run_autograder")], env=broken, timeout=60, check=True)
    fallback = json.loads((root / "results" / "results.json").read_text(encoding="utf-8"))
    assert fallback["score"] == 0 and "Your work is not lost" in fallback["output"]


def test_the_bundle_script_runs_from_the_command_line(tmp_path):
    done = subprocess.run([sys.executable, "-m", "nncourse.grading.bundle", "--exercise", "ex01", "ex11",
                           "--out", str(tmp_path / "bundle.zip")], cwd=ROOT, capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    assert "tests from solutions/ex01_neurons_threshold_units.ipynb, solutions/ex11_training_recipe.ipynb" in (
        done.stdout)
    assert Path(tmp_path / "bundle.zip").stat().st_size > 10_000
