"""Execute a grading plan in fresh Jupyter kernels, surviving anything a submission does.

Each step (a student cell or an item's tests) runs with a per-cell time limit inside a
total time limit. Exceptions in a cell are recorded and execution goes on. When a cell
runs too long or kills the kernel (``os._exit``, a segfault, ``exit()``), the kernel is
replaced by a fresh one, the earlier good student cells are replayed, the bad cell is
skipped, and execution continues after it. Output is capped per cell, so a cell that
prints without end cannot exhaust the grader's memory.
"""

import re
import secrets
import subprocess
import tempfile
import time
from dataclasses import dataclass, field

import nbformat
from nbclient import NotebookClient
from nbclient.exceptions import CellTimeoutError, DeadKernelError

from nncourse.grading.harness import MIME_TYPE, driver_code, read_result

MAX_RESTARTS = 4
MAX_OUTPUT_CHARS = 20_000  # per cell
KERNEL_NAME = "python3"
# Run first in every kernel: make IPython's exit()/quit() harmless instead of stopping the kernel,
# and cap the kernel's memory so a runaway allocation raises MemoryError instead of exhausting the machine.
PREAMBLE = """get_ipython().ask_exit = lambda: None
import resource as _resource
_resource.setrlimit(_resource.RLIMIT_AS, ({memory}, {memory}))
del _resource"""


@dataclass
class Limits:
    """Time limits in seconds, and the kernel's memory limit in megabytes (virtual address space)."""

    cell: float = 30.0
    total: float = 300.0
    startup: float = 60.0
    memory_mb: int = 4096


@dataclass
class StepResult:
    """What happened to one step: ``status`` is ok, error, timeout, crashed or not run."""

    status: str = "not run"
    error: str = ""  # plain words for error / timeout / crash
    result: dict = None  # the signed item result (item steps)
    output_truncated: bool = False
    outputs: list = field(default_factory=list)


class _CappedClient(NotebookClient):
    """A NotebookClient that keeps at most MAX_OUTPUT_CHARS of output per cell (grade results always)."""

    def output(self, outs, msg, display_id, cell_index):
        content = msg["content"]
        if msg["msg_type"] == "display_data" and MIME_TYPE in content.get("data", {}):
            return super().output(outs, msg, display_id, cell_index)
        used = self._used.get(cell_index, 0)
        size = len(json_size_hint(content))
        self._used[cell_index] = used + size
        if used + size <= MAX_OUTPUT_CHARS:
            return super().output(outs, msg, display_id, cell_index)
        if cell_index in self._truncated:
            return None
        self._truncated.add(cell_index)
        if msg["msg_type"] == "stream" and used < MAX_OUTPUT_CHARS:
            content["text"] = content["text"][: MAX_OUTPUT_CHARS - used] + "\n[... output cut off ...]\n"
            return super().output(outs, msg, display_id, cell_index)
        return None


def json_size_hint(content):
    """Rough size of an output message's content (text and data), for the output cap."""
    parts = [content.get("text", "")]
    for value in content.get("data", {}).values():
        parts.append(value if isinstance(value, str) else str(value))
    parts.extend(content.get("traceback", []))
    return "".join(parts)


def _error_text(outputs):
    """``"ZeroDivisionError: division by zero (line 3)"`` from a cell's error output, or ""."""
    for output in outputs:
        if output.get("output_type") == "error":
            text = f"{output.get('ename', 'Error')}: {output.get('evalue', '')}".strip().rstrip(":")
            line = _error_line(output.get("traceback", []))
            return f"{text} (line {line})" if line else text
    return ""


def _error_line(traceback):
    """The line number in the cell from an IPython traceback, or None."""
    clean = re.sub(r"\x1b\[[0-9;]*m", "", "\n".join(traceback))
    numbers = re.findall(r"Cell In\[\d+\], line (\d+)", clean)
    return int(numbers[0]) if numbers else None


