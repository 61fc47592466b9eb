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
only: the parameters themselves are not kept.  :func:`spawn_table`, :func:`width_table`
and :func:`source_table` summarise many units, with intervals across pairs, and
:func:`stability_summary` the numbers a chapter quotes; :func:`permutation_check` is the
known-answer check of weight matching (a network and its own permuted copy).
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

__all__ = ["SOURCES", "STABLE", "MatchedPair", "Spawn", "Variability", "matched_pair",
           "permutation_check", "source_table", "spawn_instability", "spawn_table",
           "stability_summary", "variability", "width_table"]

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
    error_signed, loss_signed : arrays, shape (n_alpha,), or None
        For an MLP with an odd activation (tanh, linear), whose units may also flip the
        signs of their weights without changing the function: the path after alignment
        by permutations *and* sign flips (:func:`uniqnets.models.align`); None otherwise.
    distance_signed : float or None
        The relative parameter distance after that alignment.
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
    error_signed: np.ndarray | None = None
    loss_signed: np.ndarray | None = None
    distance_signed: float | None = None

    def barriers(self) -> dict:
        """Loss and error barriers (above the line between the ends), before and after
        matching, and after signed alignment (NaN where it does not apply)."""
        a = self.alphas
        out = {"loss": barrier(self.loss, a), "error": barrier(self.error, a),
               "loss matched": barrier(self.loss_matched, a),
               "error matched": barrier(self.error_matched, a)}
        for key in ("loss", "error"):
            v = getattr(self, f"{key}_signed")
            out[f"{key} signed"] = np.nan if v is None else barrier(v, a)
        return out


def _signed_alignment(network, theta_a, theta_b):
    """``theta_b`` aligned to ``theta_a`` by permutations and sign flips, for an MLP of an
    odd activation (:func:`uniqnets.models.align`, on the same flat layout); else None."""
    if network.kind != "mlp" or network.cfg["activation"] not in ("tanh", "linear"):
        return None
    from ..models import MLP, align

    model = MLP(network.cfg["sizes"], network.cfg["activation"])
    a, b = (np.asarray(t, np.float64) for t in (theta_a, theta_b))
    return np.asarray(align(model, a, b, flip_signs=True)[0], np.asarray(theta_b).dtype)


