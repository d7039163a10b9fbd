"""Read notebooks tolerantly and plan what the grader runs: the student's cells plus the instructor's tests.

The plan keeps every code cell of the submission except its test cells (edited,
deleted or duplicated test cells therefore change nothing) and inserts each item's
test, taken from the instructor's notebook, right after the submission's copy of the
cell that precedes the test in the instructor's notebook (found by cell id, or by
``grade_id`` for answer cells). When that cell is gone, the test runs at the end.
"""

import json
import re
from dataclasses import dataclass, field

from nncourse.grading.markers import is_answer_cell, is_test_cell, nbgrader_meta, split_hidden


class NotebookError(ValueError):
    """A file that is not a readable notebook, explained in plain words."""


@dataclass
class TestItem:
    """One graded item of an instructor notebook."""

    item_id: str
    points: float
    visible: str
    hidden: str
    anchor: object = None  # cell id / grade_id of the code cell before the test, or None
    answer_id: str = ""


@dataclass
class Step:
    """One cell the grader executes: a student cell (``item`` None) or an item's tests."""

    source: str
    cell_number: int = 0  # 1-based position in the submission (student cells)
    item: TestItem = None
    labels: list = field(default_factory=list)  # grade_ids of the student cell


MAX_BYTES = 20 * 2**20  # a submission larger than this is not read
MAX_CELLS = 2000
MAX_SOURCE = 200_000  # characters of one cell


def _text(source):
    if isinstance(source, list):
        return "".join(part for part in source if isinstance(part, str))
    return source if isinstance(source, str) else ""


def _nbgrader(metadata):
    """The nbgrader metadata of a cell, keeping only well-typed fields (a submission's may be anything)."""
    meta = metadata.get("nbgrader") if isinstance(metadata, dict) else None
    if not isinstance(meta, dict):
        return {}
    clean = {key: meta[key] for key in ("grade", "solution", "locked") if isinstance(meta.get(key), bool)}
    if isinstance(meta.get("grade_id"), str) and len(meta["grade_id"]) <= 200:
        clean["grade_id"] = meta["grade_id"]
    if type(meta.get("points")) in (int, float) and meta["points"] >= 0:
        clean["points"] = meta["points"]
    return clean


def _raw_cells(data):
    """The list of cells of nbformat 4, or of nbformat 3 (cells inside worksheets, code in "input")."""
    if isinstance(data.get("cells"), list):
        return data["cells"]
    worksheets = data.get("worksheets")
    if isinstance(worksheets, list):
        cells = []
        for sheet in worksheets:
            if isinstance(sheet, dict) and isinstance(sheet.get("cells"), list):
                cells += [dict(cell, source=cell.get("input", cell.get("source")))
                          if isinstance(cell, dict) and cell.get("cell_type") == "code" else cell
                          for cell in sheet["cells"]]
        return cells
    return None


def read_cells(text, name="the notebook"):
    """Cells of a notebook given as JSON text: dicts with ``cell_type``, ``source``, ``metadata``, ``id``.

    Tolerant of what a student's editor may do (missing ids, list sources, unknown fields, nbformat 3,
    metadata of the wrong type, which is dropped); raises :class:`NotebookError` in plain words when it
    is no notebook at all, or one too large or too deeply nested to read.
    """
    if len(text) > MAX_BYTES:
        raise NotebookError(f"{name} is larger than {MAX_BYTES // 2**20} MB; it is not read (clear the outputs "
                            "and submit again)")
    try:
        data = json.loads(text)
    except json.JSONDecodeError as err:
        raise NotebookError(f"{name} is not valid JSON (line {err.lineno}, column {err.colno}: {err.msg}); "
                            "it was probably damaged when edited outside Jupyter or truncated") from None
    except RecursionError:
        raise NotebookError(f"{name} is JSON nested too deeply to be a notebook") from None
    except ValueError as err:
        raise NotebookError(f"{name} is not readable JSON ({str(err)[:200]})") from None
    cells_data = _raw_cells(data) if isinstance(data, dict) else None
    if cells_data is None:
        raise NotebookError(f"{name} is JSON but not a Jupyter notebook (it has no list of cells)")
    if len(cells_data) > MAX_CELLS:
        raise NotebookError(f"{name} has {len(cells_data)} cells, more than the {MAX_CELLS} a notebook may have")
    cells = []
    for cell in cells_data:
        if not isinstance(cell, dict) or not isinstance(cell.get("cell_type"), str):
            continue
        source = _text(cell.get("source"))
        if len(source) > MAX_SOURCE:
            raise NotebookError(f"{name} has a cell of {len(source)} characters, more than {MAX_SOURCE}")
        cell_id = cell.get("id") if isinstance(cell.get("id"), str) and len(cell["id"]) <= 200 else None
        cells.append({"cell_type": cell["cell_type"], "source": source,
                      "metadata": {"nbgrader": _nbgrader(cell.get("metadata"))}, "id": cell_id})
    return cells


