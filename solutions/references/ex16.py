"""Reference answers behind the stored numbers of exercise 16 (instructor side only).

Correct values and gradients come from ``nnlib.autodiff.Value`` run through the item file's own
``run_graph``. The recognised slips (a gradient overwritten instead of accumulated, a backward pass
in the wrong order) come from :class:`Node`, a small autodiff written here that can make them on
purpose; slips of single operations are written out as formulas.
"""

import math

import numpy as np

from nncourse.grading.items import ex16 as items
from nnlib.autodiff import Value


class Node:
    """A scalar node that stores its local derivatives at forward time: ``inputs = [(node, d out/d node)]``."""

    def __init__(self, data, inputs=()):
        self.data = float(data)
        self.grad = 0.0
        self.inputs = list(inputs)


STEP_RULES = {
    "add": lambda a, b: Node(a.data + b.data, [(a, 1.0), (b, 1.0)]),
    "sub": lambda a, b: Node(a.data - b.data, [(a, 1.0), (b, -1.0)]),
    "mul": lambda a, b: Node(a.data * b.data, [(a, b.data), (b, a.data)]),
    "addc": lambda a, c: Node(a.data + c, [(a, 1.0)]),
    "mulc": lambda a, c: Node(a.data * c, [(a, c)]),
    "tanh": lambda a: Node(math.tanh(a.data), [(a, 1.0 - math.tanh(a.data) ** 2)]),
}


def build(leaves, program):
    """The nodes of a graph built with :class:`Node` (only the operations the slip graphs use)."""
    nodes = [Node(x) for x in leaves]
    for op, *args in program:
        operands = [nodes[args[0]]] + ([nodes[args[1]] if op in items.NODE_OPERANDS else args[1]]
                                       if len(args) > 1 else [])
        nodes.append(STEP_RULES[op](*operands))
    return nodes


def topological(root):
    """Inputs first, ``root`` last (depth-first, children in order)."""
    order, seen = [], set()

    def visit(node):
        if id(node) in seen:
            return
        seen.add(id(node))
        for child, _ in node.inputs:
            visit(child)
        order.append(node)

    visit(root)
    return order


def pass_on(node, accumulate):
    for child, local in node.inputs:
        if accumulate:
            child.grad += local * node.grad
        else:
            child.grad = local * node.grad


def backward_overwriting(nodes):
    """Reverse topological order, but ``child.grad = ...`` instead of ``+=``."""
    nodes[-1].grad = 1.0
    for node in reversed(topological(nodes[-1])):
        pass_on(node, accumulate=False)
    return [node.grad for node in nodes]


def backward_overwriting_reversed_children(nodes):
    """The same slip with the inputs of every node visited in the other order."""
    for node in nodes:
        node.inputs = node.inputs[::-1]
    return backward_overwriting(nodes)


def backward_leaves_first(nodes):
    """Topological order without reversing it: inputs pass on their gradient before they have one."""
    nodes[-1].grad = 1.0
    for node in topological(nodes[-1]):
        pass_on(node, accumulate=True)
    return [node.grad for node in nodes]


def backward_depth_first(nodes):
    """The recursion ``node._backward(); for child: child.backward()`` with no topological sort."""

    def visit(node):
        pass_on(node, accumulate=True)
        for child, _ in node.inputs:
            visit(child)

    nodes[-1].grad = 1.0
    visit(nodes[-1])
    return [node.grad for node in nodes]


def backward_depth_first_stack(nodes):
    """The same with a stack: pop a node, pass its gradient on, push its inputs (no topological sort)."""
    nodes[-1].grad = 1.0
    stack = [nodes[-1]]
    while stack:
        node = stack.pop()
        pass_on(node, accumulate=True)
        stack.extend(child for child, _ in node.inputs)
    return [node.grad for node in nodes]


def reference(leaves, program):
    return items.run_graph(Value, leaves, program)


def forward_numbers():
    return {"data": [reference(items.LEAVES, [step])["data"][-1] for step in items.SINGLE_STEPS]}


def single_step_slips(step):
    """Leaf gradients (dx, dy) of the recognised slips of one operation at x = 0.7, y = -1.3."""
    x, y = items.LEAVES
    op, *args = step
    if op == "pow":
        n = args[1]
        return [[n * x ** n, 0.0], [x ** (n - 1), 0.0]]
    if op == "tanh":
        return [[1.0 - math.tanh(x), 0.0], [1.0 - x ** 2, 0.0]]
    if op == "exp":
        return [[1.0, 0.0], [x * math.exp(x - 1.0), 0.0]]
    if op == "mul":  # both factors swapped, only the first, only the second; no factor at all
        return [[x, y], [x, x], [y, y], [1.0, 1.0]]
    if op in ("mulc", "rmul"):
        return [[x, 0.0], [1.0, 0.0]]
    if op == "sub":
        return [[1.0, 1.0]]
    if op == "div":
        return [[1.0 / y, x / y ** 2], [1.0 / y, -1.0 / y ** 2]]
    return []


