"""Executing one run of a sweep with papermill, and describing how it failed.

:func:`_execute_run` runs wherever a run is sent (this process, a local worker
process, a Dask worker): it takes and returns plain data and writes nothing outside
its own temporary folder.
"""

from __future__ import annotations

import contextlib
import logging
import os
import re
import shutil
import signal
import tempfile
import time

from uniqnets.book._execute import SOCKET_PATH_MAX, socket_dir
from uniqnets.book._record import read_records
from uniqnets.book.inline import fill_inline_results

#: process groups of the kernels this process started and has not yet seen end
_KERNELS: set[int] = set()
#: the folders of the runs this process is executing (removed by ``_remove_run_folders``)
_RUN_FOLDERS: list[str] = []


def _kill_kernels(pgids=None) -> None:
    """SIGKILL the process groups of running kernels (default: every one of this process).

    jupyter_client starts each kernel in a session of its own (``start_new_session``),
    so its process group holds the kernel and whatever the notebook started, and
    killing the group leaves none of them behind.
    """
    for pgid in list(_KERNELS if pgids is None else pgids):
        try:
            os.killpg(pgid, signal.SIGKILL)
        except (ProcessLookupError, PermissionError):
            pass
        _KERNELS.discard(pgid)


#: the temporary folder of each run, and the file in it naming the process that owns it
RUN_PREFIX = "uniqnets-run-"
OWNER = "owner.pid"


def _remove_run_folders() -> None:
    """Remove the folders of the runs in flight (a worker told to stop, before it exits).

    :func:`clean_stale_runs` removes a stopped worker's folders only when they name their
    owner; a worker stopped between creating a folder and marking it, or half-way through
    removing a finished run's folder (``owner.pid`` already gone), would leave one.
    """
    for path in list(_RUN_FOLDERS):
        shutil.rmtree(path, ignore_errors=True)


@contextlib.contextmanager
def _run_folder(make):
    """A folder made by ``make()``, marked with this process, removed on the way out.

    The folder is registered in ``_RUN_FOLDERS`` with SIGTERM held back (where the thread
    can block signals), so that a worker's SIGTERM handler, which removes the registered
    folders before it exits, never runs between the folder's creation and its
    registration. ``make`` may return ``None`` (no folder); so does the context then.
    """
    held = hasattr(signal, "pthread_sigmask")
    if held:
        old = signal.pthread_sigmask(signal.SIG_BLOCK, {signal.SIGTERM})
    try:
        path = make()
        if path is not None:
            _RUN_FOLDERS.append(path)
    finally:
        if held:
            signal.pthread_sigmask(signal.SIG_SETMASK, old)
    if path is None:
        yield None
        return
    try:
        with open(os.path.join(path, OWNER), "w") as fh:  # who may clean it up
            fh.write(str(os.getpid()))
        yield path
    finally:
        shutil.rmtree(path, ignore_errors=True)
        _RUN_FOLDERS.remove(path)


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except (PermissionError, OSError):
        return True
    return True


def clean_stale_runs(folder: str | None = None) -> list[str]:
    """Remove the run folders whose owning process is gone (a sweep killed with kill -9).

    A run's folder (``uniqnets-run-*`` in the temporary directory) holds its notebook, its
    kernel's log, sockets and connection file, and ``owner.pid``; it is removed when the
    run ends, but not when the process running it is killed. Every sweep calls this when
    it starts and when it is interrupted. Without ``folder``, the temporary directory and
    ``/tmp`` are searched (where the sockets go when the temporary directory's path is too
    long for them, :func:`~uniqnets.book._execute.socket_dir`). Returns the folders removed.
    """
    import glob

    roots = [folder] if folder else list(dict.fromkeys((tempfile.gettempdir(), "/tmp")))
    removed = []
    for path in (p for root in roots for p in glob.glob(os.path.join(root, RUN_PREFIX + "*"))):
        try:
            with open(os.path.join(path, OWNER)) as fh:
                pid = int(fh.read().strip())
        except (OSError, ValueError):
            continue  # not (yet) marked: leave it to its owner
        if not _alive(pid):
            shutil.rmtree(path, ignore_errors=True)
            removed.append(path)
    return removed


