"""Mini-batch SGD: twins with shared or independent batches, and the size of its noise (private)."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from .. import models
from .._validate import check_array, check_int, check_real, check_rng
from ._training import _check_objective, _check_theta, training_spectrum
from ._twins import TwinResult, twin_divergence

__all__ = ["GradientNoise", "SGDTwins", "gradient_noise", "sgd_twins"]


def _check_batches(batches, n_samples, n_steps, name):
    batches = np.asarray(batches)
    if batches.ndim != 2 or batches.shape[0] < n_steps or not np.issubdtype(batches.dtype,
                                                                             np.integer):
        raise ValueError(f"{name} must be an int array of shape (>= {n_steps}, B), "
                         f"got {batches.dtype} {batches.shape}")
    if batches.min() < 0 or batches.max() >= n_samples:
        raise ValueError(f"{name} must index samples 0..{n_samples - 1}")
    return batches


@dataclass(frozen=True)
class SGDTwins:
    """Two pairs of SGD twins (shared and independent batches) and the cocycle's exponent.

    Built by :func:`sgd_twins`. Distances in parameter units; exponent per step.

    Attributes
    ----------
    same : TwinResult
        Twins ``delta0`` apart that share the batch sequence.
    independent : TwinResult
        The same start, the twin drawing its own batch sequence.
    lam, se : float
        Top exponent of the shared-batch map (products of ``I - lr H_{B_t}``) over the
        second half of the run, and its batch-means standard error (10 blocks).
    window : int
        Steps of that average (the first ``window`` steps are discarded).
    """

    same: TwinResult
    independent: TwinResult
    lam: float
    se: float
    window: int

    @property
    def kick(self) -> float:
        """Distance of the independent-batch twins after one step.

        Examples
        --------
        >>> z = np.zeros(1)
        >>> t = TwinResult(np.array([1e-10, 0.01]), z, z, z)
        >>> SGDTwins(t, t, 0.0, 1.0, 10).kick
        0.01
        """
        return float(self.independent.distances[1])

    def summary(self) -> dict:
        """The numbers, by name, ready for :func:`uniqnets.book.record`.

        Examples
        --------
        >>> z = np.zeros(1)
        >>> t = TwinResult(np.array([1e-10, 0.01]), z, z, z)
        >>> SGDTwins(t, t, 0.2, 0.1, 10).summary()["z"]
        2.0
        """
        return {"lam": self.lam, "se": self.se, "z": self.lam / self.se, "window": self.window,
                "kick": self.kick, "same_max": float(self.same.distances.max()),
                "same_final": float(self.same.distances[-1]),
                "indep_final": float(self.independent.distances[-1]),
                "norm": float(np.linalg.norm(self.same.x))}


def sgd_twins(objective, theta0, lr: float, delta0: float, batches, batches_twin,
              seed: int, frame_seed: int, max_norm: float = 1e6) -> SGDTwins:
    """SGD twins with the same batch sequence and with independent ones, and the exponent.

    Parameters
    ----------
    objective : uniqnets.models.Objective
    theta0 : array, shape (d,), finite
    lr : float > 0
    delta0 : float > 0
        Initial offset (direction uniform on the sphere, from ``default_rng(seed)``).
    batches, batches_twin : int array, shape (n_steps, B)
        Batch sequences (:func:`uniqnets.models.batch_sequence`); ``n_steps >= 40``.
    seed, frame_seed : int >= 0
        Seeds of the offset direction and of the exponent's initial frame.
    max_norm : float > 0

    Returns
    -------
    SGDTwins

    References
    ----------
    L. Arnold, *Random Dynamical Systems*, Springer (1998).

    Examples
    --------
    >>> from uniqnets.lyapunov._divergence import _demo_objective
    >>> obj = _demo_objective()
    >>> b = [models.batch_sequence(8, 2, 40, np.random.default_rng(i)) for i in (0, 1)]
    >>> tw = sgd_twins(obj, obj.model.init(np.random.default_rng(1)), 0.1, 1e-10, *b, 0, 1)
    >>> bool(tw.kick > 1e3 * 1e-10), tw.window
    (True, 20)
    """
    objective = _check_objective(objective)
    theta0 = _check_theta(objective, theta0, "theta0")
    lr = check_real(lr, "lr", lo=0.0, lo_open=True)
    delta0 = check_real(delta0, "delta0", lo=0.0, lo_open=True)
    n = objective.n_samples
    batches = _check_batches(batches, n, 40, "batches")
    n_steps = batches.shape[0]
    batches_twin = _check_batches(batches_twin, n, n_steps, "batches_twin")
    seed = check_int(seed, "seed", lo=0)
    frame_seed = check_int(frame_seed, "frame_seed", lo=0)

    def step_map(b):
        return lambda th, t: models.sgd_step(objective, th, lr, b[t])

    kw = dict(time_dependent=True, max_norm=max_norm)
    same = twin_divergence(step_map(batches), theta0, delta0, n_steps,
                           np.random.default_rng(seed), **kw)
    indep = twin_divergence(step_map(batches), theta0, delta0, n_steps,
                            np.random.default_rng(seed), step_twin=step_map(batches_twin), **kw)
    half = n_steps // 2
    spec = training_spectrum(objective, theta0, lr, half, k=1, n_transient=half, method="sgd",
                             batches=batches, frame_rng=np.random.default_rng(frame_seed))
    return SGDTwins(same=same, independent=indep, lam=float(spec.exponents[0]),
                    se=float(spec.stderr(10)[0]), window=half)


@dataclass(frozen=True)
class GradientNoise:
    """Size of the mini-batch term ``Gamma = H - H_B`` of the linearised SGD map.

    Built by :func:`gradient_noise`. ``E||Gamma v||^2`` in squared Hessian units.

    Attributes
    ----------
    batch_sizes : numpy.ndarray of int, shape (m,)
    mc, se : numpy.ndarray, shape (m,)
        Monte Carlo mean of ``||Gamma v||^2`` (over batches and directions) and its
        standard error.
    exact : numpy.ndarray, shape (m,)
        ``sigma_v^2 (n - B) / (B (n - 1))`` (sampling without replacement).
    """

    batch_sizes: np.ndarray
    mc: np.ndarray
    se: np.ndarray
    exact: np.ndarray

    @property
    def z(self) -> np.ndarray:
        """``|mc - exact| / se``, shape (m,).

        Examples
        --------
        >>> a = np.array([1.0])
        >>> GradientNoise(a, a * 1.1, a * 0.05, a).z.round(6).tolist()
        [2.0]
        """
        return np.abs(self.mc - self.exact) / self.se

    def table_rows(self) -> list:
        """Rows ``[B, B mc, B se, B exact, z]`` for a table, one per batch size.

        Examples
        --------
        >>> a = np.array([2])
        >>> GradientNoise(a, a * 1.0, a * 0.5, a * 1.0).table_rows()
        [['2', 4.0, 2.0, 4.0, 0.0]]
        """
        return [[f"{b}", float(b * m), float(b * s), float(b * e), float(z)]
                for b, m, s, e, z in zip(self.batch_sizes, self.mc, self.se, self.exact, self.z,
                                                        strict=True)]

    @property
    def slope(self) -> float:
        """Log-log slope of ``mc`` against the batch size (``-1`` for ``O(1/B)``).

        Examples
        --------
        >>> b = np.array([1.0, 2.0, 4.0])
        >>> print(f"{GradientNoise(b, 1 / b, b, b).slope:.2f}")
        -1.00
        """
        return float(np.polyfit(np.log(self.batch_sizes), np.log(self.mc), 1)[0])


def gradient_noise(objective, theta, batch_sizes, n_directions: int, n_batches: int,
                   rng: np.random.Generator) -> GradientNoise:
    """Monte Carlo of ``E||(H - H_B) v||^2`` against its exact finite-population value.

    Per-sample Hessian-vector products ``H_i v`` for ``n_directions`` random directions
    (entries ``N(0, 1/d)``), then ``n_batches`` batches of each size drawn uniformly
    without replacement, as a data loader draws them.

    Parameters
    ----------
    objective : uniqnets.models.Objective
    theta : array, shape (d,), finite
    batch_sizes : sequence of int in 1..n-1
    n_directions : int >= 1
    n_batches : int >= 2
    rng : numpy.random.Generator
        Draws the directions, then the batches.

    Returns
    -------
    GradientNoise

    References
    ----------
    W. G. Cochran, *Sampling Techniques*, 3rd ed., Wiley (1977), Thm. 2.2 (variance of a
    mean under sampling without replacement).

    Examples
    --------
    >>> from uniqnets.lyapunov._divergence import _demo_objective
    >>> g = gradient_noise(_demo_objective(), np.full(9, 0.3), [1, 2, 4], 2, 200,
    ...                    np.random.default_rng(0))
    >>> bool(np.all(g.z < 5)), bool(g.slope < -1)
    (True, True)
    """
    objective = _check_objective(objective)
    theta = _check_theta(objective, theta, "theta")
    n = objective.n_samples
    sizes = check_array(batch_sizes, "batch_sizes", ndim=1)
    if sizes.size == 0 or np.any(sizes != np.round(sizes)) or np.any(sizes < 1) \
            or np.any(sizes >= n):
        raise ValueError(f"batch_sizes must be integers in 1..{n - 1}, got {sizes.tolist()}")
    sizes = sizes.astype(int)
    n_directions = check_int(n_directions, "n_directions", lo=1, hi=10**4)
    n_batches = check_int(n_batches, "n_batches", lo=2, hi=10**8)
    rng = check_rng(rng)
    d = objective.model.n_params
    V = rng.standard_normal((d, n_directions)) / np.sqrt(d)
    HV = np.stack([objective.subset([i]).hvp(theta, V) for i in range(n)])
    dev = HV - HV.mean(axis=0)
    sigma2 = np.mean(np.sum(dev ** 2, axis=1))
    mc, se, exact = [], [], []
    for b in sizes:
        sq = np.array([np.mean(np.sum(dev[rng.choice(n, b, replace=False)].mean(axis=0) ** 2,
                                      axis=0)) for _ in range(n_batches)])
        mc.append(sq.mean())
        se.append(sq.std(ddof=1) / np.sqrt(n_batches))
        exact.append(sigma2 / b * (n - b) / (n - 1))
    return GradientNoise(batch_sizes=sizes, mc=np.array(mc), se=np.array(se),
                         exact=np.array(exact))