def local_gradient_numbers():
    grads, slips, scaled = [], [], []
    for step in items.SINGLE_STEPS:
        grads.append(np.array(reference(items.LEAVES, [step])["grad"][:2]))
        slips.append([np.array(slip) for slip in single_step_slips(step)])
        scaled.append(np.array(reference(items.LEAVES, items.scaled(step))["grad"][:2]))
    return {"grad": grads, "slips": slips, "scaled": scaled}


def fan_out_numbers():
    grads, overwritten = [], []
    for leaves, program, _ in items.FAN_OUT:
        grads.append(np.array(reference(leaves, program)["grad"][:len(leaves)]))
        overwritten.append([np.array(backward_overwriting(build(leaves, program))[:len(leaves)]),
                            np.array(backward_overwriting_reversed_children(build(leaves, program))[:len(leaves)])])
    return {"grad": grads, "overwritten": overwritten}


def topological_numbers():
    leaves, program = items.ORDER_GRAPH
    chain_leaves, chain_program = items.deep_chain()
    return {"grad": np.array(reference(leaves, program)["grad"]),
            "leaves_first": np.array(backward_leaves_first(build(leaves, program))),
            "depth_first": [np.array(backward_depth_first(build(leaves, program))),
                            np.array(backward_depth_first_stack(build(leaves, program)))],
            "chain_grad": reference(chain_leaves, chain_program)["grad"][0]}


GRAPH_SEEDS = [1, 2, 3, 4, 5]


def graph_numbers():
    results = [reference(*items.random_graph(seed)) for seed in GRAPH_SEEDS]
    return {"seeds": GRAPH_SEEDS, "data": [np.array(r["data"]) for r in results],
            "grad": [np.array(r["grad"]) for r in results]}


def mlp_output(weights, x, tanh_last=False, bias_first=False):
    """The 2-3-1 MLP's output with its 13 parameters given in parameters() order."""
    weights = np.asarray(weights, dtype=float)
    rows = weights[:9].reshape(3, 3)  # one row per hidden neuron: w1, w2, b
    last = weights[9:]  # the output neuron: w1, w2, w3, b
    if bias_first:  # the slip lists b, w1, w2: move each bias to the end
        rows, last = np.roll(rows, -1, axis=1), np.roll(last, -1)
    hidden = [math.tanh(rows[k, 0] * x[0] + rows[k, 1] * x[1] + rows[k, 2]) for k in range(3)]
    z = float(last[:3] @ np.array(hidden) + last[3])
    return math.tanh(z) if tanh_last else z


def mlp_numbers():
    def count(n_in, sizes, bias=True):
        widths = [n_in] + list(sizes)
        return sum((widths[k] + bias) * widths[k + 1] for k in range(len(sizes)))

    weights, x = items.MLP_WEIGHTS, items.MLP_INPUT
    return {"neuron_count": 4, "layer_count": 16,
            "counts": [count(n_in, sizes) for n_in, sizes in items.MLP_SHAPES],
            "without_bias": [count(n_in, sizes, bias=False) for n_in, sizes in items.MLP_SHAPES],
            "output": mlp_output(weights, x), "tanh_output": mlp_output(weights, x, tanh_last=True),
            "bias_first": mlp_output(weights, x, bias_first=True)}


def mse_and_gradient(params):
    """Mean squared error of the 2-3-1 MLP on the step item's 4 points, and its gradient, with nnlib."""
    values = [Value(float(p)) for p in params]
    loss = 0.0
    for x, y in zip(items.STEP_X, items.STEP_Y):
        hidden = [(values[3 * k] * x[0] + values[3 * k + 1] * x[1] + values[3 * k + 2]).tanh() for k in range(3)]
        score = values[9] * hidden[0] + values[10] * hidden[1] + values[11] * hidden[2] + values[12]
        loss = loss + (score - y) ** 2
    loss = loss / len(items.STEP_Y)
    loss.backward()
    return loss.data, np.array([v.grad for v in values])


def step_numbers():
    p0 = np.array(items.STEP_START, dtype=float)
    loss0, g0 = mse_and_gradient(p0)
    p1 = p0 - items.STEP_LR * g0
    loss1, g1 = mse_and_gradient(p1)
    p2 = p1 - items.STEP_LR * g1
    return {"before": [p0, p1], "after": [p1, p2], "loss": [loss0, loss1],
            "not_zeroed": p1 - items.STEP_LR * (g0 + g1)}


NUMBERS = {"ex16-forward": forward_numbers, "ex16-local-gradients": local_gradient_numbers,
           "ex16-fan-out": fan_out_numbers, "ex16-topological": topological_numbers, "ex16-graphs": graph_numbers,
           "ex16-mlp": mlp_numbers, "ex16-step": step_numbers}
QUIZZES = {}
