"""Execute a grading plan: the student's cells in a sandbox, each item's tests in this process.

Each step (a student cell, or an item's tests) has a per-cell time limit inside a total time limit.
An exception in a cell is recorded and execution goes on. When a step runs too long, uses too much
memory, kills the notebook's process (``os._exit``, a segfault) or breaks the channel, the whole
sandbox is killed and replaced by a fresh one, the earlier good student cells are replayed, the bad
step is skipped, and execution continues after it. Items' tests always run here, in the grader
(:func:`nncourse.grading.judge.evaluate`); the sandbox only ever answers calls.
"""

import time
from dataclasses import dataclass, field

from nncourse.grading.judge import evaluate
from nncourse.grading.remote import SandboxLost
from nncourse.grading.sandbox import Sandbox

MAX_RESTARTS = 4


@dataclass
class StepResult:
    """What happened to one step: ``status`` is ok, error, timeout, crashed, memory, protocol or not run."""

    status: str = "not run"
    error: str = ""  # plain words for error / timeout / crash
    result: dict = None  # the item's result (item steps)
    output_truncated: bool = False
    flags: list = field(default_factory=list)  # codes of things the cell did that deserve a look


def describe_failure(kind, limits):
    """Plain words for a step that cost the sandbox its life."""
    if kind == "timeout":
        return (f"did not finish within the {limits.cell:g} s limit per cell (an endless loop, or far too slow); "
                "it was stopped and skipped")
    if kind == "memory":
        return (f"used more than the {limits.memory_mb} MB of memory allowed; it was stopped and skipped, and the "
                "other cells were run in a fresh sandbox")
    if kind == "protocol":
        return ("wrote something on the grader's channel that is not an answer; it was stopped and skipped, and the "
                "other cells were run in a fresh sandbox")
    return ("stopped the Python process (os._exit, exit of the process, a crash of a compiled library, or running "
            "out of memory); it was skipped and the other cells were run in a fresh sandbox")


def _error_text(error):
    """``"ZeroDivisionError: division by zero (line 3)"`` from a cell's error report."""
    if not isinstance(error, dict):
        return "an error"
    text = f"{str(error.get('type', 'Error'))[:80]}: {str(error.get('message', ''))[:500]}".strip().rstrip(":")
    line = error.get("line")
    return f"{text} (line {line})" if type(line) is int else text


class Executor:
    """Run a plan (list of :class:`~nncourse.grading.plan.Step`); one :class:`StepResult` per step.

    ``with_nnlib=False`` hides nnlib from the sandbox; ``only_items`` limits which items are tested
    (the other item steps stay "not run"); ``mode`` is "bwrap" or "none" (no sandbox).
    """

    def __init__(self, limits, mode="bwrap", with_nnlib=True, only_items=None, fonts=False):
        self.limits = limits
        self.mode = mode
        self.with_nnlib = with_nnlib
        self.only_items = only_items
        self.fonts = fonts
        self.late_kills = 0

    def execute(self, plan):
        results = [StepResult() for _ in plan]
        deadline = time.monotonic() + self.limits.total
        skipped = set()
        position, restarts = 0, 0
        while position < len(plan):
            if restarts > MAX_RESTARTS:
                self._not_run(results, position, "not run: the sandbox had to be restarted too often")
                break
            sandbox = Sandbox(self.limits, with_nnlib=self.with_nnlib, mode=self.mode, fonts=self.fonts)
            try:
                remote = sandbox.start()
            except (SandboxLost, OSError) as err:
                self.late_kills += sandbox.stop()
                self._not_run(results, position, f"not run: the sandbox could not start ({err})")
                break
            try:
                position = self._run_from(remote, plan, results, position, skipped, deadline)
            finally:
                self.late_kills += sandbox.stop()
            restarts += 1
        return results

    def _not_run(self, results, start, reason):
        for result in results[start:]:
            if result.status == "not run":
                result.error = reason

    def _limit(self, remote, deadline):
        remaining = deadline - time.monotonic()
        remote.channel.deadline = time.monotonic() + max(0.0, min(self.limits.cell, remaining))
        return remaining

    def _run_from(self, remote, plan, results, position, skipped, deadline):
        """Replay good student cells before ``position``, then run on; return where to resume."""
        for index in range(position):
            if plan[index].item is None and index not in skipped:
                self._limit(remote, deadline)
                try:
                    remote.run_cell(plan[index].source)
                except SandboxLost as lost:
                    skipped.add(index)
                    results[index].status, results[index].error = lost.kind, describe_failure(lost.kind, self.limits)
                    return position
        for index in range(position, len(plan)):
            step, result = plan[index], results[index]
            if self._limit(remote, deadline) <= 0:
                self._not_run(results, index, f"not run: the total time limit of {self.limits.total:g} s "
                                              "for this submission was reached")
                return len(plan)
            if step.item is not None and self.only_items is not None and step.item.item_id not in self.only_items:
                continue
            try:
                if step.item is None:
                    self._run_cell(remote, step, result)
                else:
                    result.result = evaluate(step.item.item_id, step.item.visible, step.item.hidden, remote)
                    result.status = "ok"
                    remote.forget()
            except SandboxLost as lost:
                result.status, result.error = lost.kind, describe_failure(lost.kind, self.limits)
                skipped.add(index)
                return index + 1
        return len(plan)

    def _run_cell(self, remote, step, result):
        reply = remote.run_cell(step.source)
        result.status = "error" if reply.get("status") == "error" else "ok"
        result.output_truncated = reply.get("truncated") is True
        flags = reply.get("flags")
        result.flags = [flag for flag in flags if isinstance(flag, str)][:20] if isinstance(flags, list) else []
        if result.status == "error":
            result.error = _error_text(reply.get("error"))
