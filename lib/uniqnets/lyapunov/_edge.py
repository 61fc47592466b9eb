"""Rounding, step size and the edge of stability: what amplifies a tiny difference.

Experiments on :mod:`uniqnets.models` networks trained by full-batch gradient descent:
reruns that differ only in floating-point details (:func:`perturbed_reruns`), runs whose
step size carries ``eta mu_max`` through 2 (:func:`catapult_run`), the largest training
exponent against depth (:func:`depth_exponents`) and the amplification of a small
perturbation across initialisations and step sizes (:func:`amplification_scan`).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from .. import models
from .._validate import check_array, check_bool, check_int, check_real
from ._training import (
    _check_objective,
    _check_theta,
    critical_point,
    sharpness,
    training_spectrum,
)
from ._twins import twin_divergence


def _flip_last_bit(theta):
    """``theta`` with the last bit of its first entry flipped (one unit in the last place)."""
    out = np.array(theta, dtype=np.float64)
    out.view(np.int64)[0] ^= 1
    return out


def _variant(objective, dtype=None, perm=None):
    """The same objective in another precision or with its samples in another order."""
    X, Y = objective.X, objective.Y
    if perm is not None:
        X, Y = X[perm], Y[perm]
    return models.Objective(objective.model, X, Y, objective.loss_kind,
                            weight_decay=objective.weight_decay,
                            dtype=dtype or objective.dtype)


@dataclass(frozen=True, eq=False)
class PerturbedReruns:
    """Distances of perturbed reruns from a reference run (:func:`perturbed_reruns`).

    Attributes
    ----------
    steps : numpy.ndarray of int, shape (n_saved,)
    gaps : dict of str to numpy.ndarray, shape (n_saved,)
        ``"rerun"`` (the same run again), ``"row order"`` (samples permuted), ``"one bit"``
        (last bit of the first weight flipped), ``"float32"``: Euclidean distance from the
        reference float64 run, in parameter units.
    lam, lam_se : float
        Largest Lyapunov exponent of the reference run over the second half of the run,
        per step, and its batch-means standard error.
    lr : float
    """

    steps: np.ndarray
    gaps: dict
    lam: float
    lam_se: float
    lr: float


def perturbed_reruns(objective, theta0, n_steps: int, lr: float, perm, *,
                     n_saved: int = 50) -> PerturbedReruns:
    """Rerun one gradient-descent run with floating-point perturbations and compare.

    Parameters
    ----------
    objective : uniqnets.models.Objective
        A float64 objective.
    theta0 : array, shape (d,), finite
    n_steps : int >= 2
    lr : float > 0
    perm : int array, shape (n_samples,)
        A permutation of the samples (the "row order" rerun).
    n_saved : int >= 1
        About how many checkpoints are compared.

    Returns
    -------
    PerturbedReruns

    References
    ----------
    D. Goldberg, "What every computer scientist should know about floating-point
    arithmetic", ACM Computing Surveys 23 (1991) 5-48.

    Examples
    --------
    >>> import numpy as np
    >>> from uniqnets import data, models
    >>> from uniqnets.lyapunov import perturbed_reruns
    >>> ds = data.two_moons(16, np.random.default_rng(0), noise=0.1)
    >>> net = models.MLP((2, 3, 2), "tanh")
    >>> obj = models.Objective(net, ds.X, ds.Y, "xent", weight_decay=0.01)
    >>> r = perturbed_reruns(obj, net.init(np.random.default_rng(1)), 80, 0.1,
    ...                      np.arange(16)[::-1])
    >>> float(r.gaps["rerun"].max()), bool(r.gaps["float32"][-1] < 1e-5)
    (0.0, True)
    """
    _check_objective(objective)
    theta0 = _check_theta(objective, theta0, "theta0")
    n_steps = check_int(n_steps, "n_steps", lo=2)
    lr = check_real(lr, "lr", lo=0.0, lo_open=True)
    n = len(objective.X)
    perm = check_array(perm, "perm", shape=(n,), dtype=int)
    if not np.array_equal(np.sort(perm), np.arange(n)):
        raise ValueError("perm must be a permutation of the sample indices")
    n_saved = check_int(n_saved, "n_saved", lo=1)
    every = max(1, n_steps // n_saved)

    def run(obj, th):
        return models.train(obj, th, n_steps, lr, save_every=every)

    runs = {"rerun": run(objective, theta0),
            "row order": run(_variant(objective, perm=perm), theta0),
            "one bit": run(objective, _flip_last_bit(theta0)),
            "float32": run(_variant(objective, dtype=np.float32), theta0.astype(np.float32))}
    ref = run(objective, theta0)
    gaps = {k: np.linalg.norm(r.thetas.astype(float) - ref.thetas, axis=1)
            for k, r in runs.items()}
    half = n_steps // 2
    spec = training_spectrum(objective, theta0, lr, n_steps - half, k=1, n_transient=half)
    return PerturbedReruns(ref.steps, gaps, float(spec.exponents[0]),
                           float(spec.stderr()[0]), lr)


@dataclass(frozen=True, eq=False)
class CatapultRun:
    """A run at ``eta = fraction * 2 / mu_max(H_0)`` with its twins (:func:`catapult_run`).

    Attributes
    ----------
    lr : float
        The step size ``eta``.
    steps : numpy.ndarray of int, shape (n_saved,)
    edge : numpy.ndarray, shape (n_saved,)
        ``eta mu_max`` along the float64 run (the edge of stability is 2).
    d_twin, d_32 : numpy.ndarray, shape (n_saved,)
        Distance from the float64 run of a one-ulp twin and of a float32 rerun.
    spike : float
        Largest rise of the loss above its running minimum.
    loss_end : float
    converged : bool
        All three runs end within 1e-2 of a critical point (gradient norm < 1e-8) that
        is stable at ``eta`` (``eta mu_max < 2``), none diverged.
    polished_twin, polished_32 : float
        Aligned distance of the polished end point of the twin and of the float32 run
        from that of the float64 run.
    """

    lr: float
    steps: np.ndarray
    edge: np.ndarray
    d_twin: np.ndarray
    d_32: np.ndarray
    spike: float
    loss_end: float
    converged: bool
    polished_twin: float
    polished_32: float

    @property
    def passes_edge(self) -> bool:
        """``eta mu_max`` exceeded 2 somewhere along the run."""
        return bool(self.edge.max() > 2)


def catapult_run(objective, theta0, fraction: float, n_steps: int, *, gtol: float = 1e-10,
                 n_saved: int = 40) -> CatapultRun:
    """Train at a fraction of the initial stability limit, with a one-ulp and a float32 twin.

    Parameters
    ----------
    objective : uniqnets.models.Objective
        A float64 objective.
    theta0 : array, shape (d,), finite
    fraction : float > 0
        ``f`` in ``eta = f * 2 / mu_max(H(theta0))``.
    n_steps : int >= 1
    gtol : float > 0
        Gradient norm of the Newton polish of each end point.
    n_saved : int >= 1
        About how many checkpoints are kept.

    Returns
    -------
    CatapultRun

    References
    ----------
    A. Lewkowycz et al., "The large learning rate phase of deep learning: the catapult
    mechanism", arXiv:2003.02218 (2020); J. Cohen et al., ICLR 2021.

    Examples
    --------
    >>> import numpy as np
    >>> from uniqnets import data, models
    >>> from uniqnets.lyapunov import catapult_run
    >>> ds = data.two_moons(16, np.random.default_rng(0), noise=0.1)
    >>> net = models.MLP((2, 3, 2), "tanh")
    >>> obj = models.Objective(net, ds.X, ds.Y, "xent", weight_decay=0.01)
    >>> c = catapult_run(obj, net.init(np.random.default_rng(1)), 0.5, 30, n_saved=10)
    >>> c.passes_edge, bool(c.d_twin[0] < 1e-15)
    (False, True)
    """
    _check_objective(objective)
    theta0 = _check_theta(objective, theta0, "theta0")
    fraction = check_real(fraction, "fraction", lo=0.0, lo_open=True)
    n_steps = check_int(n_steps, "n_steps", lo=1)
    gtol = check_real(gtol, "gtol", lo=0.0, lo_open=True)
    n_saved = check_int(n_saved, "n_saved", lo=1)
    lr = fraction * 2 / sharpness(objective, theta0)[0]
    every = max(1, n_steps // n_saved)
    ref = models.train(objective, theta0, n_steps, lr, save_every=every)
    twin = models.train(objective, _flip_last_bit(theta0), n_steps, lr, save_every=every)
    r32 = models.train(_variant(objective, dtype=np.float32), theta0.astype(np.float32),
                       n_steps, lr, save_every=every)
    edge = lr * np.array([sharpness(objective, t)[0] for t in ref.thetas])
    ends = []
    for r in (ref, twin, r32):
        end = r.final.astype(float)
        th, gn = critical_point(objective, end, gtol=gtol, maxiter=500)
        ends.append((th, gn, sharpness(objective, th)[0], r.diverged,
                     float(np.linalg.norm(th - end))))
    a = ends[0][0]
    same = [float(np.linalg.norm(a - models.align(objective.model, a, e[0])[0]))
            for e in ends[1:]]
    converged = (all(e[1] < 1e-8 and not e[3] and e[4] < 1e-2 for e in ends)
                 and lr * max(e[2] for e in ends) < 2)
    return CatapultRun(
        float(lr), ref.steps, edge, np.linalg.norm(twin.thetas - ref.thetas, axis=1),
        np.linalg.norm(r32.thetas.astype(float) - ref.thetas, axis=1),
        float(np.max(ref.losses - np.minimum.accumulate(ref.losses))), float(ref.losses[-1]),
        bool(converged), same[0], same[1])


@dataclass(frozen=True, eq=False)
class DepthExponents:
    """Largest training exponent of tanh networks of increasing depth (:func:`depth_exponents`).

    Attributes
    ----------
    depths : numpy.ndarray of int, shape (n_depths,)
        Depths ``L`` (weight layers: hidden layers plus one).
    lam, se : numpy.ndarray, shape (n_depths,)
        Largest finite-time exponent per step and its batch-means standard error (NaN
        where the run diverged).
    edge : numpy.ndarray, shape (n_depths,)
        Largest ``eta mu_max`` along the run (NaN where it diverged or was not measured).
    lrs : numpy.ndarray, shape (n_depths,)
        The step size of each run.
    """

    depths: np.ndarray
    lam: np.ndarray
    se: np.ndarray
    edge: np.ndarray
    lrs: np.ndarray


def depth_exponents(X, y, width: int, depths, weight_decay: float, n_steps: int,
                    init_seed: int, *, lr: float | None = None, fraction: float | None = None,
                    residual: bool = False, edge: bool = True) -> DepthExponents:
    """Largest Lyapunov exponent of gradient descent for tanh networks of several depths.

    Each network ``(n_in, width, ..., width, n_classes)`` with ``L - 1`` hidden layers is
    trained with cross-entropy and weight decay from ``init(default_rng(init_seed))``;
    the exponent is averaged over ``n_steps`` steps after a transient of ``n_steps``.

    Parameters
    ----------
    X : array, shape (n, n_in)
    y : int array, shape (n,)
        Class labels 0..n_classes-1.
    width : int >= 1
    depths : sequence of int >= 2, shape (n_depths,)
    weight_decay : float >= 0
    n_steps : int >= 1
    init_seed : int >= 0
    lr : float > 0, optional
        A fixed step size; or
    fraction : float > 0, optional
        ``eta = fraction * 2 / mu_max(H_0)`` for each network. Exactly one is given.
    residual : bool
        Skip connections around every hidden layer of equal width.
    edge : bool
        Also follow the sharpness (six checkpoints) for ``edge``.

    Returns
    -------
    DepthExponents

    References
    ----------
    J. Cohen et al., ICLR 2021 (progressive sharpening and the edge of stability).

    Examples
    --------
    >>> import numpy as np
    >>> from uniqnets import data
    >>> from uniqnets.lyapunov import depth_exponents
    >>> ds = data.two_moons(16, np.random.default_rng(0), noise=0.1)
    >>> r = depth_exponents(ds.X, ds.Y, 3, [2, 3], 0.01, 40, 0, fraction=0.5)
    >>> r.lam.shape, bool(np.all(np.isfinite(r.lam) & (r.edge > 0)))
    ((2,), True)
    """
    X = check_array(X, "X", ndim=2)
    y = check_array(y, "y", shape=(len(X),), dtype=int)
    width = check_int(width, "width", lo=1)
    depths = check_array(depths, "depths", ndim=1, dtype=int)
    if depths.min() < 2:
        raise ValueError(f"depths must be >= 2, got {depths.tolist()}")
    weight_decay = check_real(weight_decay, "weight_decay", lo=0.0)
    n_steps = check_int(n_steps, "n_steps", lo=1)
    init_seed = check_int(init_seed, "init_seed", lo=0)
    if (lr is None) == (fraction is None):
        raise ValueError("give exactly one of lr and fraction")
    if lr is not None:
        lr = check_real(lr, "lr", lo=0.0, lo_open=True)
    else:
        fraction = check_real(fraction, "fraction", lo=0.0, lo_open=True)
    residual = check_bool(residual, "residual")
    edge = check_bool(edge, "edge")
    n_classes = int(y.max()) + 1
    out = np.full((4, len(depths)), np.nan)
    for i, L in enumerate(depths):
        m = models.MLP((X.shape[1], *[width] * (L - 1), max(n_classes, 2)), "tanh",
                       residual=residual)
        obj = models.Objective(m, X, y, "xent", weight_decay=weight_decay)
        theta0 = m.init(np.random.default_rng(init_seed))
        step = lr if lr is not None else fraction * 2 / sharpness(obj, theta0)[0]
        out[3, i] = step
        spec = training_spectrum(obj, theta0, step, n_steps, k=1, n_transient=n_steps,
                                 save_every=max(1, n_steps // 6))
        if spec.diverged:
            continue
        out[0, i], out[1, i] = spec.exponents[0], spec.stderr()[0]
        if edge:
            out[2, i] = step * max(sharpness(obj, t)[0] for t in spec.saved_thetas)
    return DepthExponents(depths, *out)


@dataclass(frozen=True, eq=False)
class AmplificationScan:
    """Exponent and perturbation growth over initialisations and step sizes.

    Attributes
    ----------
    lam : numpy.ndarray, shape (n_inits, n_fractions)
        Largest finite-time exponent per step along each run.
    growth : numpy.ndarray, shape (n_inits, n_fractions)
        Largest factor by which a ``delta0`` perturbation of the initialisation grew.
    lrs : numpy.ndarray, shape (n_inits, n_fractions)
    fractions : numpy.ndarray, shape (n_fractions,)
    n_params : int
    """

    lam: np.ndarray
    growth: np.ndarray
    lrs: np.ndarray
    fractions: np.ndarray
    n_params: int


def amplification_scan(objective, init_seeds, fractions, n_steps: int, twin_seeds, *,
                       delta0: float = 1e-10) -> AmplificationScan:
    """For each initialisation and step fraction: the exponent and a twin run's growth.

    The step size is ``eta = f * 2 / mu_max(H_0)``, the same distance from each model's
    own initial stability limit.

    Parameters
    ----------
    objective : uniqnets.models.Objective
    init_seeds : sequence of int >= 0, shape (n_inits,)
        Seeds of ``model.init``.
    fractions : sequence of float > 0, shape (n_fractions,)
    n_steps : int >= 1
    twin_seeds : sequence of int >= 0, shape (n_inits,)
        Seeds of the direction of each twin's offset.
    delta0 : float > 0
        Size of the twin's initial offset.

    Returns
    -------
    AmplificationScan

    References
    ----------
    G. Benettin et al., Meccanica 15 (1980) 9-20.

    Examples
    --------
    >>> import numpy as np
    >>> from uniqnets import models
    >>> from uniqnets.lyapunov import amplification_scan
    >>> X = np.random.default_rng(0).standard_normal((8, 3))
    >>> obj = models.Objective(models.MLP((3, 2), "linear"), X, np.arange(8) % 2, "xent")
    >>> r = amplification_scan(obj, [0], [0.5, 0.95], 30, [1])
    >>> bool(np.all(r.lam < 0)), bool(np.all(r.growth <= 1 + 1e-6))
    (True, True)
    """
    _check_objective(objective)
    init_seeds = check_array(init_seeds, "init_seeds", ndim=1, dtype=int)
    fractions = check_array(fractions, "fractions", ndim=1)
    if fractions.min() <= 0:
        raise ValueError("fractions must be > 0")
    n_steps = check_int(n_steps, "n_steps", lo=1)
    twin_seeds = check_array(twin_seeds, "twin_seeds", shape=(len(init_seeds),), dtype=int)
    if min(init_seeds.min(), twin_seeds.min()) < 0:
        raise ValueError("init_seeds and twin_seeds must be >= 0")
    delta0 = check_real(delta0, "delta0", lo=0.0, lo_open=True)
    shape = (len(init_seeds), len(fractions))
    lam, growth, lrs = np.zeros(shape), np.zeros(shape), np.zeros(shape)
    for i, (s, t) in enumerate(zip(init_seeds, twin_seeds, strict=True)):
        theta0 = objective.model.init(np.random.default_rng(int(s)))
        mu0 = sharpness(objective, theta0)[0]
        for j, f in enumerate(fractions):
            lrs[i, j] = step = f * 2 / mu0
            lam[i, j] = training_spectrum(objective, theta0, step, n_steps, k=1).exponents[0]
            twin = twin_divergence(lambda x, h=step: models.gd_step(objective, x, h), theta0,
                                   delta0, n_steps, np.random.default_rng(int(t)))
            growth[i, j] = np.max(twin.distances) / delta0
    return AmplificationScan(lam, growth, lrs, fractions, objective.model.n_params)
