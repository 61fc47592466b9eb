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
(:func:`uniqnets.book.read_records`).  Before anything runs, the grid is checked
against the names assigned in that cell and against the types of their default
values, so a misspelt name or a value of the wrong type is an error that names it.

Grid
    A mapping from parameter name to a list of values (one axis of the grid) or to a
    single value (a fixed value, the same in every run).  A parameter whose value is
    itself a list is fixed with a list of one list, ``{"sizes": [[8, 8]]}``.  The runs
    are the cartesian product of the axes, in the order given (the last axis varies
    fastest).  A YAML file with the same mapping is accepted in place of the mapping.
Values
    On the command line, ``-p NAME=V1,V2,...`` is read as YAML with JSON's types
    (:func:`parse_values`): ``-p lr=0.01,1e-3`` two floats, ``-p 'hidden=[8,8],[16,16]'``
    two lists, ``-p act=tanh,relu`` two strings, and ``-p seed=0:4`` the integers
    0 to 3 (``A:B:STEP`` with a step).
Runs
    Each run is named from its parameter values (``lr=0.05,hidden=16_16,seed=3``), so the
    name, the output file and the row of the table are the same in every rerun.  Each
    run starts its own kernel (papermill), with the notebook's folder as working
    directory when that folder exists where the run executes.
Output folder
    ``runs/NAME.ipynb`` the executed notebook (with the error, for a failed run);
    ``runs/NAME.json`` the run's record: parameters, status, recorded values, error
    (exception, value and cell, from papermill's exception), duration and the hash of
    the notebook; ``results.csv`` and ``results.json`` the table.  Every file is written
    atomically (``uniqnets.book._record.atomic_write``: a temporary file, then a
    rename; mode 0644 under the usual umask) and a run's record is written last, so an
    interrupted sweep leaves nothing that a rerun would trust.  ``.lock`` is held by
    the sweep writing into the folder: a second sweep into it stops with
    :class:`SweepError` before running anything.
Data file
    ``--data FILE.json`` (with ``--keep NAME,...`` to keep only some recorded values)
    also writes the command line, the grid, the date, the machine (CPU, CPUs
    available, package versions) and each run's parameters, status, time and recorded
    values to one JSON file: a page of the book shows a sweep too long to run at
    build time from such a file (``make sweep-practice`` writes one).
Resuming
    Rerunning a sweep into the same folder reuses every run whose record says it
    finished, with the same parameters, the same code (the notebook's code cells and
    every ``.py`` file of the installed ``uniqnets`` package) and its executed notebook
    intact (it parses, and its hash is the one in the record); failed, missing, stale
    and damaged runs are executed again.
Stopping
    Ctrl-C cancels the runs in flight (their kernels are killed), keeps the finished
    runs and writes the table of those (:class:`SweepInterrupted`; the command line
    prints one line and exits with status 130).  Local worker processes die with the
    sweep however it ends, ``kill -9`` included, and take their kernels with them.
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

from ._cli import main
from ._grid import Run, SweepError, load_grid, parse_values, plan_sweep
from ._store import META_COLUMNS  # noqa: F401 - the table's own columns
from ._sweep import SweepInterrupted, run_sweep

__all__ = [
    "Run",
    "SweepError",
    "SweepInterrupted",
    "load_grid",
    "main",
    "parse_values",
    "plan_sweep",
    "run_sweep",
]
