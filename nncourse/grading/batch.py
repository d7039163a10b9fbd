"""Grade a batch of submissions: one worker process per submission, results and ``grades.csv`` as they come.

Each submission is graded by its own ``python -m nncourse.grading.worker`` process (``--jobs`` at a
time), which runs the student's notebook in its own sandbox. Whatever one submission does, it costs
that submission only: a worker that dies or runs past its time is killed and the submission gets 0
with the reason. ``OUT/<key>/results.json`` and ``OUT/grades.csv`` are (re)written after every
finished submission, through a temporary file and a rename, so the CSV is complete up to that
point even if the run is killed; on SIGINT or SIGTERM the workers are stopped and the CSV marks
the submissions not graded. Result folder names are derived from the submission paths and made
safe: no path separators or leading dots, no clash with ``grades.csv`` or with each other (also
ignoring case), never longer than 100 characters.
"""

import csv
import hashlib
import io
import json
import os
import selectors
import signal
import subprocess
import sys
import time
import unicodedata
from dataclasses import asdict
from pathlib import Path

from nncourse.grading.grader import failed_tests, results_dict
from nncourse.grading.plan import match_source

RESERVED = {"grades.csv"}
MAX_KEY = 100
MAX_REPORT = 4 * 2**20
GRADED, FAILED, NOT_GRADED = "graded", "grader failed", "not graded (the run was interrupted)"


def _clean(text):
    """One part of a result folder name: letters (any script), digits and ``-_.() ``; no leading dots."""
    text = unicodedata.normalize("NFC", text)
    text = "".join(char if char.isalnum() or char in "-_.() " else "_" for char in text).strip().lstrip(".")
    if text[:1] in ("-", "+", "=", "@"):
        text = "_" + text[1:]
    return text


def safe_key(path, root):
    """A safe result folder name for a submission: its path below ``root``, without ``.ipynb``."""
    path = Path(path)
    try:
        parts = path.relative_to(root).parts if root is not None else (path.name,)
    except ValueError:
        parts = (path.name,)
    parts = [*parts[:-1], parts[-1][:-len(".ipynb")] if parts[-1].lower().endswith(".ipynb") else parts[-1]]
    key = "__".join(part for part in map(_clean, parts) if part) or "submission"
    if len(key) > MAX_KEY:
        key = key[:MAX_KEY - 9] + "-" + hashlib.sha256(str(path).encode(errors="replace")).hexdigest()[:8]
    if key.casefold() in RESERVED or key.casefold().startswith("grades.csv"):
        key = "submission-" + key
    return key


def unique_keys(found):
    """Result folder names, with -2, -3 ... where two would clash (ignoring case)."""
    keys, used = [], set()
    for path, root in found:
        key = base = safe_key(path, root)
        number = 1
        while key.casefold() in used:
            number += 1
            key = f"{base}-{number}"
        used.add(key.casefold())
        keys.append(key)
    return keys


def collect(targets, out=None):
    """(path, root) for every notebook named or found (recursively) in the given folders.

    Symbolic links, checkpoint folders and anything inside the output folder are left out.
    """
    out = Path(out).resolve() if out is not None else None
    found, seen = [], set()
    for target in map(Path, targets):
        if target.is_symlink():
            continue
        candidates = ([(path, target) for path in sorted(target.rglob("*.ipynb"))] if target.is_dir()
                      else [(target, None)])
        for path, root in candidates:
            if path.is_symlink() or ".ipynb_checkpoints" in path.parts or not path.is_file():
                continue
            real = path.resolve()
            if (out is not None and (real == out or out in real.parents)) or real in seen:
                continue
            seen.add(real)
            found.append((path, root))
    return found


def _write_atomic(path, text):
    """Write ``path`` through a temporary file and a rename; never through a symbolic link."""
    if path.is_symlink():
        raise OSError(f"{path} is a symbolic link; not writing through it")
    temporary = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    with open(temporary, "w", encoding="utf-8", newline="") as handle:
        handle.write(text)
    os.replace(temporary, path)


def write_results(report, path):
    """Write one results.json (its folder is created)."""
    path = Path(path)
    if path.parent.is_symlink():
        raise OSError(f"{path.parent} is a symbolic link; not writing through it")
    path.parent.mkdir(parents=True, exist_ok=True)
    _write_atomic(path, json.dumps(report, indent=1, ensure_ascii=False) + "\n")


def _csv_cell(value):
    text = str(value)
    return "'" + text if text[:1] in ("=", "+", "-", "@", "\t", "\r") else text


def write_csv(rows, path):
    """One line per submission: status, total, each item's score, the sandbox used, review flags."""
    item_ids = []
    for _, report in rows:
        if report is not None:
            item_ids += [test["tags"][0] for test in report["tests"] if test["tags"][0] not in item_ids]
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(["submission", "exercise", "status", "score", "max_score", "percent", *item_ids, "sandbox",
                     "flags"])
    for key, report in rows:
        if report is None:
            writer.writerow([_csv_cell(key), "", NOT_GRADED, "", "", "", *[""] * len(item_ids), "", ""])
            continue
        scores = {test["tags"][0]: test["score"] for test in report["tests"]}
        percent = 100 * report["score"] / report["max_score"] if report["max_score"] else 0.0
        extra = report["extra_data"]
        writer.writerow([_csv_cell(cell) for cell in (
            key, extra["exercise"], extra.get("status", GRADED), f"{report['score']:g}", f"{report['max_score']:g}",
            f"{percent:.1f}", *(f"{scores[i]:g}" if i in scores else "" for i in item_ids), extra.get("sandbox", ""),
            "; ".join(extra["flags"]))])
    path.parent.mkdir(parents=True, exist_ok=True)
    _write_atomic(path, buffer.getvalue())


