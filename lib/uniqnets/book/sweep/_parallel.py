"""Where runs execute: this process, a pool of local worker processes, or a Dask cluster.

Each executor yields ``(index, result)`` as runs finish; the caller writes the files.
"""

from __future__ import annotations

import os
import signal
import sys
import threading
import time

from ._execute import _execute_run, _kill_kernels, _remove_run_folders, clean_stale_runs
from ._grid import _digest

#: seconds to wait for a Dask scheduler to answer
SCHEDULER_TIMEOUT = 10
#: seconds a stopped worker has to kill its kernel and exit before it is killed
STOP_TIMEOUT = 5

_PR_SET_PDEATHSIG = 1  # <linux/prctl.h>


def _worker_exit(*_) -> None:
    """Kill this worker's kernels, remove its runs' folders and exit at once (a signal handler)."""
    _kill_kernels()
    _remove_run_folders()
    os._exit(1)


def _watch_parent(parent: int) -> None:
    while True:
        time.sleep(0.5)
        if os.getppid() != parent:
            _worker_exit()


def _worker_init(parent: int) -> None:
    """Set up a local worker process so that it dies with the sweep.

    A worker that outlives the sweep (``kill -9`` of the sweep leaves its children
    running, re-parented) would go on executing runs nobody collects.  On Linux the
    kernel itself tells the worker: ``prctl(PR_SET_PDEATHSIG, SIGTERM)`` asks for
    SIGTERM when the parent dies, however it dies, and the SIGTERM handler kills the
    worker's kernels (their process groups, see ``_kill_kernels``) and exits.  The
    request is checked against ``os.getppid()`` right after it is made, because a
    parent that died before it would send nothing.  Elsewhere a daemon thread polls
    ``os.getppid()`` twice a second and does the same when the parent changes.  The
    kernels would also stop on their own (ipykernel exits within a second when its
    parent changes), but not what a notebook started.

    Ctrl-C in a terminal sends SIGINT to the worker too; it is ignored here, and the
    sweep stops its workers with SIGTERM, so that an interrupt is handled in one place.
    """
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    signal.signal(signal.SIGTERM, _worker_exit)
    watched = False
    if sys.platform.startswith("linux"):
        try:
            import ctypes

            libc = ctypes.CDLL(None, use_errno=True)
            watched = libc.prctl(_PR_SET_PDEATHSIG, int(signal.SIGTERM), 0, 0, 0) == 0
        except (OSError, AttributeError):
            watched = False
    if not watched:
        threading.Thread(target=_watch_parent, args=(parent,), daemon=True,
                         name="uniqnets-parent-watch").start()
    if os.getppid() != parent:
        _worker_exit()


def _stop_workers(pool) -> None:
    """SIGTERM every worker of ``pool`` (each kills its kernel and exits); kill stragglers."""
    # ProcessPoolExecutor has no public way to stop running tasks (Python 3.14 adds
    # terminate_workers); its process table is the only handle on the workers
    procs = list(getattr(pool, "_processes", {}).values())
    for p in procs:
        try:
            p.terminate()
        except (OSError, ValueError, AttributeError):
            pass
    deadline = time.monotonic() + STOP_TIMEOUT
    for p in procs:
        try:
            p.join(max(0.0, deadline - time.monotonic()))
            if p.is_alive():
                p.kill()
                # reaped, so that clean_stale_runs sees it gone (a zombie answers kill 0)
                p.join(STOP_TIMEOUT)
        except (OSError, ValueError, AttributeError, AssertionError):
            pass


def _local_results(tasks: list[dict], jobs: int):
    """Yield (index, result) as runs finish, ``jobs`` at a time in worker processes.

    If the caller stops (an interrupt, an error), the runs in flight are cancelled:
    the workers are stopped with their kernels and the queued runs never start.
    """
    if jobs == 1:
        for i, task in enumerate(tasks):
            yield i, _execute_run(task)
        return
    import multiprocessing
    from concurrent.futures import ProcessPoolExecutor, as_completed

    # spawn, not fork: this process may hold threads (progress bar, zmq) a fork would copy
    ctx = multiprocessing.get_context("spawn")
    pool = ProcessPoolExecutor(max_workers=min(jobs, len(tasks)), mp_context=ctx,
                               initializer=_worker_init, initargs=(os.getpid(),))
    futures: dict = {}
    finished = False
    try:
        futures = {pool.submit(_execute_run, task): i for i, task in enumerate(tasks)}
        for fut in as_completed(futures):
            yield futures[fut], _future_result(fut)
        finished = True
    finally:
        if not finished:
            with _quiet_pool_shutdown():
                for fut in futures:
                    fut.cancel()
                _stop_workers(pool)
                pool.shutdown(wait=True, cancel_futures=True)
            clean_stale_runs()  # the folders of the runs whose workers were stopped
        else:
            pool.shutdown(wait=True, cancel_futures=True)


class _quiet_pool_shutdown:
    """Hide the executor thread's ``InvalidStateError`` while a pool is torn down.

    Stopping the workers of a ``ProcessPoolExecutor`` whose futures were cancelled makes
    its management thread try to set an exception on those cancelled futures; the
    ``InvalidStateError`` it raises is printed as a thread traceback before the sweep's
    one line about the interrupt. It says nothing the sweep does not: hidden here, any
    other exception of any thread still shows.
    """

    def __enter__(self):
        from concurrent.futures import InvalidStateError

        self._old = threading.excepthook

        def hook(args):
            if not issubclass(args.exc_type, InvalidStateError):
                self._old(args)

        threading.excepthook = hook
        return self

    def __exit__(self, *exc):
        threading.excepthook = self._old
        return False


def _future_result(fut) -> dict:
    try:
        return fut.result()
    except Exception as exc:  # the worker itself died; the notebook may be fine
        return {"status": "failed", "values": {}, "notebook": None, "seconds": 0.0,
                "error": {"cell": None, "cell_index": None, "line": None, "source": "",
                          "ename": type(exc).__name__, "evalue": f"worker failed: {exc}"}}


def _dask_results(tasks: list[dict], scheduler):
    try:
        from distributed import Client, as_completed
    except ImportError as exc:
        raise ImportError("scheduler= needs Dask distributed: pip install 'uniqnets[dask]'"
                          ) from exc
    own = not isinstance(scheduler, Client)
    if own:
        try:
            client = Client(scheduler, set_as_default=False, timeout=SCHEDULER_TIMEOUT)
        except OSError as exc:
            raise ConnectionError(f"scheduler {scheduler!r}: {exc}") from exc
    else:
        client = scheduler
    futures = {}
    finished = False
    try:
        token = _digest([t["parameters"] for t in tasks] + [time.time()], 12)
        for i, task in enumerate(tasks):
            fut = client.submit(_execute_run, task, key=f"uniqnets-run-{token}-{i}", pure=False)
            futures[fut] = i
        for fut in as_completed(list(futures), loop=client.loop):
            yield futures[fut], _future_result(fut)
        finished = True
    finally:
        if not finished and futures:  # interrupted: the cluster drops the runs in flight
            client.cancel(list(futures))
        if own:
            client.close()
