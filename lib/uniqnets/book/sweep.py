"""Rerun a chapter over a parameter grid with papermill, and collect what it records.

A *sweep* executes one notebook once per point of a grid of parameter values and
gathers every value the notebook records (:func:`uniqnets.book.record`) into one
table with the parameters as columns.  From the shell::

    python -m uniqnets.book.sweep notebooks/00_same_network.md \\
        -p lr=0.02,0.05 -p 'hidden=[8,8],[16,16]' -p seed=0:4 -o sweeps/width_lr --jobs 2

and from Python::

    from uniqnets.book.sweep import run_sweep
    rows = run_sweep("notebooks/00_same_network.md",
                     {"lr": [0.02, 0.05], "hidden": [[8, 8], [16, 16]], "seed": range(4)},
                     "sweeps/width_lr", jobs=2)

The interface to a chapter is its **parameters cell** (the first code cell, tagged
``parameters``, read by :mod:`uniqnets.book.notebook`) and its **recorded values**
(:func:`uniqnets.book.record.read_records`).  Before anything runs, the grid is checked
against the names assigned in that cell and against the types of their default
values, so a misspelt name or a value of the wrong type is an error that names it.

Grid
    A mapping from parameter name to a list of values (one axis of the grid) or to a
    single value (a fixed value, the same in every run).  A parameter whose value is
    itself a list is fixed with a list of one list, ``{"sizes": [[8, 8]]}``.  The runs
    are the cartesian product of the axes, in the order given (the last axis varies
    fastest).  A YAML file with the same mapping is accepted in place of the mapping.
Runs
    Each run is named from its parameter values (``lr=0.05,hidden=16_16,seed=3``), so the
    name, the output file and the row of the table are the same in every rerun.  Each
    run starts its own kernel (papermill), with the notebook's folder as working
    directory when that folder exists where the run executes.
Output folder
    ``runs/NAME.ipynb`` the executed notebook (with the error, for a failed run);
    ``runs/NAME.json`` the run's record: parameters, status, recorded values, error,
    duration; ``results.csv`` and ``results.json`` the table.  Every file is written
    atomically (a temporary file, then a rename) and a run's record is written last,
    so an interrupted sweep leaves nothing that a rerun would trust.
Resuming
    Rerunning a sweep into the same folder reuses every run whose record says it
    finished, with the same parameters and the same notebook code; failed, missing
    and stale runs are executed again.
Parallel runs
    ``jobs=N`` runs N notebooks at once in local worker processes; ``scheduler=`` sends
    the runs to an existing Dask distributed cluster (``pip install uniqnets[dask]``;
    its workers need ``uniqnets`` installed, but no shared file system: the executed
    notebooks come back to this process, which writes every file).  The table is the
    same either way.

References
----------
papermill, parameterizing and executing notebooks: https://papermill.readthedocs.io
jupytext, notebooks as Markdown: https://jupytext.readthedocs.io
Dask distributed, futures: https://distributed.dask.org/en/stable/client.html
"""

from __future__ import annotations

import argparse
import csv
import hashlib
import io
import itertools
import json
import logging
import os
import re
import sys
import tempfile
import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from uniqnets.book import notebook as nbnotebook
from uniqnets.book._record import dump, read_records

__all__ = [
    "Run",
    "SweepError",
    "load_grid",
    "main",
    "parse_values",
    "plan_sweep",
    "run_sweep",
]

#: columns of the results table that are not parameters or recorded values
META_COLUMNS = ("run", "status", "error")

_RANGE = re.compile(r"^\s*(-?\d+):(-?\d+)(?::(-?\d+))?\s*$")
_NAME_SAFE = re.compile(r"^[A-Za-z0-9._+\-]+$")
_MAX_SLUG = 40
_MAX_NAME = 150

#: seconds to wait for a Dask scheduler to answer
SCHEDULER_TIMEOUT = 10