class Session:
    """One kernel at a time for a plan; replaced after a timeout or crash."""

    def __init__(self, limits, workdir):
        self.limits = limits
        self.workdir = workdir
        self.client = None

    def start(self):
        nb = nbformat.v4.new_notebook()
        client = _CappedClient(nb, timeout=int(self.limits.cell), kernel_name=KERNEL_NAME, allow_errors=True,
                               interrupt_on_timeout=False, shutdown_kernel="immediate",
                               startup_timeout=int(self.limits.startup), record_timing=False,
                               extra_arguments=["--HistoryManager.enabled=False"],
                               resources={"metadata": {"path": self.workdir}})
        client._used, client._truncated = {}, set()
        client.km = client.create_kernel_manager()
        # The kernel's own stdout/stderr (not the cells' outputs) are not wanted in the grader's console.
        client.start_new_kernel(cwd=self.workdir, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        client.start_new_kernel_client()
        self.client = client
        self.run(PREAMBLE.format(memory=int(self.limits.memory_mb) * 2**20), self.limits.cell)

    def stop(self):
        if self.client is not None:
            try:
                self.client._cleanup_kernel()
            except Exception:  # the kernel may already be gone
                pass
            self.client = None

    def run(self, source, timeout):
        """Execute ``source``; return (status, outputs, truncated)."""
        nb = self.client.nb
        cell = nbformat.v4.new_code_cell(source)
        nb.cells.append(cell)
        index = len(nb.cells) - 1
        self.client.timeout = max(1, int(timeout))
        try:
            self.client.execute_cell(cell, index, store_history=False)
        except CellTimeoutError:
            return "timeout", cell.outputs, index in self.client._truncated
        except DeadKernelError:
            return "crashed", cell.outputs, index in self.client._truncated
        status = "error" if any(o.get("output_type") == "error" for o in cell.outputs) else "ok"
        return status, cell.outputs, index in self.client._truncated


def _describe_failure(status, limits):
    if status == "timeout":
        return (f"did not finish within the {limits.cell:g} s limit per cell (an endless loop, or far too slow); "
                "it was stopped and skipped")
    return ("stopped the Python kernel (os._exit, exit(), a crash of a compiled library, or running out of "
            "memory); it was skipped and the other cells were run in a fresh kernel")


class Executor:
    """Run a plan (list of :class:`~nncourse.grading.plan.Step`) and return one StepResult per step."""

    def __init__(self, limits=None):
        self.limits = limits or Limits()

    def execute(self, plan):
        results = [StepResult() for _ in plan]
        keys = [secrets.token_hex(16) for _ in plan]
        deadline = time.monotonic() + self.limits.total
        skipped = set()
        position, restarts = 0, 0
        with tempfile.TemporaryDirectory(prefix="nnlib-grading-") as workdir:
            session = Session(self.limits, workdir)
            while position < len(plan):
                if restarts > MAX_RESTARTS:
                    self._not_run(results, position, "not run: the kernel had to be restarted too often")
                    break
                try:
                    session.start()
                except Exception as err:  # kernel could not start: nothing of this submission can run
                    self._not_run(results, position, f"not run: the Python kernel could not start ({err})")
                    break
                try:
                    position = self._run_from(session, plan, results, keys, position, skipped, deadline)
                finally:
                    session.stop()
                restarts += 1
        return results

    def _not_run(self, results, start, reason):
        for result in results[start:]:
            if result.status == "not run":
                result.error = reason

    def _remaining(self, deadline):
        return deadline - time.monotonic()

    def _run_from(self, session, plan, results, keys, position, skipped, deadline):
        """Replay good student cells before ``position``, then run on; return where to resume."""
        for index in range(position):
            if plan[index].item is None and index not in skipped:
                status, _, _ = session.run(plan[index].source, min(self.limits.cell, self._remaining(deadline)))
                if status in ("timeout", "crashed"):
                    skipped.add(index)
                    results[index].status, results[index].error = status, _describe_failure(status, self.limits)
                    return position
        for index in range(position, len(plan)):
            remaining = self._remaining(deadline)
            if remaining <= 0:
                self._not_run(results, index, f"not run: the total time limit of {self.limits.total:g} s "
                                              "for this submission was reached")
                return len(plan)
            step = plan[index]
            source = step.source if step.item is None else driver_code(
                step.item.item_id, keys[index], step.item.visible, step.item.hidden)
            status, outputs, truncated = session.run(source, min(self.limits.cell, remaining))
            result = results[index]
            result.status, result.output_truncated, result.outputs = status, truncated, outputs
            if step.item is not None:
                result.result = read_result(outputs, step.item.item_id, keys[index])
            if status in ("timeout", "crashed"):
                result.error = _describe_failure(status, self.limits)
                skipped.add(index)
                return index + 1
            if status == "error":
                result.error = _error_text(outputs)
        return len(plan)
