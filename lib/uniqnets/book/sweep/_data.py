"""A sweep's results as one data file for a page of the book (``--data`` of the command line).

The sweep's own folder (``runs/``, ``results.csv``) holds executed notebooks and is not
committed; a page that shows a sweep too long to run at build time reads a JSON file
written from it instead, which says what was run (the command, the grid, the notebook),
when and on what machine, and what each run recorded.
"""

from __future__ import annotations

import datetime
import json
import os
import platform
from collections.abc import Mapping, Sequence
from importlib import metadata
from pathlib import Path

from uniqnets.book._record import dump

from ._execute import _error_text
from ._grid import Run, _digest, _read

#: packages whose versions the data file records, where installed
PACKAGES = ("numpy", "scipy", "jax", "jaxlib", "optax", "papermill")


def _cpu_model() -> str:
    try:
        for line in Path("/proc/cpuinfo").read_text(encoding="utf-8").splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or platform.machine()


def machine() -> dict:
    """What the runs ran on: system, CPU, CPUs available, Python and package versions."""
    versions = {}
    for name in PACKAGES:
        try:
            versions[name] = metadata.version(name)
        except metadata.PackageNotFoundError:
            pass
    cpus = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count()
    return {"system": f"{platform.system()} {platform.machine()}", "cpu": _cpu_model(),
            "cpus": cpus, "python": platform.python_version(), "packages": versions}


def notebook_code_digest(notebook) -> str:
    """Hash of the notebook's code cells: the data file says which code made its runs.

    Examples
    --------
    >>> import nbformat
    >>> nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell("x = 1")])
    >>> len(notebook_code_digest(nb))
    16
    """
    nb = _read(notebook)
    return _digest([c.source for c in nb.cells if c.get("cell_type") == "code"], 16)


def _plain(value):
    if isinstance(value, range):
        return list(value)
    if isinstance(value, Mapping):
        return {k: _plain(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_plain(v) for v in value]
    return value


def write_data(path, *, notebook: str, grid: Mapping, runs: Sequence[Run], out_dir,
               command: str, jobs: int, wall_seconds: float,
               keep: Sequence[str] | None = None) -> dict:
    """Write the finished sweep's data file and return what was written.

    Parameters
    ----------
    path : str or path
        The JSON file.
    notebook : str
        The notebook as given on the command line (a path relative to where it ran).
    grid : mapping
        The grid as given (name -> values of an axis, or a fixed value).
    runs : sequence of Run
        The planned runs, in grid order; each one's record is read from ``out_dir``.
    out_dir : path
        The sweep's folder.
    command, jobs, wall_seconds
        The command line, the notebooks run at once and the wall time of the call
        (which reused the runs that had finished before).
    keep : sequence of str, optional
        The recorded values to keep per run (default: all).

    Returns
    -------
    dict
        ``command``, ``date`` (of writing), ``measured`` (first and last date a run
        finished), ``notebook``, ``notebook_code``
        (:func:`notebook_code_digest`), ``grid``, ``jobs``, ``wall_seconds``, ``run_seconds``
        (the runs' own times added up), ``machine`` (:func:`machine`) and ``runs``:
        per run its ``run`` name, ``parameters``, ``status``, ``error``, ``seconds``,
        ``finished`` and ``values``.
    """
    rows, recorded = [], set()
    for run in runs:
        rec = json.loads((Path(out_dir) / "runs" / f"{run.name}.json").read_text(
            encoding="utf-8"))
        values = rec.get("values") or {}
        recorded.update(values)
        if keep is not None:
            values = {k: values[k] for k in keep if k in values}
        rows.append({"run": run.name, "parameters": run.parameters, "status": rec["status"],
                     "error": _error_text(rec.get("error")),
                     "seconds": rec.get("seconds"), "finished": rec.get("finished"),
                     "values": values})
    unknown = [k for k in (keep or []) if k not in recorded]
    if unknown:
        raise ValueError(f"--keep names values no run recorded: {', '.join(unknown)} "
                         f"(recorded: {', '.join(sorted(recorded)) or 'nothing'})")
    finished = sorted(r["finished"][:10] for r in rows if r["finished"])
    data = {"command": command, "date": datetime.date.today().isoformat(),
            "measured": [finished[0], finished[-1]] if finished else [],
            "notebook": notebook, "notebook_code": notebook_code_digest(notebook),
            "grid": _plain(dict(grid)), "jobs": jobs,
            "wall_seconds": round(wall_seconds, 1),
            "run_seconds": round(sum(r["seconds"] or 0 for r in rows), 1),
            "machine": machine(), "runs": rows}
    dump(path, data)
    return data
