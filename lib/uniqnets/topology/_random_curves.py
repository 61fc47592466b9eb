"""How often, and how closely, independent random polylines in R^d meet (private).

Step 4 of Theorem 12 of the uniqueness preprint says that random curves stop meeting as
the dimension grows. :func:`random_curve_study` measures, per dimension, the share of
pairs of Gaussian random walks whose polygonal curves intersect (distance below 1e-9,
rounding) and their mean distance; :func:`near_miss_refinement` refines the walks at a
fixed extent (towards Brownian paths) and counts near misses.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from .._validate import check_int, check_real, check_rng
from ._polyline import polyline_distance

__all__ = ["CurveStudy", "NearMisses", "random_polyline", "random_curve_study",
           "near_miss_refinement"]

#: distances below this are intersections (rounding of O(1) coordinates)
HIT = 1e-9


def random_polyline(dim: int, n_segments: int, rng, extent: float | None = None
                    ) -> np.ndarray:
    """A Gaussian random walk in R^dim: start ~ N(0, 4/dim), mean square extent ``extent``.

    Parameters
    ----------
    dim, n_segments : int >= 1
    rng : numpy.random.Generator
    extent : float > 0, optional
        Mean square end-to-end length of the walk (default ``n_segments``: steps of unit
        mean square length).

    Returns
    -------
    ndarray, shape (n_segments + 1, dim)

    References
    ----------
    A. Dvoretzky, P. Erdos, S. Kakutani, "Double points of paths of Brownian motion in
    n-space", Acta Sci. Math. Szeged 12 (1950) 75-81.

    Examples
    --------
    >>> import numpy as np
    >>> from uniqnets.topology import random_polyline
    >>> random_polyline(3, 10, np.random.default_rng(0)).shape
    (11, 3)
    """
    dim = check_int(dim, "dim", lo=1)
    n_segments = check_int(n_segments, "n_segments", lo=1)
    rng = check_rng(rng)
    if extent is None:
        extent = n_segments
    extent = check_real(extent, "extent", lo=0.0, lo_open=True)
    start = 2.0 / np.sqrt(dim) * rng.standard_normal(dim)
    steps = np.sqrt(extent / n_segments / dim) * rng.standard_normal((n_segments, dim))
    return np.cumsum(np.vstack([start, steps]), axis=0)


@dataclass(frozen=True)
class CurveStudy:
    """Per dimension: P(intersect) and its s.e., mean distance and its s.e., P(dist < 0.1).

    ``table`` has one row per dimension: d, p_hit, se(p_hit), mean distance, its s.e.,
    share of pairs closer than 0.1. ``n_pairs`` pairs per dimension.
    """

    table: np.ndarray
    n_pairs: int

    def markdown(self) -> str:
        """The table in Markdown."""
        lines = ["| d | P(intersect) | s.e. | mean distance | s.e. | P(distance < 0.1) |",
                 "|---|---|---|---|---|---|"]
        lines += [f"| {r[0]:.0f} | " + " | ".join(f"{v:.3f}" for v in r[1:]) + " |"
                  for r in self.table]
        return "\n".join(lines)

    def summary(self) -> dict:
        """Intersection share in the first dimension, hits from d = 3, mean distances."""
        t = self.table
        return {"curve_p2": t[0, 1], "curve_p2_se": t[0, 2], "curve_hits_3up": self.hits_from(3),
                "curve_dmax": int(t[-1, 0]), "curve_mean_first": t[0, 3],
                "curve_mean_last": t[-1, 3], "curve_mean_last_se": t[-1, 4]}

    def hits_from(self, dim: int) -> int:
        """Number of intersecting pairs over all dimensions >= ``dim``."""
        rows = self.table[self.table[:, 0] >= dim]
        return int(np.round(np.sum(rows[:, 1]) * self.n_pairs))


def random_curve_study(dims, n_pairs: int, n_segments: int, rng) -> CurveStudy:
    """Distances between pairs of independent random polylines, per dimension.

    Parameters
    ----------
    dims : sequence of int >= 1
    n_pairs, n_segments : int >= 2 and >= 1
    rng : numpy.random.Generator
        Drawn from in order: dimension by dimension, pair by pair.

    Returns
    -------
    CurveStudy

    References
    ----------
    A. Dvoretzky, P. Erdos, S. Kakutani, "Double points of paths of Brownian motion in
    n-space", Acta Sci. Math. Szeged 12 (1950) 75-81.

    Examples
    --------
    >>> import numpy as np
    >>> from uniqnets.topology import random_curve_study
    >>> st = random_curve_study([3], 5, 10, np.random.default_rng(0))
    >>> st.table.shape, st.hits_from(3)
    ((1, 6), 0)
    """
    ks = [check_int(k, "dims", lo=1) for k in np.atleast_1d(dims)]
    n_pairs = check_int(n_pairs, "n_pairs", lo=2)
    n_segments = check_int(n_segments, "n_segments", lo=1)
    rng = check_rng(rng)
    rows = []
    for dim in ks:
        dist = np.array([polyline_distance(random_polyline(dim, n_segments, rng),
                                           random_polyline(dim, n_segments, rng))
                         for _ in range(n_pairs)])
        p = np.mean(dist < HIT)
        rows.append([dim, p, np.sqrt(p * (1 - p) / n_pairs), dist.mean(),
                     dist.std(ddof=1) / np.sqrt(n_pairs), np.mean(dist < 0.1)])
    return CurveStudy(table=np.array(rows), n_pairs=n_pairs)


@dataclass(frozen=True)
class NearMisses:
    """Share of pairs closer than ``threshold``: ``share[dim]`` per number of segments."""

    n_segments: tuple
    share: dict
    n_pairs: int
    threshold: float

    def markdown(self) -> str:
        """The shares as a Markdown table, one row per dimension."""
        head = "| segments | " + " | ".join(map(str, self.n_segments)) + " |"
        rule = "|---|" + "---|" * len(self.n_segments)
        rows = [f"| $d = {d}$ | " + " | ".join(f"{v:.2f}" for v in s) + " |"
                for d, s in self.share.items()]
        return "\n".join([head, rule, *rows])

    def summary(self) -> dict:
        """The finest share and its standard error, per dimension."""
        out = {}
        for d in self.share:
            out[f"curve_near{d}_last"] = float(self.share[d][-1])
            out[f"curve_near{d}_last_se"] = self.se(d)
        return out

    def se(self, dim: int) -> float:
        """Binomial standard error of the last (finest) share in dimension ``dim``."""
        p = self.share[dim][-1]
        return float(np.sqrt(p * (1 - p) / self.n_pairs))


def near_miss_refinement(dims, n_segments, n_pairs: int, rng, extent: float = 50.0,
                         threshold: float = 0.05) -> NearMisses:
    """Refine random walks at a fixed extent and count pairs closer than ``threshold``.

    Parameters
    ----------
    dims : sequence of int >= 1
    n_segments : sequence of int >= 1
        Resolutions (segments per walk).
    n_pairs : int >= 2
    rng : numpy.random.Generator
    extent : float > 0
        Mean square extent of every walk.
    threshold : float > 0

    Returns
    -------
    NearMisses

    References
    ----------
    A. Dvoretzky, P. Erdos, S. Kakutani, "Double points of paths of Brownian motion in
    n-space", Acta Sci. Math. Szeged 12 (1950) 75-81.

    Examples
    --------
    >>> import numpy as np
    >>> from uniqnets.topology import near_miss_refinement
    >>> nm = near_miss_refinement([3], [5, 10], 4, np.random.default_rng(0))
    >>> len(nm.share[3])
    2
    """
    ks = [check_int(k, "dims", lo=1) for k in np.atleast_1d(dims)]
    ns = tuple(check_int(n, "n_segments", lo=1) for n in np.atleast_1d(n_segments))
    n_pairs = check_int(n_pairs, "n_pairs", lo=2)
    rng = check_rng(rng)
    extent = check_real(extent, "extent", lo=0.0, lo_open=True)
    threshold = check_real(threshold, "threshold", lo=0.0, lo_open=True)
    share = {dim: np.array([np.mean([polyline_distance(random_polyline(dim, n, rng, extent),
                                                       random_polyline(dim, n, rng, extent))
                                     < threshold for _ in range(n_pairs)]) for n in ns])
             for dim in ks}
    return NearMisses(n_segments=ns, share=share, n_pairs=n_pairs, threshold=threshold)
