"""The QR (Benettin) loop: exponents of products of matrices (private module).

:func:`_accumulate` is the one loop of the package: every spectrum (products of
matrices, maps, flows, training runs) propagates an orthonormal frame through its
factors and accumulates ``log |R_ii|`` here.  :func:`qr_exponents` is its public
face for a given sequence of factors.
"""

from __future__ import annotations

import itertools
from collections.abc import Iterable
from dataclasses import dataclass

import numpy as np
from scipy.special import digamma

from .._validate import check_array, check_int, check_real, check_rng, check_size

__all__ = ["QRResult", "finite_time_exponents", "gaussian_product_exponents", "qr_exponents"]


def gaussian_product_exponents(k: int, sigma: float = 1.0) -> np.ndarray:
    """Exact Lyapunov spectrum of products of Gaussian ``k x k`` matrices.

    For i.i.d. factors with independent ``N(0, sigma^2)`` entries, Newman (1986)
    gives ``lambda_i = ln sigma + (ln 2 + psi((k - i + 1) / 2)) / 2`` for
    ``i = 1..k``, with ``psi`` the digamma function.

    Parameters
    ----------
    k : int >= 1
        Size of the matrices.
    sigma : float > 0
        Standard deviation of the entries.

    Returns
    -------
    numpy.ndarray, shape (k,)
        The exponents in decreasing order, natural log per factor.

    References
    ----------
    C. M. Newman, "The distribution of Lyapunov exponents: exact results for random
    matrices", Commun. Math. Phys. 103 (1986) 121-126.

    Examples
    --------
    >>> from uniqnets.lyapunov import gaussian_product_exponents
    >>> print(" ".join(f"{v:.4f}" for v in gaussian_product_exponents(3)))
    0.3648 0.0580 -0.6352
    """
    k = check_int(k, "k", lo=1)
    check_size(k, "k")
    sigma = check_real(sigma, "sigma", lo=0.0, lo_open=True)
    i = np.arange(1, k + 1)
    return np.log(sigma) + 0.5 * (np.log(2.0) + digamma((k - i + 1) / 2.0))


@dataclass
class QRResult:
    """Result of a QR accumulation (:func:`qr_exponents`).

    Attributes
    ----------
    exponents : numpy.ndarray, shape (k,)
        Estimated exponents per step (natural log), ``sum_t log|R_ii(t)| / n_steps``.
    log_r : numpy.ndarray, shape (n_steps, k)
        The per-step increments ``log |R_ii(t)|``; running estimates are
        ``cumsum(log_r, 0) / arange(1, n_steps + 1)[:, None]``.
    Q : numpy.ndarray, shape (d, k)
        The final orthonormal frame.

    Examples
    --------
    >>> import numpy as np
    >>> from uniqnets.lyapunov import QRResult
    >>> log_r = np.log([[2.0, 0.5], [2.0, 0.5], [2.0, 0.5], [2.0, 0.5]])
    >>> res = QRResult(log_r.mean(axis=0), log_r, np.eye(2))
    >>> print(" ".join(f"{v:.4f}" for v in res.exponents))
    0.6931 -0.6931
    """

    exponents: np.ndarray
    log_r: np.ndarray
    Q: np.ndarray

    @property
    def running(self) -> np.ndarray:
        """Running estimates after each step, shape (n_steps, k).

        Examples
        --------
        >>> import numpy as np
        >>> from uniqnets.lyapunov import QRResult
        >>> log_r = np.array([[1.0], [3.0]])
        >>> print(QRResult(log_r.mean(axis=0), log_r, np.eye(1)).running[:, 0].tolist())
        [1.0, 2.0]
        """
        n = self.log_r.shape[0]
        return np.cumsum(self.log_r, axis=0) / np.arange(1, n + 1)[:, None]

    def stderr(self, n_blocks: int = 20) -> np.ndarray:
        """Batch-means standard error of ``exponents``.

        The increments are split into ``n_blocks`` contiguous blocks; the standard
        deviation of the block means over ``sqrt(n_blocks)`` estimates the error of
        the mean when blocks are longer than the correlation time.

        Parameters
        ----------
        n_blocks : int >= 2
            Number of blocks; needs at least ``2 * n_blocks`` increments.

        Returns
        -------
        numpy.ndarray, shape (k,)
            In the unit of ``exponents``.

        Examples
        --------
        >>> import numpy as np
        >>> from uniqnets.lyapunov import qr_exponents
        >>> rng = np.random.default_rng(0)
        >>> res = qr_exponents(rng.standard_normal((2, 2)) for _ in range(400))
        >>> bool(np.all(res.stderr(n_blocks=10) < 0.1))
        True
        """
        n_blocks = check_int(n_blocks, "n_blocks", lo=2)
        n = self.log_r.shape[0]
        if n < 2 * n_blocks:
            raise ValueError(f"n_blocks={n_blocks} needs at least {2 * n_blocks} steps, have {n}")
        m = n // n_blocks
        means = self.log_r[: m * n_blocks].reshape(n_blocks, m, -1).mean(axis=1)
        return means.std(axis=0, ddof=1) / np.sqrt(n_blocks)