class SweepError(RuntimeError):
    """Some runs of a sweep failed.

    Raised by :func:`run_sweep` after every run has finished and the table has been
    written.  ``results`` holds the table (failed runs included, with their error) and
    ``failures`` the failed rows.
    """

    def __init__(self, message: str, results, failures: list[dict]):
        super().__init__(message)
        self.results = results
        self.failures = failures


@dataclass(frozen=True)
class Run:
    """One point of a sweep: its name and the parameters injected into the notebook."""

    name: str
    parameters: dict = field(hash=False)


# ---------------------------------------------------------------------------------
# Reading the notebook and its parameters cell
# ---------------------------------------------------------------------------------

def _read(notebook):
    """The notebook as an nbformat node: a path goes through :func:`uniqnets.book.notebook.load`."""
    import nbformat

    if isinstance(notebook, nbformat.NotebookNode):
        return notebook
    if not isinstance(notebook, (str, os.PathLike)):
        raise TypeError(f"notebook must be a path or an nbformat notebook, "
                        f"got {type(notebook).__name__}")
    return nbnotebook.load(notebook)


def _label(notebook) -> str:
    return str(notebook) if isinstance(notebook, (str, os.PathLike)) else "<notebook>"


def _defaults(nb, where: str) -> dict[str, object]:
    """Parameter name -> default value, from the parameters cell (parsed, not run)."""
    try:
        return {name: p.default for name, p in nbnotebook.parameters(nb).items()}
    except (ValueError, SyntaxError) as exc:
        raise ValueError(f"{where}: {exc}") from exc


# ---------------------------------------------------------------------------------
# Grids: parsing, validation, expansion
# ---------------------------------------------------------------------------------

def _split_top_level(text: str) -> list[str]:
    """Split at commas that are not inside brackets, braces or quotes."""
    items, depth, quote, escaped, start = [], 0, None, False, 0
    for i, ch in enumerate(text):
        if quote:
            if escaped:
                escaped = False
            elif ch == "\\":
                escaped = True
            elif ch == quote:
                quote = None
        elif ch in "\"'":
            quote = ch
        elif ch in "[{(":
            depth += 1
        elif ch in "]})":
            depth -= 1
        elif ch == "," and depth == 0:
            items.append(text[start:i])
            start = i + 1
    items.append(text[start:])
    return items


def parse_values(text: str) -> list:
    """The values of one ``-p NAME=...`` option: ``"0.1,1e-2"`` -> ``[0.1, 0.01]``.

    Items are separated by commas outside brackets and quotes.  Each item is parsed as
    JSON where it parses (numbers, ``true``/``false``, ``null``, ``[lists]``,
    ``{"objects": 1}``, ``"quoted strings"``) and kept as a string otherwise; an item
    ``A:B`` or ``A:B:STEP`` of integers is Python's ``range(A, B, STEP)`` (``B``
    excluded).
    """
    if not isinstance(text, str):
        raise TypeError(f"text must be a string, got {type(text).__name__}")
    values: list = []
    for item in _split_top_level(text):
        item = item.strip()
        if not item:
            raise ValueError(f"empty value in {text!r}")
        m = _RANGE.match(item)
        if m:
            a, b, step = int(m[1]), int(m[2]), int(m[3] or 1)
            if step == 0:
                raise ValueError(f"range {item!r} has step 0")
            rng = range(a, b, step)
            if len(rng) == 0:
                raise ValueError(f"range {item!r} is empty (A:B runs from A up to B, "
                                 "B excluded)")
            values.extend(rng)
            continue
        try:
            values.append(json.loads(item))
        except ValueError:
            values.append(item)
    return values


def _parse_option(option: str) -> tuple[str, list]:
    name, sep, text = option.partition("=")
    name = name.strip()
    if not sep or not name.isidentifier():
        raise ValueError(f"-p {option!r}: expected NAME=V1,V2,... with NAME a Python name")
    return name, parse_values(text)


