"""Every topic of the five lecture decks is taught, coded, tested and exercised somewhere.

``notebooks/coverage/topics.toml`` lists the topics (id, deck, lesson, title). Each lesson NN
maps its topics in ``notebooks/coverage/lNN.toml``::

    [[topic]]
    id = "perceptron-learning-rule"
    section = "The learning rule"          # exact text of a markdown heading in the lesson
    nnlib = "nnlib.perceptron.Perceptron"  # importable dotted path, or "" if there is no code
    test = "tests/test_perceptron.py::test_update_only_on_mistakes"
    exercise = "ex02-update"               # a grade_id in solutions/*.ipynb, or ""

The checks run per lesson so a failure names the lesson and lists every broken reference.
"""

import ast
import difflib
import importlib
import json
import re
import sys
import tomllib
from functools import cache
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
COVERAGE = ROOT / "notebooks" / "coverage"

LESSONS = {
    "00": "00_start_here",
    "01": "01_neurons_threshold_units",
    "02": "02_perceptron",
    "03": "03_single_neuron",
    "04": "04_logistic_to_mlp",
    "05": "05_backpropagation",
    "06": "06_training_in_batches",
    "07": "07_activations_losses",
    "08": "08_initialisation_preprocessing",
    "09": "09_optimisation",
    "10": "10_regularisation",
    "11": "11_training_recipe",
    "12": "12_rbf_networks",
    "13": "13_convolution",
    "14": "14_pooling_cnns",
    "15": "15_recurrent_networks",
}
DECKS = {"000", "001", "002", "003", "004"}
ENTRY_KEYS = {"id", "section", "nnlib", "test", "exercise"}
OPTIONAL_ENTRY_KEYS = {"note"}

HEADING = re.compile(r"^ {0,3}(#{1,6})\s+(.*?)\s*#*\s*$")
FENCE = re.compile(r"^ {0,3}(```|~~~)")


# ---------------------------------------------------------------- helpers (also used by lesson authors)

@cache
def inventory():
    """The topics of topics.toml as a list of dicts."""
    with open(COVERAGE / "topics.toml", "rb") as f:
        return tomllib.load(f)["topic"]


def markdown_headings(notebook_path):
    """Return the text of every markdown heading (any level) in a notebook, outside code fences."""
    nb = json.loads(Path(notebook_path).read_text(encoding="utf-8"))
    headings = []
    for cell in nb["cells"]:
        if cell["cell_type"] != "markdown":
            continue
        source = "".join(cell["source"]) if isinstance(cell["source"], list) else cell["source"]
        in_fence = False
        for line in source.splitlines():
            if FENCE.match(line):
                in_fence = not in_fence
                continue
            match = None if in_fence else HEADING.match(line)
            if match:
                headings.append(match.group(2).strip())
    return headings


def resolve_dotted(path):
    """Import the longest module prefix of ``path`` and follow the remaining attributes.

    Returns None on success, else a message saying what is missing.
    """
    parts = path.split(".")
    if parts[0] not in ("nnlib", "nncourse"):
        return f"must start with 'nnlib.' (or 'nncourse.' for a figure helper), got {path!r}"
    for cut in range(len(parts), 0, -1):
        module_name = ".".join(parts[:cut])
        try:
            obj = importlib.import_module(module_name)
        except ModuleNotFoundError as err:
            if err.name and (module_name == err.name or module_name.startswith(err.name + ".")):
                continue  # this prefix is not a module; try a shorter one
            return f"importing {module_name} failed: {err}"
        except Exception as err:  # a broken module is a finding, not a crash of the test
            return f"importing {module_name} raised {type(err).__name__}: {err}"
        for depth in range(cut, len(parts)):
            if not hasattr(obj, parts[depth]):
                return f"{'.'.join(parts[:depth])} has no attribute {parts[depth]!r}"
            obj = getattr(obj, parts[depth])
        return None
    return f"no importable module in {path!r}"


