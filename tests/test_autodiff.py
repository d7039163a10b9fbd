"""The scalar computation graph: forward values, backward gradients, tables, drawings."""

import math

import numpy as np
import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from nnlib.autodiff import Value

RTOL, ATOL = 1e-5, 1e-7


def central_difference(f, x, h=1e-6):
    return (f(x + h) - f(x - h)) / (2 * h)


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


def test_kit_example_e_equals_a_plus_b_times_b_plus_one():
    a, b, c, d, e = kit_example()
    e.backward()
    assert (c.data, d.data, e.data) == (3.0, 2.0, 6.0)
    # de/dc = d = 2, de/dd = c = 3, de/da = de/dc = 2, de/db = de/dc + de/dd = 5 (fan-out)
    assert (c.grad, d.grad) == (2.0, 3.0)
    assert a.grad == 2.0
    assert b.grad == 5.0


def test_backward_twice_gives_the_same_grads():
    a, b, c, d, e = kit_example()
    e.backward()
    first = [node.grad for node in e.topological_order()]
    e.backward()
    assert [node.grad for node in e.topological_order()] == first
    assert (a.grad, b.grad) == (2.0, 5.0)


def test_backward_describes_the_last_output_only():
    a, b, c, d, e = kit_example()
    e.backward()
    c.backward()  # dc/da = 1, dc/db = 1; nothing left over from e
    assert (a.grad, b.grad, c.grad) == (1.0, 1.0, 1.0)


def test_fan_out_sums_paths():
    x = Value(1.5, label="x")
    y = x * x * x + x  # x used four times
    y.backward()
    assert y.grad == 1.0
    assert x.grad == pytest.approx(3 * 1.5**2 + 1, rel=1e-12)
    z = x + x
    z.backward()
    assert x.grad == 2.0


@pytest.mark.parametrize(
    "build, value, derivative",
    [
        (lambda x: x + 2, lambda t: t + 2, lambda t: 1.0),
        (lambda x: 2 + x, lambda t: 2 + t, lambda t: 1.0),
        (lambda x: x - 2, lambda t: t - 2, lambda t: 1.0),
        (lambda x: 1 - x, lambda t: 1 - t, lambda t: -1.0),
        (lambda x: x * 3, lambda t: 3 * t, lambda t: 3.0),
        (lambda x: 3 * x, lambda t: 3 * t, lambda t: 3.0),
        (lambda x: x / 4, lambda t: t / 4, lambda t: 0.25),
        (lambda x: 2 / x, lambda t: 2 / t, lambda t: -2 / t**2),
        (lambda x: x**3, lambda t: t**3, lambda t: 3 * t**2),
        (lambda x: x**-0.5, lambda t: t**-0.5, lambda t: -0.5 * t**-1.5),
        (lambda x: -x, lambda t: -t, lambda t: -1.0),
        (lambda x: x.exp(), math.exp, math.exp),
        (lambda x: x.log(), math.log, lambda t: 1 / t),
        (lambda x: x.tanh(), math.tanh, lambda t: 1 - math.tanh(t) ** 2),
        (lambda x: x.sigmoid(), lambda t: 1 / (1 + math.exp(-t)),
         lambda t: math.exp(-t) / (1 + math.exp(-t)) ** 2),
        (lambda x: x.relu(), lambda t: max(t, 0.0), lambda t: float(t > 0)),
        (lambda x: np.float64(2.0) * x, lambda t: 2 * t, lambda t: 2.0),
    ],
)
@pytest.mark.parametrize("t", [0.7, 1.9])
def test_each_operation_against_its_formula(build, value, derivative, t):
    x = Value(t, label="x")
    y = build(x)
    assert isinstance(y, Value)
    y.backward()
    assert y.data == pytest.approx(value(t), rel=1e-12, abs=1e-12)
    assert x.grad == pytest.approx(derivative(t), rel=1e-12, abs=1e-12)


@pytest.mark.parametrize("t", [-2.3, -0.4, 0.6, 1.7])
def test_relu_and_sigmoid_against_central_differences(t):
    for build in (lambda x: x.relu() * x, lambda x: (x * 3).sigmoid(), lambda x: x.tanh().relu()):
        x = Value(t)
        y = build(x)
        y.backward()
        numeric = central_difference(lambda s, build=build: build(Value(s)).data, t)
        assert x.grad == pytest.approx(numeric, rel=RTOL, abs=ATOL)


def test_sigmoid_is_stable_for_large_inputs():
    assert Value(-800.0).sigmoid().data == pytest.approx(0.0, abs=1e-300)
    assert Value(800.0).sigmoid().data == 1.0
    x = Value(-50.0)
    y = x.sigmoid()
    y.backward()
    assert x.grad == pytest.approx(math.exp(-50.0), rel=1e-9)


# --- random expressions vs central differences ---------------------------------

UNARY = ["tanh", "sigmoid", "exp_tanh", "log_square_plus_one", "neg", "square", "recip", "sqrt"]
BINARY = ["+", "-", "*", "/"]