def load_grid(path) -> dict:
    """Read a YAML grid file: a mapping from parameter name to a value or a list of values.

    ::

        lr: [0.01, 0.1]       # an axis of the sweep
        width: [8, 16]
        n_steps: 200          # a fixed value
        sizes: [[8, 8]]       # a fixed list-valued parameter: a list of one list
    """
    import yaml

    path = Path(path)
    if not path.is_file():
        raise FileNotFoundError(f"grid file {str(path)!r} does not exist")
    try:
        grid = yaml.safe_load(path.read_text())
    except yaml.YAMLError as exc:
        raise ValueError(f"grid file {str(path)!r} is not valid YAML: {exc}") from exc
    if not isinstance(grid, Mapping):
        raise ValueError(f"grid file {str(path)!r} must hold a mapping NAME: VALUES, "
                         f"got {type(grid).__name__}")
    return dict(grid)


def _axis(name, values) -> list:
    if isinstance(values, range):
        values = list(values)
    elif isinstance(values, tuple):
        values = list(values)
    elif not isinstance(values, list):
        values = [values]
    if not values:
        raise ValueError(f"parameter {name!r} has no values")
    return values


def _plain(name, value):
    """``value`` as a JSON type papermill can inject, or a TypeError naming ``name``."""
    if value is None or isinstance(value, (bool, int, float, str)):
        return value
    try:
        import numpy as np

        if isinstance(value, np.generic):
            return value.item()
    except ImportError:  # pragma: no cover - numpy is a dependency
        pass
    if isinstance(value, (list, tuple)):
        return [_plain(name, v) for v in value]
    if isinstance(value, Mapping):
        if not all(isinstance(k, str) for k in value):
            raise TypeError(f"parameter {name!r}: mapping keys must be strings, got {value!r}")
        return {k: _plain(name, v) for k, v in value.items()}
    raise TypeError(f"parameter {name!r}: a value of type {type(value).__name__} ({value!r}) "
                    "cannot be passed to a notebook; use numbers, strings, booleans, null "
                    "and lists or mappings of them")


_TYPE_NAMES = {bool: "a boolean (true/false)", int: "an integer", float: "a number",
               str: "a string", list: "a list", dict: "a mapping"}


def _check_type(name, value, default):
    """``value`` converted to the type of ``default`` where that is lossless, else TypeError."""
    if default is None:  # "not set": any value
        return value
    if isinstance(default, tuple):  # papermill injects lists; a tuple default takes one
        default = list(default)
    kind = type(default)
    if isinstance(default, bool):
        ok = isinstance(value, bool)
    elif isinstance(default, int):
        ok = isinstance(value, int) and not isinstance(value, bool)
    elif isinstance(default, float):
        ok = isinstance(value, (int, float)) and not isinstance(value, bool)
        if ok:
            value = float(value)  # lr=1 means lr=1.0: inject and tabulate the float
    else:  # str, list, dict
        ok = isinstance(value, kind)
    if not ok:
        hint = ""
        if isinstance(default, list) and not isinstance(value, list):
            hint = ("; a list-valued parameter is fixed with a list of one list, "
                    "e.g. [[8, 8]], or swept with -p NAME=[8,8],[16,16]")
        elif isinstance(default, bool) and isinstance(value, str):
            hint = "; write booleans as true/false"
        what = _TYPE_NAMES.get(kind, kind.__name__)
        raise TypeError(f"parameter {name!r} expects {what} like its default {default!r}, "
                        f"got {value!r} ({type(value).__name__}){hint}")
    return value


def _canonical(obj) -> str:
    return json.dumps(obj, sort_keys=True, separators=(",", ":"))


def _digest(obj, n=8) -> str:
    return hashlib.sha256(_canonical(obj).encode()).hexdigest()[:n]


