"""Losses and angles between outputs: Eq. 21, Eq. 32, the spacetime cosine, cones in the plane.

All of them measure how far a test output is from the direction of the training
output; the paper's "entanglement" is the collapse of these measures to 0 or 1.
"""

from __future__ import annotations

import numpy as np

from .._validate import check_array, check_real
from ._common import unit_columns, unit_vector, vector


def _outputs(w, W):
    u = unit_vector(w, "w")
    U = unit_columns(W, "W")
    if U.shape[0] != u.size:
        raise ValueError(f"W must have {u.size} rows (the length of w), got shape "
                         f"{np.shape(W)}")
    return u, U


def angular_loss(w, W) -> np.ndarray:
    """Eq. 21 per sample: ``1 - arccos(cos(w, W[:, j])) / pi``.

    0 means anti-parallel, 1 parallel.  Rounding of the cosine limits the loss to
    about 1e-8 from 0 or 1; :attr:`Propagation.loss` gives the exact value.

    Parameters
    ----------
    w : array, shape (k,)
        The training output (finite, non-zero).
    W : array, shape (k,) or (k, m)
        Test outputs as columns (finite, non-zero).

    Returns
    -------
    numpy.ndarray, shape (m,)
        The loss of each test output, in [0, 1].

    References
    ----------
    Lai, Dong and Jin, Eq. 21.

    Examples
    --------
    >>> import numpy as np
    >>> from uniqnets.entanglement import angular_loss
    >>> np.round(angular_loss([1.0, 0.0], [[1.0, -2.0, 0.0], [0.0, 0.0, 3.0]]), 3)
    array([1. , 0. , 0.5])
    """
    u, U = _outputs(w, W)
    c = np.clip(u @ U, -1.0, 1.0)
    return 1.0 - np.arccos(c) / np.pi


def chord_loss(w, W) -> np.ndarray:
    """Eq. 32 per sample: ``|| w/|w| - W_j/|W_j| || / 2``, in [0, 1].

    Parameters
    ----------
    w : array, shape (k,)
        The training output (finite, non-zero).
    W : array, shape (k,) or (k, m)
        Test outputs as columns (finite, non-zero).

    Returns
    -------
    numpy.ndarray, shape (m,)
        Half the distance between the unit vectors: 0 parallel, 1 anti-parallel.

    References
    ----------
    Lai, Dong and Jin, Eq. 32.

    Examples
    --------
    >>> import numpy as np
    >>> from uniqnets.entanglement import chord_loss
    >>> np.round(chord_loss([1.0, 0.0], [[1.0, -2.0, 0.0], [0.0, 0.0, 3.0]]), 3)
    array([0.   , 1.   , 0.707])
    """
    u, U = _outputs(w, W)
    return 0.5 * np.linalg.norm(u[:, None] - U, axis=0)


def spacetime_cosine(c: float, log_norm_w, log_norms_W, cos) -> np.ndarray:
    """Cosine between the spacetime vectors ``[c l; w_l]`` and ``[c l; w'_l]`` (Eq. 27-30).

    Parameters
    ----------
    c : float > 0
        The paper's "speed of light" that scales the layer index.
    log_norm_w : array, shape (L+1,)
        ``log ||w_l||`` of the training output (natural log).
    log_norms_W : array, shape (L+1, m)
        ``log ||w'_l||`` of the test outputs.
    cos : array, shape (L+1, m)
        Spatial cosines ``cos(w_l, w'_l)``.

    Returns
    -------
    numpy.ndarray, shape (L+1, m)
        ``(a b + cos) / sqrt((1 + a^2)(1 + b^2))`` with ``a = c l / ||w_l||`` and
        ``b = c l / ||w'_l||`` (no overflow for huge or tiny norms).

    References
    ----------
    Lai, Dong and Jin, Sec. IV, Eq. 27-30.

    Examples
    --------
    At layer 0 the time components vanish and the spatial cosine is returned:

    >>> import numpy as np
    >>> from uniqnets.entanglement import spacetime_cosine
    >>> out = spacetime_cosine(1.0, np.zeros(2), np.zeros((2, 1)), np.array([[0.5], [0.5]]))
    >>> np.round(out[:, 0], 3)
    array([0.5 , 0.75])
    """
    c = check_real(c, "c", lo=0.0, lo_open=True)
    log_norm_w = check_array(log_norm_w, "log_norm_w", ndim=1)
    L1 = log_norm_w.shape[0]
    log_norms_W = check_array(log_norms_W, "log_norms_W", shape=(L1, None), min_size=0)
    cos = check_array(cos, "cos", shape=log_norms_W.shape, min_size=0)
    ell = np.arange(L1, dtype=float)
    with np.errstate(divide="ignore"):
        log_ct = np.log(c * ell)
    # clipped so that a * b cannot overflow; beyond e^150 the cosine is 1 to rounding
    a = np.exp(np.clip(log_ct - log_norm_w, -745, 150))[:, None]
    b = np.exp(np.clip(log_ct[:, None] - log_norms_W, -745, 150))
    return (a * b + cos) / (np.hypot(1.0, a) * np.hypot(1.0, b))


def cone_fraction(M, direction, half_angle: float) -> float:
    """Exact fraction of isotropic ``x`` in R^2 with ``M x`` within ``half_angle`` of ``+-d``.

    The preimage of the double cone of half-angle ``delta < pi/2`` under an
    invertible ``M`` is a double cone spanned by ``M^{-1} r_-`` and ``M^{-1} r_+``
    (``r_+-`` the boundary rays); its share of the circle is the angle between them
    over pi.

    Parameters
    ----------
    M : array, shape (2, 2)
        An invertible matrix (the trained map of Algorithm 2).
    direction : array, shape (2,)
        Axis of the cone (finite, non-zero; only its direction matters).
    half_angle : float
        Half-angle of the cone in radians, in (0, pi/2).

    Returns
    -------
    float
        The fraction in [0, 1]; ``2 half_angle / pi`` for a rotation or a multiple of one.

    Examples
    --------
    >>> import numpy as np
    >>> from uniqnets.entanglement import cone_fraction
    >>> print(f"{cone_fraction(np.eye(2), [1.0, 1.0], 0.1):.4f}  {0.2 / np.pi:.4f}")
    0.0637  0.0637
    >>> print(f"{cone_fraction([[5.0, 0.3], [4.0, 1.0]], [1.0, 1.0], 0.1):.3f}")
    0.370
    """
    M = check_array(M, "M", shape=(2, 2))
    d = vector(direction, "direction", size=2, nonzero=True)
    d = d / np.linalg.norm(d)
    half_angle = check_real(half_angle, "half_angle", 0.0, np.pi / 2, lo_open=True,
                            hi_open=True)
    phi = np.arctan2(d[1], d[0])
    rays = np.array([[np.cos(phi - half_angle), np.cos(phi + half_angle)],
                     [np.sin(phi - half_angle), np.sin(phi + half_angle)]])
    try:
        P = np.linalg.solve(M, rays)
    except np.linalg.LinAlgError:
        raise ValueError("M must be invertible") from None
    cross = P[0, 0] * P[1, 1] - P[1, 0] * P[0, 1]
    dot = P[:, 0] @ P[:, 1]
    return float(abs(np.arctan2(abs(cross), dot)) / np.pi)
