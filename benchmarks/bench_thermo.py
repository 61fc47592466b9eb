"""Entropy production: our stationary solver and path-wise log-ratio against scipy.

1. **Stationary law with far tails.** ``thermo.stationary_distribution`` uses the
   Grassmann-Taksar-Heyman state reduction; the usual alternative is an LU solve of
   ``pi (P - I) = 0`` with the normalisation (``scipy.linalg.solve``, LAPACK). On a
   birth-death chain whose stationary law is exactly geometric (down to ~1e-200) we
   measure the time of each and the largest relative error over all states; on the
   chapter's double-well chain (the Nystrom matrix at eta = 0.0125) whether the
   entropy production computed from each law is finite.
2. **Path-wise medium entropy.** ``thermo.path_entropy_production`` against two calls
   of ``scipy.stats.multivariate_normal.logpdf`` per step, on the same paths of a
   13-dimensional chain: with a constant covariance (both vectorised over steps) and
   with a state-dependent one (scipy needs one frozen distribution per point).

Run: ``OMP_NUM_THREADS=1 .venv/bin/python benchmarks/bench_thermo.py``; writes
``benchmarks/results/bench_thermo.json``.
"""

from __future__ import annotations

import sys
from pathlib import Path

import numpy as np
import scipy.linalg as sla
from scipy.stats import multivariate_normal

sys.path.insert(0, str(Path(__file__).resolve().parent))
from common import best_time, versions, write_result  # noqa: E402

from uniqnets import thermo  # noqa: E402


def lu_stationary(P):
    """pi (P - I) = 0 with sum(pi) = 1, one equation replaced by the normalisation."""
    K = P.shape[0]
    A = P.T - np.eye(K)
    A[-1] = 1.0
    rhs = np.zeros(K)
    rhs[-1] = 1.0
    return sla.solve(A, rhs)


def birth_death(K, up=0.15, down=0.5):
    P = np.zeros((K, K))
    idx = np.arange(K)
    P[idx[:-1], idx[:-1] + 1] = up
    P[idx[1:], idx[1:] - 1] = down
    P[idx, idx] = 1 - P.sum(axis=1)
    exact = (up / down) ** idx
    return P, exact / exact.sum()


def stationary_benchmark(K=400):
    P, exact = birth_death(K)
    t_ours = best_time(thermo.stationary_distribution, P, repeat=3)
    t_peer = best_time(lu_stationary, P, repeat=3)
    with np.errstate(divide="ignore", invalid="ignore"):
        err_ours = float(np.max(np.abs(thermo.stationary_distribution(P) / exact - 1)))
        err_peer = float(np.max(np.abs(lu_stationary(P) / exact - 1)))
    # the double-well chain of chapter 02 at its smallest step size
    eta, T = 0.0125, 0.2
    x = np.linspace(-3, 3, 600)
    Pd, logPd, _ = thermo.grid_transition_matrix(x, lambda z: -eta * (z**3 - z), 2 * eta * T)
    ep = {}
    for name, pi in [("ours", thermo.stationary_distribution(Pd)), ("peer", lu_stationary(Pd))]:
        pi = np.clip(pi, 0.0, None)
        pi = pi / pi.sum()
        F = pi[:, None] * Pd
        with np.errstate(divide="ignore", invalid="ignore"):
            lr = np.log(pi)[:, None] + logPd - (np.log(pi)[:, None] + logPd).T
            term = np.where(F == F.T, 0.0, (F - F.T) * lr)
        val = float(0.5 * np.sum(term))
        ep[name] = val if np.isfinite(val) else repr(val)  # strict JSON has no inf
    return {
        "states": K,
        "smallest_probability": float(exact[-1]),
        "ours_seconds": t_ours,
        "peer_seconds": t_peer,
        "ours_max_relative_error": err_ours,
        "peer_max_relative_error": err_peer,
        "double_well_entropy_production_ours": ep["ours"],
        "double_well_entropy_production_peer": ep["peer"],
    }