def _slug(value) -> str:
    """A file-name-safe text for one value: readable where possible, else a hash.

    Numbers and booleans as JSON (``0.001``, ``true``), strings as they are, lists of
    numbers joined by ``_`` (``[16, 16]`` -> ``16_16``).  Names avoid the characters
    that glob patterns, shells and URLs treat specially (``[``, ``]``, ``*``, ``?``,
    spaces, ``/``): a value that would need one, a string that reads as another type
    (``"1"``), or a long value is named by a hash of its JSON instead.
    """
    if isinstance(value, str):
        try:  # a string that reads as JSON ("1", "true") would look like a number
            json.loads(value)
            text = None
        except ValueError:
            text = value
    elif isinstance(value, list) and value and all(
            isinstance(v, (int, float)) for v in value):
        text = "_".join(_canonical(v) for v in value)
    elif isinstance(value, (list, dict)):
        text = None
    else:
        text = _canonical(value)
    if text and len(text) <= _MAX_SLUG and _NAME_SAFE.match(text) and text not in (".", ".."):
        return text
    return "~" + _digest(value)


def _run_name(params: Mapping) -> str:
    if not params:
        return "defaults"
    name = ",".join(f"{k}={_slug(v)}" for k, v in params.items())
    if len(name) > _MAX_NAME:
        name = name[:_MAX_NAME - 10] + "~" + _digest(params)
    return name


def plan_sweep(notebook, grid) -> list[Run]:
    """Validate ``grid`` against ``notebook``'s parameters cell and list the runs.

    Every name of the grid must be assigned in the parameters cell (``ValueError``
    otherwise) and every value must have the type of its default (``TypeError``):
    a boolean for a boolean, an integer for an integer, a number for a float (an
    integer is converted), a string, list or mapping for those (a list for a tuple);
    any value for a default of ``None``.  The parameters cell is read with
    :func:`uniqnets.book.notebook.parameters` (parsed, not executed).  Nothing runs.

    Returns the runs in grid order (the last axis varies fastest).
    """
    return _plan(_read(notebook), grid, _label(notebook))


def _plan(nb, grid, where: str) -> list[Run]:
    if isinstance(grid, (str, os.PathLike)):
        grid = load_grid(grid)
    if not isinstance(grid, Mapping):
        raise TypeError(f"grid must be a mapping NAME -> values or a YAML file, "
                        f"got {type(grid).__name__}")
    defaults = _defaults(nb, where)
    unknown = [k for k in grid if k not in defaults]
    if unknown:
        known = ", ".join(defaults) or "none"
        raise ValueError(f"unknown parameter{'s' if len(unknown) > 1 else ''} "
                         f"{', '.join(map(repr, unknown))}: not assigned in the parameters "
                         f"cell of {str(where)!r} (its parameters: {known})")
    axes = {}
    for name, values in grid.items():
        if not isinstance(name, str) or not name.isidentifier():
            raise ValueError(f"parameter name {name!r} is not a Python name")
        vals = [_check_type(name, _plain(name, v), defaults[name]) for v in _axis(name, values)]
        axes[name] = vals
    runs = []
    for combo in itertools.product(*axes.values()):
        params = dict(zip(axes, combo, strict=True))
        runs.append(Run(_run_name(params), params))
    seen: dict[str, Run] = {}
    for run in runs:
        if run.name in seen:
            raise ValueError(f"runs {seen[run.name].parameters} and {run.parameters} get the "
                             f"same name {run.name!r}; are some values repeated?")
        seen[run.name] = run
    return runs


# ---------------------------------------------------------------------------------
# Executing one run (in this process, a worker process or a Dask worker)
# ---------------------------------------------------------------------------------

def _code_digest(nb) -> str:
    """Hash of the notebook's code: a finished run of other code is stale."""
    code = [c.source for c in nb.cells if c.get("cell_type") == "code"]
    return _digest(code, 16)


_ANSI = re.compile(r"\x1b\[[0-9;]*[A-Za-z]")
_CELL_FRAME = re.compile(r"Cell In\s*\[(\d+)\],\s*line (\d+)")
_ARROW = re.compile(r"^\s*-+>\s*(\d+)\s?(.*)$")


