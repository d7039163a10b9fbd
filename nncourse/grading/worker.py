"""One submission, graded in a process of its own: ``python -m nncourse.grading.worker`` (used by the batch).

Reads a job (JSON on stdin: ``path``, ``source``, ``limits``, ``mode``), grades the submission with
:func:`nncourse.grading.grader.grade_file`, and writes the results dict as JSON on stdout. Anything
else this process or the tests print goes to stderr, so stdout carries the report alone. A failure
of the grader itself becomes a report of 0 points with the reason; if this process dies instead,
the batch notices and charges the failure to this submission only. SIGTERM stops it cleanly
(its sandbox is killed on the way out).
"""

import json
import os
import signal
import sys
import time
import traceback
import warnings

from nncourse.grading.grader import failed_tests, grade_file, load_sources, results_dict
from nncourse.grading.plan import match_source
from nncourse.grading.sandbox import Limits


def run(job):
    """The results dict for one job."""
    sources = load_sources(job["source"])
    limits = Limits(**job["limits"])
    start = time.monotonic()
    try:
        return grade_file(job["path"], sources, limits, job["mode"])
    except Exception as err:  # a bug of the grader on this submission must cost this submission only
        reason = (f"the grader failed on this submission ({type(err).__name__}: {str(err)[:300]}); "
                  "an instructor will look at it")
        name = os.path.basename(job["path"])
        source_name = match_source(name, None, sources)
        tests = failed_tests(sources[source_name], reason) if source_name else []
        traceback.print_exc()
        return results_dict(tests, [reason], name, source_name, [], start, job["mode"], status="grader failed")


def _stop(signum, frame):
    sys.exit(128 + signum)  # unwinds through the executor, which kills its sandbox on the way out


def main():
    signal.signal(signal.SIGTERM, _stop)
    report_fd = os.dup(1)
    os.dup2(2, 1)  # whatever else prints goes to stderr
    warnings.simplefilter("ignore")
    report = run(json.loads(sys.stdin.read()))
    with os.fdopen(report_fd, "w", encoding="utf-8") as out:
        out.write(json.dumps(report, ensure_ascii=False))


if __name__ == "__main__":
    main()
