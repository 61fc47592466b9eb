"""The top exponents of gradient descent across learning rates (private module)."""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from .._validate import check_array, check_bool, check_int, check_real
from ._training import _check_objective, _check_theta, sharpness, training_spectrum

__all__ = ["LearningRateScan", "learning_rate_scan"]


@dataclass(frozen=True)
class LearningRateScan:
    """Exponents, losses and sharpness of full-batch gradient descent, one run per rate.

    Built by :func:`learning_rate_scan`. Exponents are per step (natural log).

    Attributes
    ----------
    lrs : numpy.ndarray, shape (n,)
    exponents, stderr : numpy.ndarray, shape (n, k)
        Top ``k`` exponents and their batch-means standard errors (10 blocks); NaN for a
        diverged run.
    diverged : numpy.ndarray of bool, shape (n,)
    loss : numpy.ndarray, shape (n,)
        Training loss at the end of each run.
    n_measured : numpy.ndarray of int, shape (n,)
        Steps averaged (after the transient); doubled for a rate in ``resolve``.
    sharpness : tuple of numpy.ndarray
        Top Hessian eigenvalue at the saved points of each run (about 17 per run; empty
        for a diverged run or when not tracked).
    runs : tuple of TrainingSpectrum
        The runs themselves (final parameters ``x``, saved parameters).
    """

    lrs: np.ndarray
    exponents: np.ndarray
    stderr: np.ndarray
    diverged: np.ndarray
    loss: np.ndarray
    n_measured: np.ndarray
    sharpness: tuple = field(repr=False)
    runs: tuple = field(repr=False)

    def index(self, lr: float) -> int:
        """Position of the rate ``lr`` in ``lrs``.

        Examples
        --------
        >>> z = np.zeros((2, 1))
        >>> s = LearningRateScan(np.array([0.5, 2.0]), z, z, np.zeros(2, bool), np.zeros(2),
        ...                      np.ones(2, int), (), ())
        >>> s.index(2.0)
        1
        """
        lr = check_real(lr, "lr")
        hit = np.flatnonzero(self.lrs == lr)
        if not hit.size:
            raise ValueError(f"lr must be one of the scanned rates {self.lrs.tolist()}, got {lr}")
        return int(hit[0])

    def eta_sharpness_max(self) -> np.ndarray:
        """Largest ``lr * sharpness`` along each run, shape (n,) (NaN where not tracked).

        The edge of stability is ``lr * sharpness = 2`` (Cohen et al. 2021).

        Examples
        --------
        >>> z = np.zeros((1, 1))
        >>> s = LearningRateScan(np.array([0.5]), z, z, np.zeros(1, bool), np.zeros(1),
        ...                      np.ones(1, int), (np.array([3.0, 5.0]),), ())
        >>> s.eta_sharpness_max().tolist()
        [2.5]
        """
        return np.array([lr * s.max() if s.size else np.nan
                         for lr, s in zip(self.lrs, self.sharpness, strict=True)])


def learning_rate_scan(objective, theta0, lrs, n_steps: int, k: int = 1, *,
                       n_transient: int = 0, frame_seed: int = 0,
                       track_sharpness: bool = True, resolve=(), z_resolve: float = 5.0,
                       max_doublings: int = 3) -> LearningRateScan:
    """Top-``k`` exponents of full-batch gradient descent from one initialisation, per rate.

    Each run discards ``n_transient`` steps (the frame evolves meanwhile) and averages
    the next ``n_steps`` (:func:`training_spectrum`, frame drawn from ``frame_seed``);
    about 17 parameter vectors are saved along it, at which the sharpness is computed
    by Lanczos iteration (:func:`sharpness`). For a rate in ``resolve`` whose top
    exponent is not ``z_resolve`` standard errors above zero, the run is repeated with
    the window doubled, at most ``max_doublings`` times (its first steps are the same).

    Parameters
    ----------
    objective : uniqnets.models.Objective
    theta0 : array, shape (d,), finite
    lrs : sequence of float > 0, shape (n,)
    n_steps : int >= 20
        Needs 20 steps for the 10-block standard error.
    k : int in 1..d
    n_transient : int >= 0
    frame_seed : int >= 0
    track_sharpness : bool
    resolve : sequence of float
        Rates (among ``lrs``) whose positive exponent should be resolved from zero.
    z_resolve : float > 0
    max_doublings : int >= 0

    Returns
    -------
    LearningRateScan

    References
    ----------
    J. Cohen et al., "Gradient descent on neural networks typically occurs at the edge
    of stability", ICLR 2021.

    Examples
    --------
    >>> from uniqnets import models
    >>> X = np.random.default_rng(0).standard_normal((8, 2))
    >>> obj = models.Objective(models.MLP((2, 2, 1), "tanh"), X, np.tanh(X[:, :1]), "mse",
    ...                        weight_decay=0.01)
    >>> s = learning_rate_scan(obj, obj.model.init(np.random.default_rng(1)), [0.1, 1e3], 32)
    >>> s.diverged.tolist(), bool(s.exponents[0, 0] < 0.1), len(s.sharpness[0])
    ([False, True], True, 17)
    """
    objective = _check_objective(objective)
    theta0 = _check_theta(objective, theta0, "theta0")
    lrs = check_array(lrs, "lrs", ndim=1)
    if lrs.size == 0 or np.any(lrs <= 0):
        raise ValueError("lrs must be a non-empty list of positive learning rates")
    n_steps = check_int(n_steps, "n_steps", lo=20, hi=10**9)
    k = check_int(k, "k", lo=1, hi=objective.model.n_params)
    n_transient = check_int(n_transient, "n_transient", lo=0, hi=10**9)
    frame_seed = check_int(frame_seed, "frame_seed", lo=0)
    track_sharpness = check_bool(track_sharpness, "track_sharpness")
    resolve = check_array(resolve, "resolve", ndim=1) if len(resolve) else np.zeros(0)
    if not np.all(np.isin(resolve, lrs)):
        raise ValueError(f"resolve must hold rates of lrs, got {resolve.tolist()}")
    z_resolve = check_real(z_resolve, "z_resolve", lo=0.0, lo_open=True)
    max_doublings = check_int(max_doublings, "max_doublings", lo=0, hi=20)

    def run(lr, n):
        res = training_spectrum(objective, theta0, lr, n, k=k, n_transient=n_transient,
                                frame_rng=np.random.default_rng(frame_seed),
                                save_every=max(1, (n_transient + n) // 16))
        se = np.full(k, np.nan) if res.diverged else res.stderr(10)
        return res, se

    runs, ses, ns = [], [], []
    for lr in lrs:
        n = n_steps
        res, se = run(lr, n)
        doublings = 0
        while (lr in resolve and not res.diverged and doublings < max_doublings
               and res.exponents[0] - z_resolve * se[0] <= 0):
            n, doublings = 2 * n, doublings + 1
            res, se = run(lr, n)
        runs.append(res)
        ses.append(se)
        ns.append(n)
    sharp = tuple(np.array([sharpness(objective, th)[0] for th in r.saved_thetas])
                  if track_sharpness and not r.diverged else np.zeros(0) for r in runs)
    return LearningRateScan(lrs=lrs, exponents=np.array([r.exponents for r in runs]),
                            stderr=np.array(ses), diverged=np.array([r.diverged for r in runs]),
                            loss=np.array([r.losses[-1] for r in runs]),
                            n_measured=np.array(ns), sharpness=sharp, runs=tuple(runs))
