"""Fashion-MNIST runs across seeds: intervals, the mechanism that separates twins, pairs.

Functions of a list of :class:`FashionRun` (one network, several seeds, or several
networks), as the benchmark chapter reads them from its data file:

- :func:`stage_table`: per network and stage, the top tangent exponent with a 95 %
  interval across seeds, the growth rates of the three kinds of twins and the flips;
- :func:`mechanisms`: which of exponential growth, rounding accumulation and
  activation flips separates the twins of one stage of one run;
- :func:`chaos_test`: the test that calls a network chaotic at a stage;
- :func:`seed_pairs`: what differs between runs of independent seeds (predictions,
  parameters, persistence diagrams);
- :func:`chaos_and_accuracy`: which networks are chaotic, beside how well they
  generalise.
"""

from __future__ import annotations

from dataclasses import dataclass
from itertools import combinations

import numpy as np
from scipy import stats

__all__ = ["MECHANISMS", "ChaosTest", "SeedPairs", "benchmark_summary", "chaos_and_accuracy",
           "chaos_test",
           "mechanisms", "seed_pairs", "stage_table", "t_interval"]

#: the three ways twins separate, as :func:`mechanisms` names them
MECHANISMS = ("exponential", "rounding", "flips")

#: growth over the window that counts as separation (a window of 100 steps at 0.023 per
#: step grows tenfold), the factor within which two growths agree, and the growth that
#: counts as exponential when the tangent map predicts it (a doubling)
_GROWS, _AGREES, _DOUBLES = 10.0, 2.0, 2.0


def t_interval(x, level: float = 0.95) -> tuple[float, float]:
    """Mean and half-width of the Student-t interval of the mean of ``x`` (n >= 2).

    Examples
    --------
    >>> from uniqnets.practice._seeds import t_interval
    >>> m, h = t_interval([1.0, 2.0, 3.0])
    >>> m, round(h, 3)
    (2.0, 2.484)
    """
    x = np.asarray(x, np.float64)
    if x.size < 2:
        return float(x.mean()), float("inf")
    h = stats.t.ppf(0.5 + level / 2, x.size - 1) * x.std(ddof=1) / np.sqrt(x.size)
    return float(x.mean()), float(h)


def _demo_runs():
    """Two made-up runs of each of two networks "A" and "B" (for the examples)."""
    from ._fashion import FashionRun, StageMeasurement

    runs = []
    for name, lam, grow in (("A", 0.02, 8.0), ("B", -0.001, 1.0)):
        for seed in range(2):
            n, z = np.arange(2), np.zeros(2, int)
            st = StageMeasurement(0, 100, 0.05, np.array([lam + 0.001 * seed]),
                                  np.array([0.001]), n, np.array([1.0, 300.0]),
                                  np.array([1.0, 250.0]), np.array([1.0, grow]), z, z, 0,
                                  np.array([1.0, grow]), z)
            runs.append(FashionRun(name, seed, 10, 100, 10, np.array([0, 100]),
                                   np.array([0.1, 0.9]), np.array([2.3, 0.3]), (st,), "cpu",
                                   np.array([0, 1, seed]), np.array([3.0, 4.0 + seed]),
                                   np.array([[0.0, 1.0 + seed]])))
    return runs


def _growth(d):
    return float(d[-1] / d[0])


def _runs(runs):
    from ._fashion import FashionRun

    if isinstance(runs, (str, bytes)) or not hasattr(runs, "__iter__"):
        raise TypeError(f"runs must be a sequence of FashionRun, got {type(runs).__name__}")
    runs = list(runs)
    if not runs or not all(isinstance(r, FashionRun) for r in runs):
        raise TypeError("runs must be a non-empty sequence of FashionRun")
    return runs


def _mine(runs, network):
    runs = _runs(runs)
    if not isinstance(network, str):
        raise TypeError(f"network must be a name, got {type(network).__name__}")
    mine = [r for r in runs if r.name == network]
    if len(mine) < 2:
        raise ValueError(f"network: at least two seeds of {network!r} are needed, "
                         f"got {len(mine)}")
    return mine


