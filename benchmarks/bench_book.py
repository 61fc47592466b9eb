"""Time every chapter at its default parameters, cold builds of the book, and the suite.

Each notebook runs in a fresh kernel (nbclient) with one BLAS thread, as in the
book build; a cold build copies the tracked sources to a temporary folder and
builds there with an empty execution cache.  With ``--cold-build-jobs`` the cold
build is timed as ``make book`` does it (``python -m uniqnets.book._execute --jobs N``
then ``jupyter-book build``) with 1 and with 2 notebooks at a time, one after the
other in one run; with ``--suite`` the test suite is timed on fresh copies as
``make test`` runs it, serially (``pytest``) and with 2 workers (``pytest -n 2
--dist loadfile``, then the book tests), one after the other in one run.
``--suite-args`` times a part of the suite instead (a reduced configuration: the
result records which).  Writes ``results/bench_book.json``, keeping the sections
of an earlier file that this run did not measure (each section has its date).

    python benchmarks/bench_book.py [--no-notebooks] [--no-cold-build]
                                    [--cold-build-jobs] [--suite [--suite-args ARGS]]
"""

from __future__ import annotations

import argparse
import json
import os
import shlex
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import jupytext
from nbclient import NotebookClient

sys.path.insert(0, str(Path(__file__).resolve().parent))
from common import RESULTS, versions, write_result  # noqa: E402

from uniqnets.book._execute import cached_pages  # noqa: E402

ROOT = Path(__file__).resolve().parents[1]
for var in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ[var] = "1"


def time_notebook(path: Path) -> float:
    # in the page's folder, as the book executes it (the sweeps page finds its chapter
    # by a relative path); the pages write nothing there
    nb = jupytext.read(path)
    client = NotebookClient(nb, timeout=900, kernel_name="python3",
                            resources={"metadata": {"path": str(path.parent)}})
    t0 = time.perf_counter()
    client.execute()
    return time.perf_counter() - t0


def fresh_copy(tmp: str) -> Path:
    """The tracked files of the checkout in ``tmp``: a fresh clone without its history."""
    files = subprocess.run(["git", "ls-files"], cwd=ROOT, capture_output=True, text=True,
                           check=True).stdout.split()
    for f in files:
        dest = Path(tmp, f)
        dest.parent.mkdir(parents=True, exist_ok=True)
        src = ROOT / f
        if src.is_file():
            shutil.copy2(src, dest)
    return Path(tmp)


def _env(copy: Path) -> dict:
    # the copy's own library first, and the Makefile's reproducibility settings
    return {**os.environ, "PYTHONPATH": os.pathsep.join(
                [str(copy / "lib"), *filter(None, [os.environ.get("PYTHONPATH")])]),
            "PYTHONHASHSEED": "0", "PYDEVD_DISABLE_FILE_VALIDATION": "1"}


def _timed(commands, cwd: Path) -> float:
    t0 = time.perf_counter()
    for cmd in commands:
        proc = subprocess.run(cmd, cwd=cwd, env=_env(cwd), capture_output=True, text=True)
        if proc.returncode != 0:  # a failed run times nothing: keep its whole log
            log = RESULTS / "bench_book_failed.log"
            log.write_text(proc.stdout + proc.stderr)
            raise RuntimeError(f"{shlex.join(cmd)} failed (whole log: {log}):\n"
                               f"{(proc.stdout + proc.stderr)[-3000:]}")
    return time.perf_counter() - t0


def cold_build() -> float:
    """Today's serial cold build: ``jupyter-book build`` executing every chapter itself."""
    with tempfile.TemporaryDirectory() as tmp:
        copy = fresh_copy(tmp)
        jb = Path(sys.executable).parent / "jupyter-book"
        return _timed([[str(jb), "build", str(copy)]], copy)


