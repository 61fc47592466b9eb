"""The Fashion-MNIST runs too long for a page: run a grid once, keep each run with its provenance.

``make sweep-fashion`` calls this module's command line::

    python -m uniqnets.book.fashion_runs --networks CNN,MLP,linear --seeds 0:5 \\
        --epochs 8 --window 100 --k 3 --data book/_data/fashion_runs.json

Each grid point (network, seed) is one :func:`uniqnets.practice.fashion_run`.  A run is
written to the data file as soon as it finishes, with the command, the settings, the
date, the seconds it took, the device JAX used, the machine and the library versions,
and the digest of the library's code; a grid point already in the file with the same
settings is not run again, so a grid can be extended (more seeds, another network)
without repeating what is there.  The chapter reads the file (:func:`load`); a test
reruns the start of one run and compares it with what the file holds.
"""

from __future__ import annotations

import argparse
import datetime
import json
import os
import shlex
import sys
import time
from pathlib import Path

__all__ = ["SETTINGS", "data_path", "load", "load_runs", "main", "run_record"]

#: the settings of :func:`uniqnets.practice.fashion_run` a run is keyed by, with defaults
SETTINGS = {"epochs": 8.0, "window": 100, "k": 3, "every": 5, "stages": [0.02, 0.5, 0.9],
            "batch_size": 128, "weight_decay": 5e-4}


def run_record(run) -> dict:
    """A :class:`uniqnets.practice.FashionRun` as plain JSON-able data."""
    stages = []
    for st in run.stages:
        stages.append({"step": st.step, "window": st.window, "lr": st.lr, "index": st.index,
                       "exponents": st.exponents.tolist(), "stderr": st.stderr.tolist(),
                       "steps": st.steps.tolist(), "d32": st.d32.tolist(),
                       "d64": st.d64.tolist(), "tangent": st.tangent.tolist(),
                       "flips32": st.flips32.tolist(), "flips64": st.flips64.tolist(),
                       "d_large": st.d_large.tolist(), "flips_large": st.flips_large.tolist()})
    return {"network": run.name, "seed": run.seed, "n_params": run.n_params,
            "n_steps": run.n_steps, "steps_per_epoch": run.steps_per_epoch,
            "eval_steps": run.eval_steps.tolist(), "test_accuracy": run.test_accuracy.tolist(),
            "train_loss": run.train_loss.tolist(), "device": run.device, "stages": stages,
            "predictions": "".join(map(str, run.predictions.tolist())),
            "sketch": run.sketch.tolist(), "diagram": run.diagram.tolist()}


def data_path(path="") -> Path:
    """``path``, or when empty the book's ``book/_data/fashion_runs.json``.

    The book's file is looked for above the working directory (a chapter runs in
    ``notebooks/`` or ``ipynb/``, papermill anywhere in the checkout) and then in the
    checkout this library was installed from.

    Examples
    --------
    >>> from uniqnets.book.fashion_runs import data_path
    >>> data_path("runs.json").name
    'runs.json'
    """
    if path:
        return Path(path)
    name = Path("book") / "_data" / "fashion_runs.json"
    for base in (Path.cwd(), *Path.cwd().parents, Path(__file__).resolve().parents[3]):
        if (base / name).exists():
            return base / name
    raise FileNotFoundError(f"{name} was not found above {Path.cwd()} nor in the checkout of "
                            "uniqnets: run make sweep-fashion, or name the file")


def load(path) -> dict:
    """The data file: ``{"runs": [...], ...}``; an empty grid when the file does not exist."""
    path = Path(path)
    if not path.exists():
        return {"runs": []}
    return json.loads(path.read_text(encoding="utf-8"))


def load_runs(path, networks=None) -> list:
    """The runs of the data file as :class:`uniqnets.practice.FashionRun` (of ``networks``).

    Examples
    --------
    >>> from uniqnets.book.fashion_runs import load_runs
    >>> load_runs("no-such-file.json")
    []
    """
    import numpy as np

    from uniqnets.practice import FashionRun, StageMeasurement

    out = []
    for r in load(path)["runs"]:
        if networks is not None and r["network"] not in networks:
            continue
        stages = tuple(StageMeasurement(
            st["step"], st["window"], st["lr"], np.array(st["exponents"]),
            np.array(st["stderr"]), np.array(st["steps"]), np.array(st["d32"]),
            np.array(st["d64"]), np.array(st["tangent"]), np.array(st["flips32"]),
            np.array(st["flips64"]), st["index"], np.array(st["d_large"]),
            np.array(st["flips_large"])) for st in r["stages"])
        out.append(FashionRun(
            r["network"], r["seed"], r["n_params"], r["n_steps"], r["steps_per_epoch"],
            np.array(r["eval_steps"]), np.array(r["test_accuracy"]), np.array(r["train_loss"]),
            stages, r["device"], np.array([int(c) for c in r["predictions"]]),
            np.array(r["sketch"]), np.array(r["diagram"]).reshape(-1, 2)))
    return out


def _key(network, seed, settings) -> str:
    return json.dumps([network, seed, settings], sort_keys=True)


