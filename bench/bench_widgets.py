"""Kernel-side latency of every interactive figure of every lesson (a script, not a timed test).

Usage::

    python bench/bench_widgets.py                                   # every lesson in notebooks/
    python bench/bench_widgets.py notebooks/00_start_here.ipynb notebooks/01_neurons_threshold_units.ipynb
    python bench/bench_widgets.py --updates 30 --json widgets.json

Each notebook runs headless in a fresh kernel (as nbval runs it). Then, in the same kernel, every
widget the notebook made is found through ``nncourse.widgets.registry()`` (live figures and
Run-button experiments) or, for cells not yet converted, through ipywidgets' list of
``interactive`` widgets ("legacy": a new figure per move). Each control is moved over its range as
``widget_driver.py`` describes (``--updates`` values per slider; every option of a drop-down,
chosen by index, so dict and (label, value) options work; check boxes, range sliders, number
boxes), and the time the kernel spends on each move is measured: from setting the value to the
new picture handed to the comm (callback, drawing, PNG encoding, message). Run-button
experiments are timed per run. The table gives the median and 95th percentile of the wall-clock
time per widget (the targets for live widgets: a median <= 50 ms and a 95th percentile
<= 150 ms), the median CPU time of the kernel process (what the wall-clock time would be on an
otherwise idle machine), and the frames drawn in full and by redrawing changed artists only.
"""

import argparse
import json
import os
import sys
from pathlib import Path

import nbformat
from nbclient import NotebookClient

ROOT = Path(__file__).resolve().parents[1]
TARGET_MEDIAN_MS, TARGET_P95_MS = 50.0, 150.0

# Runs inside the kernel after the notebook: drives every widget (widget_driver.py) and prints one JSON line.
DRIVER = """
import json as _json, sys as _sys
_sys.path.insert(0, {bench!r})
import widget_driver as _driver
print("BENCH-JSON " + _json.dumps(_driver.measure_all(updates={updates}, runs={runs})))
"""


def bench_notebook(path, updates, runs):
    """Run one notebook and its widget driver in a fresh kernel; return the driver's rows."""
    nb = nbformat.read(path, as_version=4)
    driver = DRIVER.format(bench=str(ROOT / "bench"), updates=updates, runs=runs)
    nb.cells.append(nbformat.v4.new_code_cell(driver))
    client = NotebookClient(nb, timeout=600, kernel_name="python3",
                            resources={"metadata": {"path": str(Path(path).parent)}})
    client.execute()
    for output in nb.cells[-1].outputs:
        if output.get("output_type") == "stream" and "BENCH-JSON " in output.get("text", ""):
            line = next(t for t in output["text"].splitlines() if t.startswith("BENCH-JSON "))
            return json.loads(line[len("BENCH-JSON "):])
    raise RuntimeError(f"{path}: the widget driver printed nothing")


def percentile(values, q):
    """The q-th percentile (nearest rank) of a non-empty list, e.g. q=50 for the median."""
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(q / 100 * (len(ordered) - 1))))]


def summarise(lesson, row):
    times_ms = [1000 * t for t in row["times"]]
    if not times_ms:
        return {"lesson": lesson, **row, "n": 0, "median_ms": float("nan"), "p95_ms": float("nan"),
                "cpu_median_ms": float("nan"), "meets": "FAILED" if row.get("error") else "-"}
    median, p95 = percentile(times_ms, 50), percentile(times_ms, 95)
    cpu_median = percentile([1000 * t for t in row["cpu"]], 50)
    meets = "-" if row["kind"] == "run" else ("yes" if median <= TARGET_MEDIAN_MS and p95 <= TARGET_P95_MS else "NO")
    return {"lesson": lesson, **row, "n": len(times_ms), "median_ms": median, "p95_ms": p95,
            "cpu_median_ms": cpu_median, "meets": meets}


def table(rows):
    lines = ["| lesson | widget | kind | controls | moves | median ms | p95 ms | CPU median ms "
             "| full draws / blits | target |",
             "|---|---|---|---|---|---|---|---|---|---|"]
    for r in rows:
        draws = f"{r['full_draws']} / {r['blits']}" if "full_draws" in r else "-"
        controls = [f"{c} (not moved)" if c in r.get("skipped", ()) else c for c in r["controls"]]
        r = {**r, "controls": controls}
        lines.append(f"| {r['lesson']} | {r['widget']} | {r['kind']} | {', '.join(r['controls'])} | {r['n']} | "
                     f"{r['median_ms']:.1f} | {r['p95_ms']:.1f} | {r['cpu_median_ms']:.1f} | {draws} | {r['meets']} |")
    return "\n".join(lines)


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("notebooks", nargs="*", help="lesson notebooks (default: all in notebooks/)")
    parser.add_argument("--updates", type=int, default=20, help="values per slider (default 20)")
    parser.add_argument("--runs", type=int, default=2, help="runs per Run-button experiment (default 2)")
    parser.add_argument("--json", help="also write the rows with every timing to this file")
    args = parser.parse_args(argv)
    os.environ.setdefault("OMP_NUM_THREADS", "1")
    os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")
    paths = [Path(p) for p in args.notebooks] or sorted((ROOT / "notebooks").glob("[0-9][0-9]_*.ipynb"))
    rows = []
    for path in paths:
        lesson = path.stem[:2]
        try:
            found = bench_notebook(path, args.updates, args.runs)
        except Exception as err:  # report and go on
            print(f"{path.name}: FAILED {type(err).__name__}: {str(err)[:300]}", file=sys.stderr, flush=True)
            continue
        rows += [summarise(lesson, row) for row in found]
        print(f"{path.name}: {len(found)} widgets", file=sys.stderr, flush=True)
    load = os.getloadavg()[0] if hasattr(os, "getloadavg") else float("nan")
    print(f"load average (1 min) at the end: {load:.1f} on {os.cpu_count()} cores\n")
    print(table(rows))
    for r in rows:
        if r.get("error"):
            print(f"\n{r['lesson']} {r['widget']}: FAILED {r['error'][:300]}")
    if args.json:
        Path(args.json).write_text(json.dumps(rows, indent=1))
    live = [r for r in rows if r["kind"] == "live"]
    print(f"\nlive widgets meeting the target (median <= {TARGET_MEDIAN_MS:.0f} ms, p95 <= {TARGET_P95_MS:.0f} ms): "
          f"{sum(r['meets'] == 'yes' for r in live)} of {len(live)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
