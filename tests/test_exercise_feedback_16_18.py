"""The visible tests of exercises 16-18 recognise the slips they promise to name.

Each case runs the solution notebook's own answer code with one typical slip planted in its text
(``planted``), or the broken set-ups of exercise 17 exactly as the notebook shows them, through an
item's visible tests, and expects the plain-words diagnosis. The unchanged answers pass (the solution
notebooks' committed outputs and tests/test_exercises.py show it under the real grader too).
"""

import json
import math
from pathlib import Path

import numpy as np
import pytest

from nncourse.grading.checking import run_item
from nncourse.grading.items.ex16 import run_graph

SOLUTIONS = Path(__file__).resolve().parent.parent / "solutions"


def cell_sources(name):
    """{cell id: source} of a solution notebook."""
    notebook = json.loads((SOLUTIONS / name).read_text(encoding="utf-8"))
    return {cell["id"]: "".join(cell["source"]) for cell in notebook["cells"]}


EX16 = cell_sources("ex16_build_your_own_autodiff.ipynb")
EX17 = cell_sources("ex17_debugging_training.ipynb")
EX18 = cell_sources("ex18_capstone_digits.ipynb")


def planted(sources, cell_ids, slips=(), names=None):
    """Run the cells ``cell_ids`` with each ``(old, new)`` of ``slips`` replaced in their text; return the names."""
    namespace = {"np": np, "math": math, **(names or {})}
    texts = [sources[cell_id] for cell_id in cell_ids]
    for old, new in slips:
        assert any(old in text for text in texts), f"the slip's text {old!r} is not in the cells {cell_ids}"
        texts = [text.replace(old, new) for text in texts]
    for cell_id, text in zip(cell_ids, texts):
        exec(compile(text, f"<{cell_id}>", "exec"), namespace)  # noqa: S102 (the course's own solution cells)
    return namespace


def expect_words(item_id, objects, *words):
    verdict = run_item(item_id, *objects)
    assert not verdict.passed, f"{item_id} accepted a wrong answer"
    for word in words:
        assert word in verdict.message, verdict.message


def passes(item_id, *objects):
    verdict = run_item(item_id, *objects)
    assert verdict.passed, verdict.message


# ----------------------------------------------------------------------------------------- exercise 16

def autodiff(*slips):
    """The solution's Value, Neuron, Layer, MLP and sgd_step with ``slips`` planted."""
    return planted(EX16, ["ex16-forward-answer", "ex16-mlp-answer", "ex16-step-answer"], slips)


def test_ex16_solution_passes_the_graph_items():
    ns = autodiff()
    for item_id in ("ex16-forward", "ex16-local-gradients", "ex16-fan-out", "ex16-topological", "ex16-graphs"):
        passes(item_id, ns["Value"], run_graph)
    passes("ex16-mlp", ns["Neuron"], ns["Layer"], ns["MLP"])
    passes("ex16-step", ns["Value"], ns["MLP"], ns["sgd_step"], run_graph)


@pytest.mark.parametrize("item_id, slip, words", [
    ("ex16-local-gradients", ("(1.0 - t * t) * out.grad", "(1.0 - t) * out.grad"),
     ["tanh(x)", "1 - tanh(x) instead of 1 - tanh(x)**2"]),
    ("ex16-local-gradients", ("n * self.data ** (n - 1) * out.grad", "n * self.data ** n * out.grad"),
     ["forgot the -1 in the exponent"]),
    ("ex16-local-gradients", ("self.grad += other.data * out.grad", "self.grad += self.data * out.grad"),
     ["swapped the factors"]),
    ("ex16-local-gradients", ("self.grad += e * out.grad", "self.grad += e"), ["2.5 times too small", "out.grad"]),
    ("ex16-local-gradients", ("out._backward = _backward\n        return out", "return out"),
     ["no gradient reached the inputs"]),
    ("ex16-forward", ("Value(self.data * other.data, (self, other)", "Value(self.data + other.data, (self, other)"),
     ["the value of x * y"]),
    ("ex16-fan-out", ("grad += ", "grad = "), ["replaced the other's", "+="]),
    ("ex16-topological", ("for node in reversed(order):", "for node in order:"), ["REVERSE topological order"]),
    ("ex16-graphs", ("self.grad += e * out.grad", "self.grad += math.exp(self.data - 1.0) * out.grad"),
     ["the first wrong gradient is that of v", "The graph: v0 ="]),
])
def test_ex16_value_slips(item_id, slip, words):
    expect_words(item_id, (autodiff(slip)["Value"], run_graph), *words)