@cache
def _test_functions(test_file):
    """Names ``func`` and ``Class::func`` of test functions defined in a file."""
    tree = ast.parse((ROOT / test_file).read_text(encoding="utf-8"))
    names = set()
    for node in tree.body:
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
            names.add(node.name)
        elif isinstance(node, ast.ClassDef):
            for item in node.body:
                if isinstance(item, (ast.FunctionDef, ast.AsyncFunctionDef)):
                    names.add(f"{node.name}::{item.name}")
    return frozenset(n for n in names if n.split("::")[-1].startswith("test"))


def check_test_reference(ref):
    """None if ``path::function`` names an existing test function, else a message."""
    if "::" not in ref:
        return f"test must look like 'tests/test_x.py::test_name', got {ref!r}"
    file_part, func = ref.split("::", 1)
    func = func.split("[", 1)[0]  # a parametrised id names the same function
    path = ROOT / file_part
    if not path.is_file() or path.suffix != ".py":
        return f"test file {file_part} does not exist"
    try:
        functions = _test_functions(file_part)
    except SyntaxError as err:
        return f"test file {file_part} does not parse: {err}"
    if func not in functions:
        close = difflib.get_close_matches(func, sorted(functions), n=1)
        hint = f" (did you mean {close[0]}?)" if close else ""
        return f"{file_part} defines no test function {func}{hint}"
    return None


@cache
def grade_ids():
    """Every nbgrader grade_id in solutions/*.ipynb."""
    ids = set()
    for path in sorted((ROOT / "solutions").glob("*.ipynb")):
        nb = json.loads(path.read_text(encoding="utf-8"))
        for cell in nb["cells"]:
            grade_id = cell.get("metadata", {}).get("nbgrader", {}).get("grade_id")
            if grade_id:
                ids.add(grade_id)
    return frozenset(ids)


def lesson_problems(lesson):
    """Everything wrong with lesson ``lesson``'s coverage file, as a list of messages."""
    name = LESSONS[lesson]
    expected = [t["id"] for t in inventory() if t["lesson"] == lesson]
    coverage_file = COVERAGE / f"l{lesson}.toml"
    notebook = ROOT / "notebooks" / f"{name}.ipynb"
    if not coverage_file.is_file():
        return [f"notebooks/coverage/l{lesson}.toml does not exist; it must map {len(expected)} topics: "
                + ", ".join(expected)]
    problems = []
    try:
        with open(coverage_file, "rb") as f:
            entries = tomllib.load(f).get("topic", [])
    except tomllib.TOMLDecodeError as err:
        return [f"l{lesson}.toml is not valid TOML: {err}"]
    headings = markdown_headings(notebook) if notebook.is_file() else None
    if headings is None:
        problems.append(f"lesson notebook notebooks/{name}.ipynb does not exist")
    known = {t["id"]: t for t in inventory()}
    seen = set()
    for i, entry in enumerate(entries):
        tid = entry.get("id", f"<entry {i + 1}>")
        where = f"l{lesson}.toml [{tid}]"
        missing = ENTRY_KEYS - set(entry)
        extra = set(entry) - ENTRY_KEYS - OPTIONAL_ENTRY_KEYS
        if missing:
            problems.append(f"{where}: missing keys {sorted(missing)}")
        if extra:
            problems.append(f"{where}: unknown keys {sorted(extra)}")
        if not all(isinstance(entry.get(k, ""), str) for k in ENTRY_KEYS):
            problems.append(f"{where}: every value must be a string")
            continue
        if tid in seen:
            problems.append(f"{where}: listed twice")
        seen.add(tid)
        if tid not in known:
            problems.append(f"{where}: no such topic in topics.toml")
        elif known[tid]["lesson"] != lesson:
            problems.append(f"{where}: topics.toml assigns this topic to lesson {known[tid]['lesson']}")

        section = entry.get("section", "")
        if not section:
            problems.append(f"{where}: section is empty")
        elif headings is not None and section not in headings:
            close = difflib.get_close_matches(section, headings, n=1)
            hint = f" (closest heading: {close[0]!r})" if close else ""
            problems.append(f"{where}: no markdown heading {section!r} in {name}.ipynb{hint}")

        dotted = entry.get("nnlib", "")
        if dotted:
            msg = resolve_dotted(dotted)
            if msg:
                problems.append(f"{where}: nnlib {msg}")

        ref = entry.get("test", "")
        msg = check_test_reference(ref) if ref else "test is empty"
        if msg:
            problems.append(f"{where}: {msg}")

        exercise = entry.get("exercise", "")
        if exercise and exercise not in grade_ids():
            problems.append(f"{where}: exercise {exercise!r} is no grade_id in solutions/*.ipynb")

    unmapped = [tid for tid in expected if tid not in seen]
    if unmapped:
        problems.append(f"l{lesson}.toml does not map {len(unmapped)} topic(s): " + ", ".join(unmapped))
    return problems