def mechanisms(stage) -> dict:
    """What separates the twins of one stage of one run (a :class:`StageMeasurement`).

    With ``G`` the growth factor over the window of the tangent prediction, of the
    one-ulp float32 twins, of the one-ulp float64 twins and of the twins far above
    rounding (``d_large``):

    - ``"exponential"``: the twins far above rounding at least double and grow as the
      tangent map predicts (within a factor 2): the linearised map itself expands;
    - ``"flips"``: they grow more than twice what the tangent map predicts while their
      ReLU units flip on the probe images: the map is piecewise linear and the twins
      sit on different pieces, which a tangent map cannot see;
    - ``"rounding"``: the one-ulp twins grow at least ten times more than the tangent
      map predicts while the twins far above rounding follow it (within a factor 2):
      rounding differences of every step accumulate, at about the same rate relative to
      one ulp in float32 and float64.

    Returns
    -------
    dict of bool, keyed by ``MECHANISMS``

    Examples
    --------
    >>> from uniqnets.practice import mechanisms
    >>> from uniqnets.practice._seeds import _demo_runs
    >>> runs = _demo_runs()  # A: twins grow 8-fold as the tangent map says; B: rounding
    >>> mechanisms(runs[0].stages[0])["exponential"], mechanisms(runs[2].stages[0])["rounding"]
    (True, True)
    """
    from ._fashion import StageMeasurement

    if not isinstance(stage, StageMeasurement):
        raise TypeError(f"stage must be a StageMeasurement, got {type(stage).__name__}")
    g_tan, g32, g64, g_large = (_growth(getattr(stage, k))
                                for k in ("tangent", "d32", "d64", "d_large"))
    follows = 1 / _AGREES <= g_large / g_tan <= _AGREES
    return {"exponential": g_large >= _DOUBLES and follows,
            "flips": g_large > _AGREES * g_tan and stage.flips_large[-1] > 0,
            "rounding": follows and min(g32, g64) >= _GROWS * g_tan}


def stage_table(runs) -> list[dict]:
    """One row per network and stage: exponents and twin growth across seeds.

    Columns: ``network``, ``stage`` (index), ``step``, ``lr``, ``n_seeds``; ``lambda1``
    and ``lambda1_ci`` (mean and 95 % t half-width across seeds), ``lambda1_se`` (mean
    batch-means error within a run); ``lambda2``, ``lambda3`` (means, when measured);
    ``slope32``, ``slope64``, ``slope_large``, ``slope_tangent`` (means of
    ``ln(d(W)/d(0)) / W`` per step, over the seeds whose twins did not merge) with
    ``slope_large_ci``; ``merged`` (seeds whose one-ulp twins, in either precision,
    ended identical: their difference rounded to zero); ``flips32`` and
    ``flips_large`` (medians at the window's end); and for each of ``MECHANISMS``
    the number of seeds in which it acted.

    Examples
    --------
    >>> from uniqnets.practice import stage_table
    >>> from uniqnets.practice._seeds import _demo_runs
    >>> [(r["network"], r["n_seeds"], r["exponential"]) for r in stage_table(_demo_runs())]
    [('A', 2, 2), ('B', 2, 0)]
    """
    runs, rows = _runs(runs), []
    names = list(dict.fromkeys(r.name for r in runs))
    for name in names:
        mine = [r for r in runs if r.name == name]
        for i in range(min(len(r.stages) for r in mine)):
            st = [r.stages[i] for r in mine]
            lam1 = [s.exponents[0] for s in st]
            m, h = t_interval(lam1)
            row = {"network": name, "stage": i, "step": st[0].step, "lr": st[0].lr,
                   "n_seeds": len(st), "lambda1": m, "lambda1_ci": h,
                   "lambda1_se": float(np.mean([s.stderr[0] for s in st]))}
            for j in (1, 2):
                if len(st[0].exponents) > j:
                    row[f"lambda{j + 1}"] = float(np.mean([s.exponents[j] for s in st]))
            for kind in ("d32", "d64", "d_large", "tangent"):
                key = "slope" + {"d32": "32", "d64": "64", "d_large": "_large",
                                 "tangent": "_tangent"}[kind]
                slopes = np.array([s.slope(kind) for s in st])  # -inf: merged twins
                row[key] = float(np.mean(slopes[np.isfinite(slopes)])) \
                    if np.isfinite(slopes).any() else float("nan")
            row["slope_large_ci"] = t_interval([s.slope("d_large") for s in st])[1]
            row["merged"] = sum(s.d32[-1] == 0 or s.d64[-1] == 0 for s in st)
            row["flips32"] = float(np.median([s.flips32[-1] for s in st]))
            row["flips_large"] = float(np.median([s.flips_large[-1] for s in st]))
            acted = [mechanisms(s) for s in st]
            row.update({k: sum(a[k] for a in acted) for k in MECHANISMS})
            rows.append(row)
    return rows


@dataclass(frozen=True)
class ChaosTest:
    """The chaos test of one network at one stage (see :func:`chaos_test`).

    Attributes
    ----------
    network : str
    stage : int
    chaotic : bool
        Both lower 95 % bounds (across seeds) are above zero.
    lambda1_low, slope_large_low : float
        Lower 95 % bounds of the top tangent exponent and of the growth rate of the
        twins far above rounding.
    """

    network: str
    stage: int
    chaotic: bool
    lambda1_low: float
    slope_large_low: float


