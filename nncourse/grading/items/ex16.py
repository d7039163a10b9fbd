"""Visible tests for solutions/ex16_build_your_own_autodiff.ipynb (a scalar Value, a neuron, a layer, an MLP).

Conventions of the exercise (micrograd's, which lesson 05's ``nnlib.autodiff.Value`` follows): every
operation returns a new ``Value`` that remembers its inputs; ``backward()`` sets the output's
gradient to 1 and visits the nodes in reverse topological order, each adding (``+=``) its share to
its inputs; it does not reset gradients (zeroing them between training steps is the loop's job).
``MLP(n_in, sizes)`` has tanh hidden layers and a linear last layer; ``parameters()`` lists, layer by
layer and neuron by neuron, each neuron's weights and then its bias.

Graphs are described as plain data (``leaves`` and a ``program`` of steps) and built with the
student's class by :func:`run_graph`. Operators cannot be applied to a class that lives in a sandboxed
notebook from the grader's side, so the notebook imports ``run_graph`` and hands it to ``check``
(``check("ex16-forward", Value, run_graph)``): the graph is built where the class lives. Expected
values and recognised slips are stored numbers from ``solutions/references/ex16.py`` (computed with
``nnlib.autodiff.Value`` and slipped copies of it). Every item is ``numpy_only``: the exercise is
to write the autodiff, so an answer that borrows ``nnlib`` scores 0.
"""

import math
import time

import numpy as np

from nncourse.grading.feedback import (
    Item,
    expect_array,
    expect_callable,
    expect_close,
    expect_equal,
    fail,
)
from nncourse.grading.stored import numbers

# --- graphs as plain data ---------------------------------------------------------------------
# A step [op, i], [op, i, j] or [op, i, c] builds a new node from nodes i, j (indices into the
# nodes built so far, leaves first) or from node i and a plain number c.
OPERATIONS = {
    "add": (lambda a, b: a + b, "{0} + {1}"),
    "sub": (lambda a, b: a - b, "{0} - {1}"),
    "mul": (lambda a, b: a * b, "{0} * {1}"),
    "div": (lambda a, b: a / b, "{0} / {1}"),
    "addc": (lambda a, c: a + c, "{0} + {1}"),
    "radd": (lambda a, c: c + a, "{1} + {0}"),
    "subc": (lambda a, c: a - c, "{0} - {1}"),
    "mulc": (lambda a, c: a * c, "{0} * {1}"),
    "rmul": (lambda a, c: c * a, "{1} * {0}"),
    "divc": (lambda a, c: a / c, "{0} / {1}"),
    "pow": (lambda a, n: a ** n, "{0} ** {1}"),
    "neg": (lambda a: -a, "-{0}"),
    "tanh": (lambda a: a.tanh(), "{0}.tanh()"),
    "exp": (lambda a: a.exp(), "{0}.exp()"),
}
NODE_OPERANDS = {"add", "sub", "mul", "div"}  # the second operand is a node, not a number


def describe(step, names=("x", "y")):
    """``"x * y"``, ``"2.5 + x"``, ``"x.tanh()"`` for a step on the leaves named ``names``."""
    op, *args = step
    parts = [names[args[0]] if args[0] < len(names) else f"node {args[0]}"]
    if len(args) > 1:
        second = args[1]
        parts.append((names[second] if second < len(names) else f"node {second}") if op in NODE_OPERANDS
                     else f"{second:g}")
    return OPERATIONS[op][1].format(*parts)