def _kernel_manager_class(folder: str, started: list, sockets: str | None):
    """A kernel manager for one run, keeping the kernel's files in the run's ``folder``.

    * The kernel's own stdout/stderr (start-up warnings, crash reports; cell output goes
      to the notebook either way) go to ``folder/kernel.log``, which a failure quotes,
      instead of the terminal of whoever started the sweep.
    * Given a folder ``sockets`` (``folder`` itself, or a shorter one when ``folder``'s
      path leaves no room for a socket's), the kernel talks over Unix sockets there (zmq's
      ``ipc`` transport) rather than TCP ports on localhost: a TCP port is chosen by binding
      and releasing it before the kernel binds it again, and runs starting side by side
      (or any other program) can take it in between ("Address already in use", the
      kernel dies before it replies).
    * The kernel's process group is appended to ``started`` and kept in ``_KERNELS``,
      so that an interrupted run, or a worker told to stop, can kill it.
    """
    from jupyter_client import AsyncKernelManager

    log_path = os.path.join(folder, "kernel.log")

    class RunKernelManager(AsyncKernelManager):
        def __init__(self, **kw):
            super().__init__(**kw)
            # the connection file too lives in the run's folder: nothing is left in
            # Jupyter's runtime folder by a run that is killed
            self.connection_file = os.path.join(folder, "kernel-connection.json")
            if sockets:
                self.transport = "ipc"
                self.ip = os.path.join(sockets, "kernel-ipc")

        async def start_kernel(self, **kw):
            log = open(log_path, "ab")  # noqa: SIM115 - the kernel process owns it
            try:
                kw.setdefault("stdout", log)
                kw.setdefault("stderr", log)
                result = await super().start_kernel(**kw)
            finally:
                log.close()  # the child holds its own copy of the descriptor
            pgid = getattr(self.provisioner, "pgid", None)
            if pgid is not None and os.name == "posix":
                started.append(pgid)
                _KERNELS.add(pgid)
            return result

    return RunKernelManager


def _log_tail(path: str, n: int = 5) -> str:
    try:
        with open(path, encoding="utf-8", errors="replace") as fh:
            lines = [ln.rstrip() for ln in fh if ln.strip()]
    except OSError:
        return ""
    return "\n".join(lines[-n:])


def _first_code_line(source: str) -> str:
    for row in (source or "").splitlines():
        if row.strip() and not row.lstrip().startswith("#"):
            return row.strip()[:80]
    return ""


def _last_started_cell(text: str) -> str:
    """First line of code of the last cell a partial notebook started executing.

    Papermill marks each cell when it starts and saves the notebook; after a timeout or
    a dead kernel, that is the cell that did not finish.
    """
    import nbformat

    try:
        nb = nbformat.reads(text, as_version=4)
    except Exception:
        return ""
    started = [c for c in nb.cells if c.get("cell_type") == "code"
               and c.get("metadata", {}).get("papermill", {}).get("start_time")]
    return _first_code_line(started[-1].source) if started else ""


def _cell_error(exc) -> dict:
    """The error of a notebook cell, from papermill's exception.

    ``ename``, ``evalue``, ``cell`` (the execution count, ``In [n]`` of the executed
    notebook), ``cell_index`` (its position among the notebook's cells) and the cell's
    code come from :class:`papermill.exceptions.PapermillExecutionError`.  The line
    within the cell is the one detail the exception does not carry: IPython gives it
    only in the traceback's header for the cell's frame, ``Cell In[n], line k``, which
    is looked for (colours stripped) as a refinement; without it the error names the
    cell and its first line of code.
    """
    from papermill.exceptions import strip_color

    line = None
    header = re.compile(rf"Cell In\s*\[{exc.exec_count}\],\s*line (\d+)")
    for frame in exc.traceback or []:
        m = header.search(strip_color(frame))
        if m:
            line = int(m[1])
            break
    rows = (exc.source or "").splitlines()
    if line is not None and 1 <= line <= len(rows) and rows[line - 1].strip():
        source = rows[line - 1].strip()[:80]
    else:
        line, source = None, _first_code_line(exc.source)
    return {"cell": exc.exec_count, "cell_index": exc.cell_index, "line": line,
            "source": source, "ename": exc.ename, "evalue": exc.evalue}


class _DropParameterWarnings(logging.Filter):
    # papermill re-parses the parameters cell line by line to warn about unknown names,
    # and misreads lines whose comment holds "=" ("Unable to parse line ...", then
    # "Passed unknown parameter: hidden"); the grid was already checked against the
    # cell's syntax tree, so both warnings are noise
    def filter(self, record):
        msg = record.getMessage()
        return not msg.startswith(("Unable to parse line", "Passed unknown parameter"))


_PAPERMILL_LOGGERS = ("papermill", "papermill.translators")


