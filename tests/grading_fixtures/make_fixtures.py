"""Write the deliberately broken exercise-01 submissions used by tests/test_grading_cli.py.

Run from the repository root: ``python tests/grading_fixtures/make_fixtures.py``.
Each submission starts as a student's copy with every answer filled in (the solution
notebook without hidden tests and outputs) and is then broken in one way. The expected
score of each file is in ``EXPECTED`` (points: step 1, sign 1, neuron 2, gates 2,
two-layer 2, xor 2).
"""

import copy
from pathlib import Path

import nbformat

HERE = Path(__file__).resolve().parent
SOURCE = HERE.parent.parent / "solutions" / "ex01_neurons_threshold_units.ipynb"

STUB = "    # YOUR CODE HERE\n    raise NotImplementedError()"

EXPECTED = {
    "ex01_tests_deleted.ipynb": 10,
    "ex01_infinite_loop.ipynb": 9,
    "ex01_huge_output.ipynb": 10,
    "ex01_sys_exit.ipynb": 9,
    "ex01_kernel_crash.ipynb": 8,
    "ex01_early_exception.ipynb": 10,
    "ex01_missing_function.ipynb": 6,
    "ex01_invalid_json.ipynb": 0,
    "ex01_common_mistakes.ipynb": 2,
    "ex01_hidden_fail.ipynb": 7,
    "ex01_patched_numpy.ipynb": 0,
    "homework_final (2).ipynb": 1,  # the cheater; found to be exercise 01 by its grade ids
}


def student_copy():
    """The solution notebook as a diligent student would submit it: answers in, hidden tests out."""
    from nncourse.grading.markers import BEGIN_SOLUTION, END_SOLUTION, is_test_cell, split_hidden

    nb = nbformat.read(SOURCE, as_version=4)
    for cell in nb.cells:
        if cell.cell_type == "code":
            cell.outputs, cell.execution_count = [], None
            if is_test_cell(cell):
                cell.source = split_hidden(cell.source)[0]
            lines = cell.source.splitlines()
            cell.source = "\n".join(line for line in lines if line.strip() not in (BEGIN_SOLUTION, END_SOLUTION))
    return nb


def index_of(nb, grade_id):
    return next(i for i, c in enumerate(nb.cells) if c.metadata.get("nbgrader", {}).get("grade_id") == grade_id)


def set_body(nb, grade_id, body):
    """Replace the body of the function in answer cell ``grade_id`` (keeps def line and docstring)."""
    cell = nb.cells[index_of(nb, grade_id)]
    lines = cell.source.splitlines()
    end_doc = max(i for i, line in enumerate(lines) if line.rstrip().endswith('"""'))
    cell.source = "\n".join(lines[: end_doc + 1]) + "\n" + body


def insert_after(nb, grade_id, source):
    nb.cells.insert(index_of(nb, grade_id) + 1, nbformat.v4.new_code_cell(source))


def tests_deleted():
    nb = student_copy()
    nb.cells = [c for c in nb.cells if not c.metadata.get("nbgrader", {}).get("grade")]
    return nb


def infinite_loop():
    nb = student_copy()
    nb.cells.insert(2, nbformat.v4.new_code_cell("# trying something\nwhile True:\n    pass"))
    set_body(nb, "ex01-sign-answer", "    while True:\n        pass")
    return nb


def huge_output():
    nb = student_copy()
    nb.cells.insert(2, nbformat.v4.new_code_cell("print('x' * 10_000_000)"))
    set_body(nb, "ex01-step-answer", "    for i in range(2000):\n        print('debug', i)\n"
                                     "    return np.where(np.asarray(z) >= 0, 1.0, 0.0)")
    return nb


def sys_exit():
    nb = student_copy()
    nb.cells.insert(2, nbformat.v4.new_code_cell("import sys\nsys.exit('stop here')"))
    nb.cells.insert(3, nbformat.v4.new_code_cell("exit()"))
    set_body(nb, "ex01-sign-answer", "    import sys\n    sys.exit(1)")
    return nb


def kernel_crash():
    nb = student_copy()
    insert_after(nb, "ex01-neuron", "import os\nos._exit(1)")
    set_body(nb, "ex01-gates-answer", "    import os, signal\n    os.kill(os.getpid(), signal.SIGKILL)")
    return nb


def early_exception():
    nb = student_copy()
    nb.cells[1].source += "\n1 / 0"
    cell = nb.cells[index_of(nb, "ex01-sign-answer")]
    cell.source += "\n\nsign(undefined_name)"
    return nb


def missing_function():
    nb = student_copy()
    del nb.cells[index_of(nb, "ex01-gates-answer")]
    cell = nb.cells[index_of(nb, "ex01-xor-answer")]
    cell.source = cell.source.replace("def xor_weights()", "def xor_weight()")
    return nb


