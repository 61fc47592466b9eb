"""Small synthetic data sets made from a seed: nothing is downloaded.

Each function takes an explicit :class:`numpy.random.Generator` and returns a
:class:`Dataset` with inputs ``X`` of shape ``(n_samples, n_features)`` and
targets ``Y`` (real targets of shape ``(n_samples, n_outputs)``, or integer
class labels of shape ``(n_samples,)``).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from .._validate import check_array, check_int, check_real, check_size
from .._validate import check_rng as _check_rng
from ..models import MLP
from ..models._mlp import _check_model

__all__ = ["Dataset", "sine_regression", "teacher_student", "two_moons"]


@dataclass(frozen=True)
class Dataset:
    """Inputs ``X`` and targets ``Y`` of a data set, one sample per row.

    Parameters
    ----------
    X : array, shape (n_samples, n_features)
        Finite real inputs.
    Y : array, shape (n_samples,) or (n_samples, n_outputs)
        Finite real targets, or integer class labels.

    Examples
    --------
    >>> import numpy as np
    >>> from uniqnets.data import Dataset
    >>> ds = Dataset(np.zeros((10, 2)), np.arange(10))
    >>> len(ds)
    10
    >>> train, test = ds.split(3)
    >>> len(train), test.Y.tolist()
    (7, [7, 8, 9])
    """

    X: np.ndarray
    Y: np.ndarray

    def __post_init__(self):
        X = check_array(self.X, "X", dtype=None)
        Y = check_array(self.Y, "Y", dtype=None)
        for name, arr in (("X", X), ("Y", Y)):
            if arr.dtype.kind not in "iuf":
                raise TypeError(f"{name} must be an array of real numbers, got dtype "
                                f"{arr.dtype}")
        X = check_array(X, "X", ndim=2, dtype=None)
        Y = check_array(Y, "Y", ndim=(1, 2), dtype=None)
        if Y.shape[0] != X.shape[0]:
            raise ValueError(f"Y must have one row per sample of X ({X.shape[0]}), "
                             f"got shape {Y.shape}")
        object.__setattr__(self, "X", X)
        object.__setattr__(self, "Y", Y)

    def __len__(self) -> int:
        """Number of samples.

        Examples
        --------
        >>> import numpy as np
        >>> from uniqnets.data import Dataset
        >>> len(Dataset(np.zeros((4, 1)), np.zeros(4)))
        4
        """
        return self.X.shape[0]

    def split(self, n_test: int) -> tuple[Dataset, Dataset]:
        """The first ``len - n_test`` samples for training, the last ``n_test`` held out.

        Parameters
        ----------
        n_test : int, 1 <= n_test < len(self)

        Returns
        -------
        train, test : Dataset

        Examples
        --------
        >>> import numpy as np
        >>> from uniqnets.data import Dataset
        >>> train, test = Dataset(np.arange(5.0)[:, None], np.arange(5)).split(2)
        >>> train.Y.tolist(), test.Y.tolist()
        ([0, 1, 2], [3, 4])
        """
        if len(self) < 2:
            raise ValueError(f"n_test: a data set of {len(self)} sample cannot be split")
        n_test = check_int(n_test, "n_test", lo=1, hi=len(self) - 1)
        k = len(self) - n_test
        return Dataset(self.X[:k], self.Y[:k]), Dataset(self.X[k:], self.Y[k:])


def _check_n(n_samples, n_features):
    n = check_int(n_samples, "n_samples", 1)
    check_size(n * n_features, "n_samples")
    return n


def _check_noise(noise):
    # the noise is added to coordinates of order 1: above 1e100 the data are noise alone,
    # and near 1e308 they overflow (the error then named X, not noise)
    return check_real(noise, "noise", lo=0.0, hi=1e100)


def two_moons(n_samples: int, rng: np.random.Generator, noise: float = 0.1) -> Dataset:
    """Two interleaving half circles in the plane, labels 0 and 1.

    The construction of scikit-learn's ``make_moons`` (written out here to avoid the
    dependency): outer moon ``(cos t, sin t)``, inner moon ``(1 - cos t, 1/2 - sin t)``,
    ``t`` uniform on ``[0, pi]``, plus isotropic Gaussian noise of std ``noise``.
    Samples are returned shuffled.

    Parameters
    ----------
    n_samples : int >= 1
        Number of points; the outer moon gets ``n_samples // 2`` of them.
    rng : numpy.random.Generator
    noise : float >= 0
        Standard deviation of the Gaussian noise added to each coordinate.

    Returns
    -------
    Dataset
        ``X`` of shape (n_samples, 2), ``Y`` of shape (n_samples,), int64 labels 0, 1.

    References
    ----------
    F. Pedregosa et al., "Scikit-learn: machine learning in Python", JMLR 12 (2011)
    2825-2830 (``sklearn.datasets.make_moons``).

    Examples
    --------
    >>> import numpy as np
    >>> from uniqnets.data import two_moons
    >>> ds = two_moons(100, np.random.default_rng(0))
    >>> ds.X.shape, np.bincount(ds.Y).tolist()
    ((100, 2), [50, 50])
    """
    n = _check_n(n_samples, 3)
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

    Parameters
    ----------
    n_samples : int >= 1
    rng : numpy.random.Generator
        Source of the inputs, then of the noise.
    noise : float >= 0
        Standard deviation of the noise on ``y``.
    x_range : (float, float)
        Finite ``lo < hi``: the interval of the inputs.
    frequency : float
        Angular frequency of the sine (finite).

    Returns
    -------
    Dataset
        ``X`` and ``Y`` of shape (n_samples, 1).

    Examples
    --------
    >>> import numpy as np
    >>> from uniqnets.data import sine_regression
    >>> ds = sine_regression(5, np.random.default_rng(0), noise=0.0, x_range=(0.0, 1.0))
    >>> ds.X.shape, ds.Y.shape
    ((5, 1), (5, 1))
    >>> bool(np.allclose(ds.Y, np.sin(ds.X)))
    True
    """
    n = _check_n(n_samples, 2)
    noise = _check_noise(noise)
    rng = _check_rng(rng)
    check_real(frequency, "frequency")
    bounds = check_array(x_range, "x_range", shape=(2,), finite=False)
    lo, hi = x_range
    if not (np.all(np.isfinite(bounds)) and bounds[0] < bounds[1]):
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
    unless given.

    Parameters
    ----------
    n_samples : int >= 1
    teacher : MLP
        The network that labels the inputs.
    rng : numpy.random.Generator
        Source of the teacher's parameters (unless given), then of ``X``, then of the
        noise.
    noise : float >= 0
        Standard deviation of the noise on the labels.
    teacher_gain : float >= 0
        Gain of the teacher's initialisation (see :meth:`uniqnets.models.MLP.init`).
    teacher_theta : array, shape (teacher.n_params,), optional
        The teacher's parameters (finite), instead of a draw.

    Returns
    -------
    dataset : Dataset
        ``X`` of shape (n_samples, n_0), ``Y`` of shape (n_samples, n_L).
    teacher_theta : array, shape (teacher.n_params,)

    References
    ----------
    E. Gardner, B. Derrida, "Three unfinished works on the optimal storage capacity of
    networks", J. Phys. A 22 (1989) 1983-1994 (the teacher-student setting).

    Examples
    --------
    >>> import numpy as np
    >>> from uniqnets.data import teacher_student
    >>> from uniqnets.models import MLP
    >>> teacher = MLP((3, 4, 1))
    >>> ds, theta_t = teacher_student(20, teacher, np.random.default_rng(0))
    >>> ds.X.shape, ds.Y.shape, theta_t.shape
    ((20, 3), (20, 1), (21,))
    >>> bool(np.array_equal(ds.Y, teacher(theta_t, ds.X)))
    True
    """
    teacher = _check_model(teacher, "teacher")
    n = _check_n(n_samples, teacher.sizes[0] + teacher.sizes[-1] + max(teacher.sizes))
    noise = _check_noise(noise)
    rng = _check_rng(rng)
    check_real(teacher_gain, "teacher_gain", lo=0.0)
    if teacher_theta is not None:
        teacher._check_theta(teacher_theta, "teacher_theta")
    theta_t = teacher.init(rng, gain=teacher_gain) if teacher_theta is None else teacher_theta
    X = rng.standard_normal((n, teacher.sizes[0]))
    Y = teacher.forward(theta_t, X)
    Y = Y + noise * rng.standard_normal(Y.shape)
    return Dataset(X, Y), theta_t
