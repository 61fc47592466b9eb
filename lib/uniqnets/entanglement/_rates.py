"""The Lyapunov gap of the trained product, measured: rates, readings of the selection step,
and the validation of the spectra on known answers.

:func:`rate_scan` trains deep models for every ``(k, n)`` and measures the decay rate of
the misalignment of test outputs, the QR gap of the product and the training growth,
against :func:`alignment_rate` and :func:`training_exponent`.
:func:`selection_readings` compares the readings ``"abs"``, ``"signed"`` and ``"none"``
of the selection step. :func:`spectrum_validation` checks the instruments on known
answers: QR on Gaussian products against Newman's exponents, the quadrature of
``lambda_train`` against sorted Monte-Carlo draws.
"""

from __future__ import annotations

import warnings
from dataclasses import dataclass, field

import numpy as np
from scipy.special import digamma

from .. import lyapunov, stats
from .._validate import check_int, check_real
from ._algorithm import train_maxlikelihood
from ._common import check_k_n
from ._convergence import check_int_list, check_tol, markdown_table, pm
from ._spectra import alignment_rate, sample_training_growth, training_exponent

__all__ = ["RateScan", "SelectionReadings", "SpectrumValidation", "half_collapse_depth",
           "rate_scan", "selection_readings", "spectrum_validation"]


def _cells(cells, name: str) -> list[tuple[int, int]]:
    """A sequence of ``(k, n)`` pairs with ``1 <= k <= n``."""
    if isinstance(cells, (str, bytes)) or not hasattr(cells, "__iter__"):
        raise TypeError(f"{name} must be a sequence of (k, n) pairs, got {type(cells).__name__}")
    out = []
    for i, c in enumerate(cells):
        if isinstance(c, (str, bytes)) or not hasattr(c, "__len__") or len(c) != 2:
            raise ValueError(f"{name}[{i}] must be a pair (k, n), got {c!r}")
        k = check_int(c[0], f"{name}[{i}][0] (k)", 1)
        n = check_int(c[1], f"{name}[{i}][1] (n)", k)
        out.append((k, n))
    return out


def half_collapse_depth(k: int, n: int, tol: float = 0.01) -> float:
    """Depth at which half of isotropic test inputs are estimated to have collapsed.

    Assumes ``log cot theta_l`` grows at the rate ``Delta(k, n)`` from the first layer on,
    from the median ``E log|cot theta_0| = (psi(1/2) - psi((k-1)/2)) / 2`` of isotropic
    inputs; "collapsed" is an angle within ``pi tol`` of the training output.

    Parameters
    ----------
    k : int >= 2
        Input dimension.
    n : int >= k
        Width.
    tol : float in (0, 1/2)
        Collapse tolerance.

    Returns
    -------
    float
        Layers (infinite if the rate is not positive).

    Examples
    --------
    >>> round(half_collapse_depth(2, 2), 2)
    4.99
    """
    k, n = check_k_n(k, n)
    if k < 2:
        raise ValueError(f"k must be >= 2, got {k}")
    tol = check_tol(tol)
    start = 0.5 * (digamma(0.5) - digamma((k - 1) / 2))
    rate = alignment_rate(k, n)
    return float((np.log(1 / np.tan(np.pi * tol)) - start) / rate) if rate > 0 else np.inf


