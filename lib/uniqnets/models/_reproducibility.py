"""Distributional reproducibility: are two batches of training runs from one distribution?"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from scipy.stats import ks_2samp

from .._validate import check_array, check_int, check_real
from ._objective import Objective
from ._training import _check_objective, train


@dataclass(frozen=True, eq=False)
class BatchComparison:
    """Held-out losses of three batches of runs and two KS tests (:func:`batch_comparison`).

    Attributes
    ----------
    losses_a, losses_b : numpy.ndarray, shape (n_runs,)
        Held-out losses of two independent batches under the same protocol.
    losses_c : numpy.ndarray, shape (n_runs,)
        Held-out losses of a batch under the changed protocol (fewer steps).
    p_same, p_changed : float
        Two-sample Kolmogorov-Smirnov p-values, a against b and a against c (exact for
        small samples).
    """

    losses_a: np.ndarray
    losses_b: np.ndarray
    losses_c: np.ndarray
    p_same: float
    p_changed: float


def batch_comparison(objective: Objective, test_objective: Objective, seeds_a, seeds_b,
                     seeds_c, n_steps: int, n_steps_changed: int, lr: float
                     ) -> BatchComparison:
    """Train three batches of runs and compare their held-out losses by KS tests.

    Batches a and b follow the same protocol (``n_steps`` steps of gradient descent from
    ``model.init(default_rng(s))``); batch c trains ``n_steps_changed`` steps instead, a
    real change that a test with power must detect.

    Parameters
    ----------
    objective, test_objective : Objective
        Training objective, and the same model's objective on held-out data.
    seeds_a, seeds_b, seeds_c : sequence of int >= 0, shape (n_runs,)
        Initialisation seeds of the three batches (n_runs >= 2).
    n_steps, n_steps_changed : int >= 1
    lr : float > 0

    Returns
    -------
    BatchComparison

    References
    ----------
    W. J. Conover, *Practical Nonparametric Statistics*, 3rd ed., Wiley (1999), §6.3.

    Examples
    --------
    >>> import numpy as np
    >>> from uniqnets import models
    >>> X = np.random.default_rng(0).standard_normal((8, 2))
    >>> obj = models.Objective(models.MLP((2, 2), "linear"), X, np.arange(8) % 2, "xent")
    >>> r = models.batch_comparison(obj, obj, [0, 1, 2], [3, 4, 5], [6, 7, 8], 50, 1, 0.5)
    >>> r.losses_a.shape, bool(r.losses_c.min() > r.losses_a.max())
    ((3,), True)
    """
    _check_objective(objective)
    _check_objective(test_objective, "test_objective")
    if test_objective.model.n_params != objective.model.n_params:
        raise ValueError("test_objective must have the same model as objective")
    seeds = []
    for name, s in (("seeds_a", seeds_a), ("seeds_b", seeds_b), ("seeds_c", seeds_c)):
        s = check_array(s, name, ndim=1, dtype=int, min_size=2)
        if s.min() < 0:
            raise ValueError(f"{name} must be seeds >= 0")
        seeds.append(s)
    n_steps = check_int(n_steps, "n_steps", lo=1)
    n_steps_changed = check_int(n_steps_changed, "n_steps_changed", lo=1)
    lr = check_real(lr, "lr", lo=0.0, lo_open=True)
    model = objective.model

    def losses(ss, steps):
        return np.array([test_objective.loss(
            train(objective, model.init(np.random.default_rng(int(s))), steps, lr).final)
            for s in ss])

    a, b = losses(seeds[0], n_steps), losses(seeds[1], n_steps)
    c = losses(seeds[2], n_steps_changed)
    return BatchComparison(a, b, c, float(ks_2samp(a, b).pvalue), float(ks_2samp(a, c).pvalue))