def run_graph(Value, leaves, program):
    """Build the graph ``program`` on ``leaves`` with the class ``Value``, call ``backward()`` on the last node.

    Returns ``{"data": [...], "grad": [...]}``: the value and the gradient of every node, leaves
    first. Raises ``TypeError`` in plain words when an operation does not return a ``Value``.

    Examples
    --------
    >>> from nnlib.autodiff import Value
    >>> run_graph(Value, [2.0, 1.0], [["add", 0, 1], ["addc", 1, 1.0], ["mul", 2, 3]])["grad"]
    [2.0, 5.0, 2.0, 3.0, 1.0]
    """
    nodes = [Value(float(x)) for x in leaves]
    for step in program:
        op, *args = step
        operation = OPERATIONS[op][0]
        operands = [nodes[args[0]]] + ([nodes[args[1]] if op in NODE_OPERANDS else args[1]] if len(args) > 1 else [])
        out = operation(*operands)
        if not isinstance(out, Value):
            raise TypeError(f"{describe(step, ('a', 'b'))} returned a {type(out).__name__}, not a Value; every "
                            "operation must return a new Value (out = Value(..., (self, other)))")
        nodes.append(out)
    nodes[-1].backward()
    return {"data": [float(node.data) for node in nodes], "grad": [float(node.grad) for node in nodes]}


def random_graph(seed, n_leaves=3, n_steps=14):
    """A random expression graph ``(leaves, program)`` whose values stay finite and in every op's domain.

    Each node keeps a bound on its size (and, for ``exp`` nodes, a lower bound above 0) so that
    divisions, negative and fractional powers only ever see positive numbers away from 0. Nodes no
    later step uses are added into the output at the end, so every node has a gradient to check.
    """
    rng = np.random.default_rng(seed)
    leaves = [round(float(v), 3) for v in rng.uniform(-1.5, 1.5, n_leaves)]
    size = [1.5] * n_leaves  # |value| <= size
    low = [0.0] * n_leaves  # value >= low > 0 for exp nodes, else 0 (unknown sign)
    used = [False] * n_leaves
    program = []

    def push(step, bound, positive_low=0.0):
        program.append(step)
        size.append(bound)
        low.append(positive_low)
        used.append(False)
        for index in step[1:2] + ([step[2]] if step[0] in NODE_OPERANDS else []):
            used[index] = True

    for _ in range(n_steps):
        n = len(size)
        i = int(rng.integers(max(0, n - 4), n))  # mostly recent nodes: deep graphs
        j = int(rng.integers(0, n))  # any node: fan-out
        positive = [k for k in range(n) if low[k] > 0]
        c = round(float(rng.choice([-1, 1]) * rng.uniform(0.5, 2.0)), 2)
        op = str(rng.choice(["add", "sub", "mul", "div", "addc", "radd", "subc", "mulc", "rmul", "divc",
                             "pow", "neg", "tanh", "exp"]))
        if size[i] > 6 or (op == "exp" and size[i] > 2.5):
            push(["tanh", i], 1.0)
        elif op in ("add", "sub"):
            push([op, i, j], size[i] + size[j])
        elif op == "mul" and size[i] * size[j] <= 12:
            push([op, i, j], size[i] * size[j])
        elif op == "div" and positive:
            j = positive[int(rng.integers(0, len(positive)))]
            push([op, i, j], size[i] / low[j])
        elif op in ("addc", "radd", "subc"):
            push([op, i, c], size[i] + abs(c))
        elif op in ("mulc", "rmul"):
            push([op, i, c], size[i] * abs(c))
        elif op == "divc":
            push([op, i, c], size[i] / abs(c))
        elif op == "pow" and low[i] > 0:
            n_exp = float(rng.choice([-1.0, 0.5, 2.0]))
            push([op, i, n_exp], size[i] ** n_exp if n_exp > 0 else 1 / low[i], low[i] ** n_exp if n_exp > 0 else 0.0)
        elif op == "pow" and size[i] <= 2.5:
            n_exp = float(rng.choice([2.0, 3.0]))
            push([op, i, n_exp], size[i] ** n_exp)
        elif op == "exp":
            push([op, i], math.exp(size[i]), math.exp(-size[i]))
        elif op == "neg":
            push([op, i], size[i])
        else:
            push(["tanh", i], 1.0)
    dangling = [index for index in range(len(size) - 1) if not used[index]]
    for index in dangling:
        push(["add", len(size) - 1, index], size[-1] + size[index])
    return leaves, program