@dataclass(frozen=True)
class RateScan:
    """Result of :func:`rate_scan`: one entry per ``(k, n)`` cell, in scan order.

    Attributes
    ----------
    k, n, L : int arrays (C,)
        Input dimension, width and the depth run.
    delta : array (C,)
        Predicted decay rate ``Delta = lambda_train - lambda_2`` per layer.
    d_meas, d_se : arrays (C,)
        Decay rate of ``log cot theta`` of the test outputs over the second half of the
        run, and its batch-means standard error (40 blocks).
    gap_qr, gap_qr_se : arrays (C,)
        Gap of the top two QR exponents of the first model, second half, and its se.
    lam, g_meas, g_se : arrays (C,)
        ``lambda_train`` by quadrature, and the measured growth with its se.
    reached : bool array (C,)
        The second half covers at least 4 e-folds of the predicted decay.
    L_half, L_half_est : arrays (C,)
        First depth at which half of the tracked inputs have collapsed (NaN if never),
        and :func:`half_collapse_depth`.
    """

    k: np.ndarray
    n: np.ndarray
    L: np.ndarray
    delta: np.ndarray
    d_meas: np.ndarray
    d_se: np.ndarray
    gap_qr: np.ndarray
    gap_qr_se: np.ndarray
    lam: np.ndarray
    g_meas: np.ndarray
    g_se: np.ndarray
    reached: np.ndarray
    L_half: np.ndarray
    L_half_est: np.ndarray = field(repr=False)

    def rows(self) -> list[dict]:
        """One dict per cell (the columns above as keys)."""
        names = list(self.__dataclass_fields__)
        return [{name: getattr(self, name)[i].item() for name in names}
                for i in range(self.k.size)]

    def cell(self, k: int, n: int) -> int:
        """Index of the cell ``(k, n)``."""
        hit = np.flatnonzero((self.k == k) & (self.n == n))
        if not hit.size:
            raise ValueError(f"(k, n) = ({k}, {n}) is not a cell of the scan")
        return int(hit[0])

    def table(self) -> str:
        """A Markdown table: predicted and measured rates, growths and half-collapse depths."""
        def depth(x):
            return "never" if not np.isfinite(x) else f"{x:.0f}"

        rows = [(self.k[i], self.n[i], self.L[i], f"{self.delta[i]:.4f}",
                 pm(self.d_meas[i], self.d_se[i], 4), pm(self.gap_qr[i], self.gap_qr_se[i], 4),
                 f"{self.lam[i]:.4f}", pm(self.g_meas[i], self.g_se[i], 4),
                 depth(self.L_half[i]), depth(self.L_half_est[i]))
                for i in range(self.k.size)]
        return markdown_table(("k", "n", "L", "Δ predicted", "tracked", "QR gap",
                               "λ_train predicted", "measured", "L_half", "estimate"), rows)

    def worst_z(self) -> dict:
        """Largest deviation from the prediction, in standard errors, over the cells that
        reached 4 e-folds: ``tracked``, ``qr`` and ``growth``; and their count, ``cells``."""
        r = self.reached
        ok = r & (self.g_se > 0)
        return {"tracked": float(np.max(np.abs(self.d_meas - self.delta)[r] / self.d_se[r])),
                "qr": float(np.max(np.abs(self.gap_qr - self.delta)[r] / self.gap_qr_se[r])),
                "growth": float(np.max(np.abs(self.g_meas - self.lam)[ok] / self.g_se[ok])),
                "cells": int(r.sum())}


