"""Build the course website (static HTML that works opened from disk, offline) with Jupyter Book 1.x.

    python scripts/build_site.py --out build/site                 # lessons, exercises, solutions
    python scripts/build_site.py --out build/site --no-solutions  # leave the worked solutions out

Nothing is executed: every page shows the outputs stored in the notebooks (the same ones nbval
checks). The script stages a book in ``build/book-src`` that mirrors the repository's layout
(``notebooks/``, ``exercises/``, ``solutions/``), so the links between lessons and exercises work
unchanged, and adds four generated pages: how the course works (from README.md), the coverage map
(from ``notebooks/coverage/*.toml``), the lecture errata (every lesson's "Where the slides differ"
section) and, on every page with a slider, a note that the figure is live in JupyterLab.

Maths is typeset by a MathJax 3 copy served from the site itself (sphinx-mathjax-offline), widget
outputs show their stored static figure (myst-nb is told to skip the widget-view mime type), and no
page loads anything from the network.
"""

import argparse
import copy
import json
import re
import shutil
import subprocess
import sys
import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
WIDGET_VIEW = "application/vnd.jupyter.widget-view+json"
WIDGET_STATE = "application/vnd.jupyter.widget-state+json"
ERRATA_HEADING = re.compile(r"^(#+)\s*Where the slides differ", re.M)
HEADING = re.compile(r"^(#+)\s", re.M)
WIDGET_NOTE = ("*This figure is interactive in JupyterLab: open the notebook there (`make lab`), run all "
               "cells and move the controls. Here it shows its default setting.*")

CONFIG = """\
title: "Neural networks, from the perceptron to CNNs"
author: "the nnlib-course authors"
copyright: "2026"
only_build_toc_files: true
execute:
  execute_notebooks: "off"
html:
  use_download_button: true
  use_repository_button: false
  use_issues_button: false
  use_edit_page_button: false
  home_page_in_navbar: true
  extra_footer: "Built from the course's notebooks with their stored outputs."
launch_buttons:
  notebook_interface: "jupyterlab"
  binderhub_url: ""
  colab_url: ""
  thebe: false
parse:
  myst_enable_extensions: ["dollarmath", "amsmath", "colon_fence", "deflist", "html_image", "smartquotes"]
sphinx:
  extra_extensions: ["sphinx-mathjax-offline", "sphinx.ext.githubpages"]
  config:
    html_show_copyright: true
    html_theme_options:
      use_download_button: true
      navigation_with_keys: false
    html_static_path: ["_static"]
    html_css_files: ["course.css"]
    myst_dmath_double_inline: true
    nb_ipywidgets_js: {}
    nb_mime_priority_overrides:
      - ["html", "application/vnd.jupyter.widget-view+json", null]
      - ["html", "application/vnd.jupyter.widget-state+json", null]
    suppress_warnings: ["myst.header", "mystnb.unknown_mime_type"]
"""

# Printing (make pdf): keep figures, outputs and code blocks whole on a page.
PRINT_CSS = """\
@media print {
  img, figure, .cell_output, div.highlight, table, .admonition { break-inside: avoid; page-break-inside: avoid; }
  h1, h2, h3 { break-after: avoid; page-break-after: avoid; }
  pre { white-space: pre-wrap !important; word-break: break-word; }
  .bd-header, .bd-sidebar-primary, .bd-sidebar-secondary, .header-article, .prev-next-area, footer,
  .bd-footer, .bd-footer-article, .bd-header-article { display: none !important; }
  .bd-main .bd-content .bd-article-container { max-width: 100% !important; }
}
"""


def read_notebook(path):
    return json.loads(Path(path).read_text(encoding="utf-8"))


def write_notebook(nb, path):
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(nb, indent=1, ensure_ascii=False) + "\n", encoding="utf-8")


def markdown_cell(text, cell_id):
    return {"cell_type": "markdown", "id": cell_id, "metadata": {}, "source": text}


def prepare_notebook(nb, banner=None):
    """A copy for the site: widget state dropped, a note under every widget, an optional banner."""
    nb = copy.deepcopy(nb)
    nb.get("metadata", {}).pop("widgets", None)
    for cell in nb["cells"]:
        if cell["cell_type"] != "code":
            continue
        outputs = []
        for output in cell.get("outputs", []):
            outputs.append(output)
            if WIDGET_VIEW in output.get("data", {}):
                outputs.append({"output_type": "display_data", "metadata": {},
                                "data": {"text/markdown": WIDGET_NOTE, "text/plain": WIDGET_NOTE}})
        cell["outputs"] = outputs
    if banner:
        nb["cells"].insert(1, markdown_cell(banner, "site-banner"))
    return nb


def title_of(nb, fallback):
    for cell in nb["cells"]:
        if cell["cell_type"] == "markdown":
            match = re.search(r"^#\s+(.+)$", "".join(cell["source"]), re.M)
            if match:
                return match.group(1).strip()
    return fallback


def errata_cells(nb):
    """The cells of a notebook's "Where the slides differ" section (heading to the next heading as high)."""
    cells, level = [], None
    for cell in nb["cells"]:
        text = "".join(cell["source"])
        if cell["cell_type"] == "markdown":
            match = ERRATA_HEADING.search(text)
            heading = HEADING.search(text)
            if match:
                level = len(match.group(1))
                text = ERRATA_HEADING.sub("### Where the slides differ", text, count=1)
                cells.append(markdown_cell(text, f"{cell.get('id', 'cell')}-errata"))
                continue
            if level is not None and heading and len(heading.group(1)) <= level:
                level = None
        if level is not None:
            cells.append(copy.deepcopy(cell))
    return cells


