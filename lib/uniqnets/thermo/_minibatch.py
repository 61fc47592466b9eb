"""The exact covariance of the mini-batch gradient (private)."""

from __future__ import annotations

import numpy as np

from .._validate import check_bool, check_int

__all__ = ["MinibatchNoise"]


class MinibatchNoise:
    """Exact covariance of the mini-batch gradient of an :class:`~uniqnets.models.Objective`.

    For a batch of ``B`` samples drawn uniformly from the ``n`` training samples,
    ``Cov[grad L_B(theta)] = c * S(theta)`` with the per-sample gradient covariance
    ``S = (1/n) sum_i (g_i - g)(g_i - g)^T`` and ``c = (n - B) / (B (n - 1))`` without
    replacement (``1/B`` with).  ``S`` has rank at most ``n - 1``.

    The per-sample gradients ``g_i`` are exact
    (:meth:`~uniqnets.models.Objective.per_sample_grads`, one vectorised backward pass).
    An instance is a ``noise_cov`` for :func:`sample_gaussian_chain` and
    :func:`path_entropy_production` (with ``batched=False``; multiply by ``eta^2``).

    Parameters
    ----------
    objective : uniqnets.models.Objective
        The full-batch training loss.
    batch_size : int
        ``B``, between 1 and ``n``.
    replace : bool
        Batches drawn with replacement (i.i.d. samples) or without (default).

    Attributes
    ----------
    factor : float
        ``c``, the ratio of the mini-batch gradient covariance to ``S``.

    References
    ----------
    W. G. Cochran, *Sampling Techniques*, 3rd ed., Wiley 1977, Thm. 2.2 (the finite
    population correction).

    Examples
    --------
    >>> import numpy as np
    >>> from uniqnets import data, models
    >>> from uniqnets.thermo import MinibatchNoise
    >>> rng = np.random.default_rng(0)
    >>> ds = data.sine_regression(6, rng)
    >>> model = models.MLP((1, 3, 1))
    >>> noise = MinibatchNoise(models.Objective(model, ds.X, ds.Y), batch_size=2)
    >>> print(f"{noise.factor:.3f}", noise(model.init(rng)).shape)
    0.400 (10, 10)
    """

    def __init__(self, objective, batch_size: int, replace: bool = False):
        from ..models import Objective

        if not isinstance(objective, Objective):
            raise TypeError(f"objective must be an Objective, got {type(objective).__name__}")
        n = objective.n_samples
        self.objective = objective
        self.batch_size = check_int(batch_size, "batch_size", lo=1, hi=n)
        self.replace = check_bool(replace, "replace")
        if replace:
            self.factor = 1.0 / self.batch_size
        else:
            self.factor = (n - self.batch_size) / (self.batch_size * (n - 1)) if n > 1 else 0.0

    def grads(self, theta) -> np.ndarray:
        """Per-sample gradients ``g_i(theta)``.

        Parameters
        ----------
        theta : array_like, shape (d,)
            Parameters (checked by the objective).

        Returns
        -------
        ndarray, shape (n, d)

        Examples
        --------
        >>> import numpy as np
        >>> from uniqnets import data, models
        >>> from uniqnets.thermo import MinibatchNoise
        >>> rng = np.random.default_rng(0)
        >>> ds = data.sine_regression(6, rng)
        >>> model = models.MLP((1, 3, 1))
        >>> noise = MinibatchNoise(models.Objective(model, ds.X, ds.Y), 2)
        >>> print(noise.grads(model.init(rng)).shape)
        (6, 10)
        """
        return self.objective.per_sample_grads(theta)

    def sample_cov(self, theta) -> np.ndarray:
        """``S(theta)``, the per-sample gradient covariance.

        Parameters
        ----------
        theta : array_like, shape (d,)
            Parameters.

        Returns
        -------
        ndarray, shape (d, d)
            Symmetric positive semi-definite, rank ``<= n - 1``.

        Examples
        --------
        >>> import numpy as np
        >>> from uniqnets import data, models
        >>> from uniqnets.thermo import MinibatchNoise
        >>> rng = np.random.default_rng(0)
        >>> ds = data.sine_regression(6, rng)
        >>> model = models.MLP((1, 3, 1))
        >>> noise = MinibatchNoise(models.Objective(model, ds.X, ds.Y), 2)
        >>> print(np.linalg.matrix_rank(noise.sample_cov(model.init(rng))) <= 5)
        True
        """
        G = self.grads(theta)
        G = G - G.mean(axis=0)
        return G.T @ G / G.shape[0]

    def __call__(self, theta) -> np.ndarray:
        """``Cov[grad L_B(theta)] = factor * S(theta)``.

        Parameters
        ----------
        theta : array_like, shape (d,)
            Parameters.

        Returns
        -------
        ndarray, shape (d, d)

        Examples
        --------
        >>> import numpy as np
        >>> from uniqnets import data, models
        >>> from uniqnets.thermo import MinibatchNoise
        >>> rng = np.random.default_rng(0)
        >>> ds = data.sine_regression(6, rng)
        >>> model = models.MLP((1, 3, 1))
        >>> noise = MinibatchNoise(models.Objective(model, ds.X, ds.Y), 6)
        >>> print(float(np.abs(noise(model.init(rng))).max()))  # the full batch: no noise
        0.0
        """
        return self.factor * self.sample_cov(theta)
