"""Exercises and grading: ``check`` for instant feedback, the grader CLI, feedback helpers.

Students call :func:`check` under each exercise::

    from nncourse.grading import check
    check("ex01-step", step)

The visible tests live in ``nncourse/grading/items/exNN.py``; the grader
(``python -m nncourse.grading --help``) runs them together with the hidden tests kept in
the instructor's ``solutions/`` notebooks. How to write exercises: ``solutions/README.md``.
"""

from nncourse.grading.checking import Verdict, check, run_item

__all__ = ["check", "run_item", "Verdict"]
