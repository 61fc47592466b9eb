"""Entropy production of Markov chains with Gaussian kernels: exact, path-wise, binned.

A training step ``theta' = theta + b(theta) + xi`` with ``xi ~ N(0, Q(theta))``
(full-batch Langevin: ``b = -eta grad L``, ``Q = 2 eta T I``; SGD in its Gaussian
approximation: ``Q = eta^2 Sigma(theta) / B``) is a discrete-time Markov chain with
kernel ``P(theta'|theta) = N(theta'; theta + b(theta), Q(theta))``.  Its entropy
production over one step from the distribution ``p_t`` is the Kullback-Leibler
divergence between the forward and the time-reversed path measures,

    Sigma_t = KL( p_t(theta) P(theta'|theta) || p_{t+1}(theta') P(theta|theta') ),

where the reversed measure runs the *same* kernel backwards (the parameters are even
under time reversal: there are no momenta to flip).  Along one realised path the
integrand is the stochastic entropy production of Seifert (2012),

    sigma_t = [log p_t(theta_t) - log p_{t+1}(theta_{t+1})]          (system)
              + log P(theta_{t+1}|theta_t) / P(theta_t|theta_{t+1})  (medium),

whose mean is ``Sigma_t`` and which satisfies the integral fluctuation theorem
``E[exp(-sum_t sigma_t)] = 1``.

What this module offers:

* :func:`path_entropy_production` - the medium (and, given densities, system) terms
  along sampled paths, for constant or state-dependent covariances;
* closed forms for the linear-Gaussian chain ``theta' = M theta + xi``
  (:func:`linear_gaussian_entropy_production`,
  :func:`linear_gaussian_stationary_entropy_production`; :func:`euler_ou_chain` builds
  ``M, Q`` for the Euler step of an Ornstein-Uhlenbeck process) and for the
  continuous-time Ornstein-Uhlenbeck process ``dx = -A x dt + sqrt(2D) dW``
  (:func:`ou_entropy_production`, :func:`ou_stationary_entropy_production`);
* finite-state chains: :func:`markov_entropy_production` (Schnakenberg's formula) and
  :func:`grid_transition_matrix`, a quadrature (Nystrom) discretisation of a
  one-dimensional Gaussian-kernel chain that gives numerically exact references;
* :func:`binned_entropy_production` - the coarse-grained estimator (bins, transition
  counts, KL between forward and reversed counts);
* :func:`fluctuation_theorem_check` - ``E[exp(-sigma)]`` with its standard error;
* :class:`MinibatchNoise` - the exact covariance of the mini-batch gradient of an
  :class:`uniqnets.models.Objective`.

Units: entropies in nats (``k_B = 1``); ``*_rate`` quantities per unit of the
continuous time ``t``, per-step quantities per step of the chain.

References
----------
U. Seifert, "Stochastic thermodynamics, fluctuation theorems and molecular machines",
Rep. Prog. Phys. 75 (2012) 126001.
J. Schnakenberg, "Network theory of microscopic and macroscopic behavior of master
equation systems", Rev. Mod. Phys. 48 (1976) 571-585.
G. E. Crooks, "Entropy production fluctuation theorem and the nonequilibrium work
relation for free energy differences", Phys. Rev. E 60 (1999) 2721-2726.
C. Godreche, J.-M. Luck, "Characterising the nonequilibrium stationary states of
Ornstein-Uhlenbeck processes", J. Phys. A 52 (2019) 035002.
E. Roldan, J. M. R. Parrondo, "Estimating dissipation from single stationary
trajectories", Phys. Rev. Lett. 105 (2010) 150607.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
import scipy.linalg as sla
from scipy.special import logsumexp

from .._validate import check_int

__all__ = [
    "BinnedEntropy",
    "FluctuationCheck",
    "LinearGaussianEntropy",
    "MarkovEntropy",
    "MinibatchNoise",
    "OUEntropy",
    "PathEntropy",
    "binned_entropy_production",
    "euler_ou_chain",
    "fluctuation_theorem_check",
    "gaussian_entropy",
    "grid_transition_matrix",
    "linear_gaussian_entropy_production",
    "linear_gaussian_stationary_entropy_production",
    "markov_entropy_production",
    "ou_entropy_production",
    "ou_stationary_entropy_production",
    "GaussianChainPath",
    "path_entropy_production",
    "sample_gaussian_chain",
    "stationary_distribution",
]

_LOG2PI = np.log(2.0 * np.pi)


# -- input checks -------------------------------------------------------------------------

def _square(name, a, d=None):
    a = np.asarray(a, dtype=float)
    if a.ndim != 2 or a.shape[0] != a.shape[1]:
        raise ValueError(f"{name} must be a square matrix, got shape {a.shape}")
    if d is not None and a.shape[0] != d:
        raise ValueError(f"{name} must have shape ({d}, {d}), got {a.shape}")
    if not np.all(np.isfinite(a)):
        raise ValueError(f"{name} must be finite")
    return a


def _spd(name, a, d=None):
    """``a`` as a symmetric positive-definite matrix, and its Cholesky factor."""
    a = _square(name, a, d)
    if not np.allclose(a, a.T, rtol=1e-10, atol=1e-14 * np.abs(a).max()):
        raise ValueError(f"{name} must be symmetric")
    try:
        chol = np.linalg.cholesky(a)
    except np.linalg.LinAlgError:
        raise ValueError(f"{name} must be positive definite") from None
    return a, chol


def gaussian_entropy(C) -> float:
    """Differential entropy ``(1/2) log det(2 pi e C)`` of ``N(m, C)``, in nats.

    ``C``: covariance, shape ``(d, d)``, symmetric positive definite.
    Reference: Cover & Thomas, *Elements of Information Theory*, Thm. 8.4.1.
    """
    C, L = _spd("C", C)
    d = C.shape[0]
    return float(0.5 * d * (_LOG2PI + 1.0) + np.sum(np.log(np.diag(L))))


# -- path-wise entropy production ---------------------------------------------------------

@dataclass
class PathEntropy:
    """Per-step stochastic entropy production along paths.

    Attributes
    ----------
    medium : array, shape (n_paths, n_steps) (or (n_steps,) for one path)
        ``log P(theta_{t+1}|theta_t) - log P(theta_t|theta_{t+1})``: the entropy
        delivered to the medium (heat over temperature, for Langevin dynamics).
    system : array of the same shape, or None
        ``log p_t(theta_t) - log p_{t+1}(theta_{t+1})``, when densities were given.
    finite : bool array, shape (n_paths,) (or a bool for one path)
        False for a path with a non-finite point or term (a diverged run); its
        entries are NaN.
    """

    medium: np.ndarray
    system: np.ndarray | None
    finite: np.ndarray

    @property
    def total(self) -> np.ndarray | None:
        """``medium + system`` per step (None without densities)."""
        return None if self.system is None else self.medium + self.system

    def cumulative(self, which: str = "total") -> np.ndarray:
        """Running sum over steps of ``which`` (``"total"``, ``"medium"``, ``"system"``)."""
        if which not in ("total", "medium", "system"):
            raise ValueError(f"which must be 'total', 'medium' or 'system', got {which!r}")
        arr = getattr(self, which)
        if arr is None:
            raise ValueError(f"which={which!r} needs log_density")
        return np.cumsum(arr, axis=-1)


def _eval_points(fn, X, batched, name, out_shape):
    """fn on the points X (m, d), batched or one by one, checked against out_shape."""
    m = X.shape[0]
    if batched:
        out = np.asarray(fn(X), dtype=float)
    else:
        out = np.array([np.asarray(fn(x), dtype=float) for x in X])
    expected = (m, *out_shape)
    if out.shape != expected:
        got = out.shape[1:] if out.ndim >= 1 and out.shape[:1] == (m,) else out.shape
        raise ValueError(f"{name} must return shape {out_shape} per point, got {got}")
    return out


def path_entropy_production(path, drift, noise_cov, *, log_density=None,
                            batched: bool = True) -> PathEntropy:
    """Stochastic entropy production per step along paths of a Gaussian-kernel chain.

    The chain is ``theta_{t+1} = theta_t + b(theta_t) + xi_t``, ``xi_t ~ N(0, Q(theta_t))``.
    For each step the *medium* term is the log ratio of the forward to the reversed
    transition density,

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
    path : array, shape (n_steps + 1, d) or (n_paths, n_steps + 1, d)
        Sampled states; a one-dimensional chain has ``d = 1``.
    drift : callable or array
        ``b(theta)``, the mean displacement of one step (``-eta grad L`` for gradient
        steps).  A callable takes an array of points ``(m, d)`` and returns ``(m, d)``
        (or one point ``(d,)`` -> ``(d,)`` with ``batched=False``); an array gives the
        drift at every point of ``path`` (same shape as ``path``).
    noise_cov : float, array or callable
        ``Q(theta)``: a positive float (isotropic variance ``q I``), a ``(d, d)`` matrix
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

    Reference: Seifert (2012), Sec. 3 and 6 (discrete time: Sec. 6.3).
    """
    path = np.asarray(path, dtype=float)
    if path.ndim not in (2, 3):
        raise ValueError(f"path must have shape (n_steps + 1, d) or (n_paths, n_steps + 1, d), "
                         f"got {path.shape}")
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
        B = _eval_points(drift, Xs, batched, "drift", (d,))
    else:
        B = np.asarray(drift, dtype=float)
        if B.shape != path.shape:
            raise ValueError(f"drift array must have the shape of path {path.shape}, got {B.shape}")
        B = B.reshape(-1, d)

    rf = (P[:, 1:] - P[:, :-1] - B.reshape(P.shape)[:, :-1]).reshape(-1, d)  # forward residuals
    rr = (P[:, :-1] - P[:, 1:] - B.reshape(P.shape)[:, 1:]).reshape(-1, d)   # reversed residuals

    with np.errstate(invalid="ignore", over="ignore"):
        if callable(noise_cov) or (np.ndim(noise_cov) == 3 or np.ndim(noise_cov) == 4):
            if callable(noise_cov):
                Q = _eval_points(noise_cov, Xs, batched, "noise_cov", (d, d))
            else:
                Q = np.asarray(noise_cov, dtype=float)
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
            if np.ndim(noise_cov) == 0:
                q = float(noise_cov)
                if not (np.isfinite(q) and q > 0):
                    raise ValueError(f"noise_cov must be positive, got {noise_cov}")
                qf = np.sum(rf * rf, axis=1) / q
                qr = np.sum(rr * rr, axis=1) / q
            else:
                _, Lc = _spd("noise_cov", noise_cov, d)
                zf = sla.solve_triangular(Lc, rf.T, lower=True)
                zr = sla.solve_triangular(Lc, rr.T, lower=True)
                qf = np.sum(zf * zf, axis=0)
                qr = np.sum(zr * zr, axis=0)
            # constant covariance: the normalisations cancel
            medium = (0.5 * (qr - qf)).reshape(n_paths, n_pts - 1)

        system = None
        if log_density is not None:
            if not callable(log_density):
                raise TypeError("log_density must be a callable log_density(t, X)")
            lp = np.empty((n_paths, n_pts))
            for t in range(n_pts):
                pts = np.where(finite_pts.reshape(n_paths, n_pts)[:, t, None], P[:, t], 0.0)
                if batched:
                    val = np.asarray(log_density(t, pts), dtype=float)
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


@dataclass
class GaussianChainPath:
    """Paths sampled by :func:`sample_gaussian_chain`.

    Attributes
    ----------
    path : array (n_paths, n_steps + 1, d)
        States; after a divergence the rest of that path is NaN.
    drift : array (n_paths, n_steps + 1, d)
        ``b(theta)`` at every state (pass it to :func:`path_entropy_production`).
    cov : array (n_paths, n_steps + 1, d, d) or None
        ``Q(theta)`` at every state when the covariance is state-dependent.
    diverged : bool array (n_paths,)
        Paths that left ``max_norm`` or produced a non-finite number.
    """

    path: np.ndarray
    drift: np.ndarray
    cov: np.ndarray | None
    diverged: np.ndarray


def sample_gaussian_chain(x0, drift, noise_cov, n_steps: int, rng: np.random.Generator, *,
                          batched: bool = True, max_norm: float = 1e6) -> GaussianChainPath:
    """Sample ``theta_{t+1} = theta_t + b(theta_t) + xi_t``, ``xi_t ~ N(0, Q(theta_t))``.

    Noise is drawn as ``L(theta) z`` with ``L`` the Cholesky factor of ``Q`` and
    ``z ~ N(0, I_d)`` from ``rng`` (one ``(n_paths, d)`` block per step).

    Parameters
    ----------
    x0 : array (d,) or (n_paths, d), initial states
    drift, noise_cov : as in :func:`path_entropy_production` (callables or constants)
    n_steps : int >= 1
    rng : numpy.random.Generator
    batched : bool
        The callables take ``(m, d)`` arrays (default) or one point at a time.
    max_norm : float
        A path whose norm exceeds this, or that becomes non-finite, is marked diverged
        and frozen at NaN from then on.

    Returns
    -------
    GaussianChainPath
    """
    from .._validate import check_rng as _check_rng

    rng = _check_rng(rng)
    x0 = np.asarray(x0, dtype=float)
    if x0.ndim not in (1, 2):
        raise ValueError(f"x0 must have shape (d,) or (n_paths, d), got {x0.shape}")
    X = x0[None].copy() if x0.ndim == 1 else x0.copy()
    if not np.all(np.isfinite(X)):
        raise ValueError("x0 must be finite")
    n_steps = check_int(n_steps, "n_steps", 1)
    n, d = X.shape
    state_dependent = callable(noise_cov)
    if not state_dependent:
        if np.ndim(noise_cov) == 0:
            if not (np.isfinite(noise_cov) and noise_cov > 0):
                raise ValueError(f"noise_cov must be positive, got {noise_cov}")
            Lconst = np.sqrt(float(noise_cov)) * np.eye(d)
        else:
            _, Lconst = _spd("noise_cov", noise_cov, d)
    path = np.full((n, n_steps + 1, d), np.nan)
    drifts = np.full((n, n_steps + 1, d), np.nan)
    covs = np.full((n, n_steps + 1, d, d), np.nan) if state_dependent else None
    alive = np.ones(n, dtype=bool)
    path[:, 0] = X

    def evaluate(Xa):
        b = _eval_points(drift, Xa, batched, "drift", (d,))
        Q = _eval_points(noise_cov, Xa, batched, "noise_cov", (d, d)) if state_dependent else None
        return b, Q

    with np.errstate(over="ignore", invalid="ignore"):
        for t in range(n_steps + 1):
            idx = np.flatnonzero(alive)
            if idx.size == 0:
                break
            b, Q = evaluate(path[idx, t])
            ok = np.all(np.isfinite(b), axis=1)
            if Q is not None:
                ok &= np.all(np.isfinite(Q), axis=(1, 2))
            drifts[idx[ok], t] = b[ok]
            if Q is not None:
                covs[idx[ok], t] = Q[ok]
            alive[idx[~ok]] = False
            path[idx[~ok], t] = np.nan
            if t == n_steps:
                break
            z = rng.standard_normal((n, d))[idx]  # one block per step: streams do not
            # depend on which paths are still alive
            if Q is None:
                noise = z @ Lconst.T
            else:
                try:
                    Lc = np.linalg.cholesky(np.where(ok[:, None, None], Q, np.eye(d)))
                except np.linalg.LinAlgError:
                    raise ValueError(f"noise_cov must be positive definite; it is not at "
                                     f"step {t}") from None
                noise = np.einsum("mij,mj->mi", Lc, z)
            new = path[idx, t] + b + noise
            good = ok & np.all(np.isfinite(new), axis=1) & (np.linalg.norm(new, axis=1) <= max_norm)
            path[idx[good], t + 1] = new[good]
            alive[idx[~good]] = False
    return GaussianChainPath(path, drifts, covs, ~alive)


# -- the linear-Gaussian chain (discrete-time OU, AR(1)) ----------------------------------

def euler_ou_chain(A, D, eta: float):
    """``(M, Q) = (I - eta A, 2 eta D)``: one Euler-Maruyama step of ``dx = -A x dt + sqrt(2D) dW``.

    Shapes ``(d, d)``; ``eta`` is the step in units of ``t``.  For the Langevin
    training step ``theta' = theta - eta grad L + sqrt(2 eta T) xi`` on the quadratic
    loss ``L = theta^T A theta / 2`` this is the chain with ``D = T I``.
    """
    A = _square("A", A)
    D, _ = _spd("D", D, A.shape[0])
    if not (np.isfinite(eta) and eta > 0):
        raise ValueError(f"eta must be a finite number > 0, got {eta}")
    return np.eye(A.shape[0]) - eta * A, 2.0 * eta * D


def _check_chain(M, Q):
    M = _square("M", M)
    Q, _ = _spd("Q", Q, M.shape[0])
    return M, Q


def linear_gaussian_stationary_entropy_production(M, Q) -> float:
    """Stationary entropy production per step of ``x' = M x + xi``, ``xi ~ N(0, Q)``.

    With ``C`` the stationary covariance (``C = M C M^T + Q``) and the antisymmetric
    ``K = M C - C M^T``, which vanishes exactly when the chain is reversible,

        Sigma = KL(pi(x) P(x'|x) || pi(x') P(x|x')) = tr( Q^{-1} M (C M^T - M C) )
              = -tr(Q^{-1} M K)   [nats per step].

    Derivation: at stationarity the system term has mean zero and the medium term
    has mean ``(1/2) tr(Q^{-1} E[r r^T]) - d/2`` with ``r = x - M x'``; using
    ``C = M C M^T + Q``, ``E[r r^T] - Q = -(M K - K M^T)``.  Written with ``K`` the
    formula has no cancellation between large terms.

    Parameters
    ----------
    M : array (d, d), spectral radius < 1
    Q : array (d, d), symmetric positive definite

    Returns
    -------
    float, nats per step (>= 0 up to rounding).
    """
    M, Q = _check_chain(M, Q)
    rho = np.max(np.abs(np.linalg.eigvals(M)))
    if rho >= 1:
        raise ValueError(f"M must have spectral radius < 1 (a stationary chain), got {rho:.6g}")
    C = sla.solve_discrete_lyapunov(M, Q)
    C = 0.5 * (C + C.T)
    K = M @ C - C @ M.T
    return float(-np.trace(np.linalg.solve(Q, M @ K)))


@dataclass
class LinearGaussianEntropy:
    """Entropy budget of the linear-Gaussian chain ``x' = M x + xi`` from ``N(m0, C0)``.

    Attributes (arrays over steps ``t = 0..n_steps``, or ``1..n_steps`` for per-step ones)
    ----------
    cov : (n_steps + 1, d, d)   covariance ``C_t``
    mean : (n_steps + 1, d)     mean ``m_t``
    entropy : (n_steps + 1,)    differential entropy ``H_t`` of ``N(m_t, C_t)``
    step : (n_steps,)           entropy production of step ``t -> t+1`` (Definition 7)
    medium : (n_steps,)         mean medium entropy flow of the step
    """

    cov: np.ndarray
    mean: np.ndarray
    entropy: np.ndarray
    step: np.ndarray
    medium: np.ndarray

    @property
    def total(self) -> np.ndarray:
        """Cumulative entropy production ``Delta Sigma`` after ``1..n_steps`` steps."""
        return np.cumsum(self.step)

    def log_density(self, t: int, X) -> np.ndarray:
        """``log p_t`` at points ``X`` of shape (m, d): for :func:`path_entropy_production`."""
        X = np.atleast_2d(np.asarray(X, dtype=float))
        C, m = self.cov[t], self.mean[t]
        L = np.linalg.cholesky(C)
        z = sla.solve_triangular(L, (X - m).T, lower=True)
        d = C.shape[0]
        return -0.5 * np.sum(z * z, axis=0) - np.sum(np.log(np.diag(L))) - 0.5 * d * _LOG2PI


def linear_gaussian_entropy_production(M, Q, C0, n_steps: int, m0=None) -> LinearGaussianEntropy:
    """Exact entropy production per step of ``x' = M x + xi`` started from ``N(m0, C0)``.

    ``p_t = N(m_t, C_t)`` with ``m_{t+1} = M m_t``, ``C_{t+1} = M C_t M^T + Q``.  With
    second moments ``S_t = C_t + m_t m_t^T``, the mean medium term of step ``t`` is

        E[log P(x'|x) / P(x|x')] = (1/2) tr(Q^{-1} E[r r^T]) - d/2,
        E[r r^T] = S_t - S_t M^T M^T - M M S_t + M S_{t+1} M^T,   r = x - M x',

    and the entropy production is ``Sigma_t = H_{t+1} - H_t + E[medium]``
    (Definition 7; Seifert 2012, Sec. 6.3).

    Parameters
    ----------
    M : (d, d);  Q : (d, d) SPD;  C0 : (d, d) SPD;  n_steps : int >= 1;  m0 : (d,), optional

    Returns
    -------
    LinearGaussianEntropy
    """
    M, Q = _check_chain(M, Q)
    d = M.shape[0]
    C0, _ = _spd("C0", C0, d)
    n_steps = check_int(n_steps, "n_steps", 1)
    m0 = np.zeros(d) if m0 is None else np.asarray(m0, dtype=float)
    if m0.shape != (d,):
        raise ValueError(f"m0 must have shape ({d},), got {m0.shape}")
    n = int(n_steps)
    Qinv = np.linalg.inv(Q)
    covs, means = np.empty((n + 1, d, d)), np.empty((n + 1, d))
    covs[0], means[0] = C0, m0
    for t in range(n):
        C = M @ covs[t] @ M.T + Q
        covs[t + 1] = 0.5 * (C + C.T)
        means[t + 1] = M @ means[t]
    H = np.array([gaussian_entropy(C) for C in covs])
    S = covs + means[:, :, None] * means[:, None, :]
    MM = M @ M
    medium = np.empty(n)
    for t in range(n):
        Err = S[t] - S[t] @ MM.T - MM @ S[t] + M @ S[t + 1] @ M.T
        medium[t] = 0.5 * np.sum(Qinv * Err) - 0.5 * d
    step = np.diff(H) + medium
    return LinearGaussianEntropy(covs, means, H, step, medium)


# -- the continuous-time Ornstein-Uhlenbeck process ---------------------------------------

def _check_ou(A, D):
    A = _square("A", A)
    D, _ = _spd("D", D, A.shape[0])
    ev = np.linalg.eigvals(A)
    if np.min(ev.real) <= 0:
        raise ValueError(f"A must be stable (eigenvalues with positive real part), "
                         f"got min Re = {np.min(ev.real):.6g}")
    return A, D


def ou_stationary_entropy_production(A, D) -> float:
    """Stationary entropy production rate of ``dx = -A x dt + sqrt(2D) dW``, nats per unit time.

    With ``C`` the stationary covariance, ``A C + C A^T = 2 D``,

        Sigma_dot = tr(A^T D^{-1} A C) - tr(A)

    (the mean of ``v^T D^{-1} v`` with the mean local velocity
    ``v = -(A - D C^{-1}) x``); it vanishes exactly when ``D^{-1} A`` is symmetric
    (detailed balance).  Reference: Godreche & Luck (2019); Seifert (2012).

    ``A``: (d, d) with eigenvalues of positive real part; ``D``: (d, d) SPD.
    """
    A, D = _check_ou(A, D)
    C = sla.solve_continuous_lyapunov(A, 2.0 * D)
    C = 0.5 * (C + C.T)
    # written as the mean of v^T D^{-1} v, a sum of non-negative terms
    V = A - D @ np.linalg.inv(C)
    return float(np.trace(V.T @ np.linalg.solve(D, V) @ C))


@dataclass
class OUEntropy:
    """Entropy budget of the OU process from ``N(m0, C0)`` at the times ``t``.

    Attributes (first axis over the times ``t``)
    ----------
    t : (n,)               times (units of the process's time)
    cov : (n, d, d)        ``C(t)``;  mean : (n, d)   ``m(t)``
    entropy : (n,)         differential entropy ``H(t)`` of ``p_t``
    rate : (n,)            entropy production rate ``Sigma_dot(t)`` (nats per unit time)
    total : (n,)           ``Delta Sigma(t) = int_0^t Sigma_dot``
    medium : (n,)          entropy delivered to the medium, ``int_0^t S_med_dot``
                           (so ``total = entropy - entropy(0) + medium``)
    """

    t: np.ndarray
    cov: np.ndarray
    mean: np.ndarray
    entropy: np.ndarray
    rate: np.ndarray
    total: np.ndarray
    medium: np.ndarray


def ou_entropy_production(A, D, C0, t, m0=None) -> OUEntropy:
    """Exact transient entropy production of ``dx = -A x dt + sqrt(2D) dW`` from ``N(m0, C0)``.

    ``C(t) = C_inf + e^{-At} (C0 - C_inf) e^{-A^T t}``, ``m(t) = e^{-At} m0``,
    ``H(t) = (1/2) log det(2 pi e C(t))``.  The medium entropy flow rate (heat over
    temperature) is ``tr(A^T D^{-1} A S(t)) - tr(A)`` with ``S = C + m m^T``, and the
    total rate is

        Sigma_dot(t) = tr(A^T D^{-1} A S(t)) - 2 tr(A) + tr(D C(t)^{-1})  >= 0.

    The time integrals are closed forms: ``int_0^t S ds = t C_inf + X + Y`` where
    ``A X + X A^T = K - e^{-At} K e^{-A^T t}`` (``K = C0 - C_inf``) and
    ``A Y + Y A^T = m0 m0^T - m(t) m(t)^T``.  Reference: Seifert (2012), Sec. 4.

    Parameters
    ----------
    A : (d, d) stable;  D : (d, d) SPD;  C0 : (d, d) SPD
    t : float or array of times >= 0
    m0 : (d,), optional (default 0)

    Returns
    -------
    OUEntropy
    """
    A, D = _check_ou(A, D)
    d = A.shape[0]
    C0, _ = _spd("C0", C0, d)
    ts = np.atleast_1d(np.asarray(t, dtype=float))
    if ts.ndim != 1 or not np.all(np.isfinite(ts)) or np.any(ts < 0):
        raise ValueError("t must be a finite time >= 0 or a 1-d array of them")
    m0 = np.zeros(d) if m0 is None else np.asarray(m0, dtype=float)
    if m0.shape != (d,):
        raise ValueError(f"m0 must have shape ({d},), got {m0.shape}")
    Cinf = sla.solve_continuous_lyapunov(A, 2.0 * D)
    Cinf = 0.5 * (Cinf + Cinf.T)
    K = C0 - Cinf
    G = A.T @ np.linalg.solve(D, A)  # A^T D^{-1} A
    trA = np.trace(A)
    n = ts.size
    covs, means = np.empty((n, d, d)), np.empty((n, d))
    H, rate, med = np.empty(n), np.empty(n), np.empty(n)
    mm0 = np.outer(m0, m0)
    for i, s in enumerate(ts):
        E = sla.expm(-A * s)
        C = Cinf + E @ K @ E.T
        C = 0.5 * (C + C.T)
        m = E @ m0
        S = C + np.outer(m, m)
        X = sla.solve_continuous_lyapunov(A, K - E @ K @ E.T)
        Y = sla.solve_continuous_lyapunov(A, mm0 - np.outer(m, m))
        intS = s * Cinf + X + Y
        covs[i], means[i] = C, m
        H[i] = gaussian_entropy(C)
        rate[i] = np.sum(G * S) - 2.0 * trA + np.trace(np.linalg.solve(C, D))
        med[i] = np.sum(G * intS) - s * trA
    H0 = gaussian_entropy(C0)
    return OUEntropy(ts, covs, means, H, rate, H - H0 + med, med)


# -- finite-state chains ------------------------------------------------------------------

def _check_stochastic(P):
    P = _square("P", P)
    if np.any(P < 0) or not np.allclose(P.sum(axis=1), 1.0, rtol=0, atol=1e-10):
        raise ValueError("P must be a row-stochastic matrix (non-negative rows summing to 1)")
    return P


def stationary_distribution(P) -> np.ndarray:
    """The stationary distribution ``pi = pi P`` of an irreducible row-stochastic ``P`` (K, K).

    Computed by the Grassmann-Taksar-Heyman state-reduction algorithm, which uses no
    subtractions and so gets every entry to a small *relative* error, however small
    the entry (an LU solve of ``pi (P - I) = 0`` only gets them to an absolute error
    ``~ eps``, which turns the far tails of a double-well density into zeros or
    negative numbers and their logarithms into nonsense).  No library we use offers
    it, hence the dozen lines here.  Cost ``K^3 / 3`` flops.

    Reference: W. K. Grassmann, M. I. Taksar, D. P. Heyman, "Regenerative analysis and
    steady state distributions for Markov chains", Oper. Res. 33 (1985) 1107-1116.
    """
    P = _check_stochastic(P)
    K = P.shape[0]
    A = P.copy()
    for k in range(K - 1, 0, -1):
        s = A[k, :k].sum()
        if not s > 0:
            raise ValueError("P must be irreducible (a state cannot reach lower-numbered ones)")
        A[:k, k] /= s
        A[:k, :k] += np.outer(A[:k, k], A[k, :k])
    pi = np.zeros(K)
    pi[0] = 1.0
    for k in range(1, K):
        pi[k] = pi[:k] @ A[:k, k]
    return pi / pi.sum()


@dataclass
class MarkovEntropy:
    """Entropy budget of one step of a finite chain from ``p`` (nats).

    total = system + medium;  system = H(p P) - H(p) (Shannon);
    medium = sum_ij p_i P_ij log(P_ij / P_ji).
    """

    total: float
    system: float
    medium: float


def markov_entropy_production(P, p=None, *, log_P=None) -> MarkovEntropy:
    """Entropy production of one step of a finite Markov chain (Schnakenberg's formula).

    ``Sigma = sum_ij p_i P_ij log( p_i P_ij / (p'_j P_ji) )`` with ``p' = p P``; without
    ``p`` the stationary distribution is used, and then

        Sigma = (1/2) sum_ij (pi_i P_ij - pi_j P_ji) log( pi_i P_ij / (pi_j P_ji) ),

    a sum of non-negative terms that is zero exactly for a reversible chain.  A
    transition allowed one way only gives ``inf``.

    Parameters
    ----------
    P : array (K, K), row-stochastic
    p : array (K,), optional, a probability vector
    log_P : array (K, K), optional
        ``log P`` computed without underflow (as :func:`grid_transition_matrix` returns
        it).  Discretised Gaussian kernels have entries that underflow to 0 one way and
        not the other; with ``log_P`` such pairs contribute their true, negligible
        amount instead of ``inf``.

    Returns
    -------
    MarkovEntropy
    """
    P = _check_stochastic(P)
    if log_P is not None:
        log_P = np.asarray(log_P, dtype=float)
        if log_P.shape != P.shape or np.any(np.isnan(log_P)):
            raise ValueError(f"log_P must be an array of shape {P.shape} without NaN")
    K = P.shape[0]
    stationary = p is None
    if stationary:
        p = stationary_distribution(P)
    else:
        p = np.asarray(p, dtype=float)
        if p.shape != (K,) or np.any(p < 0) or not np.isclose(p.sum(), 1.0, atol=1e-10):
            raise ValueError(f"p must be a probability vector of length {K}")
    q = p @ P
    F = p[:, None] * P          # forward flux p_i P_ij
    with np.errstate(divide="ignore", invalid="ignore"):
        logP = np.log(P) if log_P is None else log_P   # -inf where impossible
        logF = np.log(p)[:, None] + logP
        if stationary:
            # (1/2) sum (F - F^T) log(F / F^T): non-negative terms, zero where F = F^T
            diff = F - F.T
            lr = logF - logF.T
            # pairs whose fluxes both underflow carry nothing measurable (not inf)
            tiny = np.maximum(F, F.T) < 1e-300
            term = np.where((diff == 0) | (lr == 0) | tiny, 0.0, diff * lr)
            total = 0.5 * float(np.sum(term))
        else:
            logR = np.log(q)[None, :] + logP.T  # log p'_j P_ji
            total = float(np.sum(np.where(F > 0, F * (logF - logR), 0.0)))
        medium = float(np.sum(np.where(F > 0, F * (logP - logP.T), 0.0)))

    def shannon(v):
        v = v[v > 0]
        return float(-np.sum(v * np.log(v)))

    return MarkovEntropy(total, shannon(q) - shannon(p), medium)


def grid_transition_matrix(grid, drift: Callable, noise_var):
    """A one-dimensional Gaussian-kernel chain discretised on a uniform grid (Nystrom).

    ``P_ij = h N(x_j; x_i + b(x_i), q(x_i)) / Z_i`` with ``h`` the grid step and
    ``Z_i`` the row sum.  The quadrature keeps detailed balance exactly: if the
    continuous kernel is reversible with respect to ``pi``, the matrix is reversible
    with respect to ``pi(x_i) Z_i``.  For a smooth kernel whose standard deviation is
    several grid steps, stationary densities and entropy productions of the matrix
    converge to those of the continuous-state chain faster than any power of ``h``
    (the trapezoidal rule on smooth, rapidly decaying integrands).

    Parameters
    ----------
    grid : array (K,), uniform, increasing
    drift : callable, ``b(x)`` on an array of points (K,) -> (K,)
    noise_var : float or callable ``q(x)`` (K,) -> (K,), positive

    Returns
    -------
    P : array (K, K), row-stochastic
    log_P : array (K, K), ``log P`` without underflow (for :func:`markov_entropy_production`)
    lost : float, the largest probability mass a row loses off the grid before
        normalisation (a check that the grid covers the chain's reach).
    """
    x = np.asarray(grid, dtype=float)
    if x.ndim != 1 or x.size < 3:
        raise ValueError(f"grid must be a 1-d array of at least 3 points, got shape {x.shape}")
    h = np.diff(x)
    if np.any(h <= 0) or not np.allclose(h, h[0], rtol=1e-8):
        raise ValueError("grid must be uniform and increasing")
    h = h[0]
    mu = x + np.asarray(drift(x), dtype=float)
    q = np.asarray(noise_var(x) if callable(noise_var) else np.full_like(x, noise_var),
                   dtype=float)
    if mu.shape != x.shape or q.shape != x.shape:
        raise ValueError("drift and noise_var must return one value per grid point")
    if not np.all(np.isfinite(q)) or np.any(q <= 0):
        raise ValueError("noise_var must be positive at every grid point")
    logk = (-0.5 * (x[None, :] - mu[:, None]) ** 2 / q[:, None]
            - 0.5 * np.log(2 * np.pi * q)[:, None])
    logW = np.log(h) + logk
    logZ = logsumexp(logW, axis=1)
    if not np.all(np.isfinite(logZ)) or np.any(logZ < np.log(1e-12)):
        raise ValueError("a row of the kernel has (almost) no mass on the grid; widen the grid")
    log_P = logW - logZ[:, None]
    return np.exp(log_P), log_P, float(np.max(np.abs(1.0 - np.exp(logZ))))


# -- the coarse-grained estimator ---------------------------------------------------------

@dataclass
class BinnedEntropy:
    """Result of :func:`binned_entropy_production`.

    Attributes
    ----------
    estimate : float
        ``sum_{i<j} (N_ij - N_ji)/N log(N_ij/N_ji)``, nats per step (pairs seen both ways).
    n_transitions : int
        ``N``, transitions counted (including those that stay in a bin).
    n_pairs : int
        Unordered pairs of distinct bins seen in both directions.
    n_one_sided : int
        Pairs seen in one direction only (their ``log`` is infinite; skipped unless a
        pseudocount is given).
    null_bias : float
        ``n_pairs / N``: the leading-order mean of ``estimate`` for a reversible chain
        with independent transitions (each pair contributes ``(a-b) log(a/b) ~ (a-b)^2/
        mean ~ 2`` for ``a, b`` Poisson of equal mean).  An estimate of this size is
        noise.
    counts : array (K, K) of int
        Transition counts ``N_ij`` between bins (flat bin index).
    """

    estimate: float
    n_transitions: int
    n_pairs: int
    n_one_sided: int
    null_bias: float
    counts: np.ndarray


def _labels(path, bins, range_):
    """Flat bin labels of the states of ``path`` (n_paths, n_pts[, d])."""
    if bins is None:
        lab = np.asarray(path)
        if not np.issubdtype(lab.dtype, np.integer) or np.any(lab < 0):
            raise ValueError("with bins=None, path must hold non-negative integer state labels")
        return lab, int(lab.max()) + 1
    P = np.asarray(path, dtype=float)
    d = P.shape[-1]
    flat = P.reshape(-1, d)
    if not np.all(np.isfinite(flat)):
        raise ValueError("path must be finite for binning")
    if np.ndim(bins) == 0:
        if int(bins) != bins or bins < 1:
            raise ValueError(f"bins must be a positive integer, got {bins}")
        bins = [int(bins)] * d
    if len(bins) != d:
        raise ValueError(f"bins must give one entry per dimension ({d}), got {len(bins)}")
    if range_ is not None and len(range_) != d:
        raise ValueError(f"range must give (lo, hi) per dimension ({d})")
    idx, shape = [], []
    for k, b in enumerate(bins):
        if np.ndim(b) == 0:
            lo, hi = (flat[:, k].min(), flat[:, k].max()) if range_ is None else range_[k]
            if not lo < hi:
                hi = lo + 1.0
            edges = np.linspace(lo, hi, int(b) + 1)
        else:
            edges = np.asarray(b, dtype=float)
            if edges.ndim != 1 or edges.size < 2 or np.any(np.diff(edges) <= 0):
                raise ValueError(f"bins[{k}] must be increasing bin edges")
        nb = edges.size - 1
        # points outside the edges go to the outermost bins, so no transition is lost
        i = np.clip(np.searchsorted(edges, flat[:, k], side="right") - 1, 0, nb - 1)
        idx.append(i)
        shape.append(nb)
    lab = np.ravel_multi_index(idx, shape).reshape(P.shape[:-1])
    return lab, int(np.prod(shape))


def binned_entropy_production(path, bins, *, range=None, pseudocount: float = 0.0
                              ) -> BinnedEntropy:
    """Coarse-grained entropy production per step from transition counts between bins.

    The estimator the preprint proposes (its Sec. 6.1.4): partition parameter space
    into bins, count transitions ``N_ij`` from bin ``i`` to bin ``j`` along stationary
    paths, and take the KL divergence between the forward and reversed count
    statistics,

        Sigma_hat = sum_{i<j} (N_ij - N_ji)/N log(N_ij / N_ji).

    With infinite data it converges to the entropy production of the coarse-grained
    pair distribution, a *lower bound* on the true stationary value (KL does not grow
    under coarse-graining); with finite data it is biased upward by about
    ``null_bias`` (see :class:`BinnedEntropy`).  It assumes stationarity.

    Parameters
    ----------
    path : array, shape (n_pts, d) or (n_paths, n_pts, d) of states; or, with
        ``bins=None``, integer state labels of shape (n_pts,) or (n_paths, n_pts)
    bins : int, sequence (one int or one array of edges per dimension), or None
        As for :func:`numpy.histogramdd`; states outside the edges are assigned to the
        outermost bins.
    range : sequence of (lo, hi) per dimension, optional (for integer ``bins``)
    pseudocount : float >= 0
        Added to both directions of every pair seen at least once; 0 skips pairs seen
        one way only.

    Returns
    -------
    BinnedEntropy

    Reference: Roldan & Parrondo (2010).
    """
    if not (np.isfinite(pseudocount) and pseudocount >= 0):
        raise ValueError(f"pseudocount must be a finite number >= 0, got {pseudocount}")
    arr = np.asarray(path)
    if bins is None:
        if arr.ndim not in (1, 2):
            raise ValueError("with bins=None, path must have shape (n_pts,) or (n_paths, n_pts)")
        arr = arr[None] if arr.ndim == 1 else arr
    else:
        if arr.ndim not in (2, 3):
            raise ValueError(f"path must have shape (n_pts, d) or (n_paths, n_pts, d), "
                             f"got {arr.shape}")
        arr = arr[None] if arr.ndim == 2 else arr
    if arr.shape[1] < 2:
        raise ValueError("path must hold at least two states")
    lab, K = _labels(arr, bins, range)
    a, b = lab[:, :-1].ravel(), lab[:, 1:].ravel()
    N = a.size
    # counts of visited (i, j) pairs without a K x K dense matrix when K is large
    keys, cnt = np.unique(a.astype(np.int64) * K + b, return_counts=True)
    counts = np.zeros((K, K), dtype=np.int64) if K <= 4096 else None
    if counts is not None:
        counts[keys // K, keys % K] = cnt
    lookup = dict(zip(keys.tolist(), cnt.tolist(), strict=True))
    est, n_pairs, n_one = 0.0, 0, 0
    for key, nij in lookup.items():
        i, j = divmod(key, K)
        if i == j:
            continue
        nji = lookup.get(j * K + i, 0)
        if i > j and nji > 0:
            continue  # a two-sided pair is counted once, from its (i < j) side
        if nji == 0:
            n_one += 1
            if pseudocount == 0:
                continue
        x, y = nij + pseudocount, nji + pseudocount
        est += (x - y) * np.log(x / y)
        n_pairs += 1
    return BinnedEntropy(float(est / N), int(N), int(n_pairs), int(n_one), n_pairs / N,
                         counts if counts is not None else np.empty((0, 0), dtype=np.int64))


# -- fluctuation theorem -------------------------------------------------------------------

@dataclass
class FluctuationCheck:
    """``E[exp(-sigma)]`` estimated from samples.

    Attributes
    ----------
    mean : float           sample mean of ``exp(-sigma)`` (1 if the theorem holds)
    stderr : float         its standard error, ``std / sqrt(n)``
    n : int                number of samples
    ess : float            effective sample size ``(sum w)^2 / sum w^2`` of the weights
                           ``w = exp(-sigma)``: when it is a small fraction of ``n``, the
                           mean rests on a few rare paths and its error bar is unreliable
    mean_sigma : float     sample mean of ``sigma`` (>= 0 by Jensen if the theorem holds)
    frac_negative : float  fraction of samples with ``sigma < 0``
    """

    mean: float
    stderr: float
    n: int
    ess: float
    mean_sigma: float
    frac_negative: float

    @property
    def z(self) -> float:
        """``(mean - 1) / stderr``: the deviation from the theorem in standard errors."""
        return (self.mean - 1.0) / self.stderr if self.stderr > 0 else float("inf")


def fluctuation_theorem_check(sigmas) -> FluctuationCheck:
    """Sample mean of ``exp(-sigma)`` with its standard error (integral fluctuation theorem).

    For the total stochastic entropy production ``sigma`` of a path (system plus
    medium, from the true initial density to any normalised final density),
    ``E[exp(-sigma)] = 1`` exactly (Seifert 2012, Sec. 6.1).  Computed in scaled form,
    so very negative ``sigma`` do not overflow unless the mean itself does.

    Parameters
    ----------
    sigmas : array (n,), one total entropy production per path (nats), n >= 2

    Returns
    -------
    FluctuationCheck
    """
    s = np.asarray(sigmas, dtype=float).ravel()
    if s.size < 2:
        raise ValueError(f"sigmas must hold at least two samples, got {s.size}")
    if not np.all(np.isfinite(s)):
        raise ValueError("sigmas must be finite (drop diverged paths first)")
    n = s.size
    shift = np.max(-s)                      # w = exp(-s) = exp(shift) * exp(-s - shift)
    ws = np.exp(-s - shift)                 # in (0, 1]
    mean_s = ws.mean()
    var_s = ws.var(ddof=1)
    with np.errstate(over="ignore"):
        scale = np.exp(shift)
        mean = float(mean_s * scale)
        stderr = float(np.sqrt(var_s / n) * scale)
    ess = float(ws.sum() ** 2 / np.sum(ws * ws))
    return FluctuationCheck(mean, stderr, n, ess, float(s.mean()), float(np.mean(s < 0)))


# -- mini-batch gradient noise ------------------------------------------------------------

class MinibatchNoise:
    """Exact covariance of the mini-batch gradient of an :class:`~uniqnets.models.Objective`.

    For a batch of ``B`` samples drawn uniformly from the ``n`` training samples,
    ``Cov[grad L_B(theta)] = c * S(theta)`` with the per-sample gradient covariance
    ``S = (1/n) sum_i (g_i - g)(g_i - g)^T`` and ``c = (n - B) / (B (n - 1))`` without
    replacement (``1/B`` with).  ``S`` has rank at most ``n - 1``.

    The per-sample gradients ``g_i`` are exact
    (:meth:`~uniqnets.models.Objective.per_sample_grads`, one vectorised backward pass).

    Parameters
    ----------
    objective : uniqnets.models.Objective
    batch_size : int, 1..n
    replace : bool
        Batches drawn with replacement (i.i.d. samples) or without (default).
    """

    def __init__(self, objective, batch_size: int, replace: bool = False):
        from ..models import Objective

        if not isinstance(objective, Objective):
            raise TypeError(f"objective must be an Objective, got {type(objective).__name__}")
        n = objective.n_samples
        if int(batch_size) != batch_size or not 1 <= batch_size <= n:
            raise ValueError(f"batch_size must be an integer in 1..{n}, got {batch_size}")
        self.objective, self.batch_size, self.replace = objective, int(batch_size), bool(replace)
        if replace:
            self.factor = 1.0 / self.batch_size
        else:
            self.factor = (n - self.batch_size) / (self.batch_size * (n - 1)) if n > 1 else 0.0

    def grads(self, theta) -> np.ndarray:
        """Per-sample gradients ``g_i(theta)``, shape (n, d)."""
        return self.objective.per_sample_grads(theta)

    def sample_cov(self, theta) -> np.ndarray:
        """``S(theta)``, the per-sample gradient covariance, shape (d, d)."""
        G = self.grads(theta)
        G = G - G.mean(axis=0)
        return G.T @ G / G.shape[0]

    def __call__(self, theta) -> np.ndarray:
        """``Cov[grad L_B(theta)] = factor * S(theta)``, shape (d, d)."""
        return self.factor * self.sample_cov(theta)
