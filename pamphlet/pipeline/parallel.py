"""Runs the steps declared to run in the second process (leaflets, font subsets, booklet, cover) there, those
that need the print layout itself (the screen PDF) in a process forked once the layout is made, and work a child
can do ahead of this process (the print layout's later parts mended) in a child forked for it."""

import contextlib
import ctypes
import gc
import logging
import multiprocessing
import os
import pickle
import queue
import signal
import threading
import time
from concurrent.futures import Future, ProcessPoolExecutor


class Background:
    """A second process (forked, so it shares what is loaded) for jobs independent of the print layout.

    Where fork is unavailable or there is one core, jobs run here, in order, when their result is asked for.
    """

    def __init__(self, tools):
        self.tools = tools
        self.pool = None
        self.forked = []
        # The jobs given, passed to the pool one at a time by a thread (_feed): one that waits here can be taken
        # back (take_back), where the pool's own queue would hold the next two as started.
        self.given, self.feeder, self.futures = queue.SimpleQueue(), None, []
        if _can_fork():
            # Forked, the process gets the tools (the renderer among them) as they are, without pickling.
            self.pool = ProcessPoolExecutor(max_workers=1, mp_context=multiprocessing.get_context("fork"),
                                            initializer=_start, initargs=(os.getpid(), tools))

    def fork(self, job, **needs):
        """Run job's function(tools, job, **needs) in a process forked now (see Forked)."""
        _share()
        self.forked.append(Forked(self.tools, job, **needs))
        return self.forked[-1]

    def submit(self, job, **needs):
        """Run job's function(tools, job, **needs) there, after the jobs given before; its future's result is (what
        it returns, seconds, (what preflight.lines measured, the page makeup checked) in the files it laid out)."""
        if self.pool is None:
            return _Later(self.tools, job, needs)
        _share()
        if self.feeder is None:
            # The pool forks its process at its first job: here, in the main thread, never in the feeder while this
            # one may hold a lock (Pango's, a logging handler's) that the child would find held forever.
            with _interrupt_held():
                self.pool.submit(int).result()
            self.feeder = threading.Thread(target=self._feed, name="second process", daemon=True)
            self.feeder.start()
        future = Future()
        self.futures.append(future)
        self.given.put((future, job, needs))
        return future

    def _feed(self):
        while (given := self.given.get()) is not None:
            future, job, needs = given
            if future.set_running_or_notify_cancel():  # else taken back
                try:
                    future.set_result(self.pool.submit(_run, None, job, needs, release=True).result())
                except BaseException as err:  # noqa: BLE001 (raised where the result is asked for)
                    future.set_exception(err)

    @staticmethod
    def take_back(future):
        """Whether the job of future (submit's) was taken back, not yet started there: the caller makes it."""
        return isinstance(future, Future) and future.cancel()

    @staticmethod
    def waiting(future):
        """Whether the job of future (submit's) is still being made there."""
        return isinstance(future, Future) and not future.done()

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        for forked in self.forked:
            forked.close()
        if self.pool is not None:
            for future in self.futures:
                future.cancel()  # not started yet: dropped (a build that failed before it asked for them)
            self.given.put(None)
            if self.feeder is not None:
                self.feeder.join()  # after the job being made, if any
            self.pool.shutdown(wait=True)
        gc.unfreeze()  # the children are gone: this process (watch mode lives on) collects its garbage again


def _share():
    """Keep what this process has made shared with the processes it forks now: a garbage collection in either
    would write to every object it visits, so each would soon hold its own copy of the print layout (a long
    text's peak memory, all processes: 322 MB without this, 290 MB with it). The objects stay uncollected
    until the build's children are gone (Background.__exit__)."""
    gc.freeze()


class Forked:
    """A job run in a child forked now, which has everything this process has made (the print layout among it:
    WeasyPrint's objects cannot be pickled, so they cannot be sent to the second process); only the result
    comes back, pickled, through a pipe. Where fork is unavailable or there is one core, the job runs here
    when its result is asked for."""

    def __init__(self, tools, job, **needs):
        self.later = _Later(tools, job, needs)
        self.pid, self.waited = None, False
        if not _can_fork():
            return
        pid, read, write = _fork()
        if pid == 0:  # the child: make the job, send it back, and leave without running anything of the parent's
            try:
                outcome = (True, _run(tools, job, needs, release=True))
            except BaseException as err:  # noqa: BLE001 (raised again in the parent, where it is reported)
                outcome = (False, err)
            with os.fdopen(write, "wb") as pipe:
                pickle.dump(outcome, pipe)
            os._exit(0)
        self.pid, self.read = pid, read

    def result(self):
        """(what the job returned, seconds it took, (lines measured, page makeup checked)), or what it raised, raised
        here; asked for once."""
        if self.pid is None:
            return self.later.result()
        with os.fdopen(self.read, "rb") as pipe:
            data = pipe.read()
        _, status = os.waitpid(self.pid, 0)
        self.waited = True
        if not data:
            raise RuntimeError(f"the process making {self.later.job.id} ended without a result (status {status})")
        ok, value = pickle.loads(data)
        if not ok:
            raise value
        return value

    def close(self):
        """End the child if its result was never asked for (the build failed before): no process is left."""
        if self.pid is not None and not self.waited:
            os.kill(self.pid, signal.SIGKILL)
            os.waitpid(self.pid, 0)
            os.close(self.read)
            self.waited = True


def ahead(produce):
    """An Ahead of what the generator produce() yields, worked out in a child forked now; None where fork is
    unavailable or there is one core (nothing is worked out ahead: the caller works everything out itself)."""
    return Ahead(produce) if _can_fork() else None


