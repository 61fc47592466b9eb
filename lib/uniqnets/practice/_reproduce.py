"""What makes two runs of one training differ, and what stays the same across seeds.

Three experiments of the book's chapter on the scale of practice: everyday sources of
a last-bit difference against a fixed-seed rerun (:func:`precision_twins`), two
independent initialisations in parameter and in function space
(:func:`independent_runs`), and a two-sample test of test accuracies over batches of
seeds (:func:`distribution_test`).
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
from scipy import stats

from .. import models
from .._validate import check_array, check_bool, check_int, check_real
from ._models import Network
from ._optim import optimizer
from ._process import run_in_subprocesses
from ._tangent import TrainingMap

__all__ = ["DistributionTest", "IndependentRuns", "PrecisionTwins", "distribution_test",
           "independent_runs", "precision_twins"]


@dataclass(frozen=True)
class PrecisionTwins:
    """The run of :func:`precision_twins` against its variants (distances in parameters).

    ``d_prec`` and ``d_order`` (length ``n_steps + 1``): distance to the same run in
    float64 and with each gradient summed over two micro-batches. ``bit_identical``: a
    rerun in this process gives the same final state bit for bit. ``thread_same`` and
    ``thread_dist``: the same comparison for fresh processes (pinned to one CPU; with
    XLA's Eigen calls single-threaded), ``thread_cpus`` and ``thread_counts`` the CPUs
    and threads each had; empty when not run.
    """

    d_prec: np.ndarray
    d_order: np.ndarray
    bit_identical: bool
    thread_same: tuple = ()
    thread_dist: tuple = ()
    thread_cpus: tuple = ()
    thread_counts: tuple = ()

    def summary(self) -> dict:
        """The distances after one step and at the end, and the thread comparisons."""
        out = {"bit_identical": self.bit_identical, "d_prec_1": float(self.d_prec[1]),
               "d_order_1": float(self.d_order[1]), "d_prec_end": float(self.d_prec[-1]),
               "d_order_end": float(self.d_order[-1])}
        if self.thread_same:
            out.update({"one_cpu_identical": self.thread_same[0],
                        "eigen_identical": self.thread_same[1],
                        "d_one_cpu": self.thread_dist[0], "d_eigen": self.thread_dist[1]})
        return out


def precision_twins(network: Network, theta0, X, Y, batches, lr: float, n_steps: int, *,
                    dtype: str = "float32", threads: bool = True) -> PrecisionTwins:
    """One SGD run against float64, another reduction order, a rerun and other threads.

    Parameters
    ----------
    network : Network
    theta0 : array, shape (network.n_params,)
    X, Y, batches : the training data and mini-batches (see :class:`TrainingMap`);
        the batch size must be even (the split sum halves it)
    lr : float > 0
    n_steps : int >= 1
    dtype : {"float32", "float64"}
        Of the reference run.
    threads : bool
        Also rerun in two fresh processes (:func:`run_in_subprocesses`): one pinned to
        the first CPU this process may use, one with ``--xla_cpu_multi_thread_eigen=false``
        added to ``XLA_FLAGS``.

    Returns
    -------
    PrecisionTwins

    References
    ----------
    D. Goldberg, "What every computer scientist should know about floating-point
    arithmetic", ACM Computing Surveys 23 (1991) 5-48.

    Examples
    --------
    >>> import numpy as np
    >>> from uniqnets.practice import mlp, precision_twins
    >>> rng = np.random.default_rng(0)
    >>> X, Y = rng.standard_normal((16, 2)), np.arange(16) % 2
    >>> net = mlp((2, 4, 2))
    >>> pt = precision_twins(net, net.init(rng), X, Y, rng.integers(0, 16, (10, 8)), 0.5, 10,
    ...                      threads=False)
    >>> pt.bit_identical, len(pt.d_prec), bool(pt.d_prec[1] > 0)
    (True, 11, True)
    """
    lr = check_real(lr, "lr", lo=0, lo_open=True)
    n_steps = check_int(n_steps, "n_steps", lo=1)
    threads = check_bool(threads, "threads")
    opt = optimizer("sgd", lr)
    tm = TrainingMap(network, X, Y, opt, batches=batches, dtype=dtype)
    tm64 = TrainingMap(network, X, Y, opt, batches=batches, dtype="float64")
    tm_split = TrainingMap(network, X, Y, opt, batches=batches, dtype=dtype, n_chunks=2)
    x0 = tm.init_state(theta0)
    d_prec = np.asarray(tm.twins(x0, x0, n_steps, other=tm64).distances, dtype=float)
    d_order = np.asarray(tm.twins(x0, x0, n_steps, other=tm_split).distances, dtype=float)
    a1 = tm.run(x0, n_steps, save_every=n_steps)[1]
    a2 = tm.run(x0, n_steps, save_every=n_steps)[1]
    out = PrecisionTwins(d_prec, d_order, bool(np.array_equal(a1, a2)))
    if not threads:
        return out
    cpus = sorted(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else []
    flags = os.environ.get("XLA_FLAGS", "")
    one_cpu = {"cpus": cpus[:1]} if len(cpus) > 1 else {}
    settings = [{"xla_flags": flags, **one_cpu},
                {"xla_flags": f"{flags} --xla_cpu_multi_thread_eigen=false".strip()}]
    runs = run_in_subprocesses(tm, x0, n_steps, settings)
    ref = tm.params(a1).astype(float)
    return PrecisionTwins(
        d_prec, d_order, out.bit_identical,
        tuple(bool(np.array_equal(r.final, a1)) for r in runs),
        tuple(float(np.linalg.norm(tm.params(r.final).astype(float) - ref)) for r in runs),
        tuple(len(r.cpus) for r in runs), tuple(r.n_threads for r in runs))


@dataclass(frozen=True)
class IndependentRuns:
    """Two runs from independent initialisations (:func:`independent_runs`).

    ``finals``: final parameters, shape (2, n_params); ``clouds``: checkpoints of each
    run, shape (2, n_checkpoints + 1, n_params); ``dist_aligned``: distance after the
    best hidden-unit permutation of the second run (:func:`uniqnets.models.align`);
    ``predictions``: test-set class predictions, shape (2, n_test).
    """

    finals: np.ndarray
    clouds: np.ndarray
    dist_raw: float
    dist_aligned: float
    predictions: np.ndarray
    accuracies: tuple

    @property
    def agreement(self) -> float:
        """Fraction of test inputs on which the two runs predict the same class."""
        return float(np.mean(self.predictions[0] == self.predictions[1]))

    @property
    def norm_theta(self) -> float:
        """Norm of the first run's final parameters."""
        return float(np.linalg.norm(self.finals[0]))

    def summary(self) -> dict:
        """Distances (raw, aligned), the parameter norm, agreement and accuracies."""
        return {"dist_raw": self.dist_raw, "dist_aligned": self.dist_aligned,
                "norm_theta": self.norm_theta, "agree_seeds": self.agreement,
                "acc_seed0": self.accuracies[0], "acc_seed1": self.accuracies[1]}


def independent_runs(network: Network, thetas0: Sequence, X, Y, batches, lr: float,
                     n_steps: int, X_test, Y_test, *, n_checkpoints: int = 30,
                     dtype: str = "float32") -> IndependentRuns:
    """Two SGD runs of an MLP from two initialisations, with the same batches.

    Parameters
    ----------
    network : Network
        An MLP (:func:`mlp`): the permutation alignment needs its layout.
    thetas0 : two arrays, shape (network.n_params,)
    X, Y, batches : the training data and mini-batches
    lr : float > 0
    n_steps : int >= 1
    X_test, Y_test : arrays
        Held-out inputs and labels.
    n_checkpoints : int >= 1
        About this many checkpoints are kept per run (every ``n_steps // n_checkpoints``
        steps, and the last).
    dtype : {"float32", "float64"}

    Returns
    -------
    IndependentRuns

    Examples
    --------
    >>> import numpy as np
    >>> from uniqnets.practice import independent_runs, mlp
    >>> rng = np.random.default_rng(0)
    >>> X, Y = rng.standard_normal((16, 2)), np.arange(16) % 2
    >>> net = mlp((2, 4, 2))
    >>> ir = independent_runs(net, [net.init(rng), net.init(rng)], X, Y,
    ...                       rng.integers(0, 16, (10, 8)), 0.5, 10, X, Y, n_checkpoints=5)
    >>> ir.clouds.shape, bool(ir.dist_aligned <= ir.dist_raw * (1 + 1e-12))
    ((2, 6, 22), True)
    """
    if not isinstance(network, Network) or network.kind != "mlp":
        raise TypeError("network must be an MLP Network (practice.mlp)")
    if isinstance(thetas0, str) or not isinstance(thetas0, Sequence) or len(thetas0) != 2:
        raise TypeError("thetas0 must be a sequence of two initialisations")
    thetas0 = [check_array(t, "thetas0", shape=(network.n_params,)) for t in thetas0]
    lr = check_real(lr, "lr", lo=0, lo_open=True)
    n_steps = check_int(n_steps, "n_steps", lo=1)
    n_checkpoints = check_int(n_checkpoints, "n_checkpoints", lo=1)
    tm = TrainingMap(network, X, Y, optimizer("sgd", lr), batches=batches, dtype=dtype)
    finals, clouds = [], []
    for th in thetas0:
        traj, x = tm.run(tm.init_state(th), n_steps, save_every=max(1, n_steps // n_checkpoints))
        finals.append(tm.params(x).astype(float))
        clouds.append(traj.thetas.astype(float))
    mlp_np = models.MLP(tuple(network.cfg["sizes"]), network.cfg["activation"])
    aligned = models.align(mlp_np, finals[0], finals[1])[0]
    pred = np.array([tm.predict(f, X_test).argmax(1) for f in finals])
    return IndependentRuns(np.array(finals), np.array(clouds),
                           float(np.linalg.norm(finals[0] - finals[1])),
                           float(np.linalg.norm(finals[0] - aligned)), pred,
                           tuple(float(np.mean(p == np.asarray(Y_test))) for p in pred))


@dataclass(frozen=True)
class DistributionTest:
    """Test accuracies of three batches of seeds and two Mann-Whitney tests.

    ``acc_a``, ``acc_b``: the same protocol; ``acc_c``: the learning rate divided by 10.
    ``p_same`` (a against b), ``p_change`` (a against c), and ``p_min``: the smallest
    p-value the test can give with ``n_seeds`` seeds a batch.
    """

    acc_a: np.ndarray
    acc_b: np.ndarray
    acc_c: np.ndarray
    p_same: float
    p_change: float
    p_min: float

    def summary(self) -> dict:
        """Mean accuracy and its standard error per batch, and the p-values."""
        out = {}
        for key, acc in (("a", self.acc_a), ("b", self.acc_b), ("c", self.acc_c)):
            out[f"acc_{key}_mean"] = float(acc.mean())
            out[f"acc_{key}_se"] = float(acc.std(ddof=1) / np.sqrt(acc.size))
        return {**out, "p_same": self.p_same, "p_change": self.p_change,
                "p_min_possible": self.p_min}


def distribution_test(network: Network, X, Y, X_test, Y_test, lr: float, n_seeds: int,
                      n_steps: int, batch_size: int, *, seed: int,
                      dtype: str = "float32") -> DistributionTest:
    """Test accuracy over three batches of seeds: two of one protocol, one changed.

    Seed ``s`` of a batch draws its batch order, then its initialisation, from
    ``numpy.random.default_rng([seed, 200, s])``; batch a uses ``s`` in
    ``0..n_seeds-1``, b the next ``n_seeds``, c (learning rate ``lr / 10``) the next.
    Two-sample Mann-Whitney tests (:func:`scipy.stats.mannwhitneyu`) compare a with b
    and a with c.

    Parameters
    ----------
    network : Network
    X, Y : training data
    X_test, Y_test : held-out data
    lr : float > 0
    n_seeds : int >= 2
    n_steps : int >= 1
    batch_size : int >= 1
    seed : int
    dtype : {"float32", "float64"}

    Returns
    -------
    DistributionTest

    References
    ----------
    H. B. Mann, D. R. Whitney, "On a test of whether one of two random variables is
    stochastically larger than the other", Ann. Math. Statist. 18 (1947) 50-60.

    Examples
    --------
    >>> import numpy as np
    >>> from uniqnets.practice import distribution_test, mlp
    >>> rng = np.random.default_rng(0)
    >>> X, Y = rng.standard_normal((16, 2)), np.arange(16) % 2
    >>> dt = distribution_test(mlp((2, 4, 2)), X, Y, X, Y, 0.5, 3, 5, 8, seed=0)
    >>> dt.acc_a.shape, bool(dt.p_min <= min(dt.p_same, dt.p_change))
    ((3,), True)
    """
    lr = check_real(lr, "lr", lo=0, lo_open=True)
    n_seeds = check_int(n_seeds, "n_seeds", lo=2)
    n_steps = check_int(n_steps, "n_steps", lo=1)
    batch_size = check_int(batch_size, "batch_size", lo=1)
    seed = check_int(seed, "seed", lo=0)
    n = check_array(X, "X", ndim=2).shape[0]

    def accuracy(s, rate):
        rs = np.random.default_rng([seed, 200, s])
        b = models.batch_sequence(n, batch_size, n_steps, rs)
        tm = TrainingMap(network, X, Y, optimizer("sgd", rate), batches=b, dtype=dtype)
        x = tm.run(tm.init_state(network.init(rs)), n_steps, save_every=n_steps)[1]
        return tm.accuracy(tm.params(x), X_test, Y_test)

    acc = [np.array([accuracy(s, rate) for s in range(i * n_seeds, (i + 1) * n_seeds)])
           for i, rate in enumerate((lr, lr, lr / 10))]
    return DistributionTest(
        *acc, float(stats.mannwhitneyu(acc[0], acc[1]).pvalue),
        float(stats.mannwhitneyu(acc[0], acc[2]).pvalue),
        float(stats.mannwhitneyu(np.arange(n_seeds), np.arange(n_seeds) + 100).pvalue))
