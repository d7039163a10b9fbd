"""The stored notebook outputs must come out the same on every computer, not just on this one.

Processors differ in the vector instructions numpy and OpenBLAS use, and with them in how the
last bit of ``exp``, ``tanh`` or a matrix product is rounded. A printed number that depends on
that last bit (a chaotic training run, say) passes nbval on the machine that stored it and fails
on a student's laptop or on the CI machine. This test re-runs every lesson and solution notebook
under nbval with the oldest x86-64 code paths forced on (OpenBLAS's Prescott kernels, numpy
without its AVX2/AVX-512 loops), so such a cell fails here, on any machine, before it lands.

Cells whose output legitimately varies carry the ``nbval-ignore-output`` tag and are listed, with
the reason, in ``tests/test_notebooks_meta.py``.
"""

import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]

# Settings that change the rounding of the numerical kernels without changing any result beyond the
# last bits. Unknown names are ignored by both libraries (on ARM, say), so this never breaks a run.
OTHER_PROCESSOR = {
    "OPENBLAS_CORETYPE": "Prescott",
    "NPY_DISABLE_CPU_FEATURES": "X86_V3 X86_V4 AVX512_ICL AVX512_SPR",
    "OMP_NUM_THREADS": "1", "OPENBLAS_NUM_THREADS": "1", "MKL_NUM_THREADS": "1",
}


@pytest.mark.slow
def test_stored_outputs_do_not_depend_on_the_processor():
    env = dict(os.environ, **OTHER_PROCESSOR)
    cmd = [sys.executable, "-m", "pytest", "-q", "notebooks", "solutions"]  # with pyproject.toml's options
    run = subprocess.run(cmd, cwd=ROOT, env=env, capture_output=True, text=True, timeout=900)
    assert run.returncode == 0, (
        "with other rounding in the last bit (" + " ".join(f"{k}={v}" for k, v in OTHER_PROCESSOR.items())
        + ") some stored notebook outputs change; print fewer digits, print a conclusion instead of a "
        "chaotic number, or tag the cell nbval-ignore-output and list it in test_notebooks_meta.py:\n"
        + run.stdout[-6000:])


def test_the_settings_really_switch_numpy_to_other_code_paths():
    probe = ("from numpy._core._multiarray_umath import __cpu_features__ as f; "
             "print(f.get('X86_V3', False))")
    native = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, check=True)
    if native.stdout.strip() != "True":
        pytest.skip("this processor has no AVX2 (x86-64-v3) code paths to switch off")
    forced = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, check=True,
                            env=dict(os.environ, **OTHER_PROCESSOR))
    assert forced.stdout.strip() == "False", "NPY_DISABLE_CPU_FEATURES no longer switches off numpy's AVX2 loops"