# --- single operations ------------------------------------------------------------------------
LEAVES = [0.7, -1.3]  # x, y: off every special point (x > 0 for x ** 0.5, y != 0 for division)
SINGLE_STEPS = [["add", 0, 1], ["addc", 0, 2.5], ["radd", 0, 2.5], ["mul", 0, 1], ["mulc", 0, 3.0],
                ["rmul", 0, 3.0], ["pow", 0, 2.0], ["pow", 0, 3.0], ["pow", 0, -1.0], ["pow", 0, 0.5], ["neg", 0],
                ["sub", 0, 1], ["subc", 0, 2.0], ["div", 0, 1], ["divc", 0, 4.0], ["tanh", 0], ["exp", 0]]
UPSTREAM = 2.5  # the scaled graphs multiply each result by this number: out.grad = 2.5


def scaled(step):
    """The program ``[step, node * 2.5]``: the step's node gets the gradient 2.5 from above."""
    return [step, ["mulc", 2, UPSTREAM]]


def _new_values(Value, runner):
    expect_callable("Value", Value)
    expect_callable("run_graph", runner)


def check_forward(Value, runner):
    """The value of every operation, with Values and plain numbers on either side."""
    _new_values(Value, runner)
    stored = numbers("ex16-forward")["data"]
    for step, expected in zip(SINGLE_STEPS, stored):
        what = f"the value of {describe(step)} with x = 0.7, y = -1.3"
        result = runner(Value, LEAVES, [step])
        if not np.allclose(result["data"][:2], LEAVES):
            fail(f"{describe(step)} changed the value of its input x or y; an operation builds a new Value "
                 "and leaves its inputs alone")
        expect_close(what, result["data"][2], expected)


# Plain words for the slips stored (in the same order) by solutions/references/ex16.py.
MUL_SWAPPED = "swapped the factors: d(x y)/dx = y and d(x y)/dy = x"
LOCAL_SLIPS = {
    "mul": (MUL_SWAPPED, MUL_SWAPPED, MUL_SWAPPED, "passed out.grad on without the other factor"),
    "mulc": (MUL_SWAPPED, "passed out.grad on without the other factor"),
    "rmul": (MUL_SWAPPED, "passed out.grad on without the other factor"),
    "pow": ("forgot the -1 in the exponent (n x**n)", "forgot the factor n (x**(n-1))"),
    "sub": ("forgot the minus in d(x - y)/dy",),
    "div": ("got the sign of d(x / y)/dy wrong", "forgot the factor x in d(x / y)/dy"),
    "tanh": ("wrote 1 - tanh(x) instead of 1 - tanh(x)**2", "used the input: 1 - x**2 instead of 1 - tanh(x)**2"),
    "exp": ("passed out.grad on without the local derivative e**x", "used x * e**(x-1), the power rule, for e**x"),
}


def _local_gradient_problem(Value, runner, index, stored):
    """Plain words for what is wrong with the gradients of SINGLE_STEPS[index] alone, or None."""
    step, expected = SINGLE_STEPS[index], stored["grad"][index]
    grads = np.array(runner(Value, LEAVES, [step])["grad"][:2])
    if np.allclose(grads, expected, rtol=1e-6, atol=1e-9):
        return None
    what = f"the gradients (dx, dy) of {describe(step)} at x = 0.7, y = -1.3"
    shown = f"expected {np.round(expected, 6).tolist()}, got {np.round(grads, 6).tolist()}"
    for slip, words in zip(stored["slips"][index], LOCAL_SLIPS.get(step[0], ())):
        if np.allclose(grads, slip, rtol=1e-6, atol=1e-9):
            return f"{what}: {shown}; you {words}"
    if not np.any(grads) and np.any(expected):
        return (f"{what}: {shown}; no gradient reached the inputs. Does the new Value remember its inputs "
                "(children), does the operation set out._backward, and does backward() call it?")
    return (f"{what}: {shown}. Likely cause: derive d(out)/d(input) of this operation again; if you built it from "
            "other operations (x - y as x + (-y)), check those, and the order of backward() (ex16-topological)")


