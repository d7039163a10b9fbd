"""House rules every lesson notebook in notebooks/ follows, checked on the stored .ipynb files.

Parametrised per notebook, so lessons added later are covered automatically:
stored outputs, a "Learning goals" heading, a slider cell tagged ``nbval-ignore-output``, a link to
the lesson's exercise notebook, seeded randomness only, the python3 kernel, no stored errors.
"""

import json
import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
NOTEBOOKS = ROOT / "notebooks"

# The fixed lesson file names (CONTRACTS); exercise notebooks share the topic part.
LESSON_NAMES = [
    "00_start_here", "01_neurons_threshold_units", "02_perceptron", "03_single_neuron",
    "04_logistic_to_mlp", "05_backpropagation", "06_training_in_batches", "07_activations_losses",
    "08_initialisation_preprocessing", "09_optimisation", "10_regularisation", "11_training_recipe",
    "12_rbf_networks", "13_convolution", "14_pooling_cnns", "15_recurrent_networks",
]

WIDGET_MIME = "application/vnd.jupyter.widget-view+json"
SLIDER_CALL = re.compile(r"\b(slider|log_slider|\w*Slider|interact|interactive|interact_manual|connect)\s*\(")
LINK = re.compile(r"\]\(([^)\s]+)\)")
HEADING = re.compile(r"^ {0,3}#{1,6}\s+(.*?)\s*#*\s*$", re.MULTILINE)
# np.random.<name>( for anything but the Generator API; also numpy.random.
LEGACY_RANDOM = re.compile(r"\b(?:np|numpy)\.random\.(?!default_rng\b|Generator\b|SeedSequence\b|PCG64\b)(\w+)\s*\(")
UNSEEDED_RNG = re.compile(r"\bdefault_rng\(\s*\)")
STDLIB_RANDOM = re.compile(r"^\s*(import random\b|from random import)", re.MULTILINE)


def lesson_notebooks():
    return sorted(p for p in NOTEBOOKS.glob("[0-9][0-9]_*.ipynb"))


def load(path):
    return json.loads(path.read_text(encoding="utf-8"))


def source(cell):
    return "".join(cell["source"]) if isinstance(cell["source"], list) else cell["source"]


def code_cells(nb):
    return [c for c in nb["cells"] if c["cell_type"] == "code"]


def markdown(nb):
    return "\n".join(source(c) for c in nb["cells"] if c["cell_type"] == "markdown")


def tags(cell):
    return cell.get("metadata", {}).get("tags", [])


def has_widget_output(cell):
    return any(WIDGET_MIME in out.get("data", {}) for out in cell.get("outputs", []))


def strip_comments_and_strings(code):
    """Drop comments and string literals so prose about np.random.seed is not flagged."""
    code = re.sub(r'("""|\'\'\')(?:.|\n)*?\1', "", code)
    code = re.sub(r"(\"[^\"\n]*\"|'[^'\n]*')", "", code)
    return re.sub(r"#.*", "", code)


per_notebook = pytest.mark.parametrize("path", lesson_notebooks(), ids=lambda p: p.stem)


# ---------------------------------------------------------------- per notebook

@per_notebook
def test_is_a_contract_lesson_name(path):
    assert path.stem in LESSON_NAMES, f"{path.name} is not one of the fixed lesson names: {LESSON_NAMES}"


@per_notebook
def test_has_stored_outputs(path):
    cells = code_cells(load(path))
    assert cells, f"{path.name} has no code cells"
    n_cells = len(cells)
    n_executed = sum(c.get("execution_count") is not None for c in cells)
    assert n_executed >= 0.8 * n_cells, (
        f"{path.name}: only {n_executed} of {n_cells} code cells have an execution count; "
        f"run scripts/execute_notebooks.py {path.relative_to(ROOT)} and commit the outputs")
    has_outputs = any(c.get("outputs") for c in cells)
    assert has_outputs, f"{path.name} stores no outputs at all"


@per_notebook
def test_stores_no_error_outputs(path):
    errors = [i for i, c in enumerate(load(path)["cells"])
              if any(o.get("output_type") == "error" for o in c.get("outputs", []))]
    assert not errors, f"{path.name}: cells {errors} store an error output"


@per_notebook
def test_has_learning_goals_heading(path):
    headings = [h.strip().lower() for h in HEADING.findall(markdown(load(path)))]
    assert any(h.startswith("learning goals") for h in headings), (
        f"{path.name} has no 'Learning goals' heading (a markdown line like '## Learning goals')")


@per_notebook
def test_has_a_tagged_slider_cell_and_every_widget_cell_is_tagged(path):
    cells = code_cells(load(path))
    n_sliders = sum(bool(SLIDER_CALL.search(strip_comments_and_strings(source(c))))
                    and has_widget_output(c) and "nbval-ignore-output" in tags(c) for c in cells)
    assert n_sliders > 0, (f"{path.name}: no slider cell (a cell that creates ipywidgets sliders, has a stored "
                     f"widget output and is tagged nbval-ignore-output)")
    untagged = [source(c).splitlines()[0] for c in cells
                if has_widget_output(c) and "nbval-ignore-output" not in tags(c)]
    assert not untagged, f"{path.name}: widget cells without the nbval-ignore-output tag: {untagged}"


