"""Lyapunov spectra of maps and flows; the RK4 step (private module).

A map is iterated alongside its tangent frame and the frame goes through the QR
loop of :mod:`._qr`; a flow is a map too, its RK4 step, whose tangent map is
integrated with the same RK4 stages (:func:`_rk4_step`, also behind
:func:`rk4_map`).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from .._validate import (
    MAX_STEPS,
    check_array,
    check_bool,
    check_callable,
    check_int,
    check_max_norm,
    check_real,
    check_size,
    check_steps,
    diverged,
)
from ._qr import QRResult, _accumulate, _initial_frame, _progress

__all__ = ["LyapunovResult", "lyapunov_spectrum", "lyapunov_spectrum_flow", "rk4_map"]


@dataclass
class LyapunovResult(QRResult):
    """Lyapunov spectrum of a map or a flow (a :class:`QRResult` with a time unit).

    Attributes
    ----------
    exponents : numpy.ndarray, shape (k,)
        Estimated exponents, decreasing up to statistical error, per step (maps) or
        per unit time (flows), natural log.  All NaN if the run diverged.
    log_r : numpy.ndarray, shape (n_renorm, k)
        ``log |R_ii|`` of each re-orthonormalisation (each covers ``dt`` time units).
    Q : numpy.ndarray, shape (d, k)
        The final orthonormal frame (an estimate of the leading Oseledets subspace).
    dt : float
        Time covered by one row of ``log_r``: ``renorm_every`` steps of a map
        (``dt = renorm_every``) or ``renorm_every * dt`` of a flow.
    x : numpy.ndarray, shape (d,)
        The final state (the last good one if the run diverged).
    diverged : bool
        True if the state or the tangent vectors stopped being finite (or the state
        exceeded ``max_norm``); the estimate then stops at the last good step and
        ``exponents`` are NaN: a diverging run has no Lyapunov spectrum.
    diverged_step : int or None
        Index ``t`` of the first bad state ``x_t``, counting steps from ``x0``
        (transient included).

    Examples
    --------
    >>> from uniqnets.lyapunov import LyapunovResult, logistic, lyapunov_spectrum
    >>> m = logistic()
    >>> res = lyapunov_spectrum(m.step, m.jvp, m.x0, 2000, renorm_every=10)
    >>> isinstance(res, LyapunovResult), res.dt, res.log_r.shape, res.diverged
    (True, 10.0, (200, 1), False)
    """

    dt: float = 1.0
    x: np.ndarray | None = None
    diverged: bool = False
    diverged_step: int | None = None

    @property
    def times(self) -> np.ndarray:
        """Time at the end of each row of ``log_r``, shape (n_renorm,).

        Examples
        --------
        >>> import numpy as np
        >>> from uniqnets.lyapunov import LyapunovResult
        >>> res = LyapunovResult(np.zeros(1), np.zeros((3, 1)), np.eye(1), dt=0.5)
        >>> print(res.times.tolist())
        [0.5, 1.0, 1.5]
        """
        return self.dt * np.arange(1, self.log_r.shape[0] + 1)

    @property
    def running(self) -> np.ndarray:
        """Running estimates after each re-orthonormalisation, (n_renorm, k), per unit time.

        Examples
        --------
        >>> import numpy as np
        >>> from uniqnets.lyapunov import LyapunovResult
        >>> log_r = np.array([[1.0], [3.0]])
        >>> res = LyapunovResult(log_r.mean(0) / 0.5, log_r, np.eye(1), dt=0.5)
        >>> print(res.running[:, 0].tolist())
        [2.0, 4.0]
        """
        return QRResult.running.fget(self) / self.dt

    def stderr(self, n_blocks: int = 20) -> np.ndarray:
        """Batch-means standard error (see :meth:`QRResult.stderr`), per unit time.

        Parameters
        ----------
        n_blocks : int >= 2
            Number of blocks; needs at least ``2 * n_blocks`` rows of ``log_r``.

        Returns
        -------
        numpy.ndarray, shape (k,)

        Examples
        --------
        >>> from uniqnets.lyapunov import henon, lyapunov_spectrum
        >>> m = henon()
        >>> res = lyapunov_spectrum(m.step, m.jvp, m.x0, 2000, k=2)
        >>> bool(res.stderr(n_blocks=10)[0] < 0.05)
        True
        """
        return QRResult.stderr(self, n_blocks) / self.dt


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
        """Yield ``n_factors`` callables ``Q -> (product of per_factor Jacobians) Q``.

        A factor returns ``None`` (no row for the QR loop) at the first step whose
        state or tangent vectors diverged (:func:`uniqnets._validate.diverged`).
        """
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
                        if diverged(xn, self.max_norm) or diverged(V, None):
                            self.diverged_step = self.t
                            return None
                        self.x = xn
                return V

            yield factor


def _spectrum(advance, x, n_steps, Q, n_transient, renorm_every, max_norm, progress, dt):
    """QR accumulation along a map given by ``advance``; ``dt`` is the time of one step."""
    run = _MapRun(advance, x, max_norm)
    k = Q.shape[1]
    if n_transient:
        _, Q = _accumulate(run.factors(n_transient, 1), Q)
        if run.diverged_step is not None:
            return LyapunovResult(np.full(k, np.nan), np.empty((0, k)), Q,
                                  dt=renorm_every * dt, x=run.x.copy(), diverged=True,
                                  diverged_step=run.diverged_step)
    n_factors = n_steps // renorm_every
    facs = _progress(run.factors(n_factors, renorm_every), n_factors, progress, "Lyapunov")
    log_r, Q = _accumulate(facs, Q)
    failed = run.diverged_step is not None
    exps = np.full(k, np.nan) if failed else log_r.mean(axis=0) / (renorm_every * dt)
    return LyapunovResult(exps, log_r, Q, dt=renorm_every * dt, x=run.x.copy(),
                          diverged=failed, diverged_step=run.diverged_step)


def _check_run(n_steps, renorm_every, k, d, what="n_steps"):
    """Checked ``renorm_every`` and ``k``; refuses a ``log_r`` too large for the memory."""
    renorm_every = check_int(renorm_every, "renorm_every", lo=1)
    k = check_int(k, "k", lo=1, hi=d)
    if n_steps % renorm_every:
        raise ValueError(f"{what} ({n_steps} steps) must be a multiple of renorm_every "
                         f"({renorm_every})")
    check_size((n_steps // renorm_every) * k, what)
    return renorm_every, k


def lyapunov_spectrum(step: Callable, jvp: Callable, x0, n_steps: int, k: int = 1,
                      n_transient: int = 0, renorm_every: int = 1, *, Q0=None,
                      rng: np.random.Generator | None = None, time_dependent: bool = False,
                      max_norm: float | None = None, progress: bool = False) -> LyapunovResult:
    """Top-``k`` Lyapunov exponents of a map ``x_{t+1} = F(x_t)`` by the QR (Benettin) method.

    The tangent frame is propagated by the Jacobian along the orbit,
    ``V <- DF(x_t) V``, and re-orthonormalised every ``renorm_every`` steps; the
    exponents are the averaged ``log |R_ii|`` (the loop of :func:`qr_exponents`).

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
    max_norm : float > 0 or inf, optional
        A state with ``||x|| > max_norm`` counts as diverged (non-finite states always do).
    progress : bool
        Show a ``tqdm`` progress bar.

    Returns
    -------
    LyapunovResult
        ``exponents`` per step; ``diverged`` is set (and ``exponents`` are NaN) if the
        orbit or the tangent vectors stopped being finite.

    References
    ----------
    G. Benettin, L. Galgani, A. Giorgilli, J.-M. Strelcyn, Meccanica 15 (1980) 9-20.

    Examples
    --------
    The logistic map at ``r = 4`` has the exponent ``ln 2``:

    >>> from uniqnets.lyapunov import logistic, lyapunov_spectrum
    >>> m = logistic()
    >>> res = lyapunov_spectrum(m.step, m.jvp, m.x0, 2000)
    >>> print(f"{res.exponents[0]:.2f}")
    0.69

    The two exponents of the Hénon map add up to ``ln b`` exactly:

    >>> import numpy as np
    >>> from uniqnets.lyapunov import henon
    >>> m = henon()
    >>> res = lyapunov_spectrum(m.step, m.jvp, m.x0, 2000, k=2, n_transient=100)
    >>> bool(abs(res.exponents.sum() - np.log(0.3)) < 1e-9)
    True
    """
    check_callable(step, "step")
    check_callable(jvp, "jvp")
    x = check_array(x0, "x0", ndim=1, copy=True)
    n_steps = check_steps(n_steps, "n_steps", lo=1)
    n_transient = check_steps(n_transient, "n_transient", lo=0)
    renorm_every, k = _check_run(n_steps, renorm_every, k, x.size)
    max_norm = check_max_norm(max_norm)
    td = check_bool(time_dependent, "time_dependent")
    progress = check_bool(progress, "progress")
    Q = _initial_frame(x.size, k, Q0, rng)

    def advance(y, V, t):
        if td:
            return step(y, t), jvp(y, V, t)
        return step(y), jvp(y, V)

    return _spectrum(advance, x, n_steps, Q, n_transient, renorm_every, max_norm, progress, 1.0)


# -- flows ----------------------------------------------------------------------------------

def _rk4_step(F: Callable, x: list, t: float, h: float) -> list:
    """One classical RK4 step of ``dx/dt = F(x, t)`` from time ``t`` with step ``h``.

    The state is a list of arrays (one array for :func:`rk4_map`; the state and its
    tangent frame for :func:`lyapunov_spectrum_flow`) and ``F`` returns a list of the
    same shapes; every component goes through the same stages.  Written by hand
    (rather than with ``scipy.integrate``) because the tangent frame must follow the
    state's fixed steps exactly, renormalised in between.
    """
    a = 0.5 * h
    k1 = F(x, t)
    k2 = F([xi + a * ki for xi, ki in zip(x, k1, strict=True)], t + a)
    k3 = F([xi + a * ki for xi, ki in zip(x, k2, strict=True)], t + a)
    k4 = F([xi + h * ki for xi, ki in zip(x, k3, strict=True)], t + h)
    b = h / 6.0
    return [xi + b * (p + 2.0 * q + 2.0 * r + s)
            for xi, p, q, r, s in zip(x, k1, k2, k3, k4, strict=True)]


def rk4_map(f: Callable, dt: float, time_dependent: bool = False) -> Callable:
    """The classical fourth-order Runge-Kutta step of ``dx/dt = f(x)`` as a map.

    Parameters
    ----------
    f : callable ``f(x) -> dx/dt``, shape (d,) -> (d,)
        Or ``f(x, t)`` when ``time_dependent``.
    dt : float > 0
        The step, in the time unit of ``f``.
    time_dependent : bool
        Call ``f(x, t)``; the map is then ``step(x, n)``, a step from time ``n * dt``.

    Returns
    -------
    callable
        ``step(x) -> x(t + dt)`` (or ``step(x, n)``), shape (d,) -> (d,), e.g. for
        :func:`twin_divergence` on a flow.  Local error O(dt^5).

    Examples
    --------
    >>> import numpy as np
    >>> from uniqnets.lyapunov import rk4_map
    >>> step = rk4_map(lambda x: -x, 0.1)
    >>> x = np.ones(1)
    >>> for _ in range(10):
    ...     x = step(x)
    >>> print(f"{x[0]:.6f} {np.exp(-1.0):.6f}")
    0.367880 0.367879
    """
    check_callable(f, "f")
    h = check_real(dt, "dt", lo=0.0, lo_open=True)
    td = check_bool(time_dependent, "time_dependent")

    def F(y, s):
        return [f(y[0], s)] if td else [f(y[0])]

    def step(x, n=0):
        return _rk4_step(F, [x], n * h, h)[0]

    return step


def lyapunov_spectrum_flow(f: Callable, jac: Callable, x0, t_total: float, dt: float, k: int = 1,
                           *, t_transient: float = 0.0, renorm_every: int = 1, Q0=None,
                           rng: np.random.Generator | None = None, time_dependent: bool = False,
                           jac_is_jvp: bool = False, max_norm: float | None = None,
                           progress: bool = False) -> LyapunovResult:
    """Top-``k`` Lyapunov exponents of a flow ``dx/dt = f(x)``, per unit time.

    The state and a tangent frame ``V`` (d, k) are integrated together, the
    variational equation ``dV/dt = Df(x) V`` sharing the RK4 stages of the state
    (the stages of :func:`rk4_map`), so the frame is propagated by the exact
    derivative of the RK4 step (the tangent map of the discretised flow; its
    exponents differ from the flow's by O(dt^4)).  The frame is re-orthonormalised
    every ``renorm_every`` steps (the loop of :func:`qr_exponents`).

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
    jac_is_jvp : bool
        ``jac`` is a Jacobian-vector product (see ``jac``).

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

    References
    ----------
    G. Benettin, L. Galgani, A. Giorgilli, J.-M. Strelcyn, Meccanica 15 (1980) 9-20.

    Examples
    --------
    For ``dx/dt = B x`` the exponents are the eigenvalues of a diagonal ``B``:

    >>> import numpy as np
    >>> from uniqnets.lyapunov import lyapunov_spectrum_flow
    >>> B = np.diag([0.5, -1.0])
    >>> res = lyapunov_spectrum_flow(lambda x: B @ x, lambda x: B, np.ones(2), 2.0, 0.05, k=2)
    >>> print(" ".join(f"{v:.4f}" for v in res.exponents))
    0.5000 -1.0000
    """
    check_callable(f, "f")
    check_callable(jac, "jac")
    x = check_array(x0, "x0", ndim=1, copy=True)
    h = check_real(dt, "dt", lo=0.0, lo_open=True)
    t_total = check_real(t_total, "t_total", lo=0.0, lo_open=True)
    t_transient = check_real(t_transient, "t_transient", lo=0.0)
    for name, t in (("t_total", t_total), ("t_transient", t_transient)):
        if not t / h <= MAX_STEPS:  # also when the ratio overflows to inf
            raise ValueError(f"{name} / dt = {t / h:.3g} steps, more than {MAX_STEPS:.0e}: "
                             f"a shorter {name} or a larger dt")
    n_steps = int(round(t_total / h))
    n_transient = int(round(t_transient / h))
    if n_steps < 1:
        raise ValueError(f"t_total ({t_total}) must be at least one step dt ({dt})")
    renorm_every, k = _check_run(n_steps, renorm_every, k, x.size, what="t_total / dt")
    max_norm = check_max_norm(max_norm)
    td = check_bool(time_dependent, "time_dependent")
    as_jvp = check_bool(jac_is_jvp, "jac_is_jvp")
    progress = check_bool(progress, "progress")

    def F(yV, s):
        y, V = yV
        dy = f(y, s) if td else f(y)
        if as_jvp:
            return [dy, jac(y, V, s) if td else jac(y, V)]
        return [dy, (jac(y, s) if td else jac(y)) @ V]

    def advance(y, V, n):
        return _rk4_step(F, [y, V], n * h, h)

    Q = _initial_frame(x.size, k, Q0, rng)
    return _spectrum(advance, x, n_steps, Q, n_transient, renorm_every, max_norm, progress, h)
