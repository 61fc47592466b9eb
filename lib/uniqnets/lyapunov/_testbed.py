"""The test bed of the chaotic-divergence pages: a tanh network on two moons (private module)."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from .. import data, models
from .._validate import check_array, check_int, check_real

__all__ = ["TanhTestBed", "tanh_two_moons"]


@dataclass(frozen=True)
class TanhTestBed:
    """A tanh classifier on the two-moons data, with its cross-entropy objectives.

    Built by :func:`tanh_two_moons`.

    Attributes
    ----------
    model : uniqnets.models.MLP
    X : numpy.ndarray, shape (n, 2)
    y : numpy.ndarray of int, shape (n,)
    theta0 : numpy.ndarray, shape (d,)
        The initialisation.
    objective : uniqnets.models.Objective
        Mean cross-entropy plus ``weight_decay / 2 * ||theta||^2``.
    objective_no_decay : uniqnets.models.Objective
        The same loss without weight decay.
    """

    model: models.MLP
    X: np.ndarray
    y: np.ndarray
    theta0: np.ndarray
    objective: models.Objective
    objective_no_decay: models.Objective

    def accuracy(self, theta) -> float:
        """Training accuracy of the parameters ``theta`` (shape (d,)).

        Examples
        --------
        >>> bed = tanh_two_moons(16, 0.1, [4], 0.01, 0)
        >>> 0.0 <= bed.accuracy(bed.theta0) <= 1.0
        True
        """
        theta = check_array(theta, "theta", shape=(self.model.n_params,))
        return float(np.mean(self.model(theta, self.X).argmax(axis=1) == self.y))


def tanh_two_moons(n_train: int, noise: float, hidden, weight_decay: float,
                   seed: int) -> TanhTestBed:
    """Two-moons data, a tanh network ``(2, *hidden, 2)`` and its initialisation, from one seed.

    The data are drawn first, then the initialisation, from ``default_rng(seed)``. The
    cross-entropy gradient is bounded (the softmax is), so with weight decay every
    gradient-descent orbit enters a bounded set.

    Parameters
    ----------
    n_train : int >= 2
    noise : float >= 0
        Standard deviation of the noise of :func:`uniqnets.data.two_moons`.
    hidden : sequence of int >= 1
        Hidden widths.
    weight_decay : float >= 0
    seed : int >= 0

    Returns
    -------
    TanhTestBed

    Examples
    --------
    >>> bed = tanh_two_moons(64, 0.1, [16, 16], 0.01, 0)
    >>> bed.model.n_params, bed.X.shape
    (354, (64, 2))
    """
    n_train = check_int(n_train, "n_train", lo=2, hi=10**8)
    noise = check_real(noise, "noise", lo=0.0)
    hidden = [check_int(h, "hidden", lo=1, hi=10**5) for h in check_array(
        hidden, "hidden", ndim=1).tolist()] if len(hidden) else []
    weight_decay = check_real(weight_decay, "weight_decay", lo=0.0)
    seed = check_int(seed, "seed", lo=0)
    rng = np.random.default_rng(seed)
    ds = data.two_moons(n_train, rng, noise=noise)
    model = models.MLP((2, *hidden, 2), "tanh")
    theta0 = model.init(rng)
    objs = [models.Objective(model, ds.X, ds.Y, "xent", weight_decay=wd)
            for wd in (weight_decay, 0.0)]
    return TanhTestBed(model=model, X=ds.X, y=ds.Y, theta0=theta0, objective=objs[0],
                       objective_no_decay=objs[1])
