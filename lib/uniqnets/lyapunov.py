"""Lyapunov exponents: QR (Benettin) spectra of products of matrices, maps and flows.

The core is :func:`qr_exponents`: given the tangent matrices ``J_1, J_2, ...``
of a dynamical system (or simply a sequence of random matrices), it keeps an
orthonormal frame ``Q`` of ``k`` directions, re-orthonormalises
``J_t Q = Q' R`` by a QR decomposition and accumulates ``log |R_ii|``.  By
Oseledets' multiplicative ergodic theorem the averages converge to the ``k``
largest Lyapunov exponents (Benettin et al. 1980).

:func:`gaussian_product_exponents` is the exact spectrum of products of
independent Gaussian matrices (Newman 1986), the known answer every QR
implementation here is checked against.

References
----------
V. I. Oseledets, "A multiplicative ergodic theorem", Trans. Moscow Math. Soc. 19
(1968) 197-231.
G. Benettin, L. Galgani, A. Giorgilli, J.-M. Strelcyn, "Lyapunov characteristic
exponents for smooth dynamical systems ...; a method for computing all of them",
Meccanica 15 (1980) 9-20.
C. M. Newman, "The distribution of Lyapunov exponents: exact results for random
matrices", Commun. Math. Phys. 103 (1986) 121-126.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

import numpy as np
from scipy.special import digamma

__all__ = ["QRResult", "gaussian_product_exponents", "qr_exponents"]


def gaussian_product_exponents(k: int, sigma: float = 1.0) -> np.ndarray:
    """Exact Lyapunov spectrum of products of k x k matrices with i.i.d. N(0, sigma^2) entries.

    Newman (1986): ``lambda_i = ln sigma + (ln 2 + psi((k - i + 1) / 2)) / 2`` for
    ``i = 1..k``, with ``psi`` the digamma function; natural log per factor.

    Returns
    -------
    array, shape (k,), in decreasing order.
    """
    if int(k) != k or k < 1:
        raise ValueError(f"k must be an integer >= 1, got {k}")
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
