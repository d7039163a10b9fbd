"""Shared helpers of the grading tests: the sandbox requirement, the process scan, tree fingerprints,
the generator of the broken and dishonest submissions."""

import hashlib
import importlib.util
import os
import sys
from pathlib import Path

import pytest

from nncourse.grading.sandbox import SandboxUnavailable, check_available

ROOT = Path(__file__).resolve().parent.parent
FIXTURES = ROOT / "tests" / "grading_fixtures"


def load_fixture_generator():
    """tests/grading_fixtures/make_fixtures.py as a module (it is a script, not a package)."""
    spec = importlib.util.spec_from_file_location("make_fixtures", FIXTURES / "make_fixtures.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def require_sandbox():
    """Skip (locally) or fail (under CI=true) when bubblewrap cannot start a sandbox on this machine."""
    try:
        check_available()
    except SandboxUnavailable as err:
        if os.environ.get("CI", "").lower() == "true":
            pytest.fail(f"the grading sandbox must work in CI: {err}")
        pytest.skip(f"no grading sandbox on this machine: {err}")


def grading_processes(marker=None):
    """Processes of this checkout's grader still alive (workers, runners, bwrap), or those with ``marker``
    in their command line."""
    venv = str(Path(sys.executable).parent.parent)
    mine = {os.getpid(), os.getppid()}
    found = []
    for entry in os.listdir("/proc"):
        if not entry.isdigit() or int(entry) in mine:
            continue
        try:
            with open(f"/proc/{entry}/cmdline", "rb") as handle:
                command = handle.read().replace(b"\0", b" ").decode(errors="replace")
            with open(f"/proc/{entry}/stat") as handle:
                if handle.read().rsplit(")", 1)[1].split()[0] == "Z":
                    continue
        except OSError:
            continue
        ours = venv in command and any(word in command for word in ("nncourse.grading.runner",
                                                                    "nncourse.grading.worker", "bwrap"))
        if (marker in command) if marker is not None else ours:
            found.append(f"{entry}: {command[:200]}")
    return found


def tree_fingerprint(root, skip=(), content=True):
    """{relative path: digest or (size, mtime_ns, mode)} of every file under ``root`` (symlinks as targets)."""
    root = Path(root)
    prints = {}
    for folder, dirs, files in os.walk(root):
        dirs[:] = [name for name in dirs if str(Path(folder, name).relative_to(root)) not in skip]
        for name in files:
            path = Path(folder, name)
            relative = str(path.relative_to(root))
            if path.is_symlink():
                prints[relative] = "-> " + os.readlink(path)
            elif not path.is_file():  # a FIFO or a device: never opened
                prints[relative] = ("special", path.lstat().st_mode)
            elif content:
                prints[relative] = hashlib.sha256(path.read_bytes()).hexdigest()
            else:
                info = path.stat()
                prints[relative] = (info.st_size, info.st_mtime_ns, info.st_mode)
        for name in dirs:
            info = Path(folder, name).stat()
            prints[str(Path(folder, name).relative_to(root)) + "/"] = (info.st_mtime_ns, info.st_mode)
    return prints
