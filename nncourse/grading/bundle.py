"""Build a Gradescope autograder bundle: ``python -m nncourse.grading.bundle --out autograder.zip``.

The zip holds, at its root (Gradescope unpacks it into ``/autograder/source``):

- ``setup.sh``: run once, as root, when Gradescope builds the image. It installs Python 3.11,
  bubblewrap and util-linux's ``setpriv`` from Ubuntu's own archive (no PPA), the pinned
  ``requirements.txt`` and the course (nnlib, nncourse) into ``/autograder/venv``, and makes
  ``/autograder/source`` (with the hidden tests) readable by root only;
- ``run_autograder``: grades every notebook in ``/autograder/submission`` as one student's submission,
  each in its own sandbox as an unprivileged user, and always leaves a ``results.json`` in
  ``/autograder/results`` (a fallback one, saying what happened, if grading itself failed);
- ``solutions/exNN_*.ipynb``: the instructor notebooks (tests and hidden tests), all of them or
  only those chosen with ``--exercise ex01 ex02 ...``;
- ``nnlib/``, ``nncourse/``, ``pyproject.toml``, ``README.md``, ``requirements.txt``: the library and grader.

Assumptions (see solutions/README.md, section 8): Gradescope's Ubuntu 22.04 base image, whose archive
has ``python3.11`` and ``bubblewrap``; the grader runs as root. Where the container does not allow
the user namespaces bubblewrap needs, ``run_autograder`` grades without it (``--unsafe-no-sandbox``):
the submitted code then still runs as a fresh unprivileged user that cannot read the hidden tests,
write the results or signal the grader, and ``results.json`` says so. ``AUTOGRADER_ROOT`` (default
``/autograder``) and ``AUTOGRADER_PYTHON`` let you try ``run_autograder`` locally.
"""

import argparse
import stat
import sys
import zipfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]

SETUP_SH = """#!/usr/bin/env bash
# Gradescope runs this once while building the autograder image (as root, in /autograder/source).
set -euo pipefail
cd "$(dirname "$0")"
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
packages="bubblewrap util-linux ca-certificates"
if ! command -v python3.11 >/dev/null 2>&1; then
    packages="$packages python3.11 python3.11-venv"
fi
apt-get install -y -qq --no-install-recommends $packages >/dev/null
python3.11 -m venv /autograder/venv
/autograder/venv/bin/python -m pip install --quiet --upgrade pip
/autograder/venv/bin/python -m pip install --quiet -r requirements.txt
/autograder/venv/bin/python -m pip install --quiet --no-deps .
chmod -R go-rwx /autograder/source
"""

RUN_AUTOGRADER = """#!/usr/bin/env bash
# Gradescope runs this for every submission, in a fresh container, as root. Grading never fails as
# a whole: a broken notebook costs only its own items, and the explanation is in results.json.
set -uo pipefail
ROOT="${AUTOGRADER_ROOT:-/autograder}"
PYTHON="${AUTOGRADER_PYTHON:-$ROOT/venv/bin/python}"
RESULTS="$ROOT/results/results.json"
mkdir -p "$ROOT/results"
rm -f "$RESULTS"
cd "$ROOT"  # not the source folder: the course is imported from the venv, readable by the sandbox user
grade() {
    timeout TIME_LIMIT "$PYTHON" -m nncourse.grading "$ROOT/submission" --as-one --source "$ROOT/source/solutions" \\
        --out "$ROOT/results" --cell-timeout CELL_TIMEOUT --total-timeout TOTAL_TIMEOUT "$@"
}
grade
if [ "$?" = 2 ]; then  # no sandbox in this container: grade as an unprivileged user without namespaces
    grade --unsafe-no-sandbox
fi
if ! "$PYTHON" -c "import json, sys; assert 'score' in json.load(open(sys.argv[1]))" "$RESULTS" 2>/dev/null; then
    cat > "$RESULTS" <<'JSON'
{"score": 0, "visibility": "visible", "stdout_visibility": "hidden", "tests": [],
 "output": "The autograder stopped before writing results. Your work is not lost: please tell your instructor."}
JSON
fi
exit 0
"""


def _add_text(archive, name, text, executable=False):
    info = zipfile.ZipInfo(name, date_time=(2020, 1, 1, 0, 0, 0))
    mode = 0o755 if executable else 0o644
    info.external_attr = (stat.S_IFREG | mode) << 16
    info.compress_type = zipfile.ZIP_DEFLATED
    archive.writestr(info, text)


def bundle_files(source, exercises):
    """(name in zip, path) of every file of the bundle except the two scripts."""
    notebooks = sorted(Path(source).glob("ex[0-9][0-9]_*.ipynb"))
    if exercises:
        notebooks = [nb for nb in notebooks if nb.name[:4] in exercises]
        missing = set(exercises) - {nb.name[:4] for nb in notebooks}
        if missing:
            raise FileNotFoundError(f"no notebook for {', '.join(sorted(missing))} in {source}")
    files = [(f"solutions/{nb.name}", nb) for nb in notebooks]
    for package in ("nnlib", "nncourse"):
        for path in sorted((ROOT / package).rglob("*")):
            if path.is_file() and "__pycache__" not in path.parts and path.suffix != ".pyc":
                files.append((path.relative_to(ROOT).as_posix(), path))
    files += [(name, ROOT / name) for name in ("pyproject.toml", "README.md", "requirements.txt")]
    return files


def build(out, source=ROOT / "solutions", exercises=(), cell_timeout=30, total_timeout=600):
    """Write the bundle zip to ``out``; return the names it contains."""
    notebooks = sum(name.startswith("solutions/") for name, _ in bundle_files(source, exercises))
    time_limit = int(2 * (total_timeout + 60) * max(1, notebooks) + 120)  # two passes per notebook, and startup
    run = (RUN_AUTOGRADER.replace("CELL_TIMEOUT", f"{cell_timeout:g}").replace("TOTAL_TIMEOUT", f"{total_timeout:g}")
           .replace("TIME_LIMIT", str(time_limit)))
    names = []
    with zipfile.ZipFile(out, "w") as archive:
        _add_text(archive, "setup.sh", SETUP_SH, executable=True)
        _add_text(archive, "run_autograder", run, executable=True)
        names += ["setup.sh", "run_autograder"]
        for name, path in bundle_files(source, exercises):
            _add_text(archive, name, path.read_bytes())
            names.append(name)
    return names


def main(argv=None):
    parser = argparse.ArgumentParser(prog="python -m nncourse.grading.bundle", description=__doc__.splitlines()[0])
    parser.add_argument("--out", required=True, type=Path, help="zip file to write")
    parser.add_argument("--source", default=ROOT / "solutions", type=Path, help="instructor notebooks")
    parser.add_argument("--exercise", nargs="*", default=[], help="only these exercises, e.g. ex01 ex02")
    parser.add_argument("--cell-timeout", default=30.0, type=float)
    parser.add_argument("--total-timeout", default=600.0, type=float)
    args = parser.parse_args(argv)
    names = build(args.out, args.source, args.exercise, args.cell_timeout, args.total_timeout)
    notebooks = [name for name in names if name.startswith("solutions/")]
    print(f"wrote {args.out}: {len(names)} files, tests from {', '.join(notebooks)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
