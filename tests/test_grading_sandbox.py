"""The sandbox a notebook runs in, and the channel the grader's tests reach it through.

What the sandbox sees and may do (its own uid and namespaces, a read-only view of Python and the course
packages only, private size-limited /tmp and home, limits for processes and memory), that stopping it
leaves no process behind, and how calls, attributes, callbacks, in-place changes, exceptions and
warnings cross the channel. Needs bubblewrap (skipped locally without it, an error under CI=true).
"""

import os
import sys
import time
import warnings

import numpy as np
import pytest
from grading_support import ROOT, grading_processes, require_sandbox

from nncourse.grading.remote import ChannelError, SandboxLost, StudentExit
from nncourse.grading.sandbox import Limits, Sandbox, _alive, _children


def stop_cleanly(sandbox):
    """Stop a sandbox; every process it had must be gone at once (none killed late, none left)."""
    tree = _children(sandbox.process.pid) if sandbox.process is not None else []
    assert sandbox.stop() == 0
    assert [pid for pid in tree if _alive(pid)] == [] and sandbox.leftovers() == []
    return len(tree)


@pytest.fixture(scope="module")
def remote():
    """One sandbox for the channel tests (a test that breaks it gets its own)."""
    require_sandbox()
    sandbox = Sandbox(Limits(cell=20, total=120, memory_mb=1024))
    remote = sandbox.start()
    yield remote
    assert sandbox.stop() == 0


def run(remote, source, seconds=20):
    remote.channel.deadline = time.monotonic() + seconds
    reply = remote.run_cell(source)
    assert reply["status"] == "ok", reply
    return reply


def value(remote, name, seconds=20):
    remote.channel.deadline = time.monotonic() + seconds
    return remote.resolve({name})[name]


# --- what the notebook sees ------------------------------------------------------------------------

VIEW = f'''
import os, json
def probe(path):
    try:
        return sorted(os.listdir(path))[:5] if os.path.isdir(path) else open(path, "rb").read(10).decode(errors="replace")
    except OSError as err:
        return type(err).__name__
def write(path):
    try:
        with open(path, "w") as handle:
            handle.write("x")
        return "written"
    except OSError as err:
        return type(err).__name__
status = open("/proc/self/status").read()
facts = {{
    "uid": os.getuid(), "gid": os.getgid(), "pid": os.getpid(), "ppid": os.getppid(),
    "caps": [line.split()[1] for line in status.splitlines() if line.startswith(("CapEff", "CapPrm", "CapBnd"))],
    "root": sorted(os.listdir("/")), "processes": sorted(p for p in os.listdir("/proc") if p.isdigit()),
    "project": probe({str(ROOT)!r}), "solutions": probe({str(ROOT / "solutions")!r}),
    "tests": probe({str(ROOT / "tests")!r}), "course": sorted(os.listdir("/course")),
    "write_course": write("/course/nncourse/grading/checking.py"), "write_venv": write({str(ROOT / ".venv/x.pth")!r}),
    "write_home": write(os.path.expanduser("~/.ipython_startup_test")), "write_tmp": write("/tmp/x"),
    "net": sorted(os.listdir("/sys/class/net")) if os.path.isdir("/sys/class/net") else "no /sys",
    "home": os.path.expanduser("~"), "cwd": os.getcwd(),
}}
'''


def test_the_notebook_sees_only_python_and_the_course_packages(remote):
    run(remote, VIEW)
    facts = value(remote, "facts")
    assert (facts["uid"], facts["gid"], facts["pid"]) == (65534, 65534, 2)
    assert facts["caps"] == ["0000000000000000"] * 3
    assert facts["processes"] == ["1", "2"]  # its own PID namespace: the grader is invisible
    assert "work" not in facts["root"] or facts["project"] == [".venv"]
    assert facts["solutions"] == "FileNotFoundError" and facts["tests"] == "FileNotFoundError"
    assert facts["course"] == ["nncourse", "nnlib"]
    assert facts["write_course"] in ("PermissionError", "OSError")
    assert facts["write_venv"] in ("PermissionError", "OSError", "FileNotFoundError")
    assert (facts["write_home"], facts["write_tmp"]) == ("written", "written")
    assert facts["net"] in ("no /sys", ["lo"])
    assert facts["home"] == facts["cwd"] == "/home/student"


