"""Every exercise notebook in solutions/ follows the authoring contract of solutions/README.md.

These tests cover notebooks added later automatically (they are parametrised over the folder).
"""

import ast
import importlib
import re
from pathlib import Path

import nbformat
import pytest

from nncourse.grading.checking import ITEM_ID, find_item
from nncourse.grading.markers import (
    BEGIN_SOLUTION,
    checked_ids,
    count_asserts,
    has_marker,
    is_answer_cell,
    is_test_cell,
    nbgrader_meta,
    replace_solutions,
    split_hidden,
)

ROOT = Path(__file__).resolve().parent.parent
NOTEBOOKS = sorted((ROOT / "solutions").glob("ex[0-9][0-9]_*.ipynb"))
ANSWER_META = {"grade": False, "solution": True, "locked": False, "schema_version": 3}
TEST_META = {"grade": True, "solution": False, "locked": True, "schema_version": 3}
TOPICS = ["neurons_threshold_units", "perceptron", "single_neuron", "logistic_to_mlp", "backpropagation",
          "training_in_batches", "activations_losses", "initialisation_preprocessing", "optimisation",
          "regularisation", "training_recipe", "rbf_networks", "convolution", "pooling_cnns", "recurrent_networks",
          "build_your_own_autodiff", "debugging_training", "capstone_digits"]


def read(path):
    return nbformat.read(path, as_version=4)


def code_cells(nb):
    return [cell for cell in nb.cells if cell.cell_type == "code"]


@pytest.fixture(params=NOTEBOOKS, ids=[path.name for path in NOTEBOOKS])
def notebook(request):
    return request.param, read(request.param)


def test_file_names_follow_the_contract():
    expected = {f"ex{number:02d}_{topic}.ipynb" for number, topic in enumerate(TOPICS, start=1)}
    assert {path.name for path in NOTEBOOKS} <= expected


def test_valid_nbformat_45_with_unique_cell_ids(notebook):
    path, nb = notebook
    nbformat.validate(nb)
    assert (nb.nbformat, nb.nbformat_minor) >= (4, 5), f"{path.name}: save as nbformat 4.5 (cells need ids)"
    ids = [cell.get("id") for cell in nb.cells]
    assert None not in ids and len(set(ids)) == len(ids)


def test_setup_cell_imports_check(notebook):
    path, nb = notebook
    assert "from nncourse.grading import check" in code_cells(nb)[0].source, (
        f"{path.name}: the first code cell must import check")


def test_metadata_is_exactly_the_contract(notebook):
    path, nb = notebook
    for cell in nb.cells:
        meta = nbgrader_meta(cell)
        if not meta:
            assert not has_marker(cell.source, BEGIN_SOLUTION), f"{path.name}: markers in a cell without metadata"
            continue
        expected = ANSWER_META if meta.get("solution") else TEST_META
        extra = {"grade_id", "points"} if meta.get("grade") else {"grade_id"}
        assert set(meta) == set(expected) | extra, f"{path.name}: {meta}"
        assert {key: meta[key] for key in expected} == expected, f"{path.name}: {meta}"
        if meta.get("grade"):
            # 0 points: a part an instructor grades by hand (its check only confirms the answer is there)
            assert isinstance(meta["points"], int) and meta["points"] >= 0, f"{path.name}: {meta}"


def test_answer_cells_are_function_bodies_followed_by_their_test(notebook):
    path, nb = notebook
    cells = nb.cells
    for index, cell in enumerate(cells):
        if not is_answer_cell(cell):
            continue
        grade_id = nbgrader_meta(cell)["grade_id"]
        assert grade_id.endswith("-answer"), f"{path.name}: answer id {grade_id} must end with -answer"
        item_id = grade_id[: -len("-answer")]
        assert ITEM_ID.match(item_id) and item_id.startswith(path.name[:4] + "-"), f"{path.name}: {grade_id}"
        assert index + 1 < len(cells) and nbgrader_meta(cells[index + 1]).get("grade_id") == item_id, (
            f"{path.name}: the test cell {item_id} must come directly after {grade_id}")
        for line in cell.source.splitlines():
            if line.strip() == BEGIN_SOLUTION:
                assert line.startswith(" "), f"{path.name}: {grade_id} has a solution at top level, not in a function"
        ast.parse(replace_solutions(cell.source))  # the stub must still be valid Python


