"""Every stored figure fits JupyterLab's output area, and every widget stores a picture beside it.

The output area of a notebook in JupyterLab at a 1280 px window is 968 px wide; a wider figure is
shrunk, and its text with it. A figure's displayed width is the ``width`` metadata of its PNG when
present (retina PNGs are shown at half their pixel size), else its pixel width. Checked on the
stored outputs of every notebook in notebooks/ and solutions/, so a figure that grows fails here.
"""

import json
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "scripts"))

import contact_sheet  # noqa: E402

from nncourse.style import MAX_WIDTH_PX  # noqa: E402

NOTEBOOKS = sorted((ROOT / "notebooks").glob("[0-9][0-9]_*.ipynb")) + sorted((ROOT / "solutions").glob("*.ipynb"))
WIDGET_MIME = "application/vnd.jupyter.widget-view+json"


def outputs(path):
    for number, cell in enumerate(json.loads(path.read_text(encoding="utf-8"))["cells"]):
        for output in cell.get("outputs", []):
            yield number, output


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: f"{p.parent.name}/{p.stem}")
def test_no_stored_figure_is_wider_than_the_output_area(path):
    too_wide = [(number, width) for number, figure, width, _ in contact_sheet.stored_figures(path)
                if width > MAX_WIDTH_PX]
    assert not too_wide, (f"{path.relative_to(ROOT)}: figures wider than {MAX_WIDTH_PX} px (cell, px): {too_wide}; "
                          f"size them with nncourse.style.figsize() and call style.use() in the first cell")


@pytest.mark.parametrize("path", [p for p in NOTEBOOKS if p.stem[:2] in ("00", "01")], ids=lambda p: p.stem)
def test_every_widget_stores_a_picture_for_readers_without_a_kernel(path):
    missing = [number for number, output in outputs(path)
               if WIDGET_MIME in output.get("data", {}) and "image/png" not in output["data"]]
    assert not missing, f"{path.name}: widget outputs without a stored image/png in cells {missing}"


def test_displayed_width_reads_the_retina_metadata():
    retina = {"metadata": {"image/png": {"width": 470, "height": 291}}}
    assert contact_sheet.displayed_width(retina, 940) == 470
    assert contact_sheet.displayed_width({"metadata": {}}, 1200) == 1200


def test_contact_sheet_shows_every_figure_of_a_lesson(tmp_path):
    lesson = ROOT / "notebooks" / "01_neurons_threshold_units.ipynb"
    figures = contact_sheet.stored_figures(lesson)
    assert len(figures) >= 4 and any(is_widget for *_, is_widget in figures)
    contact_sheet.main([str(lesson), "--out", str(tmp_path)])
    sheet = tmp_path / "01_neurons_threshold_units.png"
    from PIL import Image

    with Image.open(sheet) as image:
        assert image.width == contact_sheet.SHEET_WIDTH
        assert image.height > sum(f[1].height for f in figures) / 2
