"""Where run-to-run variability comes from (Summers and Dinneen 2021): one source at a time.

Runs that differ in exactly one thing (:func:`variability`): the initialisation seed,
the data order, one bit of one weight, the order of the gradient's sum or the
precision; how far apart they end, in accuracy, predictions and parameters
(:func:`source_table`).
"""

from __future__ import annotations

from dataclasses import dataclass
from itertools import combinations

import numpy as np

from .._validate import check_choice, check_int
from ..stats import rng_stream
from ._connectivity import function_distance, parameter_distance, prediction_churn
from ._fashion import FASHION_ARCHITECTURES, fashion_setup
from ._stability import _KEY, _bar, _results, _train

__all__ = ["SOURCES", "Variability", "source_table", "variability"]

#: the sources of run-to-run variability of :func:`variability`, one changed at a time
SOURCES = ("initialisation", "data order", "one bit", "reduction order", "precision")

#: gradient accumulation over this many micro-batches gives the runs of the
#: "reduction order" source (the batch of 128 split, summed in another order)
REDUCTION_CHUNKS = (2, 4, 8, 16, 32)

#: the points (Frankle et al. use 30; 11 resolve barriers of a few
#: per cent, whose maximum lies inside the path, to within the grid's spacing)
@dataclass(frozen=True)
class Variability:
    """Runs that differ in one source only, and how far apart they end.

    Attributes
    ----------
    network, source : str
    labels : tuple of str
        What each run is (its seed, data seed, flipped weight, chunks or precision).
    accuracy : array, shape (n_runs,)
        Test accuracy of each run at the end.
    pairs : tuple of (int, int)
        The pairs compared (all pairs; for "precision", each float32 run with its
        float64 twin).
    churn, function_distance, distance, distance_matched : arrays, shape (n_pairs,)
        Per pair: the fraction of test images classified differently, the mean
        total-variation distance of the predicted class probabilities, and the relative
        parameter distance before and after weight matching.
    """

    network: str
    source: str
    labels: tuple
    accuracy: np.ndarray
    pairs: tuple
    churn: np.ndarray
    function_distance: np.ndarray
    distance: np.ndarray
    distance_matched: np.ndarray

    @property
    def accuracy_sd(self) -> float:
        """Standard deviation of the test accuracy across the runs (ddof = 1)."""
        return float(np.std(self.accuracy, ddof=1))


def _flip_last_bit(theta, index):
    """``theta`` with the last mantissa bit of entry ``index`` flipped (float32)."""
    out = np.array(theta, dtype=np.float32, copy=True)
    out.view(np.uint32)[index] ^= np.uint32(1)
    return out


