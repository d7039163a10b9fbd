"""Write the broken and dishonest submissions graded by tests/test_grading_threats.py.

Run from the repository root: ``python tests/grading_fixtures/make_fixtures.py``.
Each submission starts as a student's copy of exercise 01 (or 03) with every answer filled in
(the solution notebook without hidden tests and outputs) and is then broken, or given a way of
cheating, in one way. ``THREATS`` groups them by the threat model of the grader (solutions/README.md,
section 8); ``EXPECTED`` holds each file's exact score. Exercise 01 gives step 1, sign 1, neuron 2,
gates 2, two-layer 2 and xor 2 points and four quiz questions 1 point each (14); exercise 03 sigmoid 2,
tanh-relu 2, linear-step 3, logistic-step 3, sigmoid-mse 3 and three quiz questions 1 point each (16).
A dishonest submission keeps only ``step`` honest (1 point) and stubs the rest, so any point above 1
would be a point gained by cheating. Regenerate the files whenever exercise 01 or 03 changes.
"""

import copy
import hashlib
import json
from pathlib import Path

import nbformat

HERE = Path(__file__).resolve().parent
SOLUTIONS = HERE.parent.parent / "solutions"
SOURCE = SOLUTIONS / "ex01_neurons_threshold_units.ipynb"
STUB = "    # YOUR CODE HERE\n    raise NotImplementedError()"
STUBBED = ["ex01-sign-answer", "ex01-neuron-answer", "ex01-gates-answer", "ex01-two-layer-answer", "ex01-xor-answer",
           "ex01-quiz-majority-answer", "ex01-quiz-hebb-answer", "ex01-quiz-rescorla-answer",
           "ex01-quiz-xor-layer-answer"]


def student_copy(source=SOURCE):
    """The solution notebook as a diligent student would submit it: answers in, hidden tests out."""
    from nncourse.grading.markers import BEGIN_SOLUTION, END_SOLUTION, is_test_cell, split_hidden

    nb = nbformat.read(source, as_version=4)
    for cell in nb.cells:
        if cell.cell_type == "code":
            cell.outputs, cell.execution_count = [], None
            if is_test_cell(cell):
                cell.source = split_hidden(cell.source)[0]
            lines = cell.source.splitlines()
            cell.source = "\n".join(line for line in lines if line.strip() not in (BEGIN_SOLUTION, END_SOLUTION))
    return nb


def new_cell(source):
    """A code cell whose id comes from its source, so that every run writes the same files."""
    return nbformat.v4.new_code_cell(source, id="added-" + hashlib.sha256(source.encode()).hexdigest()[:8])


def index_of(nb, grade_id):
    return next(i for i, c in enumerate(nb.cells) if c.metadata.get("nbgrader", {}).get("grade_id") == grade_id)


def set_body(nb, grade_id, body):
    """Replace the body of the function in answer cell ``grade_id`` (keeps def line and docstring)."""
    cell = nb.cells[index_of(nb, grade_id)]
    lines = cell.source.splitlines()
    end_doc = max(i for i, line in enumerate(lines) if line.rstrip().endswith('"""'))
    cell.source = "\n".join(lines[: end_doc + 1]) + "\n" + body


def insert_after(nb, grade_id, source):
    nb.cells.insert(index_of(nb, grade_id) + 1, new_cell(source))


def dishonest(*cells, after_setup=True):
    """Only ``step`` answered; ``cells`` (code) inserted after the setup cell."""
    nb = student_copy()
    for grade_id in STUBBED:
        set_body(nb, grade_id, STUB)
    for offset, source in enumerate(cells):
        nb.cells.insert(2 + offset, new_cell(source))
    return nb


# --- broken submissions ------------------------------------------------------------------------------

def tests_deleted():
    nb = student_copy()
    nb.cells = [c for c in nb.cells if not c.metadata.get("nbgrader", {}).get("grade")]
    return nb


def infinite_loop():
    nb = student_copy()
    nb.cells.insert(2, new_cell("# trying something\nwhile True:\n    pass"))
    set_body(nb, "ex01-sign-answer", "    while True:\n        pass")
    return nb