def _operations_needed(Value, runner, ops):
    """Fail first, in plain words, if an operation this test builds on is still wrong."""
    stored = numbers("ex16-local-gradients")
    for index, step in enumerate(SINGLE_STEPS):
        if step[0] in ops:
            problem = _local_gradient_problem(Value, runner, index, stored)
            if problem is not None:
                fail(f"this test builds on {', '.join(sorted(ops))}, and one of them is wrong (see "
                     f"ex16-local-gradients): {problem}")


def check_local_gradients(Value, runner):
    """d(out)/d(input) of every operation, alone (out.grad = 1) and below a factor 2.5 (out.grad = 2.5)."""
    _new_values(Value, runner)
    stored = numbers("ex16-local-gradients")
    for index in range(len(SINGLE_STEPS)):
        problem = _local_gradient_problem(Value, runner, index, stored)
        if problem is not None:
            fail(problem)
    for step, expected in zip(SINGLE_STEPS, stored["scaled"]):
        grads = np.array(runner(Value, LEAVES, scaled(step))["grad"][:2])
        what = f"the gradients (dx, dy) of 2.5 * ({describe(step)}) at x = 0.7, y = -1.3"
        if np.allclose(grads * UPSTREAM, expected) and not np.allclose(grads, expected):
            fail(f"{what}: yours are 2.5 times too small; multiply the local derivative by out.grad (the chain "
                 "rule): here out.grad = 2.5")
        expect_array(what, grads, expected, hint="self.grad += (local derivative) * out.grad")


FAN_OUT = [([0.7], [["mul", 0, 0]], "x * x"), ([0.7], [["add", 0, 0]], "x + x"),
           ([2.0, 1.0], [["add", 0, 1], ["addc", 1, 1.0], ["mul", 2, 3]], "e = (a + b)(b + 1) at a = 2, b = 1"),
           ([0.5, -0.4], [["mul", 0, 1], ["tanh", 0], ["add", 2, 3], ["mul", 4, 0]],
            "x * y + tanh(x), times x again, at x = 0.5, y = -0.4")]


def check_fan_out(Value, runner):
    """A node used by several others collects the sum of their contributions (+=)."""
    _new_values(Value, runner)
    _operations_needed(Value, runner, {"add", "addc", "mul", "tanh"})
    stored = numbers("ex16-fan-out")
    for (leaves, program, name), expected, overwritten in zip(FAN_OUT, stored["grad"], stored["overwritten"]):
        grads = np.array(runner(Value, leaves, program)["grad"][:len(leaves)])
        what = f"the gradients of the inputs of {name}"
        if not np.allclose(grads, expected) and any(np.allclose(grads, wrong) for wrong in overwritten):
            fail(f"{what}: expected {np.round(expected, 6).tolist()}, got {np.round(grads, 6).tolist()}: one "
                 "path's contribution replaced the other's. A node used twice receives a gradient from each "
                 "use; add them up with self.grad += ..., never self.grad = ...")
        expect_array(what, grads, expected, hint="every use of a node adds its contribution to node.grad (+=)")


ORDER_GRAPH = ([0.5], [["mulc", 0, 2.0], ["tanh", 1], ["mul", 1, 2], ["add", 3, 1], ["mul", 4, 2]])
CHAIN_LENGTH = 3000


def deep_chain():
    """A chain of 3000 steps x -> x * 1.0005 -> ... : deeper than Python's recursion limit (1000)."""
    return [0.3], [["mulc", k, 1.0005] for k in range(CHAIN_LENGTH)]


