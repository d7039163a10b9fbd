"""Exercises and grading: ``check`` for instant feedback, the grader CLI, feedback helpers.

Students call :func:`check` under each exercise::

    from nncourse.grading import check
    check("ex01-step", step)

The visible tests live in ``nncourse/grading/items/exNN.py`` and compare with the stored
numbers in ``items/exNN.json`` (computed on the instructor's side). The grader
(``python -m nncourse.grading --help``) runs each submitted notebook in a sandbox and the
tests, visible and hidden (from the instructor's ``solutions/`` notebooks), outside it.
How to write exercises and how grading can be trusted: ``solutions/README.md``.
"""

from nncourse.grading.checking import Verdict, check, run_item

__all__ = ["check", "run_item", "Verdict"]
