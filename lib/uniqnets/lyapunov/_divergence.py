"""Twin runs of gradient descent, the linearised map, and divergence times (private module)."""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import partial

import numpy as np

from .. import models
from .._validate import check_array, check_int, check_real, check_rng
from ._training import _check_objective, _check_theta
from ._twins import TwinResult, twin_divergence

__all__ = ["DivergenceTimeFit", "Linearisation", "TwinScan", "divergence_time_fit",
           "linearisation_test", "tangent_miss", "tangent_prediction", "twin_scan"]


def _positive_rates(lrs):
    lrs = check_array(lrs, "lrs", ndim=1)
    if lrs.size == 0 or np.any(lrs <= 0):
        raise ValueError("lrs must be a non-empty list of positive learning rates")
    return lrs


@dataclass(frozen=True)
class TwinScan:
    """Gradient-descent twins started ``delta0`` apart, one pair per learning rate.

    Built by :func:`twin_scan`. Distances are in parameter units (Euclidean norm).

    Attributes
    ----------
    lrs : numpy.ndarray, shape (n,)
    delta0 : float
    runs : tuple of TwinResult
        One per rate (``distances``, ``perturbation``, final states ``x``, ``y``).
    """

    lrs: np.ndarray
    delta0: float
    runs: tuple = field(repr=False)

    @property
    def final(self) -> np.ndarray:
        """Distance at the last step of each pair, shape (n,).

        Examples
        --------
        >>> tw = twin_scan(_demo_objective(), np.zeros(9), [0.1], 1e-8, 3, 0)
        >>> tw.final.shape
        (1,)
        """
        return np.array([r.distances[-1] for r in self.runs])

    @property
    def largest(self) -> np.ndarray:
        """Largest distance along each pair, shape (n,).

        Examples
        --------
        >>> tw = twin_scan(_demo_objective(), np.zeros(9), [0.1], 1e-8, 3, 0)
        >>> bool(tw.largest[0] >= tw.final[0])
        True
        """
        return np.array([r.distances.max() for r in self.runs])

    def outcomes(self, chaotic) -> np.ndarray:
        """What each pair did, in words, shape (n,).

        ``"separate"`` where ``chaotic`` (a boolean per rate, from the exponents); else
        ``"reconverge"`` if the pair ends below ``delta0 / 10``, ``"end apart"`` above
        ``1e4 delta0``, and ``"stay near δ0"`` in between.

        Examples
        --------
        >>> tw = twin_scan(_demo_objective(), np.zeros(9), [0.1], 1e-8, 3, 0)
        >>> tw.outcomes([True]).tolist()
        ['separate']
        """
        chaotic = np.asarray(check_array(chaotic, "chaotic", dtype=None), dtype=bool)
        if chaotic.shape != self.lrs.shape:
            raise ValueError(f"chaotic must have one entry per rate ({self.lrs.size}), got "
                             f"shape {chaotic.shape}")
        d = self.delta0
        return np.select([chaotic, self.final < 0.1 * d, self.final > 1e4 * d],
                         ["separate", "reconverge", "end apart"], "stay near δ0")


def _demo_objective():
    """A tiny objective (9 parameters on 8 points) for the examples."""
    X = np.random.default_rng(0).standard_normal((8, 2))
    return models.Objective(models.MLP((2, 2, 1), "tanh"), X, np.tanh(X[:, :1]), "mse",
                            weight_decay=0.01)


