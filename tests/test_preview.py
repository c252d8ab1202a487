"""The live preview (build.py --watch --serve), driven in Debian's headless Chromium (tests/tools/preview_check.js):
the web edition and the print pages on localhost, the new words on the page after an edit, a broken edit's problem
shown on the page and gone once mended."""

import json
import os
import shutil
import signal
import subprocess
import sys
import urllib.error
import urllib.request

import pytest

from conftest import ROOT, output

ACE_MODULES = ROOT / ".venv" / "ace" / "node_modules"


def test_the_preview_follows_each_edit_and_shows_its_problems(scaffold, tmp_path):
    """(The pamphlet is `build.py new`'s: each of its builds costs a third of one of texts/.)"""
    node, browser = shutil.which("node"), shutil.which("chromium")
    if not (node and browser and (ACE_MODULES / "puppeteer").is_dir()):
        missing = "Chromium, Node.js or DAISY Ace's puppeteer (make ace) are not installed"
        if os.environ.get("PAMPHLET_REQUIRE_ACE") == "1":
            pytest.fail(missing)
        pytest.skip(missing)
    out = tmp_path / "out"
    process = subprocess.Popen([sys.executable, str(ROOT / "build.py"), "print", "proof", "web", "--texts", scaffold,
                                "--out", out, "--watch", "--serve", "--port", "0"],
                               cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    try:
        first = process.stdout.readline()
        assert first.startswith("preview at http://127.0.0.1:"), first
        url = first.split()[2]
        with pytest.raises(urllib.error.HTTPError):  # the build's record and lock are not served
            urllib.request.urlopen(url + ".pamphlet-cache.json", timeout=30)
        web = output(out, "web", slug="texts").relative_to(out).as_posix()
        job = tmp_path / "job.json"
        job.write_text(json.dumps({
            "url": url, "piece_page": "/" + web.replace("index.html", "statement.html"),
            "file": str(scaffold / "statement.md"), "old": "A closing paragraph", "new": "A closing word",
            "broken": "\n\nA call to a note never written.[^nowhere]\n", "seconds": 120}), encoding="utf-8")
        result = subprocess.run([node, str(ROOT / "tests" / "tools" / "preview_check.js"), str(job)],
                                capture_output=True, text=True, timeout=900,
                                env={**os.environ, "NODE_PATH": str(ACE_MODULES), "PUPPETEER_EXECUTABLE_PATH": browser})
    finally:
        process.send_signal(signal.SIGINT)
        log = process.communicate(timeout=60)[0]
    assert result.returncode == 0, result.stderr + log
    seen = json.loads(result.stdout)
    assert seen["first"] is not None and seen["piece"] is not None, (seen, log)
    assert seen["edited"] is not None, f"the edit never reached the page: {seen}\n{log}"
    assert seen["still_on_piece"].endswith("statement.html"), "the reload keeps the page the reader was on"
    assert seen["proof_reloaded"] and seen["proof_loaded"], seen
    assert seen["broken"] is not None and any("statement.md" in line and "nowhere" in line
                                              for line in seen["problems"]), seen
    assert seen["shown_after_break"], "a broken edit leaves the last good pages on show"
    assert seen["mended"] is not None, seen
