"""Start a student's notebook in a sandbox: Debian's bubblewrap, an unprivileged user, limits for everything.

Inside, ``python -m nncourse.grading.runner`` (see :mod:`nncourse.grading.runner`) sees:

* read-only: the system's ``/usr`` (and its ``/lib``, ``/bin`` links), the Python installation and
  its virtual environment, and the course packages ``nncourse`` and (unless hidden for a
  "numpy only" pass) ``nnlib`` at ``/course``;
* its own empty, size-limited ``/tmp`` and home folder, its own ``/proc`` and a minimal ``/dev``;
* nothing else: not ``solutions/``, not the tests, not other submissions, not the output folder,
  not the grader's files.

It runs with its own user, PID, network, IPC and UTS namespaces as uid 65534, with no capabilities,
and with limits on address space, processes, open files, file size and CPU time that every process
inside inherits; a watchdog also stops the sandbox when all its processes together use more memory
than allowed. When the grader runs as root, each sandbox gets a fresh unprivileged uid outside too
(a first, privileged ``bwrap`` prepares the view and drops to that uid with ``setpriv`` before the
second, unprivileged ``bwrap`` builds the sandbox), so a sandbox can neither signal nor trace nor
count against the processes of the grader or of another sandbox. Stopping it kills the sandbox's
PID namespace, and with it every process inside, however it was detached; :meth:`Sandbox.stop`
checks that none is left.
"""

import os
import resource
import secrets
import shutil
import signal
import subprocess
import sys
import sysconfig
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

import nncourse
import nnlib
from nncourse.grading.remote import Channel, Remote, SandboxLost

INSIDE_UID = 65534
HOME = "/home/student"
COURSE = "/course"
SYSTEM_FILES = ("/etc/ld.so.cache", "/etc/ld.so.conf", "/etc/ld.so.conf.d", "/etc/localtime")


@dataclass
class Limits:
    """Time limits in seconds; memory, file and disk sizes in megabytes."""

    cell: float = 30.0
    total: float = 300.0
    startup: float = 60.0
    memory_mb: int = 4096  # all processes of the sandbox together (and each one's address space)
    processes: int = 64
    open_files: int = 256
    file_mb: int = 64
    disk_mb: int = 256  # the private /tmp and home folder, each


class SandboxUnavailable(RuntimeError):
    """bubblewrap is missing or cannot create namespaces here."""


def _real(path):
    return str(Path(path).resolve())


def _python_paths():
    """Folders of the Python installation the sandbox needs (outside /usr)."""
    paths = {_real(sys.base_prefix), _real(sys.prefix)}
    paths |= {_real(Path(sys.executable).parent.parent)}
    return sorted(path for path in paths if not (path + "/").startswith("/usr/"))


def _installed_copies():
    """Copies of the course packages inside site-packages (a non-editable install): hidden in the sandbox."""
    site = Path(sysconfig.get_paths()["purelib"])
    return [str(site / name) for name in ("nnlib", "nncourse") if (site / name).is_dir()]


def _system_binds():
    """bwrap arguments for /usr and the top-level links or folders of the system."""
    args = ["--ro-bind", "/usr", "/usr"]
    for name in ("/lib", "/lib64", "/bin", "/sbin", "/lib32", "/libx32"):
        if os.path.islink(name):
            args += ["--symlink", os.readlink(name), name]
        elif os.path.isdir(name):
            args += ["--ro-bind", name, name]
    for path in SYSTEM_FILES:
        args += ["--ro-bind-try", path, path]
    return args


def _parents(paths):
    """``--perms 0755 --dir`` for every folder above ``paths``, so an unprivileged user can reach them."""
    args, made = [], set()
    for path in paths:
        for parent in reversed(Path(path).parents):
            text = str(parent)
            if text not in ("/", "/usr") and text not in made and not text.startswith("/usr/"):
                made.add(text)
                args += ["--perms", "0755", "--dir", text]
    return args


