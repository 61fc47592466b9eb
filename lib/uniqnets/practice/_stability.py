"""The field's instruments on the Fashion-MNIST networks: what the three experiments share.

Three experiments from the machine-learning literature on the question "can two trained
networks be the same?", with the training maps of :func:`fashion_setup`, one module
each: children spawned from one parent (``_spawn``, Frankle et al. 2020), independent
pairs aligned by their symmetries (``_pairs``, Entezari et al. 2022, Ainsworth et al.
2023) and runs that differ in one source of variability (``_sources``, Summers and
Dinneen 2021).  This module holds what they share: training in compiled loops
(:meth:`TrainingMap.steps`), the points of the linear paths, Frankle et al.'s margin
``STABLE``, and :func:`stability_summary`, the numbers a chapter quotes from all three.
Every experiment trains its networks to the end of the schedule (8 epochs by default)
and returns numbers only: the parameters themselves are not kept.
"""

from __future__ import annotations

import numpy as np

__all__ = ["STABLE", "stability_summary"]

ALPHAS = np.linspace(0.0, 1.0, 11)

# rng_stream keys of this module's experiments (the benchmark chapter uses 12)
_KEY = 23


def _train(setup, x, t0: int, t1: int, progress=None):
    """The setup's training map from step ``t0`` to ``t1`` (excluded), in compiled loops."""
    x = setup.train_map.steps(x, t0, t1, progress=progress)
    if not np.all(np.isfinite(x)):
        raise FloatingPointError(f"a run of the {setup.network.kind} diverged before step "
                                 f"{t1}; lower lr")
    return x


def _bar(total, desc, progress):
    if not progress:
        return None
    from tqdm.auto import tqdm
    return tqdm(total=total, desc=desc, unit="step", leave=False)


#: Frankle et al.'s margin: a network is stable to SGD noise when the error barrier
#: between its children is below 2 % (of the test set)
STABLE = 0.02


def _results(items, name, cls):
    if isinstance(items, (str, bytes)) or not hasattr(items, "__iter__"):
        raise TypeError(f"{name} must be a list of {cls.__name__} results, got "
                        f"{type(items).__name__}")
    items = list(items)
    for i, item in enumerate(items):
        if not isinstance(item, cls):
            raise TypeError(f"{name}[{i}] must be a {cls.__name__}, got {type(item).__name__}")
    return items


def _aligned(row):
    # upper end of the interval of the error barrier after the fullest alignment measured
    # (permutations and sign flips where they apply, else permutations)
    key = "error matched" if np.isnan(row["error signed"]) else "error signed"
    return row[key] + row[f"{key}_ci"]