def _where(exc) -> dict:
    """Cell and line of a notebook error, from papermill's exception and IPython's traceback.

    ``cell`` is the execution count (``In [n]`` of the executed notebook), ``line`` the
    line within that cell and ``source`` its code; without a traceback frame in the
    cell, ``source`` is the cell's first line of code.
    """
    where = {"cell": exc.exec_count, "line": None, "source": ""}
    frames = [_ANSI.sub("", part) for part in (exc.traceback or [])]
    for frame in frames:
        m = _CELL_FRAME.search(frame)
        if not m:
            continue
        where["line"] = int(m[2])
        for row in frame.splitlines():
            a = _ARROW.match(row)
            if a and int(a[1]) == where["line"]:
                where["source"] = a[2].strip()[:80]
                break
        break
    if not where["source"]:
        for row in (exc.source or "").splitlines():
            if row.strip() and not row.lstrip().startswith("#"):
                where["source"] = row.strip()[:80]
                break
    return where


def _kernel_manager_class(folder: str):
    """A kernel manager for one run, keeping the kernel's files in the run's ``folder``.

    * The kernel's own stdout/stderr (start-up warnings, crash reports; cell output goes
      to the notebook either way) go to ``folder/kernel.log``, which a failure quotes,
      instead of the terminal of whoever started the sweep.
    * On POSIX systems the kernel talks over Unix sockets in ``folder`` (zmq's ``ipc``
      transport) rather than TCP ports on localhost: a TCP port is chosen by binding
      and releasing it before the kernel binds it again, and runs starting side by side
      (or any other program) can take it in between ("Address already in use", the
      kernel dies before it replies).
    """
    from jupyter_client import AsyncKernelManager

    log_path = os.path.join(folder, "kernel.log")

    class RunKernelManager(AsyncKernelManager):
        def __init__(self, **kw):
            super().__init__(**kw)
            if os.name == "posix":
                self.transport = "ipc"
                self.ip = os.path.join(folder, "kernel-ipc")

        async def start_kernel(self, **kw):
            log = open(log_path, "ab")  # noqa: SIM115 - the kernel process owns it
            try:
                kw.setdefault("stdout", log)
                kw.setdefault("stderr", log)
                return await super().start_kernel(**kw)
            finally:
                log.close()  # the child holds its own copy of the descriptor

    return RunKernelManager


def _log_tail(path: str, n: int = 5) -> str:
    try:
        with open(path, encoding="utf-8", errors="replace") as fh:
            lines = [ln.rstrip() for ln in fh if ln.strip()]
    except OSError:
        return ""
    return "\n".join(lines[-n:])


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
    if not started:
        return ""
    for row in started[-1].source.splitlines():
        if row.strip() and not row.lstrip().startswith("#"):
            return row.strip()[:80]
    return ""


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

    Runs wherever the task is sent, so it takes and returns plain data and writes
    nothing outside its own temporary folder.  Never raises for a failing notebook:
    the failure is described in the result.
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
    with tempfile.TemporaryDirectory(prefix="uniqnets-run-") as tmp:
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
                kernel_manager_class=_kernel_manager_class(tmp))
        except PapermillExecutionError as exc:
            error = {**_where(exc), "ename": exc.ename, "evalue": exc.evalue}
        except Exception as exc:  # timed out, kernel died or could not start ...
            in_cell = isinstance(exc, (CellTimeoutError, DeadKernelError))
            evalue = str(exc).strip().splitlines()[0] if str(exc).strip() else ""
            if not isinstance(exc, CellTimeoutError):
                tail = _log_tail(os.path.join(tmp, "kernel.log"))
                if tail:
                    evalue += f"\nkernel log:\n{tail}"
            error = {"cell": None, "line": None, "source": "", "ename": type(exc).__name__,
                     "evalue": evalue}
        finally:
            for name in _PAPERMILL_LOGGERS:
                logging.getLogger(name).removeFilter(quiet)
        if os.path.exists(out):
            with open(out, encoding="utf-8") as fh:
                text = fh.read()
            if error is not None and error["cell"] is None and in_cell:
                error["source"] = _last_started_cell(text)
    values = {}
    if text is not None:
        try:
            values = read_records(nbformat.reads(text, as_version=4))
        except Exception as exc:
            if error is None:
                error = {"cell": None, "line": None, "source": "",
                         "ename": type(exc).__name__,
                         "evalue": f"recorded values could not be read: {exc}"}
    return {"status": "failed" if error else "ok", "error": error, "values": values,
            "notebook": text, "seconds": time.perf_counter() - t0}