def check_topological(Value, runner):
    """backward() visits every node after all nodes that use it, also on a chain of 3000 nodes."""
    _new_values(Value, runner)
    _operations_needed(Value, runner, {"add", "mul", "mulc", "tanh"})
    stored = numbers("ex16-topological")
    leaves, program = ORDER_GRAPH
    grads = np.array(runner(Value, leaves, program)["grad"])
    what = "the gradients of a = 2x, b = tanh(a), c = a b, d = c + a, e = d b at x = 0.5 (x, a, b, c, d, e)"
    if np.allclose(grads, stored["leaves_first"]):
        fail(f"{what}: these are the gradients of a backward pass that visits the nodes leaves first; visit "
             "them in REVERSE topological order (the output first), so each node passes on its gradient only "
             "after every node that uses it has added its share")
    if any(np.allclose(grads, wrong) for wrong in stored["depth_first"]):
        fail(f"{what}: these are the gradients of a backward pass that passes a node's gradient on as soon as it "
             "is reached from one of its users (a depth-first walk without a topological sort); sort the nodes "
             "topologically first, then call _backward() once per node in reverse order")
    expect_array(what, grads, stored["grad"], hint="each node must pass its gradient on once, after all nodes "
                 "that use it have added their share: reverse topological order")
    leaves, program = deep_chain()
    try:
        result = runner(Value, leaves, program)
    except RecursionError:
        fail("backward() on a chain of 3000 nodes raised RecursionError: a recursive topological sort goes "
             "deeper than Python's recursion limit (1000); build the order with a loop and an explicit stack "
             "(a list of nodes still to visit)")
    expect_close("d(out)/dx on the chain of 3000 steps x * 1.0005", result["grad"][0], stored["chain_grad"])


def _graph_text(leaves, program):
    """``v0 = 0.035, ..., v3 = v2 + -1.13, ...``: a random graph in words."""
    names = [f"v{k}" for k in range(len(leaves) + len(program))]
    lines = [f"{names[k]} = {value:g}" for k, value in enumerate(leaves)]
    lines += [f"{names[len(leaves) + k]} = {describe(step, names)}" for k, step in enumerate(program)]
    return lines


def check_graphs(Value, runner):
    """Random expression graphs (every operation, fan-out, depth): values and gradients of every node."""
    _new_values(Value, runner)
    stored = numbers("ex16-graphs")
    for seed, data, grad in zip(stored["seeds"], stored["data"], stored["grad"]):
        leaves, program = random_graph(seed)
        result = runner(Value, leaves, program)
        lines = _graph_text(leaves, program)
        what = f"random graph {seed}"
        graph = f"The graph: {'; '.join(lines)}."
        got = np.array(result["data"])
        wrong = np.flatnonzero(~np.isclose(got, data, rtol=1e-6, atol=1e-9))
        if wrong.size:
            k = int(wrong[0])
            fail(f"{what}: the first wrong value is {lines[k]}: expected {data[k]:.6g}, got {got[k]:.6g}. {graph}")
        got = np.array(result["grad"])
        wrong = np.flatnonzero(~np.isclose(got, grad, rtol=1e-6, atol=1e-9))
        if wrong.size:
            k = int(wrong[-1])  # gradients flow from the output back: the last wrong node is where it starts
            users = [lines[len(leaves) + n] for n, step in enumerate(program)
                     if k in (step[1:2] + ([step[2]] if step[0] in NODE_OPERANDS else []))]
            fail(f"{what}: counting back from the output, the first wrong gradient is that of v{k}: expected "
                 f"{grad[k]:.6g}, got {got[k]:.6g}. v{k} is used by {'; '.join(users)}: check the backward "
                 f"of these operations (and that each use adds its share). {graph}")


MLP_SHAPES = [(2, [16, 16, 1]), (3, [4, 4, 1]), (1, [1]), (5, [3, 2])]
MLP_INPUT = [0.5, -1.0]
MLP_WEIGHTS = [0.3, -0.5, 0.1, 0.8, 0.2, -0.3, -0.6, 0.4, 0.2, 0.7, -0.9, 0.5, 0.05]  # in parameters() order