def _environment():
    return {"HOME": HOME, "PATH": "/usr/local/bin:/usr/bin:/bin", "PYTHONPATH": COURSE, "PYTHONNOUSERSITE": "1",
            "PYTHONDONTWRITEBYTECODE": "1", "MPLBACKEND": "Agg", "MPLCONFIGDIR": "/tmp/matplotlib",
            "IPYTHONDIR": "/tmp/ipython", "TMPDIR": "/tmp", "LANG": "C.UTF-8", "USER": "student",
            "OMP_NUM_THREADS": "1", "OPENBLAS_NUM_THREADS": "1", "MKL_NUM_THREADS": "1"}


def _reachable_by_others(path):
    """True when a user other than the owner can run ``path`` (every folder above it searchable)."""
    path = Path(path).resolve()
    try:
        if not path.stat().st_mode & 0o005:
            return False
        return all(parent.stat().st_mode & 0o001 for parent in path.parents)
    except OSError:
        return False


def _count_processes(uid):
    count = 0
    for entry in os.listdir("/proc"):
        try:
            if entry.isdigit() and os.stat(f"/proc/{entry}").st_uid == uid:
                count += 1
        except OSError:
            continue
    return count


def _children(pid):
    """All descendants of ``pid`` (through /proc/<pid>/task/*/children)."""
    found, stack = [], [pid]
    while stack:
        current = stack.pop()
        try:
            tasks = os.listdir(f"/proc/{current}/task")
        except OSError:
            continue
        for task in tasks:
            try:
                with open(f"/proc/{current}/task/{task}/children") as handle:
                    kids = [int(kid) for kid in handle.read().split()]
            except OSError:
                continue
            found += kids
            stack += kids
    return found


def _resident_mb(pids):
    total = 0
    for pid in pids:
        try:
            with open(f"/proc/{pid}/statm") as handle:
                total += int(handle.read().split()[1]) * resource.getpagesize()
        except (OSError, ValueError, IndexError):
            continue
    return total / 2**20


def _alive(pid):
    try:
        with open(f"/proc/{pid}/stat") as handle:
            return handle.read().rsplit(")", 1)[1].split()[0] != "Z"
    except (OSError, IndexError):
        return False


_FONTS = {}


def font_cache():
    """Path of matplotlib's font list in the grader's cache (built once if missing), or None.

    A fresh sandbox gets a copy, so ``import matplotlib.pyplot`` does not spend seconds scanning fonts.
    """
    if "path" not in _FONTS:
        _FONTS["path"] = None
        try:
            import matplotlib

            cache = Path(matplotlib.get_cachedir())
            if not list(cache.glob("fontlist-v*.json")):
                import matplotlib.font_manager  # noqa: F401  (builds the font list)
            found = sorted(cache.glob("fontlist-v*.json"), key=lambda path: path.stat().st_mtime)
            _FONTS["path"] = str(found[-1]) if found else None
        except Exception:  # no matplotlib, or no writable cache: the sandbox builds its own
            pass
    return _FONTS["path"]


