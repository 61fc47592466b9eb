"""Twin trajectories: two runs started a small offset apart (private module)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from .._validate import (
    check_array,
    check_bool,
    check_callable,
    check_int,
    check_max_norm,
    check_real,
    check_rng,
    check_size,
    check_steps,
    diverged,
)

__all__ = ["TwinResult", "predicted_divergence_time", "twin_divergence"]


@dataclass
class TwinResult:
    """Two trajectories started ``delta0`` apart (:func:`twin_divergence`).

    Attributes
    ----------
    distances : numpy.ndarray, shape (n + 1,)
        ``||x_t - y_t||`` for ``t = 0..n`` (``n = n_steps``, or fewer if a run diverged),
        in the units of the state (or of ``norm``).
    perturbation : numpy.ndarray, shape (d,)
        The initial offset ``y_0 - x_0``.
    x, y : numpy.ndarray, shape (d,)
        Final states of the two runs.
    diverged : bool
        True if either run stopped being finite (or exceeded ``max_norm``); the
        distances then stop at the last step where both were good.
    diverged_step : int or None
        The step at which the first run went bad.

    Examples
    --------
    >>> import numpy as np
    >>> from uniqnets.lyapunov import twin_divergence
    >>> tw = twin_divergence(lambda x: 2.0 * x, np.ones(2), np.array([1e-6, 0.0]), 3)
    >>> print(tw.steps.tolist(), [f"{d:.0e}" for d in tw.distances])
    [0, 1, 2, 3] ['1e-06', '2e-06', '4e-06', '8e-06']
    """

    distances: np.ndarray
    perturbation: np.ndarray
    x: np.ndarray
    y: np.ndarray
    diverged: bool = False
    diverged_step: int | None = None

    @property
    def steps(self) -> np.ndarray:
        """Step index of each distance, shape (n + 1,).

        Examples
        --------
        >>> import numpy as np
        >>> from uniqnets.lyapunov import TwinResult
        >>> z = np.zeros(1)
        >>> print(TwinResult(np.array([1.0, 2.0]), z, z, z).steps.tolist())
        [0, 1]
        """
        return np.arange(self.distances.shape[0])

    def divergence_time(self, eps: float) -> int | None:
        """First step at which the distance reaches ``eps``.

        Parameters
        ----------
        eps : float > 0
            Threshold, in the unit of ``distances``.

        Returns
        -------
        int or None
            ``None`` if the distance never reaches ``eps``.

        Examples
        --------
        >>> import numpy as np
        >>> from uniqnets.lyapunov import twin_divergence
        >>> tw = twin_divergence(lambda x: 2.0 * x, np.ones(1), np.array([1e-6]), 30)
        >>> tw.divergence_time(1e-3), tw.divergence_time(1e10)
        (10, None)
        """
        eps = check_real(eps, "eps", lo=0.0, lo_open=True)
        hit = np.flatnonzero(self.distances >= eps)
        return int(hit[0]) if hit.size else None

    def local_rates(self, window: int) -> np.ndarray:
        """Finite-time growth rates ``ln(d_{t+w} / d_t) / w`` over disjoint windows.

        Parameters
        ----------
        window : int >= 1
            Steps per window, at most the number of steps.

        Returns
        -------
        numpy.ndarray, shape (n // window,)
            Per step; ``-inf`` where the distance reached exactly 0 (two runs that
            became bit-identical).

        Examples
        --------
        >>> import numpy as np
        >>> from uniqnets.lyapunov import twin_divergence
        >>> tw = twin_divergence(lambda x: 2.0 * x, np.ones(1), np.array([1e-6]), 10)
        >>> print([f"{r:.4f}" for r in tw.local_rates(5)])
        ['0.6931', '0.6931']
        """
        window = check_int(window, "window", lo=1)
        d = self.distances
        m = (d.shape[0] - 1) // window
        if m < 1:
            raise ValueError(f"window must be at most {d.shape[0] - 1}, got {window}")
        idx = np.arange(m + 1) * window
        with np.errstate(divide="ignore", invalid="ignore"):
            return np.diff(np.log(d[idx])) / window


def twin_divergence(step: Callable, x0, delta0, n_steps: int,
                    rng: np.random.Generator | None = None, *, step_twin: Callable | None = None,
                    time_dependent: bool = False, norm: Callable | None = None,
                    max_norm: float | None = None) -> TwinResult:
    """Run ``x_{t+1} = F(x_t)`` from ``x0`` and from ``x0 + delta`` and record their distance.

    Parameters
    ----------
    step : callable ``step(x) -> x_next`` (or ``step(x, t)`` if ``time_dependent``)
        Shapes (d,) -> (d,).
    x0 : array, shape (d,), finite
    delta0 : float > 0, or array of shape (d,)
        Size of the initial offset, in a direction drawn uniformly on the sphere from
        ``rng``; or the offset vector itself (then ``rng`` is not used).
    n_steps : int >= 1
    rng : numpy.random.Generator
        Needed when ``delta0`` is a number.
    step_twin : callable, optional
        Map of the second run (default ``step``).  Two runs of mini-batch SGD with
        *independent* batch sequences are two different time-dependent maps; with the
        *same* sequence they share ``step``.
    time_dependent : bool
        Call the maps as ``step(x, t)``, ``t = 0..n_steps-1``.
    norm : callable ``norm(x, y) -> float``, optional
        Distance between the states (default Euclidean ``||x - y||``), e.g. a distance
        between the functions two networks compute.
    max_norm : float > 0 or inf, optional
        A state with ``||x|| > max_norm`` counts as diverged (non-finite always does).

    Returns
    -------
    TwinResult

    Notes
    -----
    Where the top exponent ``lambda > 0`` and ``delta0`` is small, the distance grows
    like ``delta0 exp(lambda t)`` until it reaches the size of the attractor; where
    ``lambda < 0`` the twins reconverge until rounding (about ``1e-16 ||x||`` in
    float64) stops them.

    Examples
    --------
    Twins of the logistic map at ``r = 4`` separate at the rate ``ln 2`` per step:

    >>> import numpy as np
    >>> from uniqnets.lyapunov import logistic, predicted_divergence_time, twin_divergence
    >>> m = logistic()
    >>> tw = twin_divergence(m.step, m.x0, 1e-12, 60, np.random.default_rng(0))
    >>> t_hit = tw.divergence_time(1e-3)
    >>> bool(abs(t_hit - predicted_divergence_time(np.log(2), 1e-12, 1e-3)) < 10)
    True
    """
    check_callable(step, "step")
    step_twin = step if step_twin is None else check_callable(step_twin, "step_twin")
    x = check_array(x0, "x0", ndim=1, copy=True)
    n_steps = check_steps(n_steps, "n_steps", lo=1)
    check_size(n_steps + 1, "n_steps")
    td = check_bool(time_dependent, "time_dependent")
    max_norm = check_max_norm(max_norm)
    if np.ndim(delta0) == 0:
        delta = check_real(delta0, "delta0", lo=0.0, lo_open=True)
        rng = check_rng(rng)
        u = rng.standard_normal(x.size)
        pert = delta * u / np.linalg.norm(u)
    else:
        pert = check_array(delta0, "delta0", shape=x.shape, copy=True)
    dist = (lambda a, b: float(np.linalg.norm(a - b))) if norm is None else \
        check_callable(norm, "norm")
    y = x + pert
    out = [dist(x, y)]
    failed, diverged_step = False, None
    with np.errstate(over="ignore", invalid="ignore"):
        for t in range(n_steps):
            xn = step(x, t) if td else step(x)
            yn = step_twin(y, t) if td else step_twin(y)
            xn, yn = np.asarray(xn, dtype=float), np.asarray(yn, dtype=float)
            if xn.shape != x.shape or yn.shape != x.shape:
                raise ValueError(f"step and step_twin must return shape {x.shape}, got "
                                 f"{xn.shape} and {yn.shape}")
            if diverged(xn, max_norm) or diverged(yn, max_norm):
                failed, diverged_step = True, t + 1
                break
            x, y = xn, yn
            out.append(dist(x, y))
    return TwinResult(np.array(out), pert, x, y, failed, diverged_step)


def predicted_divergence_time(lam: float, delta0: float, eps: float) -> float:
    """Time for a separation to grow from ``delta0`` to ``eps`` at rate ``lam``.

    ``T = ln(eps / delta0) / lam`` (the preprint's Corollary 14).

    Parameters
    ----------
    lam : float
        Growth rate (top Lyapunov exponent), per unit time.
    delta0 : float > 0
        Initial separation.
    eps : float > 0
        Target separation, in the unit of ``delta0``.

    Returns
    -------
    float
        In the time unit of ``lam``; ``0`` if ``eps <= delta0``, ``inf`` when
        ``lam <= 0`` and ``eps > delta0`` (the separation never grows).

    Examples
    --------
    >>> import numpy as np
    >>> from uniqnets.lyapunov import predicted_divergence_time
    >>> print(f"{predicted_divergence_time(np.log(2), 1e-10, 1e-4):.3f}")  # log2(1e6)
    19.932
    >>> predicted_divergence_time(-0.1, 1e-10, 1e-4)
    inf
    """
    delta0 = check_real(delta0, "delta0", lo=0.0, lo_open=True)
    eps = check_real(eps, "eps", lo=0.0, lo_open=True)
    lam = check_real(lam, "lam")
    if eps <= delta0:
        return 0.0
    return float(np.log(eps / delta0) / lam) if lam > 0 else float("inf")