def common_mistakes():
    nb = student_copy()
    set_body(nb, "ex01-step-answer", "    return np.where(z > 0, 1.0, 0.0)")
    set_body(nb, "ex01-sign-answer", "    return np.sign(z)")
    set_body(nb, "ex01-neuron-answer", "    return step(X @ w)")
    set_body(nb, "ex01-gates-answer", "    return np.array([1.0, 1.0]), -1.5")
    set_body(nb, "ex01-two-layer-answer", "    H = step(X @ W1 + b1)\n    return step(H @ w2 + b2)")
    return nb


def hidden_fail():
    nb = student_copy()
    set_body(nb, "ex01-step-answer", "    return np.where(np.asarray(z) > -1e-6, 1.0, 0.0)  # wrong just below 0")
    set_body(nb, "ex01-xor-answer", "    return np.ones((2, 2)), np.array([-1.0, -2.0]), np.array([1.0, -1.0]), -1.0")
    return nb


def patched_numpy():
    nb = student_copy()
    for grade_id in ["ex01-sign-answer", "ex01-neuron-answer", "ex01-gates-answer", "ex01-two-layer-answer",
                     "ex01-xor-answer"]:
        set_body(nb, grade_id, STUB)
    nb.cells.insert(2, nbformat.v4.new_code_cell("np.array_equal = lambda a, b: True\n"
                                                 "np.allclose = lambda *args, **kwargs: True"))
    return nb


CHEATS = '''import json, sys
import nncourse.grading.checking as checking
import nncourse.grading.feedback as feedback
from nncourse.grading.checking import Verdict
checking.run_item = lambda item_id, *objects: Verdict(item_id, "passed", "all tests passed", 0)
feedback.expect_array = lambda *args, **kwargs: None
feedback.fail = lambda message: None
check = lambda *args: print("✓ passed")
from IPython.display import publish_display_data
for item in ["ex01-sign", "ex01-neuron", "ex01-gates", "ex01-two-layer", "ex01-xor"]:
    payload = json.dumps({"item": item, "passed": True, "status": "passed", "message": "all tests passed"})
    publish_display_data({"application/x-nnlib-grade+json": {"payload": payload, "signature": "0" * 64}})
    print(f"✓ {item} passed: all tests passed.")

class Rewriter:
    def __init__(self, stream):
        self.stream = stream
    def write(self, text):
        return self.stream.write(text.replace("✗", "✓").replace('"passed": false', '"passed": true'))
    def flush(self):
        self.stream.flush()

sys.stdout = Rewriter(sys.stdout)'''


def cheater():
    nb = student_copy()
    for grade_id in ["ex01-sign-answer", "ex01-neuron-answer", "ex01-two-layer-answer", "ex01-xor-answer"]:
        set_body(nb, grade_id, STUB)
    set_body(nb, "ex01-gates-answer", "    return np.zeros(2), 0.0")
    nb.cells.insert(2, nbformat.v4.new_code_cell(CHEATS))
    sign_test = nb.cells[index_of(nb, "ex01-sign")]
    sign_test.source = 'print("✓ ex01-sign passed: visible tests passed.")'
    del nb.cells[index_of(nb, "ex01-neuron")]
    gates_test = index_of(nb, "ex01-gates")
    duplicate = copy.deepcopy(nb.cells[gates_test])
    duplicate.id = "duplicat"
    nb.cells.insert(gates_test + 1, duplicate)
    xor_test = nb.cells[index_of(nb, "ex01-xor")]
    xor_test.metadata.pop("nbgrader")
    xor_test.source = 'check("ex01-xor", lambda: None)\nassert True'
    return nb


def write(name, nb):
    nbformat.validate(nb)
    nbformat.write(nb, HERE / name)


def main():
    builders = {
        "ex01_tests_deleted.ipynb": tests_deleted,
        "ex01_infinite_loop.ipynb": infinite_loop, "ex01_huge_output.ipynb": huge_output,
        "ex01_sys_exit.ipynb": sys_exit, "ex01_kernel_crash.ipynb": kernel_crash,
        "ex01_early_exception.ipynb": early_exception, "ex01_missing_function.ipynb": missing_function,
        "ex01_common_mistakes.ipynb": common_mistakes, "ex01_hidden_fail.ipynb": hidden_fail,
        "ex01_patched_numpy.ipynb": patched_numpy, "homework_final (2).ipynb": cheater,
    }
    for name, build in builders.items():
        write(name, build())
    text = nbformat.writes(student_copy())
    (HERE / "ex01_invalid_json.ipynb").write_text(text[: len(text) // 2], encoding="utf-8")


if __name__ == "__main__":
    main()