def test_outside_the_sandbox_it_runs_under_an_unprivileged_uid_of_its_own():
    require_sandbox()
    if os.geteuid() != 0:
        pytest.skip("the grader is not root: the sandbox runs as the grader's user, mapped to 65534")
    sandboxes = [Sandbox(Limits()) for _ in range(2)]
    try:
        for sandbox in sandboxes:
            sandbox.start()
        uids = [sandbox.uid for sandbox in sandboxes]
        assert uids[0] != uids[1] and min(uids) >= 2**30
        runner = [pid for pid in sandboxes[0].leftovers() if b"runner" in open(f"/proc/{pid}/cmdline", "rb").read()]
        assert runner and os.stat(f"/proc/{runner[0]}").st_uid == uids[0]
    finally:
        for sandbox in sandboxes:
            sandbox.stop()


def test_a_numpy_only_sandbox_has_no_nnlib():
    require_sandbox()
    sandbox = Sandbox(Limits(), with_nnlib=False)
    remote = sandbox.start()
    try:
        remote.channel.deadline = time.monotonic() + 30
        reply = remote.run_cell("import nnlib.layers")
        assert (reply["status"], reply["error"]["type"]) == ("error", "ModuleNotFoundError")
        run(remote, "from nncourse.grading import check\nimport numpy")
    finally:
        sandbox.stop()


# --- limits and clean-up -----------------------------------------------------------------------------

def test_processes_open_files_cpu_time_and_disk_are_limited():
    require_sandbox()
    sandbox = Sandbox(Limits(processes=16, disk_mb=20, file_mb=5, open_files=40, total=90))
    remote = sandbox.start()
    try:
        run(remote, '''
import os, resource, time
handles = []
try:
    for _ in range(100):
        handles.append(open("/dev/null"))
except OSError:
    pass
opened = len(handles)
for handle in handles:
    handle.close()
cpu_seconds = resource.getrlimit(resource.RLIMIT_CPU)
forks = 0
try:
    for _ in range(100):
        if os.fork() == 0:
            try:
                time.sleep(30)
            finally:
                os._exit(0)
        forks += 1
except OSError:
    pass
try:
    with open("/tmp/big", "wb") as handle:
        handle.write(b"x" * 6 * 2**20)
    big = "written"
except OSError as err:
    big = type(err).__name__
filled = 0
try:
    for n in range(100):
        with open(f"/tmp/fill{n}", "wb") as handle:
            handle.write(b"x" * 2**20)
        filled += 1
except OSError:
    pass
''', seconds=30)
        assert value(remote, "forks") < 16
        assert 10 < value(remote, "opened") < 40 and value(remote, "cpu_seconds") == (120, 120)
        assert value(remote, "big") == "OSError"  # RLIMIT_FSIZE: the process gets an error, not a crash
        assert value(remote, "filled") <= 20
    finally:
        assert stop_cleanly(sandbox) >= 15  # the runner, bwrap's own processes and the sleeping forks


def test_memory_of_all_processes_together_is_watched():
    require_sandbox()
    sandbox = Sandbox(Limits(memory_mb=400))
    remote = sandbox.start()
    try:
        remote.channel.deadline = time.monotonic() + 30
        with pytest.raises(SandboxLost) as lost:
            remote.run_cell('''
import os, time
for _ in range(4):
    if os.fork() == 0:
        try:
            block = b"\\x01" * (150 * 2**20)
            time.sleep(60)
        finally:
            os._exit(0)
time.sleep(60)''')
        assert lost.value.kind == "memory"
    finally:
        stop_cleanly(sandbox)


def test_stopping_kills_detached_processes_too():
    require_sandbox()
    sandbox = Sandbox(Limits())
    remote = sandbox.start()
    run(remote, '''
import os, subprocess, time
if os.fork() == 0:
    os.setsid()
    if os.fork() == 0:
        time.sleep(300)
    os._exit(0)
subprocess.Popen(["sleep", "31337"], start_new_session=True)''')
    time.sleep(0.3)
    assert any("31337" in line for line in grading_processes(marker="sleep 31337"))
    stop_cleanly(sandbox)
    assert grading_processes(marker="sleep 31337") == []


LEAVE_BEHIND = """import os, sys
targets = [os.path.expanduser("~/.ipython/profile_default/startup/00-pass.py"),
           os.path.join(os.environ["IPYTHONDIR"], "profile_default", "startup", "00-pass.py"),
           os.path.expanduser(f"~/.local/lib/python{sys.version_info.major}.{sys.version_info.minor}/site-packages/"
                              "usercustomize.py"),
           "/tmp/sitecustomize.py", "/course/sitecustomize.py", os.path.join(sys.prefix, "sitecustomize.py")]
written = []
for path in targets:
    try:
        os.makedirs(os.path.dirname(path), exist_ok=True)
        with open(path, "w") as handle:
            handle.write("LEFT_BEHIND = 1\\n")
        written.append(path)
    except OSError:
        pass
"""


