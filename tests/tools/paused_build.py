"""build.py with a pause put into its staging of outputs (pamphlet.pipeline.output), for the tests: at a given point
of the writing of the temporary files or of their renaming into place (the commit) it writes its process id into a
signal file and waits there until the file is removed, so that a test can kill it or start a second build in that
window whatever the machine's speed.

python tests/tools/paused_build.py SIGNAL_FILE staged|renamed COUNT [build.py's arguments]
"""

import os
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))  # the checkout's package

from pamphlet import cli  # noqa: E402
from pamphlet.pipeline import output  # noqa: E402

signal, moment, count = Path(sys.argv[1]), sys.argv[2], int(sys.argv[3])
done = {"staged": 0, "renamed": 0}


def pause_at(what):
    """Say so in the signal file, then wait until the test removes it (or kills this process)."""
    if what == moment and done[what] == count:
        temp = signal.with_name(signal.name + ".writing")  # whole, so that the test never reads it empty
        temp.write_text(str(os.getpid()))
        os.replace(temp, signal)
        deadline = time.monotonic() + 600
        while signal.exists() and time.monotonic() < deadline:
            time.sleep(0.02)


class PausingOs:
    def __getattr__(self, name):
        return getattr(os, name)

    def replace(self, source, target):
        pause_at("renamed")
        os.replace(source, target)
        done["renamed"] += 1


write = output.Staging.write


def pausing_write(self, name, data):
    write(self, name, data)
    done["staged"] += 1
    pause_at("staged")


output.os = PausingOs()
output.Staging.write = pausing_write
sys.exit(cli.main(sys.argv[4:]))
