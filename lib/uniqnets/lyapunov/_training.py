"""Lyapunov spectra and Hessians of training runs of :mod:`uniqnets.models` (private module).

References
----------
J. Cohen, S. Kaur, Y. Li, J. Z. Kolter, A. Talwalkar, "Gradient descent on neural
networks typically occurs at the edge of stability", ICLR 2021 (sharpness vs 2/eta).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from scipy.optimize import minimize
from scipy.sparse.linalg import LinearOperator, eigsh

from .. import models
from .._validate import (
    check_array,
    check_bool,
    check_choice,
    check_int,
    check_max_norm,
    check_real,
    check_rng,
    check_size,
    check_steps,
    diverged,
)
from ._maps import LyapunovResult
from ._qr import _accumulate, _initial_frame, _progress

__all__ = ["TrainingSpectrum", "critical_point", "fixed_point_exponents", "hessian_spectrum",
           "sharpness", "training_spectrum"]


def _check_objective(objective):
    if not isinstance(objective, models.Objective):
        raise TypeError(f"objective must be a uniqnets.models.Objective, "
                        f"got {type(objective).__name__}")
    return objective


def _check_theta(objective, theta, name):
    """``theta`` as a finite float64 copy of shape ``(n_params,)``."""
    return check_array(theta, name, shape=(objective.model.n_params,), copy=True)


def _hessian_operator(objective, theta, name="theta"):
    d = objective.model.n_params
    th = _check_theta(objective, theta, name).astype(objective.dtype, copy=False)
    return LinearOperator((d, d), matvec=lambda v: objective.hvp(th, v),
                          matmat=lambda V: objective.hvp(th, V), dtype=objective.dtype)


def sharpness(objective, theta, k: int = 1, tol: float = 0.0, v0=None) -> np.ndarray:
    """The ``k`` largest Hessian eigenvalues of ``objective`` at ``theta`` (Lanczos).

    ``scipy.sparse.linalg.eigsh`` (implicitly restarted Lanczos, ARPACK) on a
    :class:`~scipy.sparse.linalg.LinearOperator` whose products are the exact
    Hessian-vector products :meth:`uniqnets.models.Objective.hvp`; the Hessian is
    never formed.  The top eigenvalue is the *sharpness*; gradient descent with
    learning rate ``eta`` is linearly stable at a minimum only if it is below
    ``2 / eta`` (Cohen et al. 2021).

    Parameters
    ----------
    objective : uniqnets.models.Objective
    theta : array, shape (d,), finite
    k : int, 1 <= k < d
    tol : float >= 0
        ARPACK's relative accuracy (0: machine precision).
    v0 : array (d,), optional
        Starting vector; by default a fixed pseudo-random vector (seed 0), so that the
        result does not depend on ARPACK's internal state (bit-for-bit reruns).

    Returns
    -------
    numpy.ndarray, shape (k,)
        Decreasing, in the units of the loss per parameter^2.

    References
    ----------
    J. Cohen et al., ICLR 2021 (the edge of stability).

    Examples
    --------
    >>> import numpy as np
    >>> from uniqnets import data, models
    >>> ds = data.two_moons(16, np.random.default_rng(0), noise=0.1)
    >>> obj = models.Objective(models.MLP((2, 4, 1), "tanh"), ds.X,
    ...                        (2.0 * ds.Y - 1.0)[:, None], "mse", weight_decay=1e-2)
    >>> theta = obj.model.init(np.random.default_rng(1))
    >>> from uniqnets.lyapunov import hessian_spectrum, sharpness
    >>> top = sharpness(obj, theta, k=2)
    >>> bool(np.allclose(top, hessian_spectrum(obj, theta)[:2], rtol=1e-9))
    True
    """
    _check_objective(objective)
    d = objective.model.n_params
    k = check_int(k, "k", lo=1)
    if k >= d:
        raise ValueError(f"k must be below the dimension {d} for Lanczos; "
                         "use hessian_spectrum for all eigenvalues")
    tol = check_real(tol, "tol", lo=0.0)
    if v0 is None:
        v0 = np.random.default_rng(0).standard_normal(d)
    else:
        v0 = check_array(v0, "v0", shape=(d,))
    vals = eigsh(_hessian_operator(objective, theta), k=k, which="LA", tol=tol, v0=v0,
                 return_eigenvectors=False)
    return np.sort(vals)[::-1]


def hessian_spectrum(objective, theta) -> np.ndarray:
    """All Hessian eigenvalues of ``objective`` at ``theta``.

    The Hessian is assembled column by column from exact Hessian-vector products
    (one block product with the identity), symmetrised and diagonalised with
    ``numpy.linalg.eigvalsh``; O(d) Hessian-vector products and O(d^3) work, meant
    for the few-hundred-parameter networks of the book.

    Parameters
    ----------
    objective : uniqnets.models.Objective
    theta : array, shape (d,), finite

    Returns
    -------
    numpy.ndarray, shape (d,)
        Decreasing, in the units of the loss per parameter^2.

    Examples
    --------
    >>> import numpy as np
    >>> from uniqnets import data, models
    >>> ds = data.two_moons(16, np.random.default_rng(0), noise=0.1)
    >>> obj = models.Objective(models.MLP((2, 4, 1), "tanh"), ds.X,
    ...                        (2.0 * ds.Y - 1.0)[:, None], "mse", weight_decay=1e-2)
    >>> theta = obj.model.init(np.random.default_rng(1))
    >>> from uniqnets.lyapunov import hessian_spectrum
    >>> mu = hessian_spectrum(obj, theta)
    >>> mu.shape, bool(np.all(np.diff(mu) <= 0))
    ((17,), True)
    """
    _check_objective(objective)
    d = objective.model.n_params
    check_size(d * d, "objective (n_params^2 Hessian entries)")
    H = _hessian_operator(objective, theta).matmat(np.eye(d, dtype=objective.dtype))
    return np.linalg.eigvalsh(0.5 * (H + H.T))[::-1]


def critical_point(objective, theta0, gtol: float = 1e-10, maxiter: int = 200):
    """Polish ``theta0`` to a nearby critical point of ``objective`` by a Newton method.

    ``scipy.optimize.minimize(method="trust-ncg")`` with the exact gradient and
    Hessian-vector products: from the end of a gradient-descent run it converges
    quadratically to the minimum that run is approaching, which gradient descent
    itself reaches only at the rate of the flattest direction.

    Parameters
    ----------
    objective : uniqnets.models.Objective
    theta0 : array, shape (d,), finite
    gtol : float > 0
        Stop when ``||grad L|| < gtol``.
    maxiter : int >= 1

    Returns
    -------
    theta : numpy.ndarray, shape (d,)
    grad_norm : float
        ``||grad L(theta)||``; compare it with ``gtol`` before calling ``theta`` a
        critical point (trust-region methods may stop early on a flat valley).

    Examples
    --------
    >>> import numpy as np
    >>> from uniqnets import data, models
    >>> ds = data.two_moons(16, np.random.default_rng(0), noise=0.1)
    >>> obj = models.Objective(models.MLP((2, 4, 1), "tanh"), ds.X,
    ...                        (2.0 * ds.Y - 1.0)[:, None], "mse", weight_decay=1e-2)
    >>> theta = obj.model.init(np.random.default_rng(1))
    >>> from uniqnets.lyapunov import critical_point
    >>> theta = models.train(obj, theta, 200, 0.2).final
    >>> theta_star, gnorm = critical_point(obj, theta)
    >>> bool(gnorm < 1e-9)
    True
    """
    _check_objective(objective)
    theta0 = _check_theta(objective, theta0, "theta0")
    gtol = check_real(gtol, "gtol", lo=0.0, lo_open=True)
    maxiter = check_int(maxiter, "maxiter", lo=1)
    res = minimize(objective.loss, theta0, jac=objective.grad, hessp=objective.hvp,
                   method="trust-ncg", options={"gtol": gtol, "maxiter": maxiter})
    return res.x, float(np.linalg.norm(objective.grad(res.x)))


def fixed_point_exponents(eigenvalues, lr: float) -> np.ndarray:
    """Lyapunov exponents of gradient descent at a critical point: ``ln|1 - lr mu_i|``.

    At a fixed point ``theta*`` of ``theta -> theta - lr grad L`` the tangent map is
    the constant symmetric matrix ``I - lr H(theta*)``, so the exponents are the logs
    of the moduli of its eigenvalues ``1 - lr mu_i`` (``mu_i`` the Hessian
    eigenvalues), sorted decreasingly.  The top one, ``max_i ln|1 - lr mu_i|``, is
    negative exactly when ``0 < mu_i < 2 / lr`` for every ``i``.

    Parameters
    ----------
    eigenvalues : array, shape (m,), finite
        Hessian eigenvalues (e.g. from :func:`hessian_spectrum`).
    lr : float > 0
        Learning rate.

    Returns
    -------
    numpy.ndarray, shape (m,)
        Per step, decreasing (``-inf`` for ``mu = 1 / lr``).

    Examples
    --------
    >>> from uniqnets.lyapunov import fixed_point_exponents
    >>> print(" ".join(f"{v:.4f}" for v in fixed_point_exponents([3.0, 1.0, 0.0], 0.5)))
    0.0000 -0.6931 -0.6931
    """
    mu = check_array(eigenvalues, "eigenvalues", ndim=1)
    lr = check_real(lr, "lr", lo=0.0, lo_open=True)
    with np.errstate(divide="ignore"):
        return np.sort(np.log(np.abs(1.0 - lr * mu)))[::-1]


def _training_tangent(objective, theta, V, lr, batch=None, clip_norm=None):
    """Jacobian of one (mini-batch, possibly clipped) gradient step applied to ``V`` (d, k).

    Without clipping this is :func:`uniqnets.models.training_jvp`.  With the update
    ``-lr c g / ||g||`` (clipping active, ``||g|| > c``), the derivative of
    ``g / ||g||`` is ``(I - u u^T) H / ||g||`` with ``u = g / ||g||``.
    """
    if clip_norm is None:
        return models.training_jvp(objective, theta, V, lr, batch)
    o = objective if batch is None else objective.subset(batch)
    g, HV = o.grad(theta), o.hvp(theta, V)
    gn = float(np.linalg.norm(g))
    if gn <= clip_norm:
        return V - lr * HV
    u = g / gn
    return V - lr * (clip_norm / gn) * (HV - np.outer(u, u @ HV))


@dataclass
class TrainingSpectrum(LyapunovResult):
    """Lyapunov spectrum of a training run (a :class:`LyapunovResult`, per step).

    The attributes are those of :class:`LyapunovResult` (``x`` is the final parameter
    vector) and the following.

    Attributes
    ----------
    losses : numpy.ndarray, shape (n_done + 1,)
        Full-data loss after each step from ``theta0`` (transient included), as
        computed by :func:`uniqnets.models.train`.
    saved_steps : numpy.ndarray of int, shape (n_saved,)
        Steps at which the parameters were saved.
    saved_thetas : numpy.ndarray, shape (n_saved, d)
        Parameters every ``save_every`` steps (empty if ``save_every`` is None), e.g.
        to follow the sharpness along the run.

    Examples
    --------
    >>> import numpy as np
    >>> from uniqnets import data, models
    >>> ds = data.two_moons(16, np.random.default_rng(0), noise=0.1)
    >>> obj = models.Objective(models.MLP((2, 4, 1), "tanh"), ds.X,
    ...                        (2.0 * ds.Y - 1.0)[:, None], "mse", weight_decay=1e-2)
    >>> theta = obj.model.init(np.random.default_rng(1))
    >>> from uniqnets.lyapunov import training_spectrum
    >>> res = training_spectrum(obj, theta, 0.2, 40, k=2, save_every=20)
    >>> res.log_r.shape, res.losses.shape, res.saved_steps.tolist()
    ((40, 2), (41,), [0, 20, 40])
    """

    losses: np.ndarray | None = None
    saved_steps: np.ndarray | None = None
    saved_thetas: np.ndarray | None = None


def training_spectrum(objective, theta0, lr: float, n_steps: int, k: int = 1, *,
                      n_transient: int = 0, method: str = "gd", batches=None,
                      temperature: float = 0.0, rng: np.random.Generator | None = None,
                      clip_norm: float | None = None, Q0=None,
                      frame_rng: np.random.Generator | None = None, max_norm: float = 1e6,
                      save_every: int | None = None, chunk: int = 500,
                      progress: bool = False) -> TrainingSpectrum:
    """Top-``k`` Lyapunov exponents of a training run, along its own trajectory.

    The trajectory is produced by :func:`uniqnets.models.train` (in chunks of
    ``chunk`` steps, so memory stays bounded; the result is identical to one long
    run), which also decides whether the run diverged.  The tangent map of a step at
    ``theta_t`` is

    * gradient descent and Langevin: ``V -> V - lr H(theta_t) V`` (the additive noise
      of Langevin dynamics does not depend on ``theta``);
    * mini-batch SGD: ``V -> V - lr H_{B_t}(theta_t) V`` with the Hessian of the
      batch ``B_t`` used at step ``t`` (:func:`uniqnets.models.training_jvp`);
    * with gradient clipping active (``||g|| > c``):
      ``V -> V - lr (c / ||g||) (I - g g^T / ||g||^2) H V``;

    all by exact Hessian-vector products (:meth:`uniqnets.models.Objective.hvp`).
    The frame is re-orthonormalised at every step (the loop of :func:`qr_exponents`).

    Parameters
    ----------
    objective : uniqnets.models.Objective
    theta0 : array, shape (d,), finite
    lr : float > 0
    n_steps : int >= 1
        Measured steps, after ``n_transient`` discarded ones (during which the frame
        is evolved too).
    k : int in 1..d
    n_transient : int >= 0
    method : {"gd", "sgd", "langevin"}
    batches : int array (n_transient + n_steps, B), needed for "sgd"
        The batch sequence (see :func:`uniqnets.models.batch_sequence`); two runs with
        the same sequence are the same non-autonomous map.
    temperature : float >= 0
        For "langevin".
    rng : numpy.random.Generator
        Draws the noise of "langevin" (needed then).
    clip_norm : float > 0, optional
        Gradient clipping, as in :func:`uniqnets.models.train`.
    Q0, frame_rng
        Initial frame (see ``Q0`` and ``rng`` of :func:`lyapunov_spectrum`).
    max_norm : float > 0 or inf
        Passed to :func:`uniqnets.models.train`: beyond it the run counts as diverged.
    save_every : int >= 1, optional
        Keep the parameters every this many steps (from step 0).
    chunk : int >= 1
        Steps per call of :func:`uniqnets.models.train`.
    progress : bool
        Show a ``tqdm`` progress bar.

    Returns
    -------
    TrainingSpectrum
        ``exponents`` per step; NaN and ``diverged = True`` if the run diverged (the
        exponent of a diverging run is not reported as a number).

    Examples
    --------
    A linear model has the constant Hessian ``H``: gradient descent is the linear map
    ``I - lr H`` and its exponents are :func:`fixed_point_exponents`:

    >>> import numpy as np
    >>> from uniqnets import models
    >>> from uniqnets.lyapunov import fixed_point_exponents, hessian_spectrum
    >>> from uniqnets.lyapunov import training_spectrum
    >>> rng = np.random.default_rng(0)
    >>> X = rng.standard_normal((20, 2))
    >>> obj = models.Objective(models.MLP((2, 1), "linear"), X, X[:, :1], "mse")
    >>> res = training_spectrum(obj, np.zeros(3), 0.3, 200, k=3, n_transient=100,
    ...                         frame_rng=np.random.default_rng(1))
    >>> pred = fixed_point_exponents(hessian_spectrum(obj, np.zeros(3)), 0.3)
    >>> bool(np.allclose(res.exponents, pred, atol=1e-9))
    True
    """
    obj = _check_objective(objective)
    d = obj.model.n_params
    theta = _check_theta(obj, theta0, "theta0")
    lr = check_real(lr, "lr", lo=0.0, lo_open=True)
    n_steps = check_steps(n_steps, "n_steps", lo=1)
    n_transient = check_int(n_transient, "n_transient", lo=0)
    k = check_int(k, "k", lo=1, hi=d)
    chunk = check_int(chunk, "chunk", lo=1)
    if save_every is not None:
        save_every = check_int(save_every, "save_every", lo=1)
    method = check_choice(method, "method", models.METHODS)
    total = n_transient + n_steps
    # the result holds (total, k) increments and total + 1 losses; a chunk of models.train
    # holds (chunk + 1, d) parameters; the saved parameters (total / save_every + 1, d)
    check_size(total * (k + 1) + 1, "n_steps + n_transient")
    check_size((min(chunk, total) + 1) * d, "chunk")
    if save_every is not None:
        check_size((total // save_every + 1) * d, "save_every")
    if method == "sgd":
        if batches is None:
            raise ValueError("method='sgd' needs batches (see uniqnets.models.batch_sequence)")
        batches = check_array(batches, "batches", ndim=2, dtype=None)
        if batches.dtype.kind not in "iu":
            raise TypeError(f"batches must be an array of integer indices, got {batches.dtype}")
        if batches.shape[0] < total:
            raise ValueError(f"batches must have shape ({total}, batch_size), "
                             f"got {batches.shape}")
        if batches.min() < 0 or batches.max() >= obj.n_samples:
            raise ValueError(f"batches must hold sample indices in 0..{obj.n_samples - 1}")
    temperature = check_real(temperature, "temperature", lo=0.0)
    if rng is not None or method == "langevin":
        rng = check_rng(rng)
    if clip_norm is not None:
        clip_norm = check_real(clip_norm, "clip_norm", lo=0.0, lo_open=True)
    max_norm = check_max_norm(max_norm, allow_none=False)
    progress = check_bool(progress, "progress")
    Q = _initial_frame(d, k, Q0, frame_rng, "frame_rng")

    def tangent(th, V, batch):
        return _training_tangent(obj, th, V, lr, batch, clip_norm)

    state = {"theta": theta, "t": 0, "diverged_step": None}
    losses = [obj.loss(theta)]
    saved_steps, saved = [], []

    def factors():
        while state["t"] < total:
            t0 = state["t"]
            m = min(chunk, total - t0)
            tr = models.train(obj, state["theta"], m, lr, method=method,
                              batches=None if batches is None else batches[t0:t0 + m],
                              rng=rng, temperature=temperature, save_every=1,
                              clip_norm=clip_norm, max_norm=max_norm)
            losses.extend(tr.losses[1:].tolist())
            n_good = tr.thetas.shape[0]
            if save_every is not None:
                for i in range(n_good - (0 if tr.diverged else 1)):
                    if (t0 + i) % save_every == 0:
                        saved_steps.append(t0 + i)
                        saved.append(tr.thetas[i].copy())
            for i in range(n_good - 1):
                b = None if batches is None else batches[t0 + i]
                yield lambda V, th=tr.thetas[i], b=b: tangent(th, V, b)
            if tr.diverged:
                state["diverged_step"] = t0 + tr.diverged_step
                state["theta"] = tr.final
                return
            state["theta"] = tr.final
            state["t"] = t0 + m
        if save_every is not None and total % save_every == 0:
            saved_steps.append(total)
            saved.append(state["theta"].copy())

    facs = _progress(factors(), total, progress, "Lyapunov (training)")
    with np.errstate(over="ignore", invalid="ignore"):
        log_r, Qf = _accumulate(facs, Q)
    failed = state["diverged_step"] is not None
    if not failed:
        # the run stayed finite but the tangent vectors overflowed (e.g. an exponent so
        # large that one step's growth does not fit a double): report as diverged
        bad = next((i for i, row in enumerate(log_r) if diverged(row, None)), None)
        if bad is not None:
            failed, state["diverged_step"] = True, bad + 1
            log_r = log_r[:bad]
    log_r = log_r[n_transient:]
    exps = np.full(k, np.nan) if failed or log_r.shape[0] == 0 else log_r.mean(axis=0)
    return TrainingSpectrum(
        exps, log_r, Qf, dt=1.0, x=np.asarray(state["theta"]).copy(), diverged=failed,
        diverged_step=state["diverged_step"], losses=np.array(losses),
        saved_steps=np.array(saved_steps, dtype=int),
        saved_thetas=np.array(saved).reshape(len(saved), d))