def check_mlp(Neuron, Layer, MLP):
    """Parameter counts, the order of parameters() and the forward pass of an MLP with set weights."""
    for name, obj in (("Neuron", Neuron), ("Layer", Layer), ("MLP", MLP)):
        expect_callable(name, obj)
    stored = numbers("ex16-mlp")
    got = len(Neuron(3, rng=0).parameters())
    if got == stored["neuron_count"] - 1:
        fail(f"len(Neuron(3).parameters()) = {got}, expected {stored['neuron_count']}: the bias is missing; "
             "parameters() lists the n_in weights and then the bias")
    expect_equal("len(Neuron(3).parameters())", got, stored["neuron_count"])
    expect_equal("len(Layer(3, 4).parameters())", len(Layer(3, 4, rng=0).parameters()), stored["layer_count"])
    for (n_in, sizes), count, without_bias in zip(MLP_SHAPES, stored["counts"], stored["without_bias"]):
        got = len(MLP(n_in, sizes, rng=0).parameters())
        if got == without_bias and got != count:
            fail(f"len(MLP({n_in}, {sizes}).parameters()) = {got}, expected {count}: the biases are missing; "
                 "each neuron has n_in weights and one bias")
        expect_equal(f"len(MLP({n_in}, {sizes}).parameters())", got, count)
    model = MLP(2, [3, 1], rng=0)
    params = model.parameters()
    if len(params) != len(MLP_WEIGHTS):
        fail(f"MLP(2, [3, 1]).parameters() has {len(params)} entries, expected {len(MLP_WEIGHTS)}")
    for p, value in zip(params, MLP_WEIGHTS):
        p.data = float(value)
    out = model(list(MLP_INPUT))
    what = "MLP(2, [3, 1]) with the weights MLP_WEIGHTS set through parameters(), at x = (0.5, -1)"
    if isinstance(out, (list, tuple)):
        fail(f"{what}: returned a list of {len(out)}; with one output neuron, return the Value itself")
    got = float(out.data)
    if np.isclose(got, stored["tanh_output"]):
        fail(f"{what}: the last layer applies tanh; keep the last layer linear (nonlinear=False), so its "
             "output is a score of any size")
    if np.isclose(got, stored["bias_first"]):
        fail(f"{what}: your parameters() lists each bias before the weights; list w1, ..., wn, then b")
    expect_close(f"the output of {what}", got, stored["output"],
                 hint="hidden neurons: tanh(w . x + b); the last layer: w . h + b without tanh")


STEP_X = [[0.5, -1.0], [-0.3, 0.8], [1.2, 0.1], [0.0, -0.6]]
STEP_Y = [1.0, -1.0, 1.0, -1.0]
STEP_LR = 0.1
STEP_START = [0.2, -0.4, 0.1, 0.5, 0.3, -0.2, -0.3, 0.6, 0.0, 0.4, -0.7, 0.3, 0.1]  # in parameters() order


def _parameter_values(params):
    return np.array([float(p.data) for p in params])


def check_step(Value, MLP, sgd_step, runner):
    """Two steps of gradient descent on the mean squared error: zero the gradients, backward, update."""
    expect_callable("sgd_step", sgd_step)
    _operations_needed(Value, runner, {"add", "addc", "radd", "mul", "mulc", "rmul", "pow", "neg", "sub", "subc",
                                       "tanh"})
    stored = numbers("ex16-step")
    model = MLP(2, [3, 1], rng=0)
    params = model.parameters()
    if len(params) != len(STEP_START):
        fail(f"MLP(2, [3, 1]).parameters() has {len(params)} entries, expected {len(STEP_START)}; fix ex16-mlp first")
    for p, value in zip(params, STEP_START):
        p.data = float(value)
    for step, (expected, loss) in enumerate(zip(stored["after"], stored["loss"]), start=1):
        got_loss = sgd_step(model, [list(x) for x in STEP_X], list(STEP_Y), STEP_LR)
        what = f"the parameters after step {step} of sgd_step (lr = 0.1, 4 points)"
        got = _parameter_values(params)
        if step == 2 and np.allclose(got, stored["not_zeroed"]):
            fail(f"{what}: the second step used the gradients of both steps added up; set every parameter's "
                 "grad to 0 before backward() (gradients accumulate with +=)")
        if np.allclose(got - stored["before"][step - 1], -(expected - stored["before"][step - 1])):
            fail(f"{what}: the parameters moved uphill; gradient descent subtracts lr * grad")
        expect_array(f"the change of {what}", got - stored["before"][step - 1],
                     expected - stored["before"][step - 1], batch_size=len(STEP_Y),
                     hint="loss = mean over the points of (model(x) - y)**2; p.data -= lr * p.grad")
        expect_close(f"the loss returned by step {step} (before its update)", got_loss, loss,
                     batch_size=len(STEP_Y))


