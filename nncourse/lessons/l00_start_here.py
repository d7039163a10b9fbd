"""Lesson 00: start here (what the environment check and the first slider compute).

* :func:`environment_report`: the versions of the course's main packages and whether
  sliders can work in the running kernel (the notebook prints it);
* :func:`sigmoid_unit_curve`: the output of one sigmoid unit ``a = sigma(w x + b)`` over
  an input range. The notebook computes the same in its cells, in numpy, for the worked
  example and the first slider; this function is the tested reference of that maths
  (``tests/lessons/test_l00_start_here.py``).
"""

import sys
from importlib import metadata

import numpy as np

from nnlib.functional import sigmoid
from nnlib.validation import check_positive_int

PACKAGES = ("numpy", "matplotlib", "ipywidgets", "jupyterlab_widgets")
"""Packages whose versions the environment check prints (all pinned in requirements.txt)."""


def _version(package):
    try:
        return metadata.version(package)
    except metadata.PackageNotFoundError:
        return "not installed"


def widgets_status():
    """Say whether ipywidgets sliders can be interactive in the running Python.

    Sliders need three things: the ``ipywidgets`` package, the JupyterLab extension that
    draws them (``jupyterlab_widgets``) and a Jupyter kernel that talks to the browser.

    Returns
    -------
    str
        ``"ready"`` or a sentence saying what is missing.

    Examples
    --------
    >>> widgets_status()  # doctests run outside a kernel
    'no Jupyter kernel: sliders show up only when the notebook runs in JupyterLab'
    """
    missing = [p for p in ("ipywidgets", "jupyterlab_widgets") if _version(p) == "not installed"]
    if missing:
        return f"missing {', '.join(missing)}: run `make lab` to install the course environment"
    ipython = sys.modules.get("IPython")
    shell = ipython.get_ipython() if ipython is not None else None
    if shell is None or getattr(shell, "kernel", None) is None:
        return "no Jupyter kernel: sliders show up only when the notebook runs in JupyterLab"
    return "ready"


def environment_report():
    """Versions of Python, nnlib and the course's main packages, and the slider status.

    Returns
    -------
    dict
        ``{"python": "3.11", "nnlib": ..., "numpy": ..., "matplotlib": ...,
        "ipywidgets": ..., "jupyterlab_widgets": ..., "widgets": <widgets_status()>}``.
        Python is reported as major.minor only, so the report is the same on every
        machine with the pinned environment.

    Examples
    --------
    >>> report = environment_report()
    >>> list(report)
    ['python', 'nnlib', 'numpy', 'matplotlib', 'ipywidgets', 'jupyterlab_widgets', 'widgets']
    """
    import nnlib

    report = {"python": f"{sys.version_info.major}.{sys.version_info.minor}", "nnlib": nnlib.__version__}
    report.update({p: _version(p) for p in PACKAGES})
    report["widgets"] = widgets_status()
    return report


def sigmoid_unit_curve(w, b, x_min=-6.0, x_max=6.0, num=241):
    r"""What the first slider shows: one sigmoid unit's output over an input range.

    .. math:: z = w x + b, \qquad a = \sigma(z) = \frac{1}{1 + e^{-z}}.

    The unit says "yes" (``a >= 0.5``) exactly where ``z >= 0``, i.e. right of the
    threshold ``x* = -b / w`` for ``w > 0`` (left of it for ``w < 0``). The weight sets how
    steep the step is: the slope at the threshold is ``sigma'(0) w = w / 4``. The bias
    shifts the step along the x-axis.

    Parameters
    ----------
    w, b : float
        Weight and bias of the unit.
    x_min, x_max : float
        Input range (``x_min < x_max``).
    num : int
        Number of points.

    Returns
    -------
    dict
        ``x``, ``z``, ``a``: arrays of shape (num,); ``threshold``: ``-b / w`` (``None``
        when ``w == 0`` and the unit ignores its input); ``slope``: ``w / 4``, the
        steepness at the threshold.

    Examples
    --------
    >>> out = sigmoid_unit_curve(w=2.0, b=-1.0)
    >>> out["threshold"], out["slope"]
    (0.5, 0.5)
    >>> round(float(np.interp(1.0, out["x"], out["a"])), 4)  # sigma(2 * 1 - 1) = sigma(1)
    0.7311
    """
    w, b = float(w), float(b)
    if not np.isfinite(w) or not np.isfinite(b):
        raise ValueError(f"sigmoid_unit_curve: w and b must be finite numbers, got w={w}, b={b}")
    if not x_min < x_max:
        raise ValueError(f"sigmoid_unit_curve: need x_min < x_max, got {x_min} and {x_max}")
    num = check_positive_int(num, "sigmoid_unit_curve", "num")
    x = np.linspace(x_min, x_max, num)  # (num,)
    z = w * x + b                       # (num,) pre-activation
    a = sigmoid(z)                      # (num,) activation
    threshold = -b / w if w != 0 else None
    return {"x": x, "z": z, "a": a, "threshold": threshold, "slope": w / 4}
