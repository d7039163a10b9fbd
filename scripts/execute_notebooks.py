"""Re-execute notebooks in place and store clean, deterministic outputs.

Usage::

    python scripts/execute_notebooks.py notebooks solutions          # every notebook in the folders
    python scripts/execute_notebooks.py notebooks/02_perceptron.ipynb  # just one

Each notebook runs top to bottom in a fresh kernel of the current Python
environment, with the notebook's folder as working directory. Afterwards the
volatile parts are removed so that a re-run changes nothing in git: execution
timing metadata, widget state, and kernel-specific notebook metadata. Widget
outputs keep their place but lose the random model id (JupyterLab then shows
nothing instead of "Error displaying widget: model not found" until the cell is
run again) and get a plain-text line for viewers without a kernel. The time
each notebook took is printed (this is the number quoted for "under a minute").
"""

import argparse
import sys
import time
from pathlib import Path

import nbformat
from nbclient import NotebookClient

TIMEOUT_PER_CELL = 120  # seconds
KERNEL_NAME = "python3"
WIDGET_MIME = "application/vnd.jupyter.widget-view+json"
WIDGET_TEXT = "Interactive widget: run the notebook in JupyterLab (Run > Run All Cells) to use it."


def clean(nb):
    """Drop metadata that changes on every run."""
    nb.metadata.pop("widgets", None)
    nb.metadata["kernelspec"] = {"display_name": "Python 3 (ipykernel)", "language": "python", "name": KERNEL_NAME}
    nb.metadata["language_info"] = {"name": "python", "pygments_lexer": "ipython3"}
    for cell in nb.cells:
        cell.metadata.pop("execution", None)
        cell.metadata.pop("collapsed", None)
        cell.metadata.pop("scrolled", None)
        for output in cell.get("outputs", []):
            data = output.get("data", {})
            if WIDGET_MIME in data:  # the model lives only as long as the kernel did
                data[WIDGET_MIME]["model_id"] = ""
                data["text/plain"] = WIDGET_TEXT
    return nb


def execute(path):
    """Execute one notebook in place; return the seconds it took."""
    nb = nbformat.read(path, as_version=4)
    client = NotebookClient(
        nb,
        timeout=TIMEOUT_PER_CELL,
        kernel_name=KERNEL_NAME,
        resources={"metadata": {"path": str(path.parent)}},
        record_timing=False,
    )
    start = time.perf_counter()
    client.execute()
    seconds = time.perf_counter() - start
    nbformat.write(clean(nb), path)
    return seconds


def collect(targets):
    paths = []
    for target in targets:
        target = Path(target)
        if target.is_dir():
            paths.extend(sorted(target.glob("*.ipynb")))
        else:
            paths.append(target)
    return [p for p in paths if ".ipynb_checkpoints" not in p.parts]


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("targets", nargs="+", help="notebooks or folders of notebooks")
    args = parser.parse_args(argv)
    failed = []
    for path in collect(args.targets):
        try:
            seconds = execute(path)
        except Exception as err:  # report and go on with the others
            failed.append(path)
            print(f"FAILED  {path}: {type(err).__name__}: {str(err)[:500]}", flush=True)
            continue
        print(f"{seconds:6.1f} s  {path}", flush=True)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