RECURSIVE_BACKWARD = """        order, seen = [], set()

        def visit(node):
            if node not in seen:
                seen.add(node)
                for child in node.children:
                    visit(child)
                order.append(node)

        visit(self)
        self.grad = 1.0
        for node in reversed(order):
            node._backward()
"""


def test_ex16_recursive_topological_sort_is_named():
    start = EX16["ex16-forward-answer"].index("        order, visited = [], set()")
    end = EX16["ex16-forward-answer"].index("        ### END SOLUTION", start)
    slip = (EX16["ex16-forward-answer"][start:end], RECURSIVE_BACKWARD)
    expect_words("ex16-topological", (autodiff(slip)["Value"], run_graph), "RecursionError", "explicit stack")


@pytest.mark.parametrize("slip, words", [
    (("nonlinear=k < len(sizes) - 1", "nonlinear=True"), ["the last layer applies tanh"]),
    (("return self.w + [self.b]", "return [self.b] + self.w"), ["lists each bias before the weights"]),
    (("return self.w + [self.b]", "return self.w"), ["the bias is missing"]),
])
def test_ex16_mlp_slips(slip, words):
    ns = autodiff(slip)
    expect_words("ex16-mlp", (ns["Neuron"], ns["Layer"], ns["MLP"]), *words)


@pytest.mark.parametrize("slip, words", [
    (("        p.grad = 0.0  ", "        pass  "), ["set every parameter's grad to 0"]),
    (("p.data -= lr * p.grad", "p.data += lr * p.grad"), ["moved uphill"]),
    (("loss = loss * (1.0 / len(ys))", "loss = loss * 1.0"), ["4 times"]),
])
def test_ex16_step_slips(slip, words):
    ns = autodiff(slip)
    expect_words("ex16-step", (ns["Value"], ns["MLP"], ns["sgd_step"], run_graph), *words)


def test_ex16_untrained_moons_model_is_told_what_it_reached():
    ns = autodiff()
    expect_words("ex16-train", (lambda X, y, rng: ns["MLP"](2, [8, 1], rng=rng),),
                 "of 200 held-out points correctly, at least 90% are needed")
    expect_words("ex16-train", (lambda X, y, rng: None,), "returned None")


# ----------------------------------------------------------------------------------------- exercise 17

@pytest.fixture(scope="module")
def ex17():
    """The notebook's tools and its seven broken set-ups, exactly as the students see them."""
    from nnlib import CrossEntropyLoss, Linear, ReLU, Sequential, Softmax, fit, optim

    names = {"CrossEntropyLoss": CrossEntropyLoss, "Linear": Linear, "ReLU": ReLU, "Sequential": Sequential,
             "Softmax": Softmax, "fit": fit, "optim": optim}
    cells = ["ex17-c04"] + [f"ex17-s{k}-broken" for k in range(1, 8)]
    return planted(EX17, cells, names=names)


@pytest.mark.parametrize("number, words", [
    (1, ["at least 95% are needed", "column of ones"]),
    (2, ["softmax is applied twice"]),
    (4, ["chance level", "its own label"]),
    (5, ["learning rate is too large"]),
    (6, ["never leaves log 10", "Draw the weights at random"]),
    (7, ["set to zero before every backward pass"]),
])
def test_ex17_each_broken_setup_fails_with_its_bug_named(ex17, number, words):
    expect_words(f"ex17-setup-{number}", (ex17[f"broken_setup_{number}"],), *words)


def test_ex17_setup_3_names_the_missing_sigma_prime(ex17):
    expect_words("ex17-setup-3", (ex17["broken_gradients_3"], ex17["broken_setup_3"]),
                 "without the factor sigma'(z1)")


def test_ex17_repaired_setups_pass():
    ns = planted(EX17, ["ex17-c04", "ex17-setup-3-answer", "ex17-setup-6-answer"])
    passes("ex17-setup-3", ns["gradients_3"], ns["train_setup_3"])
    passes("ex17-setup-6", ns["train_setup_6"])


@pytest.mark.parametrize("answer, words", [
    ("c, e", ["too large makes bad steps with correct gradients"]),
    ("a", ["bias column"]),
    ("c, g", ["only shows from the second step on"]),
])
def test_ex17_quiz_explains_wrong_choices(answer, words):
    expect_words("ex17-quiz-gradcheck", (lambda: answer,), *words)


# ----------------------------------------------------------------------------------------- exercise 18

EX18_ANSWERS = ["ex18-forward-answer", "ex18-loss-answer", "ex18-backward-answer", "ex18-init-answer",
                "ex18-train-epoch-answer", "ex18-lr-search-answer", "ex18-early-stopping-answer"]


