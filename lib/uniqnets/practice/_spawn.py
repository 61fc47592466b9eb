"""Instability analysis (Frankle et al. 2020): children of one parent, trained apart.

A parent is trained to step ``k``; two children continue from its state with independent
data orders (:func:`spawn_instability`), and the test error along the straight line
between their end points says whether the network was already *stable* to its data
order at ``k`` (:func:`spawn_table`, against ``STABLE``).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from .._validate import check_choice, check_int, check_real
from ._connectivity import barrier, interpolation_path
from ._fashion import FASHION_ARCHITECTURES, fashion_setup
from ._stability import ALPHAS, STABLE, _bar, _results, _train

__all__ = ["Spawn", "spawn_instability", "spawn_table"]


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