def huge_output():
    nb = student_copy()
    nb.cells.insert(2, new_cell("print('x' * 10_000_000)"))
    set_body(nb, "ex01-step-answer", "    for i in range(2000):\n        print('debug', i)\n"
                                     "    return np.where(np.asarray(z) >= 0, 1.0, 0.0)")
    return nb


def sys_exit():
    nb = student_copy()
    nb.cells.insert(2, new_cell("import sys\nsys.exit('stop here')"))
    nb.cells.insert(3, new_cell("exit()"))
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


def huge_messages():
    nb = dishonest("raise ValueError('x' * 10_000_000)")
    set_body(nb, "ex01-sign-answer", "    raise ValueError('y' * 10_000_000)")
    return nb


def sleeper():
    nb = dishonest("import time\ntime.sleep(1000)")
    set_body(nb, "ex01-sign-answer", "    import time\n    time.sleep(1000)")
    return nb


# --- malformed notebooks -----------------------------------------------------------------------------

def wrong_types():
    """Every cell's metadata of the wrong type, ids kept: graded in full (tests run at the end)."""
    nb = json.loads(nbformat.writes(student_copy()))
    garbage = [[], "yes", {"nbgrader": "yes"}, {"nbgrader": {"grade_id": 7, "grade": "true"}}, {"nbgrader": []}]
    for number, cell in enumerate(nb["cells"]):
        cell["metadata"] = garbage[number % len(garbage)]
    nb["metadata"] = ["not", "a", "dict"]
    nb["nbformat_minor"] = "five"
    return json.dumps(nb)


def nbformat3():
    """The honest answers in an nbformat 3 notebook (cells in a worksheet, code in "input", no ids)."""
    cells = []
    for cell in student_copy().cells:
        if cell.cell_type == "code":
            cells.append({"cell_type": "code", "input": cell.source.splitlines(True), "language": "python",
                          "outputs": [], "metadata": {}, "collapsed": False})
        else:
            cells.append({"cell_type": cell.cell_type, "source": cell.source.splitlines(True), "metadata": {}})
    return json.dumps({"nbformat": 3, "nbformat_minor": 0, "metadata": {"name": ""},
                       "worksheets": [{"cells": cells, "metadata": {}}]}, indent=1)