def chaos_test(runs, network: str, stage: int) -> ChaosTest:
    """Is ``network`` chaotic at ``stage``: does a small difference grow exponentially?

    The test asks two things, each of the seeds' 95 % interval: that the top exponent of
    the tangent map be above zero, and that twins started far above rounding grow (their
    ``ln(d(W)/d(0)) / W`` above zero).  Rounding accumulation grows one-ulp twins without
    either (it is not a property of the map), so it cannot pass the test; the deep linear
    network, whose map is a polynomial of its parameters, is the negative control.

    Examples
    --------
    >>> from uniqnets.practice import chaos_test
    >>> from uniqnets.practice._seeds import _demo_runs
    >>> runs = _demo_runs()
    >>> chaos_test(runs, "A", 0).chaotic, chaos_test(runs, "B", 0).chaotic
    (True, False)
    """
    from .._validate import check_int

    runs = _mine(runs, network)
    stage = check_int(stage, "stage", lo=0, hi=min(len(r.stages) for r in runs) - 1)
    mine = [r.stages[stage] for r in runs]
    m1, h1 = t_interval([s.exponents[0] for s in mine])
    m2, h2 = t_interval([s.slope("d_large") for s in mine])
    return ChaosTest(network, stage, bool(m1 - h1 > 0 and m2 - h2 > 0), m1 - h1, m2 - h2)


@dataclass(frozen=True)
class SeedPairs:
    """What differs between independent seeds of one network (see :func:`seed_pairs`).

    Attributes
    ----------
    network : str
    n_pairs : int
    churn : numpy array, shape (n_pairs,)
        Fraction of test images on which the two runs predict different classes.
    distance : numpy array, shape (n_pairs,)
        Parameter distance (estimated from the sketches) over the mean parameter norm.
    diagram_w1 : numpy array, shape (n_pairs,)
        1-Wasserstein distance between the runs' H0 diagrams, over the mean total
        persistence of the two diagrams.
    accuracy : numpy array, shape (n_seeds,)
    """

    network: str
    n_pairs: int
    churn: np.ndarray
    distance: np.ndarray
    diagram_w1: np.ndarray
    accuracy: np.ndarray


def seed_pairs(runs, network: str) -> SeedPairs:
    """Compare every pair of runs of ``network``: predictions, parameters, diagrams.

    Examples
    --------
    >>> from uniqnets.practice import seed_pairs
    >>> from uniqnets.practice._seeds import _demo_runs
    >>> p = seed_pairs(_demo_runs(), "A")
    >>> p.n_pairs, p.churn.tolist()  # the two runs differ in one of three predictions
    (1, [0.3333333333333333])
    """
    from ..topology import wasserstein

    mine = _mine(runs, network)
    churn, dist, w1 = [], [], []
    for a, b in combinations(mine, 2):
        churn.append(float(np.mean(a.predictions != b.predictions)))
        norm = 0.5 * (np.linalg.norm(a.sketch) + np.linalg.norm(b.sketch))
        dist.append(float(np.linalg.norm(a.sketch - b.sketch) / norm))
        mass = 0.5 * (np.sum(a.diagram[:, 1] - a.diagram[:, 0])
                      + np.sum(b.diagram[:, 1] - b.diagram[:, 0]))
        w1.append(float(wasserstein(a.diagram, b.diagram, order=1) / mass))
    return SeedPairs(network, len(churn), np.array(churn), np.array(dist), np.array(w1),
                     np.array([r.final_accuracy for r in mine]))