def rate_scan(ks, offsets, seed: int, *, rate_decay: float = 24.0, min_depth: int = 200,
              max_depth: int = 3000, n_models: int = 4, n_test: int = 8,
              tol: float = 0.01) -> RateScan:
    """Measure the alignment rate of Algorithm 1 for every ``k`` in ``ks`` and ``n = k + offset``.

    Each cell runs ``clip(ceil(rate_decay / Delta), min_depth, max_depth)`` layers; model
    ``j`` draws from ``stats.rng_stream(seed, 7, k, n, j)``.

    Parameters
    ----------
    ks : sequence of int >= 2
        Input dimensions.
    offsets : sequence of int >= 0
        Widths ``n = k + offset``.
    seed : int >= 0
        Root of the random streams.
    rate_decay : float > 0
        e-folds of ``tan theta`` the run should cover.
    min_depth, max_depth : int >= 2
        Bounds of the depth of a run.
    n_models, n_test : int >= 1
        Models per cell, test inputs per model.
    tol : float in (0, 1/2)
        Collapse tolerance (for ``L_half``).

    Returns
    -------
    RateScan

    References
    ----------
    V. I. Oseledets (1968); C. M. Newman (1986).

    Examples
    --------
    >>> scan = rate_scan([2], [0], 0, min_depth=200, max_depth=200, n_models=2)
    >>> bool(abs(scan.d_meas[0] - scan.delta[0]) < 5 * scan.d_se[0])
    True
    """
    ks = check_int_list(ks, "ks", 2)
    offsets = check_int_list(offsets, "offsets", 0)
    seed = check_int(seed, "seed", 0)
    rate_decay = check_real(rate_decay, "rate_decay", lo=0.0, lo_open=True)
    min_depth = check_int(min_depth, "min_depth", 2)
    max_depth = check_int(max_depth, "max_depth", min_depth)
    n_models = check_int(n_models, "n_models", 1)
    n_test = check_int(n_test, "n_test", 1)
    tol = check_tol(tol)
    cols = {name: [] for name in RateScan.__dataclass_fields__}
    for k in dict.fromkeys(ks):
        for off in offsets:
            n = k + off
            delta = alignment_rate(k, n)
            L_run = int(np.clip(np.ceil(rate_decay / delta), min_depth, max_depth))
            h = L_run // 2
            incs, grows, cots = [], [], []
            for j in range(n_models):
                rng = stats.rng_stream(seed, 7, k, n, j)
                w0 = rng.standard_normal(k)
                X = rng.standard_normal((k, n_test))
                model = train_maxlikelihood(w0, n, L_run, rng, track=X, keep_directions=False,
                                            keep_layers=False)
                lc = model.tracked.log_cot
                incs.append(np.diff(lc.mean(axis=1))[h:])
                grows.append(model.growth[h:])
                cots.append(lc)
                if j == 0:
                    qr = lyapunov.qr_exponents(model.iter_layers(), k=2)
                    gap, gap_se = stats.batch_means(qr.log_r[h:, 0] - qr.log_r[h:, 1],
                                                    n_blocks=40)
            d, d_se = stats.batch_means(np.concatenate(incs), n_blocks=40)
            g, g_se = stats.batch_means(np.concatenate(grows), n_blocks=40)
            collapsed = np.arctan(np.exp(-np.concatenate(cots, axis=1))) <= np.pi * tol
            half = np.flatnonzero(collapsed.mean(axis=1) >= 0.5)
            values = dict(k=k, n=n, L=L_run, delta=delta, d_meas=d, d_se=d_se, gap_qr=gap,
                          gap_qr_se=gap_se, lam=training_exponent(k, n), g_meas=g, g_se=g_se,
                          reached=delta * (L_run - h) >= 4,
                          L_half=float(half[0]) if half.size else np.nan,
                          L_half_est=half_collapse_depth(k, n, tol))
            for name, v in values.items():
                cols[name].append(v)
    return RateScan(**{name: np.array(v) for name, v in cols.items()})