def evaluate(tree, env):
    """Build the expression ``tree`` from the Values (or floats) in ``env``."""
    if isinstance(tree, str):
        return env[tree]
    if isinstance(tree, float):
        return tree  # a plain number: exercises the reflected operators
    op, *args = tree
    if op in BINARY:
        left, right = evaluate(args[0], env), evaluate(args[1], env)
        if op == "+":
            return left + right
        if op == "-":
            return left - right
        if op == "*":
            return left * right
        return left / (right * right + 1)  # denominator >= 1
    x = evaluate(args[0], env)
    if not isinstance(x, Value):
        x = Value(x)
    if op == "tanh":
        return x.tanh()
    if op == "sigmoid":
        return x.sigmoid()
    if op == "exp_tanh":
        return x.tanh().exp()
    if op == "log_square_plus_one":
        return (x * x + 1).log()
    if op == "neg":
        return -x
    if op == "square":
        return x**2
    if op == "recip":
        return 1 / (x * x + 1)
    return (x * x + 1) ** 0.5


leaves = st.sampled_from(["a", "b", "c"]) | st.floats(-2, 2, allow_nan=False).map(float)
trees = st.recursive(
    leaves,
    lambda sub: st.tuples(st.sampled_from(UNARY), sub)
    | st.tuples(st.sampled_from(BINARY), sub, sub),
    max_leaves=10,
)


@settings(max_examples=200, deadline=None)
@given(tree=trees, point=st.tuples(*[st.floats(-2, 2, allow_nan=False)] * 3))
def test_random_expressions_match_central_differences(tree, point):
    env = {name: Value(v, label=name) for name, v in zip("abc", point)}
    out = evaluate(tree, env)
    assume(isinstance(out, Value))
    assume(max(abs(row[2]) for row in out.graph_table()) < 1e3)
    out.backward()
    for name in "abc":
        def f(s, name=name):
            shifted = {k: Value(s if k == name else v.data) for k, v in env.items()}
            result = evaluate(tree, shifted)
            return result.data if isinstance(result, Value) else result

        numeric = central_difference(f, env[name].data)
        assert env[name].grad == pytest.approx(numeric, rel=1e-4, abs=1e-6), name


def test_long_chain_has_no_recursion_limit():
    x = Value(0.0, label="x")
    y = x
    for _ in range(5000):
        y = y + 1
    y.backward()
    assert y.data == 5000.0
    assert x.grad == 1.0


# --- listing and drawing the graph -----------------------------------------------

def test_topological_order_puts_inputs_first():
    a, b, c, d, e = kit_example()
    order = e.topological_order()
    position = {id(node): k for k, node in enumerate(order)}
    assert order[-1] is e
    assert len(order) == 6  # a, b, c, the constant 1, d, e
    for node in order:
        for child in node.children:
            assert position[id(child)] < position[id(node)]


def test_graph_table_rows():
    a, b, c, d, e = kit_example()
    e.backward()
    rows = e.graph_table()
    assert rows == [
        ("a", "", 2.0, 2.0),
        ("b", "", 1.0, 5.0),
        ("c", "+", 3.0, 2.0),
        ("1", "", 1.0, 3.0),
        ("d", "+", 2.0, 3.0),
        ("e", "*", 6.0, 1.0),
    ]
    text = e.format_graph_table()
    assert text.splitlines()[0].split() == ["name", "op", "inputs", "value", "grad"]
    assert text.splitlines()[-1].split() == ["e", "*", "c,", "d", "6", "1"]


def test_unlabelled_nodes_get_numbered_names():
    x = Value(0.5, label="x")
    y = (x * 2).tanh()
    rows = y.graph_table()
    assert [row[0] for row in rows] == ["x", "2", "v3", "v4"]
    assert [row[1] for row in rows] == ["", "", "*", "tanh"]


# --- errors ------------------------------------------------------------------------

@pytest.mark.parametrize("t", [0.0, -1.0])
def test_log_of_non_positive(t):
    with pytest.raises(ValueError, match="Value.log: log is only defined for positive numbers, got"):
        Value(t).log()


def test_errors():
    with pytest.raises(ValueError, match="Value.__truediv__: division by zero"):
        Value(1.0) / Value(0.0)
    with pytest.raises(ValueError, match="Value.__truediv__: division by zero"):
        1 / Value(0.0)
    with pytest.raises(TypeError, match="Value.__pow__: the exponent must be a plain number"):
        Value(2.0) ** Value(3.0)
    with pytest.raises(ValueError, match=r"Value.__pow__: 0 \*\* -1 divides by zero"):
        Value(0.0) ** -1
    with pytest.raises(ValueError, match="negative base .* non-integer exponent"):
        Value(-2.0) ** 0.5
    with pytest.raises(ValueError, match="Value.exp: exp"):
        Value(1000.0).exp()
    with pytest.raises(TypeError, match="Value: data must be a real number, got str"):
        Value("3")
    with pytest.raises(TypeError, match="Value: data must be a number, got a Value"):
        Value(Value(1.0))
    with pytest.raises(ValueError, match="Value: data must be finite, got nan"):
        Value(float("nan"))
    with pytest.raises(TypeError, match="unsupported operand"):
        Value(1.0) + "a"


def test_negative_base_integer_power_is_fine():
    x = Value(-2.0)
    y = x**3
    y.backward()
    assert (y.data, x.grad) == (-8.0, 12.0)
