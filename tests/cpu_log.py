"""Where the suite's CPU goes, test by test (issue 26). `PAMPHLET_CPU_LOG=FILE make test` (or any pytest run)
appends to FILE a JSON line for each phase of each test (setup, call, teardown): the CPU (user+sys) its process
spent in it ("self": its in-process builds, PDF reading, ...) and that of the processes it waited for ("children":
a fresh interpreter, watch mode, Chromium, pdftotext); one for each build made in the test's process ("here":
cli.main's or build.build's arguments, the CPU of this process and of the children the build waited for: its second
process, its forks); and tools/build_server.py adds one for each build it forked ("build": argv, cores, the CPU of
the build and its children, the test that asked). conftest registers this plugin when the variable is set.
`python tests/cpu_log.py FILE` sums them by test file, then the dearest tests and builds.

A BuildServer of a test's own (test_incremental's, on a copy of the builder), stopped inside the test, counts in
that test's children too: the sums leave its builds out. The run's EPUBCheck JVM and Ace server write their CPU to
"cpu" in their folder (made-once/epubcheck, made-once/ace), which no process of the run waits for.
"""

import json
import os
import resource
import sys
import time
from collections import defaultdict
from pathlib import Path

import pytest

LOG = "PAMPHLET_CPU_LOG"
CHECKOUT = str(Path(__file__).resolve().parent.parent)


def _cpu():
    """(this process's CPU, that of the children it has waited for), user+sys seconds."""
    own, children = (resource.getrusage(who) for who in (resource.RUSAGE_SELF, resource.RUSAGE_CHILDREN))
    return own.ru_utime + own.ru_stime, children.ru_utime + children.ru_stime


def write(entry):
    with open(os.environ[LOG], "a", encoding="utf-8") as log:
        log.write(json.dumps(entry) + "\n")


def _phase(item, phase):
    own, children, start = *_cpu(), time.monotonic()
    yield
    own_after, children_after = _cpu()
    write({"test": item.nodeid, "phase": phase, "self": round(own_after - own, 3),
           "children": round(children_after - children, 3), "wall": round(time.monotonic() - start, 3),
           "worker": os.environ.get("PYTEST_XDIST_WORKER")})


def pytest_configure(config):
    """cli.main and build.build, as the tests call them, each logging the CPU of a build made in this process."""
    from pamphlet import cli
    from pamphlet.pipeline import build
    depth = [0]  # cli.main calls build.build: the outer call alone is logged

    def logged(function, name):
        def call(*args, **kwargs):
            depth[0] += 1
            own, children = _cpu()
            try:
                return function(*args, **kwargs)
            finally:
                depth[0] -= 1
                own_after, children_after = _cpu()
                if not depth[0]:
                    write({"here": [name, *map(str, args[0] if name == "cli.main" else args)],
                           "self": round(own_after - own, 3), "children": round(children_after - children, 3),
                           "test": os.environ.get("PYTEST_CURRENT_TEST", "").rsplit(" (", 1)[0]})
        return call
    cli.main = logged(cli.main, "cli.main")
    build.build = logged(build.build, "build.build")


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_setup(item):
    yield from _phase(item, "setup")


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_call(item):
    yield from _phase(item, "call")


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_teardown(item):
    yield from _phase(item, "teardown")


def summary(path, top=25):
    """The log's sums: by test file (self, children, builds forked by the run's BuildServer, wall, and of self and
    children what the builds made in the test's process cost, and how many), then the dearest tests and builds."""
    entries = [json.loads(line) for line in Path(path).read_text(encoding="utf-8").splitlines() if line.strip()]
    tests, builds = defaultdict(lambda: [0.0, 0.0, 0.0, 0.0]), []
    here = defaultdict(lambda: [0.0, 0.0, 0])  # by test file: in-process builds' self, children, count
    for entry in entries:
        if "here" in entry:
            row = here[entry["test"].split("::")[0]]
            row[0] += entry["self"]
            row[1] += entry["children"]
            row[2] += 1
        elif "build" in entry:
            if entry["root"] == CHECKOUT:  # the others counted in their test's children
                tests[entry["test"]][2] += entry["cpu"]
                builds.append(entry)
        else:
            row = tests[entry["test"]]
            row[0] += entry["self"]
            row[1] += entry["children"]
            row[3] += entry["wall"]
    files = defaultdict(lambda: [0.0, 0.0, 0.0, 0.0])
    for test, row in tests.items():
        for index, value in enumerate(row):
            files[test.split("::")[0]][index] += value
    lines = [f"{'':44} {'self':>7} {'child':>7} {'builds':>7} {'CPU':>7} {'wall':>7}   {'of which here':>14}"]

    def rows(table, count):
        for name, row in sorted(table.items(), key=lambda item: -sum(item[1][:3]))[:count]:
            inside = here.get(name)
            lines.append(f"{name[-44:]:44} {row[0]:7.1f} {row[1]:7.1f} {row[2]:7.1f} {sum(row[:3]):7.1f} {row[3]:7.1f}"
                         + (f"   {inside[0] + inside[1]:6.1f} s ({inside[2]})" if inside else ""))
    rows(files, len(files))
    total = [sum(row[index] for row in files.values()) for index in range(4)]
    inside = [sum(row[index] for row in here.values()) for index in range(3)]
    lines.append(f"{'all':44} {total[0]:7.1f} {total[1]:7.1f} {total[2]:7.1f} {sum(total[:3]):7.1f} {'':7}"
                 f"   {inside[0] + inside[1]:6.1f} s ({inside[2]})")
    lines.append("")
    rows(tests, top)
    lines.append("")
    for entry in sorted(builds, key=lambda entry: -entry["cpu"])[:top]:
        script = f"{Path(entry['script']).name} " if entry["script"] else ""
        lines.append(f"{entry['cpu']:6.1f} s  cores {entry['cores'] or '-'}  {script}{' '.join(entry['build'])[:100]}"
                     f"  ({entry['test'].split('::')[-1][:40]})")
    return "\n".join(lines)


if __name__ == "__main__":
    print(summary(sys.argv[1]))
