"""The minimum distance between the polygonal curves through two clouds (private)."""

from __future__ import annotations

import numpy as np
from scipy.spatial.distance import cdist

from .._validate import check_bool
from ._checks import cloud
from ._set_distance import _min_pair

__all__ = ["polyline_distance"]


def _segment_distances(P0, U, Q0, V):
    """Distances between segments P0 + s U and Q0 + t V, s, t in [0, 1], row by row.

    Written by hand (no library offers segment-segment distances in R^d): the squared
    distance is a convex quadratic on the unit square, so its minimum is at the
    stationary point (if inside) or at the 1-D minimiser on one of the four edges.
    All five candidates are feasible, so their smallest distance, evaluated from the
    vectors themselves (no cancellation in a quadratic form), is the minimum.
    Returns (dist, s, t), arrays of shape (m,).
    """
    W0 = P0 - Q0
    a = np.einsum("ij,ij->i", U, U)
    b = np.einsum("ij,ij->i", U, V)
    c = np.einsum("ij,ij->i", V, V)
    d = np.einsum("ij,ij->i", U, W0)
    e = np.einsum("ij,ij->i", V, W0)
    with np.errstate(divide="ignore", invalid="ignore"):
        safe_a = np.where(a > 0, a, 1.0)
        safe_c = np.where(c > 0, c, 1.0)
        cands = [
            (np.zeros_like(a), np.where(c > 0, np.clip(e / safe_c, 0, 1), 0.0)),
            (np.ones_like(a), np.where(c > 0, np.clip((e + b) / safe_c, 0, 1), 0.0)),
            (np.where(a > 0, np.clip(-d / safe_a, 0, 1), 0.0), np.zeros_like(a)),
            (np.where(a > 0, np.clip((b - d) / safe_a, 0, 1), 0.0), np.ones_like(a)),
        ]
        det = a * c - b * b
        ok = det > 1e-12 * a * c
        safe_det = np.where(ok, det, 1.0)
        s_in = (b * e - c * d) / safe_det
        t_in = (a * e - b * d) / safe_det
        inside = ok & (s_in >= 0) & (s_in <= 1) & (t_in >= 0) & (t_in <= 1)
        cands.append((np.where(inside, s_in, 0.0), np.where(inside, t_in, 0.0)))
    best = np.full(a.shape, np.inf)
    bs, bt = np.zeros_like(a), np.zeros_like(a)
    for s, t in cands:
        dist = np.linalg.norm(W0 + s[:, None] * U - t[:, None] * V, axis=1)
        better = dist < best
        best = np.where(better, dist, best)
        bs, bt = np.where(better, s, bs), np.where(better, t, bt)
    return best, bs, bt


def polyline_distance(P, Q, return_location: bool = False):
    """Minimum distance between the polygonal curves through two trajectory clouds.

    ``dist(gamma_P, gamma_Q) = min_{x in gamma_P, y in gamma_Q} ||x - y||`` where
    ``gamma_P`` is the piecewise-linear curve through ``P[0], P[1], ...``.  Two curves
    lie in disjoint tubes ``N_r1``, ``N_r2`` exactly when ``r1 + r2 <`` this distance
    (Theorem 12, part 3).  Exact up to rounding: every pair of segments whose lower
    bound ``|m_i - m_j| - (l_i + l_j)/2`` (midpoints m, lengths l) does not exceed the
    best vertex-vertex distance is measured exactly by ``_segment_distances``.

    Parameters
    ----------
    P : array_like, shape (n1, d)
        Vertices of the first curve, finite; a single point is a degenerate curve.
    Q : array_like, shape (n2, d)
        Vertices of the second curve, of the same dimension.
    return_location : bool
        Also return ``(i, s, j, t)``: the closest points are ``P[i] + s (P[i+1] - P[i])``
        and ``Q[j] + t (Q[j+1] - Q[j])``.

    Returns
    -------
    float or tuple
        The distance (units of the points), or ``(distance, (i, s, j, t))``.

    References
    ----------
    D. Eberly, "Robust computation of the distance between line segments",
    Geometric Tools (2015), https://www.geometrictools.com.

    Examples
    --------
    Two crossing segments touch although their vertices are far apart:

    >>> from uniqnets.topology import polyline_distance, set_distance
    >>> P, Q = [[0.0, 0.0], [2.0, 2.0]], [[0.0, 2.0], [2.0, 0.0]]
    >>> d, (i, s, j, t) = polyline_distance(P, Q, return_location=True)
    >>> print(d, s, t, set_distance(P, Q))
    0.0 0.5 0.5 2.0
    """
    A = cloud(P, "P")
    B = cloud(Q, "Q", dim=A.shape[1])
    return_location = check_bool(return_location, "return_location")
    # a single point is a zero-length segment
    A2 = A if len(A) > 1 else np.vstack([A, A])
    B2 = B if len(B) > 1 else np.vstack([B, B])
    upper, _, _ = _min_pair(A, B)
    mA, lA = 0.5 * (A2[1:] + A2[:-1]), np.linalg.norm(np.diff(A2, axis=0), axis=1)
    mB, lB = 0.5 * (B2[1:] + B2[:-1]), np.linalg.norm(np.diff(B2, axis=0), axis=1)
    best, loc = np.inf, (0, 0.0, 0, 0.0)
    chunk = max(1, 2 ** 22 // max(1, len(mB)))
    for s0 in range(0, len(mA), chunk):
        mid = cdist(mA[s0:s0 + chunk], mB)
        half = 0.5 * (lA[s0:s0 + chunk, None] + lB[None, :])
        # keep every pair whose lower bound could beat the best distance; the slack covers
        # the rounding of the bound itself (a difference of two numbers of size mid)
        slack = 64 * np.finfo(float).eps * (mid + half)
        ii, jj = np.nonzero(mid - half <= min(upper, best) + slack)
        if len(ii) == 0:
            continue
        ii = ii + s0
        dist, s, t = _segment_distances(A2[ii], A2[ii + 1] - A2[ii], B2[jj], B2[jj + 1] - B2[jj])
        k = int(np.argmin(dist))
        if dist[k] < best:
            best = float(dist[k])
            loc = (int(ii[k]), float(s[k]), int(jj[k]), float(t[k]))
    return (best, loc) if return_location else best
