"""Sweeps: the cost of a run's kernel, and what ``--jobs 2`` buys on this machine.

Measured in one run, on a small notebook generated here:

* **per-run overhead**: wall time of a sweep run whose notebook does no work (kernel
  start, papermill, shutdown, collecting the values and writing the files), and the
  same notebook through bare ``papermill.execute_notebook`` as the peer: their ratio
  is what the sweep machinery adds;
* **8-run sweep, ``jobs=1`` vs ``jobs=2``**: each run does a fixed amount of
  single-threaded numpy work (its time in this process is measured too); the ratio
  is 0.5 on two idle cores, plus the overhead that does not parallelise, and more
  when other processes share the cores (the load average is recorded).

Run: ``OMP_NUM_THREADS=1 .venv/bin/python benchmarks/bench_sweep.py``; writes
``benchmarks/results/bench_sweep.json``.
"""

from __future__ import annotations

import os
import shutil
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from common import best_time, versions, write_result  # noqa: E402

NOTEBOOK = """\
---
jupytext:
  text_representation:
    extension: .md
    format_name: myst
kernelspec:
  display_name: Python 3
  language: python
  name: python3
---

# Benchmark notebook: a fixed amount of single-threaded work

```{code-cell} ipython3
:tags: [parameters]

seed = 0
n = 160
reps = 0
```

```{code-cell} ipython3
from uniqnets.book import record

%s
record("checksum", work(seed, n, reps))
```
"""

WORK = """\
import numpy as np


def work(seed, n, reps):
    rng = np.random.default_rng(seed)
    a = rng.standard_normal((n, n)) / np.sqrt(n)
    x = rng.standard_normal(n)
    for _ in range(reps):
        x = np.tanh(a @ x + 0.1 * (a @ (a @ x)))
        a = np.linalg.qr(a)[0] if _ % 50 == 0 else a
    return float(x.sum())
"""


def main():
    if os.environ.get("OMP_NUM_THREADS") != "1":
        print("note: set OMP_NUM_THREADS=1 so each run uses one core", file=sys.stderr)
    import papermill as pm

    from uniqnets.book.notebook import load
    from uniqnets.book.sweep import run_sweep

    tmp = Path(tempfile.mkdtemp(prefix="bench-sweep-"))
    try:
        nb_path = tmp / "bench.md"
        nb_path.write_text(NOTEBOOK % WORK)
        namespace: dict = {}
        exec(WORK, namespace)

        # calibrate the work of one run to about 1.5 s in this process
        reps = 200
        while (t := best_time(namespace["work"], 0, 160, reps, repeat=3)) < 1.5:
            reps = int(reps * min(4.0, 1.6 / max(t, 1e-3)))
        work_s = t

        # per-run overhead: a run that does no work, through the sweep and bare papermill
        counter = iter(range(10**6))

        def sweep_one():
            run_sweep(nb_path, {"seed": next(counter)}, tmp / f"one-{next(counter)}")

        def papermill_one():
            pm.execute_notebook(load(nb_path), str(tmp / "pm.ipynb"), kernel_name="python3",
                                parameters={"seed": 0}, progress_bar=False)

        overhead_sweep = best_time(sweep_one, repeat=5)
        overhead_papermill = best_time(papermill_one, repeat=5)

        # 8 runs with work, jobs=1 and jobs=2 (fresh output folders: nothing reused)
        grid = {"seed": list(range(8)), "reps": reps}
        times = {}
        for jobs in (1, 2, 1, 2):
            out = tmp / f"sweep-{jobs}-{next(counter)}"
            t0 = time.perf_counter()
            rows = run_sweep(nb_path, grid, out, jobs=jobs, as_frame=False)
            elapsed = time.perf_counter() - t0
            assert all(r["status"] == "ok" for r in rows)
            times[jobs] = min(times.get(jobs, float("inf")), elapsed)
        load = os.getloadavg()
    finally:
        shutil.rmtree(tmp, ignore_errors=True)

    payload = {
        "what": "uniqnets.book.sweep: per-run overhead of a kernel start, 8-run sweep jobs=1 vs 2",
        "work_per_run_s": round(work_s, 3),
        "run_overhead_s": {"sweep": round(overhead_sweep, 3),
                           "papermill": round(overhead_papermill, 3),
                           "ratio_sweep_over_papermill": round(
                               overhead_sweep / overhead_papermill, 3)},
        "sweep_8_runs_s": {"jobs_1": round(times[1], 2), "jobs_2": round(times[2], 2),
                           "ratio_jobs2_over_jobs1": round(times[2] / times[1], 3)},
        "loadavg_1_5_15": [round(x, 2) for x in load],
        "method": "best of 5 single runs (overhead) and of 2 sweeps per setting; "
                  "wall times, with the load average while measured",
        "versions": versions("papermill", "nbclient", "jupyter_client", "ipykernel"),
        # rows of the book's performance page
        "summary": [
            {"method": "sweep run of an empty notebook (kernel start to collected values)",
             "measure": "wall time per run", "ours": round(overhead_sweep, 2),
             "peer": round(overhead_papermill, 2), "unit": "s",
             "peer_name": "papermill.execute_notebook alone",
             "ratio": round(overhead_sweep / overhead_papermill, 2),
             "note": f"difference {overhead_sweep - overhead_papermill:+.2f} s per run: "
                     "the kernel start is the overhead"},
            {"method": f"sweep of 8 runs of {work_s:.1f} s of work each, --jobs 2",
             "measure": "wall time", "ours": round(times[2], 1), "peer": round(times[1], 1),
             "unit": "s", "peer_name": "the same sweep with --jobs 1",
             "ratio": round(times[2] / times[1], 2),
             "note": f"0.5 on two idle cores; load average {load[0]:.1f} while measured"},
        ],
    }
    path = write_result("bench_sweep", payload)
    print(f"per-run overhead {overhead_sweep:.2f} s (papermill alone {overhead_papermill:.2f} s); "
          f"8 runs of {work_s:.2f} s work: jobs=1 {times[1]:.1f} s, jobs=2 {times[2]:.1f} s, "
          f"ratio {times[2] / times[1]:.2f}; written to {path.name}")


if __name__ == "__main__":
    main()
