"""Kernel-side latency of every interactive figure of every lesson (a script, not a timed test).

Usage::

    python bench/bench_widgets.py                                   # every lesson in notebooks/
    python bench/bench_widgets.py notebooks/00_start_here.ipynb notebooks/01_neurons_threshold_units.ipynb
    python bench/bench_widgets.py --updates 30 --json widgets.json

Each notebook runs headless in a fresh kernel (as nbval runs it). Then, in the same kernel, every
widget the notebook made is found through ``nncourse.widgets.registry()`` (live figures and
Run-button experiments) or, for cells not yet converted, through ipywidgets' list of
``interactive`` widgets ("legacy": a new figure per move). Each control is moved over its range
(``--updates`` values per control; every option of a drop-down), and the time the kernel spends
on each move is measured: from setting the value to the new picture handed to the comm (callback,
drawing, PNG encoding, message). Run-button experiments are timed per run. The table gives the
median and 95th percentile of the wall-clock time per widget (the targets for live widgets: a
median <= 50 ms and a 95th percentile <= 150 ms), and the median CPU time of the kernel process,
which says what the wall-clock time would be on an otherwise idle machine.
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

# Runs inside the kernel after the notebook: drives every widget and prints one JSON line.
DRIVER = r'''
import json as _json, time as _time
import numpy as _np
import ipywidgets as _ipw
from nncourse import widgets as _widgets


def _sweep(control, n):
    if isinstance(control, (_ipw.Dropdown, _ipw.RadioButtons, _ipw.ToggleButtons, _ipw.SelectionSlider)):
        options = [o[1] if isinstance(o, tuple) else o for o in control.options]
        return [options[(k + 1) % len(options)] for k in range(len(options))]
    if isinstance(control, _ipw.FloatLogSlider):
        exps = _np.linspace(control.min, control.max, n)
        return [float(control.base ** e) for e in exps]
    if isinstance(control, (_ipw.IntSlider, _ipw.FloatSlider)):
        values = _np.linspace(control.min, control.max, n)
        values = _np.round((values - control.min) / control.step) * control.step + control.min
        values = _np.clip(values, control.min, control.max)
        return [int(v) for v in values] if isinstance(control, _ipw.IntSlider) else [float(v) for v in values]
    if isinstance(control, _ipw.Checkbox):
        return [not control.value, control.value]
    return []


def _drive(controls, n):
    times, cpu = [], []
    for name, control in controls.items():
        start = control.value
        for value in _sweep(control, n):
            if value == control.value:
                continue
            t0, c0 = _time.perf_counter(), _time.process_time()
            control.value = value
            times.append(_time.perf_counter() - t0)
            cpu.append(_time.process_time() - c0)
        control.value = start
    return times, cpu


_rows = []
for _w in _widgets.registry():
    if _w.kind == "run":
        _times, _cpu = [], []
        for _ in range(__RUNS__):
            _t0, _c0 = _time.perf_counter(), _time.process_time()
            _w.run()
            _times.append(_time.perf_counter() - _t0); _cpu.append(_time.process_time() - _c0)
    else:
        _times, _cpu = _drive(_w.controls, __UPDATES__)
    _rows.append({"widget": _w.name, "kind": _w.kind, "controls": list(_w.controls), "times": _times,
                  "cpu": _cpu, "full_draws": _w.renderer.full_draws, "blits": _w.renderer.blits})
for _w in list(_ipw.Widget.widgets.values()):
    if isinstance(_w, _ipw.interactive):
        _controls = {c.description or f"control {k}": c for k, c in enumerate(_w.kwargs_widgets)
                     if hasattr(c, "value") and not isinstance(c, _ipw.Output)}
        _times, _cpu = _drive(_controls, __UPDATES__)
        _rows.append({"widget": getattr(_w.f, "__name__", "interactive"), "kind": "legacy",
                      "controls": list(_controls), "times": _times, "cpu": _cpu})
print("BENCH-JSON " + _json.dumps(_rows))
'''


def bench_notebook(path, updates, runs):
    """Run one notebook and its widget driver in a fresh kernel; return the driver's rows."""
    nb = nbformat.read(path, as_version=4)
    driver = DRIVER.replace("__UPDATES__", str(updates)).replace("__RUNS__", str(runs))
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
                "cpu_median_ms": float("nan"), "meets": "-"}
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
    if args.json:
        Path(args.json).write_text(json.dumps(rows, indent=1))
    live = [r for r in rows if r["kind"] == "live"]
    print(f"\nlive widgets meeting the target (median <= {TARGET_MEDIAN_MS:.0f} ms, p95 <= {TARGET_P95_MS:.0f} ms): "
          f"{sum(r['meets'] == 'yes' for r in live)} of {len(live)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