@dataclass(frozen=True)
class SelectionReadings:
    """Result of :func:`selection_readings`.

    Attributes
    ----------
    rates : dict of (k, n) to dict of str to float
        ``Delta`` by quadrature under the readings ``"abs"``, ``"signed"``, ``"none"``.
    mc_signed_rate, mc_signed_rate_se : dict of (k, n) to float
        ``Delta`` under ``"signed"`` from sorted Monte-Carlo draws, and its se.
    mc_signed_quad : dict of (k, n) to float
        The quadrature's signed ``lambda_train`` there, to compare with the draws.
    demo : dict of str to dict
        Per reading (``"abs"``, ``"signed"``), a tracked run: ``collapsed`` (final
        fraction), ``median_log10_mis`` (median ``log10(1 - |cos theta_L|)``), ``rate``
        and ``rate_se`` (drift of ``log cot theta`` over the second half, batch means).
    """

    rates: dict
    mc_signed_rate: dict
    mc_signed_rate_se: dict
    mc_signed_quad: dict
    demo: dict = field(repr=False)

    def table(self) -> str:
        """A Markdown table of the three rates per cell, with the signed draws where sampled."""
        rows = []
        for (k, n), r in self.rates.items():
            mc = (pm(self.mc_signed_rate[k, n], self.mc_signed_rate_se[k, n], 4)
                  if (k, n) in self.mc_signed_rate else "")
            rows.append((k, n, f"{r['abs']:.4f}", f"{r['signed']:.4f}", mc, f"{r['none']:.4f}"))
        return markdown_table(("k", "n", "Δ, abs", "Δ, signed", "signed, Monte Carlo",
                               "Δ, none"), rows)

    def demo_table(self) -> str:
        """A Markdown table of the tracked runs: per reading, the collapsed fraction, the
        median misalignment and the drift of ``log cot theta`` against ``max(Delta, 0)``."""
        rows = [(sel, f"{d['collapsed']:.2f}", f"{d['median_log10_mis']:.2f}",
                 pm(d["rate"], d["rate_se"]), f"{d['predicted']:.3f}")
                for sel, d in self.demo.items()]
        return markdown_table(("reading", "collapsed", "median log10(1 - |cos θ_L|)",
                               "drift of log cot θ per layer", "max(Δ, 0)"), rows)


