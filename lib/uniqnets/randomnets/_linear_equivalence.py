"""Linear equivalence of nonlinear random recurrent networks (private).

At large N the covariance of the rates of ``dx/dt = -x + J phi(x)`` is that of a
linear network with the same couplings driven by independent noise whose spectrum
comes from the DMFT (:func:`linear_equivalent_covariance`); its dimension is the
participation ratio (:func:`participation_ratio`). Clark, Abbott & Litwin-Kumar
(2023); Clark (2026).
"""

from __future__ import annotations

import numpy as np

from .._validate import check_array, check_callable, check_choice, check_int, check_real, check_size
from ._dmft import DMFTResult
from ._rnn import _check_J

# -- linear equivalence ---------------------------------------------------------------------

def linear_equivalent_covariance(J, dmft=None, *, gamma=None, noise_spectrum=None,
                                 variable="rate", n_omega=1024, omega_scale=1.0):
    """Covariance of the linear network equivalent to ``dx/dt = -x + J phi(x)``.

    Each rate is split into a linear response and a residual, ``phi(x_i) = gamma x_i +
    xi_i``, with ``xi`` independent across units and of spectrum ``S(omega)``.  With
    ``x(omega) = J r(omega) / (1 + i omega)`` this is a linear network with the same
    couplings driven by independent noise:

        ``r(omega) = M(omega) xi(omega)``,  ``M(omega) = (I - gamma J / (1 + i omega))^{-1}``,

    and its equal-time covariance is ``int M S M^H d omega / (2 pi)`` (for ``x``:
    ``M`` replaced by ``J M / (1 + i omega)``).  With ``J = V diag(lambda) V^{-1}``,

        ``C = V (K o (V^{-1} V^{-H})) V^H``,
        ``K_kl = int S(omega) a_k(omega) conj(a_l(omega)) d omega/(2 pi)``,

    and the integral over omega in ``omega = s tan(theta)`` by Gauss-Legendre in theta.
    Reading of Clark, Abbott & Litwin-Kumar (2023) and Clark (2026); ``gamma`` and
    ``S`` from the DMFT (:func:`dmft_autocorrelation`).

    Parameters
    ----------
    J : array, shape (N, N), real
        Couplings (finite).
    dmft : DMFTResult, optional
        Supplies ``gamma = dmft.gamma`` and ``S = dmft.spectrum(omega, "residual")``.
    gamma : float, optional
        Linear-response gain (if no ``dmft``).
    noise_spectrum : callable, optional
        ``S(omega)`` (two-sided; ``int S d omega/(2 pi)`` is the variance of each ``xi_i``).
    variable : {"rate", "x"}
        Covariance of the rates ``phi(x)`` or of the states ``x``.
    n_omega : int
        Quadrature nodes in theta.
    omega_scale : float > 0
        ``s`` of the map ``omega = s tan(theta)``.

    Returns
    -------
    array, shape (N, N)
        Symmetric covariance matrix.

    References
    ----------
    D. G. Clark, L. F. Abbott, A. Litwin-Kumar, "Dimension of activity in random neural
    networks", Phys. Rev. Lett. 131 (2023) 118401; D. G. Clark, "Linear equivalence of
    nonlinear recurrent neural networks", arXiv:2604.23489 (2026).

    Examples
    --------
    Without couplings the rates are the noise itself; ``S(omega) = 2/(1 + omega^2)`` has
    unit variance:

    >>> import numpy as np
    >>> from uniqnets.randomnets import linear_equivalent_covariance
    >>> def S(om):
    ...     return 2.0 / (1.0 + om ** 2)
    >>> C0 = linear_equivalent_covariance(np.zeros((3, 3)), gamma=0.5, noise_spectrum=S)
    >>> print(np.round(np.diag(C0), 6))
    [1. 1. 1.]
    """
    J = _check_J(J)
    check_choice(variable, "variable", ("rate", "x"))
    n_omega = check_int(n_omega, "n_omega", 8)
    check_size(n_omega * J.shape[0], "n_omega", itemsize=48)  # a few complex (n_omega, N)
    s = check_real(omega_scale, "omega_scale", 0.0, lo_open=True)
    if dmft is not None:
        if not isinstance(dmft, DMFTResult):
            raise TypeError(f"dmft must be a DMFTResult, got {type(dmft).__name__}")
        if gamma is not None or noise_spectrum is not None:
            raise ValueError("give either dmft or (gamma, noise_spectrum), not both")
        gamma = dmft.gamma

        def noise_spectrum(om):
            return dmft.spectrum(om, "residual")
    else:
        if gamma is None or noise_spectrum is None:
            raise ValueError("gamma and noise_spectrum are needed when dmft is not given")
        gamma = check_real(gamma, "gamma")
        check_callable(noise_spectrum, "noise_spectrum")
    lam, V = np.linalg.eig(J)
    if np.max(gamma * lam.real) >= 1.0:
        raise ValueError(f"the linear-equivalent network is unstable: max Re(gamma lambda) = "
                         f"{np.max(gamma * lam.real):.4f} >= 1")
    Vinv = np.linalg.inv(V)
    th, wt = np.polynomial.legendre.leggauss(n_omega)
    th = 0.5 * np.pi * th
    om = s * np.tan(th)
    dom = s * 0.5 * np.pi * wt / np.cos(th) ** 2
    S = np.asarray(noise_spectrum(om), dtype=float)
    if S.shape != om.shape or not np.all(np.isfinite(S)):
        raise ValueError("noise_spectrum must return finite values of the shape of omega")
    hw = 1.0 / (1.0 + 1j * om)                              # (n_omega,)
    A = 1.0 / (1.0 - gamma * np.multiply.outer(hw, lam))    # m_k(omega), (n_omega, N)
    if variable == "x":
        A = A * np.multiply.outer(hw, lam)
    wS = dom * S / (2.0 * np.pi)
    K = (A * wS[:, None]).T @ A.conj()
    C = V @ (K * (Vinv @ Vinv.conj().T)) @ V.conj().T
    C = 0.5 * (C + C.conj().T)
    return C.real.copy()


def participation_ratio(C):
    """Participation ratio ``(tr C)^2 / tr(C^2)`` of a covariance matrix: its dimension.

    Parameters
    ----------
    C : array, shape (N, N), symmetric
        Covariance matrix (finite, not zero).

    Returns
    -------
    float in [1, N]

    References
    ----------
    D. G. Clark, L. F. Abbott, A. Litwin-Kumar, Phys. Rev. Lett. 131 (2023) 118401.

    Examples
    --------
    >>> import numpy as np
    >>> from uniqnets.randomnets import participation_ratio
    >>> print(f"{participation_ratio(np.eye(7)):.2f}")
    7.00
    >>> print(f"{participation_ratio(np.diag([1.0, 0, 0])):.2f}")
    1.00
    """
    C = check_array(C, "C", ndim=2)
    if C.shape[0] != C.shape[1]:
        raise ValueError(f"C must be a square matrix, got shape {C.shape}")
    if not np.any(C):
        raise ValueError("C must not be zero")
    return float(np.trace(C) ** 2 / np.sum(C * C))