MOONS_TRAIN, MOONS_TEST, MOONS_NOISE = 100, 200, 0.1
MIN_ACCURACY, MAX_SECONDS = 0.9, 20.0


def moons_split(seed):
    """100 training and 200 held-out points of the two moons (noise 0.1), drawn with ``seed``."""
    from nnlib.datasets import make_moons  # the grader's copy; the item runs outside the notebook

    X, y = make_moons(MOONS_TRAIN + MOONS_TEST, noise=MOONS_NOISE, rng=seed)
    return X[:MOONS_TRAIN], y[:MOONS_TRAIN], X[MOONS_TRAIN:], y[MOONS_TRAIN:]


def moons_accuracy(model, X, y):
    """The share of points whose score model(x) has the sign of the class (+ for 1, - for 0)."""
    scores = []
    for x in X:
        out = model([float(v) for v in x])
        scores.append(float(out.data))
    return float(np.mean((np.array(scores) > 0) == (y == 1)))


def check_train(train_moons):
    """train_moons(X, y, rng) returns an MLP that classifies 200 held-out moons points."""
    expect_callable("train_moons", train_moons)
    X, y, X_test, y_test = moons_split(seed=11)
    start = time.monotonic()
    model = train_moons(X, y, np.random.default_rng(0))
    seconds = time.monotonic() - start
    if model is None:
        fail("train_moons returned None; return the trained MLP")
    if seconds > MAX_SECONDS:
        fail(f"train_moons took {seconds:.0f} s, more than {MAX_SECONDS:.0f} s; use fewer epochs or a smaller "
             "network (an MLP(2, [8, 1]) with mini-batches of 10 needs a few seconds)")
    accuracy = moons_accuracy(model, X_test, y_test)
    if accuracy < MIN_ACCURACY:
        fail(f"your trained MLP classifies {accuracy:.0%} of 200 held-out points correctly, at least "
             f"{MIN_ACCURACY:.0%} are needed. Print the loss every epoch: if it goes up and down wildly, zero "
             "the gradients before every backward() and lower the learning rate; if it barely moves, raise the "
             "learning rate or train longer; a score > 0 must mean class 1")


ITEMS = {
    "ex16-forward": Item(check_forward, title="the value of every operation", hidden=1, numpy_only=True),
    "ex16-local-gradients": Item(check_local_gradients, title="derive it: local derivatives of every operation",
                                 hidden=1, numpy_only=True),
    "ex16-fan-out": Item(check_fan_out, title="fan-out: gradients add up", hidden=1, numpy_only=True),
    "ex16-topological": Item(check_topological, title="backward in reverse topological order, deep chains",
                             hidden=1, numpy_only=True),
    "ex16-graphs": Item(check_graphs, title="random expression graphs", hidden=2, numpy_only=True),
    "ex16-mlp": Item(check_mlp, title="neuron, layer and MLP", hidden=1, numpy_only=True),
    "ex16-step": Item(check_step, title="a gradient-descent step with zeroed gradients", hidden=1, numpy_only=True),
    "ex16-train": Item(check_train, title="an MLP trained on the two moons", hidden=1, numpy_only=True),
}
