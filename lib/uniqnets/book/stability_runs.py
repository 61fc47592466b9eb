"""Linear mode connectivity, weight matching and sources of variability: runs kept with provenance.

``make sweep-stability`` calls this module's command line, one experiment at a time::

    python -m uniqnets.book.stability_runs instability --networks MLP --seeds 0:5 \\
        --spawns 0,0.01,0.05,0.2,0.5 --data book/_data/stability_runs.json
    python -m uniqnets.book.stability_runs matching --networks MLP \\
        --widths 32x16,128x64,256x128 --pairs 0:3 --data book/_data/stability_runs.json
    python -m uniqnets.book.stability_runs variability --networks MLP,linear \\
        --sources all --data book/_data/stability_runs.json

Each unit (a spawn pair, a matched pair, the runs of one source) is one call of
:func:`uniqnets.practice.spawn_instability`, :func:`uniqnets.practice.matched_pair` or
:func:`uniqnets.practice.variability`, written to the data file as soon as it finishes
with the command, the date, the seconds it took, the device, the machine, the library
versions and the digest of the library's code; a unit already in the file with the same
settings is not run again.  The chapter reads the file (:func:`load_records`).
"""

from __future__ import annotations

import argparse
import dataclasses
import datetime
import json
import shlex
import sys
import time
from pathlib import Path

from .fashion_runs import _seeds, _write, load

__all__ = ["EXPERIMENTS", "data_path", "load_records", "main", "record"]

#: the experiments and the function of :mod:`uniqnets.practice` each unit calls
EXPERIMENTS = {"instability": "spawn_instability", "matching": "matched_pair",
               "variability": "variability"}


def record(result) -> dict:
    """A :class:`Spawn`, :class:`MatchedPair` or :class:`Variability` as plain data."""
    import numpy as np

    out = {}
    for f in dataclasses.fields(result):
        v = getattr(result, f.name)
        out[f.name] = v.tolist() if isinstance(v, np.ndarray) else (
            [list(p) if isinstance(p, tuple) else p for p in v] if isinstance(v, tuple) else v)
    return out


def data_path(path="") -> Path:
    """``path``, or when empty the book's ``book/_data/stability_runs.json``.

    Examples
    --------
    >>> from uniqnets.book.stability_runs import data_path
    >>> data_path("runs.json").name
    'runs.json'
    """
    if path:
        return Path(path)
    name = Path("book") / "_data" / "stability_runs.json"
    for base in (Path.cwd(), *Path.cwd().parents, Path(__file__).resolve().parents[3]):
        if (base / name).exists():
            return base / name
    raise FileNotFoundError(f"{name} was not found above {Path.cwd()} nor in the checkout of "
                            "uniqnets: run make sweep-stability, or name the file")


def load_records(path, experiment: str) -> list:
    """The results of one experiment in the data file, as the library's dataclasses.

    Examples
    --------
    >>> from uniqnets.book.stability_runs import load_records
    >>> load_records("no-such-file.json", "matching")
    []
    """
    import numpy as np

    from uniqnets import practice

    if experiment not in EXPERIMENTS:
        raise ValueError(f"experiment must be one of {sorted(EXPERIMENTS)}, got {experiment!r}")
    cls = {"instability": practice.Spawn, "matching": practice.MatchedPair,
           "variability": practice.Variability}[experiment]
    out = []
    for r in load(path)["runs"]:
        if r["experiment"] != experiment:
            continue
        kw = {}
        for f in dataclasses.fields(cls):
            if f.name not in r["result"]:  # a field added since: its default
                continue
            v = r["result"][f.name]
            if isinstance(v, list):
                v = (tuple(tuple(p) if isinstance(p, list) else p for p in v)
                     if f.type in ("tuple",) else np.array(v))
            kw[f.name] = v
        out.append(cls(**kw))
    return out


def _key(experiment, unit, settings) -> str:
    return json.dumps([experiment, unit, settings], sort_keys=True)


def _one(experiment, unit, settings):
    from uniqnets import practice

    fn = getattr(practice, EXPERIMENTS[experiment])
    t0 = time.perf_counter()
    result = fn(**unit, **settings, progress=True)
    return {"experiment": experiment, "unit": unit, "settings": settings,
            "result": record(result), "seconds": round(time.perf_counter() - t0, 1),
            "finished": datetime.datetime.now().isoformat(timespec="seconds")}


