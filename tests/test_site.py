"""The course website and its PDFs: built offline, checked in headless Chromium.

Builds the whole site once (``scripts/build_site.py``, about 40 s), then opens every page from disk
in Debian's Chromium with every request that would leave the machine refused and recorded, and
checks: no such request, maths typeset (no raw TeX delimiters left in the prose), every image
loaded, every internal link pointing at a file of the site, every widget shown as its stored static
figure with the note that it is live in JupyterLab. Finally prints lesson 05 to PDF and reads the
worked numbers back out of it.
"""

import json
import re
import sys
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import unquote, urlparse

import pytest

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "scripts"))

import build_pdf  # noqa: E402
import build_site  # noqa: E402

pytestmark = [pytest.mark.browser, pytest.mark.slow]

# Raw TeX left in the rendered prose means MathJax did not typeset it.
RAW_TEX = re.compile(r"\$\$|\\\(|\\\)|\\\[|\\\]|\\frac|\\mathbf|\\sum|\$\\")
PROSE_TEXT = """() => {
    const copy = document.querySelector('main, article, body').cloneNode(true);
    copy.querySelectorAll('pre, code, script, style, mjx-container, .cell_output, .output, .highlight, '
                          + 'nav, .headerlink').forEach(node => node.remove());
    return copy.innerText;
}"""
TABS = 4
BROKEN_IMAGES = "() => Array.from(document.images).filter(img => !(img.complete && img.naturalWidth > 0)).map(img => img.src)"


@pytest.fixture(scope="module")
def chromium():
    if build_pdf.find_chromium() is None:
        pytest.skip("Debian's chromium is not installed (apt-get install chromium; .ci/run does this)")


@pytest.fixture(scope="module")
def site(tmp_path_factory):
    return build_site.build(tmp_path_factory.mktemp("site") / "html", solutions=True)


@pytest.fixture(scope="module")
def browser(chromium):
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = build_pdf.launch(playwright)
        yield browser
        browser.close()


class _Links(HTMLParser):
    def __init__(self):
        super().__init__()
        self.targets = []

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "a" and attrs.get("href"):
            self.targets.append(attrs["href"])
        if tag in ("img", "script") and attrs.get("src"):
            self.targets.append(attrs["src"])
        if tag == "link" and attrs.get("href"):
            self.targets.append(attrs["href"])


def pages(site):
    """The site's pages (not the theme's template fragments under _static)."""
    return sorted(p for p in site.rglob("*.html") if not p.relative_to(site).parts[0].startswith("_"))


def test_the_site_has_every_part_in_order(site):
    lessons = [p.stem for p in build_pdf.lesson_pages(site)]
    assert lessons == sorted(p.stem for p in (ROOT / "notebooks").glob("[0-9][0-9]_*.ipynb"))
    for part in ("exercises", "solutions"):
        built = sorted(p.stem for p in (site / part).glob("ex*.html"))
        assert built == sorted(p.stem for p in (ROOT / part).glob("ex[0-9][0-9]_*.ipynb"))
    for page in ("index.html", "intro.html", "coverage.html", "errata.html"):
        assert (site / page).exists(), page
    index = (site / "intro.html").read_text(encoding="utf-8")
    assert index.index("Lessons") < index.index("Exercises") < index.index("Worked solutions")


def test_the_errata_page_has_every_lesson_that_says_where_the_slides_differ(site):
    errata = (site / "errata.html").read_text(encoding="utf-8")
    with_errata = [path for path in sorted((ROOT / "notebooks").glob("[0-9][0-9]_*.ipynb"))
                   if build_site.errata_cells(json.loads(path.read_text(encoding="utf-8")))]
    assert len(with_errata) >= 10, [p.stem for p in with_errata]
    for path in with_errata:
        assert f'href="notebooks/{path.stem}.html"' in errata, f"errata page lacks {path.stem}"
    assert "keep" in errata and "ADADELTA" in errata and "Hadamard" in errata


def test_without_solutions_the_part_is_left_out(tmp_path):
    src = tmp_path / "src"
    parts = build_site.stage(src, solutions=False)
    assert [caption for caption, _ in parts] == ["Lessons", "Exercises (student copies)", "About the course"]
    assert not (src / "solutions").exists()
    assert "solutions/" not in (src / "_toc.yml").read_text()


def test_every_internal_link_and_asset_resolves(site):
    missing = []
    for page in pages(site):
        parser = _Links()
        parser.feed(page.read_text(encoding="utf-8"))
        for target in parser.targets:
            url = urlparse(target)
            if url.scheme or target.startswith(("#", "mailto:", "data:")) or not url.path:
                continue
            if not (page.parent / unquote(url.path)).resolve().exists():
                missing.append(f"{page.relative_to(site)} -> {target}")
    assert not missing, "broken links:\n" + "\n".join(missing[:20])