def _failure_report(path, sources, reason, mode):
    """0 points with the reason, for a submission whose worker died or ran out of time."""
    from nncourse.grading.grader import read_submission
    from nncourse.grading.plan import NotebookError, read_cells

    name = Path(path).name
    try:
        cells = read_cells(read_submission(path), name)
    except (NotebookError, OSError):
        cells = None
    source_name = match_source(name, cells, sources)
    tests = failed_tests(sources[source_name], reason) if source_name else []
    return results_dict(tests, [reason], name, source_name, [], time.monotonic(), mode, status=FAILED)


class Batch:
    """The running batch: workers in flight, finished reports, and the interrupt flag."""

    def __init__(self, found, keys, out, source, sources, limits, jobs, mode):
        self.found, self.keys, self.out = found, keys, Path(out)
        self.source, self.sources, self.limits = source, sources, limits
        self.jobs, self.mode = max(1, jobs), mode
        self.reports = [None] * len(found)
        self.running = {}  # index -> (process, started, chunks)
        self.selector = selectors.DefaultSelector()
        self.interrupted = None
        self.worker_seconds = 2 * (limits.total + limits.startup) + 60

    def _start(self, index):
        path, _ = self.found[index]
        job = {"path": str(path), "source": str(self.source), "limits": asdict(self.limits), "mode": self.mode}
        debug = os.environ.get("NNCOURSE_GRADING_DEBUG") == "1"
        process = subprocess.Popen([sys.executable, "-m", "nncourse.grading.worker"], stdin=subprocess.PIPE,
                                   stdout=subprocess.PIPE, stderr=None if debug else subprocess.DEVNULL,
                                   start_new_session=True)
        process.stdin.write(json.dumps(job).encode())
        process.stdin.close()
        os.set_blocking(process.stdout.fileno(), False)
        self.selector.register(process.stdout, selectors.EVENT_READ, index)
        self.running[index] = (process, time.monotonic(), [])

    def _finish(self, index, report):
        process, _, _ = self.running.pop(index)
        self.selector.unregister(process.stdout)
        process.stdout.close()
        self.reports[index] = report
        write_results(report, self.out / self.keys[index] / "results.json")
        self.write_csv()

    def _collect(self, index):
        process, _, chunks = self.running[index]
        code = process.wait()
        data = b"".join(chunks)
        try:
            report = json.loads(data.decode("utf-8")) if code == 0 and len(data) <= MAX_REPORT else None
        except ValueError:
            report = None
        if not isinstance(report, dict) or "tests" not in report:
            reason = (f"the grader failed on this submission (its grading process stopped with exit code {code}); "
                      "an instructor will look at it")
            report = _failure_report(self.found[index][0], self.sources, reason, self.mode)
        self._finish(index, report)

    def _kill(self, index):
        """Stop a worker: SIGTERM first (it then kills its sandbox and checks it is gone), SIGKILL after 5 s."""
        process, _, _ = self.running[index]
        for number, grace in ((signal.SIGTERM, 5.0), (signal.SIGKILL, None)):
            try:
                os.killpg(process.pid, number)
            except OSError:
                pass
            try:
                process.wait(timeout=grace)
                return
            except subprocess.TimeoutExpired:
                continue

    def _read(self, timeout):
        for key, _ in self.selector.select(timeout):
            index = key.data
            process, started, chunks = self.running[index]
            try:
                chunk = os.read(key.fileobj.fileno(), 2**16)
            except BlockingIOError:
                continue
            if chunk and sum(map(len, chunks)) <= MAX_REPORT:
                chunks.append(chunk)
            elif not chunk:
                self._collect(index)

    def write_csv(self):
        write_csv(list(zip(self.keys, self.reports)), self.out / "grades.csv")

    def run(self):
        pending = list(range(len(self.found)))
        self.write_csv()
        while (pending or self.running) and self.interrupted is None:
            while pending and len(self.running) < self.jobs:
                self._start(pending.pop(0))
            self._read(0.1)
            for index, (_, started, _) in list(self.running.items()):
                if time.monotonic() - started > self.worker_seconds:
                    self._kill(index)
                    reason = (f"the grader gave up on this submission after {self.worker_seconds:g} s; "
                              "an instructor will look at it")
                    self._finish(index, _failure_report(self.found[index][0], self.sources, reason, self.mode))
        for index in list(self.running):
            self._kill(index)
            process, _, _ = self.running.pop(index)
            self.selector.unregister(process.stdout)
            process.stdout.close()
        self.write_csv()
        return list(zip(self.keys, self.reports))


def grade_batch(targets, out, source, sources, limits, jobs=1, mode="bwrap"):
    """Grade every submission; return ``(rows, signal number or None)`` with rows ``(key, report or None)``."""
    found = collect(targets, out)
    batch = Batch(found, unique_keys(found), out, source, sources, limits, jobs, mode)

    def stop(signum, frame):
        batch.interrupted = signum

    previous = {number: signal.signal(number, stop) for number in (signal.SIGINT, signal.SIGTERM)}
    try:
        rows = batch.run()
    finally:
        for number, handler in previous.items():
            signal.signal(number, handler)
    return rows, batch.interrupted
