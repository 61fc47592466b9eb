"""The same training run in fresh processes with other CPU thread settings.

XLA sizes its CPU thread pools once, when JAX starts in a process: the number of
threads (and the flags in ``XLA_FLAGS``) cannot be changed inside a running process.
To see whether another thread count changes a run, the run has to be repeated in
another process started with other settings; :func:`run_in_subprocesses` does that.
"""

from __future__ import annotations

import json
import os
import pickle
import subprocess
import sys
import tempfile
import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from .._validate import check_array, check_int, check_real
from ._tangent import TrainingMap

__all__ = ["ProcessRun", "run_in_subprocesses"]

_KEYS = ("cpus", "xla_flags")

# The child pins itself to its CPUs *before* anything imports JAX: XLA reads the CPUs a
# process may run on (its affinity) when it creates its thread pools.
_CHILD = """\
import json, os, sys
cpus = json.loads(sys.argv[3])
if cpus is not None:
    os.sched_setaffinity(0, cpus)
from uniqnets.practice._process import _child_main
_child_main(sys.argv[1], sys.argv[2])
"""


@dataclass(frozen=True)
class ProcessRun:
    """A training run made in another process, and the settings it ran with.

    Attributes
    ----------
    final : numpy array, shape (state_dim,)
        The joint state after the run, in the map's dtype.
    cpus : tuple of int
        The CPUs the process was allowed to run on (its affinity) while it ran.
    n_threads : int or None
        Threads of the process after the run (``/proc/self/task``; None where the
        system does not list them): how many threads XLA and Python had started.
    xla_flags : str
        The ``XLA_FLAGS`` the process started with.
    seconds : float
        Wall time of the run itself, without starting Python and JAX.
    """

    final: np.ndarray
    cpus: tuple
    n_threads: int | None
    xla_flags: str
    seconds: float