def test_no_page_links_to_the_network_for_its_assets(site):
    # links to other web sites in the prose are fine; scripts, styles and images must be local
    remote = []
    for page in pages(site):
        html = page.read_text(encoding="utf-8")
        remote += [f"{page.relative_to(site)}: {m}" for m in
                   re.findall(r'<(?:script|img|link)[^>]+(?:src|href)="(https?://[^"]+)"', html)]
    assert not remote, "\n".join(remote[:20])


def test_every_page_loads_offline_with_maths_typeset_and_images_loaded(site, browser):
    problems, all_pages = [], pages(site)
    assert len(all_pages) >= 16 + 2 * 15
    for start in range(0, len(all_pages), TABS):  # a few tabs at a time: MathJax typesets them in parallel
        opened = []
        for html in all_pages[start:start + TABS]:
            blocked = []
            opened.append((html.relative_to(site).as_posix(), build_pdf.start_page(browser, html, blocked), blocked))
        for name, page, blocked in opened:
            build_pdf.finish_page(page)
            if blocked:
                problems.append(f"{name}: requests left the machine: {blocked[:3]}")
            broken = page.evaluate(BROKEN_IMAGES)
            if broken:
                problems.append(f"{name}: images did not load: {broken[:3]}")
            raw = RAW_TEX.findall(page.evaluate(PROSE_TEXT))
            if raw:
                problems.append(f"{name}: raw TeX in the text: {sorted(set(raw))}")
            page.close()
    assert not problems, "\n".join(problems)


def test_lesson_maths_is_rendered_by_the_local_mathjax(site, browser):
    page = build_pdf.open_page(browser, site / "notebooks" / "05_backpropagation.html")
    assert page.evaluate("() => document.querySelectorAll('mjx-container').length") > 50
    assert page.evaluate("() => MathJax.version").startswith("3.")
    page.close()


def test_widgets_show_their_static_figure_and_say_they_are_live_in_jupyterlab(site, browser):
    checked = 0
    for html in build_pdf.lesson_pages(site):
        page = build_pdf.open_page(browser, html)
        notes = page.evaluate("""() => Array.from(document.querySelectorAll('.cell_output p'))
            .filter(p => p.innerText.startsWith('This figure is interactive in JupyterLab'))
            .map(p => { const out = p.closest('.cell_output');
                        return out ? out.querySelectorAll('img').length : 0; })""")
        assert all(images >= 1 for images in notes), f"{html.name}: a widget shows no static figure"
        checked += len(notes)
        page.close()
    assert checked >= 10, f"only {checked} widgets found on the lesson pages"


def test_a_lesson_prints_to_pdf_with_its_worked_numbers(site, browser, tmp_path):
    from pypdf import PdfReader

    (pdf,) = build_pdf.build(site, tmp_path, only="05", browser=browser)
    reader = PdfReader(pdf)
    text = " ".join(page.extract_text() for page in reader.pages)
    assert 10 <= len(reader.pages) <= 80
    for number in ("0.484", "0.168", "0.776"):  # the Karlsruhe 2-3-1 update step
        assert number in text


def _nb(*cells):
    return {"cells": [{"cell_type": kind, "id": f"c{i}", "metadata": {}, "source": text, "outputs": []}
                      if kind == "code" else {"cell_type": kind, "id": f"c{i}", "metadata": {}, "source": text}
                      for i, (kind, text) in enumerate(cells)], "metadata": {}, "nbformat": 4, "nbformat_minor": 5}


def test_errata_section_runs_from_its_heading_to_the_next_heading_as_high():
    nb = _nb(("markdown", "# Lesson"), ("markdown", "## Dropout"), ("code", "x = 1"),
             ("markdown", "### Where the slides differ\nThe slide scales by p."), ("code", "print(1 / 0.5)"),
             ("markdown", "#### A detail"), ("markdown", "## Batch norm"), ("code", "y = 2"))
    found = build_site.errata_cells(nb)
    assert ["".join(c["source"]) for c in found] == [
        "### Where the slides differ\nThe slide scales by p.", "print(1 / 0.5)", "#### A detail"]


def test_widget_outputs_get_the_note_and_lose_their_state():
    nb = _nb(("code", "connect(...)"))
    nb["metadata"]["widgets"] = {build_site.WIDGET_STATE: {"state": {}}}
    nb["cells"][0]["outputs"] = [{"output_type": "display_data", "metadata": {},
                                  "data": {build_site.WIDGET_VIEW: {"model_id": "x"}, "image/png": "iVBOR"}}]
    prepared = build_site.prepare_notebook(nb, banner="Read-only copy.")
    assert "widgets" not in prepared["metadata"] and "widgets" in nb["metadata"]  # the original is untouched
    outputs = prepared["cells"][0]["outputs"]
    assert len(outputs) == 2 and outputs[1]["data"]["text/markdown"] == build_site.WIDGET_NOTE
    assert prepared["cells"][1]["source"] == "Read-only copy."