def test_test_cells_call_check_with_their_own_id_and_count_hidden_tests(notebook):
    path, nb = notebook
    module = importlib.import_module(f"nncourse.grading.items.{path.name[:4]}")
    for cell in filter(is_test_cell, nb.cells):
        item_id = nbgrader_meta(cell)["grade_id"]
        visible, hidden = split_hidden(cell.source)
        assert checked_ids(visible) == [item_id], f"{path.name}: {item_id} must start with check({item_id!r}, ...)"
        assert visible.splitlines()[0].startswith(f'check("{item_id}"'), f"{path.name}: {item_id}"
        assert item_id in module.ITEMS, f"nncourse/grading/items/{path.name[:4]}.py has no item {item_id}"
        assert module.ITEMS[item_id].hidden == count_asserts(hidden), (
            f"{item_id}: the registry says hidden={module.ITEMS[item_id].hidden}, the test cell has "
            f"{count_asserts(hidden)} assert statements in its hidden region")


def test_every_registry_item_has_a_test_cell():
    for path in sorted((ROOT / "nncourse" / "grading" / "items").glob("ex[0-9][0-9].py")):
        module = importlib.import_module(f"nncourse.grading.items.{path.stem}")
        notebooks = [nb for nb in NOTEBOOKS if nb.name.startswith(path.stem + "_")]
        assert len(notebooks) == 1, f"{path.name} has no notebook solutions/{path.stem}_<topic>.ipynb"
        tested = {nbgrader_meta(cell)["grade_id"] for cell in filter(is_test_cell, read(notebooks[0]).cells)}
        assert set(module.ITEMS) == tested
        assert all(find_item(item_id) is module.ITEMS[item_id] for item_id in module.ITEMS)


def test_grade_ids_are_unique_across_the_course():
    ids = [nbgrader_meta(cell)["grade_id"] for path in NOTEBOOKS for cell in read(path).cells
           if nbgrader_meta(cell)]
    assert len(ids) == len(set(ids)), sorted(i for i in ids if ids.count(i) > 1)


def test_every_check_passes_in_the_committed_outputs(notebook):
    path, nb = notebook
    for cell in filter(is_test_cell, nb.cells):
        text = "".join(out.get("text", "") for out in cell.get("outputs", []))
        assert re.match(r"✓ \S+ passed", text), f"{path.name}: {nbgrader_meta(cell)['grade_id']} shows {text!r}"


def _functions_outside_classes(tree):
    """Names of the functions a module defines at top level or inside other functions (not methods)."""
    found, stack = set(), list(tree.body)
    while stack:
        node = stack.pop()
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
            found.add(node.name)
            stack.extend(node.body)
        elif isinstance(node, (ast.If, ast.Try, ast.With)):
            stack.extend(ast.iter_child_nodes(node))
    return found


def test_no_importable_course_module_holds_a_reference_answer():
    """The student's environment (nncourse, which the sandbox also sees) has no function named like an
    answer, not even a private ``_step``: references live in solutions/references/ only."""
    answers = {}
    for path in NOTEBOOKS:
        for cell in code_cells(read(path)):
            if is_answer_cell(cell):
                for node in ast.parse(cell.source).body:
                    if isinstance(node, (ast.FunctionDef, ast.ClassDef)):
                        answers[node.name] = path.name
    assert {"step", "lstm_step", "softmax_backward", "conv2d_naive"} <= set(answers)
    clashes = []
    for module in sorted((ROOT / "nncourse").rglob("*.py")):
        names = {name.lstrip("_") for name in _functions_outside_classes(ast.parse(module.read_text(encoding="utf-8")))}
        clashes += [f"{module.relative_to(ROOT)}: {name} (answer in {answers[name]})" for name in sorted(names & set(answers))]
    assert clashes == []