class Sandbox:
    """One sandboxed notebook runner. ``mode`` is "bwrap" or "none" (``--unsafe-no-sandbox``).

    ``fonts=True`` copies matplotlib's font list in (for notebooks that plot).
    """

    def __init__(self, limits, with_nnlib=True, mode="bwrap", fonts=False):
        self.limits = limits
        self.with_nnlib = with_nnlib
        self.mode = mode
        self.fonts = fonts
        self.process = None
        self.remote = None
        self.uid = None
        self._fds = []
        self._tmp = None
        self._font_fd = None
        self._processes = limits.processes

    # --- command lines ------------------------------------------------------------------------

    def _views(self):
        views = [(_real(Path(nncourse.__file__).parent), f"{COURSE}/nncourse")]
        if self.with_nnlib:
            views.append((_real(Path(nnlib.__file__).parent), f"{COURSE}/nnlib"))
        return views

    def _inner(self, fds):
        disk = str(self.limits.disk_mb * 2**20)
        args = ["bwrap", "--unshare-all", "--unshare-user", "--die-with-parent", "--new-session", "--disable-userns",
                "--uid", str(INSIDE_UID), "--gid", str(INSIDE_UID), *_system_binds(),
                "--size", disk, "--tmpfs", "/tmp"]  # before the binds: the course may live below /tmp
        for path in _python_paths():
            args += ["--ro-bind", path, path]
        args += ["--tmpfs", COURSE]
        for source, target in self._views():
            args += ["--ro-bind", source, target]
        args += ["--remount-ro", COURSE]  # nothing can be added next to the packages (a sitecustomize.py)
        for path in _installed_copies():
            args += ["--tmpfs", path]
        args += ["--proc", "/proc", "--dev", "/dev", "--size", disk, "--tmpfs", HOME, "--chdir", HOME, "--clearenv"]
        if self._font_fd is not None:
            args += ["--file", str(self._font_fd), f"/tmp/matplotlib/{Path(font_cache()).name}"]
        for name, value in _environment().items():
            args += ["--setenv", name, value]
        return args + ["--", sys.executable, "-s", "-B", "-m", "nncourse.grading.runner", *map(str, fds)]

    def _outer(self):
        """As root: a privileged bwrap that shows only what the sandbox needs and drops to ``self.uid``."""
        sources = [*_python_paths(), *(source for source, _ in self._views())]
        args = ["bwrap", "--unshare-pid", "--unshare-net", "--unshare-ipc", "--unshare-uts", "--die-with-parent",
                "--new-session", "--cap-add", "CAP_SETUID", "--cap-add", "CAP_SETGID",
                "--tmpfs", "/tmp",  # first: a course or environment below /tmp is bound on top of it
                *_parents([*sources, *SYSTEM_FILES]), *_system_binds()]
        for path in sources:
            args += ["--ro-bind", path, path]
        args += ["--bind", "/proc", "/proc", "--dev", "/dev"]
        return args + ["setpriv", f"--reuid={self.uid}", f"--regid={self.uid}", "--clear-groups",
                       "--inh-caps=-all", "--"]

    def _preexec(self):
        """Runs in the child between fork and exec: limits for everything started from it."""
        limits = self.limits
        memory = limits.memory_mb * 2**20
        for kind, value in ((resource.RLIMIT_AS, memory), (resource.RLIMIT_NPROC, self._processes),
                            (resource.RLIMIT_NOFILE, limits.open_files), (resource.RLIMIT_CORE, 0),
                            (resource.RLIMIT_FSIZE, limits.file_mb * 2**20),
                            (resource.RLIMIT_CPU, int(limits.total) + 30)):
            resource.setrlimit(kind, (value, value))
        if self.mode == "none" and self.uid is not None:
            os.setgroups([])
            os.setresgid(self.uid, self.uid, self.uid)
            os.setresuid(self.uid, self.uid, self.uid)

    def _unsafe_command(self, fds):
        self._tmp = tempfile.mkdtemp(prefix="nncourse-unsafe-")
        view = Path(self._tmp) / "course"
        view.mkdir()
        for source, target in self._views():
            (view / Path(target).name).symlink_to(source)
        home = Path(self._tmp) / "home"
        home.mkdir()
        if self.uid is not None:
            for path in (self._tmp, view, home):
                os.chown(path, self.uid, self.uid)
        env = {**_environment(), "HOME": str(home), "PYTHONPATH": str(view), "TMPDIR": str(home),
               "MPLCONFIGDIR": str(home / "matplotlib"), "IPYTHONDIR": str(home / "ipython")}
        if not self.with_nnlib:
            env["NNCOURSE_BLOCK_NNLIB"] = "1"
        return [sys.executable, "-s", "-B", "-m", "nncourse.grading.runner", *map(str, fds)], env, str(home)

    # --- life cycle ---------------------------------------------------------------------------

    def start(self):
        """Start the runner and wait until it is ready; return its :class:`Remote`."""
        to_child, from_parent = os.pipe()
        to_parent, from_child = os.pipe()
        self._fds = [from_child, to_child]
        child_fds = (to_child, from_child)
        if self.fonts and self.mode == "bwrap" and font_cache() is not None:
            self._font_fd = os.open(font_cache(), os.O_RDONLY)
            child_fds += (self._font_fd,)
        if os.geteuid() == 0 and (self.mode != "none" or _reachable_by_others(sys.executable)):
            self.uid = 2**30 + secrets.randbelow(2**30)
        elif os.geteuid() != 0:  # RLIMIT_NPROC counts all processes of this user, not only the sandbox's
            self._processes = self.limits.processes + _count_processes(os.geteuid())
        env, cwd = None, None
        if self.mode == "none":
            command, env, cwd = self._unsafe_command((to_child, from_child))
        elif self.uid is not None:
            command = self._outer() + self._inner((to_child, from_child))
        else:
            command = self._inner((to_child, from_child))
        try:
            self.process = subprocess.Popen(command, pass_fds=child_fds, stdin=subprocess.DEVNULL,
                                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env=env, cwd=cwd,
                                            preexec_fn=self._preexec, start_new_session=True)
        finally:
            for fd in (to_child, from_child, self._font_fd):
                if fd is not None:
                    os.close(fd)
            self._font_fd = None
            self._fds = [to_parent, from_parent]
        channel = Channel(to_parent, from_parent, watch=self.watch)
        channel.deadline = time.monotonic() + self.limits.startup
        header, _ = channel.receive()
        if header.get("op") != "ready":
            raise SandboxLost("protocol", "did not start properly")
        self.remote = Remote(channel)
        return self.remote

    def watch(self):
        """Stop everything when the sandbox's processes together use more memory than allowed."""
        if self.process is None:
            return
        if _resident_mb([self.process.pid, *_children(self.process.pid)]) > self.limits.memory_mb:
            raise SandboxLost("memory", f"used more than the {self.limits.memory_mb} MB of memory allowed")

    def leftovers(self):
        """Processes of this sandbox still alive (by its uid when the grader is root)."""
        if self.uid is None:
            return []
        found = []
        for entry in os.listdir("/proc"):
            try:
                if entry.isdigit() and os.stat(f"/proc/{entry}").st_uid == self.uid and _alive(int(entry)):
                    found.append(int(entry))
            except OSError:
                continue
        return found

    def stop(self):
        """Kill the sandbox and everything in it; return the number of processes that had to be killed late."""
        late = 0
        if self.process is not None:
            tree = _children(self.process.pid)
            for kill in (lambda: os.killpg(self.process.pid, signal.SIGKILL), self.process.kill):
                try:
                    kill()
                except OSError:
                    pass
            self.process.wait()
            deadline = time.monotonic() + 3.0
            while time.monotonic() < deadline and (any(map(_alive, tree)) or self.leftovers()):
                time.sleep(0.01)
            for pid in [pid for pid in tree if _alive(pid)] + self.leftovers():
                late += 1
                try:
                    os.kill(pid, signal.SIGKILL)
                except OSError:
                    pass
            self.process = None
        for fd in self._fds:
            try:
                os.close(fd)
            except OSError:
                pass
        self._fds = []
        if self._tmp is not None:
            shutil.rmtree(self._tmp, ignore_errors=True)
            self._tmp = None
        return late


_PROBE = {}


def check_available(limits=None):
    """Raise :class:`SandboxUnavailable` with the reason when no sandbox can be started here (cached)."""
    if "result" not in _PROBE:
        _PROBE["result"] = None
        if shutil.which("bwrap") is None:
            _PROBE["result"] = "bubblewrap (bwrap) is not installed; on Debian or Ubuntu: apt-get install bubblewrap"
        elif os.geteuid() == 0 and shutil.which("setpriv") is None:
            _PROBE["result"] = "setpriv (util-linux) is not installed"
        else:
            sandbox = Sandbox(limits or Limits(startup=60.0))
            try:
                sandbox.start()
            except (SandboxLost, OSError) as err:
                _PROBE["result"] = ("bubblewrap could not start a sandbox here (user namespaces may be disabled, "
                                    f"e.g. by kernel.apparmor_restrict_unprivileged_userns or a container): {err}")
            finally:
                sandbox.stop()
    if _PROBE["result"] is not None:
        raise SandboxUnavailable(_PROBE["result"])
