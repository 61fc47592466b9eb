"""The field's instruments on the Fashion-MNIST networks: spawned children, matched pairs, sources.

Three experiments from the machine-learning literature on the question "can two trained
networks be the same?", with the training maps of :func:`fashion_setup`:

- :func:`spawn_instability` (Frankle et al. 2020): a parent trained to step ``k``, two
  children trained on from there with independent data orders; the error and loss
  barriers on the straight line between the children's end points, and between the
  parent at ``k`` and each child;
- :func:`matched_pair` (Entezari et al. 2022; Ainsworth et al. 2023): two independently
  initialised networks, the barrier between them before and after weight matching;
- :func:`variability` (Summers and Dinneen 2021): runs that differ in one thing only
  (the initialisation seed, the data order, one bit of one weight, the order of the
  gradient's sum, or the precision), and how far apart they end: the spread of test
  accuracy, prediction churn, distance of the functions and of the parameters.

Every function trains its networks to the end of the schedule (8 epochs by default,
by :meth:`TrainingMap.steps`, the training map in compiled loops) and returns numbers
only: the parameters themselves are not kept.
"""

from __future__ import annotations

from dataclasses import dataclass
from itertools import combinations

import numpy as np

from .._validate import check_choice, check_int, check_real
from ..stats import rng_stream
from ._connectivity import (
    barrier,
    function_distance,
    interpolation_path,
    parameter_distance,
    prediction_churn,
)
from ._fashion import FASHION_ARCHITECTURES, fashion_setup

__all__ = ["SOURCES", "MatchedPair", "Spawn", "Variability", "matched_pair",
           "spawn_instability", "variability"]

#: the sources of run-to-run variability of :func:`variability`, one changed at a time
SOURCES = ("initialisation", "data order", "one bit", "reduction order", "precision")

#: gradient accumulation over this many micro-batches gives the runs of the
#: "reduction order" source (the batch of 128 split, summed in another order)
REDUCTION_CHUNKS = (2, 4, 8, 16, 32)

#: the points of the linear paths (Frankle et al. use 30; 11 resolve barriers of a few
#: per cent, whose maximum lies inside the path, to within the grid's spacing)
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


@dataclass(frozen=True)
class Spawn:
    """Two children spawned from one parent at step ``spawn`` (see :func:`spawn_instability`).

    Attributes
    ----------
    network : str
    seed : int
        The parent's seed (initialisation and data order up to ``spawn``).
    spawn, n_steps : int
        The step the children start from, and the schedule's length.
    child_data_seeds : tuple of two int
    accuracy : array, shape (2,)
        The children's test accuracy at the end.
    alphas : array, shape (n_alpha,)
    error, loss : arrays, shape (n_alpha,)
        Test error and mean cross-entropy along the line between the two children.
    parent_error_barriers : array, shape (2,)
        Error barrier between the parent at ``spawn`` and each child's end point.
    """

    network: str
    seed: int
    spawn: int
    n_steps: int
    child_data_seeds: tuple
    accuracy: np.ndarray
    alphas: np.ndarray
    error: np.ndarray
    loss: np.ndarray
    parent_error_barriers: np.ndarray

    @property
    def error_barrier(self) -> float:
        """Frankle et al.'s instability: the largest test error on the path minus the
        mean error of its ends (fraction of the test set)."""
        return barrier(self.error, self.alphas, reference="mean")

    @property
    def loss_barrier(self) -> float:
        """The largest loss on the path above the line between the ends' losses."""
        return barrier(self.loss, self.alphas, reference="linear")


