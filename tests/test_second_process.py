"""The second process's jobs: one it has not started is taken back by the building process, which would wait."""

import time
from dataclasses import dataclass
from pathlib import Path
from types import SimpleNamespace

import pytest

from pamphlet.pipeline.parallel import Background


@dataclass(frozen=True)
class _Step:
    name: str

    def function(self):
        return globals()[self.name]


@dataclass(frozen=True)
class _Job:
    step: _Step
    id: str


def _held(tools, job, started, gate):
    """Made in the second process: says it has started, and is done once the test has taken the next job back."""
    Path(started).touch()
    while not Path(gate).exists():  # a condition the test makes true, never a time
        time.sleep(0.01)
    return job.id


def _made(tools, job, mark):
    Path(mark).write_text(job.id, encoding="utf-8")
    return job.id


def test_a_job_not_started_is_taken_back(tmp_path):
    """A job given to the second process after one it is making can be taken back (to be made by the process that
    would wait for it), and the second process then never makes it; the one it was making still comes back. The
    process pool's own queue would have held it as started (ProcessPoolExecutor passes its worker two more)."""
    started, gate, mark = tmp_path / "started", tmp_path / "gate", tmp_path / "made"
    with Background(SimpleNamespace(lines={}, makeup={})) as background:
        if background.pool is None:
            pytest.skip("one core or no fork: every job is made in the building process")
        first = background.submit(_Job(_Step("_held"), "first"), started=str(started), gate=str(gate))
        second = background.submit(_Job(_Step("_made"), "second"), mark=str(mark))
        third = background.submit(_Job(_Step("_made"), "third"), mark=str(tmp_path / "third"))
        try:
            while not started.exists():  # the second process is making the first
                time.sleep(0.01)
            assert background.take_back(second)
        finally:
            gate.touch()  # the first is done, whatever happened here: leaving, the build waits for it
        assert first.result()[0] == "first"
        assert third.result()[0] == "third"
    assert not mark.exists()
