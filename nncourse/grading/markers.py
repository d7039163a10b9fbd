"""The nbgrader-style markers and cell metadata of exercise notebooks.

An answer cell holds its solution between ``### BEGIN SOLUTION`` / ``### END SOLUTION``;
a test cell holds hidden tests between ``### BEGIN HIDDEN TESTS`` / ``### END HIDDEN TESTS``.
The functions here turn a solution into the student's stub, split a test cell into its
visible and hidden parts, and classify cells by their ``nbgrader`` metadata.
See ``solutions/README.md``.
"""

import ast
import re

BEGIN_SOLUTION = "### BEGIN SOLUTION"
END_SOLUTION = "### END SOLUTION"
BEGIN_HIDDEN = "### BEGIN HIDDEN TESTS"
END_HIDDEN = "### END HIDDEN TESTS"
CODE_STUB = ("# YOUR CODE HERE", "raise NotImplementedError()")
MARKDOWN_STUB = ("YOUR ANSWER HERE",)


class MarkerError(ValueError):
    """Markers that do not pair up (a BEGIN without END, nested regions ...)."""


def _is_marker(line, marker):
    return line.strip() == marker


def _regions(lines, begin, end):
    """Yield ``(start, stop)`` line indices of each marked region, markers included."""
    start = None
    for index, line in enumerate(lines):
        if _is_marker(line, begin):
            if start is not None:
                raise MarkerError(f"{begin!r} on line {index + 1} inside another region")
            start = index
        elif _is_marker(line, end):
            if start is None:
                raise MarkerError(f"{end!r} on line {index + 1} without {begin!r}")
            yield start, index
            start = None
    if start is not None:
        raise MarkerError(f"{begin!r} on line {start + 1} has no {end!r}")


def has_marker(source, marker):
    """True when a line of ``source`` is exactly ``marker`` (ignoring indentation)."""
    return any(_is_marker(line, marker) for line in source.splitlines())


def replace_solutions(source, markdown=False):
    """Replace every solution region by the stub, at the indentation of its BEGIN line.

    Examples
    --------
    >>> print(replace_solutions("def f(x):\\n    ### BEGIN SOLUTION\\n    return x\\n    ### END SOLUTION"))
    def f(x):
        # YOUR CODE HERE
        raise NotImplementedError()
    """
    lines = source.splitlines()
    out, previous = [], 0
    for start, stop in _regions(lines, BEGIN_SOLUTION, END_SOLUTION):
        indent = lines[start][: len(lines[start]) - len(lines[start].lstrip())]
        out.extend(lines[previous:start])
        out.extend(indent + stub for stub in (MARKDOWN_STUB if markdown else CODE_STUB))
        previous = stop + 1
    out.extend(lines[previous:])
    return "\n".join(out)


def split_hidden(source):
    """Return ``(visible, hidden)``: the test cell without its hidden regions, and their contents.

    Examples
    --------
    >>> split_hidden('check("ex01-a", f)\\n### BEGIN HIDDEN TESTS\\nassert f(1) == 1\\n### END HIDDEN TESTS')
    ('check("ex01-a", f)', 'assert f(1) == 1')
    """
    lines = source.splitlines()
    visible, hidden, previous = [], [], 0
    for start, stop in _regions(lines, BEGIN_HIDDEN, END_HIDDEN):
        visible.extend(lines[previous:start])
        hidden.extend(lines[start + 1:stop])
        previous = stop + 1
    visible.extend(lines[previous:])
    return "\n".join(visible).rstrip(), "\n".join(hidden)


def count_asserts(code):
    """Number of ``assert`` statements in ``code`` (how hidden tests are counted).

    Examples
    --------
    >>> count_asserts("x = 1\\nassert x == 1, 'one'\\nassert x > 0")
    2
    """
    return sum(isinstance(node, ast.Assert) for node in ast.walk(ast.parse(code)))


def nbgrader_meta(cell):
    """The cell's ``nbgrader`` metadata dict (empty when it has none)."""
    meta = cell.get("metadata", {}).get("nbgrader", {})
    return meta if isinstance(meta, dict) else {}


def is_answer_cell(cell):
    """An nbgrader solution cell (``solution: true``)."""
    return bool(nbgrader_meta(cell).get("solution")) and not nbgrader_meta(cell).get("grade")


def is_test_cell(cell):
    """An nbgrader autograder test cell (``grade: true``, ``solution: false``)."""
    meta = nbgrader_meta(cell)
    return cell.get("cell_type") == "code" and bool(meta.get("grade")) and not meta.get("solution")


CHECK_CALL = re.compile(r"""^\s*check\(\s*["'](?P<id>[^"']+)["']""")


def checked_ids(source):
    """Item ids passed to ``check(...)`` at the start of lines of ``source``."""
    return [m.group("id") for m in map(CHECK_CALL.match, source.splitlines()) if m]
