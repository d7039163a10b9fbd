"""How long the batch grader takes for honest submissions, optionally next to an older grader.

Two workloads, both made of honest submissions (the solution notebooks, which score 100 %):

- one submission at a time: each solution notebook graded alone (``--jobs 1``), the wall time of
  the whole command divided by nothing: what an instructor waits for one file;
- a batch of 30: the solution notebooks repeated until there are 30, graded with ``--jobs 2``.

With ``--compare-with`` both graders grade the same exercises: those both revisions have.

``--compare-with REV`` unpacks the project at git revision REV into a temporary folder (``git
archive``, nothing is checked out here) and runs its grader the same way, with its own solution
notebooks, so each grader grades the notebooks of its own time. The two graders take turns on every
workload, so both see the same load of the machine. Nothing is asserted: timings depend on the
machine and its load (say so when quoting them). Every run checks that all submissions got 100 %.

Run from the repository root::

    .venv/bin/python bench/bench_grading.py
    .venv/bin/python bench/bench_grading.py --compare-with 3065369 --repeat 2
"""

import argparse
import csv
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def unpack(revision, folder):
    """The project at ``revision`` (its tracked files only) in ``folder``."""
    archive = subprocess.run(["git", "-C", str(ROOT), "archive", revision], check=True, capture_output=True).stdout
    subprocess.run(["tar", "-x", "-C", str(folder)], input=archive, check=True)
    return folder


def exercise_names(tree):
    """File names of ``tree``'s solution notebooks."""
    return {path.name for path in (tree / "solutions").glob("ex[0-9][0-9]_*.ipynb")}


def submissions(tree, folder, total, names):
    """``total`` copies of ``tree``'s solution notebooks called ``names`` (in turn) in ``folder``; returns the paths."""
    notebooks = [tree / "solutions" / name for name in sorted(names)]
    folder.mkdir(parents=True)
    paths = []
    for number in range(total):
        source = notebooks[number % len(notebooks)]
        paths.append(folder / f"student{number:02d}__{source.name}")
        shutil.copy(source, paths[-1])
    return paths


def grade(tree, targets, out, jobs):
    """Run ``tree``'s batch grader on ``targets``; returns (seconds, percents from grades.csv)."""
    env = {**os.environ, "PYTHONPATH": str(tree), "PYTHONDONTWRITEBYTECODE": "1"}
    command = [sys.executable, "-m", "nncourse.grading", *map(str, targets), "--out", str(out),
               "--source", str(tree / "solutions"), "--jobs", str(jobs)]
    started = time.monotonic()
    done = subprocess.run(command, cwd=tree, env=env, capture_output=True, text=True, timeout=3600)
    seconds = time.monotonic() - started
    if done.returncode != 0:
        raise SystemExit(f"the grader in {tree} failed:\n{done.stderr[-3000:]}")
    with open(out / "grades.csv", newline="", encoding="utf-8") as handle:
        percents = [float(row["percent"]) for row in csv.DictReader(handle)]
    return seconds, percents


def one_at_a_time(tree, work, names):
    """Seconds for each solution notebook graded alone."""
    seconds = []
    for path in submissions(tree, work / "single", len(names), names):
        took, percents = grade(tree, [path], work / f"out-{path.stem}", jobs=1)
        assert percents == [100.0], (path.name, percents)
        seconds.append(took)
    return seconds


def batch(tree, work, total, jobs, names):
    """Seconds for ``total`` submissions in one folder, graded ``jobs`` at a time."""
    submissions(tree, work / "batch", total, names)
    took, percents = grade(tree, [work / "batch"], work / "out", jobs)
    assert percents == [100.0] * total, percents
    return took


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--compare-with", metavar="REV", help="also time the grader of this git revision")
    parser.add_argument("--batch", type=int, default=30, help="submissions in the batch (default 30)")
    parser.add_argument("--jobs", type=int, default=2, help="--jobs for the batch (default 2)")
    parser.add_argument("--repeat", type=int, default=1, help="runs of each workload (default 1)")
    parser.add_argument("--no-single", action="store_true", help="skip the one-at-a-time workload")
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory(prefix="bench-grading-") as temporary:
        temporary = Path(temporary)
        trees = {"this checkout": ROOT}
        if args.compare_with:
            (temporary / "old").mkdir()
            trees[args.compare_with] = unpack(args.compare_with, temporary / "old")
        # The same workload for every grader: only the exercises all of them have (later revisions
        # added exercises, some of which train networks and take several times longer).
        names = set.intersection(*map(exercise_names, trees.values()))
        singles = {name: [] for name in trees}
        batches = {name: [] for name in trees}
        for run in range(args.repeat):
            for name, tree in trees.items():  # the graders take turns
                work = temporary / f"run{run}-{list(trees).index(name)}"
                if not args.no_single:
                    singles[name] += one_at_a_time(tree, work / "one", names)
                batches[name].append(batch(tree, work / "many", args.batch, args.jobs, names))
                print(f"run {run + 1}: {name}: batch of {args.batch} with --jobs {args.jobs} in "
                      f"{batches[name][-1]:.1f} s", flush=True)
    print(f"\nload average at the end: {' '.join(f'{value:.1f}' for value in os.getloadavg())} "
          f"({os.cpu_count()} cores)")
    for name in trees:
        print(f"\n{name}:")
        if singles[name]:
            median = statistics.median(singles[name])
            print(f"  one submission alone ({len(names)} exercises x {args.repeat}): median {median:.1f} s, "
                  f"min {min(singles[name]):.1f} s, max {max(singles[name]):.1f} s")
        best = min(batches[name])
        print(f"  batch of {args.batch}, --jobs {args.jobs}: best {best:.1f} s of {len(batches[name])} "
              f"({best / args.batch:.2f} s per submission)")


if __name__ == "__main__":
    main()
