"""nncourse: the teaching layer of the course, beside the library ``nnlib``.

``nnlib`` is the maths (numpy only), read beside the slides. This package holds what a
course needs around it and imports ``nnlib``, never the reverse:

* :mod:`nncourse.style`: the house style every lesson applies in its first code cell
  (``from nncourse import style; style.use()``), with ``figsize``, ``diverging``,
  ``integer_ticks``, ``label_lines`` and the class colours and markers;
* :mod:`nncourse.widgets`: live figures (``widgets.live``: a slider changes the figure already
  drawn, while dragging) and Run-button experiments (``widgets.experiment``), with static
  pictures stored for readers without a kernel and a ``registry()`` for the benchmark;
* :mod:`nncourse.plotting`, :mod:`nncourse.regions`, :mod:`nncourse.graphs`: figure helpers;
* :mod:`nncourse.lessons`: per-lesson figure and experiment helpers;
* :mod:`nncourse.grading`: ``check(...)`` for exercises and the grader
  (``python -m nncourse.grading``).

``nncourse/README.md`` shows the API with a minimal live slider, a Run-button experiment and a
control shown only for the choice it belongs to.
"""
