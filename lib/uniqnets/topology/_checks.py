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
    """A persistence diagram as a float64 array of shape (m, 2), checked (may be empty)."""
    arr = check_array(dgm, name, finite=False, min_size=0)
    if arr.ndim == 0:
        raise TypeError(f"{name} must be an array of (birth, death) pairs, got a scalar")
    if arr.size == 0:
        return np.zeros((0, 2))
    arr = check_array(arr, name, shape=(None, 2), finite=False)
    if np.any(np.isnan(arr)):
        raise ValueError(f"{name} must not contain NaN")
    if not np.all(np.isfinite(arr[:, 0])):
        raise ValueError(f"{name}: births must be finite")
    if np.any(arr[:, 1] < arr[:, 0]):
        raise ValueError(f"{name}: every death must be >= its birth")
    return arr


def essential(dgm):
    """The finite part of a diagram and the sorted births of its essential classes."""
    ess = np.isinf(dgm[:, 1])
    return dgm[~ess], np.sort(dgm[ess, 0])
