"""Generate the student copies in exercises/ from the instructor notebooks in solutions/.

Usage::

    python scripts/make_exercises.py            # (re)write exercises/*.ipynb
    python scripts/make_exercises.py --check    # exit 1 if exercises/ differ from what would be written

In each notebook, every ``### BEGIN SOLUTION`` ... ``### END SOLUTION`` region becomes
``# YOUR CODE HERE`` / ``raise NotImplementedError()`` (the ``def`` line stays), every
``### BEGIN HIDDEN TESTS`` ... ``### END HIDDEN TESTS`` region is removed, and all outputs
are cleared. Everything else (cells, cell ids, nbgrader metadata) is kept, so the grader
can find each test's place in a student's copy. See solutions/README.md.
"""

import argparse
import copy
import sys
from pathlib import Path

import nbformat

from nncourse.grading.markers import (
    BEGIN_HIDDEN,
    BEGIN_SOLUTION,
    MarkerError,
    has_marker,
    replace_solutions,
    split_hidden,
)

ROOT = Path(__file__).resolve().parent.parent


def student_cell(cell):
    """The student's version of one cell."""
    cell = copy.deepcopy(cell)
    if has_marker(cell.source, BEGIN_SOLUTION):
        cell.source = replace_solutions(cell.source, markdown=cell.cell_type == "markdown")
    if cell.cell_type == "code":
        if has_marker(cell.source, BEGIN_HIDDEN):
            cell.source = split_hidden(cell.source)[0]
        cell.outputs = []
        cell.execution_count = None
    for key in ("execution", "collapsed", "scrolled"):
        cell.metadata.pop(key, None)
    return cell


def student_notebook(nb, name="notebook"):
    """The student's version of a whole notebook (``nb`` is not changed)."""
    student = copy.deepcopy(nb)
    cells = []
    for index, cell in enumerate(nb.cells):
        try:
            cells.append(student_cell(cell))
        except MarkerError as err:
            raise MarkerError(f"{name}, cell {index}: {err}") from None
    student.cells = cells
    student.metadata.pop("widgets", None)
    return student


def render(source_path):
    """The text of the exercise notebook generated from ``source_path``."""
    nb = nbformat.read(source_path, as_version=4)
    return nbformat.writes(student_notebook(nb, source_path.name)) + "\n"


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--source", type=Path, default=ROOT / "solutions")
    parser.add_argument("--dest", type=Path, default=ROOT / "exercises")
    parser.add_argument("--check", action="store_true", help="only compare; exit 1 on any difference")
    args = parser.parse_args(argv)
    sources = sorted(args.source.glob("ex[0-9][0-9]_*.ipynb"))
    problems = []
    for source in sources:
        target = args.dest / source.name
        text = render(source)
        current = target.read_text(encoding="utf-8") if target.exists() else None
        if current == text:
            continue
        if args.check:
            problems.append(f"{target} is {'missing' if current is None else 'out of date'}")
        else:
            args.dest.mkdir(parents=True, exist_ok=True)
            target.write_text(text, encoding="utf-8")
            print(f"wrote {target}")
    names = {source.name for source in sources}
    stale = [p for p in sorted(args.dest.glob("ex[0-9][0-9]_*.ipynb")) if p.name not in names]
    problems.extend(f"{p} has no source in {args.source}" for p in stale)
    for problem in problems:
        print(problem)
    if problems and args.check:
        print("run: python scripts/make_exercises.py  (then commit exercises/)")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
