"""The binned estimator of entropy production put to the test on chains with known values.

Two experiments: its convergence against the number of transitions on a stationary
rotating Ornstein-Uhlenbeck chain (exact value known), and its value on the double well,
whose true entropy production is tiny and whose infinite-data limit (the coarse-grained
entropy production) follows from lumping the exact grid chain's fluxes into the bins.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from scipy.linalg import solve_discrete_lyapunov

from .._validate import check_array, check_int, check_real, check_rng
from ._binned import binned_entropy_production
from ._chain import sample_gaussian_chain
from ._double_well import _grad, double_well_chain, double_well_path_estimate
from ._gaussian import euler_ou_chain, linear_gaussian_stationary_entropy_production

__all__ = ["BinnedConvergence", "BinnedDoubleWell", "binned_convergence_ou",
           "binned_double_well"]


def _bootstrap_se(paths, bins, n_boot, rng, **kw):
    """Standard error of the binned estimate over resamplings of the independent paths."""
    reps = [binned_entropy_production(paths[rng.integers(0, len(paths), len(paths))],
                                      bins, **kw).estimate for _ in range(n_boot)]
    return float(np.std(reps, ddof=1))


@dataclass(frozen=True)
class BinnedConvergence:
    """The binned estimator on a stationary OU chain (see :func:`binned_convergence_ou`).

    ``n_transitions`` (L,); ``estimate`` and ``null_bias`` (k, L) for each bin count of
    ``bin_counts`` (k,); ``se`` (k,), the bootstrap standard error at the largest
    ``n_transitions``; ``need`` (k,), the transitions for the bias ``n_pairs / N`` to fall
    below a tenth of the estimate; ``exact``, nats per step."""

    exact: float
    bin_counts: np.ndarray
    n_transitions: np.ndarray
    estimate: np.ndarray
    null_bias: np.ndarray
    se: np.ndarray
    need: np.ndarray


def binned_convergence_ou(n_transitions, bin_counts, rng, *, omega=1.0, eta=0.2,
                          n_chains=100, n_boot=20) -> BinnedConvergence:
    """Binned entropy production of the stationary Euler chain of a rotating OU process.

    The process is ``dx = -(I + omega J) x dt + sqrt(2) dW`` (``J`` the rotation generator);
    ``n_chains`` independent stationary chains share ``n_transitions``; estimates use
    ``k x k`` bins on ``[-3.5, 3.5]^2`` over 7 run lengths growing geometrically to the full
    length. The bootstrap resamples the chains (``n_boot`` times: the standard error is
    itself good to about ``1/sqrt(2 (n_boot - 1))``, 16 % at 20).

    Parameters
    ----------
    n_transitions : int >= 20 n_chains
        Transitions of the longest run, over all chains.
    bin_counts : sequence of int >= 2
        Bins per axis.
    rng : numpy.random.Generator or int seed
    omega : float
        Rotation rate.
    eta : float > 0
        Euler step.
    n_chains : int >= 2
    n_boot : int >= 2

    Returns
    -------
    BinnedConvergence

    References
    ----------
    E. Roldan, J. M. R. Parrondo, Phys. Rev. Lett. 105 (2010) 150607.

    Examples
    --------
    >>> bc = binned_convergence_ou(20000, [4], 0, n_boot=5)
    >>> bc.estimate.shape, bool(bc.estimate[0, -1] - bc.null_bias[0, -1] < bc.exact)
    ((1, 7), True)
    """
    n_chains = check_int(n_chains, "n_chains", 2, 10**6)
    n_tr = check_int(n_transitions, "n_transitions", 20 * n_chains, 10**9)
    ks = check_array(bin_counts, "bin_counts", ndim=1, dtype=int)
    if np.any(ks < 2):
        raise ValueError("bin_counts must be integers >= 2")
    rng = check_rng(rng, allow_seed=True)
    omega = check_real(omega, "omega")
    n_boot = check_int(n_boot, "n_boot", 2, 10**4)
    M, Q = euler_ou_chain(np.eye(2) + omega * np.array([[0.0, -1.0], [1.0, 0.0]]), np.eye(2),
                          eta)
    C = solve_discrete_lyapunov(M, Q)
    steps = n_tr // n_chains
    path = sample_gaussian_chain(rng.multivariate_normal(np.zeros(2), C, size=n_chains),
                                 lambda X: X @ (M - np.eye(2)).T, Q, steps, rng).path
    lengths = np.unique(np.geomspace(max(steps // 64, 10), steps, 7).astype(int))
    box = [(-3.5, 3.5), (-3.5, 3.5)]
    res = [[binned_entropy_production(path[:, : n + 1], int(k), range=box) for n in lengths]
           for k in ks]
    est = np.array([[r.estimate for r in row] for row in res])
    return BinnedConvergence(
        float(linear_gaussian_stationary_entropy_production(M, Q)), ks, lengths * n_chains,
        est, np.array([[r.null_bias for r in row] for row in res]),
        np.array([_bootstrap_se(path, int(k), n_boot, rng, range=box) for k in ks]),
        np.array([row[-1].n_pairs / (0.1 * row[-1].estimate) for row in res]))


@dataclass(frozen=True)
class BinnedDoubleWell:
    """The binned estimator on the stationary double well (see :func:`binned_double_well`):
    ``estimate`` with its bootstrap ``se`` and ``null_bias``, from ``n_transitions``;
    ``exact`` entropy production and ``coarse``, the estimator's infinite-data limit
    (nats per step); ``need``, transitions for the bias to fall below a tenth of
    ``coarse``."""

    exact: float
    estimate: float
    se: float
    null_bias: float
    n_transitions: int
    coarse: float
    need: float


def binned_double_well(eta, temperature, n_grid, n_walkers, rng, *, n_bins=16, n_steps=100,
                       n_boot=20) -> BinnedDoubleWell:
    """Binned entropy production of the stationary double well, and its infinite-data limit.

    ``n_walkers`` walkers start from the stationary law (as in
    :func:`double_well_path_estimate`, with 200 burn-in steps) and run ``n_steps`` more;
    their transitions are binned in ``n_bins`` bins on ``[-2, 2]``. The limit lumps the
    stationary fluxes ``pi_i P_ij`` of the exact grid chain into the same bins and applies
    Schnakenberg's formula to the lumped fluxes.

    Parameters
    ----------
    eta, temperature : float > 0
    n_grid : int >= 3
        Grid points of the exact reference.
    n_walkers : int >= 2
    rng : numpy.random.Generator or int seed
    n_bins : int >= 2
    n_steps : int >= 1
    n_boot : int >= 2

    Returns
    -------
    BinnedDoubleWell

    Examples
    --------
    >>> b = binned_double_well(0.05, 0.2, 300, 200, 0, n_boot=5)
    >>> bool(0 <= b.coarse < b.exact), b.n_transitions
    (True, 20000)
    """
    ch = double_well_chain(eta, temperature, n_grid)
    n_bins = check_int(n_bins, "n_bins", 2, 10**4)
    n_steps = check_int(n_steps, "n_steps", 1, 10**6)
    n_boot = check_int(n_boot, "n_boot", 2, 10**4)
    rng = check_rng(rng, allow_seed=True)
    start = double_well_path_estimate(eta, temperature, n_grid, n_walkers, 1, rng).final
    path = sample_gaussian_chain(start, lambda X: -eta * _grad(X), 2 * eta * temperature,
                                 n_steps, rng).path
    edges = np.linspace(-2.0, 2.0, n_bins + 1)
    hist = binned_entropy_production(path, [edges])
    lab = np.clip(np.searchsorted(edges, ch.x, side="right") - 1, 0, n_bins - 1)
    F = np.zeros((n_bins, n_bins))
    np.add.at(F, (lab[:, None], lab[None, :]), ch.pi[:, None] * ch.P)
    with np.errstate(divide="ignore", invalid="ignore"):
        coarse = 0.5 * np.nansum((F - F.T) * np.log(F / F.T))
    return BinnedDoubleWell(ch.sigma, hist.estimate, _bootstrap_se(path, [edges], n_boot, rng),
                            hist.null_bias, int(hist.n_transitions), float(coarse),
                            float(hist.n_pairs / (0.1 * coarse)))