def benchmark_summary(runs) -> dict:
    """The numbers the benchmark chapter's verdicts read, from all its runs.

    Keys: ``n_tests`` and ``n_chaotic`` (pairs of a nonlinear network and a stage, and
    those :func:`chaos_test` calls chaotic), ``chaotic_list`` (their names),
    ``linear_stages_chaotic``; ``n_windows`` (networks x stages x seeds) and
    ``n_exponential``, ``n_rounding``, ``n_flips`` (windows in which each of
    ``MECHANISMS`` acts) and ``n_merged`` (windows whose one-ulp twins merged);
    ``rate_ratio_min``/``max`` (float32 over float64 growth
    rate of one-ulp twins where rounding acts); ``n_rows`` and ``n_persist`` (pairs of a
    nonlinear network and a stage, and those where twins far above rounding separate in
    some seed); ``churn_min``/``max``, ``dist_min``, ``w1_min`` (over every pair of seeds
    of every network, see :func:`seed_pairs`) and ``sd_max`` (the largest spread of test
    accuracy over a network's seeds).  Networks with a single seed are left out: an
    interval across seeds needs two.

    Examples
    --------
    >>> from uniqnets.practice import benchmark_summary
    >>> from uniqnets.practice._seeds import _demo_runs
    >>> b = benchmark_summary(_demo_runs())
    >>> b["n_tests"], b["n_chaotic"], b["chaotic_list"]
    (2, 1, 'A at stage 1')
    """
    runs = _runs(runs)
    names = [n for n in dict.fromkeys(r.name for r in runs)
             if sum(r.name == n for r in runs) >= 2]  # intervals need two seeds
    runs = [r for r in runs if r.name in names]
    nonlinear = [n for n in names if n != "linear"]
    n_stages = min(len(r.stages) for r in runs)
    tests = [chaos_test(runs, n, i) for n in names for i in range(n_stages)]
    rows = stage_table(runs)
    pairs = [seed_pairs(runs, n) for n in names]
    churn = np.concatenate([p.churn for p in pairs])
    rounding = [r["slope32"] / r["slope64"] for r in rows if r["rounding"]]
    out = {"n_tests": sum(t.network in nonlinear for t in tests),
           "n_chaotic": sum(t.chaotic for t in tests if t.network in nonlinear),
           "chaotic_list": ", ".join(f"{t.network} at stage {t.stage + 1}" for t in tests
                                     if t.chaotic and t.network in nonlinear) or "none",
           "linear_stages_chaotic": sum(t.chaotic for t in tests if t.network == "linear"),
           "n_windows": sum(r["n_seeds"] for r in rows),
           "rate_ratio_min": min(rounding, default=float("nan")),
           "rate_ratio_max": max(rounding, default=float("nan")),
           "n_rows": sum(r["network"] in nonlinear for r in rows),
           "n_persist": sum(r["exponential"] + r["flips"] > 0 for r in rows
                            if r["network"] in nonlinear),
           "churn_min": float(churn.min()), "churn_max": float(churn.max()),
           "dist_min": float(min(p.distance.min() for p in pairs)),
           "w1_min": float(min(p.diagram_w1.min() for p in pairs)),
           "sd_max": float(max(p.accuracy.std(ddof=1) for p in pairs))}
    for m in MECHANISMS:
        out[f"n_{m}"] = int(sum(r[m] for r in rows))
    out["n_merged"] = int(sum(r["merged"] for r in rows))
    return out


def chaos_and_accuracy(runs) -> list[dict]:
    """One row per network: at which stages it is chaotic, and its test accuracy.

    The preprint credits chaos with "the explorative power and robust generalization of
    deep learning" (§7.1.1).  Beside each network's :func:`chaos_test` at every stage
    this puts what generalisation is measured by here, the final test accuracy, with its
    95 % t interval across seeds; rows are sorted from the most accurate network down.

    Columns: ``network``, ``n_seeds``, ``chaotic_stages`` (1-based stage numbers, a
    tuple), ``lambda1_low`` (the largest lower 95 % bound of the top exponent over the
    stages), ``accuracy``, ``accuracy_ci`` and ``ahead``: chaotic at no stage, and its
    accuracy interval entirely above that of every chaotic network (``False`` for all
    when no network is chaotic).

    Examples
    --------
    >>> from uniqnets.practice import chaos_and_accuracy
    >>> from uniqnets.practice._seeds import _demo_runs
    >>> [(r["network"], r["chaotic_stages"]) for r in chaos_and_accuracy(_demo_runs())]
    [('A', (1,)), ('B', ())]
    """
    runs = _runs(runs)
    rows = []
    for name in dict.fromkeys(r.name for r in runs):
        mine = _mine(runs, name)
        tests = [chaos_test(mine, name, i) for i in range(min(len(r.stages) for r in mine))]
        m, h = t_interval([r.final_accuracy for r in mine])
        rows.append({"network": name, "n_seeds": len(mine),
                     "chaotic_stages": tuple(t.stage + 1 for t in tests if t.chaotic),
                     "lambda1_low": max(t.lambda1_low for t in tests),
                     "accuracy": m, "accuracy_ci": h})
    chaotic = [r for r in rows if r["chaotic_stages"]]
    top = max((r["accuracy"] + r["accuracy_ci"] for r in chaotic), default=np.inf)
    for r in rows:
        r["ahead"] = bool(not r["chaotic_stages"] and r["accuracy"] - r["accuracy_ci"] > top)
    return sorted(rows, key=lambda r: -r["accuracy"])