def path_benchmark(d=13, n_paths=200, n_steps=500, n_state=500):
    rng = np.random.default_rng(0)
    B = rng.standard_normal((d, d))
    A = B @ B.T / d + 0.5 * np.eye(d)
    Q = 0.02 * (np.eye(d) + 0.3 * np.diag(rng.random(d)))
    M = np.eye(d) - 0.05 * A
    x0 = rng.standard_normal((n_paths, d))
    chain = thermo.sample_gaussian_chain(x0, lambda X: X @ (M - np.eye(d)).T, Q, n_steps, rng)
    P, Bd = chain.path, chain.drift

    def ours():
        return thermo.path_entropy_production(P, Bd, Q).medium

    def peer():
        mvn = multivariate_normal(np.zeros(d), Q)
        rf = (P[:, 1:] - P[:, :-1] - Bd[:, :-1]).reshape(-1, d)
        rr = (P[:, :-1] - P[:, 1:] - Bd[:, 1:]).reshape(-1, d)
        return (mvn.logpdf(rf) - mvn.logpdf(rr)).reshape(n_paths, n_steps)

    diff = float(np.max(np.abs(ours() - peer())))
    t_ours, t_peer = best_time(ours, repeat=3), best_time(peer, repeat=3)

    # state-dependent covariance: one frozen scipy distribution per point
    Xs = P[:1, : n_state + 1]
    covs = 0.02 * (1 + np.sum(Xs**2, axis=-1))[..., None, None] * np.eye(d)
    Bs = Bd[:1, : n_state + 1]

    def ours_sd():
        return thermo.path_entropy_production(Xs, Bs, covs).medium[0]

    def peer_sd():
        out = np.empty(n_state)
        for t in range(n_state):
            f = multivariate_normal.logpdf(Xs[0, t + 1] - Xs[0, t] - Bs[0, t], cov=covs[0, t])
            r = multivariate_normal.logpdf(Xs[0, t] - Xs[0, t + 1] - Bs[0, t + 1],
                                           cov=covs[0, t + 1])
            out[t] = f - r
        return out

    diff_sd = float(np.max(np.abs(ours_sd() - peer_sd())))
    t_ours_sd, t_peer_sd = best_time(ours_sd, repeat=3), best_time(peer_sd, repeat=1)
    return {
        "dimension": d,
        "steps_constant": n_paths * n_steps,
        "ours_seconds_constant": t_ours,
        "peer_seconds_constant": t_peer,
        "max_abs_difference_constant": diff,
        "steps_state_dependent": n_state,
        "ours_seconds_state_dependent": t_ours_sd,
        "peer_seconds_state_dependent": t_peer_sd,
        "max_abs_difference_state_dependent": diff_sd,
    }


def main():
    st = stationary_benchmark()
    pa = path_benchmark()
    summary = [
        {"method": "stationary law (GTH)", "measure": "time, 400-state chain",
         "ours": st["ours_seconds"], "peer": st["peer_seconds"], "unit": "s",
         "peer_name": "scipy.linalg.solve (LU)", "ratio": st["ours_seconds"] / st["peer_seconds"],
         "note": f"largest relative error: ours {st['ours_max_relative_error']:.1e}, "
                 f"LU {st['peer_max_relative_error']:.1e} (probabilities down to "
                 f"{st['smallest_probability']:.0e})"},
        {"method": "path-wise medium entropy", "measure": "time, constant covariance",
         "ours": pa["ours_seconds_constant"], "peer": pa["peer_seconds_constant"], "unit": "s",
         "peer_name": "scipy.stats.multivariate_normal.logpdf",
         "ratio": pa["ours_seconds_constant"] / pa["peer_seconds_constant"],
         "note": f"{pa['steps_constant']} steps, d = {pa['dimension']}; largest difference "
                 f"{pa['max_abs_difference_constant']:.1e}"},
        {"method": "path-wise medium entropy", "measure": "time, state-dependent covariance",
         "ours": pa["ours_seconds_state_dependent"], "peer": pa["peer_seconds_state_dependent"],
         "unit": "s", "peer_name": "scipy.stats.multivariate_normal.logpdf",
         "ratio": pa["ours_seconds_state_dependent"] / pa["peer_seconds_state_dependent"],
         "note": f"{pa['steps_state_dependent']} steps, d = {pa['dimension']}; largest "
                 f"difference {pa['max_abs_difference_state_dependent']:.1e}"},
    ]
    path = write_result("bench_thermo", {
        "versions": versions("numpy", "scipy"),
        "stationary": st,
        "path_entropy": pa,
        "summary": summary,
    })
    print(f"wrote {path}")
    for r in summary:
        print(f"{r['method']:28s} {r['measure']:34s} ratio {r['ratio']:.3g}  {r['note']}")
    print(f"double-well entropy production: from GTH "
          f"{st['double_well_entropy_production_ours']:.4e}, from LU "
          f"{st['double_well_entropy_production_peer']}")


if __name__ == "__main__":
    main()
