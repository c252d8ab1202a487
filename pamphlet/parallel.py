"""Runs jobs that do not need the print layout itself (leaflets, font subsets, booklet, cover) in a second process."""

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

    def __init__(self, renderer):
        global _RENDERER
        _RENDERER = renderer
        self.pool = None
        if (os.cpu_count() or 1) > 1 and "fork" in multiprocessing.get_all_start_methods():
            self.pool = ProcessPoolExecutor(max_workers=1, mp_context=multiprocessing.get_context("fork"),
                                            initializer=_die_with_parent, initargs=(os.getpid(),))

    def submit(self, job, *args):
        """Run job(renderer, *args) there; its future's result is (what it returns, seconds it took)."""
        if self.pool is None:
            return _Later(job, args)
        return self.pool.submit(_in_worker, job, *args)

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        if self.pool is not None:
            self.pool.shutdown(wait=True, cancel_futures=True)


def _die_with_parent(parent):
    """A build killed at any moment must not leave its second process behind, waiting forever."""
    try:
        libc = ctypes.CDLL(None, use_errno=True)  # the process's own symbols, libc's among them; no search
        libc.prctl(PR_SET_PDEATHSIG, signal.SIGKILL)  # Linux: the kernel kills this process with its parent
    except (OSError, AttributeError, TypeError):
        pass
    if os.getppid() != parent:  # the parent died before prctl took hold
        os._exit(1)


PR_SET_PDEATHSIG = 1


class _Later:
    def __init__(self, job, args):
        self.job, self.args = job, args

    def result(self):
        return _in_worker(self.job, *self.args)


_RENDERER = None


def _in_worker(job, *args):
    start = time.perf_counter()
    result = job(_RENDERER, *args)
    return result, time.perf_counter() - start
