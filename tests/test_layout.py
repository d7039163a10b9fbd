"""The two packages: nnlib is the maths and needs numpy alone; nncourse is built on it."""

import ast
import pkgutil
import subprocess
import sys
from pathlib import Path

import pytest

import nnlib

ROOT = Path(__file__).resolve().parents[1]
HEAVY = ("matplotlib", "ipywidgets", "nbclient", "nbformat", "IPython", "nncourse")
NNLIB_MODULES = sorted(m.name for m in pkgutil.walk_packages(nnlib.__path__, "nnlib."))


def test_there_are_library_modules_to_check():
    assert {"nnlib.layers", "nnlib.regularization", "nnlib.threshold", "nnlib.preprocessing"} <= set(NNLIB_MODULES)


@pytest.mark.parametrize("module", ["nnlib", *NNLIB_MODULES])
def test_importing_the_library_pulls_in_numpy_only(module):
    code = (f"import sys, {module}; "
            f"print(' '.join(m for m in {HEAVY!r} if m in sys.modules))")
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT, check=True)
    assert done.stdout.strip() == "", f"import {module} also imports: {done.stdout.strip()}"


def _imported_top_levels(path):
    tree = ast.parse(path.read_text(encoding="utf-8"))
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            yield from (alias.name.split(".")[0] for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            yield node.module.split(".")[0]


@pytest.mark.parametrize("path", sorted((ROOT / "nnlib").rglob("*.py")), ids=lambda p: p.relative_to(ROOT).as_posix())
def test_library_source_imports_only_numpy_and_the_standard_library(path):
    allowed = {"numpy", "nnlib", *sys.stdlib_module_names}
    imported = set(_imported_top_levels(path))
    assert imported <= allowed, f"{path.name} imports {sorted(imported - allowed)}"


@pytest.mark.parametrize("path", sorted([*(ROOT / "nnlib").rglob("*.py"), *(ROOT / "nncourse").rglob("*.py")]),
                         ids=lambda p: p.relative_to(ROOT).as_posix())
def test_no_module_is_longer_than_about_500_lines(path):
    lines = len(path.read_text(encoding="utf-8").splitlines())
    assert lines <= 550, f"{path.relative_to(ROOT)} has {lines} lines; split it by concept"


def test_ruff_is_clean():
    done = subprocess.run([sys.executable, "-m", "ruff", "check", "--output-format", "concise", "."],
                          capture_output=True, text=True, cwd=ROOT)
    assert done.returncode == 0, done.stdout + done.stderr
