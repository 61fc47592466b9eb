"""Reference systems with known Lyapunov exponents (private module).

References
----------
J. C. Sprott, *Chaos and Time-Series Analysis*, Oxford University Press (2003),
Appendix A (reference exponents of the Hénon map and the Lorenz system).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from .._validate import check_real

__all__ = ["ReferenceFlow", "ReferenceMap", "henon", "logistic", "lorenz"]


@dataclass(frozen=True)
class ReferenceMap:
    """A map with known Lyapunov exponents (built by :func:`logistic`, :func:`henon`).

    Attributes
    ----------
    name : str
    step : callable ``x (d,) -> x_next (d,)``
    jvp : callable ``(x (d,), V (d, k)) -> DF(x) V (d, k)``
    jacobian : callable ``x (d,) -> DF(x) (d, d)``
    x0 : numpy.ndarray, shape (d,)
        A point in the basin of the attractor.
    exponents : numpy.ndarray, shape (d,)
        Reference values per step (NaN where none is known for these parameters).
    exponents_error : float
        Uncertainty of the reference values (0 for exact ones).
    exponent_sum : float
        The exact sum of all exponents (``<log |det DF|>``), NaN if not known.
    reference : str

    Examples
    --------
    >>> from uniqnets.lyapunov import henon
    >>> m = henon()
    >>> m.name, m.dim, f"{m.exponents[0]:.5f}", f"{m.exponent_sum:.4f}"
    ('henon', 2, '0.41922', '-1.2040')
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
        """Dimension ``d`` of the state.

        Examples
        --------
        >>> from uniqnets.lyapunov import logistic
        >>> logistic().dim
        1
        """
        return self.x0.size


@dataclass(frozen=True)
class ReferenceFlow:
    """A flow ``dx/dt = f(x)`` with known Lyapunov exponents (built by :func:`lorenz`).

    Attributes as :class:`ReferenceMap` (exponents per unit time), with ``f``
    (``x (d,) -> dx/dt (d,)``) and ``jac`` (``x -> Df(x)``, shape (d, d)) in place of
    the map.

    Examples
    --------
    >>> from uniqnets.lyapunov import lorenz
    >>> fl = lorenz()
    >>> fl.name, fl.dim, f"{fl.exponent_sum:.4f}"
    ('lorenz', 3, '-13.6667')
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
        """Dimension ``d`` of the state.

        Examples
        --------
        >>> from uniqnets.lyapunov import lorenz
        >>> lorenz().dim
        3
        """
        return self.x0.size


def logistic(r: float = 4.0, x0: float = 0.1234) -> ReferenceMap:
    """The logistic map ``x -> r x (1 - x)`` on [0, 1].

    At ``r = 4`` it is conjugate to the tent map and its exponent is exactly ``ln 2``
    (Ulam & von Neumann 1947); other ``r`` have no closed form (``exponents`` NaN).

    Parameters
    ----------
    r : float in (0, 4]
    x0 : float in (0, 1)
        Starting point.

    Returns
    -------
    ReferenceMap
        With ``d = 1``.

    References
    ----------
    S. M. Ulam, J. von Neumann, Bull. Amer. Math. Soc. 53 (1947) 1120.

    Examples
    --------
    >>> from uniqnets.lyapunov import logistic, lyapunov_spectrum
    >>> m = logistic()
    >>> res = lyapunov_spectrum(m.step, m.jvp, m.x0, 2000)
    >>> print(f"{res.exponents[0]:.2f} {m.exponents[0]:.2f}")
    0.69 0.69
    """
    r = check_real(r, "r", lo=0.0, hi=4.0, lo_open=True)
    x0 = check_real(x0, "x0", lo=0.0, hi=1.0, lo_open=True, hi_open=True)

    def step(x):
        return r * x * (1.0 - x)

    def jacobian(x):
        return np.array([[r * (1.0 - 2.0 * x[0])]])

    def jvp(x, V):
        return r * (1.0 - 2.0 * x[0]) * V

    lam = np.log(2.0) if r == 4.0 else np.nan
    return ReferenceMap("logistic", step, jvp, jacobian, np.array([x0]), np.array([lam]),
                        0.0, float(lam),
                        "S. M. Ulam, J. von Neumann, Bull. Amer. Math. Soc. 53 (1947) 1120")


# Sprott (2003), Appendix A: 0.41922 and -1.62319 for the classic parameters; the last
# digit is uncertain, hence the error of 5e-5
_HENON_L1 = 0.41922


def henon(a: float = 1.4, b: float = 0.3) -> ReferenceMap:
    """The Hénon map ``(x, y) -> (1 - a x^2 + y, b x)``.

    ``det DF = -b`` everywhere, so the two exponents add up to ``ln |b|`` exactly.
    For ``a = 1.4, b = 0.3`` the top exponent is 0.41922 (Sprott 2003).

    Parameters
    ----------
    a : float
    b : float, nonzero

    Returns
    -------
    ReferenceMap
        With ``d = 2``, starting at the origin.

    References
    ----------
    M. Hénon, "A two-dimensional mapping with a strange attractor", Commun. Math.
    Phys. 50 (1976) 69-77.

    Examples
    --------
    >>> from uniqnets.lyapunov import henon
    >>> m = henon()
    >>> print(" ".join(f"{v:.5f}" for v in m.exponents))
    0.41922 -1.62319
    """
    a = check_real(a, "a")
    b = check_real(b, "b")
    if b == 0:
        raise ValueError("b must be nonzero, got 0")

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

    Parameters
    ----------
    sigma, rho, beta : float

    Returns
    -------
    ReferenceFlow
        With ``d = 3``, exponents per unit time.

    References
    ----------
    E. N. Lorenz, "Deterministic nonperiodic flow", J. Atmos. Sci. 20 (1963) 130-141.

    Examples
    --------
    >>> from uniqnets.lyapunov import lorenz
    >>> fl = lorenz()
    >>> print(" ".join(f"{v:.4f}" for v in fl.exponents), f"{fl.exponent_sum:.4f}")
    0.9056 0.0000 -14.5723 -13.6667
    """
    s = check_real(sigma, "sigma")
    r = check_real(rho, "rho")
    bb = check_real(beta, "beta")

    def f(x):
        return np.array([s * (x[1] - x[0]), x[0] * (r - x[2]) - x[1], x[0] * x[1] - bb * x[2]])

    def jac(x):
        return np.array([[-s, s, 0.0], [r - x[2], -1.0, -x[0]], [x[1], x[0], -bb]])

    classic = (s, r) == (10.0, 28.0) and abs(bb - 8.0 / 3.0) < 1e-15
    exps = np.array([0.9056, 0.0, -14.5723]) if classic else np.full(3, np.nan)
    return ReferenceFlow("lorenz", f, jac, np.array([1.0, 1.0, 1.0]), exps,
                         5e-4 if classic else np.nan, -(s + 1.0 + bb),
                         "E. N. Lorenz, J. Atmos. Sci. 20 (1963) 130; exponents: Sprott (2003)")