def spawn_instability(name: str, seed: int, spawn: float, *, epochs: float = 8.0,
                      alphas=ALPHAS, progress: bool = False, **setup_kw) -> Spawn:
    """Instability analysis: children of one parent, spawned at ``spawn``, trained apart.

    The parent follows :func:`fashion_setup`'s run of ``seed`` to step
    ``k = round(spawn * n_steps)``; its joint state there (parameters and momentum) starts
    two children, which follow the same schedule to its end with the batch orders of
    the data seeds ``1000 + 2 seed`` and ``1001 + 2 seed`` (from step ``k`` on: the
    children's first epoch after ``k`` is a part of their own permutation, not the rest
    of the parent's).  Their end points are joined by a straight line, on which the test
    error and loss are evaluated.

    Parameters
    ----------
    name : {"CNN", "ResNet", "MLP", "linear"}
    seed : int >= 0
    spawn : float in [0, 1)
        Where the children start, as a fraction of the schedule.
    epochs : float > 0
    alphas : array
        Points of the path, from 0 to 1.
    progress : bool
        Show a progress bar over the steps.
    **setup_kw
        More arguments of :func:`fashion_setup` (``n_train``, ``n_test``, ``folder``,
        ``hidden``, ``lr``...).

    Returns
    -------
    Spawn

    References
    ----------
    J. Frankle, G. K. Dziugaite, D. M. Roy, M. Carbin, "Linear mode connectivity and the
    lottery ticket hypothesis", ICML 2020, arXiv:1912.05671.

    Examples
    --------
    >>> from uniqnets.practice import spawn_instability
    >>> s = spawn_instability("MLP", 0, 0.5, epochs=0.2, n_train=1280,
    ...                       n_test=200)                              # doctest: +SKIP
    >>> s.spawn, s.error.shape                                         # doctest: +SKIP
    (1, (11,))
    """
    name = check_choice(name, "name", FASHION_ARCHITECTURES)
    seed = check_int(seed, "seed", lo=0)
    spawn = check_real(spawn, "spawn", lo=0.0, hi=1.0, hi_open=True)
    parent = fashion_setup(name, seed, epochs=epochs, **setup_kw)
    T = parent.n_steps
    k = int(round(spawn * T))
    bar = _bar(k + 2 * (T - k), f"{name} seed {seed} spawn {k}", progress)
    x_k = _train(parent, parent.train_map.init_state(parent.theta0), 0, k, bar)
    data_seeds = (1000 + 2 * seed, 1001 + 2 * seed)
    ends, accuracy = [], []
    for ds in data_seeds:
        child = fashion_setup(name, seed, epochs=epochs, data_seed=ds, **setup_kw)
        theta = child.train_map.params(_train(child, x_k, k, T, bar))
        ends.append(theta)
        accuracy.append(child.train_map.accuracy(theta, child.X_test, child.Y_test))
    if bar is not None:
        bar.close()
    net, X, Y = parent.network, parent.X_test, parent.Y_test
    path = interpolation_path(net, ends[0], ends[1], X, Y, alphas=alphas)
    theta_k = parent.train_map.params(x_k)
    parents = [barrier(interpolation_path(net, theta_k, e, X, Y, alphas=alphas).error,
                       alphas, reference="mean") for e in ends]
    return Spawn(name, seed, k, T, data_seeds, np.array(accuracy), np.asarray(path.alphas),
                 np.asarray(path.error), np.asarray(path.loss), np.array(parents))


@dataclass(frozen=True)
class MatchedPair:
    """Two independent runs and the path between them, before and after weight matching.

    Attributes
    ----------
    network : str
    hidden : tuple of int
        Hidden widths.
    n_params : int
    seeds : tuple of two int
    accuracy : array, shape (2,)
    alphas : array, shape (n_alpha,)
    error, loss : arrays, shape (n_alpha,)
        Test error and loss on the straight line between the two end points.
    error_matched, loss_matched : arrays, shape (n_alpha,)
        The same after the second network's hidden units are permuted to match the
        first's (:func:`weight_matching`).
    distance, distance_matched : float
        Relative parameter distance before and after matching
        (:func:`parameter_distance`, which calls :func:`weight_matching`).
    n_sweeps : int
        Sweeps of the matching's coordinate descent.
    """

    network: str
    hidden: tuple
    n_params: int
    seeds: tuple
    accuracy: np.ndarray
    alphas: np.ndarray
    error: np.ndarray
    loss: np.ndarray
    error_matched: np.ndarray
    loss_matched: np.ndarray
    distance: float
    distance_matched: float
    n_sweeps: int

    def barriers(self) -> dict:
        """Loss and error barriers (above the line between the ends), before and after."""
        a = self.alphas
        return {"loss": barrier(self.loss, a), "error": barrier(self.error, a),
                "loss matched": barrier(self.loss_matched, a),
                "error matched": barrier(self.error_matched, a)}


