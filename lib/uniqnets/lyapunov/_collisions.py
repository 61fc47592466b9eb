"""Where independent training runs end: collisions modulo symmetries, and their approach.

Gradient descent from independent initialisations, each end point polished by Newton's
method to the critical point the run approaches (:func:`critical_point`), then compared
pairwise modulo the network's symmetry group by weight matching
(:func:`uniqnets.models.align`). Near a strict minimum with smallest Hessian eigenvalue
``mu_min`` a point with gradient norm ``g`` lies within ``g / mu_min`` of the minimum, so
two polished runs at one minimum are within the sum of their two bounds: that sum is the
tolerance of "the same network".
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass

import numpy as np

from .. import models
from .._validate import check_array, check_int, check_real
from ._training import _check_objective, _check_theta, critical_point, hessian_spectrum


def _check_lr(lr, name="lr"):
    return check_real(lr, name, lo=0.0, lo_open=True)


def jacobian_margin(objective, thetas, lr: float) -> float:
    """Smallest ``|1 - lr mu|`` over the Hessian eigenvalues ``mu`` at the given points.

    A gradient-descent step ``F(theta) = theta - lr grad L`` has Jacobian
    ``I - lr H(theta)``; it is a local diffeomorphism wherever this margin is positive.

    Parameters
    ----------
    objective : uniqnets.models.Objective
    thetas : array, shape (n_points, d), finite
        Points along a run (for instance ``Trajectory.thetas``).
    lr : float > 0
        The learning rate ``eta``.

    Returns
    -------
    float
        ``min_t min_i |1 - lr mu_i(theta_t)|`` (dimensionless).

    References
    ----------
    J. M. Lee, *Introduction to Smooth Manifolds*, 2nd ed., Springer (2013), Thm 4.5
    (inverse function theorem).

    Examples
    --------
    >>> import numpy as np
    >>> from uniqnets import models
    >>> from uniqnets.lyapunov import jacobian_margin
    >>> obj = models.Objective(models.MLP((1, 1), "linear"), [[1.0], [1.0]], [[0.0], [0.0]])
    >>> round(jacobian_margin(obj, np.zeros((1, 2)), 0.5), 3)  # H = diag(2, 2) for mse
    0.0
    """
    _check_objective(objective)
    thetas = check_array(thetas, "thetas", shape=(None, objective.model.n_params))
    lr = _check_lr(lr)
    return float(min(np.abs(1 - lr * hessian_spectrum(objective, th)).min() for th in thetas))


@dataclass(frozen=True, eq=False)
class Collisions:
    """Pairwise comparison of polished training runs (:func:`converged_collisions`).

    Attributes
    ----------
    pairs : list of (int, int), length n_pairs
        The run indices ``(i, j)``, ``i < j``, in ``itertools.combinations`` order.
    distance : numpy.ndarray, shape (n_pairs,)
        Aligned parameter distance ``min_g ||theta_i - g theta_j||`` (weight matching).
    tolerance : numpy.ndarray, shape (n_pairs,)
        Sum of the two runs' accuracy bounds ``||g|| / mu_min``.
    function_distance : numpy.ndarray, shape (n_pairs,)
        RMS distance of the two networks' outputs on the held-out inputs.
    agreement : numpy.ndarray, shape (n_pairs,)
        Fraction of held-out inputs on which the two predicted classes agree.
    accuracy : numpy.ndarray, shape (n_runs,)
        Held-out accuracy of each run.
    thetas : numpy.ndarray, shape (n_runs, d)
        The polished end points.
    grad_norm, mu_min : numpy.ndarray, shape (n_runs,)
        Gradient norm and smallest Hessian eigenvalue at each polished end point.
    diverged : numpy.ndarray of bool, shape (n_runs,)
    """

    pairs: list
    distance: np.ndarray
    tolerance: np.ndarray
    function_distance: np.ndarray
    agreement: np.ndarray
    accuracy: np.ndarray
    thetas: np.ndarray
    grad_norm: np.ndarray
    mu_min: np.ndarray
    diverged: np.ndarray

    @property
    def same(self) -> np.ndarray:
        """Pairs at the same minimum modulo symmetries: ``distance <= tolerance``."""
        return self.distance <= self.tolerance

    @property
    def fraction(self) -> float:
        """Fraction of pairs at the same minimum."""
        return float(self.same.mean())


def converged_collisions(objective, thetas0, n_steps: int, lr: float, X_test, y_test, *,
                         gtol: float = 1e-10, maxiter: int = 500) -> Collisions:
    """Train from each initialisation, polish, and compare every pair modulo symmetries.

    Parameters
    ----------
    objective : uniqnets.models.Objective
        Classification objective (``"xent"``) of a :class:`uniqnets.models.MLP`.
    thetas0 : array, shape (n_runs, d), finite, n_runs >= 2
        Independent initialisations.
    n_steps : int >= 1
        Gradient-descent steps before the Newton polish.
    lr : float > 0
    X_test : array, shape (n_test, n_in)
        Held-out inputs on which the functions are compared.
    y_test : int array, shape (n_test,)
        Held-out class labels (for the accuracy).
    gtol : float > 0
        Gradient norm at which the polish stops.
    maxiter : int >= 1
        Newton iterations at most.

    Returns
    -------
    Collisions

    References
    ----------
    S. K. Ainsworth, J. Hayase, S. Srinivasa, "Git Re-Basin", ICLR 2023 (weight matching).

    Examples
    --------
    >>> import numpy as np
    >>> from uniqnets import data, models
    >>> from uniqnets.lyapunov import converged_collisions
    >>> ds = data.two_moons(16, np.random.default_rng(0), noise=0.1)
    >>> net = models.MLP((2, 3, 2), "tanh")
    >>> obj = models.Objective(net, ds.X, ds.Y, "xent", weight_decay=0.01)
    >>> th0 = np.array([net.init(np.random.default_rng(s)) for s in range(3)])
    >>> col = converged_collisions(obj, th0, 200, 0.5, ds.X, ds.Y)
    >>> col.distance.shape, bool(col.grad_norm.max() < 1e-8)
    ((3,), True)
    """
    _check_objective(objective)
    model = objective.model
    thetas0 = check_array(thetas0, "thetas0", shape=(None, model.n_params))
    if len(thetas0) < 2:
        raise ValueError(f"thetas0 must hold at least 2 initialisations, got {len(thetas0)}")
    n_steps = check_int(n_steps, "n_steps", lo=1)
    lr = _check_lr(lr)
    X_test = check_array(X_test, "X_test", shape=(None, model.sizes[0]))
    y_test = check_array(y_test, "y_test", shape=(len(X_test),), dtype=int)
    gtol = check_real(gtol, "gtol", lo=0.0, lo_open=True)
    maxiter = check_int(maxiter, "maxiter", lo=1)
    thetas, gnorms, mus, diverged = [], [], [], []
    for th0 in thetas0:
        tr = models.train(objective, th0, n_steps, lr)
        theta, gnorm = critical_point(objective, tr.final, gtol=gtol, maxiter=maxiter)
        thetas.append(theta)
        gnorms.append(gnorm)
        mus.append(hessian_spectrum(objective, theta)[-1])
        diverged.append(tr.diverged)
    thetas, gnorms, mus = np.array(thetas), np.array(gnorms), np.array(mus)
    pairs = list(itertools.combinations(range(len(thetas)), 2))
    dist, tol, fdist, agree = [], [], [], []
    labels = [model(th, X_test).argmax(1) for th in thetas]
    for i, j in pairs:
        b_aligned = models.align(model, thetas[i], thetas[j])[0]
        dist.append(np.linalg.norm(thetas[i] - b_aligned))
        tol.append(gnorms[i] / mus[i] + gnorms[j] / mus[j])
        fdist.append(models.function_distance(model, thetas[i], thetas[j], X_test))
        agree.append(np.mean(labels[i] == labels[j]))
    return Collisions(pairs, np.array(dist), np.array(tol), np.array(fdist), np.array(agree),
                      np.array([np.mean(lab == y_test) for lab in labels]), thetas, gnorms,
                      mus, np.array(diverged))


@dataclass(frozen=True, eq=False)
class Contraction:
    """Two runs that share a limit, compared modulo symmetries (:func:`pair_contraction`).

    Attributes
    ----------
    steps : numpy.ndarray of int, shape (n_saved,)
    gap : numpy.ndarray, shape (n_saved,)
        Aligned distance between the two runs at the saved steps.
    window : numpy.ndarray of int
        Indices of ``steps`` over which the rate is fitted (last third of the run, above
        the alignment's rounding floor ``1e4 eps ||theta*||``).
    rate_measured : float
        Slope of ``ln gap`` over the window, per step (NaN if the window has < 2 points).
    rate_predicted : float
        ``ln(1 - lr mu_min)`` at the common minimum, per step.
    mu : numpy.ndarray, shape (d,)
        Hessian spectrum at the common minimum, descending.
    dist_to_min_window, dist_to_min_final : float
        Aligned distance of the first run from the minimum where the window starts, and
        at the end.
    lr : float
    """

    steps: np.ndarray
    gap: np.ndarray
    window: np.ndarray
    rate_measured: float
    rate_predicted: float
    mu: np.ndarray
    dist_to_min_window: float
    dist_to_min_final: float
    lr: float

    @property
    def gap_plateau(self) -> float:
        """The gap once the loss has reached its plateau (1/30 of the run)."""
        return float(self.gap[len(self.gap) // 30 + 1])

    @property
    def gap_final(self) -> float:
        """The gap at the last step."""
        return float(self.gap[-1])

    @property
    def closes(self) -> bool:
        """The gap shrinks and ends below half its plateau value."""
        return bool(self.rate_measured < 0 and self.gap_final < 0.5 * self.gap_plateau)

    @property
    def linear(self) -> bool:
        """The measured rate is within a factor 1.5 of the linear rate."""
        return bool(1 / 1.5 < self.rate_measured / self.rate_predicted < 1.5)

    @property
    def relax_steps(self) -> float:
        """Relaxation time ``1 / (lr mu_min)`` of the flattest direction, in steps."""
        return float(1 / (self.lr * self.mu[-1]))


def pair_contraction(objective, theta_a, theta_b, n_steps: int, lr: float, *,
                     gtol: float = 1e-10, n_saved: int = 60) -> Contraction:
    """Follow two runs to a common minimum and fit the rate at which their gap closes.

    Near a strict minimum every Lyapunov exponent of gradient descent is
    ``ln|1 - lr mu_i| < 0``; the gap between two runs inside its linear neighbourhood
    closes at the slowest of these, ``ln(1 - lr mu_min)``.

    Parameters
    ----------
    objective : uniqnets.models.Objective
    theta_a, theta_b : array, shape (d,), finite
        The two initialisations.
    n_steps : int >= 3
    lr : float > 0
    gtol : float > 0
        Gradient norm of the Newton polish that locates the minimum.
    n_saved : int >= 1
        About how many checkpoints are compared.

    Returns
    -------
    Contraction

    References
    ----------
    J. Cohen et al., "Gradient descent on neural networks typically occurs at the edge of
    stability", ICLR 2021 (the linear stability of gradient descent).

    Examples
    --------
    >>> import numpy as np
    >>> from uniqnets import models
    >>> from uniqnets.lyapunov import pair_contraction
    >>> obj = models.Objective(models.MLP((1, 1), "linear"), [[1.0], [-1.0]], [[1.0], [-1.0]],
    ...                        weight_decay=0.1)
    >>> c = pair_contraction(obj, np.zeros(2), np.ones(2), 60, 0.1, n_saved=60)
    >>> bool(c.closes), round(c.rate_measured / c.rate_predicted, 2)
    (True, 1.0)
    """
    _check_objective(objective)
    theta_a = _check_theta(objective, theta_a, "theta_a")
    theta_b = _check_theta(objective, theta_b, "theta_b")
    n_steps = check_int(n_steps, "n_steps", lo=3)
    lr = _check_lr(lr)
    gtol = check_real(gtol, "gtol", lo=0.0, lo_open=True)
    n_saved = check_int(n_saved, "n_saved", lo=1)
    model = objective.model
    every = max(1, n_steps // n_saved)
    ra = models.train(objective, theta_a, n_steps, lr, save_every=every)
    rb = models.train(objective, theta_b, n_steps, lr, save_every=every)
    gap = np.array([np.linalg.norm(a - models.align(model, a, b)[0])
                    for a, b in zip(ra.thetas, rb.thetas, strict=True)])
    theta_star, _ = critical_point(objective, ra.final, gtol=gtol)
    mu = hessian_spectrum(objective, theta_star)
    floor = 1e4 * np.finfo(float).eps * np.linalg.norm(theta_star)
    window = np.flatnonzero((ra.steps >= 2 * n_steps // 3) & (gap > floor))
    rate = (np.polyfit(ra.steps[window], np.log(gap[window]), 1)[0] if len(window) >= 2
            else np.nan)
    start = ra.thetas[window[0]] if len(window) else ra.final

    def to_min(th):
        return float(np.linalg.norm(th - models.align(model, th, theta_star)[0]))

    return Contraction(ra.steps, gap, window, float(rate), float(np.log(1 - lr * mu[-1])), mu,
                       to_min(start), to_min(ra.final), lr)
