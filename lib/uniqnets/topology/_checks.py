"""Checks of point clouds and persistence diagrams shared by the topology modules (private).

Built on :func:`uniqnets._validate.check_array`.
"""

from __future__ import annotations

import numpy as np

from .._validate import check_array


def cloud(points, name: str = "points", dim: int | None = None) -> np.ndarray:
    """``points`` as a finite float64 array of shape (n, d), n, d >= 1 (a copy)."""
    if np.iscomplexobj(points):
        raise TypeError(f"{name} must be real, got dtype {np.asarray(points).dtype}")
    arr = check_array(points, name, ndim=2, copy=True)
    if dim is not None and arr.shape[1] != dim:
        raise ValueError(f"{name} must have dimension {dim} like the other cloud, "
                         f"got shape {arr.shape}")
    return arr


def diagram(dgm, name: str) -> np.ndarray:
    """A persistence diagram as a float64 array of shape (m, 2), checked (may be empty).

    Rules, tested in this order: an array of numbers (``TypeError``), not a scalar
    (``TypeError``), empty or of shape (m, 2), no NaN, finite births, and every death
    ``>=`` its birth (``ValueError``); a death may be ``+inf`` (an essential class).

    One conversion (no copy when ``dgm`` is already a float64 array) and one pass over
    the values: a valid diagram is exactly one whose births are all finite and whose
    deaths all compare ``>=`` their births (a NaN fails every comparison), which costs
    two vectorised tests; only a diagram that fails them is looked at again, to name
    the first rule it breaks.
    """
    arr = check_array(dgm, name, finite=False, min_size=0)
    if arr.ndim == 0:
        raise TypeError(f"{name} must be an array of (birth, death) pairs, got a scalar")
    if arr.size == 0:
        return np.zeros((0, 2))
    if arr.ndim != 2 or arr.shape[1] != 2:
        raise ValueError(f"{name} must have shape (n, 2), got {arr.shape}")
    birth, death = arr[:, 0], arr[:, 1]
    if not (np.isfinite(birth).all() and (death >= birth).all()):
        _refuse(arr, name)
    return arr


def _refuse(arr: np.ndarray, name: str):
    """Raise the error of the first rule that the (m, 2) array ``arr`` breaks.

    Called only when a diagram has a non-finite birth, a NaN, or a death below its
    birth, so one of the three errors is always raised.
    """
    if np.isnan(arr).any():
        raise ValueError(f"{name} must not contain NaN")
    if not np.isfinite(arr[:, 0]).all():
        raise ValueError(f"{name}: births must be finite")
    # no NaN and finite births: the failed test was a death below its birth
    raise ValueError(f"{name}: every death must be >= its birth")


def n_essential(dgm: np.ndarray) -> int:
    """The number of essential classes (death ``+inf``) of a checked diagram."""
    return int(np.count_nonzero(dgm[:, 1] == np.inf))


def essential(dgm: np.ndarray):
    """The finite part of a checked diagram and the sorted births of its essential classes.

    The finite part is ``dgm`` itself (not a copy) when there is no essential class.
    """
    ess = dgm[:, 1] == np.inf
    if not ess.any():
        return dgm, np.zeros(0)
    return dgm.compress(~ess, axis=0), np.sort(dgm[:, 0][ess])
