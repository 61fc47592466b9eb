"""Stochastic entropy production along sampled paths of a Gaussian-kernel chain (private).

The medium term ``log P(theta'|theta) / P(theta|theta')`` of every step, and, given
densities, the system term: Seifert's stochastic entropy production in discrete time.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import scipy.linalg as sla

from .._validate import (
    check_array,
    check_bool,
    check_callable,
    check_choice,
    check_real,
    check_size,
)
from ._checks import eval_points, spd

__all__ = ["PathEntropy", "path_entropy_production"]


@dataclass
class PathEntropy:
    """Per-step stochastic entropy production along paths, in nats.

    Returned by :func:`path_entropy_production`.

    Attributes
    ----------
    medium : ndarray, shape (n_paths, n_steps) or (n_steps,) for one path
        ``log P(theta_{t+1}|theta_t) - log P(theta_t|theta_{t+1})``: the entropy
        delivered to the medium (heat over temperature, for Langevin dynamics).
    system : ndarray of the same shape, or None
        ``log p_t(theta_t) - log p_{t+1}(theta_{t+1})``, when densities were given.
    finite : ndarray of bool, shape (n_paths,), or a bool for one path
        False for a path with a non-finite point or term (a diverged run); its
        entries are NaN.

    Examples
    --------
    >>> import numpy as np
    >>> from uniqnets.thermo import path_entropy_production
    >>> pe = path_entropy_production(np.array([[0.0], [1.0], [0.5]]), lambda X: -0.5 * X, 1.0)
    >>> print(pe.medium, pe.system, pe.finite)
    [-0.375    0.28125] None True
    """

    medium: np.ndarray
    system: np.ndarray | None
    finite: np.ndarray

    @property
    def total(self) -> np.ndarray | None:
        """``medium + system`` per step (None without densities).

        Examples
        --------
        >>> import numpy as np
        >>> from uniqnets.thermo import path_entropy_production
        >>> pe = path_entropy_production(np.array([[0.0], [1.0]]), lambda X: 0 * X, 1.0,
        ...                              log_density=lambda t, X: -0.5 * X[:, 0] ** 2)
        >>> print(pe.total)
        [0.5]
        """
        return None if self.system is None else self.medium + self.system

    def cumulative(self, which: str = "total") -> np.ndarray:
        """Running sum over steps of one term.

        Parameters
        ----------
        which : {"total", "medium", "system"}
            The term; ``"total"`` and ``"system"`` need a ``log_density``.

        Returns
        -------
        ndarray, the shape of ``medium``
            Cumulative entropy production, nats.

        Examples
        --------
        >>> import numpy as np
        >>> from uniqnets.thermo import path_entropy_production
        >>> pe = path_entropy_production(np.array([[0.0], [1.0], [0.5]]), lambda X: -0.5 * X,
        ...                              1.0)
        >>> print(pe.cumulative("medium"))
        [-0.375   -0.09375]
        """
        which = check_choice(which, "which", ("total", "medium", "system"))
        arr = getattr(self, which)
        if arr is None:
            raise ValueError(f"which={which!r} needs log_density")
        return np.cumsum(arr, axis=-1)


def _noise_kind(noise_cov):
    """``("field", None)``, ``("matrix", array)`` or ``("scalar", float)`` for noise_cov."""
    if callable(noise_cov):
        return "field", None
    if isinstance(noise_cov, np.ndarray) and noise_cov.ndim == 0:
        noise_cov = noise_cov[()]
    if isinstance(noise_cov, (list, tuple, np.ndarray)):
        # per-point covariances of a diverged run hold NaN: finiteness is checked later
        Q = check_array(noise_cov, "noise_cov", finite=False)
        return ("field" if Q.ndim in (3, 4) else "matrix"), Q
    return "scalar", check_real(noise_cov, "noise_cov", lo=0.0, lo_open=True)


def path_entropy_production(path, drift, noise_cov, *, log_density=None,
                            batched: bool = True) -> PathEntropy:
    """Stochastic entropy production per step along paths of a Gaussian-kernel chain.

    The chain is ``theta_{t+1} = theta_t + b(theta_t) + xi_t``, ``xi_t ~ N(0, Q(theta_t))``.
    For each step the *medium* term is the log ratio of the forward to the reversed
    transition density,

    .. code-block:: text

        log N(theta_{t+1} - theta_t - b(theta_t); 0, Q(theta_t))
          - log N(theta_t - theta_{t+1} - b(theta_{t+1}); 0, Q(theta_{t+1})),

    which needs no knowledge of the distribution ``p_t``.  With ``log_density`` the
    *system* term ``log p_t(theta_t) - log p_{t+1}(theta_{t+1})`` is added; the mean of
    the sum is Definition 7's entropy production per step.  At stationarity any
    normalised ``log_density`` that does not depend on ``t`` gives an unbiased estimate
    of the stationary entropy production (the system terms telescope), and one close to
    the stationary density reduces its variance.

    Parameters
    ----------
    path : array_like, shape (n_steps + 1, d) or (n_paths, n_steps + 1, d)
        Sampled states, at least two per path; a one-dimensional chain has ``d = 1``.
        Non-finite states (a diverged run) are allowed and reported in ``finite``.
    drift : callable or array_like
        ``b(theta)``, the mean displacement of one step (``-eta grad L`` for gradient
        steps).  A callable takes an array of points ``(m, d)`` and returns ``(m, d)``
        (or one point ``(d,)`` -> ``(d,)`` with ``batched=False``); an array gives the
        drift at every point of ``path`` (same shape as ``path``).
    noise_cov : float, array_like or callable
        ``Q(theta)``: a float ``> 0`` (isotropic variance ``q I``), a ``(d, d)`` matrix
        (constant), a callable ``(m, d) -> (m, d, d)`` (or ``(d,) -> (d, d)`` with
        ``batched=False``), or an array of shape ``path.shape + (d,)`` with the
        covariance at every point.  Each must be symmetric positive definite.
    log_density : callable, optional
        ``log_density(t, X)`` -> ``log p_t`` at the points ``X`` (shape ``(m, d)`` ->
        ``(m,)``), for ``t = 0..n_steps`` (called with ``batched=False`` per point as
        ``log_density(t, x)``).
    batched : bool
        Whether the callables take arrays of points (default) or one point at a time.

    Returns
    -------
    PathEntropy
        Per-step terms, shape ``(n_paths, n_steps)`` (``(n_steps,)`` for one path).

    References
    ----------
    U. Seifert, Rep. Prog. Phys. 75 (2012) 126001, Sec. 3 and 6 (discrete time: 6.3).

    Examples
    --------
    Two steps against the drift ``-x/2``, each taking heat from the medium:

    >>> import numpy as np
    >>> from uniqnets.thermo import path_entropy_production
    >>> path = np.array([[0.0, 0.0], [1.0, 0.0], [1.0, 1.0]])
    >>> pe = path_entropy_production(path, lambda X: -0.5 * X, 0.5)
    >>> print(pe.medium)
    [-0.75 -0.75]
    """
    batched = check_bool(batched, "batched")
    if log_density is not None:
        check_callable(log_density, "log_density")
    path = check_array(path, "path", ndim=(2, 3), finite=False)
    single = path.ndim == 2
    P = path[None] if single else path
    n_paths, n_pts, d = P.shape
    if n_pts < 2:
        raise ValueError(f"path must hold at least two states, got {n_pts}")
    X = P.reshape(-1, d)
    finite_pts = np.all(np.isfinite(X), axis=1)
    Xs = np.where(finite_pts[:, None], X, 0.0)  # keep callables away from NaN/inf

    # drift at every point
    if callable(drift):
        B = eval_points(drift, Xs, batched, "drift", (d,))
    else:
        B = check_array(drift, "drift", finite=False)
        if B.shape != path.shape:
            raise ValueError(f"drift array must have the shape of path {path.shape}, got {B.shape}")
        B = B.reshape(-1, d)

    kind, Qc = _noise_kind(noise_cov)
    if kind == "field":
        check_size(X.shape[0] * d * d * 4, "path")  # Q, its Cholesky factors and copies

    rf = (P[:, 1:] - P[:, :-1] - B.reshape(P.shape)[:, :-1]).reshape(-1, d)  # forward residuals
    rr = (P[:, :-1] - P[:, 1:] - B.reshape(P.shape)[:, 1:]).reshape(-1, d)   # reversed residuals

    with np.errstate(invalid="ignore", over="ignore"):
        if kind == "field":
            if callable(noise_cov):
                Q = eval_points(noise_cov, Xs, batched, "noise_cov", (d, d))
            else:
                Q = Qc
                if Q.shape != (*path.shape, d):
                    raise ValueError(f"noise_cov array must have shape {(*path.shape, d)}, "
                                     f"got {Q.shape}")
                Q = Q.reshape(-1, d, d)
            ok = finite_pts & np.all(np.isfinite(Q), axis=(1, 2))
            Qok = np.where(ok[:, None, None], Q, np.eye(d))
            if not np.allclose(Qok, np.swapaxes(Qok, 1, 2), rtol=1e-10,
                               atol=1e-14 * max(np.abs(Qok).max(), 1e-300)):
                raise ValueError("noise_cov must be symmetric at every point")
            try:
                Lc = np.linalg.cholesky(Qok)
            except np.linalg.LinAlgError:
                bad = [i for i in range(Qok.shape[0]) if np.any(np.linalg.eigvalsh(Qok[i]) <= 0)]
                raise ValueError(f"noise_cov must be positive definite; it is not at point "
                                 f"{bad[0]} of the flattened path") from None
            logdet = 2.0 * np.sum(np.log(np.diagonal(Lc, axis1=1, axis2=2)), axis=1)
            Lc = Lc.reshape(n_paths, n_pts, d, d)
            logdet = logdet.reshape(n_paths, n_pts)
            zf = np.linalg.solve(Lc[:, :-1].reshape(-1, d, d), rf[..., None])[..., 0]
            zr = np.linalg.solve(Lc[:, 1:].reshape(-1, d, d), rr[..., None])[..., 0]
            qf = np.sum(zf * zf, axis=1).reshape(n_paths, n_pts - 1)
            qr = np.sum(zr * zr, axis=1).reshape(n_paths, n_pts - 1)
            medium = 0.5 * (qr - qf) + 0.5 * (logdet[:, 1:] - logdet[:, :-1])
        else:
            if kind == "scalar":
                q = Qc
                qf = np.sum(rf * rf, axis=1) / q
                qr = np.sum(rr * rr, axis=1) / q
            else:
                _, Lc = spd(Qc, "noise_cov", d)
                zf = sla.solve_triangular(Lc, rf.T, lower=True)
                zr = sla.solve_triangular(Lc, rr.T, lower=True)
                qf = np.sum(zf * zf, axis=0)
                qr = np.sum(zr * zr, axis=0)
            # constant covariance: the normalisations cancel
            medium = (0.5 * (qr - qf)).reshape(n_paths, n_pts - 1)

        system = None
        if log_density is not None:
            lp = np.empty((n_paths, n_pts))
            for t in range(n_pts):
                pts = np.where(finite_pts.reshape(n_paths, n_pts)[:, t, None], P[:, t], 0.0)
                if batched:
                    val = check_array(log_density(t, pts), "log_density(t, X)", finite=False,
                                      min_size=0)
                else:
                    val = np.array([float(log_density(t, x)) for x in pts])
                if val.shape != (n_paths,):
                    raise ValueError(f"log_density(t, X) must return shape ({n_paths},), "
                                     f"got {val.shape}")
                lp[:, t] = val
            system = lp[:, :-1] - lp[:, 1:]

    finite = np.all(finite_pts.reshape(n_paths, n_pts), axis=1) & np.all(np.isfinite(medium),
                                                                          axis=1)
    if system is not None:
        finite &= np.all(np.isfinite(system), axis=1)
        system = np.where(finite[:, None], system, np.nan)
    medium = np.where(finite[:, None], medium, np.nan)
    if single:
        return PathEntropy(medium[0], None if system is None else system[0], bool(finite[0]))
    return PathEntropy(medium, system, finite)
