"""Random recurrent networks ``dx/dt = -x + J phi(x)``: couplings, runs, Lyapunov spectra (private).

``J_ij ~ N(0, g^2/N)`` (:func:`random_couplings`), fixed-step RK4 runs
(:func:`simulate_rnn`) and their population autocorrelation
(:func:`population_autocorrelation`), and the top of the Lyapunov spectrum
(:func:`rnn_lyapunov`) through the library's one RK4 and QR loop in
:mod:`uniqnets.lyapunov` (Sompolinsky, Crisanti & Sommers 1988; Engelken, Wolf &
Abbott 2020).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from .._validate import (
    check_array,
    check_bool,
    check_choice,
    check_int,
    check_real,
    check_rng,
    check_size,
)
from ..lyapunov import lyapunov_spectrum_flow, rk4_map
from ._gauss import ACTIVATIONS, _phi

# -- random recurrent networks --------------------------------------------------------------

def random_couplings(N, g, *, rng):
    """Coupling matrix ``J`` with i.i.d. entries N(0, g^2/N), shape (N, N).

    Drawn as ``g / sqrt(N) * rng.standard_normal((N, N))`` (so a given ``rng`` state
    always gives the same ``J``).

    Parameters
    ----------
    N : int >= 1
        Number of units.
    g : float >= 0
        Coupling gain.
    rng : numpy.random.Generator or int
        Source of the couplings (an integer is a seed).

    Returns
    -------
    array, shape (N, N)

    References
    ----------
    H. Sompolinsky, A. Crisanti, H.-J. Sommers, Phys. Rev. Lett. 61 (1988) 259-262.

    Examples
    --------
    >>> from uniqnets.randomnets import random_couplings
    >>> J = random_couplings(500, 2.0, rng=0)
    >>> print(J.shape, f"{J.var() * 500:.2f}")  # entry variance g^2 / N
    (500, 500) 4.01
    """
    N = check_int(N, "N", 1)
    check_size(N * N, "N")
    g = check_real(g, "g", 0.0)
    rng = check_rng(rng, allow_seed=True)
    return (g / np.sqrt(N)) * rng.standard_normal((N, N))


def _check_J(J):
    """J as a finite real square float array (a copy: results keep the J they used)."""
    if np.iscomplexobj(J):  # (a float conversion would drop the imaginary part)
        raise TypeError("J must be a real array")
    J = check_array(J, "J", ndim=2, copy=True)
    if J.shape[0] != J.shape[1]:
        raise ValueError(f"J must be a square (N, N) array, got shape {J.shape}")
    return J


def _n_steps(t, dt, name):
    """``round(t / dt)`` RK4 steps; a count beyond what could be stored is refused."""
    n = t / dt
    check_size(min(n, 1e30), name)
    return int(round(n))


def _rnn_field(J, phi):
    f, df, _ = _phi(phi)

    def rhs(x):
        return -x + J @ f(x)

    def jvp(x, V):
        return -V + J @ (df(x)[:, None] * V)

    return rhs, jvp


def simulate_rnn(J, x0, t_total, dt, *, phi="tanh", t_transient=0.0, sample_every=1):
    """Integrate ``dx/dt = -x + J phi(x)`` with fixed-step RK4.

    Uses :func:`uniqnets.lyapunov.rk4_map` (local error O(dt^5)).

    Parameters
    ----------
    J : array, shape (N, N)
        Couplings (real, finite).
    x0 : array, shape (N,)
        Initial state (finite).
    t_total : float > 0
        Length of the recorded run (time units, ``tau = 1``).
    dt : float > 0
        RK4 step.
    t_transient : float >= 0
        Time integrated and discarded first.
    phi : {"tanh", "erf", "linear"}
        The nonlinearity.
    sample_every : int >= 1
        Keep every ``sample_every``-th state.

    Returns
    -------
    t : array, shape (n_samples,)
        Times since the end of the transient.
    X : array, shape (n_samples, N)
        The states; rows after a non-finite state are NaN.

    References
    ----------
    H. Sompolinsky, A. Crisanti, H.-J. Sommers, Phys. Rev. Lett. 61 (1988) 259-262.

    Examples
    --------
    >>> import numpy as np
    >>> from uniqnets.randomnets import random_couplings, simulate_rnn
    >>> J = random_couplings(50, 2.0, rng=0)
    >>> t, X = simulate_rnn(J, np.full(50, 0.5), 10.0, 0.1, sample_every=10)
    >>> print(t.shape, X.shape, f"{t[-1]:.1f}")
    (10,) (10, 50) 10.0
    """
    J = _check_J(J)
    N = J.shape[0]
    x = check_array(x0, "x0", shape=(N,))
    t_total = check_real(t_total, "t_total", 0.0, lo_open=True)
    dt = check_real(dt, "dt", 0.0, lo_open=True)
    t_transient = check_real(t_transient, "t_transient", 0.0)
    every = check_int(sample_every, "sample_every", 1)
    check_choice(phi, "phi", ACTIVATIONS)
    step = rk4_map(_rnn_field(J, phi)[0], dt)
    n = _n_steps(t_total, dt, "t_total/dt")
    if n < every:
        raise ValueError(f"t_total/dt = {n} steps is fewer than sample_every = {every}")
    check_size((n // every) * N, "t_total/dt")
    n_transient = _n_steps(t_transient, dt, "t_transient/dt")
    with np.errstate(over="ignore", invalid="ignore"):
        for _ in range(n_transient):
            x = step(x)
        m = n // every
        X = np.full((m, N), np.nan)
        for i in range(m):
            for _ in range(every):
                x = step(x)
            if not np.all(np.isfinite(x)):
                break
            X[i] = x
    return dt * every * np.arange(1, m + 1), X


def population_autocorrelation(X, n_lags):
    """Population-averaged autocorrelation ``(1/N) sum_i <x_i(t) x_i(t + s)>_t``.

    Not mean-subtracted (the DMFT ``Delta(tau)`` includes any mean, which vanishes at
    large N).  Computed with zero-padded FFTs, each lag averaged over the ``n - s``
    available pairs.

    Parameters
    ----------
    X : array, shape (n_samples, N)
        Equally spaced samples (finite).
    n_lags : int in 1..n_samples
        Number of lags.

    Returns
    -------
    array, shape (n_lags,)
        Lags ``0 .. n_lags - 1`` in units of the sampling interval.

    References
    ----------
    H. Sompolinsky, A. Crisanti, H.-J. Sommers, Phys. Rev. Lett. 61 (1988) 259-262.

    Examples
    --------
    >>> import numpy as np
    >>> from uniqnets.randomnets import population_autocorrelation
    >>> X = np.ones((100, 4))
    >>> print(np.round(population_autocorrelation(X, 3), 6))
    [1. 1. 1.]
    """
    X = check_array(X, "X", ndim=2)
    n = X.shape[0]
    n_lags = check_int(n_lags, "n_lags", 1)
    if n_lags > n:
        raise ValueError(f"n_lags ({n_lags}) exceeds the number of samples ({n})")
    nfft = 1 << int(np.ceil(np.log2(2 * n)))
    F = np.fft.rfft(X, n=nfft, axis=0)
    ac = np.fft.irfft((F * F.conj()).real.mean(axis=1), n=nfft)[:n_lags]
    return ac / (n - np.arange(n_lags))


@dataclass
class RNNLyapunov:
    """Top of the Lyapunov spectrum of one random recurrent network.

    Attributes
    ----------
    exponents : array, shape (k,)
        Per unit time, decreasing up to statistical error (NaN if the run diverged).
    stderr : array, shape (k,)
        Batch-means standard errors (20 blocks).
    J : array, shape (N, N)
        The coupling matrix used.
    result : uniqnets.lyapunov.LyapunovResult
        The full QR record (running estimates, final frame and state).

    Examples
    --------
    >>> from uniqnets.randomnets import rnn_lyapunov
    >>> res = rnn_lyapunov(2.0, 20, 20.0, 0.1, k=2, rng=0, t_transient=5.0)
    >>> res.exponents.shape, res.stderr.shape, res.J.shape
    ((2,), (2,), (20, 20))
    """

    exponents: np.ndarray
    stderr: np.ndarray
    J: np.ndarray
    result: object


def rnn_lyapunov(g, N, t_total, dt, k=1, *, rng, phi="tanh", t_transient=100.0,
                 J=None, renorm_every=1, progress=False):
    """The ``k`` largest Lyapunov exponents of ``dx/dt = -x + J phi(x)``, ``J_ij ~ N(0, g^2/N)``.

    Built on :func:`uniqnets.lyapunov.lyapunov_spectrum_flow` (RK4 for the state and
    the variational equation ``dV/dt = -V + J diag(phi'(x)) V``, QR re-orthonormalisation).
    ``J`` is drawn first from ``rng`` (:func:`random_couplings`), then ``x0 ~ N(0, 1)``
    and the initial frame.  For ``phi="linear"`` the exponents are the real parts of
    the eigenvalues of ``-I + J`` (of the RK4 map: see the tests).

    Parameters
    ----------
    g : float >= 0
        Coupling gain.
    N : int >= 1
        Number of units.
    t_total : float > 0
        Measured time (after ``t_transient``), in units of the unit time constant.
    dt : float > 0
        RK4 step.
    k : int in 1..N
        Number of exponents.
    rng : numpy.random.Generator or int
        Source of ``J``, ``x0`` and the initial frame (an integer is a seed).
    phi : {"tanh", "erf", "linear"}
        The nonlinearity.
    t_transient : float >= 0
        Time integrated before measuring.
    J : array (N, N), optional
        Use these couplings instead of drawing them (``g`` is then only recorded).
    renorm_every : int >= 1
        Steps between QR re-orthonormalisations.
    progress : bool
        Show a progress bar.

    Returns
    -------
    RNNLyapunov

    References
    ----------
    R. Engelken, F. Wolf, L. F. Abbott, "Lyapunov spectra of chaotic recurrent neural
    networks", arXiv:2006.02427 (2020).

    Examples
    --------
    >>> import numpy as np
    >>> from uniqnets.randomnets import rnn_lyapunov
    >>> res = rnn_lyapunov(0.5, 20, 20.0, 0.1, rng=0, phi="linear", t_transient=5.0)
    >>> mu = np.linalg.eigvals(-np.eye(20) + res.J).real.max()  # the exact answer
    >>> bool(abs(res.exponents[0] - mu) < 0.05)
    True
    """
    g = check_real(g, "g", 0.0)
    N = check_int(N, "N", 1)
    k = check_int(k, "k", 1)
    if k > N:
        raise ValueError(f"k must be in 1..N = {N}, got {k}")
    check_choice(phi, "phi", ACTIVATIONS)
    t_total = check_real(t_total, "t_total", 0.0, lo_open=True)
    dt = check_real(dt, "dt", 0.0, lo_open=True)
    t_transient = check_real(t_transient, "t_transient", 0.0)
    renorm_every = check_int(renorm_every, "renorm_every", 1)
    check_bool(progress, "progress")
    # the record holds k log-growths per renormalisation; the transient is counted alike
    check_size((_n_steps(t_total, dt, "t_total/dt") // renorm_every + 1) * k, "t_total/dt")
    _n_steps(t_transient, dt, "t_transient/dt")
    rng = check_rng(rng, allow_seed=True)
    if J is None:
        J = random_couplings(N, g, rng=rng)
    else:
        J = _check_J(J)
        if J.shape != (N, N):
            raise ValueError(f"J must have shape ({N}, {N}), got {J.shape}")
    x0 = rng.standard_normal(N)
    f, jvp = _rnn_field(J, phi)
    res = lyapunov_spectrum_flow(f, jvp, x0, t_total, dt, k, t_transient=t_transient,
                                 renorm_every=renorm_every, rng=rng, jac_is_jvp=True,
                                 progress=progress)
    if res.diverged or res.log_r.shape[0] < 40:
        se = np.full(k, np.nan)
    else:
        se = res.stderr(20)
    return RNNLyapunov(np.asarray(res.exponents), se, J, res)

