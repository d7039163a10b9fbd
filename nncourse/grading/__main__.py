"""Grade exercise notebooks: ``python -m nncourse.grading SUBMISSION.ipynb|FOLDER ... --out DIR``.

Every submission runs in a fresh kernel with time limits; each graded item's tests are
taken from the instructor's notebooks (``--source``, default ``solutions/``) by item id.
Writes ``DIR/<submission>/results.json`` (Gradescope format) and ``DIR/grades.csv``.
With ``--as-one`` all notebooks given form one student's submission, graded against
every source notebook into a single ``DIR/results.json`` (what the Gradescope bundle runs).
"""

import argparse
import shutil
import sys
from pathlib import Path

from nncourse.grading.grader import collect, grade_as_one, grade_batch, load_sources, write_results
from nncourse.grading.kernel import Limits


def parse_args(argv):
    parser = argparse.ArgumentParser(prog="python -m nncourse.grading", description=__doc__.splitlines()[0])
    parser.add_argument("submissions", nargs="+", help="notebooks or folders of notebooks (searched recursively)")
    parser.add_argument("--out", required=True, type=Path, help="folder for results.json files and grades.csv")
    parser.add_argument("--source", default=Path("solutions"), type=Path,
                        help="folder with the instructor notebooks (default: solutions/)")
    parser.add_argument("--jobs", default=1, type=int, help="submissions graded in parallel (default 1)")
    parser.add_argument("--cell-timeout", default=30.0, type=float, help="seconds per cell (default 30)")
    parser.add_argument("--total-timeout", default=300.0, type=float,
                        help="seconds per submission notebook (default 300)")
    parser.add_argument("--memory-limit", default=4096, type=int,
                        help="megabytes of address space per kernel (default 4096)")
    parser.add_argument("--as-one", action="store_true",
                        help="grade all notebooks as one student's submission into DIR/results.json")
    parser.add_argument("--remove-source-after-loading", action="store_true",
                        help="delete the --source folder once read, so submitted code cannot read hidden tests "
                             "(only in a throwaway container, as on Gradescope)")
    return parser.parse_args(argv)


def main(argv=None):
    args = parse_args(argv)
    sources = load_sources(args.source)
    if args.remove_source_after_loading:
        shutil.rmtree(args.source)
    limits = Limits(cell=args.cell_timeout, total=args.total_timeout, memory_mb=args.memory_limit)
    if args.as_one:
        paths = [path for path, _ in collect(args.submissions)]
        report = grade_as_one(paths, sources, limits)
        write_results(report, args.out / "results.json")
        print(report["output"])
        return 0
    rows = grade_batch(args.submissions, args.out, sources, limits, jobs=max(1, args.jobs))
    for key, report in rows:
        print(f"{report['score']:6g} / {report['max_score']:<6g} {key}")
    print(f"wrote {args.out / 'grades.csv'} ({len(rows)} submissions)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