def twin_scan(objective, theta0, lrs, delta0: float, n_steps: int, seed: int,
              max_norm: float = 1e6) -> TwinScan:
    """Twin gradient-descent runs from ``theta0`` and ``theta0 + delta``, at each rate.

    The offset has size ``delta0`` in a direction uniform on the sphere, drawn from
    ``numpy.random.default_rng(seed)`` (the same direction at every rate). See
    :func:`twin_divergence`.

    Parameters
    ----------
    objective : uniqnets.models.Objective
    theta0 : array, shape (d,), finite
    lrs : sequence of float > 0
    delta0 : float > 0
    n_steps : int >= 1
    seed : int >= 0
    max_norm : float > 0
        A run beyond this norm counts as diverged.

    Returns
    -------
    TwinScan

    Examples
    --------
    >>> obj = _demo_objective()
    >>> tw = twin_scan(obj, obj.model.init(np.random.default_rng(1)), [0.1, 0.5], 1e-8, 50, 0)
    >>> bool(np.all(tw.final < 1e-7))
    True
    """
    objective = _check_objective(objective)
    theta0 = _check_theta(objective, theta0, "theta0")
    lrs = _positive_rates(lrs)
    delta0 = check_real(delta0, "delta0", lo=0.0, lo_open=True)
    n_steps = check_int(n_steps, "n_steps", lo=1, hi=10**9)
    seed = check_int(seed, "seed", lo=0)
    runs = tuple(twin_divergence(partial(models.gd_step, objective, lr=float(lr)), theta0, delta0,
                                 n_steps, np.random.default_rng(seed), max_norm=max_norm)
                 for lr in lrs)
    return TwinScan(lrs=lrs, delta0=delta0, runs=runs)


def tangent_prediction(objective, theta0, v0, lr: float, n_steps: int) -> np.ndarray:
    """``||J_{t-1} ... J_0 v0||`` for ``t = 0..n``: an offset carried by the tangent maps alone.

    ``J_t = I - lr H(theta_t)`` along the gradient-descent orbit from ``theta0``
    (Proposition 6's linearised map, without the nonlinear remainder or rounding).

    Parameters
    ----------
    objective : uniqnets.models.Objective
    theta0, v0 : array, shape (d,), finite
    lr : float > 0
    n_steps : int >= 0

    Returns
    -------
    numpy.ndarray, shape (n_steps + 1,)

    Examples
    --------
    >>> obj = _demo_objective()
    >>> p = tangent_prediction(obj, np.zeros(9), np.full(9, 1e-8), 0.1, 3)
    >>> p.shape, bool(p[0] == np.linalg.norm(np.full(9, 1e-8)))
    ((4,), True)
    """
    objective = _check_objective(objective)
    x = _check_theta(objective, theta0, "theta0")
    v = _check_theta(objective, v0, "v0")
    lr = check_real(lr, "lr", lo=0.0, lo_open=True)
    n_steps = check_int(n_steps, "n_steps", lo=0, hi=10**9)
    pred = [np.linalg.norm(v)]
    for _ in range(n_steps):
        v = models.training_jvp(objective, x, v, lr)
        x = models.gd_step(objective, x, lr)
        pred.append(np.linalg.norm(v))
    return np.array(pred)


def tangent_miss(objective, theta0, twins, lr: float, n_steps: int | None = None):
    """How far a twin run's distance strays from its tangent-map prediction, in decades.

    Parameters
    ----------
    objective : uniqnets.models.Objective
    theta0 : array, shape (d,), finite
        Start of the first run of ``twins``.
    twins : TwinResult
        Twins of gradient descent at ``lr`` from ``theta0`` (their ``perturbation`` is
        carried by :func:`tangent_prediction`).
    lr : float > 0
    n_steps : int >= 0, optional
        Compare the first ``n_steps`` steps (default: the whole run).

    Returns
    -------
    miss : float
        ``max_t |log10(distance_t / predicted_t)|``.
    predicted : numpy.ndarray, shape (n_steps + 1,)

    Examples
    --------
    >>> obj = _demo_objective()
    >>> tw = twin_divergence(lambda x: models.gd_step(obj, x, 0.1), np.zeros(9), 1e-6, 5,
    ...                      np.random.default_rng(0))
    >>> miss, pred = tangent_miss(obj, np.zeros(9), tw, 0.1)
    >>> bool(miss < 1e-3), pred.shape
    (True, (6,))
    """
    if not isinstance(twins, TwinResult):
        raise TypeError(f"twins must be a TwinResult, got {type(twins).__name__}")
    last = twins.distances.size - 1
    n = last if n_steps is None else check_int(n_steps, "n_steps", lo=0, hi=last)
    pred = tangent_prediction(objective, theta0, twins.perturbation, lr, n)
    return float(np.max(np.abs(np.log10(twins.distances[:n + 1] / pred)))), pred


