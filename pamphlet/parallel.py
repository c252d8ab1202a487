"""Runs the steps declared to run in the second process (leaflets, font subsets, booklet, cover) there."""

import ctypes
import multiprocessing
import os
import signal
import time
from concurrent.futures import ProcessPoolExecutor


class Background:
    """A second process (forked, so it shares what is loaded) for jobs independent of the print layout.

    Where fork is unavailable or there is one core, jobs run here, in order, when their result is asked for.
    """

    def __init__(self, tools):
        self.tools = tools
        self.pool = None
        if (os.cpu_count() or 1) > 1 and "fork" in multiprocessing.get_all_start_methods():
            # Forked, the process gets the tools (the renderer among them) as they are, without pickling.
            self.pool = ProcessPoolExecutor(max_workers=1, mp_context=multiprocessing.get_context("fork"),
                                            initializer=_start, initargs=(os.getpid(), tools))

    def submit(self, job, **needs):
        """Run job's function(tools, job, **needs) there; its future's result is (what it returns, seconds)."""
        if self.pool is None:
            return _Later(self.tools, job, needs)
        return self.pool.submit(_run, None, job, needs)

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        if self.pool is not None:
            self.pool.shutdown(wait=True, cancel_futures=True)


def _start(parent, tools):
    """In the second process, when it starts: keep the tools its jobs are made with, and die with the parent.

    A build killed at any moment must not leave its second process behind, waiting forever.
    """
    global _TOOLS
    _TOOLS = tools
    try:
        libc = ctypes.CDLL(None, use_errno=True)  # the process's own symbols, libc's among them; no search
        libc.prctl(PR_SET_PDEATHSIG, signal.SIGKILL)  # Linux: the kernel kills this process with its parent
    except (OSError, AttributeError, TypeError):
        pass
    if os.getppid() != parent:  # the parent died before prctl took hold
        os._exit(1)


PR_SET_PDEATHSIG = 1


class _Later:
    def __init__(self, tools, job, needs):
        self.tools, self.job, self.needs = tools, job, needs

    def result(self):
        return _run(self.tools, self.job, self.needs)


_TOOLS = None  # set in the second process only, by _start, for as long as that process lives


def _run(tools, job, needs):
    start = time.perf_counter()
    result = job.step.function()(tools or _TOOLS, job, **needs)
    return result, time.perf_counter() - start
