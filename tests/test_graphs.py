"""nncourse.graphs: drawing a Value computation graph."""

import matplotlib
import matplotlib.pyplot
import pytest
from matplotlib.text import Annotation

from nncourse.graphs import _ordered_layers, draw_graph, graph_layers, math_formula, math_name
from nnlib.autodiff import Value


def kit_example(a_val=2.0, b_val=1.0):
    a = Value(a_val, label="a")
    b = Value(b_val, label="b")
    c = a + b
    c.label = "c"
    d = b + 1
    d.label = "d"
    e = c * d
    e.label = "e"
    return a, b, c, d, e


def test_draw_graph_has_one_box_per_node_and_one_arrow_per_edge():
    a, b, c, d, e = kit_example()
    e.backward()
    ax = draw_graph(e)
    arrows = [t for t in ax.texts if isinstance(t, Annotation)]
    boxes = [t.get_text() for t in ax.texts if not isinstance(t, Annotation)]
    assert len(boxes) == 6
    assert "$e = c \\cdot d$\nvalue 6\ngrad 1" in boxes
    assert "$b$\nvalue 1\ngrad 5" in boxes
    n_edges = sum(len(node.children) for node in e.topological_order())
    assert len(arrows) == n_edges == 6
    matplotlib.pyplot.close(ax.figure)


def test_graph_layers_place_constants_next_to_their_use():
    x = Value(1.0, label="x")
    y = ((x * 2).tanh() + 1)
    layers = graph_layers(y)
    names = y.display_names()
    columns = [[names[id(n)] for n in layer] for layer in layers]
    assert columns == [["x", "2"], ["v3"], ["v4", "1"], ["v6"]]


def test_draw_graph_on_given_axes():
    fig, ax = matplotlib.pyplot.subplots()
    assert draw_graph(Value(3.0, label="x"), ax=ax) is ax
    assert [t.get_text() for t in ax.texts] == ["$x$\nvalue 3\ngrad 0"]
    matplotlib.pyplot.close(fig)


def test_draw_graph_needs_a_value():
    with pytest.raises(TypeError, match="draw_graph: root must be a Value, got float"):
        draw_graph(1.0)


def test_arrows_have_heads_and_end_at_the_boxes():
    *_, e = kit_example()
    e.backward()
    ax = draw_graph(e)
    ax.figure.canvas.draw()
    arrows = [t for t in ax.texts if isinstance(t, Annotation)]
    assert all(a.arrow_patch.get_arrowstyle().__class__.__name__ == "CurveFilledB" for a in arrows)
    boxes = {t.get_text().split("\n")[0]: t.get_bbox_patch().get_window_extent() for t in ax.texts
             if not isinstance(t, Annotation)}
    # the arrow into e ends at the left edge of e's box, not inside it
    into_e = [a for a in arrows if a.xycoords is not None and a.xycoords.get_text().startswith("$e")]
    assert len(into_e) == 2
    for arrow in into_e:
        tip = arrow.arrow_patch.get_path().vertices.max(axis=0)[0]
        tip_display = arrow.arrow_patch.get_transform().transform([[tip, 0]])[0][0]
        assert tip_display <= boxes["$e = c \\cdot d$"].x0 + 1.0
    matplotlib.pyplot.close(ax.figure)


def test_math_names_and_formulas():
    x = Value(1.0, label="x1")
    y = (x * 2).tanh() ** 2
    names = y.display_names()
    assert math_name("w12") == "w_{12}" and math_name("theta") == "theta"
    assert math_formula(y, names) == "v_{4}^{2}"
    assert math_formula(y.children[0], names) == "\\tanh(v_{3})"
    assert math_formula(y.children[0].children[0], names) == "x_{1} \\cdot 2"


def test_columns_are_ordered_to_avoid_crossings():
    a, b = Value(1.0, label="a"), Value(2.0, label="b")
    low = b * 3
    high = a * 3
    out = low + high          # low is listed first, but comes from b, which sits below a
    out.backward()
    layers = graph_layers(out)
    ordered = _ordered_layers(layers)
    first_column = [n.label for n in ordered[0] if n.label in ("a", "b")]
    second = [n.children[0].label for n in ordered[1]]
    assert second == first_column
