"""Scalar computation graphs and reverse-mode automatic differentiation.

Every arithmetic operation on :class:`Value` objects creates a new node that
remembers its inputs (``children``), the operation (``op``) and how to pass a
gradient back to its inputs. ``backward()`` then applies the chain rule from the
output back to the inputs, node by node in reverse topological order.

Notation of the KIT deck: for the output ``L`` (the node ``backward`` is called
on) and any node ``v``, the *error signal* ``v_bar = dL/dv`` is stored in
``v.grad``. Backpropagation computes, for i = N-1, ..., 1,

.. math::

    \\bar v_i = \\sum_{j \\in \\mathrm{Ch}(v_i)} \\bar v_j \\,
                \\frac{\\partial v_j}{\\partial v_i},

where ``Ch(v_i)`` are the nodes computed *from* ``v_i``. When a node feeds several
others (fan-out > 1) its error signals from all of them add up: the multivariate
chain rule. In code every operation adds (``+=``) its contribution to its inputs.

Worked example of the KIT deck: ``e = (a + b)(b + 1)`` at ``a = 2, b = 1``.

>>> a = Value(2.0, label="a")
>>> b = Value(1.0, label="b")
>>> c = a + b; c.label = "c"
>>> d = b + 1; d.label = "d"
>>> e = c * d; e.label = "e"
>>> e.backward()
>>> e.data, a.grad, b.grad
(6.0, 2.0, 5.0)
>>> print(e.format_graph_table())
name  op  inputs  value  grad
a                     2     2
b                     1     5
c     +   a, b        3     2
1                     1     3
d     +   b, 1        2     3
e     *   c, d        6     1
"""

import math
import numbers


