"""Where the mini-batch gradient covariance is singular: degenerate hidden units.

Lemma 16 of the uniqueness preprint asserts that the mini-batch gradient covariance
``Sigma_B(theta)`` is positive definite almost everywhere. Its zero eigenvalues come
from hidden units that carry no independent gradient: units switched off (zero
incoming weights, bias and outgoing weight) and units that repeat another up to sign
(tanh being odd). Each such unit of a one-hidden-layer network leaves ``n_in + 2``
directions without noise: its outgoing weight (combined with its twin's) and its
``n_in + 1`` incoming coordinates. :func:`covariance_degeneracy` counts the units,
the zero eigenvalues, and the prediction of the second from the first.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from .._validate import check_real
from ._minibatch import MinibatchNoise

__all__ = ["CovarianceDegeneracy", "covariance_degeneracy"]


@dataclass(frozen=True)
class CovarianceDegeneracy:
    """What :func:`covariance_degeneracy` returns.

    Attributes
    ----------
    n_off : int
        Hidden units switched off.
    n_repeat : int
        Hidden units repeating an earlier one up to sign.
    n_null : int
        Eigenvalues of ``Sigma_B(theta)`` below ``1e-12`` of the largest (exact zeros
        come out near ``1e-17`` relative).
    n_predicted : int
        ``(n_in + 2) (n_off + n_repeat)``.
    condition : float
        Smallest over largest eigenvalue.
    rank : int
        ``numpy.linalg.matrix_rank`` of the covariance.
    """

    n_off: int
    n_repeat: int
    n_null: int
    n_predicted: int
    condition: float
    rank: int


def covariance_degeneracy(noise: MinibatchNoise, theta, rtol: float = 1e-6
                          ) -> CovarianceDegeneracy:
    """Count degenerate hidden units and the zero eigenvalues of ``Sigma_B(theta)``.

    Parameters
    ----------
    noise : MinibatchNoise
        Of an objective on a network with one hidden layer.
    theta : array, shape (d,)
    rtol : float > 0
        Units closer than ``rtol max(1, ||theta||)`` count as equal (or as zero).

    Returns
    -------
    CovarianceDegeneracy

    Examples
    --------
    >>> import numpy as np
    >>> from uniqnets.models import MLP, Objective
    >>> from uniqnets.thermo import MinibatchNoise
    >>> net = MLP((2, 3, 1))
    >>> rng = np.random.default_rng(0)
    >>> obj = Objective(net, rng.standard_normal((20, 2)), rng.standard_normal((20, 1)))
    >>> theta = net.init(rng, bias_std=0.5)
    >>> (W, b), out = net.unflatten(theta)
    >>> W[1], b[1] = W[0], b[0]  # unit 1 becomes a copy of unit 0
    >>> theta = net.flatten([(W, b), out])
    >>> res = covariance_degeneracy(MinibatchNoise(obj, 4), theta)
    >>> res.n_repeat, res.n_null, res.n_predicted
    (1, 4, 4)
    """
    if not isinstance(noise, MinibatchNoise):
        raise TypeError(f"noise must be a MinibatchNoise, got {type(noise).__name__}")
    net = noise.objective.model
    if net.depth != 2:
        raise ValueError("noise: degenerate units are counted for one hidden layer only")
    theta = net._check_theta(theta)
    rtol = check_real(rtol, "rtol", lo=0, lo_open=True)
    (W, b), (V, _) = net.unflatten(theta)
    U, v = np.c_[W, b], V[0]
    tol = rtol * max(1.0, np.linalg.norm(theta))
    hidden = net.sizes[1]
    off = [k for k in range(hidden) if np.linalg.norm(U[k]) <= tol and abs(v[k]) <= tol]
    reps, repeats = [], 0
    for k in range(hidden):
        if k in off:
            continue
        if any(min(np.linalg.norm(U[k] - r), np.linalg.norm(U[k] + r)) <= tol for r in reps):
            repeats += 1
        else:
            reps.append(U[k])
    S = noise.sample_cov(theta)
    ev = np.linalg.eigvalsh(S)
    return CovarianceDegeneracy(
        n_off=len(off), n_repeat=repeats, n_null=int(np.sum(ev < 1e-12 * ev[-1])),
        n_predicted=(net.sizes[0] + 2) * (len(off) + repeats), condition=float(ev[0] / ev[-1]),
        rank=int(np.linalg.matrix_rank(S)))
