"""The sweep: plan, reuse finished runs, execute the rest, write the table."""

from __future__ import annotations

import os
import signal
import sys
import threading
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from ._execute import _kill_kernels, clean_stale_runs
from ._grid import SweepError, _label, _plan, _read
from ._parallel import _dask_results, _local_results
from ._store import _code_digest, _load_record, _locked, _row, _state, _store, _write_table


class SweepInterrupted(KeyboardInterrupt):
    """A sweep was interrupted (Ctrl-C); the finished runs are kept.

    Raised by :func:`run_sweep` once the runs in flight are cancelled and the table of
    the finished runs is written.  ``outcome`` says how many runs finished.  A subclass
    of ``KeyboardInterrupt``, so code that stops on Ctrl-C still stops.
    """

    def __init__(self, message: str, outcome):
        super().__init__(message)
        self.outcome = outcome


@dataclass
class _Outcome:
    rows: list[dict]
    columns: list[str]
    failures: list[dict]
    reused: int
    executed: int
    out: Path
    planned: int = 0


def _as_frame(rows, columns, as_frame):
    if as_frame is False:
        return rows
    try:
        import pandas as pd
    except ImportError:
        if as_frame:
            raise ImportError("as_frame=True needs pandas, which uniqnets does not "
                              "install; pip install pandas") from None
        return rows
    return pd.DataFrame(rows, columns=columns)


def run_sweep(notebook, grid, out_dir, jobs: int = 1, *, scheduler=None,
              timeout: float | None = None, kernel_name: str | None = None,
              on_error: str = "raise", as_frame: bool | None = None, progress: bool = False):
    """Execute ``notebook`` at every point of ``grid`` and collect the recorded values.

    Parameters
    ----------
    notebook : str or path
        The chapter's source, a MyST Markdown notebook (``notebooks/NN_x.md``), or any
        notebook jupytext reads.
    grid : mapping or path to a YAML file
        Parameter name -> list of values (an axis) or a single value (fixed); see
        :mod:`uniqnets.book.sweep`.  Validated before anything runs
        (:func:`plan_sweep`).
    out_dir : str or path
        Folder for the executed notebooks, the run records and ``results.csv`` /
        ``results.json``; created if needed.  Finished runs already in it are reused.
        One sweep at a time writes into a folder (``OUT/.lock``).
    jobs : int
        Number of notebooks executed at once in local worker processes (each run is
        its own kernel).  Not used with ``scheduler``.
    scheduler : str or distributed.Client, optional
        Address of a Dask distributed scheduler (``"tcp://host:8786"``) or a client:
        the runs go to its workers instead of local processes.
    timeout : float, optional
        Seconds a cell may run before the run fails (default: no limit).
    kernel_name : str, optional
        Kernel to run with (default: the notebook's kernelspec, else ``python3``).
    on_error : {"raise", "keep"}
        If a run fails, ``"raise"`` (default) raises :class:`SweepError` after all runs
        are done and the table is written; ``"keep"`` returns the table with the failed
        runs marked in the ``status`` and ``error`` columns.
    as_frame : bool, optional
        Return a pandas DataFrame (True), a list of dicts (False), or a DataFrame if
        pandas is installed (None, the default).
    progress : bool
        Show a progress bar (tqdm) with the runs done, failed and remaining.

    Returns
    -------
    list of dict or pandas.DataFrame
        One row per run in grid order: ``run`` (its name), the parameters of the grid,
        every recorded value of the notebook (a value named like a parameter becomes
        ``recorded.NAME``), ``status`` (``"ok"`` or ``"failed"``) and ``error`` (the
        cell and the exception of a failed run, else empty).

    Raises
    ------
    SweepError
        If runs failed (``on_error="raise"``), or another sweep holds ``out_dir``.
    SweepInterrupted
        On Ctrl-C: the runs in flight are cancelled, the finished ones kept and
        tabulated.

    Examples
    --------
    >>> from uniqnets.book.sweep import run_sweep
    >>> rows = run_sweep("notebooks/00_same_network.md",
    ...                  {"lr": [0.02, 0.05], "seed": range(2), "n_steps": 400},
    ...                  "sweeps/lr", jobs=2, as_frame=False)  # doctest: +SKIP
    >>> [(r["run"], r["status"]) for r in rows]  # doctest: +SKIP
    [('lr=0.02,seed=0,n_steps=400', 'ok'), ('lr=0.02,seed=1,n_steps=400', 'ok'), ...]
    """
    if on_error not in ("raise", "keep"):
        raise ValueError(f"on_error must be 'raise' or 'keep', got {on_error!r}")
    if as_frame not in (None, True, False):
        raise ValueError(f"as_frame must be None, True or False, got {as_frame!r}")
    outcome = _sweep(notebook, grid, out_dir, jobs, scheduler=scheduler, timeout=timeout,
                     kernel_name=kernel_name, progress=progress)
    table = _as_frame(outcome.rows, outcome.columns, as_frame)
    if outcome.failures and on_error == "raise":
        listing = "\n".join(f"  {r['run']}: {r['error']}" for r in outcome.failures)
        raise SweepError(f"{len(outcome.failures)} of {len(outcome.rows)} runs failed "
                         f"(executed notebooks in {outcome.out / 'runs'}):\n{listing}",
                         table, outcome.failures)
    return table


