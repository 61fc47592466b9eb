"""Shared helpers of the benchmark scripts: timing, machine description, result files.

Each ``benchmarks/bench_<topic>.py`` measures our code against a peer library on
the same input in one run and writes ``benchmarks/results/bench_<topic>.json``
with :func:`write_result`.  Speed is reported as a ratio (ours / peer), which is
what stays meaningful across machines; the machine is described in the file.

Each row of a result's ``summary`` has ``method``, ``measure``, ``unit``, ``ours``,
``peer``, ``peer_name``, ``ratio`` (ours / peer) and an optional ``note``.  A row
that times a method which is *not* the library's default (another backend a user may
choose, measured for comparison) has ``"reference": true``, a ``role`` saying so,
and ``time`` in place of ``ours`` (``time_text`` when there is no time to give);
its ``ratio`` is that method's time over the peer's.  The performance page shows
such rows in a table of their own, never as "ours".
"""

from __future__ import annotations

import json
import os
import platform
import sys
import time
from importlib import metadata
from pathlib import Path

RESULTS = Path(__file__).resolve().parent / "results"


def best_time(fn, *args, repeat: int = 5, number: int = 1, **kwargs) -> float:
    """Best wall time in seconds of ``number`` calls of ``fn(*args, **kwargs)``, over ``repeat``.

    The minimum is the estimate least disturbed by other load on the machine.
    """
    best = float("inf")
    for _ in range(repeat):
        t0 = time.perf_counter()
        for _ in range(number):
            fn(*args, **kwargs)
        best = min(best, (time.perf_counter() - t0) / number)
    return best


def machine() -> dict:
    """What the numbers were measured on."""
    info = {
        "python": sys.version.split()[0],
        "platform": platform.platform(),
        "processor": platform.processor() or platform.machine(),
        "cpu_count": os.cpu_count(),
        "blas_threads": os.environ.get("OMP_NUM_THREADS", "unset"),
    }
    try:
        with open("/proc/cpuinfo") as fh:
            for line in fh:
                if line.startswith("model name"):
                    info["cpu"] = line.split(":", 1)[1].strip()
                    break
    except OSError:
        pass
    return info


def versions(*packages: str) -> dict:
    """Installed versions of ``packages`` (None for a missing one)."""
    out = {}
    for p in packages:
        try:
            out[p] = metadata.version(p)
        except metadata.PackageNotFoundError:
            out[p] = None
    return out


def write_result(name: str, payload: dict) -> Path:
    """Write ``payload`` plus the machine description to ``results/<name>.json``."""
    RESULTS.mkdir(exist_ok=True)
    path = RESULTS / f"{name}.json"
    data = {"benchmark": name, "measured": time.strftime("%Y-%m-%d"), "machine": machine(),
            **payload}
    path.write_text(json.dumps(data, indent=1, sort_keys=False) + "\n")
    return path