def _units(args, p) -> list[dict]:
    from uniqnets.practice import SOURCES

    networks = [n.strip() for n in args.networks.split(",") if n.strip()]
    try:
        if args.experiment == "instability":
            spawns = [float(s) for s in args.spawns.split(",")]
            return [{"name": n, "seed": s, "spawn": k} for n in networks
                    for s in _seeds(args.seeds) for k in spawns]
        if args.experiment == "matching":
            widths = [[int(w) for w in ws.split("x")] for ws in args.widths.split(",")]
            return [{"name": n, "pair": q, "hidden": w} for n in networks for w in widths
                    for q in _seeds(args.pairs)]
    except ValueError as err:
        p.error(f"{err}")
    sources = SOURCES if args.sources == "all" else [s.strip() for s in
                                                      args.sources.split(",")]
    bad = [s for s in sources if s not in SOURCES]
    if bad:
        p.error(f"--sources: unknown {bad}; choose among {', '.join(SOURCES)} or all")
    return [{"name": n, "source": s, "n_runs": args.n_runs} for n in networks
            for s in sources]


def main(argv=None) -> int:
    """The command line (see the module's docstring); returns the exit code."""
    from uniqnets.book.sweep._data import machine
    from uniqnets.book.sweep._store import _library_digest

    p = argparse.ArgumentParser(prog="python -m uniqnets.book.stability_runs",
                                description="Spawned children, matched pairs and sources of "
                                            "variability of Fashion-MNIST networks; keep each "
                                            "unit in a data file.")
    p.add_argument("experiment", choices=sorted(EXPERIMENTS))
    p.add_argument("--networks", default="MLP", help="comma-separated, e.g. MLP,linear")
    p.add_argument("--seeds", default="0:5", help="instability: parents' seeds, a:b or a list")
    p.add_argument("--spawns", default="0,0.01,0.05,0.2,0.5",
                   help="instability: spawn points as fractions of the schedule")
    p.add_argument("--pairs", default="0:3", help="matching: pairs (seeds 2q and 2q + 1)")
    p.add_argument("--widths", default="32x16,128x64,256x128",
                   help="matching: hidden widths of the MLP, e.g. 128x64")
    p.add_argument("--sources", default="all", help="variability: comma-separated or all")
    p.add_argument("--n-runs", type=int, default=5, help="variability: runs per source")
    p.add_argument("--epochs", type=float, default=8.0)
    p.add_argument("--data", required=True, help="the JSON data file (created or extended)")
    p.add_argument("--dry-run", action="store_true", help="list what would run, run nothing")
    args = p.parse_args(argv)
    if args.n_runs < 2:
        p.error("--n-runs must be at least 2")
    units = _units(args, p)
    settings = {"epochs": args.epochs}
    path = Path(args.data)
    done = {_key(r["experiment"], r["unit"], r["settings"]) for r in load(path)["runs"]}
    todo = [u for u in units if _key(args.experiment, u, settings) not in done]
    print(f"{len(units) - len(todo)} units in {path} already, {len(todo)} to run",
          file=sys.stderr)
    if args.dry_run or not todo:
        for u in todo:
            print(args.experiment, u, file=sys.stderr)
        return 0
    command = "python -m uniqnets.book.stability_runs " + shlex.join(
        argv if argv is not None else sys.argv[1:])
    info = {"command": command, "machine": machine(), "library": _library_digest()}
    import jax
    from tqdm.auto import tqdm

    bar = tqdm(total=len(todo), desc=args.experiment, unit="unit")
    try:
        for u in todo:
            rec = _one(args.experiment, u, settings)
            rec.update(info, device=jax.devices()[0].platform)
            data = load(path)  # another invocation may have added units meanwhile
            data.setdefault("runs", []).append(rec)
            data["runs"].sort(key=lambda r: (r["experiment"], json.dumps(r["unit"],
                                                                         sort_keys=True)))
            data["description"] = ("Fashion-MNIST units of uniqnets.practice's "
                                   "spawn_instability, matched_pair and variability "
                                   "(make sweep-stability)")
            path.parent.mkdir(parents=True, exist_ok=True)
            _write(path, data)
            bar.update()
    except KeyboardInterrupt:
        print(f"interrupted: the units finished so far are in {path}", file=sys.stderr)
        return 130
    bar.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