def selection_readings(cells, mc_cells, seed: int, *, n_draws: int = 20000,
                       demo_k: int = 100, demo_n: int = 110, depth: int = 200,
                       n_test: int = 8, tol: float = 0.01) -> SelectionReadings:
    """Compare the readings of Algorithm 1's selection step: rates, draws and tracked runs.

    Parameters
    ----------
    cells : sequence of (k, n)
        Where the three rates are computed by quadrature.
    mc_cells : sequence of (k, n)
        Where the signed ``lambda_train`` is also sampled (``n_draws`` draws for
        ``k <= 100``, a tenth, at least 400, above), from ``rng_stream(seed, 15, k, n)``.
    seed : int >= 0
        Root of the random streams.
    n_draws : int >= 2
        Monte-Carlo draws.
    demo_k, demo_n : int
        Size of the tracked runs (``rng_stream(seed, 16)``).
    depth : int >= 2
        Their depth.
    n_test : int >= 1
        Their test inputs.
    tol : float in (0, 1/2)
        Collapse tolerance.

    Returns
    -------
    SelectionReadings

    References
    ----------
    Lai, Dong and Jin, Algorithm 1 line 7, Eqs. 12 and 19.

    Examples
    --------
    >>> res = selection_readings([(10, 11)], [(10, 11)], 0, n_draws=500, demo_k=10,
    ...                          demo_n=11, depth=80)
    >>> bool(res.rates[10, 11]["signed"] < 0 < res.rates[10, 11]["abs"])
    True
    """
    cells = _cells(cells, "cells")
    mc_cells = _cells(mc_cells, "mc_cells")
    seed = check_int(seed, "seed", 0)
    n_draws = check_int(n_draws, "n_draws", 2)
    demo_k = check_int(demo_k, "demo_k", 1)
    demo_n = check_int(demo_n, "demo_n", demo_k)
    depth = check_int(depth, "depth", 2)
    n_test = check_int(n_test, "n_test", 1)
    tol = check_tol(tol)
    lam_sel, rates = {}, {}
    for k, n in dict.fromkeys(cells + mc_cells):
        lam2 = float(lyapunov.gaussian_product_exponents(k)[1])
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # round-off near the 1e-10 target at large k
            lam_sel[k, n] = {s: training_exponent(k, n, s) for s in ("abs", "signed", "none")}
        rates[k, n] = {s: v - lam2 for s, v in lam_sel[k, n].items()}
    mc, mc_se, quad = {}, {}, {}
    for k, n in mc_cells:
        size = n_draws if k <= 100 else max(n_draws // 10, 400)
        draws = sample_training_growth(k, n, "signed", stats.rng_stream(seed, 15, k, n), size)
        lam2 = float(lyapunov.gaussian_product_exponents(k)[1])
        mc[k, n] = float(draws.mean() - lam2)
        mc_se[k, n] = float(draws.std(ddof=1) / np.sqrt(draws.size))
        quad[k, n] = lam_sel[k, n]["signed"] - lam2
    demo = {}
    for sel in ("abs", "signed"):
        rng = stats.rng_stream(seed, 16)
        w0 = rng.standard_normal(demo_k)
        X = rng.standard_normal((demo_k, n_test))
        P = train_maxlikelihood(w0, demo_n, depth, rng, selection=sel, track=X,
                                keep_directions=False, keep_layers=False).tracked
        d, d_se = stats.batch_means(np.diff(P.log_cot.mean(axis=1))[depth // 2:], n_blocks=40)
        demo[sel] = {"collapsed": float(P.collapsed_fraction(tol)[-1]),
                     "median_log10_mis": float(np.median(P.log_misalignment[-1]) / np.log(10)),
                     "rate": float(d), "rate_se": float(d_se),
                     "predicted": max(alignment_rate(demo_k, demo_n, sel), 0.0)}
    return SelectionReadings(rates, mc, mc_se, quad, demo)


@dataclass(frozen=True)
class SpectrumValidation:
    """Result of :func:`spectrum_validation`.

    Attributes
    ----------
    newman_worst_z : dict of int to float
        Per ``k``, the largest deviation of the QR exponents of a Gaussian product from
        Newman's, in batch-means standard errors (40 blocks).
    quad, mc, mc_se : dict of (k, n) to float
        ``lambda_train`` by quadrature, by sorted Monte-Carlo draws, and their se.
    """

    newman_worst_z: dict
    quad: dict
    mc: dict
    mc_se: dict


def spectrum_validation(ks, cells, seed: int, *, n_factors: int = 20000,
                        n_draws: int = 20000) -> SpectrumValidation:
    """Validate the spectral instruments on known answers.

    Parameters
    ----------
    ks : sequence of int >= 1
        Sizes of Gaussian products whose QR exponents are compared with Newman's
        (``rng_stream(seed, 5, k)``).
    cells : sequence of (k, n)
        Where ``lambda_train`` by quadrature is compared with sorted Monte-Carlo draws
        (``rng_stream(seed, 6, k, n)``).
    seed : int >= 0
        Root of the random streams.
    n_factors : int >= 80
        Factors of each product (40 blocks of at least 2).
    n_draws : int >= 2
        Monte-Carlo draws per cell.

    Returns
    -------
    SpectrumValidation

    References
    ----------
    C. M. Newman (1986); G. Benettin et al. (1980).

    Examples
    --------
    >>> v = spectrum_validation([2], [(2, 12)], 0, n_factors=2000, n_draws=2000)
    >>> v.newman_worst_z[2] < 5, bool(abs(v.quad[2, 12] - v.mc[2, 12]) < 5 * v.mc_se[2, 12])
    (True, True)
    """
    ks = check_int_list(ks, "ks", 1)
    cells = _cells(cells, "cells")
    seed = check_int(seed, "seed", 0)
    n_factors = check_int(n_factors, "n_factors", 80)
    n_draws = check_int(n_draws, "n_draws", 2)
    worst = {}
    for k in ks:
        rng = stats.rng_stream(seed, 5, k)
        res = lyapunov.qr_exponents(rng.standard_normal((k, k)) for _ in range(n_factors))
        z = np.abs(res.exponents - lyapunov.gaussian_product_exponents(k)) / res.stderr(
            n_blocks=40)
        worst[k] = float(np.max(z))
    quad, mc, mc_se = {}, {}, {}
    for k, n in cells:
        draws = sample_training_growth(k, n, "abs", stats.rng_stream(seed, 6, k, n), n_draws)
        quad[k, n] = training_exponent(k, n)
        mc[k, n] = float(draws.mean())
        mc_se[k, n] = float(draws.std(ddof=1) / np.sqrt(draws.size))
    return SpectrumValidation(worst, quad, mc, mc_se)
