"""build.py's command line for the tests, each run in a process forked from this one, which has imported the
builder's modules once: a fresh interpreter spends ~0.7 s of CPU importing them before each build.

python tests/tools/build_server.py ROOT (the folder of build.py and pamphlet/: the checkout or a copy), started by
conftest.BuildServer. Each line on stdin is a JSON request {"argv", "cwd", "env", "stdout", "stderr", "status"} and
optionally "script" (a tool that wraps build.py, such as tests/tools/paused_build.py; build.py when absent) and
"cores" (how many cores the build sees: 1 makes pipeline.parallel do everything in the build's one process); for
each, a child is forked that runs the script as `python SCRIPT ARGV` would (its own working folder, environment,
argv, stdin from /dev/null, stdout and stderr into the files named), then writes its exit status into the status
file (whole, by a rename). This process answers each request with the child's pid and waits for its children, so
that their CPU counts in the run's; at the end of stdin it waits for the last.
"""

import atexit
import importlib
import io
import json
import os
import pkgutil
import runpy
import sys
import tempfile
import traceback
from pathlib import Path

ROOT = Path(sys.argv[1]).resolve()  # the builder's folder (build.py, pamphlet/): the checkout or a copy of it
sys.path.insert(0, str(ROOT))  # as `python build.py` has it: the package beside it

import pamphlet  # noqa: E402

for module in pkgutil.walk_packages(pamphlet.__path__, "pamphlet."):  # the builder and the libraries it imports
    importlib.import_module(module.name)


def child(request):
    """In the forked child: run build.py as a fresh interpreter would, then leave with its exit status."""
    status = 1
    try:
        status = run(request)
    except BaseException:  # noqa: BLE001 (before build.py ran: said on the server's stderr)
        traceback.print_exc()
    finally:
        done = Path(request["status"])
        done.with_name(done.name + ".part").write_text(str(status))
        os.replace(done.with_name(done.name + ".part"), done)
        os._exit(status)


def run(request):
    """build.py run with the request's folder, environment, arguments and files; its exit status."""
    os.chdir(request["cwd"])
    os.environ.clear()
    os.environ.update(request["env"])
    tempfile.tempdir = None  # found again from the environment (TMPDIR), as a fresh interpreter finds it
    for fd, path, mode in ((0, os.devnull, os.O_RDONLY), (1, request["stdout"], os.O_WRONLY | os.O_CREAT),
                           (2, request["stderr"], os.O_WRONLY | os.O_CREAT)):
        opened = os.open(path, mode, 0o644)
        os.dup2(opened, fd)
        os.close(opened)
    # New streams on the new descriptors, as an interpreter's own (block-buffered into files, UTF-8)
    sys.stdin = sys.__stdin__ = io.TextIOWrapper(io.FileIO(0, "r", closefd=False), encoding="utf-8")
    sys.stdout = sys.__stdout__ = io.TextIOWrapper(io.BufferedWriter(io.FileIO(1, "w", closefd=False)),
                                                   encoding="utf-8", errors="strict")
    sys.stderr = sys.__stderr__ = io.TextIOWrapper(io.BufferedWriter(io.FileIO(2, "w", closefd=False)),
                                                   encoding="utf-8", errors="backslashreplace", line_buffering=True)
    if request.get("cores"):
        os.cpu_count = lambda: request["cores"]
    sys.argv = [request.get("script") or str(ROOT / "build.py"), *request["argv"]]
    try:
        runpy.run_path(sys.argv[0], run_name="__main__")
        status = 0
    except SystemExit as stop:  # as the interpreter reads it
        if stop.code is None or isinstance(stop.code, int):
            status = stop.code or 0
        else:
            print(stop.code, file=sys.stderr)
            status = 1
    except BaseException:  # noqa: BLE001 (an uncaught exception: its traceback, status 1)
        traceback.print_exc()
        status = 1
    atexit._run_exitfuncs()
    for stream in (sys.stdout, sys.stderr):
        stream.flush()
    return status


ASKED = {}  # the request of each child running, by pid


def reap(block=False):
    """Wait for the children that have ended (all of them, if block); with PAMPHLET_CPU_LOG in a request's
    environment, write the CPU of its build (its children's included) there, for tests/cpu_log.py."""
    while True:
        try:
            pid, _, usage = os.wait4(-1, 0 if block else os.WNOHANG)
        except ChildProcessError:
            return
        if pid == 0:
            return
        request = ASKED.pop(pid, None)
        if request and request["env"].get("PAMPHLET_CPU_LOG"):
            with open(request["env"]["PAMPHLET_CPU_LOG"], "a", encoding="utf-8") as log:
                log.write(json.dumps({"build": request["argv"], "script": request.get("script"),
                                      "cores": request.get("cores"), "root": str(ROOT),
                                      "cpu": round(usage.ru_utime + usage.ru_stime, 3),
                                      "test": request["env"].get("PYTEST_CURRENT_TEST", "").rsplit(" (", 1)[0]})
                          + "\n")


for line in sys.stdin:
    reap()
    request = json.loads(line)
    sys.stdout.flush()
    sys.stderr.flush()
    pid = os.fork()
    if pid == 0:
        child(request)  # never returns
    ASKED[pid] = request
    print(pid, flush=True)
reap(block=True)
