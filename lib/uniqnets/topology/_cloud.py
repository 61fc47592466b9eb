"""The point cloud of a training trajectory, and shared projections of clouds (private)."""

from __future__ import annotations

import numpy as np

from .._validate import check_array, check_int
from ._checks import cloud

__all__ = ["pca_basis", "trajectory_cloud"]


def trajectory_cloud(checkpoints, project=None) -> np.ndarray:
    """The point cloud of a training trajectory, optionally projected.

    Parameters
    ----------
    checkpoints : uniqnets.models.Trajectory or array_like, shape (n, d)
        Saved parameter vectors (``Trajectory.thetas``), one per row, finite (check
        ``Trajectory.diverged`` before).
    project : None, array_like of shape (d, k), or callable
        None keeps the full parameter space; a matrix ``P`` maps the cloud to
        ``S @ P`` (use orthonormal columns, e.g. from :func:`pca_basis`, for an
        orthogonal projection, which can only shrink distances); a callable is
        applied to the (n, d) array and must return an (n, k) array.

    Returns
    -------
    ndarray, shape (n, d) or (n, k)
        float64, a copy.

    References
    ----------
    H. Edelsbrunner, J. Harer, *Computational Topology: An Introduction*, AMS 2010
    (point clouds and their filtrations, Ch. III).

    Examples
    --------
    >>> import numpy as np
    >>> from uniqnets.topology import trajectory_cloud
    >>> S = np.arange(12.0).reshape(4, 3)
    >>> print(trajectory_cloud(S, project=np.eye(3)[:, :2]))
    [[ 0.  1.]
     [ 3.  4.]
     [ 6.  7.]
     [ 9. 10.]]
    """
    thetas = getattr(checkpoints, "thetas", checkpoints)
    X = cloud(thetas, "checkpoints")
    if project is None:
        return X.copy()
    if callable(project):
        Y = cloud(project(X), "project(checkpoints)")
        if Y.shape[0] != X.shape[0]:
            raise ValueError(f"project must keep the number of points {X.shape[0]}, "
                             f"got {Y.shape[0]}")
        return Y
    P = check_array(project, "project", shape=(X.shape[1], None))
    return X @ P


def pca_basis(*clouds, k: int) -> np.ndarray:
    """Orthonormal basis of the top-k principal directions of stacked clouds.

    Centre the union of ``clouds`` and take the first ``k`` right singular vectors
    (:func:`numpy.linalg.svd`); the sign of each vector is fixed so that its
    largest-magnitude entry is positive (a deterministic choice).  Use it to project
    several trajectories into one shared k-dimensional space with
    :func:`trajectory_cloud`.

    Parameters
    ----------
    *clouds : array_like, shape (n_i, d)
        One or more finite clouds of the same dimension.
    k : int
        Number of directions, ``1 <= k <= d``.  With fewer points than ``k`` the
        basis is completed by an orthonormal complement.

    Returns
    -------
    ndarray, shape (d, k)
        Orthonormal columns.

    References
    ----------
    I. T. Jolliffe, *Principal Component Analysis*, 2nd ed., Springer 2002, Ch. 3.

    Examples
    --------
    >>> import numpy as np
    >>> from uniqnets.topology import pca_basis
    >>> S = np.array([[0.0, 0.0, 0.0], [1.0, 0.0, 0.0], [3.0, 0.0, 0.0]])
    >>> print(np.round(pca_basis(S, k=1).ravel(), 3))
    [1. 0. 0.]
    """
    if not clouds:
        raise ValueError("clouds: give at least one point cloud")
    arrs = [cloud(c, f"clouds[{i}]") for i, c in enumerate(clouds)]
    d = arrs[0].shape[1]
    for i, a in enumerate(arrs):
        if a.shape[1] != d:
            raise ValueError(f"clouds[{i}] must have dimension {d}, got {a.shape[1]}")
    k = check_int(k, "k", lo=1, hi=d)
    X = np.vstack(arrs)
    X = X - X.mean(axis=0)
    _, _, Vt = np.linalg.svd(X, full_matrices=False)
    V = Vt[: int(k)].T
    if V.shape[1] < k:  # fewer points than k: complete with an orthonormal basis
        Qc, _ = np.linalg.qr(np.hstack([V, np.eye(d)]))
        V = Qc[:, : int(k)]
    flip = np.sign(V[np.argmax(np.abs(V), axis=0), np.arange(V.shape[1])])
    flip[flip == 0] = 1.0
    return V * flip