class Value:
    """A scalar node of a computation graph, with its value and its gradient.

    Operations (each stores its local derivative next to its forward computation):

    ========================  ==========================  ==============================
    operation                 forward                     local derivative(s)
    ========================  ==========================  ==============================
    ``x + y``                 ``x + y``                   ``1``, ``1``
    ``x - y``                 ``x - y``                   ``1``, ``-1``
    ``x * y``                 ``x y``                     ``y``, ``x``
    ``x / y``                 ``x / y``                   ``1 / y``, ``-x / y**2``
    ``x ** n`` (n a number)   ``x**n``                    ``n x**(n-1)``
    ``-x``                    ``-x``                      ``-1``
    ``x.exp()``               ``e**x``                    ``e**x``
    ``x.log()``               ``ln x`` (x > 0)            ``1 / x``
    ``x.tanh()``              ``tanh x``                  ``1 - tanh(x)**2``
    ``x.sigmoid()``           ``1 / (1 + e**-x)``         ``s (1 - s)``
    ``x.relu()``              ``max(0, x)``               ``1 if x > 0 else 0``
    ========================  ==========================  ==============================

    Plain numbers mix in on either side (``2 * v``, ``1 - v``, ``v / 3``); they
    become constant nodes labelled with their value.

    Parameters
    ----------
    data : float
        The value of the node.
    label : str
        A name shown in :meth:`graph_table` and :func:`draw_graph`.

    Attributes
    ----------
    data : float
    grad : float
        ``dL/d(this node)`` after ``L.backward()``; 0 before.
    label : str
    op : str
        The operation that produced the node (``""`` for inputs and constants).
    children : tuple of Value
        The nodes it was computed from.

    Examples
    --------
    >>> x = Value(0.5, label="x")
    >>> y = 3 * x ** 2 + x.exp()
    >>> y.backward()
    >>> round(x.grad, 6)  # 6 x + e**x at x = 0.5
    4.648721
    """

    # Let numpy scalars defer to Value's reflected operators (np.float64(2) * v).
    __array_ufunc__ = None

    def __init__(self, data, label="", _children=(), _op=""):
        if isinstance(data, Value):
            raise TypeError("Value: data must be a number, got a Value; use the Value itself")
        if isinstance(data, bool) or not isinstance(data, numbers.Real):
            raise TypeError(f"Value: data must be a real number, got {type(data).__name__}")
        if not math.isfinite(data):
            raise ValueError(f"Value: data must be finite, got {data}; a previous step overflowed?")
        self.data = float(data)
        self.grad = 0.0
        self.label = str(label)
        self.op = _op
        self.children = tuple(_children)
        self._backward = _no_backward  # how to pass out.grad to the children

    def __repr__(self):
        name = f"label={self.label!r}, " if self.label else ""
        return f"Value({name}data={self.data:.6g}, grad={self.grad:.6g})"

    # --- binary operations -------------------------------------------------

    def __add__(self, other):
        other = _as_value(other)
        if other is NotImplemented:
            return other
        out = Value(self.data + other.data, _children=(self, other), _op="+")

        def _backward():
            self.grad += out.grad  # d(x + y)/dx = 1
            other.grad += out.grad  # d(x + y)/dy = 1

        out._backward = _backward
        return out

    def __sub__(self, other):
        other = _as_value(other)
        if other is NotImplemented:
            return other
        out = Value(self.data - other.data, _children=(self, other), _op="-")

        def _backward():
            self.grad += out.grad  # d(x - y)/dx = 1
            other.grad -= out.grad  # d(x - y)/dy = -1

        out._backward = _backward
        return out

    def __mul__(self, other):
        other = _as_value(other)
        if other is NotImplemented:
            return other
        out = Value(self.data * other.data, _children=(self, other), _op="*")

        def _backward():
            self.grad += other.data * out.grad  # d(x y)/dx = y
            other.grad += self.data * out.grad  # d(x y)/dy = x

        out._backward = _backward
        return out

    def __truediv__(self, other):
        other = _as_value(other)
        if other is NotImplemented:
            return other
        if other.data == 0:
            raise ValueError("Value.__truediv__: division by zero (the denominator's value is 0)")
        out = Value(self.data / other.data, _children=(self, other), _op="/")

        def _backward():
            self.grad += out.grad / other.data  # d(x / y)/dx = 1 / y
            other.grad -= self.data / other.data**2 * out.grad  # d(x / y)/dy = -x / y^2

        out._backward = _backward
        return out

    def __pow__(self, n):
        if isinstance(n, Value) or isinstance(n, bool) or not isinstance(n, numbers.Real):
            raise TypeError(
                f"Value.__pow__: the exponent must be a plain number (int or float), "
                f"got {type(n).__name__}; write (x.log() * y).exp() for x ** y with y a Value"
            )
        n = float(n)
        if self.data == 0 and n < 0:
            raise ValueError(f"Value.__pow__: 0 ** {n:g} divides by zero")
        if self.data < 0 and not n.is_integer():
            raise ValueError(
                f"Value.__pow__: a negative base ({self.data:g}) with a non-integer exponent "
                f"({n:g}) is not a real number"
            )
        out = Value(self.data**n, _children=(self,), _op=f"**{n:g}")

        def _backward():
            self.grad += n * self.data ** (n - 1) * out.grad  # d(x^n)/dx = n x^(n-1)

        out._backward = _backward
        return out

    def __neg__(self):
        out = Value(-self.data, _children=(self,), _op="neg")

        def _backward():
            self.grad -= out.grad  # d(-x)/dx = -1

        out._backward = _backward
        return out

    # numbers on the left: 2 + v, 2 - v, 2 * v, 2 / v
    def __radd__(self, other):
        other = _as_value(other)
        return other if other is NotImplemented else other + self

    def __rsub__(self, other):
        other = _as_value(other)
        return other if other is NotImplemented else other - self

    def __rmul__(self, other):
        other = _as_value(other)
        return other if other is NotImplemented else other * self

    def __rtruediv__(self, other):
        other = _as_value(other)
        return other if other is NotImplemented else other / self

    # --- functions -----------------------------------------------------------

    def exp(self):
        """``e ** x``; local derivative ``e ** x``."""
        if self.data > _MAX_EXP_ARG:
            raise ValueError(f"Value.exp: exp({self.data:g}) overflows float64")
        out = Value(math.exp(self.data), _children=(self,), _op="exp")

        def _backward():
            self.grad += out.data * out.grad  # d(e^x)/dx = e^x

        out._backward = _backward
        return out

    def log(self):
        """Natural logarithm ``ln x`` for ``x > 0``; local derivative ``1 / x``."""
        if self.data <= 0:
            raise ValueError(
                f"Value.log: log is only defined for positive numbers, got {self.data:g}"
            )
        out = Value(math.log(self.data), _children=(self,), _op="log")

        def _backward():
            self.grad += out.grad / self.data  # d(ln x)/dx = 1 / x

        out._backward = _backward
        return out

    def tanh(self):
        """``tanh x``; local derivative ``1 - tanh(x)**2``."""
        t = math.tanh(self.data)
        out = Value(t, _children=(self,), _op="tanh")

        def _backward():
            self.grad += (1.0 - t * t) * out.grad  # d(tanh x)/dx = 1 - tanh^2 x

        out._backward = _backward
        return out

    def sigmoid(self):
        """``s = 1 / (1 + e**-x)`` (computed without overflow); local derivative ``s (1 - s)``."""
        if self.data >= 0:
            s = 1.0 / (1.0 + math.exp(-self.data))
        else:
            z = math.exp(self.data)  # < 1, cannot overflow
            s = z / (1.0 + z)
        out = Value(s, _children=(self,), _op="sigmoid")

        def _backward():
            self.grad += s * (1.0 - s) * out.grad  # d(sigma)/dx = sigma (1 - sigma)

        out._backward = _backward
        return out

    def relu(self):
        """``max(0, x)``; local derivative 1 for ``x > 0`` and 0 otherwise (also at 0)."""
        out = Value(max(0.0, self.data), _children=(self,), _op="relu")

        def _backward():
            self.grad += (1.0 if self.data > 0 else 0.0) * out.grad  # step function

        out._backward = _backward
        return out

    # --- the backward pass ---------------------------------------------------

    def topological_order(self):
        """All nodes this one depends on, inputs first, this node last.

        Every node appears after all the nodes it was computed from (the KIT
        deck's ``v_1, ..., v_N``). Depth-first, without recursion, so long chains
        do not hit Python's recursion limit.
        """
        order = []
        visited = set()
        stack = [(self, False)]
        while stack:
            node, children_done = stack.pop()
            if children_done:
                order.append(node)  # all its inputs are already in the list
                continue
            if id(node) in visited:
                continue
            visited.add(id(node))
            stack.append((node, True))
            for child in reversed(node.children):  # reversed: first child first
                if id(child) not in visited:
                    stack.append((child, False))
        return order

    def backward(self):
        """Fill ``.grad`` of every node in the graph with ``d(self)/d(node)``.

        1. Order the nodes topologically (:meth:`topological_order`).
        2. **Reset** every node's ``grad`` to 0, then set ``self.grad = 1``
           (``dL/dL = 1``).
        3. Visit the nodes in reverse order; each passes its ``grad`` times its
           local derivatives on to its inputs with ``+=``, so contributions from
           several paths add up (fan-out).

        Because of step 2, calling ``backward()`` twice gives the same gradients
        (no double counting), and the gradients always describe the last call.
        This differs from PyTorch, where leaf gradients accumulate across
        ``backward`` calls until you zero them.

        Examples
        --------
        >>> x = Value(3.0)
        >>> y = x * x + x  # x is used three times
        >>> y.backward(); y.backward()
        >>> x.grad  # 2 x + 1
        7.0
        """
        order = self.topological_order()
        for node in order:
            node.grad = 0.0
        self.grad = 1.0
        for node in reversed(order):
            node._backward()

    # --- looking at the graph ------------------------------------------------

    def display_names(self):
        """Name of every node for tables and drawings: its label, else ``v<i>``.

        ``i`` counts nodes in topological order from 1, like the KIT deck's
        ``v_1, ..., v_N``. Returns a dict from ``id(node)`` to the name.
        """
        return {
            id(node): node.label or f"v{i}"
            for i, node in enumerate(self.topological_order(), start=1)
        }

    def graph_table(self):
        """Rows ``(name, op, value, grad)`` of every node, in topological order.

        Inputs come first, this node last. ``name`` is the node's label, or
        ``v<i>`` for an unlabelled node (see :meth:`display_names`); ``op`` is
        ``""`` for inputs and constants.

        Examples
        --------
        >>> x = Value(2.0, label="x")
        >>> y = x.log() * 3; y.label = "y"
        >>> y.backward()
        >>> for row in y.graph_table():
        ...     print(row)
        ('x', '', 2.0, 1.5)
        ('v2', 'log', 0.6931471805599453, 3.0)
        ('3', '', 3.0, 0.6931471805599453)
        ('y', '*', 2.0794415416798357, 1.0)
        """
        names = self.display_names()
        return [(names[id(node)], node.op, node.data, node.grad)
                for node in self.topological_order()]

    def format_graph_table(self, digits=6):
        """The graph as a text table (name, op, inputs, value, grad) to print.

        Values and gradients are rounded to ``digits`` significant digits.
        """
        names = self.display_names()
        rows = [("name", "op", "inputs", "value", "grad")]
        for node in self.topological_order():
            inputs = ", ".join(names[id(child)] for child in node.children)
            rows.append((names[id(node)], node.op, inputs,
                         f"{node.data:.{digits}g}", f"{node.grad:.{digits}g}"))
        widths = [max(len(row[k]) for row in rows) for k in range(5)]
        lines = []
        for row in rows:
            left = "  ".join(row[k].ljust(widths[k]) for k in range(3))
            right = "  ".join(row[k].rjust(widths[k]) for k in range(3, 5))
            lines.append((left + "  " + right).rstrip())
        return "\n".join(lines)


_MAX_EXP_ARG = math.log(1.7976931348623157e308)  # largest x with finite e**x


def _no_backward():
    """Inputs and constants have nothing to pass on."""


def _as_value(x):
    """Wrap a plain number as a constant node; ``NotImplemented`` for other types."""
    if isinstance(x, Value):
        return x
    if isinstance(x, numbers.Real) and not isinstance(x, bool):
        return Value(x, label=f"{float(x):g}")
    return NotImplemented


def node_formula(node, display_names):
    """How a node was computed, e.g. ``"a + b"``, ``"tanh(z)"``, ``"x**2"``."""
    names = [display_names[id(child)] for child in node.children]
    if node.op in ("+", "-", "*", "/"):
        return f"{names[0]} {node.op} {names[1]}"
    if node.op.startswith("**"):
        return f"{names[0]}{node.op}"
    if node.op == "neg":
        return f"-{names[0]}"
    return f"{node.op}({names[0]})"
