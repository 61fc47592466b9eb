"""The command line: ``python -m uniqnets.book.sweep NOTEBOOK -p NAME=V1,V2 -o OUT_DIR``."""

from __future__ import annotations

import argparse
import shlex
import sys
import time
from collections.abc import Sequence
from pathlib import Path

from ._grid import SweepError, _parse_option, _read, load_grid, plan_sweep
from ._store import _code_digest, _state
from ._sweep import SweepInterrupted, _sweep

#: exit status after Ctrl-C, as a shell reports a process ended by SIGINT (128 + 2)
EXIT_INTERRUPTED = 130


def _parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(
        prog="python -m uniqnets.book.sweep",
        description="Execute a notebook over a grid of parameters with papermill and collect "
                    "its recorded values into OUT_DIR/results.csv.",
        epilog="Values are YAML with JSON's types (0.1, 1e-3, true, null, [8,8], \"text\"; "
               "other text is a string); A:B is range(A, B).  Rerunning the same command "
               "reuses finished runs; Ctrl-C stops, keeps the finished runs and tabulates "
               "them.  Exit status: 0 if every run finished, 1 if any failed, 2 for bad "
               "arguments or a folder another sweep is writing into, 130 if interrupted.")
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
    p.add_argument("--data", metavar="FILE.json",
                   help="also write the command, the grid, the date, the machine and each "
                        "run's parameters, status, time and recorded values to this JSON "
                        "file (for a page of the book to read)")
    p.add_argument("--keep", metavar="NAME,...",
                   help="with --data: keep only these recorded values of each run")
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
    """Run the command line and return its exit status.

    Parameters
    ----------
    argv : sequence of str, optional
        The arguments (default: ``sys.argv[1:]``); ``--help`` lists them.

    Returns
    -------
    int
        0 if every run finished, 1 if any failed, 130 if interrupted (Ctrl-C: one
        line is printed, the finished runs are kept and ``results.csv`` lists them).
        Bad arguments, and an output folder another sweep is writing into, exit with
        status 2 (``SystemExit``) and a message.

    Examples
    --------
    >>> from uniqnets.book.sweep import main
    >>> main(["notebooks/00_same_network.md", "-p", "seed=0:2",
    ...       "-o", "sweeps/seeds", "--dry-run"])  # doctest: +SKIP
    seed=0  run (new)
    seed=1  run (new)
    2 runs: 2 to run, 0 done; output in sweeps/seeds
    0
    """
    parser = _parser()
    argv = sys.argv[1:] if argv is None else [str(a) for a in argv]
    args = parser.parse_args(argv)
    if args.keep and not args.data:
        parser.error("--keep applies to --data")
    keep = [k.strip() for k in args.keep.split(",") if k.strip()] if args.keep else None
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
    t0 = time.perf_counter()
    try:
        outcome = _sweep(args.notebook, grid, out, args.jobs, scheduler=args.scheduler,
                         timeout=args.timeout, kernel_name=None, progress=True)
    except SweepInterrupted as exc:
        print(f"interrupted: {exc.outcome.executed + exc.outcome.reused} of "
              f"{exc.outcome.planned} runs finished and kept, the others cancelled; "
              f"results: {out / 'results.csv'}", file=sys.stderr)
        return EXIT_INTERRUPTED
    except KeyboardInterrupt:  # before any run started: nothing to keep
        print("interrupted before any run started", file=sys.stderr)
        return EXIT_INTERRUPTED
    except (SweepError, ValueError, TypeError, ImportError, OSError) as exc:  # OSError: files,
        parser.error(str(exc))                                                # the scheduler
    failures = outcome.failures
    n = len(outcome.rows)
    print(f"{n} runs: {n - len(failures)} done ({outcome.reused} reused), "
          f"{len(failures)} failed")
    for row in failures:
        print(f"FAILED {row['run']}: {row['error']}")
    if failures:
        print(f"executed notebooks of the failed runs: {out / 'runs'}")
    print(f"results: {out / 'results.csv'}")
    if args.data:
        from ._data import write_data

        try:
            write_data(args.data, notebook=args.notebook, grid=grid, runs=runs, out_dir=out,
                       command="python -m uniqnets.book.sweep " + shlex.join(argv),
                       jobs=args.jobs, wall_seconds=time.perf_counter() - t0, keep=keep)
        except ValueError as exc:  # --keep names a value no run recorded
            parser.error(f"{exc}; the runs are kept in {out}: rerun with other --keep names")
        print(f"data: {args.data}")
    return 1 if failures else 0