def test_nothing_one_sandbox_leaves_behind_reaches_the_next_or_the_grader():
    """IPython start-up files, user and site customisation: written in one sandbox, gone in the next."""
    require_sandbox()
    home_startup = os.path.expanduser("~/.ipython/profile_default/startup/00-pass.py")
    assert not os.path.exists(home_startup)
    first = Sandbox(Limits())
    try:
        run(first.start(), LEAVE_BEHIND)
        written = value(first.remote, "written")
        assert len(written) >= 3 and any("/ipython" in path or "/.ipython" in path for path in written)
        assert not any(path.startswith(("/course", sys.prefix)) for path in written)  # read-only views
    finally:
        stop_cleanly(first)
    second = Sandbox(Limits())
    try:
        run(second.start(), f"import os, sys\nleft = [p for p in {written!r} if os.path.exists(p)]\n"
                            "defined = 'LEFT_BEHIND' in globals() or any(hasattr(module, 'LEFT_BEHIND') "
                            "for module in list(sys.modules.values()))")
        assert (value(second.remote, "left"), value(second.remote, "defined")) == ([], False)
    finally:
        stop_cleanly(second)
    assert not os.path.exists(home_startup)


def test_a_student_that_never_answers_times_out(remote):
    sandbox = Sandbox(Limits())
    other = sandbox.start()
    try:
        other.channel.deadline = time.monotonic() + 1.5
        started = time.monotonic()
        with pytest.raises(SandboxLost) as lost:
            other.run_cell("import time\ntime.sleep(100)")
        assert lost.value.kind == "timeout" and time.monotonic() - started < 3
    finally:
        sandbox.stop()


def test_garbage_on_the_channel_breaks_only_that_sandbox():
    require_sandbox()
    sandbox = Sandbox(Limits())
    other = sandbox.start()
    try:
        other.channel.deadline = time.monotonic() + 20
        with pytest.raises(SandboxLost) as lost:
            other.run_cell("import os, struct, sys\nos.write(int(sys.argv[-1]), struct.pack('>Q', 2**40))")
        assert lost.value.kind in ("protocol", "crashed")
    finally:
        sandbox.stop()


# --- calls across the channel ------------------------------------------------------------------------

CODE = '''import sys, warnings
import numpy as np

def double_in_place(x):
    x *= 2
    return None

def step_params(params, rng):
    params["w"] = params["w"] - 1.0
    params["b"] += 1.0
    return rng.permutation(4)

def call_twice(f, v):
    return f(v) + f(v + 1)

def noisy(z):
    return np.exp(z)

def broken(x):
    return x @ np.ones((5, 5))

def leave():
    sys.exit(3)

class Layer:
    def __init__(self, n):
        self.W = np.ones((n, n))
    def forward(self, x):
        return x @ self.W.T
    def __len__(self):
        return 7
    def __getitem__(self, i):
        return self.W[i]

class Liar(float):
    def __eq__(self, other):
        return True

def liar():
    return Liar(3.0)

def objects():
    return np.array([object()], dtype=object)

def gen():
    yield 1
    yield 2
'''


def test_functions_classes_and_attributes_work_through_stand_ins(remote):
    run(remote, CODE)
    Layer = value(remote, "Layer")
    layer = Layer(3)
    assert callable(Layer) and not callable(layer) and repr(layer) == "<Layer from your notebook>"
    assert layer.forward(np.ones((2, 3))).tolist() == [[3.0] * 3] * 2
    layer.W = np.eye(3)
    assert np.array_equal(layer.W, np.eye(3))
    copy = layer.W
    copy[0, 0] = 5.0  # attributes arrive as copies
    assert layer.W[0, 0] == 1.0
    assert len(layer) == 7 and layer[1].tolist() == [0.0, 1.0, 0.0]
    assert list(value(remote, "gen")()) == [1, 2]
    assert value(remote, "liar")() == 3.0 and value(remote, "liar")() != 4.0  # plain float, no __eq__ of its own
    with pytest.raises((TypeError, ValueError)):
        np.asarray(value(remote, "objects")(), dtype=float)


def test_in_place_changes_and_generators_come_back(remote):
    x = np.arange(3.0)
    assert value(remote, "double_in_place")(x) is None and x.tolist() == [0.0, 2.0, 4.0]
    params, rng = {"w": np.ones(2), "b": np.array(0.0)}, np.random.default_rng(0)
    order = value(remote, "step_params")(params, rng)
    assert params["w"].tolist() == [0.0, 0.0] and float(params["b"]) == 1.0
    assert sorted(order.tolist()) == [0, 1, 2, 3]
    fresh = np.random.default_rng(0)
    fresh.permutation(4)
    assert rng.bit_generator.state == fresh.bit_generator.state


