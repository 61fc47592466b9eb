"""The integral fluctuation theorem ``E[exp(-sigma)] = 1``, checked on samples (private)."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from .._validate import check_array

__all__ = ["FluctuationCheck", "fluctuation_theorem_check"]


@dataclass
class FluctuationCheck:
    """``E[exp(-sigma)]`` estimated from samples, returned by :func:`fluctuation_theorem_check`.

    Attributes
    ----------
    mean : float
        Sample mean of ``exp(-sigma)`` (1 if the theorem holds).
    stderr : float
        Its standard error, ``std / sqrt(n)``.
    n : int
        Number of samples.
    ess : float
        Effective sample size ``(sum w)^2 / sum w^2`` of the weights
        ``w = exp(-sigma)``: when it is a small fraction of ``n``, the mean rests on a
        few rare paths and its error bar is unreliable.
    mean_sigma : float
        Sample mean of ``sigma``, nats (``>= 0`` by Jensen if the theorem holds).
    frac_negative : float
        Fraction of samples with ``sigma < 0``.

    Examples
    --------
    >>> from uniqnets.thermo import fluctuation_theorem_check
    >>> res = fluctuation_theorem_check([0.0, 0.0, 0.0])
    >>> print(res.mean, res.stderr, res.n, res.ess)
    1.0 0.0 3 3.0
    """

    mean: float
    stderr: float
    n: int
    ess: float
    mean_sigma: float
    frac_negative: float

    @property
    def z(self) -> float:
        """``(mean - 1) / stderr``: the deviation from the theorem in standard errors.

        Examples
        --------
        >>> from uniqnets.thermo import fluctuation_theorem_check
        >>> print(f"{fluctuation_theorem_check([-1.0, 1.0, 0.5, 2.0]).z:.3f}")
        -0.072
        """
        return (self.mean - 1.0) / self.stderr if self.stderr > 0 else float("inf")


def fluctuation_theorem_check(sigmas) -> FluctuationCheck:
    """Sample mean of ``exp(-sigma)`` with its standard error (integral fluctuation theorem).

    For the total stochastic entropy production ``sigma`` of a path (system plus
    medium, from the true initial density to any normalised final density),
    ``E[exp(-sigma)] = 1`` exactly.  Computed in scaled form, so very negative
    ``sigma`` do not overflow unless the mean itself does.

    Parameters
    ----------
    sigmas : array_like, shape (n,)
        One total entropy production per path (nats), ``n >= 2``, finite (drop
        diverged paths first).  Any shape is flattened.

    Returns
    -------
    FluctuationCheck

    References
    ----------
    U. Seifert, Rep. Prog. Phys. 75 (2012) 126001, Sec. 6.1; G. E. Crooks, Phys. Rev.
    E 60 (1999) 2721-2726.

    Examples
    --------
    ``sigma ~ N(mu, 2 mu)`` satisfies the theorem exactly:

    >>> import numpy as np
    >>> from uniqnets.thermo import fluctuation_theorem_check
    >>> s = np.random.default_rng(0).normal(0.5, 1.0, 100_000)
    >>> res = fluctuation_theorem_check(s)
    >>> print(f"{res.mean:.2f} +- {res.stderr:.2f}")
    1.00 +- 0.00
    """
    s = check_array(sigmas, "sigmas", min_size=2).ravel()
    n = s.size
    shift = np.max(-s)                      # w = exp(-s) = exp(shift) * exp(-s - shift)
    ws = np.exp(-s - shift)                 # in (0, 1]
    mean_s = ws.mean()
    var_s = ws.var(ddof=1)
    with np.errstate(over="ignore"):
        scale = np.exp(shift)
        mean = float(mean_s * scale)
        stderr = float(np.sqrt(var_s / n) * scale)
    ess = float(ws.sum() ** 2 / np.sum(ws * ws))
    return FluctuationCheck(mean, stderr, n, ess, float(s.mean()), float(np.mean(s < 0)))