def matched_pair(name: str, pair: int, *, hidden=None, epochs: float = 8.0, alphas=ALPHAS,
                 progress: bool = False, **setup_kw) -> MatchedPair:
    """Two networks of independent seeds ``2 pair`` and ``2 pair + 1``, aligned by matching.

    Each network follows :func:`fashion_setup`'s recipe with its own initialisation and
    data order to the end of the schedule.  The test loss and error along the straight
    line between the two end points are measured before and after the second network's
    hidden units are permuted by weight matching (:func:`weight_matching`), which leaves
    its function unchanged.

    Parameters
    ----------
    name : {"MLP", "linear", "CNN"}
    pair : int >= 0
    hidden : sequence of int, optional
        Hidden widths of the MLP or linear network.
    epochs : float > 0
    alphas : array
    progress : bool
    **setup_kw
        More arguments of :func:`fashion_setup`.

    Returns
    -------
    MatchedPair

    References
    ----------
    R. Entezari, H. Sedghi, O. Saukh, B. Neyshabur, "The role of permutation invariance
    in linear mode connectivity of neural networks", ICLR 2022, arXiv:2110.06296;
    S. K. Ainsworth, J. Hayase, S. Srinivasa, "Git Re-Basin: merging models modulo
    permutation symmetries", ICLR 2023, arXiv:2209.04836.

    Examples
    --------
    >>> from uniqnets.practice import matched_pair
    >>> m = matched_pair("MLP", 0, hidden=(16, 8), epochs=0.2, n_train=1280,
    ...                  n_test=200)                                   # doctest: +SKIP
    >>> m.n_params                                                     # doctest: +SKIP
    12704
    """
    name = check_choice(name, "name", ("MLP", "linear", "CNN"))
    pair = check_int(pair, "pair", lo=0)
    seeds = (2 * pair, 2 * pair + 1)
    ends, accuracy = [], []
    for s in seeds:
        setup = fashion_setup(name, s, epochs=epochs, hidden=hidden, **setup_kw)
        bar = _bar(setup.n_steps, f"{name} seed {s}", progress)
        tm = setup.train_map
        theta = tm.params(_train(setup, tm.init_state(setup.theta0), 0, setup.n_steps, bar))
        if bar is not None:
            bar.close()
        ends.append(theta)
        accuracy.append(tm.accuracy(theta, setup.X_test, setup.Y_test))
    net, X, Y = setup.network, setup.X_test, setup.Y_test
    before = interpolation_path(net, ends[0], ends[1], X, Y, alphas=alphas)
    dist = parameter_distance(net, ends[0], ends[1])  # matches b to a (weight_matching)
    # the permuted copy in the precision of the run (a permutation is exact in any dtype)
    aligned = np.asarray(dist.matching.theta, dtype=np.asarray(ends[1]).dtype)
    after = interpolation_path(net, ends[0], aligned, X, Y, alphas=alphas)
    widths = tuple(net.cfg["sizes"][1:-1]) if net.kind == "mlp" else tuple(net.cfg["channels"])
    return MatchedPair(name, widths, net.n_params, seeds, np.array(accuracy),
                       np.asarray(before.alphas), np.asarray(before.error),
                       np.asarray(before.loss), np.asarray(after.error),
                       np.asarray(after.loss), float(dist.raw), float(dist.aligned),
                       int(dist.matching.n_sweeps))


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