def _child_main(spec_path: str, out_path: str) -> None:
    """Run the pickled training run and save its final state and the process's settings."""
    with open(spec_path, "rb") as fh:
        spec = pickle.load(fh)  # written by run_in_subprocesses, for this process only
    tm = TrainingMap(spec["network"], spec["X"], spec["Y"], spec["optimizer"],
                     loss=spec["loss"], batches=spec["batches"], n_chunks=spec["n_chunks"],
                     dtype=spec["dtype"])
    t0 = time.perf_counter()
    x = tm.run(spec["x0"], spec["n_steps"], t0=spec["t0"], save_every=spec["n_steps"])[1]
    seconds = time.perf_counter() - t0
    tasks = Path("/proc/self/task")
    meta = {"cpus": sorted(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity")
            else list(range(os.cpu_count() or 1)),
            "n_threads": len(os.listdir(tasks)) if tasks.is_dir() else None,
            "seconds": seconds}
    np.save(Path(out_path).with_suffix(".npy"), x)
    Path(out_path).with_suffix(".json").write_text(json.dumps(meta), encoding="utf-8")


def _check_settings(settings) -> list[dict]:
    if isinstance(settings, Mapping) or not isinstance(settings, Sequence) or not settings:
        raise TypeError("settings must be a non-empty sequence of mappings with keys "
                        f"{_KEYS}, got {type(settings).__name__}")
    out = []
    for i, s in enumerate(settings):
        if not isinstance(s, Mapping):
            raise TypeError(f"settings[{i}] must be a mapping, got {type(s).__name__}")
        unknown = sorted(set(s) - set(_KEYS))
        if unknown:
            raise ValueError(f"settings[{i}]: unknown keys {unknown}; known keys: {_KEYS}")
        flags = s.get("xla_flags", "")
        if not isinstance(flags, str):
            raise TypeError(f"settings[{i}]['xla_flags'] must be a string, got "
                            f"{type(flags).__name__}")
        cpus = s.get("cpus")
        if cpus is not None:
            if not hasattr(os, "sched_setaffinity"):
                raise ValueError(f"settings[{i}]['cpus'] needs os.sched_setaffinity, which "
                                 "this system does not have (Linux has it)")
            if isinstance(cpus, (str, bytes)) or not isinstance(cpus, Sequence) or not cpus:
                raise TypeError(f"settings[{i}]['cpus'] must be a non-empty sequence of CPU "
                                "numbers")
            cpus = sorted({check_int(c, f"settings[{i}]['cpus']", lo=0) for c in cpus})
            allowed = os.sched_getaffinity(0)
            if not set(cpus) <= allowed:
                raise ValueError(f"settings[{i}]['cpus'] = {cpus}: this process may only run "
                                 f"on CPUs {sorted(allowed)}")
        out.append({"cpus": cpus, "xla_flags": flags})
    return out


def run_in_subprocesses(tm: TrainingMap, x0, n_steps: int, settings, *, t0: int = 0,
                        timeout: float = 300.0) -> list[ProcessRun]:
    """Repeat ``tm.run(x0, n_steps)`` in one fresh Python process per setting.

    Each process imports this library, rebuilds the same training map (network, data,
    batches, optimizer, dtype) and runs it; they run side by side.  A setting gives
    the CPUs the process may run on, ``cpus`` (its affinity, set before JAX starts,
    so that XLA sizes its thread pools to them; Linux only), and its ``XLA_FLAGS``
    (e.g. ``"--xla_cpu_multi_thread_eigen=false"``).  Comparing the final states bit
    for bit tells whether the thread settings change the arithmetic of a run.

    Parameters
    ----------
    tm : TrainingMap
    x0 : array, shape (tm.state_dim,)
        The initial joint state.
    n_steps : int >= 1
    settings : sequence of mappings
        One process per entry, with optional keys ``"cpus"`` (sequence of CPU numbers,
        a subset of this process's; default: those of this process) and
        ``"xla_flags"`` (str; default ``""``, XLA's defaults).
    t0 : int >= 0
        Index of the first step.
    timeout : float > 0
        Seconds to wait for the processes (each is killed after that).

    Returns
    -------
    list of ProcessRun
        In the order of ``settings``.

    Raises
    ------
    RuntimeError
        If a process fails or times out (with the end of its error output).

    References
    ----------
    XLA compiler flags, https://docs.jax.dev/en/latest/xla_flags.html;
    ``sched_setaffinity(2)``, Linux manual.

    Examples
    --------
    >>> import numpy as np
    >>> from uniqnets.practice import TrainingMap, mlp, optimizer, run_in_subprocesses
    >>> X, Y = np.random.default_rng(0).standard_normal((8, 2)), np.arange(8) % 2
    >>> tm = TrainingMap(mlp((2, 3, 2)), X, Y, optimizer("sgd", 0.1))
    >>> x0 = tm.init_state(mlp((2, 3, 2)).init(np.random.default_rng(1)))
    >>> [run] = run_in_subprocesses(tm, x0, 5, [{}])
    >>> bool(np.array_equal(run.final, tm.run(x0, 5)[1]))
    True
    """
    if not isinstance(tm, TrainingMap):
        raise TypeError(f"tm must be a TrainingMap, got {type(tm).__name__}")
    x0 = check_array(x0, "x0", shape=(tm.state_dim,))
    n_steps = check_int(n_steps, "n_steps", lo=1)
    t0 = check_int(t0, "t0", lo=0)
    timeout = check_real(timeout, "timeout", lo=0)
    if not timeout > 0:
        raise ValueError(f"timeout must be positive, got {timeout}")
    settings = _check_settings(settings)
    if tm.batches is not None and t0 + n_steps > tm.batches.shape[0]:
        raise ValueError(f"n_steps: t0 + n_steps ({t0 + n_steps}) exceeds the number of "
                         f"batches ({tm.batches.shape[0]})")
    # the children import this copy of the library, wherever it is installed
    lib = str(Path(__file__).resolve().parents[2])
    with tempfile.TemporaryDirectory(prefix="uniqnets-process-") as tmp:
        spec = Path(tmp) / "spec.pkl"
        with open(spec, "wb") as fh:
            pickle.dump({"network": tm.network, "X": tm.X, "Y": tm.Y, "optimizer": tm.optimizer,
                         "loss": tm.loss_kind, "batches": tm.batches, "n_chunks": tm.n_chunks,
                         "dtype": tm.dtype.name, "x0": x0, "n_steps": n_steps, "t0": t0}, fh)
        procs = []
        for i, s in enumerate(settings):
            env = dict(os.environ, XLA_FLAGS=s["xla_flags"],
                       PYTHONPATH=os.pathsep.join([lib, *filter(None, [os.environ.get(
                           "PYTHONPATH")])]))
            procs.append(subprocess.Popen(
                [sys.executable, "-c", _CHILD, str(spec), str(Path(tmp) / f"run{i}"),
                 json.dumps(s["cpus"])], env=env, stdout=subprocess.DEVNULL,
                stderr=subprocess.PIPE, text=True))
        deadline = time.monotonic() + timeout
        errors = []
        try:
            for i, p in enumerate(procs):
                try:
                    _, err = p.communicate(timeout=max(0.1, deadline - time.monotonic()))
                except subprocess.TimeoutExpired:
                    errors.append(f"settings[{i}]: no result after {timeout:g} s")
                    continue
                if p.returncode != 0:
                    errors.append(f"settings[{i}]: exit status {p.returncode}: {err[-1500:]}")
        finally:
            for p in procs:
                if p.poll() is None:
                    p.kill()
                    p.wait()
        if errors:
            raise RuntimeError("training run in another process failed:\n" + "\n".join(errors))
        runs = []
        for i, s in enumerate(settings):
            meta = json.loads((Path(tmp) / f"run{i}.json").read_text(encoding="utf-8"))
            runs.append(ProcessRun(np.load(Path(tmp) / f"run{i}.npy"), tuple(meta["cpus"]),
                                   meta["n_threads"], s["xla_flags"], meta["seconds"]))
    return runs