def variability(name: str, source: str, *, n_runs: int = 5, seed: int = 0,
                epochs: float = 8.0, progress: bool = False, **setup_kw) -> Variability:
    """``n_runs`` runs that differ only in ``source``; their spread and pairwise distances.

    The base run is :func:`fashion_setup`'s run of ``seed``. The sources:

    - ``"initialisation"``: initialisation seeds ``seed + 1``, ..., data order of ``seed``;
    - ``"data order"``: data seeds ``seed + 1``, ..., initialisation of ``seed``;
    - ``"one bit"``: the base run with the last mantissa bit of one weight flipped at
      initialisation, a different weight per run (drawn among the weights at least as
      large as the median);
    - ``"reduction order"``: the base run with each gradient the mean of 2, 4, 8, 16, 32
      micro-batches (``n_runs <= 5``);
    - ``"precision"``: seeds ``seed``, ..., each trained in float32 and in float64 from
      the same initial numbers; the pairs are the two precisions of one seed.

    Parameters
    ----------
    name : {"MLP", "linear", "CNN"}
    source : one of ``SOURCES``
    n_runs : int >= 2
    seed : int >= 0
    epochs : float > 0
    progress : bool
    **setup_kw
        More arguments of :func:`fashion_setup`.

    Returns
    -------
    Variability

    References
    ----------
    C. Summers, M. J. Dinneen, "Nondeterminism and instability in neural network
    optimization", ICML 2021, arXiv:2103.04514.

    Examples
    --------
    >>> from uniqnets.practice import variability
    >>> v = variability("MLP", "one bit", n_runs=2, epochs=0.2, n_train=1280,
    ...                 n_test=200)                                    # doctest: +SKIP
    >>> v.pairs                                                        # doctest: +SKIP
    ((0, 1),)
    """
    name = check_choice(name, "name", ("MLP", "linear", "CNN"))
    source = check_choice(source, "source", SOURCES)
    n_runs = check_int(n_runs, "n_runs", lo=2,
                       hi=len(REDUCTION_CHUNKS) if source == "reduction order" else None)
    seed = check_int(seed, "seed", lo=0)
    runs = []  # (label, setup, theta0)
    if source == "initialisation":
        for i in range(n_runs):
            s = fashion_setup(name, seed + 1 + i, data_seed=seed, epochs=epochs, **setup_kw)
            runs.append((f"seed {seed + 1 + i}", s, s.theta0))
    elif source == "data order":
        for i in range(n_runs):
            s = fashion_setup(name, seed, data_seed=seed + 1 + i, epochs=epochs, **setup_kw)
            runs.append((f"data seed {seed + 1 + i}", s, s.theta0))
    elif source == "one bit":
        base = fashion_setup(name, seed, epochs=epochs, **setup_kw)
        w = np.abs(base.theta0)
        rng = rng_stream(seed, _KEY, FASHION_ARCHITECTURES.index(name), 3)
        picks = rng.choice(np.flatnonzero(w >= np.median(w)), size=n_runs, replace=False)
        for i in picks:
            runs.append((f"weight {int(i)}", base, _flip_last_bit(base.theta0, int(i))))
    elif source == "reduction order":
        for c in REDUCTION_CHUNKS[:n_runs]:
            s = fashion_setup(name, seed, n_chunks=c, epochs=epochs, **setup_kw)
            runs.append((f"{c} chunks", s, s.theta0))
    else:
        for i in range(n_runs):
            for dtype in ("float32", "float64"):
                s = fashion_setup(name, seed + i, dtype=dtype, epochs=epochs, **setup_kw)
                runs.append((f"seed {seed + i} {dtype}", s, s.theta0))
    ends, accuracy = [], []
    for label, setup, theta0 in runs:
        tm = setup.train_map
        bar = _bar(setup.n_steps, f"{name} {label}", progress)
        theta = tm.params(_train(setup, tm.init_state(theta0), 0, setup.n_steps, bar))
        if bar is not None:
            bar.close()
        ends.append(np.asarray(theta, np.float64))
        accuracy.append(tm.accuracy(theta, setup.X_test, setup.Y_test))
    pairs = (tuple((2 * i, 2 * i + 1) for i in range(n_runs)) if source == "precision"
             else tuple(combinations(range(len(runs)), 2)))
    net, X = runs[0][1].network, runs[0][1].X_test
    churn, fdist, dist, dist_m = [], [], [], []
    for i, j in pairs:
        churn.append(prediction_churn(net, ends[i], ends[j], X))
        fdist.append(function_distance(net, ends[i], ends[j], X))
        d = parameter_distance(net, ends[i], ends[j])
        dist.append(d.raw)
        dist_m.append(d.aligned)
    return Variability(name, source, tuple(r[0] for r in runs), np.array(accuracy), pairs,
                       np.array(churn), np.array(fdist), np.array(dist), np.array(dist_m))


def source_table(results) -> list[dict]:
    """Per network and source of variability: spread of accuracy and pairwise distances.

    Parameters
    ----------
    results : list of Variability

    Returns
    -------
    list of dict
        One row per result, in the order of ``SOURCES``: ``network``, ``source``,
        ``n_runs``, ``n_pairs``, ``accuracy`` (mean), ``accuracy_sd``, and the means
        over pairs of ``churn``, ``function_distance``, ``distance``,
        ``distance_matched``.

    Examples
    --------
    >>> import numpy as np
    >>> from uniqnets.practice import Variability, source_table
    >>> v = Variability("MLP", "one bit", ("a", "b"), np.array([0.88, 0.89]), ((0, 1),),
    ...                 np.array([0.02]), np.array([0.01]), np.array([0.5]), np.array([0.4]))
    >>> r = source_table([v])[0]
    >>> r["source"], round(r["accuracy_sd"], 4), r["churn"]
    ('one bit', 0.0071, 0.02)
    """
    results = _results(results, "results", Variability)
    order = {s: i for i, s in enumerate(SOURCES)}
    rows = []
    for v in sorted(results, key=lambda v: (v.network, order.get(v.source, 99))):
        rows.append({"network": v.network, "source": v.source, "n_runs": len(v.labels),
                     "n_pairs": len(v.pairs), "accuracy": float(np.mean(v.accuracy)),
                     "accuracy_sd": v.accuracy_sd, "churn": float(np.mean(v.churn)),
                     "function_distance": float(np.mean(v.function_distance)),
                     "distance": float(np.mean(v.distance)),
                     "distance_matched": float(np.mean(v.distance_matched))})
    return rows