# Cells that are not widgets but whose printed output nbval does not compare (tag nbval-ignore-output),
# by lesson and first line, with the reason. Anything else tagged so would hide a changed number.
UNCOMPARED = {
    ("00_start_here", "from nncourse.grading import check"):
        "says how many hidden tests run at grading, which changes whenever an instructor adds one",
    ("05_backpropagation", "# measured on this machine (the numbers vary from run to run, so they are only plotted)"):
        "wall-clock timings",
    ("08_initialisation_preprocessing",
     "# The raw-pixel rows at lr 0.1 and 0.3 come out differently on different computers (see below)."):
        "chaotic runs amplify last-bit rounding differences between processors; the next cell prints "
        "the conclusions, which are compared",
    ("15_recurrent_networks",
     "# The plain RNN at T = 40 comes out differently on different computers (see below)."):
        "the RNN that does not find the task wanders differently per processor; the next cell prints "
        "the conclusions, which are compared",
}


@per_notebook
def test_only_listed_cells_hide_their_output_from_nbval(path):
    hidden = {(path.stem, source(c).splitlines()[0]) for c in code_cells(load(path))
              if "nbval-ignore-output" in tags(c) and not has_widget_output(c)}
    unlisted = hidden - set(UNCOMPARED)
    assert not unlisted, (f"{path.name}: cells tagged nbval-ignore-output that show no widget and are not "
                          f"listed with a reason in UNCOMPARED: {sorted(line for _, line in unlisted)}")
    missing = {key for key in UNCOMPARED if key[0] == path.stem} - hidden
    assert not missing, f"{path.name}: UNCOMPARED lists cells that are not (or no longer) tagged: {missing}"


@per_notebook
def test_links_to_its_exercise_notebook(path):
    if path.stem == "00_start_here":
        pytest.skip("lesson 00 has no exercise of its own; it links all of them (tested below)")
    number, topic = path.stem.split("_", 1)
    expected = f"../exercises/ex{number}_{topic}.ipynb"
    links = LINK.findall(markdown(load(path)))
    assert expected in links, f"{path.name} does not link its exercise notebook {expected}"
    assert (path.parent / expected).resolve().is_file(), (
        f"{path.name} links {expected}, which does not exist (write solutions/ex{number}_{topic}.ipynb, "
        f"then run scripts/make_exercises.py)")


@per_notebook
def test_uses_only_seeded_generators(path):
    problems = []
    for i, cell in enumerate(code_cells(load(path))):
        code = strip_comments_and_strings(source(cell))
        problems += [f"code cell {i}: np.random.{m}(...)" for m in LEGACY_RANDOM.findall(code)]
        if UNSEEDED_RNG.search(code):
            problems.append(f"code cell {i}: default_rng() without a seed")
        if STDLIB_RANDOM.search(code):
            problems.append(f"code cell {i}: the random module")
    assert not problems, (f"{path.name} uses unseeded or global randomness (use "
                          f"np.random.default_rng(seed)): " + "; ".join(problems))


@per_notebook
def test_kernel_is_python3(path):
    spec = load(path)["metadata"].get("kernelspec", {})
    assert spec.get("name") == "python3", f"{path.name}: kernelspec name is {spec.get('name')!r}, not 'python3'"


# ---------------------------------------------------------------- lesson 00's map of the series

def test_start_here_links_every_lesson_and_exercise():
    links = set(LINK.findall(markdown(load(NOTEBOOKS / "00_start_here.ipynb"))))
    missing = []
    for name in LESSON_NAMES[1:]:
        number, topic = name.split("_", 1)
        missing += [link for link in (f"{name}.ipynb", f"../exercises/ex{number}_{topic}.ipynb")
                    if link not in links]
    assert not missing, f"00_start_here.ipynb does not link: {missing}"


@pytest.mark.parametrize("name", LESSON_NAMES[1:])
def test_start_here_links_resolve(name):
    number, topic = name.split("_", 1)
    missing = [link for link in (f"{name}.ipynb", f"../exercises/ex{number}_{topic}.ipynb")
               if not (NOTEBOOKS / link).resolve().is_file()]
    assert not missing, f"00_start_here links {missing}, which do(es) not exist yet"


# ---------------------------------------------------------------- the checks themselves

def test_randomness_patterns():
    flagged = "x = np.random.rand(3)\nnp.random.seed(0)\nrng = np.random.default_rng()\n"
    fine = "rng = np.random.default_rng(0)  # not np.random.seed(0)\ns = 'np.random.randn(2)'\n"
    assert LEGACY_RANDOM.findall(strip_comments_and_strings(flagged)) == ["rand", "seed"]
    assert UNSEEDED_RNG.search(strip_comments_and_strings(flagged))
    assert not LEGACY_RANDOM.findall(strip_comments_and_strings(fine))
    assert not UNSEEDED_RNG.search(strip_comments_and_strings(fine))


def test_slider_pattern():
    assert SLIDER_CALL.search("connect(f, draw, w=slider(1.0, 0.0, 2.0))")
    assert SLIDER_CALL.search("interact(f, w=widgets.FloatSlider(value=1))")
    assert not SLIDER_CALL.search("from nncourse.widgets import connect, slider")
