"""Chaos of the forward pass at initialisation against chaos of training (private).

:func:`training_exponents` trains tanh MLPs initialised across the order-chaos line and
measures, for each, the mean-field exponent of its forward pass and the largest
Lyapunov exponent of its gradient-descent map.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar

import numpy as np

from .._validate import check_array, check_int, check_real, check_rng
from ._signal import chi1
from ._summary import Summary


@dataclass(frozen=True)
class TrainingExponents(Summary):
    """Forward and training exponents of MLPs initialised at several weight variances.

    Attributes
    ----------
    sigma_w2 : array, shape (n,)
        Initial weight variances times fan-in.
    forward : array, shape (n,)
        Mean-field per-layer exponent ``ln(chi_1)/2`` of the forward pass.
    train, train_se : array, shape (n,)
        Largest Lyapunov exponent of the training map per step and its batch-means
        standard error (20 blocks).
    loss_start, loss_end : array, shape (n,)
        Training loss before and after.
    """

    sigma_w2: np.ndarray
    forward: np.ndarray
    train: np.ndarray
    train_se: np.ndarray
    loss_start: np.ndarray
    loss_end: np.ndarray
    _skip: ClassVar[tuple] = ("sigma_w2",)
    _extra: ClassVar[tuple] = ("train_min", "train_min_se", "train_max", "train_max_se")

    @property
    def train_min(self) -> float:
        """The smallest training exponent."""
        return float(self.train.min())

    @property
    def train_min_se(self) -> float:
        """Its standard error."""
        return float(self.train_se[np.argmin(self.train)])

    @property
    def train_max(self) -> float:
        """The largest training exponent."""
        return float(self.train.max())

    @property
    def train_max_se(self) -> float:
        """Its standard error."""
        return float(self.train_se[np.argmax(self.train)])


def training_exponents(sigma_w2, sigma_b2, width, n_steps, lr, *, rng, depth=4, n_data=64):
    """Train tanh MLPs by gradient descent and measure both exponents of each.

    The data (``n_data`` points of :func:`uniqnets.data.sine_regression`) come first from
    ``rng``, then for each initial variance the parameters (``MLP.init`` with gain
    ``sqrt(sigma_w2)`` and bias scale ``sqrt(sigma_b2)``) and the tangent vector of
    :func:`uniqnets.lyapunov.lyapunov_spectrum` along ``theta -> theta - lr grad L``.

    Parameters
    ----------
    sigma_w2 : sequence of float >= 0
        Initial weight variances times fan-in.
    sigma_b2 : float >= 0
        Initial bias variance.
    width : int >= 1
        Hidden width.
    n_steps : int >= 40
        Gradient-descent steps (the standard error uses 20 blocks).
    lr : float > 0
        Learning rate.
    rng : numpy.random.Generator or int
        Source of the data, the initialisations and the tangent vectors.
    depth : int >= 1
        Hidden layers.
    n_data : int >= 1
        Training points.

    Returns
    -------
    TrainingExponents

    References
    ----------
    S. S. Schoenholz et al., ICLR 2017 (forward exponent); G. Benettin et al., Meccanica
    15 (1980) 9-30 (QR method).

    Examples
    --------
    >>> from uniqnets.randomnets import training_exponents
    >>> t = training_exponents([0.5, 4.0], 0.05, 8, 40, 0.05, rng=0, depth=2, n_data=16)
    >>> t.train.shape, bool(t.forward[0] < 0 < t.forward[1])
    ((2,), True)
    """
    from .. import data, lyapunov, models

    sw = check_array(sigma_w2, "sigma_w2", ndim=1)
    if np.any(sw < 0):
        raise ValueError("sigma_w2 must hold values >= 0")
    sigma_b2 = check_real(sigma_b2, "sigma_b2", 0.0)
    width = check_int(width, "width", 1)
    n_steps = check_int(n_steps, "n_steps", 40)
    lr = check_real(lr, "lr", 0.0, lo_open=True)
    depth = check_int(depth, "depth", 1)
    n_data = check_int(n_data, "n_data", 1)
    rng = check_rng(rng, allow_seed=True)
    ds = data.sine_regression(n_data, rng)
    model = models.MLP((1, *([width] * depth), 1), "tanh")
    obj = models.Objective(model, ds.X, ds.Y)
    rows = []
    for s in sw:
        theta0 = model.init(rng, gain=np.sqrt(s), bias_std=np.sqrt(sigma_b2))
        res = lyapunov.lyapunov_spectrum(lambda th: models.gd_step(obj, th, lr),
                                         lambda th, V: models.training_jvp(obj, th, V, lr),
                                         theta0, n_steps, k=1, rng=rng)
        rows.append((0.5 * np.log(chi1(s, sigma_b2)), res.exponents[0], res.stderr(20)[0],
                     obj.loss(theta0), obj.loss(res.x)))
    cols = [np.array(c, dtype=float) for c in zip(*rows, strict=True)]
    return TrainingExponents(sw, *cols)
