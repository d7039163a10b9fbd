"""Drawing a computation graph of :class:`nnlib.autodiff.Value` nodes with matplotlib.

A layered drawing: inputs on the left, the output on the right, one column per step, one box per
node with its formula in maths notation (``e = c · d``), its value and its gradient, and an arrow
with a visible head from every input to the node computed from it. Nodes within a column are
ordered to keep arrows from crossing. No graphviz needed.
"""

import re

import matplotlib.pyplot as plt

from nncourse.style import MAX_WIDTH
from nnlib.autodiff import Value, node_formula

__all__ = ["graph_layers", "draw_graph", "math_name", "math_formula"]

def graph_layers(root):
    """Columns for drawing: each node one column right of its deepest input.

    A node computed from others sits at ``1 + max(depth of its inputs)``. An
    input or constant sits just left of the first node that uses it, so a
    constant that enters late is drawn next to where it is used.

    Returns
    -------
    list of list of Value
        ``layers[k]`` holds the nodes of column k, in topological order.
    """
    order = root.topological_order()
    depth = {}
    for node in order:
        if node.children:
            depth[id(node)] = 1 + max(depth.get(id(c), 0) for c in node.children)
    first_use = {}
    for node in order:
        for child in node.children:
            if not child.children:
                first_use[id(child)] = min(first_use.get(id(child), depth[id(node)]), depth[id(node)])
    for node in order:
        if not node.children:
            depth[id(node)] = first_use.get(id(node), 1) - 1
    layers = [[] for _ in range(max(depth.values()) + 1)]
    for node in order:
        layers[depth[id(node)]].append(node)
    return layers


def math_name(name):
    r"""A node name in mathtext: ``w1`` -> ``w_{1}``, ``x_2`` -> ``x_{2}``, ``v3`` -> ``v_{3}``.

    Examples
    --------
    >>> math_name("w1"), math_name("x_2"), math_name("a"), math_name("1.5")
    ('w_{1}', 'x_{2}', 'a', '1.5')
    """
    match = re.fullmatch(r"([A-Za-z]+)_?(\d+)", name)
    if match:
        return f"{match.group(1)}_{{{match.group(2)}}}"
    return name


def math_formula(node, names):
    r"""How ``node`` was computed, in mathtext (without ``$``): ``c \cdot d``, ``\tanh(z)``, ``x^{2}``.

    Examples
    --------
    >>> a, b = Value(2.0, label="a"), Value(1.0, label="b")
    >>> e = (a + b) * b; e.label = "e"
    >>> names = e.display_names()
    >>> math_formula(e, names), math_formula(e.children[0], names)
    ('v_{3} \\cdot b', 'a + b')
    """
    plain = {key: math_name(name) for key, name in names.items()}
    children = [plain[id(child)] for child in node.children]
    if node.op == "*":
        return f"{children[0]} \\cdot {children[1]}"
    if node.op.startswith("**"):
        return f"{children[0]}^{{{node.op[2:]}}}"
    if node.op in ("tanh", "exp", "log"):
        return f"\\{node.op}({children[0]})"
    return node_formula(node, plain)


def _ordered_layers(layers):
    """Order each column by the mean row of the nodes it comes from (fewer crossing arrows)."""
    row = {id(node): k for k, node in enumerate(layers[0])}
    ordered = [layers[0]]
    for layer in layers[1:]:
        def mean_row(node):
            rows = [row[id(c)] for c in node.children if id(c) in row]
            return sum(rows) / len(rows) if rows else 0.0
        layer = sorted(layer, key=mean_row)
        row.update({id(node): k for k, node in enumerate(layer)})
        ordered.append(layer)
    return ordered


def draw_graph(root, ax=None, digits=4):
    """Draw the computation graph of ``root`` with matplotlib.

    Parameters
    ----------
    root : Value
        The output node (call ``root.backward()`` first to show gradients).
    ax : matplotlib.axes.Axes, optional
        Where to draw; a new figure is made when omitted.
    digits : int
        Significant digits of value and gradient.

    Returns
    -------
    matplotlib.axes.Axes
        Its texts are the boxes (one per node) followed by the arrows (one per edge).
    """
    if not isinstance(root, Value):
        raise TypeError(f"draw_graph: root must be a Value, got {type(root).__name__}")
    layers = _ordered_layers(graph_layers(root))
    height = max(len(layer) for layer in layers)
    if ax is None:
        width = min(MAX_WIDTH, 1.7 * len(layers) + 0.4)
        _, ax = plt.subplots(figsize=(width, 0.95 * height + 0.5))
    names = root.display_names()
    boxes = {}
    for x, layer in enumerate(layers):
        for k, node in enumerate(layer):
            y = (len(layer) - 1) / 2 - k  # centre each column
            name = math_name(names[id(node)])
            title = f"${name} = {math_formula(node, names)}$" if node.op else f"${name}$"
            text = f"{title}\nvalue {node.data:.{digits}g}\ngrad {node.grad:.{digits}g}"
            boxes[id(node)] = ax.text(x, y, text, ha="center", va="center", fontsize=10, linespacing=1.4,
                                      bbox={"boxstyle": "round,pad=0.4", "facecolor": "white",
                                            "edgecolor": "0.3", "linewidth": 0.9})
    for node in root.topological_order():
        for child in node.children:
            ax.annotate("", xy=(0.0, 0.5), xycoords=boxes[id(node)], xytext=(1.0, 0.5),
                        textcoords=boxes[id(child)],
                        arrowprops={"arrowstyle": "-|>", "color": "0.3", "mutation_scale": 14,
                                    "shrinkA": 6, "shrinkB": 6, "linewidth": 1.0})
    ax.set_xlim(-0.6, len(layers) - 0.4)
    ax.set_ylim(-height / 2 - 0.1, height / 2 + 0.1)
    ax.set_axis_off()
    return ax
