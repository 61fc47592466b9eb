"""The likelihood derivation of Algorithm 1 (the paper's Eqs. 7 and 10-12), tested.

:func:`hyperplane_test` samples random hyperplanes and counts how many separate two
vectors at a given angle (Eqs. 10-11, Charikar's hashing), and how often the rows that
Algorithm 1 keeps separate them (Eq. 12). :func:`eq7_sides` evaluates both sides of the
second equality of Eq. 7.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from scipy.special import entr

from .. import stats
from .._validate import check_array, check_int, check_real

__all__ = ["HyperplaneTest", "eq7_sides", "hyperplane_test"]


@dataclass(frozen=True)
class HyperplaneTest:
    """Result of :func:`hyperplane_test`: one entry per angle.

    Attributes
    ----------
    theta0 : array (A,)
        ``theta / pi``.
    mean_fraction : array (A,)
        Fraction of the ``n_hash`` hyperplanes separating ``w`` and ``w'``, averaged over
        repetitions (Eq. 10 says ``theta0``).
    z_mean : array (A,)
        Its deviation from ``theta0`` in binomial standard deviations.
    var_ratio : array (A,)
        Sample variance of the count over the binomial variance (Eq. 11 says 1).
    var_ratio_se : float
        Relative standard error of a sample variance of ``n_rep`` draws,
        ``sqrt(2 / (n_rep - 1))``.
    p_kept, p_kept_se : arrays (A,)
        Probability that one of the ``k_keep`` rows of largest ``|v . w|`` separates
        ``w`` and ``w'`` (Eq. 12 says 1 for every ``w'``), and its se over repetitions.
    """

    theta0: np.ndarray
    mean_fraction: np.ndarray
    z_mean: np.ndarray
    var_ratio: np.ndarray
    var_ratio_se: float
    p_kept: np.ndarray
    p_kept_se: np.ndarray

    def table(self) -> str:
        """A Markdown table per angle: Eq. 10's mean, Eq. 11's variance ratio, Eq. 12's
        separation probability among the kept rows."""
        from ._convergence import markdown_table, pm

        rows = [(f"{t:.3f}", f"{m:.4f}", f"{z:.1f}", f"{v:.3f}", pm(p, pse, 4))
                for t, m, z, v, p, pse in zip(self.theta0, self.mean_fraction, self.z_mean,
                                              self.var_ratio, self.p_kept, self.p_kept_se,
                                              strict=True)]
        return markdown_table(("θ/π", "mean x/n", "z", "variance / binomial",
                               "kept rows separating"), rows)


def hyperplane_test(theta0, seed: int, *, n_hash: int = 1000, n_rep: int = 400,
                    k_keep: int = 10) -> HyperplaneTest:
    """Random hyperplanes separating two vectors at angle ``pi theta0``, before and after
    Algorithm 1's selection.

    Only the components of each Gaussian normal ``v`` in the plane of ``w`` and ``w'``
    matter, so two are drawn per hyperplane (``rng_stream(seed, 17)``, angles in order).

    Parameters
    ----------
    theta0 : sequence of float in (0, 1)
        Angles over pi.
    seed : int >= 0
        Root of the random stream.
    n_hash : int >= 2
        Hyperplanes per repetition.
    n_rep : int >= 2
        Repetitions.
    k_keep : int in [1, n_hash]
        Rows kept by the selection (largest ``|v . w|``).

    Returns
    -------
    HyperplaneTest

    References
    ----------
    M. S. Charikar, STOC 2002; Lai, Dong and Jin, Eqs. 10-12.

    Examples
    --------
    >>> h = hyperplane_test([1 / 3], 0, n_hash=200, n_rep=50)
    >>> bool(h.z_mean[0] < 5), bool(h.p_kept[0] < 1 / 3)
    (True, True)
    """
    theta0 = check_array(theta0, "theta0", ndim=1)
    if np.any((theta0 <= 0) | (theta0 >= 1)):
        raise ValueError("theta0 must lie strictly between 0 and 1")
    seed = check_int(seed, "seed", 0)
    n_hash = check_int(n_hash, "n_hash", 2)
    n_rep = check_int(n_rep, "n_rep", 2)
    k_keep = check_int(k_keep, "k_keep", 1, n_hash)
    rng = stats.rng_stream(seed, 17)
    rows = []
    for t in theta0:
        th = np.pi * t
        V = rng.standard_normal((n_rep, n_hash, 2))
        a, b = V[..., 0], V[..., 0] * np.cos(th) + V[..., 1] * np.sin(th)
        flip = np.sign(a) != np.sign(b)
        x = flip.sum(axis=1)
        z = abs(x.mean() / n_hash - t) / np.sqrt(t * (1 - t) / (n_hash * n_rep))
        keep = np.argpartition(-np.abs(a), k_keep - 1, axis=1)[:, :k_keep]
        kept = np.take_along_axis(flip, keep, axis=1)
        rows.append((x.mean() / n_hash, z, x.var(ddof=1) / (n_hash * t * (1 - t)),
                     kept.mean(), kept.mean(axis=1).std(ddof=1) / np.sqrt(n_rep)))
    m, z, v, p, pse = np.array(rows).T
    return HyperplaneTest(theta0, m, z, v, float(np.sqrt(2 / (n_rep - 1))), p, pse)


def eq7_sides(k: int, n: int, theta0: float) -> tuple[float, float]:
    """Both sides of the second equality of Eq. 7, in bits.

    ``-log2(theta0^k (1 - theta0)^(n - k))`` and ``n H_2(theta0)``: equal when
    ``k = n theta0``, not otherwise.

    Parameters
    ----------
    k : int >= 0
        Count.
    n : int >= k
        Trials.
    theta0 : float in (0, 1)
        Probability.

    Returns
    -------
    tuple of float

    Examples
    --------
    >>> [round(v, 3) for v in eq7_sides(30, 100, 0.3)]
    [88.129, 88.129]
    """
    k = check_int(k, "k", 0)
    n = check_int(n, "n", max(k, 1))
    theta0 = check_real(theta0, "theta0", lo=0.0, hi=1.0, lo_open=True, hi_open=True)
    lhs = -(k * np.log2(theta0) + (n - k) * np.log2(1 - theta0))
    rhs = n * (entr(theta0) + entr(1 - theta0)) / np.log(2)
    return float(lhs), float(rhs)
