"""A strict minimum of gradient descent and its exponents, checked three ways (private module)."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from .. import models
from .._validate import check_array, check_int, check_real
from ._qr import qr_exponents
from ._training import (
    _check_objective,
    _check_theta,
    critical_point,
    fixed_point_exponents,
    hessian_spectrum,
    training_spectrum,
)

__all__ = ["StableMinimum", "stable_minimum"]


@dataclass(frozen=True)
class StableMinimum:
    """A polished critical point of a gradient-descent run and the exponents there.

    Built by :func:`stable_minimum`. Exponents are per step (natural log).

    Attributes
    ----------
    theta_star : numpy.ndarray, shape (d,)
        The critical point (Newton polish of the end of the run).
    grad_norm : float
        ``||grad L(theta_star)||``.
    mu : numpy.ndarray, shape (d,)
        Hessian eigenvalues at ``theta_star``, descending.
    distances : numpy.ndarray, shape (m,)
        Distance of the saved points of the run to ``theta_star``.
    lrs_stable : tuple of float
        The learning rates with ``lr * mu[0] < 2``.
    measured : numpy.ndarray, shape (len(lrs_stable), k)
        Matrix-free Benettin exponents of gradient descent started at ``theta_star``.
    dense : numpy.ndarray, shape (len(lrs_stable), k)
        The same QR loop on the dense matrix ``I - lr H(theta_star)``.
    predicted : numpy.ndarray, shape (len(lrs_stable), k)
        ``ln|1 - lr mu_i|``, the top ``k`` (the asymptotic exponents).
    """

    theta_star: np.ndarray
    grad_norm: float
    mu: np.ndarray
    distances: np.ndarray
    lrs_stable: tuple
    measured: np.ndarray
    dense: np.ndarray
    predicted: np.ndarray

    @property
    def dense_diff(self) -> float:
        """Largest difference between the matrix-free and dense estimates (0 if no stable rate).

        Examples
        --------
        >>> z = np.zeros((1, 1))
        >>> StableMinimum(np.zeros(1), 0.0, np.ones(1), np.ones(2), (0.5,), z, z + 1e-9,
        ...               z).dense_diff
        1e-09
        """
        return float(np.max(np.abs(self.measured - self.dense), initial=0.0))

    @property
    def pred_diff(self) -> float:
        """Largest difference between the measured and asymptotic exponents.

        Examples
        --------
        >>> z = np.zeros((1, 1))
        >>> StableMinimum(np.zeros(1), 0.0, np.ones(1), np.ones(2), (0.5,), z, z, z - 0.5
        ...               ).pred_diff
        0.5
        """
        return float(np.max(np.abs(self.measured - self.predicted), initial=0.0))


def stable_minimum(objective, theta0, lr: float, n_train_steps: int, lrs, n_steps: int,
                   k: int = 1, n_transient: int = 0, frame_seed: int = 0) -> StableMinimum:
    """Train to a critical point, polish it, and measure the exponents of gradient descent there.

    Gradient descent at ``lr`` for ``n_train_steps`` steps (10 saved points), then a
    Newton polish (:func:`critical_point`) and the full Hessian spectrum. For each rate of
    ``lrs`` below ``2 / mu_max`` the Benettin estimate along gradient descent started at
    the critical point (``n_transient + n_steps`` steps, Hessian-vector products) is set
    against the same QR loop on the dense matrix ``I - lr H`` and against
    ``ln|1 - lr mu_i|`` (:func:`fixed_point_exponents`).

    Parameters
    ----------
    objective : uniqnets.models.Objective
    theta0 : array, shape (d,), finite
        Initialisation of the run.
    lr : float > 0
        Learning rate of the run.
    n_train_steps : int >= 10
    lrs : sequence of float > 0
        Rates at which to measure the exponents (those below ``2 / mu_max`` are used).
    n_steps : int >= 1
        Measured steps of each exponent estimate.
    k : int in 1..d
    n_transient : int >= 0
    frame_seed : int >= 0
        Seed of the random initial frame (the same for every rate and for the dense loop).

    Returns
    -------
    StableMinimum

    References
    ----------
    G. Benettin et al., Meccanica 15 (1980) 9-20.

    Examples
    --------
    >>> from uniqnets import models
    >>> X = np.random.default_rng(0).standard_normal((8, 2))
    >>> obj = models.Objective(models.MLP((2, 2, 1), "tanh"), X, np.tanh(X[:, :1]), "mse",
    ...                        weight_decay=0.01)
    >>> m = stable_minimum(obj, obj.model.init(np.random.default_rng(1)), 0.5, 200, [0.5],
    ...                    20, k=2)
    >>> m.lrs_stable, bool(m.dense_diff < 1e-8), bool(np.all(m.predicted < 0))
    ((0.5,), True, True)
    """
    objective = _check_objective(objective)
    theta0 = _check_theta(objective, theta0, "theta0")
    lr = check_real(lr, "lr", lo=0.0, lo_open=True)
    n_train_steps = check_int(n_train_steps, "n_train_steps", lo=10, hi=10**9)
    lrs = check_array(lrs, "lrs", ndim=1)
    if lrs.size == 0 or np.any(lrs <= 0):
        raise ValueError("lrs must be a non-empty list of positive learning rates")
    n_steps = check_int(n_steps, "n_steps", lo=1, hi=10**9)
    d = objective.model.n_params
    k = check_int(k, "k", lo=1, hi=d)
    n_transient = check_int(n_transient, "n_transient", lo=0, hi=10**9)
    frame_seed = check_int(frame_seed, "frame_seed", lo=0)
    run = models.train(objective, theta0, n_train_steps, lr,
                       save_every=max(1, n_train_steps // 10))
    theta_star, grad_norm = critical_point(objective, run.final)
    mu = hessian_spectrum(objective, theta_star)
    stable = tuple(float(x) for x in lrs if x * mu[0] < 2)
    H = np.array([objective.hvp(theta_star, e) for e in np.eye(d)]).T
    measured, dense, predicted = [], [], []
    for eta in stable:
        res = training_spectrum(objective, theta_star, eta, n_steps, k=k, n_transient=n_transient,
                                frame_rng=np.random.default_rng(frame_seed))
        A = np.eye(d) - eta * H
        Q0 = np.linalg.qr(np.random.default_rng(frame_seed).standard_normal((d, k)))[0]
        loop = qr_exponents((A for _ in range(n_transient + n_steps)), Q0=Q0)
        measured.append(res.exponents)
        dense.append(loop.log_r[n_transient:].mean(0))
        predicted.append(fixed_point_exponents(mu, eta)[:k])
    shape = (len(stable), k)
    return StableMinimum(theta_star=theta_star, grad_norm=float(grad_norm), mu=mu,
                         distances=np.linalg.norm(run.thetas - theta_star, axis=1),
                         lrs_stable=stable, measured=np.array(measured).reshape(shape),
                         dense=np.array(dense).reshape(shape),
                         predicted=np.array(predicted).reshape(shape))
