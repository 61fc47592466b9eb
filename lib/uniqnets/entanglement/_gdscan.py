"""Algorithm 2 scanned over the target scale lambda and the learning rate (the paper's Fig. 7).

:func:`gd_collapse_scan` runs the two readings of Algorithm 2 (one matrix, as written;
three factors trained by back-propagation) for every ``lambda`` and counts how many
unseen inputs land within an angle of the target direction; it also sweeps the
learning rate of the one-matrix reading at a fixed ``lambda``.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from .. import stats
from .._validate import check_array, check_int, check_real
from ._common import vector
from ._convergence import check_tol, markdown_table, mean_se
from ._geometry import chord_loss, cone_fraction
from ._gradient import gradient_descent, gradient_descent_closed_form

__all__ = ["GDScan", "gd_collapse_scan"]


def _near_fraction(M, X, direction, angle):
    """Fraction of the columns of ``M X`` within ``angle`` of ``+-direction``."""
    Y = M @ X
    cos = np.abs(direction @ Y) / np.linalg.norm(direction) / np.linalg.norm(Y, axis=0)
    return float(np.mean(np.arccos(np.clip(cos, 0, 1)) <= angle))


def _unstopped_product(w0, target, eta, T, factors):
    """The product after ``T`` updates that go on whatever overflows (no stopping rule)."""
    fs = [G.copy() for G in factors]
    with np.errstate(over="ignore", invalid="ignore"):
        for _ in range(T):
            hs = [w0]
            for G in fs:
                hs.append(G @ hs[-1])
            g = 2.0 * (hs[-1] - target)
            new = [None] * len(fs)
            for i in range(len(fs) - 1, -1, -1):
                new[i] = fs[i] - eta * np.outer(g, hs[i])
                g = fs[i].T @ g
            fs = new
        P = np.eye(w0.size)
        for G in fs:
            P = G @ P
    return P


@dataclass(frozen=True)
class GDScan:
    """Result of :func:`gd_collapse_scan`.

    Attributes
    ----------
    lambdas, etas_factors, etas : arrays
        The scanned target scales, the learning rates of reading (b) and of the sweep.
    frac_a, frac_a_se : arrays (n_lam,)
        Reading (a): Monte-Carlo collapsed fraction, mean over models and its se.
    frac_a_exact : array (n_lam,)
        Reading (a): the exact cone fraction, mean over models.
    frac_b, frac_b_se : arrays (n_eta_b, n_lam)
        Reading (b): collapsed fraction over the runs that did not diverge (NaN where all
        did) and its se.
    diverged_stop : int array (n_eta_b, n_lam)
        Runs the library stops as diverged (the squared error overflows, ``|e| > 1e154``).
    diverged_nonfinite : int array (n_eta_b, n_lam)
        Runs whose product after ``T`` unstopped updates is not finite.
    frac_eta, frac_eta_se : arrays (n_eta,)
        Reading (a) at ``lambda_fixed``: exact cone fraction against the learning rate.
    closed_form_rel_err : float
        Largest relative difference between the iteration and its closed form.
    mc_vs_exact_worst_z : float
        Largest deviation of ``frac_a`` from ``frac_a_exact`` in binomial sd (+1/N).
    n_models : int
    example_loss : dict of float to array (N,)
        Eq. 32 losses of the first model of reading (a) at four lambdas (the figure).
    """

    lambdas: np.ndarray
    etas_factors: np.ndarray
    etas: np.ndarray
    frac_a: np.ndarray
    frac_a_se: np.ndarray
    frac_a_exact: np.ndarray
    frac_b: np.ndarray = field(repr=False)
    frac_b_se: np.ndarray = field(repr=False)
    diverged_stop: np.ndarray = field(repr=False)
    diverged_nonfinite: np.ndarray = field(repr=False)
    frac_eta: np.ndarray = field(repr=False)
    frac_eta_se: np.ndarray = field(repr=False)
    closed_form_rel_err: float = 0.0
    mc_vs_exact_worst_z: float = 0.0
    n_models: int = 0
    example_loss: dict = field(default_factory=dict, repr=False)

    def window(self) -> dict:
        """Per step of reading (b): the largest collapsed fraction over the runs that did not
        diverge and the lambda where it is reached, and the first lambda at which half of
        the runs or more stop as diverged (NaN where none)."""
        out = {}
        for b, eta in enumerate(self.etas_factors):
            f = self.frac_b[b]
            best = int(np.nanargmax(f)) if np.any(np.isfinite(f)) else None
            half = np.flatnonzero(self.diverged_stop[b] >= self.n_models / 2)
            out[float(eta)] = {
                "max_collapsed": float(f[best]) if best is not None else float("nan"),
                "at_lambda": float(self.lambdas[best]) if best is not None else float("nan"),
                "diverge_lambda": float(self.lambdas[half[0]]) if half.size else float("nan")}
        return out

    def table(self) -> str:
        """A Markdown table of reading (b) per step: its collapse window and the diverged
        runs under the two criteria."""
        rows = []
        for b, (eta, w) in enumerate(self.window().items()):
            rows.append((f"{eta:g}", f"{w['max_collapsed']:.3f}", f"{w['at_lambda']:g}",
                         f"{w['diverge_lambda']:g}", int(self.diverged_stop[b].sum()),
                         int(self.diverged_nonfinite[b].sum()),
                         self.diverged_stop[b].size * self.n_models))
        return markdown_table(("η", "largest collapsed fraction", "at λ",
                               "half the runs diverge from λ", "diverged, stopping rule",
                               "diverged, non-finite product", "runs"), rows)


def gd_collapse_scan(w0, lambdas, seed: int, *, eta: float = 0.1, T: int = 5,
                     etas_factors=(0.1, 0.01, 0.001), etas=(0.01, 0.1, 1.0),
                     lambda_fixed: float = 100.0, n_models: int = 8, n_test: int = 5000,
                     tol: float = 0.01) -> GDScan:
    """Collapse of Algorithm 2 towards ``lambda [1, ..., 1]`` against lambda and eta.

    Reading (a): one matrix, ``T`` updates of step ``eta`` (initial matrix and test
    inputs from ``rng_stream(seed, 13, j)``). Reading (b): three factors, back-propagation,
    for each step in ``etas_factors`` (``rng_stream(seed, 14, j)``). "Collapsed": an
    output within an angle ``pi tol`` of ``+-`` the target direction.

    Parameters
    ----------
    w0 : array (2,)
        The training input (non-zero; the exact cone fraction is two-dimensional).
    lambdas : sequence of float > 0
        Target scales.
    seed : int >= 0
        Root of the random streams.
    eta : float > 0
        Step of reading (a).
    T : int >= 1
        Updates.
    etas_factors, etas : sequences of float > 0
        Steps of reading (b); steps of the sweep of reading (a) at ``lambda_fixed``.
    lambda_fixed : float > 0
        Target scale of that sweep.
    n_models : int >= 2
        Random initial matrices per setting.
    n_test : int >= 1
        Unseen inputs per model.
    tol : float in (0, 1/2)
        Collapse tolerance.

    Returns
    -------
    GDScan

    References
    ----------
    Lai, Dong and Jin, Algorithm 2, Fig. 7.

    Examples
    --------
    >>> s = gd_collapse_scan([0.1, 0.1], [1.0, 1e4], 0, n_models=2, n_test=200)
    >>> bool(s.frac_a_exact[1] > 0.9 > s.frac_a_exact[0]), s.closed_form_rel_err < 1e-12
    (True, True)
    """
    w0 = vector(w0, "w0", nonzero=True, size=2)
    lambdas = check_array(lambdas, "lambdas", ndim=1)
    etas_factors = check_array(etas_factors, "etas_factors", ndim=1)
    etas = check_array(etas, "etas", ndim=1)
    for name, v in (("lambdas", lambdas), ("etas_factors", etas_factors), ("etas", etas)):
        if np.any(v <= 0):
            raise ValueError(f"{name} must be positive")
    seed = check_int(seed, "seed", 0)
    eta = check_real(eta, "eta", lo=0.0, lo_open=True)
    T = check_int(T, "T", 1)
    lambda_fixed = check_real(lambda_fixed, "lambda_fixed", lo=0.0, lo_open=True)
    n_models = check_int(n_models, "n_models", 2)
    n_test = check_int(n_test, "n_test", 1)
    tol = check_tol(tol)
    k, d, angle = w0.size, np.ones(w0.size), np.pi * tol
    nl, nb = lambdas.size, etas_factors.size
    fa, fe = np.zeros((nl, n_models)), np.zeros((nl, n_models))
    fb = np.full((nb, nl, n_models), np.nan)
    div_stop, div_inf = np.zeros((nb, nl), int), np.zeros((nb, nl), int)
    err = 0.0
    for a, lam in enumerate(lambdas):
        for j in range(n_models):
            rng = stats.rng_stream(seed, 13, j)
            G0 = rng.standard_normal((k, k))
            X = rng.standard_normal((k, n_test))
            ra = gradient_descent(w0, lam * d, eta, T, [G0])
            closed = gradient_descent_closed_form(G0, w0, lam * d, eta, T)
            err = max(err, np.max(np.abs(ra.factors[0] - closed)) / np.max(np.abs(closed)))
            fa[a, j] = _near_fraction(ra.product, X, d, angle)
            fe[a, j] = cone_fraction(ra.product, d, angle)
        for b, eb in enumerate(etas_factors):
            for j in range(n_models):
                rng = stats.rng_stream(seed, 14, j)
                fs = [rng.standard_normal((k, k)) for _ in range(3)]
                X = rng.standard_normal((k, n_test))
                rb = gradient_descent(w0, lam * d, eb, T, fs)
                div_inf[b, a] += not np.all(np.isfinite(_unstopped_product(w0, lam * d, eb, T,
                                                                           fs)))
                if rb.diverged:
                    div_stop[b, a] += 1
                else:
                    fb[b, a, j] = _near_fraction(rb.product, X, d, angle)
    fa_m, fa_se = mean_se(fa, axis=1)
    fe_m = fe.mean(axis=1)
    with np.errstate(invalid="ignore", divide="ignore"):
        counts = np.sum(np.isfinite(fb), axis=2)
        fb_m = np.where(counts > 0, np.nansum(fb, axis=2) / np.maximum(counts, 1), np.nan)
        fb_sd = np.sqrt(np.nansum((fb - fb_m[..., None]) ** 2, axis=2) / (counts - 1))
        fb_se = np.where(counts > 1, fb_sd / np.sqrt(counts), np.nan)
    eta_models = np.array([[cone_fraction(
        gradient_descent(w0, lambda_fixed * d, e, T,
                         [stats.rng_stream(seed, 13, j).standard_normal((k, k))]).product,
        d, angle) for j in range(n_models)] for e in etas])
    fq_m, fq_se = mean_se(eta_models, axis=1)
    se_a = np.sqrt(fe_m * (1 - fe_m) / (n_test * n_models)) + 1 / n_test
    rng = stats.rng_stream(seed, 13, 0)
    G0, X = rng.standard_normal((k, k)), rng.standard_normal((k, n_test))
    hists = {}
    for lam in (1.0, 10.0, 100.0, 1000.0):
        hists[lam] = chord_loss(d, gradient_descent(w0, lam * d, eta, T, [G0]).product @ X)
    return GDScan(lambdas, etas_factors, etas, fa_m, fa_se, fe_m, fb_m, fb_se, div_stop,
                  div_inf, fq_m, fq_se, float(err), float(np.max(np.abs(fa_m - fe_m) / se_a)),
                  n_models, hists)