def errata_notebook(lessons):
    cells = [markdown_cell(
        "# Lecture errata\n\nWhere a lecture deck the course follows contains a mistake, the lesson says so in a "
        "section called *Where the slides differ*. They are collected here, lesson by lesson, with the "
        "calculation that shows the right version.", "errata-title")]
    for path, nb in lessons:
        found = errata_cells(nb)
        if found:
            cells.append(markdown_cell(f"## [{title_of(nb, path.stem)}](notebooks/{path.name})", f"errata-{path.stem}"))
            cells.extend(found)
    if len(cells) == 1:
        cells.append(markdown_cell("No lesson lists a difference from the slides yet.", "errata-none"))
    return {"cells": cells, "metadata": {"kernelspec": {"name": "python3", "display_name": "Python 3",
                                                        "language": "python"}},
            "nbformat": 4, "nbformat_minor": 5}


def coverage_page():
    lines = ["# Coverage map", "",
             "Every topic of the lecture decks, the lesson section that teaches it, the `nnlib` object that "
             "implements it, and the exercise item that practises it (from `notebooks/coverage/`).", ""]
    for path in sorted((ROOT / "notebooks" / "coverage").glob("l[0-9][0-9].toml")):
        data = tomllib.loads(path.read_text(encoding="utf-8"))
        lines += [f"## Lesson {path.stem[1:]}", "", "| topic | section | code | exercise |", "|---|---|---|---|"]
        for topic in data.get("topic", []):
            code = f"`{topic['nnlib']}`" if topic.get("nnlib") else ""
            exercise = f"`{topic['exercise']}`" if topic.get("exercise") else ""
            lines.append(f"| {topic['id']} | {topic.get('section', '')} | {code} | {exercise} |")
        lines.append("")
    return "\n".join(lines)


def intro_page(staged_files):
    """README.md as the home page; links to files that are not on the site become plain text."""
    text = (ROOT / "README.md").read_text(encoding="utf-8")

    def relink(match):
        label, target = match.group(1), match.group(2)
        if re.match(r"^[a-z]+://|^#|^mailto:", target):
            return match.group(0)
        return match.group(0) if target.split("#")[0] in staged_files else f"{label} (`{target}`)"

    return re.sub(r"\[([^\]]+)\]\(([^)\s]+)\)", relink, text)


def stage(src, solutions):
    """Write the book's sources into ``src``; return the table of contents."""
    if src.exists():
        shutil.rmtree(src)
    (src / "_static").mkdir(parents=True)
    (src / "_static" / "course.css").write_text(PRINT_CSS, encoding="utf-8")
    lessons = [(p, read_notebook(p)) for p in sorted((ROOT / "notebooks").glob("[0-9][0-9]_*.ipynb"))]
    for path, nb in lessons:
        write_notebook(prepare_notebook(nb), src / "notebooks" / path.name)
    exercise_banner = ("```{note}\nThis is the student copy, shown read-only. Open it in JupyterLab "
                       "(`make lab`, then `exercises/`) to write your answers and run `check(...)`.\n```")
    exercises = sorted((ROOT / "exercises").glob("ex[0-9][0-9]_*.ipynb"))
    for path in exercises:
        write_notebook(prepare_notebook(read_notebook(path), exercise_banner), src / "exercises" / path.name)
    solved = sorted((ROOT / "solutions").glob("ex[0-9][0-9]_*.ipynb")) if solutions else []
    solution_banner = "```{important}\nWorked solution, for instructors and for checking your own work afterwards.\n```"
    for path in solved:
        write_notebook(prepare_notebook(read_notebook(path), solution_banner), src / "solutions" / path.name)
    write_notebook(errata_notebook(lessons), src / "errata.ipynb")
    (src / "coverage.md").write_text(coverage_page(), encoding="utf-8")
    staged = {f"notebooks/{p.name}" for p, _ in lessons} | {f"exercises/{p.name}" for p in exercises}
    staged |= {f"solutions/{p.name}" for p in solved}
    (src / "intro.md").write_text(intro_page(staged), encoding="utf-8")
    (src / "_config.yml").write_text(CONFIG, encoding="utf-8")
    parts = [("Lessons", [f"notebooks/{p.stem}" for p, _ in lessons]),
             ("Exercises (student copies)", [f"exercises/{p.stem}" for p in exercises]),
             ("About the course", ["coverage", "errata"])]
    if solved:
        parts.insert(2, ("Worked solutions", [f"solutions/{p.stem}" for p in solved]))
    toc = ["format: jb-book", "root: intro", "parts:"]
    for caption, files in parts:
        toc.append(f"  - caption: \"{caption}\"")
        toc.append("    chapters:")
        toc += [f"      - file: {name}" for name in files]
    (src / "_toc.yml").write_text("\n".join(toc) + "\n", encoding="utf-8")
    return parts


def build(out, solutions=True, quiet=True):
    src = ROOT / "build" / "book-src"
    stage(src, solutions)
    command = [str(Path(sys.executable).parent / "jupyter-book"), "build", str(src), "--builder", "html", "--all"]
    if quiet:
        command.append("--quiet")
    subprocess.run(command, check=True, cwd=ROOT)
    out = Path(out)
    if out.exists():
        shutil.rmtree(out)
    shutil.copytree(src / "_build" / "html", out)
    # Sphinx keeps the notebooks it rendered under _sources for the download button; nothing else is needed.
    return out


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=ROOT / "build" / "site", help="folder for the site")
    parser.add_argument("--no-solutions", action="store_true", help="leave the worked solutions out")
    parser.add_argument("--verbose", action="store_true", help="show Sphinx's output")
    args = parser.parse_args(argv)
    out = build(args.out, solutions=not args.no_solutions, quiet=not args.verbose)
    print(f"wrote {out} (open {out / 'index.html'} in a browser; it works offline)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
