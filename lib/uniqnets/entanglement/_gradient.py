"""Algorithm 2 of Lai, Dong and Jin: the gradient-descent variant, and its closed form.

Gradient descent on ``||G_F ... G_1 w0 - target||^2`` from a single input.  With one
factor the error contracts geometrically and the trained map is a rank-one change
of the initial one (:func:`gradient_descent_closed_form`), so every input is pushed
along the same direction: the variant's "entanglement".
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from .._validate import check_array, check_int, check_real, check_size
from ._common import vector


@dataclass
class GDResult:
    """Result of :func:`gradient_descent`.

    Attributes
    ----------
    factors : list of arrays
        The trained factors ``[G_1, ..., G_F]`` (applied in this order).
    losses : array (steps + 1,)
        ``||G_F ... G_1 w0 - target||^2`` before each step and after the last.
    diverged : bool
        True if an update produced a non-finite value; ``factors`` are then the last
        finite ones and ``losses`` stops there.

    Examples
    --------
    >>> import numpy as np
    >>> from uniqnets.entanglement import gradient_descent
    >>> res = gradient_descent([1.0, 0.0], [2.0, 2.0], 0.25, 3, [np.eye(2)])
    >>> res.diverged, np.round(res.losses, 4).tolist()
    (False, [5.0, 1.25, 0.3125, 0.0781])
    >>> np.round(res.product @ [1.0, 0.0], 3)
    array([1.875, 1.75 ])
    """

    factors: list
    losses: np.ndarray
    diverged: bool

    @property
    def product(self) -> np.ndarray:
        """``G_F ... G_1``, shape (k_out, k)."""
        P = np.eye(self.factors[0].shape[1])
        for G in self.factors:
            P = G @ P
        return P


def gradient_descent(w0, target, eta: float, T: int, factors0) -> GDResult:
    """Algorithm 2: ``T`` steps of gradient descent on ``||G_F ... G_1 w0 - target||^2``.

    With one factor this is the paper's Algorithm 2 verbatim
    (``G <- G - eta * 2 e w0^T``).  With several factors (the reading
    ``G* = G_3 G_2 G_1`` trained by back-propagation) every factor moves along
    ``2 (G_F..G_{i+1})^T e (G_{i-1}..G_1 w0)^T`` at once.

    Parameters
    ----------
    w0 : array (k,)
        The single training input (finite).
    target : array (k_out,)
        Its target output (finite).
    eta : float > 0
        Learning rate.
    T : int >= 0
        Number of updates.
    factors0 : array (k_1, k) or sequence of 2-D arrays
        Initial factors ``[G_1, ..., G_F]`` (copied; finite, shapes that chain from
        ``k`` to ``k_out``).

    Returns
    -------
    GDResult
        Divergence is reported in ``diverged``, not raised.

    References
    ----------
    Lai, Dong and Jin, Algorithm 2.

    Examples
    --------
    >>> import numpy as np
    >>> from uniqnets.entanglement import gradient_descent
    >>> rng = np.random.default_rng(0)
    >>> fs = [rng.standard_normal((2, 2)) for _ in range(3)]
    >>> res = gradient_descent([0.1, 0.1], [2.0, 2.0], 1e-2, 200, fs)
    >>> print(f"{res.losses[0]:.3f} -> {res.losses[-1]:.2e}")
    8.498 -> 4.79e-01
    """
    w0 = vector(w0, "w0")
    target = vector(target, "target")
    eta = check_real(eta, "eta", lo=0.0, lo_open=True)
    T = check_int(T, "T", 0)
    check_size(T + 1, "T")
    if isinstance(factors0, np.ndarray) and factors0.ndim == 2:
        factors0 = [factors0]
    if isinstance(factors0, (str, bytes)) or not hasattr(factors0, "__iter__"):
        raise TypeError(f"factors0 must be a matrix or a sequence of matrices, got "
                        f"{type(factors0).__name__}")
    factors = [check_array(G, f"factors0[{i}]", ndim=2, copy=True)
               for i, G in enumerate(factors0)]
    if not factors:
        raise ValueError("factors0 must hold at least one matrix")
    dim = w0.size
    for i, G in enumerate(factors):
        if G.shape[1] != dim:
            src = "len(w0)" if i == 0 else f"the rows of factors0[{i - 1}]"
            raise ValueError(f"factors0[{i}] must have {dim} columns ({src}), got shape "
                             f"{G.shape}")
        dim = G.shape[0]
    if dim != target.size:
        raise ValueError(f"target must have {dim} entries, got {target.size}")

    def forward(fs):
        hs = [w0]
        for G in fs:
            hs.append(G @ hs[-1])
        return hs

    losses = []
    diverged = False
    with np.errstate(over="ignore", invalid="ignore"):
        for _ in range(T + 1):
            hs = forward(factors)
            e = hs[-1] - target
            loss = float(e @ e)
            if not np.isfinite(loss):
                diverged = True
                break
            losses.append(loss)
            if len(losses) == T + 1:
                break
            g = 2.0 * e
            new = [None] * len(factors)
            for i in range(len(factors) - 1, -1, -1):
                new[i] = factors[i] - eta * np.outer(g, hs[i])
                g = factors[i].T @ g
            if not all(np.all(np.isfinite(G)) for G in new):
                diverged = True
                break
            factors = new
    return GDResult(factors, np.array(losses), diverged)


def gradient_descent_closed_form(G0, w0, target, eta: float, T: int) -> np.ndarray:
    """Closed form of Algorithm 2 with one factor.

    The error obeys ``e_{t+1} = (1 - 2 eta ||w0||^2) e_t``, so after ``T`` steps::

        G_T = G_0 + (1 - (1 - 2 eta ||w0||^2)^T) (target - G_0 w0) w0^T / ||w0||^2,

    a rank-one change of ``G_0``: every input is mapped to
    ``G_0 x + gamma (w0 . x) d`` with the same direction ``d = target - G_0 w0``.

    Parameters
    ----------
    G0 : array (k_out, k)
        Initial matrix (finite).
    w0 : array (k,)
        The training input (finite, non-zero).
    target : array (k_out,)
        Its target output (finite).
    eta : float > 0
        Learning rate.
    T : int >= 0
        Number of updates.

    Returns
    -------
    numpy.ndarray, shape (k_out, k)
        ``G_T``, equal to ``gradient_descent(w0, target, eta, T, [G0]).factors[0]`` up
        to rounding.

    References
    ----------
    Lai, Dong and Jin, Algorithm 2.

    Examples
    --------
    >>> import numpy as np
    >>> from uniqnets.entanglement import gradient_descent, gradient_descent_closed_form
    >>> G0, w0, target = np.eye(2), np.array([1.0, 0.0]), np.array([2.0, 2.0])
    >>> GT = gradient_descent_closed_form(G0, w0, target, 0.25, 3)
    >>> bool(np.allclose(GT, gradient_descent(w0, target, 0.25, 3, G0).factors[0]))
    True
    >>> np.round(GT, 4)
    array([[1.875, 0.   ],
           [1.75 , 1.   ]])
    """
    w0 = vector(w0, "w0", nonzero=True)
    target = vector(target, "target")
    G0 = check_array(G0, "G0", ndim=2)
    if G0.shape != (target.size, w0.size):
        raise ValueError(f"G0 must have shape (len(target), len(w0)) = ({target.size}, "
                         f"{w0.size}), got {G0.shape}")
    eta = check_real(eta, "eta", lo=0.0, lo_open=True)
    T = check_int(T, "T", 0)
    nn = w0 @ w0
    beta = 1.0 - (1.0 - 2.0 * eta * nn) ** T
    return G0 + beta * np.outer(target - G0 @ w0, w0) / nn