def _execute_run(task: dict) -> dict:
    """Execute one parameterized notebook; return its status, values and executed text.

    Never raises for a failing notebook: the failure is described in the result.  An
    interruption (``KeyboardInterrupt``) or any other exception that escapes kills the
    run's kernel before it propagates.
    """
    import nbformat
    import papermill as pm
    from nbclient.exceptions import CellTimeoutError, DeadKernelError
    from papermill.exceptions import PapermillExecutionError

    t0 = time.perf_counter()
    nb = nbformat.reads(task["notebook"], as_version=4)
    error = None
    text = None
    in_cell = False
    started: list[int] = []
    with contextlib.ExitStack() as stack:
        tmp = stack.enter_context(_run_folder(lambda: tempfile.mkdtemp(prefix=RUN_PREFIX)))
        sockets = tmp
        if len(os.fsencode(os.path.join(tmp, "kernel-ipc-9999"))) > SOCKET_PATH_MAX:
            sockets = stack.enter_context(_run_folder(
                lambda: socket_dir(prefix=RUN_PREFIX, name="kernel-ipc")))
        out = os.path.join(tmp, "run.ipynb")
        cwd = task.get("cwd")
        if not cwd or not os.path.isdir(cwd):
            cwd = tmp
        quiet = _DropParameterWarnings()
        for name in _PAPERMILL_LOGGERS:
            logging.getLogger(name).addFilter(quiet)
        try:
            # The kernel's working directory goes through nbclient's resources, not
            # papermill's cwd= (which changes this process's directory: not thread-safe).
            # Saving at each cell keeps the partial notebook of a run that times out or
            # whose kernel dies.
            pm.execute_notebook(
                nb, out, parameters=task["parameters"], kernel_name=task["kernel"],
                progress_bar=False, request_save_on_cell_execute=True,
                execution_timeout=task.get("timeout"), resources={"metadata": {"path": cwd}},
                kernel_manager_class=_kernel_manager_class(tmp, started, sockets))
        except PapermillExecutionError as exc:
            error = _cell_error(exc)
        except Exception as exc:  # timed out, kernel died or could not start ...
            in_cell = isinstance(exc, (CellTimeoutError, DeadKernelError))
            evalue = str(exc).strip().splitlines()[0] if str(exc).strip() else ""
            if not isinstance(exc, CellTimeoutError):
                tail = _log_tail(os.path.join(tmp, "kernel.log"))
                if tail:
                    evalue += f"\nkernel log:\n{tail}"
            error = {"cell": None, "cell_index": None, "line": None, "source": "",
                     "ename": type(exc).__name__, "evalue": evalue}
        except BaseException:  # interrupted: papermill did not get to stop the kernel
            _kill_kernels(started)
            raise
        finally:
            for name in _PAPERMILL_LOGGERS:
                logging.getLogger(name).removeFilter(quiet)
            # papermill shut the kernel down (or it died): forget it, without killing
            # a process group whose number may have been given to another process
            _KERNELS.difference_update(started)
        if os.path.exists(out):
            with open(out, encoding="utf-8") as fh:
                text = fh.read()
            if error is not None and error["cell"] is None and in_cell:
                error["source"] = _last_started_cell(text)
    values = {}
    if text is not None:
        try:
            executed = nbformat.reads(text, as_version=4)
            values = read_records(executed)
            # the prose's {eval} roles answered from the run's records, so that JupyterLab
            # shows the run's numbers in the stored notebook (uniqnets.book.inline)
            if fill_inline_results(executed):
                text = nbformat.writes(executed)
        except Exception as exc:
            if error is None:
                error = {"cell": None, "cell_index": None, "line": None, "source": "",
                         "ename": type(exc).__name__,
                         "evalue": f"recorded values could not be read: {exc}"}
    return {"status": "failed" if error else "ok", "error": error, "values": values,
            "notebook": text, "seconds": time.perf_counter() - t0}


def _error_text(error) -> str:
    """One line for a failed run: where (``In [n] line k `code```) and the exception."""
    if not error:
        return ""
    if error.get("cell") is not None:
        where = f"In [{error['cell']}]"
    else:
        where = "cell" if error.get("source") else "notebook"
    if error.get("line") is not None:
        where += f" line {error['line']}"
    if error.get("source"):
        where += f" `{error['source']}`"
    evalue = (error.get("evalue") or "").strip().splitlines()
    return f"{where}: {error['ename']}" + (f": {evalue[0]}" if evalue else "")