def capstone(*slips):
    """The solution's numpy MLP (parts 1-7) with ``slips`` planted."""
    return planted(EX18, EX18_ANSWERS, slips)


def test_ex18_solution_passes_the_quick_items():
    ns = capstone()
    passes("ex18-forward", ns["forward"], ns["predict"])
    passes("ex18-loss", ns["softmax_cross_entropy"])
    passes("ex18-backward", ns["backward"])
    passes("ex18-init", ns["init_params"], ns["forward"], ns["softmax_cross_entropy"])
    passes("ex18-train-epoch", ns["train_epoch"])


@pytest.mark.parametrize("item_id, slip, words", [
    ("ex18-forward", ("A1 = np.maximum(Z1, 0.0)", "A1 = Z1"), ["without the ReLU"]),
    ("ex18-forward", ("scores = A1 @ params[\"W2\"].T + params[\"b2\"]", "scores = A1 @ params[\"W2\"].T"),
     ["bias"]),
    ("ex18-loss", ("dscores[np.arange(N), y] -= 1.0", "pass"), ["subtract 1 at the label's column"]),
    ("ex18-loss", ("return float(loss), dscores / N", "return float(loss), dscores"), ["4 times"]),
    ("ex18-loss", ("shifted = scores - scores.max(axis=1, keepdims=True)", "shifted = scores"),
     ["subtract each row's largest score"]),
    ("ex18-backward", ("delta1 = (dscores @ params[\"W2\"]) * (Z1 > 0)", "delta1 = dscores @ params[\"W2\"]"),
     ["without ReLU's derivative"]),
    ("ex18-backward", ("dW2 = dscores.T @ A1", "dW2 = -(dscores.T @ A1)"), ["W2", "sign"]),
    ("ex18-init", ("W2 = 0.01 * rng.normal", "W2 = rng.normal"), ["log 10", "scale them down"]),
    ("ex18-init", ("np.sqrt(2.0 / n_in), (n_hidden, n_in)", "np.sqrt(1.0 / n_in), (n_hidden, n_in)"),
     ["He initialisation", "2 / fan-in"]),
    ("ex18-train-epoch", ("order = rng.permutation(len(X))", "order = np.arange(len(X))"), ["rng.permutation"]),
    ("ex18-train-epoch", ("return total / len(X)", "return total / len(X) * 0.0 + np.mean(batch_losses)"),
     ["weight each batch's loss by its size"]),
    ("ex18-train-epoch", ("for name in params:\n            params[name] -= lr * grads[name]",
                          "params = {name: params[name] - lr * grads[name] for name in params}"),
     ["params did not change", "in place"]),
])
@pytest.mark.filterwarnings("ignore:overflow encountered in exp:RuntimeWarning")  # the unshifted softmax
def test_ex18_slips(item_id, slip, words):
    ns = capstone(slip, ("        total += loss * len(batch)",
                         "        total += loss * len(batch)\n        batch_losses.append(loss)"),
                  ("    total = 0.0\n", "    total = 0.0\n    batch_losses = []\n"))
    objects = {"ex18-forward": ("forward", "predict"), "ex18-loss": ("softmax_cross_entropy",),
               "ex18-backward": ("backward",), "ex18-init": ("init_params", "forward", "softmax_cross_entropy"),
               "ex18-train-epoch": ("train_epoch",)}[item_id]
    expect_words(item_id, tuple(ns[name] for name in objects), *words)


def test_ex18_training_slips_are_named():
    same_rate = capstone(("train_epoch(params, X_train, y_train, lr, 32, rng)",
                          "train_epoch(params, X_train, y_train, lrs[0], 32, rng)"))
    expect_words("ex18-lr-search", (same_rate["lr_search"],), "Does every trial start from a fresh network")
    last_weights = capstone(("best, best_params = epoch, {name: value.copy() for name, value in params.items()}",
                             "best, best_params = epoch, params"))
    expect_words("ex18-early-stopping", (last_weights["train_mlp"], last_weights["predict"]),
                 "return a copy of the weights of the best epoch")
    one_epoch = capstone(("for epoch in range(1, 101):", "for epoch in range(1, 2):"))
    expect_words("ex18-test-accuracy", (one_epoch["train_mlp"], one_epoch["predict"]), "at least 95% are needed")


def test_ex18_written_part_wants_a_text():
    expect_words("ex18-written", (lambda: "The CNN won.",), "write at least 80")
    expect_words("ex18-written", (lambda: None,), "as a string")
    passes("ex18-written", lambda: " ".join(["word"] * 120))
