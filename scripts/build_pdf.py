"""Print the built course website to PDF with headless Chromium: one PDF per lesson and one for the course.

    python scripts/build_site.py --out build/site     # first (make pdf does both)
    python scripts/build_pdf.py --site build/site --out build/pdf
    python scripts/build_pdf.py --site build/site --out build/pdf --only 05   # one lesson

Each page is opened from disk, MathJax is given time to typeset and every image to load, then the
page is printed on A4 with the site's print style sheet (navigation hidden, no page break inside a
figure, an output or a code block). The course PDF is the home page and the lessons in order, with a
bookmark per lesson. Uses Debian's Chromium (``/usr/bin/chromium``) through Playwright; Playwright's
own browser downloads are never used, and the browser is kept off the network.
"""

import argparse
import shutil
import sys
from pathlib import Path

from pypdf import PdfWriter

ROOT = Path(__file__).resolve().parent.parent
# No host name resolves, so nothing can leave the machine; pages come from disk (file://).
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
                 "--disable-sync", "--no-first-run", "--disable-quic", "--disable-dev-shm-usage",
                 "--host-resolver-rules=MAP * ~NOTFOUND"]
LOCAL_SCHEMES = ("file:", "data:", "blob:", "about:")
TYPESET_TIMEOUT_MS = 60_000


def find_chromium():
    """Path of Debian's Chromium, or None."""
    for candidate in (shutil.which("chromium"), "/usr/bin/chromium"):
        if candidate and Path(candidate).exists():
            return candidate
    return None


def launch(playwright):
    """A headless Chromium that is kept on the machine: no host name resolves."""
    path = find_chromium()
    if path is None:
        raise RuntimeError("Debian's chromium is needed (apt-get install chromium)")
    return playwright.chromium.launch(executable_path=path, args=CHROMIUM_ARGS, headless=True)


def start_page(browser, html, blocked=None):
    """Open ``html`` from disk in a new tab; every request for something not on disk is listed in ``blocked``.

    The browser resolves no host name (see ``CHROMIUM_ARGS``), so such requests fail; listing them
    shows a page that would need the network.
    """
    page = browser.new_page(viewport={"width": 1280, "height": 900})

    def note(request):
        if blocked is not None and not request.url.startswith(LOCAL_SCHEMES):
            blocked.append(request.url)

    page.on("request", note)
    page.goto(Path(html).resolve().as_uri(), wait_until="load")
    return page


def finish_page(page):
    """Wait until every image has loaded and MathJax has typeset the page's maths (and loaded its fonts)."""
    page.wait_for_function("() => Array.from(document.images).every(img => img.complete)",
                           timeout=TYPESET_TIMEOUT_MS)
    page.wait_for_function("() => !document.querySelector('script[src*=\"mathjax\"]') || "
                           "(window.MathJax && MathJax.startup && MathJax.startup.promise)", timeout=TYPESET_TIMEOUT_MS)
    page.evaluate("() => (window.MathJax && MathJax.startup && MathJax.startup.promise) ? "
                  "MathJax.startup.promise.then(() => document.fonts.ready).then(() => true) : true")
    return page


def open_page(browser, html, blocked=None):
    """Open ``html`` from disk and wait until it is fully rendered (see :func:`start_page`)."""
    return finish_page(start_page(browser, html, blocked))


def lesson_pages(site):
    """The lesson pages of a built site, in order."""
    return sorted((Path(site) / "notebooks").glob("[0-9][0-9]_*.html"))


def print_pdf(browser, html, out):
    page = open_page(browser, html)
    page.emulate_media(media="print")
    page.pdf(path=str(out), format="A4", print_background=True,
             margin={"top": "14mm", "bottom": "14mm", "left": "12mm", "right": "12mm"})
    page.close()
    return out


def build(site, out, only=None, browser=None):
    """Write one PDF per lesson (and, without ``only``, the whole course) into ``out``; return the paths.

    Uses ``browser`` when given (a Playwright Chromium), else starts Debian's Chromium.
    """
    if browser is None:
        from playwright.sync_api import sync_playwright

        with sync_playwright() as playwright:
            browser = launch(playwright)
            try:
                return build(site, out, only, browser)
            finally:
                browser.close()
    site, out = Path(site), Path(out)
    if not (site / "index.html").exists():
        raise FileNotFoundError(f"no built site in {site}; run scripts/build_site.py first")
    out.mkdir(parents=True, exist_ok=True)
    pages = [p for p in lesson_pages(site) if only is None or p.name.startswith(only)]
    if not pages:
        raise FileNotFoundError(f"no lesson page matching {only!r} in {site / 'notebooks'}")
    written = [print_pdf(browser, html, out / f"{html.stem}.pdf") for html in pages]
    if only is None:
        intro = print_pdf(browser, site / "intro.html", out / "_intro.pdf")
        course = PdfWriter()
        for part in [intro, *written]:
            start = len(course.pages)
            course.append(str(part))
            course.add_outline_item(part.stem.lstrip("_").replace("_", " "), start)
        course.write(out / "course.pdf")
        intro.unlink()
        written.append(out / "course.pdf")
    return written


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--site", type=Path, default=ROOT / "build" / "site", help="the built site")
    parser.add_argument("--out", type=Path, default=ROOT / "build" / "pdf", help="folder for the PDFs")
    parser.add_argument("--only", help="only the lesson whose file name starts with this, e.g. 05")
    args = parser.parse_args(argv)
    for path in build(args.site, args.out, args.only):
        print(f"wrote {path}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
