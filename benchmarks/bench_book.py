"""Time every chapter at its default parameters, and a cold build of the whole book.

Each notebook runs in a fresh kernel (nbclient) with one BLAS thread, as in the
book build; the cold build copies the tracked sources to a temporary folder and
builds there with an empty execution cache. Writes ``results/bench_book.json``.

    python benchmarks/bench_book.py [--no-cold-build]
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import jupytext
from nbclient import NotebookClient

sys.path.insert(0, str(Path(__file__).resolve().parent))
from common import versions, write_result  # noqa: E402

ROOT = Path(__file__).resolve().parents[1]
for var in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ[var] = "1"


def time_notebook(path: Path) -> float:
    nb = jupytext.read(path)
    with tempfile.TemporaryDirectory() as tmp:
        client = NotebookClient(nb, timeout=900, kernel_name="python3",
                                resources={"metadata": {"path": tmp}})
        t0 = time.perf_counter()
        client.execute()
        return time.perf_counter() - t0


def cold_build() -> float:
    files = subprocess.run(["git", "ls-files"], cwd=ROOT, capture_output=True, text=True,
                           check=True).stdout.split()
    with tempfile.TemporaryDirectory() as tmp:
        for f in files:
            dest = Path(tmp, f)
            dest.parent.mkdir(parents=True, exist_ok=True)
            src = ROOT / f
            if src.is_file():
                shutil.copy2(src, dest)
        jb = Path(sys.executable).parent / "jupyter-book"
        t0 = time.perf_counter()
        subprocess.run([str(jb), "build", tmp], cwd=tmp, check=True, capture_output=True)
        return time.perf_counter() - t0


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--no-cold-build", action="store_true", help="skip the cold build")
    args = parser.parse_args()
    times = {}
    for path in sorted((ROOT / "notebooks").glob("*.md")):
        times[path.stem] = time_notebook(path)
        print(f"{path.stem}: {times[path.stem]:.1f} s", flush=True)
    payload = {"notebook_seconds": times, "notebooks_total_seconds": sum(times.values()),
               "versions": versions("numpy", "scipy", "gudhi", "jupyter-book", "myst-nb")}
    if not args.no_cold_build:
        payload["cold_build_seconds"] = cold_build()
        print(f"cold build: {payload['cold_build_seconds']:.0f} s")
    print(write_result("bench_book", payload))


if __name__ == "__main__":
    main()