@dataclass(frozen=True)
class Linearisation:
    """Relative miss of the linearised map over a few steps, per offset size.

    Built by :func:`linearisation_test`.

    Attributes
    ----------
    sizes : numpy.ndarray, shape (m,)
        Offset sizes ``||delta||``.
    errors : numpy.ndarray, shape (m,)
        ``||(F^n(theta + delta) - F^n(theta)) - Phi delta|| / ||Phi delta||``.
    slope : float
        Log-log slope of ``errors`` against ``sizes`` (1 for a second-order remainder).
    """

    sizes: np.ndarray
    errors: np.ndarray
    slope: float


def linearisation_test(objective, theta, direction, lr: float, n_steps: int = 5,
                       sizes=(1e-7, 1e-5, 1e-3)) -> Linearisation:
    """Gradient-descent difference after ``n_steps`` against the tangent-map prediction.

    Parameters
    ----------
    objective : uniqnets.models.Objective
    theta : array, shape (d,), finite
        Base point.
    direction : array, shape (d,), finite, non-zero
        Offset direction (normalised here).
    lr : float > 0
    n_steps : int >= 1
    sizes : sequence of float > 0, at least 2
        Offset sizes.

    Returns
    -------
    Linearisation

    Examples
    --------
    >>> obj = _demo_objective()
    >>> lin = linearisation_test(obj, obj.model.init(np.random.default_rng(1)), np.ones(9), 0.5)
    >>> bool(0.8 < lin.slope < 1.2)
    True
    """
    objective = _check_objective(objective)
    theta = _check_theta(objective, theta, "theta")
    u = _check_theta(objective, direction, "direction")
    if not np.linalg.norm(u) > 0:
        raise ValueError("direction must be non-zero")
    u = u / np.linalg.norm(u)
    lr = check_real(lr, "lr", lo=0.0, lo_open=True)
    n_steps = check_int(n_steps, "n_steps", lo=1, hi=10**6)
    sizes = check_array(sizes, "sizes", ndim=1)
    if sizes.size < 2 or np.any(sizes <= 0):
        raise ValueError("sizes must hold at least two positive offset sizes")
    base, tangent = theta.copy(), u.copy()
    for _ in range(n_steps):
        tangent = models.training_jvp(objective, base, tangent, lr)
        base = models.gd_step(objective, base, lr)
    errors = []
    for eps in sizes:
        x = theta + eps * u
        for _ in range(n_steps):
            x = models.gd_step(objective, x, lr)
        errors.append(np.linalg.norm((x - base) - eps * tangent) / (eps * np.linalg.norm(tangent)))
    errors = np.array(errors)
    slope = float(np.polyfit(np.log10(sizes), np.log10(errors), 1)[0])
    return Linearisation(sizes=sizes, errors=errors, slope=slope)


@dataclass(frozen=True)
class DivergenceTimeFit:
    """Steps for twins to separate from ``delta0`` to ``eps``, fitted against ``ln(eps/delta0)``.

    Built by :func:`divergence_time_fit`. Times in steps; exponents per step.

    Attributes
    ----------
    x_log : numpy.ndarray, shape (m,)
        ``ln(eps / delta0)`` for each initial separation.
    times : numpy.ndarray, shape (n_complete, m)
        Divergence times at the base points whose twins all reached ``eps``.
    n_stuck : int
        Base points left out: some twin did not reach ``eps`` within ``8 * horizon`` steps.
    horizon : int
        Three times the longest predicted time, plus 10.
    lam_fit, se_fit : float
        ``1 / mean(slope)`` over the base points and its standard error (delta method,
        from the spread of the independent base points).
    slope, intercept : float
        Line through the mean times, for the figure.
    """

    x_log: np.ndarray
    times: np.ndarray
    n_stuck: int
    horizon: int
    lam_fit: float
    se_fit: float
    slope: float
    intercept: float