# ---------------------------------------------------------------- the inventory itself

def test_inventory_is_well_formed():
    topics = inventory()
    assert len(topics) >= 100, f"only {len(topics)} topics; the five decks hold far more"
    ids = [t["id"] for t in topics]
    duplicates = sorted({i for i in ids if ids.count(i) > 1})
    assert not duplicates, f"duplicate topic ids: {duplicates}"
    for t in topics:
        assert set(t) >= {"id", "deck", "title", "lesson"}, f"{t.get('id')}: needs id, deck, title, lesson"
        assert re.fullmatch(r"[a-z0-9]+(-[a-z0-9]+)*", t["id"]), f"{t['id']}: ids are kebab-case"
        assert t["deck"] in DECKS, f"{t['id']}: deck must be one of {sorted(DECKS)}"
        assert set(t.get("also", [])) <= DECKS - {t["deck"]}, f"{t['id']}: 'also' lists other decks"
        assert t["lesson"] in LESSONS, f"{t['id']}: lesson must be one of 00..15"
        assert t["title"].strip(), f"{t['id']}: empty title"


@pytest.mark.parametrize("deck", sorted(DECKS))
def test_every_deck_contributes_topics(deck):
    assert any(t["deck"] == deck or deck in t.get("also", []) for t in inventory())


def test_every_lesson_has_topics():
    empty = [n for n in LESSONS if not any(t["lesson"] == n for t in inventory())]
    assert not empty, f"lessons without a topic: {empty}"


def test_no_coverage_file_for_an_unknown_lesson():
    stray = [p.name for p in COVERAGE.glob("l*.toml") if p.stem[1:] not in LESSONS]
    assert not stray, f"coverage files for unknown lessons: {stray}"


# ---------------------------------------------------------------- per lesson

@pytest.mark.parametrize("lesson", sorted(LESSONS), ids=lambda n: f"l{n}")
def test_lesson_coverage(lesson):
    problems = lesson_problems(lesson)
    assert not problems, f"lesson {lesson} ({LESSONS[lesson]}): {len(problems)} problem(s)\n  " + "\n  ".join(problems)


# ---------------------------------------------------------------- the checker checks (so it cannot pass vacuously)

def test_heading_parser_finds_all_levels_and_skips_code(tmp_path):
    nb = {"cells": [
        {"cell_type": "markdown", "metadata": {}, "source": ["# Title\n", "text\n", "### The learning rule ##\n"]},
        {"cell_type": "markdown", "metadata": {}, "source": "```\n# not a heading\n```\n#no space\n"},
        {"cell_type": "code", "metadata": {}, "source": "# a comment", "outputs": [], "execution_count": None},
    ], "metadata": {}, "nbformat": 4, "nbformat_minor": 5}
    path = tmp_path / "nb.ipynb"
    path.write_text(json.dumps(nb))
    assert markdown_headings(path) == ["Title", "The learning rule"]


def test_dotted_path_resolution():
    assert resolve_dotted("nnlib.module.Sequential.forward") is None
    assert resolve_dotted("nnlib.module") is None
    assert "no attribute 'Nope'" in resolve_dotted("nnlib.module.Nope")
    assert "must start with 'nnlib.'" in resolve_dotted("numpy.sum")
    assert resolve_dotted("nnlib.no_such_module") is not None


