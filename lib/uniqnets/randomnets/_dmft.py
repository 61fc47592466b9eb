"""Dynamic mean-field theory of random recurrent networks (private).

The self-consistent autocorrelation ``Delta(tau)`` of a unit of
``dx/dt = -x + J phi(x)``, its power spectra and the largest Lyapunov exponent from
the DMFT of two replicas (:func:`dmft_autocorrelation`, :class:`DMFTResult`;
Sompolinsky, Crisanti & Sommers 1988).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from scipy.integrate import solve_ivp
from scipy.interpolate import CubicHermiteSpline, CubicSpline
from scipy.linalg import eigh_tridiagonal
from scipy.optimize import brentq

from .._validate import check_array, check_choice, check_int, check_real, check_size
from ._gauss import _phi, _phi3, _rule

# -- dynamic mean-field theory --------------------------------------------------------------

def _pair_expect(fn, delta, delta0):
    """E[fn(x1) fn(x2)] for x1, x2 ~ N(0, delta0) with covariance delta, 0 <= delta <= delta0.

    Written as ``x_{1,2} = sqrt(delta0 - delta) u_{1,2} + sqrt(delta) z`` and nested
    trapezoid rules (``_rule``, each sized for its own scale): ``E_z[(E_u fn(...))^2]``.
    ``delta`` may be an array (m,); returns an array of its shape.
    """
    delta = np.clip(np.asarray(delta, dtype=float), 0.0, delta0)
    out = np.empty(delta.shape)
    for i, d in np.ndenumerate(delta):
        sa, sb = np.sqrt(delta0 - d), np.sqrt(d)
        (u, wu), (z, wz) = _rule(sa), _rule(sb)
        m = wu @ fn(sa * u[:, None] + sb * z[None, :])
        out[i] = (m * m) @ wz
    return out


@dataclass
class DMFTResult:
    """Self-consistent DMFT solution of ``dx/dt = -x + J phi(x)``, ``J_ij ~ N(0, g^2/N)``.

    Attributes
    ----------
    g : float
        Coupling gain.
    phi : str
        The nonlinearity.
    delta0 : float
        Variance ``Delta(0)`` of a unit (0 in the quiescent phase ``g <= g_c``).
    tau : array, shape (n_tau,)
        Lags ``0, dtau, 2 dtau, ...`` (time units).
    delta : array, shape (n_tau,)
        Autocorrelation ``Delta(tau) = <x_i(t) x_i(t + tau)>``.
    c_phi : array, shape (n_tau,)
        Rate autocorrelation ``C(tau) = <phi(x_i(t)) phi(x_i(t + tau))>``.
    gamma : float
        Linear-response gain ``<phi'(x)>`` (Bussgang/Stein: the best linear
        predictor of ``phi(x)`` from ``x`` at every lag is ``gamma x``).
    lyapunov : float
        Largest Lyapunov exponent from the DMFT of two replicas,
        ``-1 + sqrt(1 - E_0)`` with ``E_0`` the ground state of
        ``-d^2/dtau^2 + 1 - g^2 <phi'(x(t)) phi'(x(t + tau))>`` (SCS 1988).
    kappa : float
        Decay rate of ``Delta(tau)`` at large ``tau``: ``sqrt(1 - g^2 gamma^2)``.

    Examples
    --------
    >>> from uniqnets.randomnets import dmft_autocorrelation
    >>> d = dmft_autocorrelation(2.0, tau_max=10.0)
    >>> print(f"{d.delta0:.4f} {d.gamma:.4f} {d.kappa:.4f}", d.tau.shape)
    1.9248 0.4868 0.2281 (201,)
    """

    g: float
    phi: str
    delta0: float
    tau: np.ndarray
    delta: np.ndarray
    c_phi: np.ndarray
    gamma: float
    lyapunov: float
    kappa: float

    @property
    def residual_autocorrelation(self) -> np.ndarray:
        """Autocorrelation of the residual ``xi = phi(x) - gamma x``, shape (n_tau,).

        Examples
        --------
        >>> from uniqnets.randomnets import dmft_autocorrelation
        >>> d = dmft_autocorrelation(2.0, tau_max=10.0)
        >>> print(f"{d.residual_autocorrelation[0]:.4f}")
        0.0570
        """
        return self.c_phi - self.gamma ** 2 * self.delta

    def spectrum(self, omega, which="residual"):
        """Power spectrum ``S(omega) = int C(tau) e^{-i omega tau} dtau`` (two-sided).

        ``int S d omega / (2 pi)`` is the variance.  ``which`` is ``"residual"`` (of
        ``xi``, the noise of the linear-equivalent network), ``"rate"`` (of
        ``phi(x)``) or ``"x"``.  Trapezoid rule on the stored even, smooth correlation
        (spectrally accurate for ``|omega| < pi / dtau``).  Beyond that Nyquist
        frequency the trapezoid sum only repeats the spectrum (aliasing), so ``S`` is
        set to 0 there; the true spectrum of these smooth correlations is negligible
        at such frequencies (``Delta`` is analytic near 0).

        Parameters
        ----------
        omega : array_like
            Angular frequencies (finite; any shape, may be empty).
        which : {"residual", "rate", "x"}
            Which correlation to transform.

        Returns
        -------
        array, the shape of ``omega``

        Examples
        --------
        >>> import numpy as np
        >>> from uniqnets.randomnets import dmft_autocorrelation
        >>> d = dmft_autocorrelation(2.0, tau_max=10.0)
        >>> print(np.round(d.spectrum(np.array([0.0, 1.0])), 4))
        [0.3253 0.0338]
        """
        check_choice(which, "which", ("residual", "rate", "x"))
        C = {"residual": self.residual_autocorrelation, "rate": self.c_phi,
             "x": self.delta}[which]
        om = check_array(omega, "omega", min_size=0)
        check_size(om.size * self.tau.size, "omega")
        h = self.tau[1] - self.tau[0]
        wts = np.full(self.tau.size, h)
        wts[0] = 0.5 * h
        wts[-1] = 0.5 * h
        flat = om.ravel()
        out = 2.0 * (np.cos(np.multiply.outer(flat, self.tau)) @ (wts * C))
        out[np.abs(flat) > np.pi / h] = 0.0
        return out.reshape(om.shape)


def _ground_state(V, h):
    """Lowest eigenvalue of ``-d^2/dtau^2 + V`` on a uniform grid (Dirichlet ends).

    Three-point finite differences (error O(h^2), removed by Richardson extrapolation
    in :func:`dmft_autocorrelation`); symmetric tridiagonal, solved by
    :func:`scipy.linalg.eigh_tridiagonal`.  Returns ``(E0, psi)``.
    """
    d = 2.0 / h ** 2 + V
    e = np.full(V.size - 1, -1.0 / h ** 2)
    E, psi = eigh_tridiagonal(d, e, select="i", select_range=(0, 0))
    return float(E[0]), psi[:, 0]


#: the largest gain the DMFT solver takes (see dmft_autocorrelation)
G_MAX = 10.0


def dmft_autocorrelation(g, *, phi="tanh", tau_max=None, dtau=0.05, n_grid=257,
                         rtol=1e-10):
    """Solve the dynamic mean-field theory of the random network ``dx/dt = -x + J phi(x)``.

    The autocorrelation of a unit obeys (Sompolinsky, Crisanti & Sommers 1988)

        ``Delta''(tau) = Delta(tau) - g^2 C_phi(Delta(tau), Delta_0) = -dV/dDelta``,

    with ``C_phi`` the rate correlation of two N(0, Delta_0) variables with covariance
    ``Delta`` and ``V(Delta) = -Delta^2/2 + g^2 E_z[(E_u Phi)^2]`` (``Phi' = phi``).  The
    chaotic solution leaves ``Delta_0`` at rest and creeps to 0 as ``tau -> inf``;
    energy conservation fixes ``Delta_0``:

        ``Delta_0^2 / 2 = g^2 Var[Phi(sqrt(Delta_0) z)]``     (root by brentq).

    ``C_phi`` and ``q`` are tabulated on ``n_grid`` equally spaced values of ``Delta`` in
    ``[0, Delta_0]`` (nested trapezoid rules, exact to rounding) and interpolated by a
    cubic Hermite spline for ``C_phi`` (its derivative is ``q``, by Price's theorem) and
    a cubic spline for ``q``: interpolation error ``~ h^4 max|d^4 C/dDelta^4|/384 < 1e-8`` for
    ``Delta_0 < 12``.  ``Delta(tau)`` is then integrated (``solve_ivp``, DOP853) until it
    is small enough
    to follow its linearisation ``Delta ~ e^{-kappa tau}``, ``kappa^2 = 1 - g^2 gamma^2``,
    which continues it (the separatrix is unstable, so integrating further would
    amplify rounding).  The largest Lyapunov exponent follows from the variational
    equation of two replicas: ``lambda = -1 + sqrt(1 - E_0)``, ``E_0`` the ground state
    of ``-d^2/dtau^2 + 1 - g^2 q(tau)``, ``q(tau) = <phi'(x(t)) phi'(x(t + tau))>``.
    Below the transition (``g |phi'(0)| <= 1``) the solution is ``Delta = 0`` and
    ``lambda = g |phi'(0)| - 1``.

    Parameters
    ----------
    g : float >= 0
        Coupling gain.
    phi : {"tanh", "erf"}
        The nonlinearity.
    tau_max : float, optional
        Last lag returned (default: where ``Delta/Delta_0 < 1e-12``, at least 20).
    dtau : float
        Lag spacing of the output.
    n_grid : int >= 9
        Points of the ``Delta`` table.
    rtol : float in (0, 1e-3]
        Relative tolerance of the ODE solver.

    Returns
    -------
    DMFTResult

    References
    ----------
    H. Sompolinsky, A. Crisanti, H.-J. Sommers, "Chaos in random neural networks",
    Phys. Rev. Lett. 61 (1988) 259-262.

    Examples
    --------
    >>> from uniqnets.randomnets import dmft_autocorrelation
    >>> d = dmft_autocorrelation(2.0, tau_max=10.0)
    >>> print(f"Delta_0 = {d.delta0:.4f}, lambda = {d.lyapunov:.4f}")
    Delta_0 = 1.9248, lambda = 0.1125
    >>> print(f"{dmft_autocorrelation(0.7).lyapunov:.2f}")  # quiescent: g - 1
    -0.30
    """
    # above g = 10 the self-consistency's integrals of tanh overflow and the solver did not
    # finish in a minute at g = 20: refused, rather than running until killed
    g = check_real(g, "g", 0.0, G_MAX)
    check_choice(phi, "phi", ("tanh", "erf"))
    dtau = check_real(dtau, "dtau", 0.0, 1.0, lo_open=True)
    n_grid = check_int(n_grid, "n_grid", 9)
    check_size(n_grid, "n_grid")
    rtol = check_real(rtol, "rtol", 0.0, 1e-3, lo_open=True)
    if tau_max is not None:
        tau_max = check_real(tau_max, "tau_max", 0.0, lo_open=True)
    f, df, F = _phi(phi)
    d0slope = df(0.0)
    gc = 1.0 / d0slope
    if g <= gc:
        T = 20.0 if tau_max is None else tau_max
        check_size(min(T / dtau, 1e30), "tau_max/dtau")
        tau = np.arange(0.0, T + 0.5 * dtau, dtau)
        zero = np.zeros_like(tau)
        gam = float(d0slope)
        return DMFTResult(g, phi, 0.0, tau, zero, zero.copy(), gam, float(g * d0slope - 1.0),
                          float(np.sqrt(max(1.0 - (g * gam) ** 2, 0.0))))

    def energy(D0):
        # (V(Delta_0) - V(0)) / Delta_0^2, sign change at the self-consistent Delta_0
        z, w = _rule(np.sqrt(D0))
        P = F(np.sqrt(D0) * z)
        m = P @ w
        var = ((P - m) ** 2) @ w
        return g * g * var / D0 ** 2 - 0.5

    # energy -> (g phi'(0))^2/2 - 1/2 > 0 as Delta_0 -> 0; since |Phi(x)| <= |x|,
    # Var Phi <= Delta_0 and energy < 0 beyond Delta_0 = 2 g^2
    lo, hi = 1e-6, 2.0 * g * g + 1.0
    while energy(lo) <= 0:  # very close to g_c: shrink the lower end of the bracket
        lo *= 1e-2
        if lo < 1e-14:
            raise ValueError(f"g = {g} is too close to the transition g_c = {gc} to solve")
    D0 = brentq(energy, lo, hi, xtol=1e-14 * hi, rtol=4 * np.finfo(float).eps, maxiter=500)

    dgrid = np.linspace(0.0, D0, n_grid)
    qgrid = _pair_expect(df, dgrid, D0)
    C = CubicHermiteSpline(dgrid, _pair_expect(f, dgrid, D0), qgrid)
    Q = CubicSpline(dgrid, qgrid)

    z, w = _rule(np.sqrt(D0))
    gam = float(df(np.sqrt(D0) * z) @ w)
    kappa = float(np.sqrt(max(1.0 - (g * gam) ** 2, 0.0)))
    if not kappa > 0:
        raise ValueError(f"DMFT at g = {g}: no decaying solution (g gamma = {g * gam:.6f})")

    def rhs(t, y):
        return [y[1], y[0] - g * g * float(C(y[0]))]

    # switch to the linear tail at Delta = 1e-3 Delta_0, where the nonlinear terms are
    # O((Delta/Delta_0)^2) ~ 1e-6 relative. Not deeper: the solver's local errors (rtol)
    # excite the growing mode e^{+kappa tau} of the unstable separatrix, which at
    # 1e-4 Delta_0 already bent the decay rate by 7 % (g = 3) to 65 % (g = 6), a kink
    # in Delta at the junction that the equation-of-motion test catches
    stop_frac = 1e-3

    def small(t, y):
        return y[0] - stop_frac * D0
    small.terminal = True

    def turn(t, y):
        return y[1] if t > 0 else -1.0
    turn.terminal = True
    turn.direction = 1

    horizon = 50.0 + 40.0 / kappa
    sol = solve_ivp(rhs, (0.0, horizon), [D0, 0.0], method="DOP853", rtol=rtol,
                    atol=1e-14 * D0, dense_output=True, events=(small, turn))
    if sol.status < 0:
        raise RuntimeError(f"DMFT integration failed at g = {g}: {sol.message}")
    t_s = float(sol.t[-1])
    d_s = float(sol.y[0, -1])
    # beyond t_s: Delta = d_s exp(-kappa (tau - t_s)) and the Mehler expansions
    # C = gamma^2 D + b3^2 D^3/6, q = gamma^2 + b3^2 D^2/2 (b3 = E[phi''']; the even
    # orders vanish for odd phi), whose next terms are O((D/Delta_0)^2) < 1e-6 relative
    b3 = float(_phi3(phi)(np.sqrt(D0) * z) @ w)

    def delta_at(t):
        t = np.asarray(t, dtype=float)
        out = np.empty_like(t)
        inside = t <= t_s
        if inside.any():  # (the dense output rejects an empty array)
            out[inside] = sol.sol(t[inside])[0]
        out[~inside] = d_s * np.exp(-kappa * (t[~inside] - t_s))
        return out, inside

    def tail_c(d):
        return gam * gam * d + b3 * b3 * d ** 3 / 6.0

    def tail_q(d):
        return gam * gam + 0.5 * b3 * b3 * d * d

    t_end = t_s + np.log(max(d_s, 1e-300) / (1e-12 * D0)) / kappa  # Delta = 1e-12 Delta_0
    if tau_max is None:
        tau_max = max(20.0, t_end)
    check_size(min(tau_max / dtau, 1e30), "tau_max/dtau")
    tau = np.arange(0.0, tau_max + 0.5 * dtau, dtau)
    delta, inside = delta_at(tau)
    c_phi = np.empty_like(tau)
    c_phi[inside] = C(delta[inside])
    c_phi[~inside] = tail_c(delta[~inside])

    # Schroedinger problem on [-T, T]: q(Delta(tau)) from the table where the ODE holds,
    # from its expansion beyond; independent of tau_max
    E0 = None
    T = 30.0 + 10.0 / kappa
    h = 0.01
    for _ in range(8):
        sgrid = np.arange(-T, T + 0.5 * h, h)
        sa = np.abs(sgrid)
        qs = np.empty_like(sa)
        near = sa <= t_s
        qs[near] = Q(delta_at(sa[near])[0])
        qs[~near] = tail_q(delta_at(sa[~near])[0])
        U = 1.0 - g * g * qs
        E0, psi = _ground_state(U, h)
        # the bound state decays like exp(-sqrt(kappa^2 - E0)|tau|): the box must hold
        # it to 1e-10 of its peak
        if abs(psi[0]) < 1e-10 * np.abs(psi).max():
            # Richardson: the three-point error is c h^2 + O(h^4); combine h and 2h
            E0 = (4.0 * E0 - _ground_state(U[::2], 2 * h)[0]) / 3.0
            break
        T *= 2.0
    else:
        raise RuntimeError(f"DMFT at g = {g}: the Lyapunov bound state did not fit a box "
                           f"of half-width {T}")
    lam = -1.0 + np.sqrt(max(1.0 - E0, 0.0))
    return DMFTResult(g, phi, float(D0), tau, delta, c_phi, gam, float(lam), kappa)