# -- the loop -------------------------------------------------------------------------------

def _accumulate(factors: Iterable, Q0: np.ndarray, name: str = "matrices"):
    """The QR loop: ``(log_r, Q)`` after propagating the frame ``Q0`` through ``factors``.

    The frame starts as the orthonormalised ``Q0``; each factor (a matrix, or a
    callable ``Q -> J Q``) maps it to ``J Q = Q' R``, ``Q'`` becomes the frame (column
    signs fixed so that ``R_ii > 0``: a continuous frame) and ``log |R_ii|`` is a row
    of ``log_r``.  A callable returning ``None`` ends the loop without a row (its run
    diverged).  Returns ``log_r`` of shape (n_rows, k) and the last frame.
    """
    Q = np.linalg.qr(Q0)[0]
    logs = []
    for t, J in enumerate(factors):
        if callable(J):
            JQ = J(Q)
            if JQ is None:
                break
        else:
            J = np.asarray(J)
            if J.dtype.kind not in "biufc":
                raise TypeError(f"{name} must hold numeric matrices, factor {t} is {J.dtype}")
            if J.ndim != 2:
                raise ValueError(f"{name} must hold 2-D matrices, factor {t} has shape {J.shape}")
            if not np.all(np.isfinite(J)):
                raise ValueError(f"{name} must be finite, factor {t} is not")
            JQ = J @ Q
        if JQ.shape != Q.shape:
            raise ValueError(f"factor {t} of {name} maps a frame of shape {Q.shape} to "
                             f"{JQ.shape}")
        Q, R = np.linalg.qr(JQ)
        diag = np.diagonal(R)
        # fix signs so that Q is a continuous frame (R_ii > 0)
        s = np.where(diag < 0, -1.0, 1.0)
        Q = Q * s
        with np.errstate(divide="ignore"):
            logs.append(np.log(np.abs(diag)))
    return np.array(logs).reshape(len(logs), Q.shape[1]), Q


def _check_frame(Q0, name: str, shape) -> np.ndarray:
    """``Q0`` as a finite float frame of ``shape`` with linearly independent columns."""
    Q0 = check_array(Q0, name, shape=shape)
    if Q0.shape[1] > Q0.shape[0]:
        raise ValueError(f"{name} must have at most as many columns as rows, got {Q0.shape}")
    R = np.linalg.qr(Q0, mode="r")
    if np.min(np.abs(np.diagonal(R))) <= 1e-12 * max(1.0, np.max(np.abs(R))):
        raise ValueError(f"{name} must have linearly independent columns")
    return Q0


def _initial_frame(d: int, k: int, Q0, rng, rng_name: str = "rng") -> np.ndarray:
    """The starting frame (d, k) of a spectrum: ``Q0``, random from ``rng``, or ``eye(d, k)``."""
    k = check_int(k, "k", lo=1, hi=d)
    check_size(d * k, "k")
    if Q0 is not None:
        return np.linalg.qr(_check_frame(Q0, "Q0", (d, k)))[0]
    if rng is None:
        return np.eye(d, k)
    rng = check_rng(rng, rng_name)
    return np.linalg.qr(rng.standard_normal((d, k)))[0]


def _progress(iterable, total, enabled, desc):
    if not enabled:
        return iterable
    from tqdm.auto import tqdm

    return tqdm(iterable, total=total, desc=desc)


# -- public ---------------------------------------------------------------------------------

