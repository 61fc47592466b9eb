"""Lyapunov exponents: QR (Benettin) spectra of products of matrices, maps and flows.

The core is :func:`qr_exponents`: given the tangent matrices ``J_1, J_2, ...``
of a dynamical system (or simply a sequence of random matrices), it keeps an
orthonormal frame ``Q`` of ``k`` directions, re-orthonormalises
``J_t Q = Q' R`` by a QR decomposition and accumulates ``log |R_ii|``.  By
Oseledets' multiplicative ergodic theorem the averages converge to the ``k``
largest Lyapunov exponents (Benettin et al. 1980).

Everything else is built on that one loop:

* :func:`lyapunov_spectrum` for maps ``x_{t+1} = F(x_t)`` (or ``F_t(x_t)``, a
  time-dependent map such as SGD with a fixed batch sequence), given the map and
  its Jacobian-vector product;
* :func:`lyapunov_spectrum_flow` for flows ``dx/dt = f(x)``, integrating the
  state and the variational equation ``dV/dt = Df(x) V`` together with RK4;
* :func:`twin_divergence`, the distance between two trajectories started a small
  ``delta0`` apart, and :func:`finite_time_exponents`, exponents over windows;
* reference systems with known exponents (:func:`logistic`, :func:`henon`,
  :func:`lorenz`) and :func:`gaussian_product_exponents`, the exact spectrum of
  products of independent Gaussian matrices (Newman 1986), the known answers
  every estimate here is checked against;
* training dynamics of :mod:`uniqnets.models` networks:
  :func:`training_spectrum` (the spectrum of gradient descent / SGD / Langevin
  along a run of :func:`uniqnets.models.train`, tangent map ``I - eta H`` by exact
  Hessian-vector products), :func:`sharpness` and :func:`hessian_spectrum`
  (Hessian eigenvalues), :func:`critical_point` (a Newton polish of the end of a
  run) and :func:`fixed_point_exponents` (the exponents ``ln|1 - eta mu_i|`` of
  gradient descent at a critical point).

Units: exponents of maps are per step (natural log); of flows, per unit time.

References
----------
V. I. Oseledets, "A multiplicative ergodic theorem", Trans. Moscow Math. Soc. 19
(1968) 197-231.
G. Benettin, L. Galgani, A. Giorgilli, J.-M. Strelcyn, "Lyapunov characteristic
exponents for smooth dynamical systems ...; a method for computing all of them",
Meccanica 15 (1980) 9-20.
C. M. Newman, "The distribution of Lyapunov exponents: exact results for random
matrices", Commun. Math. Phys. 103 (1986) 121-126.
J. C. Sprott, *Chaos and Time-Series Analysis*, Oxford University Press (2003),
Appendix A (reference exponents of the Henon map and the Lorenz system).
J. Cohen, S. Kaur, Y. Li, J. Z. Kolter, A. Talwalkar, "Gradient descent on neural
networks typically occurs at the edge of stability", ICLR 2021 (sharpness vs 2/eta).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass

import numpy as np
from scipy.optimize import minimize
from scipy.sparse.linalg import LinearOperator, eigsh
from scipy.special import digamma

from .. import models
from .._validate import check_int as _check_int
from .._validate import check_rng

__all__ = [
    "LyapunovResult",
    "QRResult",
    "ReferenceFlow",
    "ReferenceMap",
    "TwinResult",
    "TrainingSpectrum",
    "critical_point",
    "finite_time_exponents",
    "fixed_point_exponents",
    "gaussian_product_exponents",
    "henon",
    "hessian_spectrum",
    "logistic",
    "lorenz",
    "lyapunov_spectrum",
    "lyapunov_spectrum_flow",
    "predicted_divergence_time",
    "qr_exponents",
    "rk4_map",
    "sharpness",
    "training_spectrum",
    "twin_divergence",
]


def gaussian_product_exponents(k: int, sigma: float = 1.0) -> np.ndarray:
    """Exact Lyapunov spectrum of products of k x k matrices with i.i.d. N(0, sigma^2) entries.

    Newman (1986): ``lambda_i = ln sigma + (ln 2 + psi((k - i + 1) / 2)) / 2`` for
    ``i = 1..k``, with ``psi`` the digamma function; natural log per factor.

    Returns
    -------
    array, shape (k,), in decreasing order.
    """
    k = _check_int(k, "k", 1)
    if not (np.isfinite(sigma) and sigma > 0):
        raise ValueError(f"sigma must be a finite number > 0, got {sigma}")
    i = np.arange(1, int(k) + 1)
    return np.log(sigma) + 0.5 * (np.log(2.0) + digamma((k - i + 1) / 2.0))


@dataclass
class QRResult:
    """Result of a QR accumulation.

    Attributes
    ----------
    exponents : array, shape (k,)
        Estimated exponents per step (natural log), ``sum_t log|R_ii(t)| / n_steps``.
    log_r : array, shape (n_steps, k)
        The per-step increments ``log |R_ii(t)|``; running estimates are
        ``cumsum(log_r, 0) / arange(1, n_steps + 1)[:, None]``.
    Q : array, shape (d, k)
        The final orthonormal frame.
    """

    exponents: np.ndarray
    log_r: np.ndarray
    Q: np.ndarray

    @property
    def running(self) -> np.ndarray:
        """Running estimates after each step, shape (n_steps, k)."""
        n = self.log_r.shape[0]
        return np.cumsum(self.log_r, axis=0) / np.arange(1, n + 1)[:, None]

    def stderr(self, n_blocks: int = 20) -> np.ndarray:
        """Batch-means standard error of ``exponents``, shape (k,).

        The increments are split into ``n_blocks`` contiguous blocks; the standard
        deviation of the block means over ``sqrt(n_blocks)`` estimates the error of
        the mean when blocks are longer than the correlation time.
        """
        n = self.log_r.shape[0]
        if n < 2 * n_blocks:
            raise ValueError(f"n_blocks={n_blocks} needs at least {2 * n_blocks} steps, have {n}")
        m = n // n_blocks
        means = self.log_r[: m * n_blocks].reshape(n_blocks, m, -1).mean(axis=1)
        return means.std(axis=0, ddof=1) / np.sqrt(n_blocks)


def qr_exponents(matrices: Iterable, k: int | None = None, Q0=None) -> QRResult:
    """Top-``k`` Lyapunov exponents of the product ``... J_2 J_1`` by repeated QR.

    Parameters
    ----------
    matrices : iterable of arrays of shape (d, d), or of callables
        The factors in order of application.  A callable ``J(Q) -> J @ Q`` (shape
        (d, k) -> (d, k)) may stand for a matrix that is never formed, such as
        ``I - eta H`` applied by Hessian-vector products.  Streamed: only one
        factor is held at a time.
    k : int, optional
        Number of exponents (default: all ``d``; needs ``Q0`` or a matrix factor
        to know ``d``).
    Q0 : array (d, k), optional
        Initial frame (orthonormalised); default the first ``k`` unit vectors.

    Returns
    -------
    QRResult
    """
    Q = None if Q0 is None else np.linalg.qr(np.asarray(Q0, dtype=float))[0]
    if Q is not None and k is not None and Q.shape[1] != k:
        raise ValueError(f"Q0 has {Q.shape[1]} columns but k={k}")
    logs = []
    for t, J in enumerate(matrices):
        if Q is None:
            if callable(J):
                raise ValueError("Q0 is needed when the factors are callables")
            J = np.asarray(J)
            if J.ndim != 2 or J.shape[0] != J.shape[1]:
                raise ValueError(f"matrices must be square (d, d), factor {t} has shape {J.shape}")
            d = J.shape[0]
            kk = d if k is None else int(k)
            if not 1 <= kk <= d:
                raise ValueError(f"k must be in 1..{d}, got {k}")
            Q = np.eye(d, kk)
        JQ = J(Q) if callable(J) else np.asarray(J) @ Q
        if JQ.shape != Q.shape:
            raise ValueError(f"factor {t} maps a frame of shape {Q.shape} to {JQ.shape}")
        Q, R = np.linalg.qr(JQ)
        diag = np.diagonal(R)
        # fix signs so that Q is a continuous frame (R_ii > 0)
        s = np.where(diag < 0, -1.0, 1.0)
        Q = Q * s
        with np.errstate(divide="ignore"):
            logs.append(np.log(np.abs(diag)))
    if not logs:
        raise ValueError("matrices must contain at least one factor")
    log_r = np.array(logs)
    return QRResult(log_r.mean(axis=0), log_r, Q)


# -- input checks ---------------------------------------------------------------------------

def _check_state(x0, name="x0"):
    try:
        x = np.array(x0, dtype=float)
    except (TypeError, ValueError) as err:
        raise TypeError(f"{name} must be an array of real numbers") from err
    if x.ndim != 1 or x.size < 1:
        raise ValueError(f"{name} must be a non-empty 1-D array, got shape {x.shape}")
    if not np.all(np.isfinite(x)):
        raise ValueError(f"{name} must be finite")
    return x


def _check_callable(fn, name):
    if not callable(fn):
        raise TypeError(f"{name} must be callable, got {type(fn).__name__}")
    return fn


def _initial_frame(d, k, Q0, rng):
    k = _check_int(k, "k", 1)
    if k > d:
        raise ValueError(f"k must be in 1..{d} (the dimension), got {k}")
    if Q0 is not None:
        Q0 = np.asarray(Q0, dtype=float)
        if Q0.shape != (d, k):
            raise ValueError(f"Q0 must have shape ({d}, {k}), got {Q0.shape}")
        if not np.all(np.isfinite(Q0)):
            raise ValueError("Q0 must be finite")
        Q, R = np.linalg.qr(Q0)
        if np.min(np.abs(np.diagonal(R))) <= 1e-12 * max(1.0, np.max(np.abs(R))):
            raise ValueError("Q0 must have linearly independent columns")
        return Q
    if rng is None:
        return np.eye(d, k)
    rng = check_rng(rng)
    return np.linalg.qr(rng.standard_normal((d, k)))[0]


def _bad(x, max_norm):
    if not np.all(np.isfinite(x)):
        return True
    return max_norm is not None and float(np.linalg.norm(x)) > max_norm


def _progress(iterable, total, enabled, desc):
    if not enabled:
        return iterable
    from tqdm.auto import tqdm

    return tqdm(iterable, total=total, desc=desc)


# -- results --------------------------------------------------------------------------------

@dataclass
class LyapunovResult(QRResult):
    """Lyapunov spectrum of a map or a flow (a :class:`QRResult` with a time unit).

    Attributes
    ----------
    exponents : array, shape (k,)
        Estimated exponents, decreasing up to statistical error, per step (maps) or
        per unit time (flows), natural log.  All NaN if the run diverged.
    log_r : array, shape (n_renorm, k)
        ``log |R_ii|`` of each re-orthonormalisation (each covers ``dt`` time units).
    Q : array, shape (d, k)
        The final orthonormal frame (an estimate of the leading Oseledets subspace).
    dt : float
        Time covered by one row of ``log_r``: ``renorm_every`` steps of a map
        (``dt = renorm_every``) or ``renorm_every * dt`` of a flow.
    x : array, shape (d,)
        The final state (the last good one if the run diverged).
    diverged : bool
        True if the state or the tangent vectors stopped being finite (or the state
        exceeded ``max_norm``); the estimate then stops at the last good step and
        ``exponents`` are NaN: a diverging run has no Lyapunov spectrum.
    diverged_step : int or None
        Index ``t`` of the first bad state ``x_t``, counting steps from ``x0``
        (transient included).
    """

    dt: float = 1.0
    x: np.ndarray | None = None
    diverged: bool = False
    diverged_step: int | None = None

    @property
    def times(self) -> np.ndarray:
        """Time at the end of each row of ``log_r``, shape (n_renorm,)."""
        return self.dt * np.arange(1, self.log_r.shape[0] + 1)

    @property
    def running(self) -> np.ndarray:
        """Running estimates after each re-orthonormalisation, (n_renorm, k), per unit time."""
        return QRResult.running.fget(self) / self.dt

    def stderr(self, n_blocks: int = 20) -> np.ndarray:
        """Batch-means standard error (see :meth:`QRResult.stderr`), per unit time."""
        return QRResult.stderr(self, n_blocks) / self.dt


def finite_time_exponents(result: QRResult, window: int) -> np.ndarray:
    """Finite-time Lyapunov exponents: the QR increments averaged over windows.

    Parameters
    ----------
    result : QRResult or LyapunovResult
    window : int >= 1
        Number of rows of ``result.log_r`` per window (re-orthonormalisations).

    Returns
    -------
    array, shape (n_rows // window, k)
        Exponents over consecutive disjoint windows, per unit time (per step for a
        plain :class:`QRResult`).  Their spread measures how far the finite-time
        exponents are from the asymptotic ones; their mean over all windows is
        ``result.exponents`` (up to the dropped tail).
    """
    if not isinstance(result, QRResult):
        raise TypeError(f"result must be a QRResult, got {type(result).__name__}")
    window = _check_int(window, "window", 1)
    n = result.log_r.shape[0]
    if window > n:
        raise ValueError(f"window must be at most the number of increments ({n}), got {window}")
    m = n // window
    dt = getattr(result, "dt", 1.0)
    return result.log_r[: m * window].reshape(m, window, -1).mean(axis=1) / dt


# -- maps -----------------------------------------------------------------------------------

class _MapRun:
    """A map iterated alongside its tangent frame (shared by the transient and the run).

    ``advance(x, V, t) -> (x_next, DF_t(x) V)``; ``t`` is the global step index.
    """

    def __init__(self, advance, x, max_norm):
        self.advance = advance
        self.x, self.t = x, 0
        self.max_norm = max_norm
        self.diverged_step = None

    def factors(self, n_factors, per_factor):
        """Yield ``n_factors`` callables ``Q -> (product of per_factor Jacobians) Q``."""
        for _ in range(n_factors):
            if self.diverged_step is not None:
                return

            def factor(Q):
                V = Q
                with np.errstate(over="ignore", invalid="ignore"):
                    for _ in range(per_factor):
                        xn, V = self.advance(self.x, V, self.t)
                        xn = np.asarray(xn, dtype=float)
                        V = np.asarray(V, dtype=float)
                        self.t += 1
                        if xn.shape != self.x.shape:
                            raise ValueError(f"step must return shape {self.x.shape}, "
                                             f"got {xn.shape}")
                        if _bad(xn, self.max_norm) or not np.all(np.isfinite(V)):
                            self.diverged_step = self.t
                            return Q  # placeholder; this row is dropped afterwards
                        self.x = xn
                return V

            yield factor


def _spectrum(advance, x, n_steps, Q, n_transient, renorm_every, max_norm, progress, dt):
    """QR accumulation along a map given by ``advance``; ``dt`` is the time of one step."""
    run = _MapRun(advance, x, max_norm)
    k = Q.shape[1]
    if n_transient:
        Q = qr_exponents(run.factors(n_transient, 1), Q0=Q).Q
        if run.diverged_step is not None:
            return LyapunovResult(np.full(k, np.nan), np.empty((0, k)), Q,
                                  dt=renorm_every * dt, x=run.x.copy(), diverged=True,
                                  diverged_step=run.diverged_step)
    n_factors = n_steps // renorm_every
    facs = _progress(run.factors(n_factors, renorm_every), n_factors, progress, "Lyapunov")
    res = qr_exponents(facs, Q0=Q)
    log_r = res.log_r
    diverged = run.diverged_step is not None
    if diverged:
        log_r = log_r[:-1]  # the row of the failed factor is not an estimate
        exps = np.full(k, np.nan)
    else:
        exps = log_r.mean(axis=0) / (renorm_every * dt)
    return LyapunovResult(exps, log_r, res.Q, dt=renorm_every * dt, x=run.x.copy(),
                          diverged=diverged, diverged_step=run.diverged_step)


def lyapunov_spectrum(step: Callable, jvp: Callable, x0, n_steps: int, k: int = 1,
                      n_transient: int = 0, renorm_every: int = 1, *, Q0=None,
                      rng: np.random.Generator | None = None, time_dependent: bool = False,
                      max_norm: float | None = None, progress: bool = False) -> LyapunovResult:
    """Top-``k`` Lyapunov exponents of a map ``x_{t+1} = F(x_t)`` by the QR (Benettin) method.

    The tangent frame is propagated by the Jacobian along the orbit,
    ``V <- DF(x_t) V``, and re-orthonormalised every ``renorm_every`` steps; the
    exponents are the averaged ``log |R_ii|`` (:func:`qr_exponents`).

    Parameters
    ----------
    step : callable ``step(x) -> x_next``, shapes (d,) -> (d,)
    jvp : callable ``jvp(x, V) -> DF(x) @ V``, shapes (d,), (d, k) -> (d, k)
        The Jacobian of ``step`` at ``x`` applied to a block of directions; it need
        never be formed (for training maps, ``V - eta * H V`` by Hessian-vector
        products).
    x0 : array, shape (d,), finite
    n_steps : int >= 1
        Steps of the measured run; a multiple of ``renorm_every``.
    k : int in 1..d
        Number of exponents.
    n_transient : int >= 0
        Steps discarded first, to let the orbit settle on its attractor and the frame
        align with the leading Oseledets directions (both are evolved).
    renorm_every : int >= 1
        Steps between re-orthonormalisations.  Larger values save QR work but let the
        frame collapse towards the top direction (and overflow) in between; 1 is
        always safe.
    Q0 : array (d, k), optional
        Initial frame; by default random orthonormal from ``rng`` when given, else the
        first ``k`` unit vectors.
    rng : numpy.random.Generator, optional
        Only used to draw the initial frame.
    time_dependent : bool
        For a non-autonomous map ``x_{t+1} = F_t(x_t)`` (e.g. SGD with a given batch
        sequence, batch ``t`` at step ``t``): the callables are then called as
        ``step(x, t)`` and ``jvp(x, V, t)`` with the global step index ``t = 0, 1, ...``
        counted from ``x0`` (transient steps included).
    max_norm : float, optional
        A state with ``||x|| > max_norm`` counts as diverged (non-finite states always do).
    progress : bool
        Show a ``tqdm`` progress bar.

    Returns
    -------
    LyapunovResult
        ``exponents`` per step; ``diverged`` is set (and ``exponents`` are NaN) if the
        orbit or the tangent vectors stopped being finite.

    Examples
    --------
    >>> m = henon()
    >>> res = lyapunov_spectrum(m.step, m.jvp, m.x0, 20_000, k=2, n_transient=1000)
    >>> bool(abs(res.exponents.sum() - np.log(0.3)) < 1e-9)
    True
    """
    _check_callable(step, "step")
    _check_callable(jvp, "jvp")
    x = _check_state(x0)
    n_steps = _check_int(n_steps, "n_steps", 1)
    n_transient = _check_int(n_transient, "n_transient", 0)
    renorm_every = _check_int(renorm_every, "renorm_every", 1)
    if n_steps % renorm_every:
        raise ValueError(f"n_steps ({n_steps}) must be a multiple of renorm_every ({renorm_every})")
    if max_norm is not None and not max_norm > 0:
        raise ValueError(f"max_norm must be > 0 or None, got {max_norm}")
    Q = _initial_frame(x.size, k, Q0, rng)
    td = bool(time_dependent)

    def advance(y, V, t):
        if td:
            return step(y, t), jvp(y, V, t)
        return step(y), jvp(y, V)

    return _spectrum(advance, x, n_steps, Q, n_transient, renorm_every, max_norm, progress, 1.0)


# -- flows ----------------------------------------------------------------------------------

def rk4_map(f: Callable, dt: float, time_dependent: bool = False) -> Callable:
    """The classical fourth-order Runge-Kutta step of ``dx/dt = f(x)`` as a map.

    Returns ``step(x) -> x(t + dt)`` (or ``step(x, n)`` at time ``n * dt`` when
    ``time_dependent``, with ``f(x, t)``), e.g. for :func:`twin_divergence` on a flow.
    Local error O(dt^5).
    """
    _check_callable(f, "f")
    if not (np.isfinite(dt) and dt > 0):
        raise ValueError(f"dt must be a finite number > 0, got {dt}")
    h = float(dt)

    def step(x, n=0):
        t = n * h
        F = (lambda y, s: f(y, s)) if time_dependent else (lambda y, s: f(y))
        k1 = F(x, t)
        k2 = F(x + 0.5 * h * k1, t + 0.5 * h)
        k3 = F(x + 0.5 * h * k2, t + 0.5 * h)
        k4 = F(x + h * k3, t + h)
        return x + (h / 6.0) * (k1 + 2.0 * k2 + 2.0 * k3 + k4)

    return step


def lyapunov_spectrum_flow(f: Callable, jac: Callable, x0, t_total: float, dt: float, k: int = 1,
                           *, t_transient: float = 0.0, renorm_every: int = 1, Q0=None,
                           rng: np.random.Generator | None = None, time_dependent: bool = False,
                           jac_is_jvp: bool = False, max_norm: float | None = None,
                           progress: bool = False) -> LyapunovResult:
    """Top-``k`` Lyapunov exponents of a flow ``dx/dt = f(x)``, per unit time.

    The state and a tangent frame ``V`` (d, k) are integrated together, the
    variational equation ``dV/dt = Df(x) V`` sharing the RK4 stages of the state, so
    the frame is propagated by the exact derivative of the RK4 step (the tangent map
    of the discretised flow; its exponents differ from the flow's by O(dt^4)).  The
    frame is re-orthonormalised every ``renorm_every`` steps (:func:`qr_exponents`).

    Parameters
    ----------
    f : callable ``f(x) -> dx/dt``, shape (d,) -> (d,)
    jac : callable ``jac(x) -> Df(x)``, shape (d,) -> (d, d)
        Or, with ``jac_is_jvp=True``, ``jac(x, V) -> Df(x) @ V`` for a (d, k) block
        (for large d, e.g. a random network ``dx/dt = -x + J tanh(x)``, whose
        ``Df(x) V = -V + J (sech^2(x)[:, None] * V)``).
    x0 : array, shape (d,), finite
    t_total : float > 0
        Length of the measured run in time units; ``n = round(t_total / dt)`` RK4
        steps, a multiple of ``renorm_every``.
    dt : float > 0
        RK4 step.
    k : int in 1..d
    t_transient : float >= 0
        Time integrated (state and frame) before measuring.
    renorm_every, Q0, rng, max_norm, progress
        As in :func:`lyapunov_spectrum`.
    time_dependent : bool
        For a non-autonomous flow: ``f(x, t)`` and ``jac(x, t)`` (or ``jac(x, V, t)``),
        with ``t`` the time since ``x0`` (transient included).

    Returns
    -------
    LyapunovResult
        ``exponents`` per unit time, ``dt = renorm_every * dt``.

    Notes
    -----
    Because the tangent map is the Jacobian of the RK4 step, the sum of all ``d``
    exponents equals the time average of ``log |det D(RK4 step)| / dt``, which
    matches the time-averaged divergence ``tr Df`` to O(dt^4), independently of the
    run length: for Lorenz 63 at ``dt = 0.01`` the sum ``-(sigma + 1 + beta)`` is
    reproduced to about 1e-4, and halving ``dt`` divides that error by 16.
    """
    _check_callable(f, "f")
    _check_callable(jac, "jac")
    x = _check_state(x0)
    if not (np.isfinite(dt) and dt > 0):
        raise ValueError(f"dt must be a finite number > 0, got {dt}")
    if not (np.isfinite(t_total) and t_total > 0):
        raise ValueError(f"t_total must be a finite number > 0, got {t_total}")
    if not (np.isfinite(t_transient) and t_transient >= 0):
        raise ValueError(f"t_transient must be a finite number >= 0, got {t_transient}")
    n_steps = int(round(t_total / dt))
    n_transient = int(round(t_transient / dt))
    if n_steps < 1:
        raise ValueError(f"t_total ({t_total}) must be at least one step dt ({dt})")
    renorm_every = _check_int(renorm_every, "renorm_every", 1)
    if n_steps % renorm_every:
        raise ValueError(f"t_total / dt ({n_steps} steps) must be a multiple of renorm_every "
                         f"({renorm_every})")
    h = float(dt)
    td = bool(time_dependent)

    def F(y, s):
        return f(y, s) if td else f(y)

    def JV(y, V, s):
        if jac_is_jvp:
            return jac(y, V, s) if td else jac(y, V)
        J = jac(y, s) if td else jac(y)
        return J @ V

    # RK4 on the pair (x, V), written out here (rather than scipy.integrate) because the
    # tangent frame must follow the same fixed steps as the state, renormalised in between.
    def advance(y, V, n):
        t = n * h
        k1, L1 = F(y, t), JV(y, V, t)
        y2, V2 = y + 0.5 * h * k1, V + 0.5 * h * L1
        k2, L2 = F(y2, t + 0.5 * h), JV(y2, V2, t + 0.5 * h)
        y3, V3 = y + 0.5 * h * k2, V + 0.5 * h * L2
        k3, L3 = F(y3, t + 0.5 * h), JV(y3, V3, t + 0.5 * h)
        y4, V4 = y + h * k3, V + h * L3
        k4, L4 = F(y4, t + h), JV(y4, V4, t + h)
        return (y + (h / 6.0) * (k1 + 2.0 * k2 + 2.0 * k3 + k4),
                V + (h / 6.0) * (L1 + 2.0 * L2 + 2.0 * L3 + L4))

    Q = _initial_frame(x.size, k, Q0, rng)
    return _spectrum(advance, x, n_steps, Q, n_transient, renorm_every, max_norm, progress, h)


# -- twin trajectories ----------------------------------------------------------------------

@dataclass
class TwinResult:
    """Two trajectories started ``delta0`` apart.

    Attributes
    ----------
    distances : array, shape (n + 1,)
        ``||x_t - y_t||`` for ``t = 0..n`` (``n = n_steps``, or fewer if a run diverged),
        in the units of the state (or of ``norm``).
    perturbation : array, shape (d,)
        The initial offset ``y_0 - x_0``.
    x, y : arrays, shape (d,)
        Final states of the two runs.
    diverged : bool
        True if either run stopped being finite (or exceeded ``max_norm``); the
        distances then stop at the last step where both were good.
    diverged_step : int or None
    """

    distances: np.ndarray
    perturbation: np.ndarray
    x: np.ndarray
    y: np.ndarray
    diverged: bool = False
    diverged_step: int | None = None

    @property
    def steps(self) -> np.ndarray:
        """Step index of each distance, shape (n + 1,)."""
        return np.arange(self.distances.shape[0])

    def divergence_time(self, eps: float) -> int | None:
        """First step at which the distance reaches ``eps`` (None if it never does)."""
        if not (np.isfinite(eps) and eps > 0):
            raise ValueError(f"eps must be a finite number > 0, got {eps}")
        hit = np.flatnonzero(self.distances >= eps)
        return int(hit[0]) if hit.size else None

    def local_rates(self, window: int) -> np.ndarray:
        """Finite-time growth rates ``ln(d_{t+w} / d_t) / w`` over disjoint windows.

        Returns an array of shape ``(n // window,)``, per step; ``-inf`` where the
        distance reached exactly 0 (two runs that became bit-identical).
        """
        window = _check_int(window, "window", 1)
        d = self.distances
        m = (d.shape[0] - 1) // window
        if m < 1:
            raise ValueError(f"window must be at most {d.shape[0] - 1}, got {window}")
        idx = np.arange(m + 1) * window
        with np.errstate(divide="ignore", invalid="ignore"):
            return np.diff(np.log(d[idx])) / window


def twin_divergence(step: Callable, x0, delta0, n_steps: int,
                    rng: np.random.Generator | None = None, *, step_twin: Callable | None = None,
                    time_dependent: bool = False, norm: Callable | None = None,
                    max_norm: float | None = None) -> TwinResult:
    """Run ``x_{t+1} = F(x_t)`` from ``x0`` and from ``x0 + delta`` and record their distance.

    Parameters
    ----------
    step : callable ``step(x) -> x_next`` (or ``step(x, t)`` if ``time_dependent``)
    x0 : array, shape (d,), finite
    delta0 : float > 0, or array of shape (d,)
        Size of the initial offset, in a direction drawn uniformly on the sphere from
        ``rng``; or the offset vector itself (then ``rng`` is not used).
    n_steps : int >= 1
    rng : numpy.random.Generator
        Needed when ``delta0`` is a number.
    step_twin : callable, optional
        Map of the second run (default ``step``).  Two runs of mini-batch SGD with
        *independent* batch sequences are two different time-dependent maps; with the
        *same* sequence they share ``step``.
    time_dependent : bool
        Call the maps as ``step(x, t)``, ``t = 0..n_steps-1``.
    norm : callable ``norm(x, y) -> float``, optional
        Distance between the states (default Euclidean ``||x - y||``), e.g. a distance
        between the functions two networks compute.
    max_norm : float, optional
        A state with ``||x|| > max_norm`` counts as diverged (non-finite always does).

    Returns
    -------
    TwinResult

    Notes
    -----
    Where the top exponent ``lambda > 0`` and ``delta0`` is small, the distance grows
    like ``delta0 exp(lambda t)`` until it reaches the size of the attractor; where
    ``lambda < 0`` the twins reconverge until rounding (about ``1e-16 ||x||`` in
    float64) stops them.
    """
    _check_callable(step, "step")
    step_twin = step if step_twin is None else _check_callable(step_twin, "step_twin")
    x = _check_state(x0)
    n_steps = _check_int(n_steps, "n_steps", 1)
    if max_norm is not None and not max_norm > 0:
        raise ValueError(f"max_norm must be > 0 or None, got {max_norm}")
    if np.ndim(delta0) == 0:
        if not (np.isfinite(delta0) and delta0 > 0):
            raise ValueError(f"delta0 must be a finite number > 0 or an offset vector, "
                             f"got {delta0}")
        if not isinstance(rng, np.random.Generator):
            raise TypeError("rng must be a numpy.random.Generator when delta0 is a number, "
                            f"got {type(rng).__name__}")
        u = rng.standard_normal(x.size)
        pert = float(delta0) * u / np.linalg.norm(u)
    else:
        pert = _check_state(delta0, "delta0")
        if pert.shape != x.shape:
            raise ValueError(f"delta0 must be a number or have shape {x.shape}, got {pert.shape}")
    dist = (lambda a, b: float(np.linalg.norm(a - b))) if norm is None else \
        _check_callable(norm, "norm")
    y = x + pert
    out = [dist(x, y)]
    diverged, diverged_step = False, None
    with np.errstate(over="ignore", invalid="ignore"):
        for t in range(n_steps):
            xn = step(x, t) if time_dependent else step(x)
            yn = step_twin(y, t) if time_dependent else step_twin(y)
            xn, yn = np.asarray(xn, dtype=float), np.asarray(yn, dtype=float)
            if _bad(xn, max_norm) or _bad(yn, max_norm):
                diverged, diverged_step = True, t + 1
                break
            x, y = xn, yn
            out.append(dist(x, y))
    return TwinResult(np.array(out), pert, x, y, diverged, diverged_step)


def predicted_divergence_time(lam: float, delta0: float, eps: float) -> float:
    """Steps for a separation to grow from ``delta0`` to ``eps`` at rate ``lam``.

    ``T = ln(eps / delta0) / lam`` (the preprint's Corollary 14), in the time unit of
    ``lam``; ``inf`` when ``lam <= 0`` and ``eps > delta0`` (the separation never grows).
    """
    for name, v in (("delta0", delta0), ("eps", eps)):
        if not (np.isfinite(v) and v > 0):
            raise ValueError(f"{name} must be a finite number > 0, got {v}")
    if not np.isfinite(lam):
        raise ValueError(f"lam must be finite, got {lam}")
    if eps <= delta0:
        return 0.0
    return float(np.log(eps / delta0) / lam) if lam > 0 else float("inf")


# -- reference systems ----------------------------------------------------------------------

@dataclass(frozen=True)
class ReferenceMap:
    """A map with known Lyapunov exponents.

    Attributes
    ----------
    name : str
    step : callable ``x (d,) -> x_next (d,)``
    jvp : callable ``(x (d,), V (d, k)) -> DF(x) V (d, k)``
    jacobian : callable ``x (d,) -> DF(x) (d, d)``
    x0 : array (d,), a point in the basin of the attractor
    exponents : array (d,), per step
        Reference values (NaN where none is known for these parameters).
    exponents_error : float
        Uncertainty of the reference values (0 for exact ones).
    exponent_sum : float
        The exact sum of all exponents (``<log |det DF|>``), NaN if not known.
    reference : str
    """

    name: str
    step: Callable
    jvp: Callable
    jacobian: Callable
    x0: np.ndarray
    exponents: np.ndarray
    exponents_error: float
    exponent_sum: float
    reference: str

    @property
    def dim(self) -> int:
        return self.x0.size


@dataclass(frozen=True)
class ReferenceFlow:
    """A flow ``dx/dt = f(x)`` with known Lyapunov exponents (per unit time).

    Attributes as :class:`ReferenceMap`, with ``f`` and ``jac`` (``x -> Df(x)``,
    shape (d, d)) in place of the map.
    """

    name: str
    f: Callable
    jac: Callable
    x0: np.ndarray
    exponents: np.ndarray
    exponents_error: float
    exponent_sum: float
    reference: str

    @property
    def dim(self) -> int:
        return self.x0.size


def logistic(r: float = 4.0, x0: float = 0.1234) -> ReferenceMap:
    """The logistic map ``x -> r x (1 - x)`` on [0, 1].

    At ``r = 4`` it is conjugate to the tent map and its exponent is exactly ``ln 2``
    (Ulam & von Neumann 1947); other ``r`` have no closed form (``exponents`` NaN).
    """
    if not (np.isfinite(r) and 0 < r <= 4):
        raise ValueError(f"r must be in (0, 4], got {r}")
    if not 0 < x0 < 1:
        raise ValueError(f"x0 must be in (0, 1), got {x0}")
    r = float(r)

    def step(x):
        return r * x * (1.0 - x)

    def jacobian(x):
        return np.array([[r * (1.0 - 2.0 * x[0])]])

    def jvp(x, V):
        return r * (1.0 - 2.0 * x[0]) * V

    lam = np.log(2.0) if r == 4.0 else np.nan
    return ReferenceMap("logistic", step, jvp, jacobian, np.array([float(x0)]), np.array([lam]),
                        0.0, float(lam),
                        "S. M. Ulam, J. von Neumann, Bull. Amer. Math. Soc. 53 (1947) 1120")


# Sprott (2003), Appendix A: 0.41922 and -1.62319 for the classic parameters; the last
# digit is uncertain, hence the error of 5e-5
_HENON_L1 = 0.41922


def henon(a: float = 1.4, b: float = 0.3) -> ReferenceMap:
    """The Hénon map ``(x, y) -> (1 - a x^2 + y, b x)``.

    ``det DF = -b`` everywhere, so the two exponents add up to ``ln |b|`` exactly.
    For ``a = 1.4, b = 0.3`` the top exponent is 0.41922 (Sprott 2003).
    """
    if not (np.isfinite(a) and np.isfinite(b) and b != 0):
        raise ValueError(f"a and b must be finite and b nonzero, got a={a}, b={b}")
    a, b = float(a), float(b)

    def step(x):
        return np.array([1.0 - a * x[0] * x[0] + x[1], b * x[0]])

    def jacobian(x):
        return np.array([[-2.0 * a * x[0], 1.0], [b, 0.0]])

    def jvp(x, V):
        return np.stack([-2.0 * a * x[0] * V[0] + V[1], b * V[0]])

    classic = (a, b) == (1.4, 0.3)
    l1 = _HENON_L1 if classic else np.nan
    exps = np.array([l1, np.log(abs(b)) - l1])
    return ReferenceMap("henon", step, jvp, jacobian, np.array([0.0, 0.0]), exps,
                        5e-5 if classic else np.nan, float(np.log(abs(b))),
                        "M. Hénon, Commun. Math. Phys. 50 (1976) 69; exponents: Sprott (2003)")


def lorenz(sigma: float = 10.0, rho: float = 28.0, beta: float = 8.0 / 3.0) -> ReferenceFlow:
    """The Lorenz 63 system ``x' = sigma (y - x), y' = x (rho - z) - y, z' = x y - beta z``.

    The divergence ``tr Df = -(sigma + 1 + beta)`` is constant, so the exponents add
    up to it exactly.  For the classic parameters they are 0.9056, 0, -14.5723
    (Sprott 2003; last digit uncertain, error 5e-4).
    """
    if not all(np.isfinite(v) for v in (sigma, rho, beta)):
        raise ValueError(f"sigma, rho, beta must be finite, got {sigma}, {rho}, {beta}")
    s, r, bb = float(sigma), float(rho), float(beta)

    def f(x):
        return np.array([s * (x[1] - x[0]), x[0] * (r - x[2]) - x[1], x[0] * x[1] - bb * x[2]])

    def jac(x):
        return np.array([[-s, s, 0.0], [r - x[2], -1.0, -x[0]], [x[1], x[0], -bb]])

    classic = (s, r) == (10.0, 28.0) and abs(bb - 8.0 / 3.0) < 1e-15
    exps = np.array([0.9056, 0.0, -14.5723]) if classic else np.full(3, np.nan)
    return ReferenceFlow("lorenz", f, jac, np.array([1.0, 1.0, 1.0]), exps,
                         5e-4 if classic else np.nan, -(s + 1.0 + bb),
                         "E. N. Lorenz, J. Atmos. Sci. 20 (1963) 130; exponents: Sprott (2003)")


# -- training dynamics ----------------------------------------------------------------------

def _check_objective(objective):
    if not isinstance(objective, models.Objective):
        raise TypeError(f"objective must be a uniqnets.models.Objective, "
                        f"got {type(objective).__name__}")
    return objective


def _hessian_operator(objective, theta):
    d = objective.model.n_params
    th = objective._theta(np.asarray(theta, dtype=objective.dtype))
    if not np.all(np.isfinite(th)):
        raise ValueError("theta must be finite")
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
    theta : array, shape (d,)
    k : int, 1 <= k < d
    tol : float
        ARPACK's relative accuracy (0: machine precision).
    v0 : array (d,), optional
        Starting vector; by default a fixed pseudo-random vector (seed 0), so that the
        result does not depend on ARPACK's internal state (bit-for-bit reruns).

    Returns
    -------
    array, shape (k,), decreasing, in the units of the loss per parameter^2.
    """
    _check_objective(objective)
    d = objective.model.n_params
    k = _check_int(k, "k", 1)
    if k >= d:
        raise ValueError(f"k must be below the dimension {d} for Lanczos; "
                         "use hessian_spectrum for all eigenvalues")
    if v0 is None:
        v0 = np.random.default_rng(0).standard_normal(d)
    vals = eigsh(_hessian_operator(objective, theta), k=k, which="LA", tol=tol, v0=v0,
                 return_eigenvectors=False)
    return np.sort(vals)[::-1]


def hessian_spectrum(objective, theta) -> np.ndarray:
    """All Hessian eigenvalues of ``objective`` at ``theta``, decreasing, shape (d,).

    The Hessian is assembled column by column from exact Hessian-vector products
    (one block product with the identity), symmetrised and diagonalised with
    ``numpy.linalg.eigvalsh``; O(d) Hessian-vector products and O(d^3) work, meant
    for the few-hundred-parameter networks of the book.
    """
    _check_objective(objective)
    d = objective.model.n_params
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
    theta0 : array, shape (d,)
    gtol : float
        Stop when ``||grad L|| < gtol``.
    maxiter : int

    Returns
    -------
    theta : array, shape (d,)
    grad_norm : float
        ``||grad L(theta)||``; compare it with ``gtol`` before calling ``theta`` a
        critical point (trust-region methods may stop early on a flat valley).
    """
    _check_objective(objective)
    theta0 = _check_state(theta0, "theta0")
    if not (np.isfinite(gtol) and gtol > 0):
        raise ValueError(f"gtol must be a finite number > 0, got {gtol}")
    res = minimize(objective.loss, theta0, jac=objective.grad, hessp=objective.hvp,
                   method="trust-ncg", options={"gtol": gtol, "maxiter": int(maxiter)})
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
    eigenvalues : array, shape (m,)
        Hessian eigenvalues (e.g. from :func:`hessian_spectrum`).
    lr : float > 0

    Returns
    -------
    array, shape (m,), per step, decreasing (``-inf`` for ``mu = 1 / lr``).
    """
    mu = np.asarray(eigenvalues, dtype=float)
    if mu.ndim != 1 or mu.size < 1 or not np.all(np.isfinite(mu)):
        raise ValueError("eigenvalues must be a non-empty finite 1-D array")
    if not (np.isfinite(lr) and lr > 0):
        raise ValueError(f"lr must be a finite number > 0, got {lr}")
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

    Additional attributes
    ---------------------
    losses : array, shape (n_done + 1,)
        Full-data loss after each step from ``theta0`` (transient included), as
        computed by :func:`uniqnets.models.train`.
    saved_steps : int array, shape (n_saved,)
    saved_thetas : array, shape (n_saved, d)
        Parameters every ``save_every`` steps (empty if ``save_every`` is None), e.g.
        to follow the sharpness along the run.
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
    The frame is re-orthonormalised at every step (:func:`qr_exponents`).

    Parameters
    ----------
    objective : uniqnets.models.Objective
    theta0 : array, shape (d,), finite
    lr : float > 0
    n_steps : int >= 1
        Measured steps, after ``n_transient`` discarded ones (during which the frame
        is evolved too).
    k : int in 1..d
    method : {"gd", "sgd", "langevin"}
    batches : int array (n_transient + n_steps, B), needed for "sgd"
        The batch sequence (see :func:`uniqnets.models.batch_sequence`); two runs with
        the same sequence are the same non-autonomous map.
    temperature, rng : for "langevin" (``rng`` draws the noise)
    clip_norm : float, optional
        Gradient clipping, as in :func:`uniqnets.models.train`.
    Q0, frame_rng : initial frame (see :func:`lyapunov_spectrum`)
    max_norm : float
        Passed to :func:`uniqnets.models.train`: beyond it the run counts as diverged.
    save_every : int, optional
        Keep the parameters every this many steps (from step 0).
    chunk : int
        Steps per call of :func:`uniqnets.models.train`.
    progress : bool

    Returns
    -------
    TrainingSpectrum
        ``exponents`` per step; NaN and ``diverged = True`` if the run diverged (the
        exponent of a diverging run is not reported as a number).
    """
    obj = _check_objective(objective)
    theta = _check_state(theta0, "theta0")
    d = obj.model.n_params
    if theta.shape != (d,):
        raise ValueError(f"theta0 must have shape ({d},), got {theta.shape}")
    if not (np.isfinite(lr) and lr > 0):
        raise ValueError(f"lr must be a finite number > 0, got {lr}")
    n_steps = _check_int(n_steps, "n_steps", 1)
    n_transient = _check_int(n_transient, "n_transient", 0)
    chunk = _check_int(chunk, "chunk", 1)
    if save_every is not None:
        save_every = _check_int(save_every, "save_every", 1)
    if method not in models.METHODS:
        raise ValueError(f"method must be one of {models.METHODS}, got {method!r}")
    total = n_transient + n_steps
    if method == "sgd":
        if batches is None:
            raise ValueError("method='sgd' needs batches (see uniqnets.models.batch_sequence)")
        batches = np.asarray(batches)
        if batches.ndim != 2 or batches.shape[0] < total:
            raise ValueError(f"batches must have shape ({total}, batch_size), "
                             f"got {batches.shape}")
    if clip_norm is not None and not (np.isfinite(clip_norm) and clip_norm > 0):
        raise ValueError(f"clip_norm must be a finite number > 0 or None, got {clip_norm}")
    Q = _initial_frame(d, k, Q0, frame_rng)

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
        try:
            res = qr_exponents(facs, Q0=Q)
            log_r, Qf = res.log_r, res.Q
        except ValueError:
            if state["diverged_step"] is None:  # pragma: no cover - not a divergence
                raise
            log_r, Qf = np.empty((0, Q.shape[1])), Q  # diverged at the very first step
    diverged = state["diverged_step"] is not None
    if not diverged and not np.all(np.isfinite(log_r)):
        # the run stayed finite but the tangent vectors overflowed (e.g. an exponent so
        # large that one step's growth does not fit a double): report as diverged
        bad = int(np.flatnonzero(~np.all(np.isfinite(log_r), axis=1))[0])
        diverged, state["diverged_step"] = True, bad + 1
        log_r = log_r[:bad]
    log_r = log_r[n_transient:]
    exps = np.full(Q.shape[1], np.nan) if diverged or log_r.shape[0] == 0 else log_r.mean(axis=0)
    return TrainingSpectrum(
        exps, log_r, Qf, dt=1.0, x=np.asarray(state["theta"]).copy(), diverged=diverged,
        diverged_step=state["diverged_step"], losses=np.array(losses),
        saved_steps=np.array(saved_steps, dtype=int),
        saved_thetas=np.array(saved).reshape(len(saved), d))