def test_the_graders_own_functions_run_in_the_grader_when_called_back(remote):
    seen = []

    def square(v):
        seen.append(type(v).__name__)
        return float(np.sum(v ** 2))

    assert value(remote, "call_twice")(square, np.array([1.0, 2.0])) == 5.0 + 13.0
    assert seen == ["ndarray", "ndarray"]


def test_exceptions_and_warnings_cross_in_plain_words(remote):
    with pytest.raises(ValueError) as raised:
        value(remote, "broken")(np.ones(3))
    assert raised.value.remote["type"] == "ValueError"
    line = CODE.splitlines().index("    return x @ np.ones((5, 5))") + 1
    assert raised.value.remote["location"] == f"in broken, line {line}: return x @ np.ones((5, 5))"
    with pytest.raises(StudentExit):
        value(remote, "leave")()
    with warnings.catch_warnings():
        warnings.simplefilter("error", RuntimeWarning)
        with pytest.raises(RuntimeWarning, match="overflow"):
            value(remote, "noisy")(np.array([1000.0]))
    with pytest.raises(NameError):
        exec("missing_name", remote.resolve({"missing_name"}))


def test_answers_too_big_to_send_are_refused_in_words(remote):
    run(remote, "import numpy as np\ndef huge():\n    return np.zeros(20_000_000)\n")
    with pytest.raises(ValueError, match="could not be sent to the grader"):
        value(remote, "huge")()


def test_a_reply_that_is_not_plain_data_fails_the_test_not_the_grader(remote):
    run(remote, '''
import gc
_runner = next(o for o in gc.get_objects() if type(o).__name__ == "Runner")
def lie():
    return 1
_original = _runner._value_reply
def _forged(value, extra=None):
    header, parts = _original(value, extra)
    if value == 1:
        header["value"] = {"$a": 5}
    return header, parts
_runner._value_reply = _forged
''')
    with pytest.raises(ChannelError, match="a reference to a binary part that does not exist"):
        value(remote, "lie")()


def test_names_a_test_uses_reach_the_notebook_only_if_it_defined_them(remote):
    run(remote, '''
import gc
_runner = next(o for o in gc.get_objects() if type(o).__name__ == "Runner")
seen = []
_dispatch = _runner.dispatch
def _spy(header, parts):
    seen.append(repr(header))
    return _dispatch(header, parts)
_runner.dispatch = _spy
def defined_here():
    return 1
''')
    remote.channel.deadline = time.monotonic() + 20
    assert set(remote.resolve({"defined_here", "_hidden_secret_name"})) == {"defined_here"}
    requests = value(remote, "seen")
    assert any("defined_here" in request for request in requests)
    assert not any("_hidden_secret_name" in request for request in requests)


def test_cells_run_as_in_jupyter_magics_and_display_included(remote):
    run(remote, "%matplotlib inline\nimport matplotlib.pyplot as plt\nplt.plot([1, 2])\nplt.show()\n"
                "from IPython.display import display\ndisplay({'a': 1})\n%timeit -n1 -r1 sum(range(10))\n"
                "after_magics = 1", seconds=60)
    assert value(remote, "after_magics") == 1
    remote.channel.deadline = time.monotonic() + 20
    reply = remote.run_cell("exit()\nquit()\nstill_running = input()")
    assert (reply["status"], reply["error"]["type"]) == ("error", "EOFError")


def test_the_private_tmp_is_mounted_before_the_binds_so_a_course_below_tmp_stays_visible(monkeypatch):
    # A clone in /tmp (and its .venv) is bound into the sandbox; a tmpfs on /tmp mounted after those
    # binds would hide them and the sandbox could not start its Python.
    import nncourse.grading.sandbox as sandbox_module
    monkeypatch.setattr(sandbox_module, "_python_paths", lambda: ["/tmp/a-clone/.venv", "/usr/lib/python3.11"])
    sandbox = Sandbox(Limits())
    sandbox.uid = 2**30 + 1
    for name, args in (("inner", sandbox._inner((3, 4))), ("outer", sandbox._outer())):
        tmpfs = [i for i, arg in enumerate(args) if arg == "/tmp" and args[i - 1] == "--tmpfs"]
        below_tmp = [i for i, arg in enumerate(args) if arg in ("--ro-bind", "--bind") and args[i + 2].startswith("/tmp/")]
        assert len(tmpfs) == 1, f"{name}: one private /tmp, got {len(tmpfs)}"
        assert below_tmp, f"{name}: the environment below /tmp is not bound at all"
        assert tmpfs[0] < min(below_tmp), f"{name}: /tmp is mounted over the binds below it"
