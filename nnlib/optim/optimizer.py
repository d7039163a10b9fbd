"""The base class of the optimizers: parameter groups, hyperparameter checks, ``step()``.

As in PyTorch, an optimizer holds a list ``param_groups``; each group is a dict with its
``"params"`` and its own hyperparameters (``"lr"``, ``"momentum"``, ...). The usual call
passes one list of parameters, which makes one group with the constructor's values::

    opt = SGD(model.parameters(), lr=0.1, momentum=0.9)

The list-of-dicts form gives groups their own values; a key a group leaves out takes the
constructor's value (the ``defaults``)::

    opt = SGD([{"params": body.parameters()},
               {"params": head.parameters(), "lr": 0.01}], lr=0.1, momentum=0.9)

``opt.lr`` reads the first group's learning rate; assigning ``opt.lr = x`` sets the rate
of every group (with one group, as in most lessons, it is simply "the learning rate").
Schedules change each group's ``"lr"`` from that group's own starting value.
"""

from nnlib.validation import check_in_range, check_nonnegative


class Optimizer:
    """Base class: holds ``param_groups``, per-parameter ``state`` and ``step()``.

    Subclasses list their hyperparameters with a check function each in
    ``hyperparameters`` (a dict ``name -> check(value, where, name)``), may add checks
    across hyperparameters in ``_check_group``, and implement
    ``_update(W, dW, state, group)``, which changes ``W`` in place.

    Parameters
    ----------
    params : iterable of Parameter, or iterable of dict
        Usually ``model.parameters()``; each has ``.data`` (updated in place) and ``.grad``.
        Or parameter groups: dicts with a ``"params"`` entry and optional hyperparameters.
    defaults : dict
        The constructor's hyperparameters, used by every group that does not set its own.

    Attributes
    ----------
    param_groups : list of dict
        ``{"params": [...], "lr": ..., ...}``, one per group.
    defaults : dict
        The constructor's hyperparameters.
    state : dict
        Per-parameter state (momentum buffers, moment estimates, step counts), keyed by
        the parameter handle.
    """

    hyperparameters = {"lr": check_nonnegative}

    def __init__(self, params, defaults):
        where = type(self).__name__
        self.defaults = self._checked(defaults, where)
        self.param_groups = []
        self.state = {}
        params = list(params)
        if not params:
            raise ValueError(f"{where}: got an empty parameter list; pass model.parameters()")
        groups = params if isinstance(params[0], dict) else [{"params": params}]
        for group in groups:
            self.add_param_group(group)

    def add_param_group(self, param_group):
        """Add a group ``{"params": [...], "lr": ..., ...}``; missing values come from ``defaults``."""
        where = f"{type(self).__name__} (param group {len(self.param_groups)})"
        if not isinstance(param_group, dict) or "params" not in param_group:
            raise TypeError(
                f"{where}: a parameter group must be a dict with a 'params' entry, "
                f"got {type(param_group).__name__}"
            )
        params = param_group["params"]
        params = [params] if _is_parameter(params) else list(params)
        for p in params:
            if not _is_parameter(p):
                raise TypeError(
                    f"{type(self).__name__}: params must be Parameter handles from model.parameters(), "
                    f"got {type(p).__name__}"
                )
        if not params:
            raise ValueError(f"{where}: the group has no parameters")
        seen = {id(q.data) for group in self.param_groups for q in group["params"]}
        if any(id(p.data) in seen for p in params):
            raise ValueError(f"{where}: some parameters appear in more than one parameter group")
        own = self._checked({k: v for k, v in param_group.items() if k != "params"}, where)
        group = {"params": params, **self.defaults, **own}
        self._check_group(group, where if own else type(self).__name__)
        self.param_groups.append(group)

    def _checked(self, values, where):
        """``values`` with every hyperparameter checked (and numbers turned into Python floats)."""
        checked = {}
        for name, value in values.items():
            if name not in self.hyperparameters:
                known = ", ".join(["params", *self.hyperparameters])
                raise ValueError(f"{where}: unknown hyperparameter {name!r}; known are {known}")
            checked[name] = self.hyperparameters[name](value, where, name)
        return checked

    def _check_group(self, group, where):
        """Checks that involve several hyperparameters of one group (none by default)."""

    @property
    def params(self):
        """All parameters of all groups, in order."""
        return [p for group in self.param_groups for p in group["params"]]

    @property
    def lr(self):
        """The first group's learning rate; assigning sets every group's ``"lr"``."""
        return self.param_groups[0]["lr"]

    @lr.setter
    def lr(self, value):
        value = check_nonnegative(value, type(self).__name__, "lr")
        for group in self.param_groups:
            group["lr"] = value

    def zero_grad(self):
        """Set every parameter's gradient to zero (in place)."""
        for p in self.params:
            p.grad[...] = 0.0

    def step(self):
        """Update every parameter once from its current gradient, with its group's hyperparameters."""
        for group in self.param_groups:
            for p in group["params"]:
                state = self.state.get(p)
                if state is None:
                    state = self.state[p] = {}
                self._update(p.data, p.grad, state, group)

    def _update(self, W, dW, state, group):
        raise NotImplementedError

    def __repr__(self):
        return f"{type(self).__name__}({self._repr_values()}{self._repr_groups()})"

    def _repr_values(self):
        return f"lr={self.lr}"

    def _repr_groups(self):
        return "" if len(self.param_groups) == 1 else f", {len(self.param_groups)} param groups"


def _is_parameter(p):
    return hasattr(p, "data") and hasattr(p, "grad") and not isinstance(p, dict)


def check_betas(value, where, name):
    """A pair ``(beta1, beta2)``, each in [0, 1)."""
    if not isinstance(value, (tuple, list)) or len(value) != 2:
        raise ValueError(f"{where}: betas must be a pair (beta1, beta2), got {value!r}")
    return (check_in_range(value[0], where, "beta1", 0.0, 1.0),
            check_in_range(value[1], where, "beta2", 0.0, 1.0))


def check_unit_interval(value, where, name):
    """A number in [0, 1]."""
    return check_in_range(value, where, name, 0.0, 1.0, high_open=False)