MALFORMED_TEXT = {
    "ex01_invalid_json.ipynb": lambda: (lambda text: text[: len(text) // 2])(nbformat.writes(student_copy())),
    "ex01_nested_deep.ipynb": lambda: "[" * 100_000 + "]" * 100_000,
    "ex01_no_cells.ipynb": lambda: json.dumps({"nbformat": 4, "nbformat_minor": 5, "metadata": {}}),
    "ex01_empty.ipynb": lambda: "",
    "ex01_cells_not_a_list.ipynb": lambda: json.dumps({"cells": {"0": "print(1)"}, "nbformat": 4}),
    "ex01_wrong_types.ipynb": wrong_types,
    "ex01_nbformat3.ipynb": nbformat3,
}


# --- dishonest submissions ---------------------------------------------------------------------------

PATCH_STDLIB = '''import builtins, hmac, json, linecache, re
hmac.compare_digest = lambda a, b: True
json.loads = lambda *args, **kwargs: {"item": "ex01-sign", "passed": True, "status": "passed", "message": "ok"}
json.dumps = lambda *args, **kwargs: '{"passed": true}'
linecache.getline = lambda *args, **kwargs: "check passed"
re.search = lambda *args, **kwargs: None
builtins.all = lambda *args: True
np.allclose = np.array_equal = lambda *args, **kwargs: True'''

TRACE_HOOKS = '''import sys, threading
def tracer(frame, event, arg):
    if event == "return" and frame.f_code.co_name in ("run_item", "evaluate", "_run_hidden"):
        frame.f_locals["passed"] = True
    return tracer
sys.settrace(tracer)
sys.setprofile(lambda frame, event, arg: None)
threading.settrace(tracer)'''

IMPORT_HOOK = '''import sys, types, importlib.abc, importlib.machinery
class Passing(importlib.abc.MetaPathFinder, importlib.abc.Loader):
    def find_spec(self, name, path=None, target=None):
        if name.startswith("nncourse.grading"):
            return importlib.machinery.ModuleSpec(name, self)
    def create_module(self, spec):
        module = types.ModuleType(spec.name)
        module.run_item = module.check = lambda *args: print("✓ passed")
        return module
    def exec_module(self, module):
        pass
sys.meta_path.insert(0, Passing())
for name in [n for n in sys.modules if n.startswith("nncourse.grading")]:
    del sys.modules[name]
import nncourse.grading.checking
sys.path_hooks.insert(0, lambda path: Passing())'''

IPYTHON_HOOKS = '''ip = get_ipython()
ip.input_transformers_cleanup.append(lambda lines: [line.replace("raise NotImplementedError()", "return 1.0")
                                                    for line in lines])
import ast
class Yes(ast.NodeTransformer):
    def visit_Assert(self, node):
        return ast.Pass()
ip.ast_transformers.append(Yes())
ip.events.register("pre_run_cell", lambda *args: print("✓ ex01-sign passed"))'''

ROOTS = '''import os
def notebooks():
    """Every notebook, CSV or results file anywhere outside /usr, /proc, /sys and /dev."""
    for top in [os.getcwd(), "/", "/work", "/autograder", "/course", "/root", "/home", "/tmp", "/proc/1/cwd"]:
        for folder, dirs, files in os.walk(top):
            dirs[:] = [d for d in dirs if os.path.join(folder, d) not in ("/usr", "/proc", "/sys", "/dev")
                       and d not in ("site-packages", ".pyenv", "include", "share")]
            for name in files:
                if name.endswith((".ipynb", ".csv", ".json")):
                    yield os.path.join(folder, name)
'''

READ_SOLUTIONS = ROOTS + '''import json, re
for path in notebooks():
    try:
        cells = json.load(open(path))["cells"]
    except (OSError, ValueError, KeyError, TypeError):
        continue
    for cell in cells:
        source = "".join(cell.get("source", ""))
        if "### BEGIN SOLUTION" in source or "### BEGIN HIDDEN TESTS" in source:
            exec(source.replace("### BEGIN SOLUTION", "").replace("### END SOLUTION", ""), globals())
for pid in os.listdir("/proc"):
    for name in ("cmdline", "environ", "maps", "mem"):
        try:
            if b"BEGIN HIDDEN" in open(f"/proc/{pid}/{name}", "rb").read(10**6):
                print("found hidden tests in", pid)
        except OSError:
            pass'''

PERSIST = ROOTS + '''import site, sys
targets = [os.path.join(p, "sitecustomize.py") for p in site.getsitepackages() + sys.path if p]
targets += [os.path.join(p, "cheat.pth") for p in site.getsitepackages()]
targets += ["/course/nncourse/grading/checking.py", "/course/nncourse/grading/items/ex01.json",
            os.path.expanduser("~/.ipython/profile_default/startup/00-pass.py"), *notebooks()]
written = []
for path in targets:
    try:
        os.makedirs(os.path.dirname(path), exist_ok=True)
        with open(path, "w") as handle:
            handle.write("def sign(z):\\n    return z\\n")
        written.append(path)
    except OSError:
        pass
print(written)'''

KILL_PARENT = "import os, signal\nos.kill(os.getppid(), signal.SIGKILL)"
KILL_GROUP = "import os, signal\nos.killpg(0, signal.SIGKILL)"
KILL_ALL = "import os, signal\nos.kill(-1, signal.SIGKILL)"

FORK_BOMB = '''import os
while True:
    try:
        os.fork()
    except OSError:
        pass'''

MEMORY_HOG = '''import os, time
try:
    hog = bytearray(10**12)
except MemoryError:
    pass
for _ in range(8):
    if os.fork() == 0:
        try:
            block = b"\\x01" * (400 * 2**20)  # filled at once: resident memory, not a promise
            time.sleep(100)
        finally:
            os._exit(0)
time.sleep(100)'''

DISK_FILL = '''import os
for folder in ("/tmp", os.path.expanduser("~"), "."):
    try:
        for n in range(10_000):
            with open(os.path.join(folder, f"fill{n}"), "wb") as handle:
                handle.write(b"x" * 2**20)
    except OSError:
        pass'''

DETACHED = ROOTS + '''import subprocess, time
subprocess.Popen(["sleep", "31337"], start_new_session=True)
if os.fork() == 0:
    os.setsid()
    if os.fork() == 0:
        time.sleep(5)
        for path in notebooks():
            try:
                open(path, "w").write("rewritten after grading")
            except OSError:
                pass
        time.sleep(300)
    os._exit(0)'''

CHANNEL_GARBAGE = '''import os, struct, sys
os.write(int(sys.argv[-1]), struct.pack(">Q", 12) + b"not a frame!")'''

LIARS = '''class Always(np.ndarray):
    def __eq__(self, other):
        return np.ones(np.shape(other), dtype=bool)
class Anything:
    def __eq__(self, other):
        return True
    def __array__(self, dtype=None, copy=None):
        return np.array([-1.0, -1.0, 1.0, 1.0, 1.0])'''

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
    """Redefined check, patched grading modules, forged results and output, edited/deleted/duplicated tests."""
    nb = dishonest(CHEATS)
    set_body(nb, "ex01-gates-answer", "    return np.zeros(2), 0.0")
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


def patched_numpy():
    return dishonest("np.array_equal = lambda a, b: True\nnp.allclose = lambda *args, **kwargs: True")


def liars():
    nb = dishonest(LIARS)
    set_body(nb, "ex01-sign-answer", "    return Anything()")
    set_body(nb, "ex01-neuron-answer", "    return np.ones(X.shape[0]).view(Always)")
    return nb


def kill_the_grader():
    return dishonest(KILL_PARENT, KILL_GROUP, KILL_ALL)


def crash_the_grader():
    """An honest submission; the grading test makes the grader itself fail on this file name."""
    return student_copy()


def ex03_copy(**bodies):
    nb = student_copy(SOLUTIONS / "ex03_single_neuron.ipynb")
    for grade_id, body in bodies.items():
        cell = nb.cells[index_of(nb, grade_id)]
        cell.source = body
    return nb


def uses_nnlib():
    """Exercise 03 ("numpy only"): the sigmoid from nnlib; the logistic step calls it."""
    return ex03_copy(**{"ex03-sigmoid-answer": (
        "def sigmoid(z):\n    from nnlib.functional import sigmoid as library_sigmoid\n    return library_sigmoid(z)\n\n\n"
        "def sigmoid_prime(z):\n    import nnlib.functional\n    return nnlib.functional.sigmoid_prime(z)")})


def sneaky_nnlib():
    """Exercise 03: tanh', ReLU and ReLU' from nnlib, imported by a name built at run time."""
    return ex03_copy(**{"ex03-tanh-relu-answer": (
        "import importlib\n\n_F = importlib.import_module('nn' + 'lib.functional')\n\n\n"
        "def tanh_prime(z):\n    return _F.tanh_prime(z)\n\n\n"
        "def relu(z):\n    return _F.relu(z)\n\n\n"
        "def relu_prime(z):\n    return _F.relu_prime(z)")})


def victim():
    """Stubs only: anything another submission left behind that made it pass would show here."""
    nb = student_copy()
    for grade_id in ["ex01-step-answer", *STUBBED]:
        set_body(nb, grade_id, STUB)
    return nb


# Threat model -> {file: builder}. Expected scores are in EXPECTED.
THREATS = {
    "broken": {
        "ex01_tests_deleted.ipynb": tests_deleted, "ex01_infinite_loop.ipynb": infinite_loop,
        "ex01_huge_output.ipynb": huge_output, "ex01_sys_exit.ipynb": sys_exit, "ex01_kernel_crash.ipynb": kernel_crash,
        "ex01_early_exception.ipynb": early_exception, "ex01_missing_function.ipynb": missing_function,
        "ex01_common_mistakes.ipynb": common_mistakes, "ex01_hidden_fail.ipynb": hidden_fail,
        "ex01_huge_messages.ipynb": huge_messages, "ex01_sleeper.ipynb": sleeper,
    },
    "malformed": dict.fromkeys(MALFORMED_TEXT),
    "patching the grader in its own process": {
        "homework_final (2).ipynb": cheater, "ex01_patched_numpy.ipynb": patched_numpy,
        "ex01_patch_stdlib.ipynb": lambda: dishonest(PATCH_STDLIB), "ex01_trace_hooks.ipynb": lambda: dishonest(TRACE_HOOKS),
        "ex01_import_hook.ipynb": lambda: dishonest(IMPORT_HOOK), "ex01_ipython_hooks.ipynb": lambda: dishonest(IPYTHON_HOOKS),
        "ex01_liars.ipynb": liars,
    },
    "reading hidden tests and solutions": {"ex01_read_solutions.ipynb": lambda: dishonest(READ_SOLUTIONS)},
    "leaving something behind for later submissions": {
        "ex01_persist.ipynb": lambda: dishonest(PERSIST), "ex01_detached.ipynb": lambda: dishonest(DETACHED),
        "ex01_victim.ipynb": victim,
    },
    "killing the grader": {"ex01_kill_the_grader.ipynb": kill_the_grader,
                           "ex01_channel_garbage.ipynb": lambda: dishonest(CHANNEL_GARBAGE)},
    "exhausting resources": {
        "ex01_fork_bomb.ipynb": lambda: dishonest(FORK_BOMB), "ex01_memory_hog.ipynb": lambda: dishonest(MEMORY_HOG),
        "ex01_disk_fill.ipynb": lambda: dishonest(DISK_FILL),
    },
    "numpy only": {"ex03_uses_nnlib.ipynb": uses_nnlib, "ex03_sneaky_nnlib.ipynb": sneaky_nnlib},
    "a failing grader": {"ex01_crash_the_grader.ipynb": crash_the_grader},
}

EXPECTED = {
    "ex01_tests_deleted.ipynb": 14, "ex01_infinite_loop.ipynb": 13, "ex01_huge_output.ipynb": 14,
    "ex01_sys_exit.ipynb": 13, "ex01_kernel_crash.ipynb": 12, "ex01_early_exception.ipynb": 14,
    "ex01_missing_function.ipynb": 10, "ex01_common_mistakes.ipynb": 6, "ex01_hidden_fail.ipynb": 11,
    "ex01_huge_messages.ipynb": 1, "ex01_sleeper.ipynb": 1,
    "ex01_invalid_json.ipynb": 0, "ex01_nested_deep.ipynb": 0, "ex01_no_cells.ipynb": 0, "ex01_empty.ipynb": 0,
    "ex01_cells_not_a_list.ipynb": 0, "ex01_wrong_types.ipynb": 14, "ex01_nbformat3.ipynb": 14,
    "homework_final (2).ipynb": 1, "ex01_patched_numpy.ipynb": 1, "ex01_patch_stdlib.ipynb": 1,
    "ex01_trace_hooks.ipynb": 1, "ex01_import_hook.ipynb": 1, "ex01_ipython_hooks.ipynb": 1, "ex01_liars.ipynb": 1,
    "ex01_read_solutions.ipynb": 1,
    "ex01_persist.ipynb": 1, "ex01_detached.ipynb": 1, "ex01_victim.ipynb": 0,
    "ex01_kill_the_grader.ipynb": 1, "ex01_channel_garbage.ipynb": 1,
    "ex01_fork_bomb.ipynb": 1, "ex01_memory_hog.ipynb": 1, "ex01_disk_fill.ipynb": 1,
    "ex03_uses_nnlib.ipynb": 8, "ex03_sneaky_nnlib.ipynb": 14,
    "ex01_crash_the_grader.ipynb": 0,
}
MAX_SCORE = {"ex01": 14, "ex03": 16}


def render():
    """{file name: text} of every submission, exactly as it is committed."""
    texts = {}
    for threats in THREATS.values():
        for name, build in threats.items():
            if name in MALFORMED_TEXT:
                texts[name] = MALFORMED_TEXT[name]()
                continue
            nb = build()
            nbformat.validate(nb)
            text = nbformat.writes(nb)
            texts[name] = text if text.endswith("\n") else text + "\n"
    return texts


def main():
    for name, text in render().items():
        (HERE / name).write_text(text, encoding="utf-8")


if __name__ == "__main__":
    main()
