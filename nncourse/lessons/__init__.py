"""The teaching layer: what each lesson's sliders compute.

Every interactive figure in the course is split in two:

1. a **callback** here, in ``nncourse/lessons/lNN_<topic>.py`` for lesson NN, which takes
   the slider values as plain arguments and *computes* what the figure shows
   (arrays of points, a truth table, a loss trajectory, the number of perceptron
   updates ...) and returns it, usually as a dict of numpy arrays and numbers;
2. a few lines in the **notebook** that plot the callback's result with matplotlib
   (helpers in :mod:`nncourse.plotting`) and wire sliders to it with
   ``ipywidgets.interact`` or :func:`nncourse.widgets.connect`.

Why the split? Callbacks are ordinary functions, so ``tests/lessons/test_lNN_<topic>.py``
calls them without a browser or a kernel and checks their numbers against hand
calculations or invariants (a wider margin never needs more perceptron updates, a
learning rate above 2/L diverges, ...). The notebook keeps only presentation, which
a student can change freely. Callbacks use the maths modules of ``nnlib`` (never
the other way round), take ``rng`` (``None``/int/``Generator``) where they draw
random numbers, and validate their arguments like the rest of the library.
"""
