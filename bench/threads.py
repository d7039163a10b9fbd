"""``--threads N`` for the benchmark scripts, applied before numpy is imported.

OpenBLAS reads its thread count once, when numpy loads, so a script calls
``use_threads_from_argv()`` first and imports numpy afterwards.
"""

import os
import sys


def use_threads_from_argv(argv=None):
    """Apply ``--threads N`` from the command line to OpenBLAS and OpenMP; return N or None."""
    argv = sys.argv if argv is None else argv
    threads = None
    for i, arg in enumerate(argv):
        if arg == "--threads" and i + 1 < len(argv):
            threads = argv[i + 1]
        elif arg.startswith("--threads="):
            threads = arg.split("=", 1)[1]
    if threads is not None:
        os.environ["OPENBLAS_NUM_THREADS"] = threads
        os.environ["OMP_NUM_THREADS"] = threads
    return threads
