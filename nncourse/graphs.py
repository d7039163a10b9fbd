"""Drawing a computation graph of :class:`nnlib.autodiff.Value` nodes with matplotlib.

Inputs on the left, the output on the right, one box per node with its value and
gradient, an arrow from every input to the node computed from it. No graphviz needed.
"""

import matplotlib.pyplot as plt

from nnlib.autodiff import Value, node_formula


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


def draw_graph(root, ax=None, digits=4):
    """Draw the computation graph of ``root`` with matplotlib.

    Inputs on the left, ``root`` on the right; one box per node with its label,
    operation, value and gradient; an arrow from every input to the node computed
    from it. No graphviz needed.

    Parameters
    ----------
    root : Value
        The output node.
    ax : matplotlib.axes.Axes, optional
        Where to draw; a new figure is made when omitted.
    digits : int
        Significant digits of value and gradient.

    Returns
    -------
    matplotlib.axes.Axes
    """
    if not isinstance(root, Value):
        raise TypeError(f"draw_graph: root must be a Value, got {type(root).__name__}")
    layers = graph_layers(root)
    height = max(len(layer) for layer in layers)
    if ax is None:
        _, ax = plt.subplots(figsize=(2.0 * len(layers) + 0.5, 1.0 * height + 1.0))
    names = root.display_names()
    position = {}
    for x, layer in enumerate(layers):
        for k, node in enumerate(layer):
            y = (len(layer) - 1) / 2 - k  # centre each column
            position[id(node)] = (x, y)
    for node in root.topological_order():
        for child in node.children:
            ax.annotate(
                "", xy=position[id(node)], xytext=position[id(child)],
                arrowprops={"arrowstyle": "->", "color": "0.5", "shrinkA": 28, "shrinkB": 28},
            )
    for node in root.topological_order():
        title = names[id(node)] + (f" = {node_formula(node, names)}" if node.op else "")
        text = f"{title}\nvalue {node.data:.{digits}g}\ngrad {node.grad:.{digits}g}"
        ax.text(*position[id(node)], text, ha="center", va="center", fontsize=9,
                bbox={"boxstyle": "round", "facecolor": "white", "edgecolor": "0.3"})
    ax.set_xlim(-0.6, len(layers) - 0.4)
    ax.set_ylim(-height / 2 - 0.2, height / 2 + 0.2)
    ax.set_axis_off()
    return ax