class Ahead:
    """Values (picklable) a child forked now works out one after another, ahead of this process, which takes them
    as it reaches them (wait). Each is what this process would work out itself: the child's work is a guess that
    saves time, never a result of its own, so a child that fails or ends early only stops saving time (what it
    raises is left for this process to meet and report). A thread here reads each value as it comes: a child whose
    values waited in the pipe (64 KB) would stop, once it is full, until this process came to read them."""

    def __init__(self, produce):
        _share()  # the child reads what this process has made: kept shared (gc.freeze, until the build ends)
        pid, read, write = _fork()
        if pid == 0:  # the child: send each value as it is made, and leave without running anything of the parent's
            values = produce()
            try:
                with os.fdopen(write, "wb") as pipe:
                    for value in values:
                        pickle.dump(value, pipe)
                        pipe.flush()
            except BaseException:  # noqa: BLE001,S110 (a guess that failed: the parent works it out and reports it)
                pass
            finally:
                values.close()  # what it holds outside the process (a folder) let go: os._exit runs no finalizer
            os._exit(0)
        self.pid, self.pipe, self.received, self.ended = pid, os.fdopen(read, "rb"), [], False
        self.arrived = threading.Condition()
        self.reader = threading.Thread(target=self._read, name="ahead", daemon=True)
        self.reader.start()

    def _read(self):
        try:
            while True:
                value = pickle.load(self.pipe)
                with self.arrived:
                    self.received.append(value)
                    self.arrived.notify_all()
        except (EOFError, OSError, ValueError, pickle.UnpicklingError):
            pass  # the child has ended (or was ended): what it sent is all there is
        finally:
            with self.arrived:
                self.ended = True
                self.arrived.notify_all()

    def wait(self, count):
        """The values received, once there are count of them or the child has ended."""
        with self.arrived:
            self.arrived.wait_for(lambda: len(self.received) >= count or self.ended)
            return list(self.received)

    def close(self):
        """End the child (done, or no longer needed) and the thread reading it: no process is left."""
        if self.pid is None:
            return
        with contextlib.suppress(ProcessLookupError):
            os.kill(self.pid, signal.SIGKILL)
        os.waitpid(self.pid, 0)
        self.reader.join()  # the pipe's writing end closed with the child: the thread has read to its end
        self.pipe.close()
        self.pid = None


def _can_fork():
    """Whether a forked child can work beside this process: a second core, and fork."""
    return (os.cpu_count() or 1) >= 2 and hasattr(os, "fork")


def _fork():
    """(the child's pid, or 0 in the child; the pipe's end to read from, to write to), the child dying with this
    process and ignoring Ctrl-C (which stops this process, which ends the child)."""
    parent = os.getpid()
    read, write = os.pipe()
    with _interrupt_held():
        pid = os.fork()
        if pid == 0:
            signal.signal(signal.SIGINT, signal.SIG_IGN)
    if pid == 0:
        os.close(read)
        _die_with(parent)
        # The live line is the parent's: WeasyPrint's progress while the child works is not shown there (the
        # handler that would show it may wait on a lock another thread of the parent held at the fork).
        logging.getLogger("weasyprint.progress").handlers.clear()
        return pid, None, write
    os.close(write)
    return pid, read, None


@contextlib.contextmanager
def _interrupt_held():
    """Ctrl-C held back from this thread while it forks: one arriving before the child ignores it would stop the child
    where it stands, which then prints its own traceback (or goes on in the parent's code); held, it reaches the
    parent once released, and the child, which ignores it before it lets it through, never."""
    held = signal.pthread_sigmask(signal.SIG_BLOCK, {signal.SIGINT})
    try:
        yield
    finally:
        signal.pthread_sigmask(signal.SIG_SETMASK, held)


def _start(parent, tools):
    """In the second process, when it starts: keep the tools its jobs are made with, and die with the parent.

    A build killed at any moment must not leave its second process behind, waiting forever.
    """
    global _TOOLS
    _TOOLS = tools
    # Ctrl-C reaches every process of the terminal's group: the build (this one's parent) stops, and ends this
    # one, which must not stop on its own mid-job and print its own traceback.
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    signal.pthread_sigmask(signal.SIG_UNBLOCK, {signal.SIGINT})  # forked while held (_interrupt_held)
    _die_with(parent)


def _die_with(parent):
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


def _run(tools, job, needs, release=False):
    """(what the job returned, seconds it took, (what preflight.lines measured, the page makeup checked) in the
    files it laid out).
    release, in a child process: what the job made and let go is handed back to the system (_release)."""
    tools = tools or _TOOLS
    start = time.perf_counter()
    lines_before, makeup_before = dict(tools.lines), dict(tools.makeup)
    result = job.step.function()(tools, job, **needs)
    measured = ({name: found for name, found in tools.lines.items() if lines_before.get(name) is not found},
                {name: found for name, found in tools.makeup.items() if makeup_before.get(name) is not found})
    seconds = time.perf_counter() - start
    if release:
        _release()
    return result, seconds, measured


def _release():
    """Collect what a job let go (a layout's boxes hold cycles: they wait for a collection) and give the freed
    memory back to the system (glibc keeps it otherwise), so that a child holds no more than it still uses while
    the build's other processes work: the second process after the large print's layout, a forked child while
    its result waits for the parent to read it. The sum of the build's memory peaks when all of them live."""
    gc.collect()
    try:
        ctypes.CDLL(None).malloc_trim(0)
    except (OSError, AttributeError):
        pass  # not glibc: nothing to trim