def source_items(cells):
    """The graded items of an instructor notebook, in order."""
    items = []
    for index, cell in enumerate(cells):
        if not is_test_cell(cell):
            continue
        meta = nbgrader_meta(cell)
        visible, hidden = split_hidden(cell["source"])
        item = TestItem(meta["grade_id"], float(meta.get("points", 0)), visible, hidden)
        item.anchor = _anchor(cells, index)
        answers = [c for c in cells[:index] if is_answer_cell(c)]
        item.answer_id = nbgrader_meta(answers[-1]).get("grade_id", "") if answers else ""
        items.append(item)
    return items


def _anchor(cells, index):
    """Cell id (or answer grade_id) of the nearest code cell before the test, skipping other tests."""
    for cell in reversed(cells[:index]):
        if cell["cell_type"] != "code" or is_test_cell(cell):
            continue
        return nbgrader_meta(cell).get("grade_id") or cell.get("id")
    return None


def _labels(cell):
    labels = [cell.get("id"), nbgrader_meta(cell).get("grade_id")]
    return [label for label in labels if isinstance(label, str) and label]


def _is_submitted_test(cell, test_ids):
    """A test cell in the submission: dropped, because the instructor's version runs instead."""
    return is_test_cell(cell) or nbgrader_meta(cell).get("grade_id") in test_ids


def build_plan(source_cells, submission_cells):
    """The list of :class:`Step` to execute for a submission, and the items graded."""
    items = source_items(source_cells)
    test_ids = {item.item_id for item in items}
    test_cell_ids = {cell.get("id") for cell in source_cells if is_test_cell(cell)} - {None}
    steps = []
    for number, cell in enumerate(submission_cells, start=1):
        if cell["cell_type"] != "code" or _is_submitted_test(cell, test_ids) or cell.get("id") in test_cell_ids:
            continue
        if cell["source"].strip():
            steps.append(Step(cell["source"], number, labels=_labels(cell)))
    last_position = {}
    for position, step in enumerate(steps):
        for label in step.labels:
            last_position[label] = position
    after = {}
    at_end = []
    for item in items:
        if item.anchor in last_position:
            after.setdefault(last_position[item.anchor], []).append(item)
        else:
            at_end.append(item)
    plan = []
    for position, step in enumerate(steps):
        plan.append(step)
        plan.extend(Step(item.visible, item=item) for item in after.get(position, []))
    plan.extend(Step(item.visible, item=item) for item in at_end)
    return plan, items


EXERCISE_NUMBER = re.compile(r"ex(\d\d)", re.IGNORECASE)


def match_source(name, cells, sources):
    """Pick the instructor notebook for a submission: by ``exNN`` in the file name, by grade ids, or the only one.

    ``sources`` maps a file name (``ex01_neurons_threshold_units.ipynb``) to its cells.
    """
    found = EXERCISE_NUMBER.search(name)
    if found:
        prefix = f"ex{found.group(1)}_"
        for source_name in sources:
            if source_name.lower().startswith(prefix):
                return source_name
    ids = {nbgrader_meta(cell).get("grade_id") for cell in cells or []}
    for source_name, source_cells in sources.items():
        if ids & {nbgrader_meta(cell).get("grade_id") for cell in source_cells} - {None}:
            return source_name
    if len(sources) == 1:
        return next(iter(sources))
    return None
