"""Small synthetic data sets made from a seed: nothing is downloaded.

Each function takes an explicit :class:`numpy.random.Generator` and returns a
:class:`Dataset` with inputs ``X`` of shape ``(n_samples, n_features)`` and
targets ``Y`` (real targets of shape ``(n_samples, n_outputs)``, or integer
class labels of shape ``(n_samples,)``).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from ._validate import check_int
from ._validate import check_rng as _check_rng
from .models import MLP

__all__ = ["Dataset", "sine_regression", "teacher_student", "two_moons"]


@dataclass(frozen=True)
class Dataset:
    """Inputs ``X`` (n_samples, n_features) and targets ``Y``."""

    X: np.ndarray
    Y: np.ndarray

    def __len__(self) -> int:
        return self.X.shape[0]

    def split(self, n_test: int) -> tuple[Dataset, Dataset]:
        """The first ``len - n_test`` samples for training, the last ``n_test`` held out."""
        if not 0 < n_test < len(self):
            raise ValueError(f"n_test must be in 1..{len(self) - 1}, got {n_test}")
        k = len(self) - n_test
        return Dataset(self.X[:k], self.Y[:k]), Dataset(self.X[k:], self.Y[k:])


def _check_n(n_samples):
    return check_int(n_samples, "n_samples", 1)


def _check_noise(noise):
    if not (np.isfinite(noise) and noise >= 0):
        raise ValueError(f"noise must be a finite number >= 0, got {noise}")
    return float(noise)


def two_moons(n_samples: int, rng: np.random.Generator, noise: float = 0.1) -> Dataset:
    """Two interleaving half circles in the plane, labels 0 and 1.

    The construction of scikit-learn's ``make_moons`` (written out here to avoid the
    dependency): outer moon ``(cos t, sin t)``, inner moon ``(1 - cos t, 1/2 - sin t)``,
    ``t`` uniform on ``[0, pi]``, plus isotropic Gaussian noise of std ``noise``.
    Samples are returned shuffled.  ``X``: (n, 2); ``Y``: (n,) int.
    """
    n = _check_n(n_samples)
    noise = _check_noise(noise)
    rng = _check_rng(rng)
    n_out = n // 2
    n_in = n - n_out
    t_out = rng.uniform(0.0, np.pi, n_out)
    t_in = rng.uniform(0.0, np.pi, n_in)
    X = np.concatenate([
        np.stack([np.cos(t_out), np.sin(t_out)], axis=1),
        np.stack([1.0 - np.cos(t_in), 0.5 - np.sin(t_in)], axis=1),
    ])
    Y = np.concatenate([np.zeros(n_out, dtype=np.int64), np.ones(n_in, dtype=np.int64)])
    X = X + noise * rng.standard_normal(X.shape)
    order = rng.permutation(n)
    return Dataset(X[order], Y[order])


def sine_regression(n_samples: int, rng: np.random.Generator, noise: float = 0.05,
                    x_range: tuple[float, float] = (-np.pi, np.pi), frequency: float = 1.0
                    ) -> Dataset:
    """``y = sin(frequency * x) + noise * N(0, 1)`` with ``x`` uniform on ``x_range``.

    ``X``: (n, 1); ``Y``: (n, 1).
    """
    n = _check_n(n_samples)
    noise = _check_noise(noise)
    rng = _check_rng(rng)
    lo, hi = x_range
    if not (np.isfinite(lo) and np.isfinite(hi) and lo < hi):
        raise ValueError(f"x_range must be two finite numbers lo < hi, got {x_range}")
    x = rng.uniform(lo, hi, n)
    y = np.sin(frequency * x) + noise * rng.standard_normal(n)
    return Dataset(x[:, None], y[:, None])


def teacher_student(n_samples: int, teacher: MLP, rng: np.random.Generator,
                    noise: float = 0.0, teacher_gain: float = 1.0,
                    teacher_theta: np.ndarray | None = None) -> tuple[Dataset, np.ndarray]:
    """Gaussian inputs labelled by a random teacher network.

    ``X ~ N(0, I)`` of shape (n, teacher.sizes[0]); ``Y = teacher(theta_T, X) + noise * N(0, I)``.
    The teacher's parameters are drawn with ``teacher.init(rng, gain=teacher_gain)``
    unless given.  Returns the data set and the teacher's parameters.
    """
    n = _check_n(n_samples)
    noise = _check_noise(noise)
    rng = _check_rng(rng)
    if not isinstance(teacher, MLP):
        raise TypeError(f"teacher must be an MLP, got {type(teacher).__name__}")
    theta_t = teacher.init(rng, gain=teacher_gain) if teacher_theta is None else teacher_theta
    X = rng.standard_normal((n, teacher.sizes[0]))
    Y = teacher.forward(theta_t, X)
    Y = Y + noise * rng.standard_normal(Y.shape)
    return Dataset(X, Y), theta_t
