"""Fetch a function that a lesson notebook defines, so a test checks the code students read.

Lessons compute their worked examples in visible notebook cells; a few of those cells define a
small function (the perceptron criterion, a gradient-descent loop, a hand-set network). A test
gets the very same function with :func:`notebook_function` instead of a copy in a helper module.
"""

import ast
import json
from pathlib import Path

import matplotlib
import numpy as np

NOTEBOOKS = Path(__file__).resolve().parents[2] / "notebooks"


def code_cells(notebook):
    """Sources of the code cells of ``notebooks/<notebook>``, in order."""
    nb = json.loads((NOTEBOOKS / notebook).read_text(encoding="utf-8"))
    return ["".join(c["source"]) if isinstance(c["source"], list) else c["source"]
            for c in nb["cells"] if c["cell_type"] == "code"]


def notebook_function(notebook, name, **globals_):
    """Return the function ``name`` defined by a ``def`` in a code cell of ``notebooks/<notebook>``.

    Only the ``def`` statement runs (not the rest of its cell), in a namespace made of the
    notebook's first code cell (its imports) and ``globals_``, the notebook variables the
    function reads (for example ``lam_max=8.0``).
    """
    cells = code_cells(notebook)
    namespace = {}
    # the imports cell sets numpy's print options and the figure style: keep both local to it
    with np.printoptions(), matplotlib.rc_context():
        exec(compile(cells[0], f"{notebook}, first cell", "exec"), namespace)
    namespace.update(globals_)
    for source in cells:
        for node in ast.parse(source).body:
            if isinstance(node, ast.FunctionDef) and node.name == name:
                module = ast.Module(body=[node], type_ignores=[])
                exec(compile(module, f"{notebook}, def {name}", "exec"), namespace)
                return namespace[name]
    raise LookupError(f"{notebook} defines no function {name!r} in a code cell")
