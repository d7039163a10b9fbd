"""The pinned course environment: requirements.txt and environment.yml must agree."""

from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]


def _requirement_lines():
    lines = (ROOT / "requirements.txt").read_text().splitlines()
    return [line.strip() for line in lines if line.strip() and not line.startswith("#")]


def _environment_pip_lines():
    lines = (ROOT / "environment.yml").read_text().splitlines()
    start = lines.index("  - pip:")
    pip_lines = []
    for line in lines[start + 1:]:
        if not line.startswith("      - "):
            break
        pip_lines.append(line.removeprefix("      - ").strip())
    return pip_lines


def test_every_requirement_is_pinned_exactly():
    for line in _requirement_lines():
        assert "==" in line, f"requirements.txt: '{line}' is not pinned with =="


@pytest.mark.parametrize("package", ["numpy", "matplotlib", "ipywidgets", "jupyterlab", "nbval", "pytest"])
def test_core_packages_are_pinned(package):
    names = [line.split("==")[0].lower() for line in _requirement_lines()]
    assert package in names


def test_environment_yml_matches_requirements():
    pins = _requirement_lines()
    env = [line for line in _environment_pip_lines() if line != "-e ."]
    assert env == pins, "environment.yml pip list and requirements.txt differ"
    assert "-e ." in _environment_pip_lines(), "environment.yml must install the course itself"


def test_environment_yml_uses_python_311():
    assert "  - python=3.11" in (ROOT / "environment.yml").read_text().splitlines()


def test_library_has_only_lower_bounds():
    text = (ROOT / "pyproject.toml").read_text()
    deps = text.split("dependencies = [", 1)[1].split("]", 1)[0]
    assert "==" not in deps and ">=" in deps