def _one(task):
    """Run one grid point in a worker process; return its record (plain data)."""
    from uniqnets.practice import fashion_run

    network, seed, settings = task
    t0 = time.perf_counter()
    run = fashion_run(network, seed, **{k: (tuple(v) if k == "stages" else v)
                                        for k, v in settings.items()})
    rec = run_record(run)
    rec.update(settings=settings, seconds=round(time.perf_counter() - t0, 1),
               finished=datetime.datetime.now().isoformat(timespec="seconds"))
    return rec


def _seeds(text: str) -> list[int]:
    if ":" in text:
        lo, hi = text.split(":")
        return list(range(int(lo), int(hi)))
    return [int(s) for s in text.split(",")]


def _write(path: Path, data: dict) -> None:
    tmp = path.with_suffix(".tmp")
    tmp.write_text(json.dumps(data, indent=1) + "\n", encoding="utf-8")
    os.replace(tmp, path)


def main(argv=None) -> int:
    """The command line (see the module's docstring); returns the exit code."""
    from uniqnets.book.sweep._data import machine
    from uniqnets.book.sweep._store import _library_digest
    from uniqnets.practice import FASHION_ARCHITECTURES

    p = argparse.ArgumentParser(prog="python -m uniqnets.book.fashion_runs",
                                description="Train Fashion-MNIST networks over a grid of "
                                            "networks and seeds; keep each run in a data file.")
    p.add_argument("--networks", default="CNN,MLP,linear",
                   help=f"comma-separated, of {', '.join(FASHION_ARCHITECTURES)}")
    p.add_argument("--seeds", default="0:5", help="a:b (b excluded) or a comma list")
    for name, value in SETTINGS.items():
        if name != "stages":
            p.add_argument(f"--{name.replace('_', '-')}", type=type(value), default=value)
    p.add_argument("--stages", default=",".join(map(str, SETTINGS["stages"])))
    p.add_argument("--jobs", type=int, default=1)
    p.add_argument("--data", required=True, help="the JSON data file (created or extended)")
    p.add_argument("--dry-run", action="store_true", help="list what would run, run nothing")
    args = p.parse_args(argv)
    networks = [n.strip() for n in args.networks.split(",") if n.strip()]
    bad = [n for n in networks if n not in FASHION_ARCHITECTURES]
    if bad or not networks:
        p.error(f"--networks: unknown {bad}; choose among {', '.join(FASHION_ARCHITECTURES)}")
    try:
        seeds = _seeds(args.seeds)
        stages = [float(s) for s in args.stages.split(",")]
    except ValueError as err:
        p.error(f"--seeds/--stages: {err}")
    if not seeds or min(seeds) < 0:
        p.error("--seeds: give non-negative seeds, e.g. 0:5")
    if args.jobs < 1:
        p.error("--jobs must be at least 1")
    settings = {name: getattr(args, name) for name in SETTINGS if name != "stages"}
    settings["stages"] = stages
    path = Path(args.data)
    data = load(path)
    done = {_key(r["network"], r["seed"], r["settings"]) for r in data["runs"]}
    todo = [(n, s, settings) for n in networks for s in seeds
            if _key(n, s, settings) not in done]
    print(f"{len(networks) * len(seeds) - len(todo)} runs in {path} already, {len(todo)} to run",
          file=sys.stderr)
    if args.dry_run or not todo:
        return 0
    command = "python -m uniqnets.book.fashion_runs " + shlex.join(
        argv if argv is not None else sys.argv[1:])
    info = {"command": command, "machine": machine(), "library": _library_digest()}
    from concurrent.futures import ProcessPoolExecutor, as_completed
    from multiprocessing import get_context

    from tqdm.auto import tqdm

    bar = tqdm(total=len(todo), desc="fashion runs", unit="run")

    def finished():
        if args.jobs == 1:  # in this process: nothing to orphan when it is killed
            for task in todo:
                yield _one(task)
            return
        with ProcessPoolExecutor(args.jobs, mp_context=get_context("spawn")) as pool:
            futures = [pool.submit(_one, task) for task in todo]
            try:
                for fut in as_completed(futures):
                    yield fut.result()
            except KeyboardInterrupt:
                pool.shutdown(wait=False, cancel_futures=True)
                raise

    try:
        for rec in finished():
            rec.update(info)
            data = load(path)  # another invocation may have added runs meanwhile
            data.setdefault("runs", []).append(rec)
            data["runs"].sort(key=lambda r: (r["network"], r["seed"]))
            data["description"] = ("Fashion-MNIST runs of uniqnets.practice.fashion_run, "
                                   "one per network and seed (make sweep-fashion)")
            path.parent.mkdir(parents=True, exist_ok=True)
            _write(path, data)
            bar.set_postfix_str(f"{rec['network']} seed {rec['seed']}: "
                                f"acc {rec['test_accuracy'][-1]:.4f}")
            bar.update()
    except KeyboardInterrupt:
        print(f"interrupted: the runs finished so far are in {path}", file=sys.stderr)
        return 130
    bar.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
