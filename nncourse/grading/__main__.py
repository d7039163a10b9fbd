"""Grade exercise notebooks: ``python -m nncourse.grading SUBMISSION.ipynb|FOLDER ... --out DIR``.

Every submission runs in its own sandbox (bubblewrap) with time and memory limits; each graded
item's tests are taken from the instructor's notebooks (``--source``, default ``solutions/``) by item
id and run in the grader, outside the sandbox. Writes ``DIR/<submission>/results.json`` (Gradescope
format) and ``DIR/grades.csv``. With ``--as-one`` all notebooks given form one student's submission,
graded against every source notebook into a single ``DIR/results.json`` (what the Gradescope bundle
runs). Where no sandbox can be started, grading refuses unless ``--unsafe-no-sandbox`` is given.
"""

import argparse
import json
import signal
import sys
import time
from pathlib import Path

from nncourse.grading.batch import collect, grade_batch, write_results
from nncourse.grading.grader import grade_as_one, load_sources, results_dict
from nncourse.grading.sandbox import Limits, SandboxUnavailable, check_available


def parse_args(argv):
    parser = argparse.ArgumentParser(prog="python -m nncourse.grading", description=__doc__.splitlines()[0])
    parser.add_argument("submissions", nargs="+", help="notebooks or folders of notebooks (searched recursively)")
    parser.add_argument("--out", required=True, type=Path, help="folder for results.json files and grades.csv")
    parser.add_argument("--source", default=Path("solutions"), type=Path,
                        help="folder with the instructor notebooks (default: solutions/)")
    parser.add_argument("--jobs", default=1, type=int, help="submissions graded in parallel (default 1)")
    parser.add_argument("--cell-timeout", default=30.0, type=float, help="seconds per cell (default 30)")
    parser.add_argument("--total-timeout", default=300.0, type=float,
                        help="seconds per submission notebook and pass (default 300)")
    parser.add_argument("--memory-limit", default=4096, type=int,
                        help="megabytes of memory for all processes of a sandbox together (default 4096)")
    parser.add_argument("--as-one", action="store_true",
                        help="grade all notebooks as one student's submission into DIR/results.json")
    parser.add_argument("--unsafe-no-sandbox", action="store_true",
                        help="grade even where bubblewrap cannot start a sandbox: the submitted code then runs "
                             "with the grader's rights (as an unprivileged user when run as root and possible); "
                             "results and grades.csv record this")
    return parser.parse_args(argv)


def _as_one(args, limits, mode):
    """Gradescope: one results.json, always written (a fallback one if anything fails)."""
    start = time.monotonic()
    try:
        sources = load_sources(args.source)
        report = grade_as_one([path for path, _ in collect(args.submissions)], sources, limits, mode)
    except Exception as err:  # never leave Gradescope without a results.json
        reason = f"The autograder failed ({type(err).__name__}: {str(err)[:300]}); please tell your instructor."
        report = results_dict([], [reason], "submission", None, [], start, mode, status="grader failed")
    write_results(report, args.out / "results.json")
    print(report["output"])
    return 0


def main(argv=None):
    args = parse_args(argv)
    limits = Limits(cell=args.cell_timeout, total=args.total_timeout, memory_mb=args.memory_limit)
    mode = "none" if args.unsafe_no_sandbox else "bwrap"
    if mode == "bwrap":
        try:
            check_available()
        except SandboxUnavailable as err:
            print(f"Refusing to grade: {err}.\nSubmitted notebooks are arbitrary code; without a sandbox they run "
                  "with your rights. Grade on a Linux machine with bubblewrap, or pass --unsafe-no-sandbox to "
                  "grade anyway (results and grades.csv will say so).", file=sys.stderr)
            return 2
    if args.as_one:
        return _as_one(args, limits, mode)
    sources = load_sources(args.source)
    rows, interrupted = grade_batch(args.submissions, args.out, args.source, sources, limits,
                                    jobs=args.jobs, mode=mode)
    for key, report in rows:
        score = f"{report['score']:6g} / {report['max_score']:<6g}" if report else "  not graded   "
        print(f"{score} {json.dumps(key, ensure_ascii=False)[1:-1]}")
    graded = sum(report is not None for _, report in rows)
    print(f"wrote {args.out / 'grades.csv'} ({graded} of {len(rows)} submissions graded)")
    if interrupted is not None:
        print(f"interrupted by {signal.Signals(interrupted).name}; the submissions not graded are marked in "
              "grades.csv", file=sys.stderr)
        return 128 + interrupted
    return 0


if __name__ == "__main__":
    sys.exit(main())