@contextmanager
def _no_interrupts():
    """Ignore further Ctrl-C while the interrupted sweep writes what it has."""
    main = threading.current_thread() is threading.main_thread()
    old = signal.signal(signal.SIGINT, signal.SIG_IGN) if main else None
    try:
        yield
    finally:
        if main:
            signal.signal(signal.SIGINT, old)


def _sweep(notebook, grid, out_dir, jobs, *, scheduler, timeout, kernel_name,
           progress) -> _Outcome:
    if isinstance(jobs, bool) or not isinstance(jobs, int) or jobs < 1:
        raise ValueError(f"jobs must be a positive integer, got {jobs!r}")
    if scheduler is not None and jobs != 1:
        raise ValueError("jobs applies to local runs; with scheduler= the cluster's workers "
                         "set how many runs execute at once")
    if timeout is not None and (isinstance(timeout, bool) or not isinstance(timeout, (int, float))
                                or not timeout > 0):
        raise ValueError(f"timeout must be a positive number of seconds, got {timeout!r}")
    if not isinstance(out_dir, (str, os.PathLike)):
        raise TypeError(f"out_dir must be a path, got {type(out_dir).__name__}")
    if kernel_name is not None and not isinstance(kernel_name, str):
        raise TypeError(f"kernel_name must be a string, got {type(kernel_name).__name__}")
    nb = _read(notebook)
    source = _label(notebook)
    runs = _plan(nb, grid, source)
    out = Path(out_dir)
    if out.exists() and not out.is_dir():
        raise ValueError(f"out_dir {str(out)!r} exists and is not a folder")
    (out / "runs").mkdir(parents=True, exist_ok=True)
    clean_stale_runs()  # what a sweep killed before this one left in the temporary folder
    with _locked(out):
        return _sweep_locked(nb, notebook, source, runs, out, jobs, scheduler=scheduler,
                             timeout=timeout, kernel_name=kernel_name, progress=progress)


def _other_notebook(out: Path, source: str) -> str | None:
    """The notebook of a run in ``out`` that is not ``source`` (compared by file name)."""
    import json

    for path in sorted((out / "runs").glob("*.json")):
        try:
            rec = json.loads(path.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            continue
        theirs = rec.get("notebook") if isinstance(rec, dict) else None
        if isinstance(theirs, str) and Path(theirs).name != Path(source).name:
            return theirs
    return None


def _sweep_locked(nb, notebook, source, runs, out, jobs, *, scheduler, timeout, kernel_name,
                  progress) -> _Outcome:
    import nbformat

    cwd = str(Path(notebook).resolve().parent) if isinstance(notebook, (str, os.PathLike)) \
        else None
    kernel = kernel_name or nb.metadata.get("kernelspec", {}).get("name") or "python3"
    text = nbformat.writes(nb)
    code = _code_digest(nb)
    other = _other_notebook(out, source)
    if other is not None:
        raise SweepError(f"the folder {str(out)!r} holds runs of the notebook {other!r}; a "
                         "sweep folder belongs to one notebook: give this sweep a folder of "
                         "its own (-o)")

    records: dict[str, dict] = {}
    todo = []
    for run in runs:
        if _state(out, run, code) == "done":
            records[run.name] = _load_record(out, run)
        else:
            todo.append(run)
    reused = len(records)
    tasks = [{"notebook": text, "parameters": run.parameters, "kernel": kernel, "cwd": cwd,
              "timeout": timeout} for run in todo]

    from tqdm import tqdm  # text bar: tqdm.auto warns in kernels without ipywidgets

    n_failed = 0
    interrupted = None
    bar = tqdm(total=len(runs), initial=reused, unit="run", desc="sweep",
               disable=not progress, file=sys.stderr)
    try:
        bar.set_postfix(done=reused, failed=0, remaining=len(todo))
        if tasks:
            results = _dask_results(tasks, scheduler) if scheduler is not None \
                else _local_results(tasks, jobs)
            try:
                for i, result in results:
                    run = todo[i]
                    records[run.name] = _store(out, run, result, source, code)
                    n_failed += result["status"] != "ok"
                    bar.set_postfix(done=len(records) - n_failed, failed=n_failed,
                                    remaining=len(runs) - len(records), refresh=False)
                    bar.update(1)
            except KeyboardInterrupt as exc:
                interrupted = exc
                with _no_interrupts():
                    results.close()  # cancels the runs in flight, stops the workers
                    _kill_kernels()  # a kernel of a run in this process, if any is left
    finally:
        bar.close()

    if interrupted is not None:
        with _no_interrupts():
            done = [run for run in runs if run.name in records]
            rows = [_row(run, records[run.name]) for run in done]
            columns = _write_table(out, rows, source)
        outcome = _Outcome(rows, columns, [r for r in rows if r["status"] != "ok"], reused,
                           len(done) - reused, out, len(runs))
        raise SweepInterrupted(f"sweep interrupted: {len(done)} of {len(runs)} runs finished "
                               f"and kept, {len(runs) - len(done)} not run", outcome) \
            from interrupted
    rows = [_row(run, records[run.name]) for run in runs]
    columns = _write_table(out, rows, source)
    failures = [r for r in rows if r["status"] != "ok"]
    return _Outcome(rows, columns, failures, reused, len(todo), out, len(runs))