def test_test_reference_check():
    assert check_test_reference("tests/test_coverage.py::test_dotted_path_resolution") is None
    assert check_test_reference("tests/test_coverage.py::test_lesson_coverage[l00]") is None
    assert "defines no test function" in check_test_reference("tests/test_coverage.py::test_nothing")
    assert "does not exist" in check_test_reference("tests/no_file.py::test_x")
    assert "must look like" in check_test_reference("tests/test_coverage.py")


def test_lesson_check_reports_every_kind_of_broken_reference(tmp_path, monkeypatch):
    """Run the per-lesson check on a small fake course tree."""
    (tmp_path / "notebooks" / "coverage").mkdir(parents=True)
    (tmp_path / "tests").mkdir()
    (tmp_path / "solutions").mkdir()
    (tmp_path / "notebooks" / "coverage" / "topics.toml").write_text(
        '[[topic]]\nid = "good"\ndeck = "000"\ntitle = "A"\nlesson = "02"\n\n'
        '[[topic]]\nid = "bad"\ndeck = "000"\ntitle = "B"\nlesson = "02"\n\n'
        '[[topic]]\nid = "forgotten"\ndeck = "001"\ntitle = "C"\nlesson = "02"\n\n'
        '[[topic]]\nid = "elsewhere"\ndeck = "001"\ntitle = "D"\nlesson = "03"\n')
    (tmp_path / "notebooks" / "coverage" / "l02.toml").write_text(
        '[[topic]]\nid = "good"\nsection = "The rule"\nnnlib = "nnlib.module.Module"\n'
        'test = "tests/test_a.py::test_rule"\nexercise = "ex02-rule"\n\n'
        '[[topic]]\nid = "bad"\nsection = "The rules"\nnnlib = "nnlib.module.Nothing"\n'
        'test = "tests/test_a.py::test_missing"\nexercise = "ex02-none"\n\n'
        '[[topic]]\nid = "elsewhere"\nsection = "The rule"\nnnlib = ""\n'
        'test = "tests/test_b.py::test_x"\nexercise = ""\n')
    nb = {"cells": [{"cell_type": "markdown", "metadata": {}, "source": "## The rule"}],
          "metadata": {}, "nbformat": 4, "nbformat_minor": 5}
    (tmp_path / "notebooks" / "02_perceptron.ipynb").write_text(json.dumps(nb))
    (tmp_path / "tests" / "test_a.py").write_text("def test_rule():\n    pass\n")
    sol = {"cells": [{"cell_type": "code", "metadata": {"nbgrader": {"grade_id": "ex02-rule"}},
                      "source": "", "outputs": [], "execution_count": None}],
           "metadata": {}, "nbformat": 4, "nbformat_minor": 5}
    (tmp_path / "solutions" / "ex02_perceptron.ipynb").write_text(json.dumps(sol))

    module = sys.modules[__name__]
    for fn in (inventory, grade_ids, _test_functions):
        fn.cache_clear()
    monkeypatch.setattr(module, "ROOT", tmp_path)
    monkeypatch.setattr(module, "COVERAGE", tmp_path / "notebooks" / "coverage")
    try:
        problems = "\n".join(lesson_problems("02"))
        assert lesson_problems("04")[0].startswith("notebooks/coverage/l04.toml does not exist")
    finally:
        for fn in (inventory, grade_ids, _test_functions):
            fn.cache_clear()
    assert "[good]" not in problems
    assert "no markdown heading 'The rules' in 02_perceptron.ipynb (closest heading: 'The rule')" in problems
    assert "nnlib nnlib.module has no attribute 'Nothing'" in problems
    assert "tests/test_a.py defines no test function test_missing" in problems
    assert "exercise 'ex02-none' is no grade_id" in problems
    assert "[elsewhere]: topics.toml assigns this topic to lesson 03" in problems
    assert "test file tests/test_b.py does not exist" in problems
    assert "does not map 1 topic(s): forgotten" in problems