def cold_build_with_jobs(jobs: int) -> float:
    """``make book`` on a fresh copy: the cache filled ``jobs`` notebooks at a time, then built."""
    with tempfile.TemporaryDirectory() as tmp:
        copy = fresh_copy(tmp)
        jb = Path(sys.executable).parent / "jupyter-book"
        return _timed([[sys.executable, "-m", "uniqnets.book._execute", "--jobs", str(jobs),
                        str(copy)],
                       [str(jb), "build", str(copy), "-n", "--keep-going"]], copy)


def suite(jobs: int, args: list[str]) -> float:
    """The suite on a fresh copy as ``make test`` runs it with ``jobs`` workers (1: serially)."""
    pytest = [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider"]
    with tempfile.TemporaryDirectory() as tmp:
        copy = fresh_copy(tmp)
        if jobs == 1:
            commands = [pytest + args]
        else:
            commands = [pytest + ["-n", str(jobs), "--dist", "loadfile"] + args]
            if not args:  # the whole suite: the book tests after the parallel pass
                commands.append(pytest + ["-m", "book", "tests/test_book.py"])
        return _timed(commands, copy)


def _previous() -> dict:
    path = RESULTS / "bench_book.json"
    if not path.is_file():
        return {}
    old = json.loads(path.read_text())
    # sections of files written before the sections had their own dates: the file's date
    for section in ("notebooks", "cold_build"):
        if f"{section}_seconds" in old or section == "notebooks" and "notebook_seconds" in old:
            old.setdefault(f"{section}_measured", old.get("measured"))
    for key in ("benchmark", "measured", "machine"):
        old.pop(key, None)
    return old


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--no-notebooks", action="store_true",
                        help="skip the timing of each chapter")
    parser.add_argument("--no-cold-build", action="store_true",
                        help="skip the serial cold build (jupyter-book executing every chapter)")
    parser.add_argument("--cold-build-jobs", action="store_true",
                        help="time `make book`'s cold build with 1 and with 2 notebooks at a time")
    parser.add_argument("--suite", action="store_true",
                        help="time the test suite with 1 and with 2 pytest workers")
    parser.add_argument("--suite-args", default="",
                        help="pytest arguments selecting a part of the suite (a reduced run)")
    args = parser.parse_args()
    payload = _previous()
    today = time.strftime("%Y-%m-%d")
    if not args.no_notebooks:
        times = {}
        for path in cached_pages(ROOT):  # the chapters and the sweeps page
            times[path.stem] = time_notebook(path)
            print(f"{path.stem}: {times[path.stem]:.1f} s", flush=True)
        payload.update({"notebook_seconds": times, "notebooks_total_seconds": sum(times.values()),
                        "notebooks_measured": today})
        _write(payload)
    if not args.no_cold_build:
        payload["cold_build_seconds"] = cold_build()
        payload["cold_build_measured"] = today
        print(f"cold build: {payload['cold_build_seconds']:.0f} s")
        _write(payload)
    if args.cold_build_jobs:
        load = os.getloadavg()[0]
        seconds = {str(j): cold_build_with_jobs(j) for j in (1, 2)}
        payload["cold_build_jobs"] = {"seconds": seconds, "ratio_2_over_1": seconds["2"] /
                                      seconds["1"], "measured": today,
                                      "load_average_before": load}
        print("cold build (make book), jobs 1 and 2:", seconds)
        _write(payload)  # kept even if a later section fails
    if args.suite:
        extra = shlex.split(args.suite_args)
        load = os.getloadavg()[0]  # other work on the machine makes both runs slower
        seconds = {str(j): suite(j, extra) for j in (1, 2)}
        payload["suite"] = {"seconds": seconds, "ratio_2_over_1": seconds["2"] / seconds["1"],
                            "pytest_args": extra, "whole_suite": not extra, "measured": today,
                            "load_average_before": load}
        print("suite, jobs 1 and 2:", seconds)
    print(_write(payload))


def _write(payload: dict):
    payload["versions"] = versions("numpy", "scipy", "gudhi", "jupyter-book", "myst-nb",
                                   "pytest-xdist")
    return write_result("bench_book", payload)


if __name__ == "__main__":
    main()
