"""Clouds whose persistence is known in closed form, to validate the instruments (private).

An evenly spaced circle has one H1 bar known exactly (Adamaszek 2013); a noisy circle's
longest bar is within the stability bound of it; the stability theorem
``W_inf <= 2 d_H`` is checked on random perturbations of random clouds and attained on
two points.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from .._validate import check_array, check_int, check_real, check_rng
from ._diagram_distance import bottleneck
from ._persistence import rips_diagrams
from ._set_distance import hausdorff

__all__ = ["NoisyCircle", "StabilityValidation", "circle_h1_bar", "evenly_spaced_circle",
           "noisy_circle", "stability_validation"]


def evenly_spaced_circle(n: int, radius: float = 1.0, center=(0.0, 0.0)) -> np.ndarray:
    """``n`` points evenly spaced on a circle in the plane, starting at angle 0.

    Parameters
    ----------
    n : int >= 1
    radius : float > 0
    center : array_like, shape (2,)

    Returns
    -------
    ndarray, shape (n, 2)

    References
    ----------
    M. Adamaszek, "Clique complexes and graph powers", Israel J. Math. 196 (2013) 295-319.

    Examples
    --------
    >>> from uniqnets.topology import evenly_spaced_circle
    >>> evenly_spaced_circle(4).round(12).tolist()
    [[1.0, 0.0], [0.0, 1.0], [-1.0, 0.0], [-0.0, -1.0]]
    """
    n = check_int(n, "n", lo=1)
    radius = check_real(radius, "radius", lo=0.0, lo_open=True)
    c = check_array(center, "center", shape=(2,))
    t = 2 * np.pi * np.arange(n) / n
    return np.c_[c[0] + radius * np.cos(t), c[1] + radius * np.sin(t)]


def circle_h1_bar(n: int, radius: float = 1.0) -> tuple:
    """The exact H1 bar of the Rips filtration of ``n`` evenly spaced points on a circle.

    ``[2 R sin(pi/n), 2 R sin(pi ceil(n/3) / n))`` (edge-length convention): the complex is
    a circle while edges span fewer than n/3 steps (Adamaszek 2013).

    Parameters
    ----------
    n : int >= 4
    radius : float > 0

    Returns
    -------
    (birth, death) : tuple of float

    References
    ----------
    M. Adamaszek, "Clique complexes and graph powers", Israel J. Math. 196 (2013) 295-319.

    Examples
    --------
    >>> from uniqnets.topology import circle_h1_bar
    >>> [round(x, 6) for x in circle_h1_bar(6)]
    [1.0, 1.732051]
    """
    n = check_int(n, "n", lo=4)
    radius = check_real(radius, "radius", lo=0.0, lo_open=True)
    return (float(2 * radius * np.sin(np.pi / n)),
            float(2 * radius * np.sin(np.pi * (-(-n // 3)) / n)))


@dataclass(frozen=True)
class NoisyCircle:
    """A noisy unit circle, its Rips diagrams and its longest H1 bar against the exact one.

    ``miss`` is the sup-norm (bottleneck) distance of the longest bar from the exact bar
    of a dense evenly spaced circle of ``n_dense`` points; ``bound`` = 2 d_H to that circle;
    ``second_bar`` the persistence of the second-longest loop.
    """

    points: np.ndarray
    diagrams: list
    bar: np.ndarray
    exact_bar: tuple
    miss: float
    bound: float
    second_bar: float

    def summary(self) -> dict:
        """The numbers the book records."""
        return {"noisy_bar_birth": float(self.bar[0]), "noisy_bar_death": float(self.bar[1]),
                "noisy_bar_miss": self.miss, "noisy_bound": self.bound,
                "noisy_second_bar": self.second_bar}


def noisy_circle(rng, n_points: int = 300, noise: float = 0.03, n_dense: int = 600
                 ) -> NoisyCircle:
    """A unit circle sampled at uniform angles with Gaussian noise, against the exact bar.

    Parameters
    ----------
    rng : numpy.random.Generator
        Draws the angles, then the noise.
    n_points : int >= 4
    noise : float >= 0
        Standard deviation of the noise per coordinate.
    n_dense : int >= 4
        Points of the evenly spaced reference circle.

    Returns
    -------
    NoisyCircle

    References
    ----------
    D. Cohen-Steiner, H. Edelsbrunner, J. Harer, "Stability of persistence diagrams",
    Discrete Comput. Geom. 37 (2007) 103-120.

    Examples
    --------
    >>> import numpy as np
    >>> from uniqnets.topology import noisy_circle
    >>> nc = noisy_circle(np.random.default_rng(0), n_points=60)
    >>> nc.miss <= nc.bound
    True
    """
    rng = check_rng(rng)
    n_points = check_int(n_points, "n_points", lo=4)
    noise = check_real(noise, "noise", lo=0.0)
    n_dense = check_int(n_dense, "n_dense", lo=4)
    t = rng.uniform(0, 2 * np.pi, n_points)
    X = np.c_[np.cos(t), np.sin(t)] + noise * rng.standard_normal((n_points, 2))
    dgms = rips_diagrams(X)
    pers = dgms[1][:, 1] - dgms[1][:, 0]
    order = np.argsort(pers)
    bar = dgms[1][order[-1]]
    exact = circle_h1_bar(n_dense)
    return NoisyCircle(points=X, diagrams=dgms, bar=bar, exact_bar=exact,
                       miss=bottleneck(bar[None], [exact]),
                       bound=2 * hausdorff(X, evenly_spaced_circle(n_dense)),
                       second_bar=float(pers[order[-2]]) if len(pers) > 1 else 0.0)


@dataclass(frozen=True)
class StabilityValidation:
    """Ratios W_inf / (2 d_H) in H0 and H1 over random perturbations, and the sharp case."""

    ratios: np.ndarray
    sharp_ratio: float

    def summary(self) -> dict:
        """The largest ratio, the number of comparisons and the two-point ratio."""
        return {"stability_ratio_max_random": float(self.ratios.max()),
                "n_stability_comparisons": len(self.ratios),
                "stability_ratio_sharp": self.sharp_ratio}


def stability_validation(rng, n_clouds: int = 20, n_points: int = 50, dim: int = 5,
                         n_kept: int = 45) -> StabilityValidation:
    """The stability bound on random clouds moved by noise of random size, with points dropped.

    Each cloud of ``n_points`` standard normal points in R^dim is moved by Gaussian noise
    of standard deviation uniform on [0, 0.3] and ``n_kept`` of its points are kept.
    The two-point example (points 10 apart, each moved 0.25 outwards) attains the bound.

    Parameters
    ----------
    rng : numpy.random.Generator
    n_clouds, n_points, dim, n_kept : int >= 1 (``n_kept <= n_points``)

    Returns
    -------
    StabilityValidation

    References
    ----------
    F. Chazal, V. de Silva, S. Oudot, "Persistence stability for geometric complexes",
    Geom. Dedicata 173 (2014) 193-214.

    Examples
    --------
    >>> import numpy as np
    >>> from uniqnets.topology import stability_validation
    >>> sv = stability_validation(np.random.default_rng(0), n_clouds=2, n_points=10, n_kept=9)
    >>> bool(sv.ratios.max() <= 1), round(sv.sharp_ratio, 12)
    (True, 1.0)
    """
    rng = check_rng(rng)
    n_clouds = check_int(n_clouds, "n_clouds", lo=1)
    n_points = check_int(n_points, "n_points", lo=2)
    dim = check_int(dim, "dim", lo=1)
    n_kept = check_int(n_kept, "n_kept", lo=1, hi=n_points)
    ratios = []
    for _ in range(n_clouds):
        X = rng.standard_normal((n_points, dim))
        Y = (X + rng.uniform(0, 0.3) * rng.standard_normal(X.shape))[
            rng.permutation(n_points)[:n_kept]]
        dh = hausdorff(X, Y)
        dx, dy = rips_diagrams(X), rips_diagrams(Y)
        ratios += [bottleneck(dx[k], dy[k]) / (2 * dh) for k in (0, 1)]
    a, b = [[0.0, 0.0], [10.0, 0.0]], [[-0.25, 0.0], [10.25, 0.0]]
    sharp = bottleneck(rips_diagrams(a)[0], rips_diagrams(b)[0]) / (2 * hausdorff(a, b))
    return StabilityValidation(ratios=np.array(ratios), sharp_ratio=float(sharp))