def _error_text(error) -> str:
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


# ---------------------------------------------------------------------------------
# Files: atomic writes, run records, the table
# ---------------------------------------------------------------------------------

def _atomic_write_text(path: Path, text: str) -> None:
    """Write ``text`` to ``path`` via a temporary file in the same folder and a rename."""
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix="." + path.name, suffix=".tmp")
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as fh:
            fh.write(text)
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, path)
    except BaseException:
        if os.path.exists(tmp):
            os.unlink(tmp)
        raise


def _record_path(out_dir: Path, run: Run) -> Path:
    return out_dir / "runs" / f"{run.name}.json"


def _notebook_path(out_dir: Path, run: Run) -> Path:
    return out_dir / "runs" / f"{run.name}.ipynb"


def _load_record(out_dir: Path, run: Run):
    try:
        with open(_record_path(out_dir, run), encoding="utf-8") as fh:
            return json.load(fh)
    except (OSError, ValueError):
        return None


def _state(out_dir: Path, run: Run, code: str) -> str:
    """``done`` (reusable), ``failed``, ``stale`` (other parameters or code) or ``new``."""
    rec = _load_record(out_dir, run)
    if rec is None:
        return "new"
    if _canonical(rec.get("parameters")) != _canonical(run.parameters) or rec.get("code") != code:
        return "stale"
    if rec.get("status") != "ok" or not _notebook_path(out_dir, run).is_file():
        return "failed" if rec.get("status") == "failed" else "new"
    return "done"


def _store(out_dir: Path, run: Run, result: dict, notebook: str, code: str) -> dict:
    record_path = _record_path(out_dir, run)
    # the record is the mark of a finished run: remove the old one before anything else
    if record_path.exists():
        record_path.unlink()
    if result.get("notebook") is not None:
        _atomic_write_text(_notebook_path(out_dir, run), result["notebook"])
    elif _notebook_path(out_dir, run).exists():  # an earlier run's notebook would mislead
        _notebook_path(out_dir, run).unlink()
    rec = {"run": run.name, "parameters": run.parameters, "status": result["status"],
           "values": result["values"], "order": list(result["values"]),
           "error": result["error"],
           "seconds": round(result["seconds"], 3), "notebook": notebook, "code": code,
           "finished": time.strftime("%Y-%m-%dT%H:%M:%S")}
    dump(record_path, rec)
    return rec


def _row(run: Run, rec: dict) -> dict:
    row = {"run": run.name}
    row.update(run.parameters)
    if rec["status"] == "ok":  # a failed run's partial values stay in its record only
        values = rec["values"]
        for k in rec.get("order", values):  # the record's JSON keeps keys sorted
            v = values[k]
            row[f"recorded.{k}" if k in row or k in META_COLUMNS else k] = v
    row["status"] = rec["status"]
    row["error"] = _error_text(rec.get("error"))
    return row


def _columns(rows: list[dict]) -> list[str]:
    cols: list[str] = []
    for row in rows:
        for k in row:
            if k not in cols and k not in ("status", "error"):
                cols.append(k)
    return cols + ["status", "error"]


def _csv_cell(value) -> str:
    if value is None:
        return ""
    if isinstance(value, float):
        return repr(value)
    if isinstance(value, (list, dict)):
        return json.dumps(value)
    return str(value)


def _write_table(out_dir: Path, rows: list[dict], notebook: str) -> list[str]:
    columns = _columns(rows)
    buf = io.StringIO()
    writer = csv.writer(buf, lineterminator="\n")
    writer.writerow(columns)
    for row in rows:
        writer.writerow([_csv_cell(row.get(c)) for c in columns])
    _atomic_write_text(out_dir / "results.csv", buf.getvalue())
    dump(out_dir / "results.json", {"notebook": notebook, "columns": columns, "runs": rows})
    return columns