def qr_exponents(matrices: Iterable, k: int | None = None, Q0=None) -> QRResult:
    """Top-``k`` Lyapunov exponents of the product ``... J_2 J_1`` by repeated QR.

    Keeps an orthonormal frame ``Q`` of ``k`` directions, re-orthonormalises
    ``J_t Q = Q' R`` by a QR decomposition and averages ``log |R_ii|``.  By
    Oseledets' multiplicative ergodic theorem the averages converge to the ``k``
    largest Lyapunov exponents (Benettin et al. 1980).

    Parameters
    ----------
    matrices : iterable of arrays of shape (d, d), or of callables
        The factors in order of application.  A callable ``J(Q) -> J @ Q`` (shape
        (d, k) -> (d, k)) may stand for a matrix that is never formed, such as
        ``I - eta H`` applied by Hessian-vector products.  Streamed: only one
        factor is held at a time.
    k : int, optional
        Number of exponents, ``1 <= k <= d`` (default: all ``d``; needs ``Q0`` or a
        matrix factor to know ``d``).
    Q0 : array (d, k), optional
        Initial frame (orthonormalised); default the first ``k`` unit vectors.

    Returns
    -------
    QRResult
        ``exponents`` (k,) per factor (natural log), ``log_r`` (n_factors, k).

    References
    ----------
    V. I. Oseledets, Trans. Moscow Math. Soc. 19 (1968) 197-231.
    G. Benettin, L. Galgani, A. Giorgilli, J.-M. Strelcyn, Meccanica 15 (1980) 9-20.

    Examples
    --------
    >>> import numpy as np
    >>> from uniqnets.lyapunov import qr_exponents
    >>> A = np.array([[2.0, 1.0], [0.0, 0.5]])
    >>> res = qr_exponents([A] * 200)
    >>> print(" ".join(f"{v:.3f}" for v in res.exponents))  # ln 2, ln 0.5
    0.693 -0.693
    """
    if k is not None:
        k = check_int(k, "k", lo=1)
    if isinstance(matrices, (str, bytes)):
        raise TypeError("matrices must be an iterable of (d, d) arrays or callables, got str")
    if isinstance(matrices, np.ndarray) and matrices.ndim != 3:
        raise ValueError(f"matrices given as an array must have shape (n, d, d), "
                         f"got {matrices.shape}")
    try:
        it = iter(matrices)
    except TypeError:
        raise TypeError(f"matrices must be an iterable of (d, d) arrays or callables, "
                        f"got {type(matrices).__name__}") from None
    if Q0 is not None:
        Q0 = _check_frame(Q0, "Q0", (None, None))
        if k is not None and Q0.shape[1] != k:
            raise ValueError(f"Q0 has {Q0.shape[1]} columns but k={k}")
    empty = object()
    first = next(it, empty)
    if first is empty:
        raise ValueError("matrices must contain at least one factor")
    if Q0 is None:
        if callable(first):
            raise ValueError("Q0 is needed when the factors are callables")
        first = np.asarray(first)
        if first.ndim != 2 or first.shape[0] != first.shape[1]:
            raise ValueError(f"matrices must be square (d, d), factor 0 has shape {first.shape}")
        d = first.shape[0]
        k = d if k is None else k
        if k > d:
            raise ValueError(f"k must be in 1..{d}, got {k}")
        Q0 = np.eye(d, k)
    elif not callable(first) and np.shape(first) != (Q0.shape[0],) * 2:
        raise ValueError(f"matrices must be ({Q0.shape[0]}, {Q0.shape[0]}) for Q0 of shape "
                         f"{Q0.shape}, factor 0 has shape {np.shape(first)}")
    log_r, Q = _accumulate(itertools.chain([first], it), Q0)
    return QRResult(log_r.mean(axis=0), log_r, Q)


def finite_time_exponents(result: QRResult, window: int) -> np.ndarray:
    """Finite-time Lyapunov exponents: the QR increments averaged over windows.

    Parameters
    ----------
    result : QRResult or LyapunovResult
    window : int >= 1
        Number of rows of ``result.log_r`` per window (re-orthonormalisations).

    Returns
    -------
    numpy.ndarray, shape (n_rows // window, k)
        Exponents over consecutive disjoint windows, per unit time (per step for a
        plain :class:`QRResult`).  Their spread measures how far the finite-time
        exponents are from the asymptotic ones; their mean over all windows is
        ``result.exponents`` (up to the dropped tail).

    Examples
    --------
    >>> import numpy as np
    >>> from uniqnets.lyapunov import finite_time_exponents, qr_exponents
    >>> res = qr_exponents([np.diag([2.0, 0.5])] * 100)
    >>> fte = finite_time_exponents(res, 25)
    >>> print(fte.shape, f"{fte[0, 0]:.4f}")
    (4, 2) 0.6931
    """
    if not isinstance(result, QRResult):
        raise TypeError(f"result must be a QRResult, got {type(result).__name__}")
    window = check_int(window, "window", lo=1)
    n = result.log_r.shape[0]
    if window > n:
        raise ValueError(f"window must be at most the number of increments ({n}), got {window}")
    m = n // window
    dt = getattr(result, "dt", 1.0)
    return result.log_r[: m * window].reshape(m, window, -1).mean(axis=1) / dt
