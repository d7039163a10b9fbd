"""nncourse: the teaching layer of the course, beside the library ``nnlib``.

``nnlib`` is the maths (numpy only), read beside the slides. This package holds what a
course needs around it and imports ``nnlib``, never the reverse:

* :mod:`nncourse.plotting`: figure helpers in the course's house style;
* :mod:`nncourse.widgets`: sliders wired to plain callback functions;
* :mod:`nncourse.lessons`: per-lesson figure and experiment helpers;
* :mod:`nncourse.grading`: ``check(...)`` for exercises and the grader
  (``python -m nncourse.grading``).
"""