# ---------------------------------------------------------------------------------
# Executors
# ---------------------------------------------------------------------------------

def _local_results(tasks: list[dict], jobs: int):
    """Yield (index, result) as runs finish, ``jobs`` at a time in worker processes."""
    if jobs == 1:
        for i, task in enumerate(tasks):
            yield i, _execute_run(task)
        return
    import multiprocessing
    from concurrent.futures import ProcessPoolExecutor, as_completed

    # spawn, not fork: this process may hold threads (progress bar, zmq) a fork would copy
    ctx = multiprocessing.get_context("spawn")
    pool = ProcessPoolExecutor(max_workers=min(jobs, len(tasks)), mp_context=ctx)
    try:
        futures = {pool.submit(_execute_run, task): i for i, task in enumerate(tasks)}
        for fut in as_completed(futures):
            yield futures[fut], _future_result(fut)
    finally:
        pool.shutdown(wait=True, cancel_futures=True)


def _future_result(fut) -> dict:
    try:
        return fut.result()
    except Exception as exc:  # the worker itself died; the notebook may be fine
        return {"status": "failed", "values": {}, "notebook": None, "seconds": 0.0,
                "error": {"cell": None, "line": None, "source": "",
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
    try:
        token = _digest([t["parameters"] for t in tasks] + [time.time()], 12)
        futures = {}
        for i, task in enumerate(tasks):
            fut = client.submit(_execute_run, task, key=f"uniqnets-run-{token}-{i}", pure=False)
            futures[fut] = i
        for fut in as_completed(list(futures), loop=client.loop):
            yield futures[fut], _future_result(fut)
    finally:
        if own:
            client.close()


# ---------------------------------------------------------------------------------
# The sweep
# ---------------------------------------------------------------------------------

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
        Parameter name -> list of values (an axis) or a single value (fixed); see the
        module docstring.  Validated before anything runs (:func:`plan_sweep`).
    out_dir : str or path
        Folder for the executed notebooks, the run records and ``results.csv`` /
        ``results.json``; created if needed.  Finished runs already in it are reused.
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


@dataclass
class _Outcome:
    rows: list[dict]
    columns: list[str]
    failures: list[dict]
    reused: int
    executed: int
    out: Path


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

    import nbformat

    cwd = str(Path(notebook).resolve().parent) if isinstance(notebook, (str, os.PathLike)) \
        else None
    kernel = kernel_name or nb.metadata.get("kernelspec", {}).get("name") or "python3"
    text = nbformat.writes(nb)
    code = _code_digest(nb)

    records: dict[str, dict] = {}
    todo: list[Run] = []
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
    bar = tqdm(total=len(runs), initial=reused, unit="run", desc="sweep",
               disable=not progress, file=sys.stderr)
    try:
        bar.set_postfix(done=reused, failed=0, remaining=len(todo))
        if tasks:
            results = _dask_results(tasks, scheduler) if scheduler is not None \
                else _local_results(tasks, jobs)
            for i, result in results:
                run = todo[i]
                records[run.name] = _store(out, run, result, source, code)
                n_failed += result["status"] != "ok"
                bar.set_postfix(done=len(records) - n_failed, failed=n_failed,
                                remaining=len(runs) - len(records), refresh=False)
                bar.update(1)
    finally:
        bar.close()

    rows = [_row(run, records[run.name]) for run in runs]
    columns = _write_table(out, rows, source)
    failures = [r for r in rows if r["status"] != "ok"]
    return _Outcome(rows, columns, failures, reused, len(todo), out)


# ---------------------------------------------------------------------------------
# Command line
# ---------------------------------------------------------------------------------

def _parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(
        prog="python -m uniqnets.book.sweep",
        description="Execute a notebook over a grid of parameters with papermill and collect "
                    "its recorded values into OUT_DIR/results.csv.",
        epilog="Values are JSON where they parse (0.1, 1e-3, true, null, [8,8], \"text\") and "
               "strings otherwise; A:B is range(A, B).  Rerunning the same command reuses "
               "finished runs.  Exit status: 0 if every run finished, 1 if any failed, 2 for "
               "bad arguments.")
    p.add_argument("notebook", metavar="NOTEBOOK",
                   help="the notebook, e.g. notebooks/00_same_network.md")
    p.add_argument("-p", "--param", action="append", default=[], metavar="NAME=V1,V2,...",
                   help="values of one parameter (repeat for each parameter)")
    p.add_argument("--grid", metavar="GRID.yml",
                   help="YAML mapping NAME: [values] or NAME: value (fixed); -p overrides it")
    p.add_argument("-o", "--out", required=True, metavar="OUT_DIR",
                   help="folder for the executed notebooks and the results table")
    p.add_argument("--jobs", "-j", type=int, default=1, metavar="N",
                   help="notebooks executed at once on this machine (default 1)")
    p.add_argument("--scheduler", metavar="ADDRESS",
                   help="run on an existing Dask cluster, e.g. tcp://host:8786 "
                        "(needs uniqnets[dask])")
    p.add_argument("--timeout", type=float, metavar="SECONDS",
                   help="fail a run whose cell runs longer than this")
    p.add_argument("--dry-run", action="store_true",
                   help="list the runs and whether each would run, and stop")
    return p


def _cli_grid(args, parser) -> dict:
    grid: dict = {}
    if args.grid:
        grid.update(load_grid(args.grid))
    given = set()
    for option in args.param:
        name, values = _parse_option(option)
        if name in given:
            parser.error(f"parameter {name!r} given twice with -p")
        given.add(name)
        grid.pop(name, None)
        grid[name] = values
    return grid


def main(argv: Sequence[str] | None = None) -> int:
    """The command line: ``python -m uniqnets.book.sweep NOTEBOOK -p NAME=V1,V2 -o OUT_DIR``."""
    parser = _parser()
    args = parser.parse_args(argv)
    if args.jobs < 1:
        parser.error(f"--jobs must be a positive integer, got {args.jobs}")
    if args.timeout is not None and not args.timeout > 0:
        parser.error(f"--timeout must be a positive number of seconds, got {args.timeout}")
    if args.scheduler and args.jobs != 1:
        parser.error("give --jobs or --scheduler, not both (the cluster's workers set how "
                     "many runs execute at once)")
    try:
        grid = _cli_grid(args, parser)
        runs = plan_sweep(args.notebook, grid)
    except (ValueError, TypeError, FileNotFoundError) as exc:
        parser.error(str(exc))
    out = Path(args.out)
    if args.dry_run:
        code = _code_digest(_read(args.notebook))
        states = [_state(out, run, code) if out.is_dir() else "new" for run in runs]
        width = max(len(r.name) for r in runs)
        for run, state in zip(runs, states, strict=True):
            action = "skip (done)" if state == "done" else f"run ({state})"
            print(f"{run.name:<{width}}  {action}")
        n_run = sum(s != "done" for s in states)
        print(f"{len(runs)} runs: {n_run} to run, {len(runs) - n_run} done; output in {out}")
        return 0
    try:
        outcome = _sweep(args.notebook, grid, out, args.jobs, scheduler=args.scheduler,
                         timeout=args.timeout, kernel_name=None, progress=True)
    except (ValueError, TypeError, ImportError, OSError) as exc:  # OSError: files, scheduler
        parser.error(str(exc))
    failures = outcome.failures
    n = len(outcome.rows)
    print(f"{n} runs: {n - len(failures)} done ({outcome.reused} reused), "
          f"{len(failures)} failed")
    for row in failures:
        print(f"FAILED {row['run']}: {row['error']}")
    if failures:
        print(f"executed notebooks of the failed runs: {out / 'runs'}")
    print(f"results: {out / 'results.csv'}")
    return 1 if failures else 0


if __name__ == "__main__":
    # run the functions from the importable module, not from __main__, so that worker
    # processes and Dask workers find them by name
    from uniqnets.book.sweep import main as _main

    sys.exit(_main())