def divergence_time_fit(objective, lr: float, bases, delta0s, eps: float, lam: float,
                        rng: np.random.Generator) -> DivergenceTimeFit:
    """Measure Corollary 14's divergence time ``T ~ ln(eps / delta0) / lam`` on real twins.

    From each base point, in its own random direction, twins are started at every
    separation of ``delta0s`` and run until they reach ``eps``; the horizon is
    ``3 ln(eps / min delta0) / lam + 10`` steps, doubled at most three times for a base
    point in a weakly expanding stretch. The slope of ``T`` against ``ln(eps/delta0)``
    per base point gives the exponent.

    Parameters
    ----------
    objective : uniqnets.models.Objective
    lr : float > 0
    bases : array, shape (n_bases, d), finite
        Base points (e.g. checkpoints of a chaotic run).
    delta0s : sequence of float in (0, eps), at least 2
    eps : float > 0
    lam : float > 0
        The exponent that sets the horizon (the Benettin estimate).
    rng : numpy.random.Generator
        Draws one direction per base point.

    Returns
    -------
    DivergenceTimeFit
        ``lam_fit`` and ``se_fit`` are NaN if fewer than two base points are complete.

    References
    ----------
    The uniqueness preprint's Corollary 14; G. Benettin et al., Meccanica 15 (1980) 9-20.

    Examples
    --------
    A tiny classifier at a large rate, which is chaotic (exponent about 0.5 per step):

    >>> from uniqnets.lyapunov import training_spectrum
    >>> X = np.random.default_rng(0).standard_normal((8, 2))
    >>> obj = models.Objective(models.MLP((2, 3, 2), "tanh"), X, (X[:, 0] * X[:, 1] > 0)
    ...                        .astype(int), "xent", weight_decay=0.01)
    >>> run = training_spectrum(obj, obj.model.init(np.random.default_rng(1)), 16.0, 200,
    ...                         n_transient=200, save_every=100)
    >>> fit = divergence_time_fit(obj, 16.0, run.saved_thetas[1:], [1e-10, 1e-8, 1e-6], 1e-2,
    ...                           0.5, np.random.default_rng(0))
    >>> fit.times.shape, bool(0.2 < fit.lam_fit < 1.0)
    ((4, 3), True)
    """
    objective = _check_objective(objective)
    lr = check_real(lr, "lr", lo=0.0, lo_open=True)
    d = objective.model.n_params
    bases = check_array(bases, "bases", ndim=2)
    if bases.shape[1] != d or bases.shape[0] < 1:
        raise ValueError(f"bases must have shape (n_bases, {d}), got {bases.shape}")
    eps = check_real(eps, "eps", lo=0.0, lo_open=True)
    d0s = check_array(delta0s, "delta0s", ndim=1)
    if d0s.size < 2 or np.any(d0s <= 0) or np.any(d0s >= eps):
        raise ValueError("delta0s must hold at least two separations in (0, eps)")
    lam = check_real(lam, "lam", lo=0.0, lo_open=True)
    rng = check_rng(rng)
    horizon = int(3 * np.log(eps / d0s.min()) / lam) + 10
    step = partial(models.gd_step, objective, lr=lr)
    x_log = np.log(eps / d0s)
    T = np.full((bases.shape[0], d0s.size), np.nan)
    for i, base in enumerate(bases):
        u = rng.standard_normal(d)
        u /= np.linalg.norm(u)
        for j, d0 in enumerate(d0s):
            n_try, hit = horizon, None
            while hit is None and n_try <= 8 * horizon:
                hit = twin_divergence(step, base, d0 * u, n_try).divergence_time(eps)
                n_try *= 2
            T[i, j] = np.nan if hit is None else hit
    complete = np.all(np.isfinite(T), axis=1)
    T = T[complete]
    lam_fit = se_fit = slope = icpt = np.nan
    if len(T) >= 2:
        slopes = np.array([np.polyfit(x_log, Ti, 1)[0] for Ti in T])
        slope, icpt = np.polyfit(x_log, T.mean(axis=0), 1)
        lam_fit = 1 / slopes.mean()
        se_fit = np.std(slopes, ddof=1) / np.sqrt(len(slopes)) / slopes.mean() ** 2
    return DivergenceTimeFit(x_log=x_log, times=T, n_stuck=int(np.sum(~complete)),
                             horizon=horizon, lam_fit=float(lam_fit), se_fit=float(se_fit),
                             slope=float(slope), intercept=float(icpt))
