"""Render every stored figure of every lesson notebook onto one contact sheet per lesson.

Usage::

    python scripts/contact_sheet.py                       # notebooks/*.ipynb -> contact-sheets/
    python scripts/contact_sheet.py notebooks/01_neurons_threshold_units.ipynb --out /tmp/sheets

Each figure is drawn at the size a reader sees it in JupyterLab (a retina PNG at half its pixel
size, as its ``width`` metadata says), under a caption with the cell number, the figure's displayed
width and whether it is a widget's stored picture. A figure wider than the notebook's output area
(968 px at a 1280 px window) gets a red frame and "TOO WIDE" in its caption. The sheets are for
review at a glance; ``tests/test_figures.py`` enforces the width.
"""

import argparse
import base64
import io
import json
import sys
from pathlib import Path

from PIL import Image, ImageDraw

MAX_WIDTH_PX = 968          # JupyterLab's output area at a 1280 px window (nncourse.style.MAX_WIDTH_PX)
WIDGET_MIME = "application/vnd.jupyter.widget-view+json"
SHEET_WIDTH = 2 * MAX_WIDTH_PX + 3 * 24
MARGIN, CAPTION = 24, 22


def stored_figures(path):
    """``[(cell number, PIL image at displayed size, displayed width, is_widget)]`` of a notebook."""
    nb = json.loads(Path(path).read_text(encoding="utf-8"))
    figures = []
    for number, cell in enumerate(nb["cells"]):
        for output in cell.get("outputs", []):
            data = output.get("data", {})
            if "image/png" not in data:
                continue
            image = Image.open(io.BytesIO(base64.b64decode(data["image/png"]))).convert("RGB")
            width = displayed_width(output, image.width)
            height = round(image.height * width / image.width)
            figures.append((number, image.resize((width, height), Image.LANCZOS), width, WIDGET_MIME in data))
    return figures


def displayed_width(output, pixel_width):
    """Width in CSS pixels: the ``width`` metadata of the PNG when present, else its pixel width."""
    metadata = output.get("metadata", {}).get("image/png", {})
    return int(metadata.get("width", pixel_width))


def contact_sheet(path):
    """One image with every stored figure of the notebook at ``path``, two per row at most."""
    figures = stored_figures(path)
    rows, row, used = [], [], MARGIN
    for figure in figures:
        width = min(figure[1].width, SHEET_WIDTH - 2 * MARGIN)
        if row and used + width + MARGIN > SHEET_WIDTH:
            rows.append(row)
            row, used = [], MARGIN
        row.append(figure)
        used += width + MARGIN
    if row:
        rows.append(row)
    heights = [max(f[1].height for f in r) + CAPTION + MARGIN for r in rows]
    sheet = Image.new("RGB", (SHEET_WIDTH, 40 + sum(heights) + MARGIN), "white")
    draw = ImageDraw.Draw(sheet)
    draw.text((MARGIN, 12), f"{Path(path).name}: {len(figures)} stored figures", fill="black")
    y = 40
    for r, height in zip(rows, heights):
        x = MARGIN
        for number, image, width, is_widget in r:
            too_wide = width > MAX_WIDTH_PX
            caption = f"cell {number}: {width} px" + (" (widget picture)" if is_widget else "")
            draw.text((x, y), caption + ("  TOO WIDE" if too_wide else ""), fill="red" if too_wide else "black")
            shown = image if image.width <= SHEET_WIDTH - 2 * MARGIN else image.resize(
                (SHEET_WIDTH - 2 * MARGIN, round(image.height * (SHEET_WIDTH - 2 * MARGIN) / image.width)))
            sheet.paste(shown, (x, y + CAPTION))
            frame = "red" if too_wide else "#bbbbbb"
            draw.rectangle([x - 1, y + CAPTION - 1, x + shown.width, y + CAPTION + shown.height], outline=frame,
                           width=3 if too_wide else 1)
            x += shown.width + MARGIN
        y += height
    return sheet


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("notebooks", nargs="*", help="notebooks (default: notebooks/*.ipynb)")
    parser.add_argument("--out", default="contact-sheets", help="folder for the sheets (PNG)")
    args = parser.parse_args(argv)
    root = Path(__file__).resolve().parents[1]
    paths = [Path(p) for p in args.notebooks] or sorted((root / "notebooks").glob("[0-9][0-9]_*.ipynb"))
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    for path in paths:
        sheet = contact_sheet(path)
        target = out / f"{path.stem}.png"
        sheet.save(target, optimize=True)
        widest = max((f[2] for f in stored_figures(path)), default=0)
        print(f"{target}  ({sheet.width}x{sheet.height}, widest figure {widest} px)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
