"""Complexes of two clouds across scales, and distances after projection (private).

:func:`isomorphism_scan` asks at every scale of a logarithmic grid whether the Rips
complexes of two clouds are isomorphic (part 1 of Theorem 12 of the uniqueness
preprint); :func:`projection_study` projects two clouds onto their shared principal axes
and measures the distance of their curves and of their diagrams in each dimension.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from scipy.spatial.distance import pdist

from .._validate import check_int
from ._checks import cloud
from ._cloud import pca_basis, trajectory_cloud
from ._diagram_distance import bottleneck
from ._isomorphism import ISOMORPHIC, NOT_ISOMORPHIC, UNDECIDED, rips_isomorphism
from ._persistence import rips_diagrams
from ._polyline import polyline_distance
from ._set_distance import hausdorff

__all__ = ["IsomorphismScan", "ProjectionStudy", "isomorphism_scan", "projection_study",
           "scan_summary"]


@dataclass(frozen=True)
class IsomorphismScan:
    """Rips complexes of two clouds on a grid of scales.

    ``scales`` (m,), ``codes`` (m,) from :func:`rips_isomorphism`, ``edges`` (2, m) the
    edge counts of the two complexes; ``rips_lo``/``rips_hi`` the smaller minimum distance
    and the larger diameter; ``cech_lo`` = rips_lo / 2 (both Cech complexes discrete
    below) and ``cech_hi`` = rho_m rips_hi (both full above, Jung's theorem).
    """

    scales: np.ndarray
    codes: np.ndarray
    edges: np.ndarray
    rips_lo: float
    rips_hi: float
    cech_lo: float
    cech_hi: float

    @property
    def inner(self) -> np.ndarray:
        """Mask of the scales between the smaller minimum distance and the larger diameter."""
        return (self.scales >= self.rips_lo) & (self.scales < self.rips_hi)

    def summary(self) -> dict:
        """Shares of certified answers inside, and uncertified answers at the ends."""
        inner = self.inner
        return {"frac_not_iso": float(np.mean(self.codes[inner] == NOT_ISOMORPHIC)),
                "frac_undecided": float(np.mean(self.codes[inner] == UNDECIDED)),
                "n_ends_not_certified": int(np.sum(self.codes[~inner] != ISOMORPHIC)),
                "n_ends": int(np.sum(~inner))}


def isomorphism_scan(S1, S2, n_scales: int = 400) -> IsomorphismScan:
    """Scan scales from half the smaller minimum distance to twice the larger diameter.

    Parameters
    ----------
    S1, S2 : array_like, shapes (n1, d), (n2, d)
    n_scales : int >= 2
        Points of the logarithmic grid.

    Returns
    -------
    IsomorphismScan

    References
    ----------
    H. W. E. Jung, "Ueber die kleinste Kugel, die eine raeumliche Figur einschliesst",
    J. Reine Angew. Math. 123 (1901) 241-257.

    Examples
    --------
    >>> import numpy as np
    >>> from uniqnets.topology import isomorphism_scan
    >>> rng = np.random.default_rng(0)
    >>> scan = isomorphism_scan(rng.random((8, 3)), rng.random((8, 3)), n_scales=50)
    >>> scan.summary()["n_ends_not_certified"]
    0
    """
    S1, S2 = cloud(S1, "S1"), cloud(S2, "S2", dim=np.shape(S1)[1])
    n_scales = check_int(n_scales, "n_scales", lo=2)
    p1, p2 = pdist(S1), pdist(S2)
    if len(p1) == 0 or len(p2) == 0:
        raise ValueError("S1 and S2 need at least two points each")
    lo, hi = min(p1.min(), p2.min()), max(p1.max(), p2.max())
    scales = np.geomspace(lo / 2, 2 * hi, n_scales)
    m = min(S1.shape[1], len(S1) - 1)
    rho = np.sqrt(m / (2 * (m + 1)))
    edges = np.array([np.searchsorted(np.sort(p), scales, side="right") for p in (p1, p2)])
    return IsomorphismScan(scales=scales, codes=rips_isomorphism(S1, S2, scales), edges=edges,
                           rips_lo=float(lo), rips_hi=float(hi), cech_lo=float(lo / 2),
                           cech_hi=float(rho * hi))


def scan_summary(scans) -> dict:
    """The worst case over several :class:`IsomorphismScan` (e.g. one per optimiser).

    Smallest share certified non-isomorphic inside, largest share undecided, scales at
    the ends not certified isomorphic (summed), the smallest ``cech_lo`` and largest
    ``cech_hi``.

    Examples
    --------
    >>> import numpy as np
    >>> from uniqnets.topology import isomorphism_scan, scan_summary
    >>> rng = np.random.default_rng(0)
    >>> scan = isomorphism_scan(rng.random((8, 3)), rng.random((8, 3)), n_scales=50)
    >>> scan_summary({"a": scan})["iso_ends_not_certified"]
    0
    """
    if isinstance(scans, dict):
        scans = list(scans.values())
    if not isinstance(scans, (list, tuple)) or not scans \
            or not all(isinstance(s, IsomorphismScan) for s in scans):
        raise TypeError("scans must be a non-empty collection of IsomorphismScan")
    each = [s.summary() for s in scans]
    return {"iso_frac_not_iso_min": min(v["frac_not_iso"] for v in each),
            "iso_frac_undecided_max": max(v["frac_undecided"] for v in each),
            "iso_ends_not_certified": sum(v["n_ends_not_certified"] for v in each),
            "cech_discrete_below": min(s.cech_lo for s in scans),
            "cech_full_above": max(s.cech_hi for s in scans)}


@dataclass(frozen=True)
class ProjectionStudy:
    """Two clouds projected onto k shared principal axes, for each k in ``dims``.

    Columns of ``table`` (one row per k): k, distance of the polygonal curves,
    Hausdorff distance, bottleneck distance of the H0 and of the H1 diagrams. The last
    row is the full space.
    """

    table: np.ndarray

    def monotonicity_violation(self) -> float:
        """Largest decrease of the curve distance as k grows, relative to the full value."""
        curve = self.table[:, 1]
        return float(max(0.0, -np.diff(curve).min(initial=0.0)) / curve[-1])


def projection_study(S1, S2, dims) -> ProjectionStudy:
    """Distances between two clouds after orthogonal projection onto k principal axes.

    A shared basis of both clouds (:func:`pca_basis`); an orthogonal projection is
    1-Lipschitz, so the curve distance can only grow with k.

    Parameters
    ----------
    S1, S2 : array_like, shape (n, d)
    dims : sequence of int >= 1
        Dimensions below d are studied; d (the full space) is always added.

    Returns
    -------
    ProjectionStudy

    References
    ----------
    I. T. Jolliffe, *Principal Component Analysis*, Springer 2002.

    Examples
    --------
    >>> import numpy as np
    >>> from uniqnets.topology import projection_study
    >>> rng = np.random.default_rng(0)
    >>> projection_study(rng.random((10, 4)), rng.random((10, 4)), [1, 2]).table[:, 0].tolist()
    [1.0, 2.0, 4.0]
    """
    S1, S2 = cloud(S1, "S1"), cloud(S2, "S2", dim=np.shape(S1)[1])
    d = S1.shape[1]
    ks = [check_int(k, "dims", lo=1) for k in np.atleast_1d(dims)]
    rows = []
    for k in [k for k in ks if k < d] + [d]:
        V = pca_basis(S1, S2, k=k) if k < d else None
        P1, P2 = trajectory_cloud(S1, project=V), trajectory_cloud(S2, project=V)
        D1, D2 = rips_diagrams(P1), rips_diagrams(P2)
        rows.append([k, polyline_distance(P1, P2), hausdorff(P1, P2),
                     bottleneck(D1[0], D2[0]), bottleneck(D1[1], D2[1])])
    return ProjectionStudy(table=np.array(rows))