def matched_pair(name: str, pair: int, *, hidden=None, epochs: float = 8.0, alphas=ALPHAS,
                 progress: bool = False, **setup_kw) -> MatchedPair:
    """Two networks of independent seeds ``2 pair`` and ``2 pair + 1``, aligned by matching.

    Each network follows :func:`fashion_setup`'s recipe with its own initialisation and
    data order to the end of the schedule.  The test loss and error along the straight
    line between the two end points are measured before and after the second network's
    hidden units are permuted by weight matching (:func:`weight_matching`), which leaves
    its function unchanged; for an MLP of an odd activation also after alignment by
    permutations and sign flips (:func:`uniqnets.models.align`).

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
    signed = _signed_alignment(net, ends[0], ends[1])
    extra = {}
    if signed is not None:
        path = interpolation_path(net, ends[0], signed, X, Y, alphas=alphas)
        extra = {"error_signed": np.asarray(path.error), "loss_signed": np.asarray(path.loss),
                 "distance_signed": float(np.linalg.norm(ends[0] - signed)
                                          / np.sqrt(np.linalg.norm(ends[0])
                                                    * np.linalg.norm(signed)))}
    return MatchedPair(name, widths, net.n_params, seeds, np.array(accuracy),
                       np.asarray(before.alphas), np.asarray(before.error),
                       np.asarray(before.loss), np.asarray(after.error),
                       np.asarray(after.loss), float(dist.raw), float(dist.aligned),
                       int(dist.matching.n_sweeps), **extra)


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


# -- across units: the tables of the chapter --------------------------------------------------

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


def spawn_table(spawns) -> list[dict]:
    """Per network and spawn step: the error and loss barriers with 95 % t-intervals.

    Parameters
    ----------
    spawns : list of Spawn
        Any networks, any seeds.

    Returns
    -------
    list of dict
        One row per (network, spawn step), in order of the step: ``network``, ``spawn``
        (step), ``fraction`` (of the schedule), ``n_pairs``, ``error_barrier`` and
        ``error_ci``, ``loss_barrier`` and ``loss_ci``, ``parent_barrier`` (the mean of
        the parent-child barriers), ``accuracy`` (children's mean), ``stable`` (the upper
        end of the error barrier's interval below ``STABLE``).

    Examples
    --------
    >>> import numpy as np
    >>> from uniqnets.practice import Spawn, spawn_table
    >>> a = np.linspace(0, 1, 3)
    >>> s = [Spawn("MLP", i, 0, 10, (1, 2), np.array([0.9, 0.9]), a,
    ...            np.array([0.1, 0.1 + 0.01 * i, 0.1]), np.array([0.3, 0.4, 0.3]),
    ...            np.zeros(2)) for i in range(3)]
    >>> r = spawn_table(s)[0]
    >>> round(r["error_barrier"], 3), r["n_pairs"], r["stable"]
    (0.01, 3, False)
    """
    from ._seeds import t_interval

    spawns = _results(spawns, "spawns", Spawn)
    rows = []
    keys = sorted({(s.network, s.spawn) for s in spawns}, key=lambda k: (k[0], k[1]))
    for name, k in keys:
        mine = [s for s in spawns if s.network == name and s.spawn == k]
        e, e_ci = t_interval([s.error_barrier for s in mine])
        loss, l_ci = t_interval([s.loss_barrier for s in mine])
        rows.append({"network": name, "spawn": k, "fraction": k / mine[0].n_steps,
                     "n_pairs": len(mine), "error_barrier": e, "error_ci": e_ci,
                     "loss_barrier": loss, "loss_ci": l_ci,
                     "parent_barrier": float(np.mean([s.parent_error_barriers
                                                      for s in mine])),
                     "accuracy": float(np.mean([s.accuracy for s in mine])),
                     "stable": bool(e + e_ci < STABLE)})
    return rows


def width_table(pairs) -> list[dict]:
    """Per network and width: loss and error barriers before and after weight matching.

    Parameters
    ----------
    pairs : list of MatchedPair

    Returns
    -------
    list of dict
        One row per (network, hidden widths), by parameter count: ``network``, ``hidden``,
        ``n_params``, ``n_pairs``, ``accuracy`` (mean over both networks of every pair),
        and for each of ``loss``, ``error``, ``loss matched``, ``error matched``,
        ``loss signed``, ``error signed`` (NaN where signed alignment does not apply)
        the mean barrier and its 95 % t-interval (key suffix ``_ci``), and the mean relative
        parameter distance before and after matching (``distance``,
        ``distance_matched``).

    Examples
    --------
    >>> import numpy as np
    >>> from uniqnets.practice import MatchedPair, width_table
    >>> a = np.linspace(0, 1, 3)
    >>> m = MatchedPair("MLP", (4,), 50, (0, 1), np.array([0.8, 0.8]), a,
    ...                 np.array([0.2, 0.5, 0.2]), np.array([0.5, 1.5, 0.5]),
    ...                 np.array([0.2, 0.25, 0.2]), np.array([0.5, 0.6, 0.5]), 1.4, 1.0, 3)
    >>> r = width_table([m, m])[0]
    >>> round(r["loss"], 3), round(r["loss matched"], 3), r["loss_ci"]
    (1.0, 0.1, 0.0)
    """
    from ._seeds import t_interval

    pairs = _results(pairs, "pairs", MatchedPair)
    rows = []
    keys = sorted({(p.network, tuple(p.hidden), p.n_params) for p in pairs},
                  key=lambda k: (k[0], k[2]))
    for name, hidden, n in keys:
        mine = [p for p in pairs if p.network == name and tuple(p.hidden) == hidden]
        row = {"network": name, "hidden": hidden, "n_params": n, "n_pairs": len(mine),
               "accuracy": float(np.mean([p.accuracy for p in mine]))}
        for key in ("loss", "error", "loss matched", "error matched", "loss signed",
                    "error signed"):
            row[key], row[f"{key}_ci"] = t_interval([p.barriers()[key] for p in mine])
        row["distance"] = float(np.mean([p.distance for p in mine]))
        row["distance_matched"] = float(np.mean([p.distance_matched for p in mine]))
        rows.append(row)
    return rows


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


def permutation_check(network, theta, X, Y, rng) -> dict:
    """Weight matching on a network and a randomly permuted copy of itself.

    The copy computes the same function; matching must recover the permutation and
    the aligned copy must equal ``theta`` bit for bit, so that the loss barrier of the
    straight line between them, positive before matching, vanishes after it.

    Parameters
    ----------
    network : Network
        An MLP or a CNN.
    theta : array, shape (n_params,)
    X, Y : arrays
        Inputs and labels on which the barriers are evaluated.
    rng : numpy.random.Generator
        Draws the permutations.

    Returns
    -------
    dict
        ``recovered`` (every permutation found), ``identical`` (the aligned copy equals
        ``theta``), ``barrier_before`` and ``barrier_after`` (loss barriers, nats).

    Examples
    --------
    >>> import numpy as np
    >>> from uniqnets.practice import mlp, permutation_check
    >>> net = mlp((4, 6, 3))
    >>> rng = np.random.default_rng(0)
    >>> X, Y = rng.standard_normal((20, 4)), rng.integers(0, 3, 20)
    >>> c = permutation_check(net, net.init(rng), X, Y, rng)
    >>> c["recovered"], c["identical"], c["barrier_after"] == 0.0
    (True, True, True)
    """
    from ._connectivity import interpolation_path
    from ._matching import permute, weight_matching

    theta = np.asarray(theta)
    widths = (network.cfg["sizes"][1:-1] if network.kind == "mlp"
              else network.cfg["channels"])
    perms = [rng.permutation(w) for w in widths]
    copy = permute(network, theta, perms)
    match = weight_matching(network, theta, copy)
    aligned = np.asarray(match.theta, theta.dtype)
    return {"recovered": all(np.array_equal(p[q], np.arange(len(q)))
                             for p, q in zip(perms, match.perms, strict=True)),
            "identical": bool(np.array_equal(aligned, theta)),
            "barrier_before": interpolation_path(network, theta, copy, X, Y).loss_barrier,
            "barrier_after": interpolation_path(network, theta, aligned, X, Y).loss_barrier}


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
        Instability (of the first network in ``spawns``): ``n_spawns``, ``n_spawn_pairs``
        (fewest pairs at a spawn point), ``k0_barrier`` and ``k0_ci`` (error barrier of
        children spawned at the first point), ``stable_from_init``, ``k_stable`` (first
        stable fraction of the schedule, -1 if none), ``child_accuracy``.  Matching (of the
        widest and narrowest networks): ``n_widths``, ``n_width_pairs``, ``wide``,
        ``narrow`` (widths as text), ``wide_before``, ``wide_after``, ``wide_after_ci``,
        ``narrow_after`` (error barriers), ``wide_loss_before``, ``wide_loss_after``,
        ``wide_dist``, ``wide_dist_matched``, ``wide_signed``, ``wide_signed_ci``,
        ``narrow_signed``, ``wide_loss_signed`` (after alignment by permutations and sign
        flips; NaN where it does not apply), ``n_connected_widths`` (widths whose error
        barrier after the fullest alignment, with its interval, lies below ``STABLE``).
        Sources (the MLP's): ``churn_min``, ``churn_max``, ``source_min``, ``source_max``,
        ``bit_over_init`` (churn ratio), ``bit_dist``, ``init_dist``, ``init_dist_matched``,
        ``sd_max``, ``n_sources_moved`` (sources whose runs all differ), ``n_sources``; the
        linear network against the MLP (initialisation): ``lin_churn``, ``mlp_churn``,
        ``churn_ratio``.

    Examples
    --------
    >>> from uniqnets.practice import stability_summary
    >>> stability_summary([], [], [])
    {}
    """
    out = {}
    rows = spawn_table(spawns)
    if rows:
        first = [r for r in rows if r["network"] == rows[0]["network"]]
        stable = [r for r in first if r["stable"]]
        out.update(n_spawns=len(first), n_spawn_pairs=min(r["n_pairs"] for r in first),
                   k0_barrier=first[0]["error_barrier"], k0_ci=first[0]["error_ci"],
                   stable_from_init=first[0]["stable"] and first[0]["spawn"] == 0,
                   k_stable=stable[0]["fraction"] if stable else -1.0,
                   child_accuracy=float(np.mean([r["accuracy"] for r in first])))
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
        out.update(churn_min=min(churn.values()), churn_max=max(churn.values()),
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
                out.update(lin_churn=lin["churn"], mlp_churn=ini["churn"],
                           churn_ratio=ini["churn"] / lin["churn"] if lin["churn"] else np.inf)
    return out