def stability_summary(spawns, pairs, results) -> dict:
    """The numbers the chapter quotes, from the units of the three experiments.

    Parameters
    ----------
    spawns : list of Spawn
    pairs : list of MatchedPair
    results : list of Variability

    Returns
    -------
    dict
        Instability (of the MLP, or else the first network in ``spawns``): ``n_spawns``,
        ``n_spawn_pairs`` (fewest pairs at a spawn point), ``k0_barrier`` and ``k0_ci``
        (error barrier of children spawned at the first point), ``stable_from_init``,
        ``k_stable`` (first stable fraction of the schedule, -1 if none),
        ``child_accuracy``; of every other network ``name`` at its first spawn point:
        ``{name}_k0_barrier``, ``{name}_k0_ci``, ``{name}_k0_pairs``, ``{name}_k0_spawn``
        (its fraction of the schedule), ``{name}_k0_accuracy`` and ``{name}_k0_status``
        (``"stable"`` or ``"unstable"`` when the error barrier's interval lies below or
        above ``STABLE``, else ``"not resolved"``).  Matching (of the
        widest and narrowest networks): ``n_widths``, ``n_width_pairs``, ``wide``,
        ``narrow`` (widths as text), ``wide_before``, ``wide_after``, ``wide_after_ci``,
        ``narrow_after`` (error barriers), ``wide_loss_before``, ``wide_loss_after``,
        ``wide_dist``, ``wide_dist_matched``, ``wide_signed``, ``wide_signed_ci``,
        ``narrow_signed``, ``wide_loss_signed`` (after alignment by permutations and sign
        flips; NaN where it does not apply), ``n_connected_widths`` (widths whose error
        barrier after the fullest alignment, with its interval, lies below ``STABLE``).
        Sources (the MLP's): ``churn_min``, ``churn_max``, ``source_min``, ``source_max``,
        ``bit_over_init`` (churn ratio), ``bit_dist``, ``init_dist``, ``init_dist_matched``,
        ``sd_max``, ``n_sources_moved`` (sources whose runs all differ), ``n_sources``,
        ``n_source_runs`` (fewest runs of a source; seeds for the precision); the linear
        network against the MLP (initialisation): ``lin_churn``, ``mlp_churn``, ``n_lin``
        (linear runs), ``churn_ratio``.

    Examples
    --------
    >>> from uniqnets.practice import stability_summary
    >>> stability_summary([], [], [])
    {}
    """
    from ._pairs import width_table
    from ._sources import source_table
    from ._spawn import spawn_table

    out = {}
    rows = spawn_table(spawns)
    if rows:
        names = list(dict.fromkeys(r["network"] for r in rows))
        main = "MLP" if "MLP" in names else names[0]
        first = [r for r in rows if r["network"] == main]
        stable = [r for r in first if r["stable"]]
        out.update(n_spawns=len(first), n_spawn_pairs=min(r["n_pairs"] for r in first),
                   k0_barrier=first[0]["error_barrier"], k0_ci=first[0]["error_ci"],
                   stable_from_init=first[0]["stable"] and first[0]["spawn"] == 0,
                   k_stable=stable[0]["fraction"] if stable else -1.0,
                   child_accuracy=float(np.mean([r["accuracy"] for r in first])))
        for name in names:  # the other networks' first spawn point
            r = next(r for r in rows if r["network"] == name)
            if name != main:
                low, high = r["error_barrier"] - r["error_ci"], r["error_barrier"] + r["error_ci"]
                out.update({f"{name}_k0_barrier": r["error_barrier"],
                            f"{name}_k0_ci": r["error_ci"], f"{name}_k0_pairs": r["n_pairs"],
                            f"{name}_k0_spawn": r["fraction"],
                            f"{name}_k0_accuracy": r["accuracy"],
                            f"{name}_k0_status": "stable" if high < STABLE else "unstable"
                            if low > STABLE else "not resolved"})
    wrows = width_table(pairs)
    if wrows:
        wide, narrow = wrows[-1], wrows[0]
        out.update(n_widths=len(wrows), n_width_pairs=min(r["n_pairs"] for r in wrows),
                   wide="×".join(map(str, wide["hidden"])),
                   narrow="×".join(map(str, narrow["hidden"])),
                   wide_before=wide["error"], wide_after=wide["error matched"],
                   wide_after_ci=wide["error matched_ci"],
                   narrow_after=narrow["error matched"], wide_loss_before=wide["loss"],
                   wide_loss_after=wide["loss matched"], wide_dist=wide["distance"],
                   wide_dist_matched=wide["distance_matched"],
                   wide_signed=wide["error signed"], wide_signed_ci=wide["error signed_ci"],
                   narrow_signed=narrow["error signed"],
                   wide_loss_signed=wide["loss signed"],
                   n_connected_widths=sum(_aligned(r) < STABLE for r in wrows))
    by = {(r["network"], r["source"]): r for r in source_table(results)}
    mlp = {s: r for (n, s), r in by.items() if n == "MLP"}
    if mlp:
        churn = {s: r["churn"] for s, r in mlp.items()}
        out.update(n_source_runs=min(r["n_pairs"] if s == "precision" else r["n_runs"]
                                     for s, r in mlp.items()),
                   churn_min=min(churn.values()), churn_max=max(churn.values()),
                   source_min=min(churn, key=churn.get), source_max=max(churn, key=churn.get),
                   sd_max=max(r["accuracy_sd"] for r in mlp.values()), n_sources=len(mlp),
                   n_sources_moved=sum(r["churn"] > 0 and r["distance"] > 0
                                       for r in mlp.values()))
        if {"one bit", "initialisation"} <= set(mlp):
            bit, ini = mlp["one bit"], mlp["initialisation"]
            out.update(bit_over_init=bit["churn"] / ini["churn"], bit_dist=bit["distance"],
                       init_dist=ini["distance"], init_dist_matched=ini["distance_matched"])
            lin = by.get(("linear", "initialisation"))
            if lin is not None:
                out.update(lin_churn=lin["churn"], mlp_churn=ini["churn"], n_lin=lin["n_runs"],
                           churn_ratio=ini["churn"] / lin["churn"] if lin["churn"] else np.inf)
    return out
