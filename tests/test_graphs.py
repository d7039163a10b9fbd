"""nncourse.graphs: drawing a Value computation graph."""

import matplotlib
import matplotlib.pyplot
import pytest
from matplotlib.text import Annotation

from nncourse.graphs import draw_graph, graph_layers
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
    assert "e = c * d\nvalue 6\ngrad 1" in boxes
    assert "b\nvalue 1\ngrad 5" in boxes
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
    assert [t.get_text() for t in ax.texts] == ["x\nvalue 3\ngrad 0"]
    matplotlib.pyplot.close(fig)


def test_draw_graph_needs_a_value():
    with pytest.raises(TypeError, match="draw_graph: root must be a Value, got float"):
        draw_graph(1.0)
