"""Is norm growth the mechanism? The spacetime delay (Fig. 5) and five control chains.

:func:`spacetime_delay` measures the onset of "entanglement" in the normalised spacetime
vectors of Eq. 27 for several constants ``c`` and compares its delay with the delay
equation. :func:`norm_controls` runs the trained chain against four controls that keep
or remove its norm growth and its Lyapunov gap separately.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
from scipy.optimize import brentq
from scipy.stats import ortho_group

from .. import lyapunov, stats
from .._validate import check_array, check_int
from ._algorithm import train_maxlikelihood
from ._convergence import check_int_list, check_tol, markdown_table, mean_se, pm
from ._propagation import propagate
from ._spectra import training_exponent

__all__ = ["CHAINS", "NormControls", "SpacetimeDelay", "norm_controls", "spacetime_delay"]

#: The chains of :func:`norm_controls`, in order.
CHAINS = ("selected", "rescaled", "orthogonal", "unselected", "norm-minimising")


@dataclass(frozen=True)
class SpacetimeDelay:
    """Result of :func:`spacetime_delay`.

    Attributes
    ----------
    c_values : array (C,)
        The constants ``c``.
    lam_train : float
        ``lambda_train`` of the width, per layer.
    onsets : array (M, C)
        Per model, the median over anti-branch inputs of the first layer at which the
        spacetime loss is within ``tol`` of 0.
    delay, delay_se : arrays (C,)
        Mean onset minus the onset at ``c_values[0]``, over models, and its se.
    delay_pred : array (C,)
        The delay equation solved from the mean onset at ``c_values[0]``.
    delay_naive : array (C,)
        ``ln(c / c_values[0]) / lambda_train``.
    example : Propagation
        The first model's tracked outputs (for the figure).
    """

    c_values: np.ndarray
    lam_train: float
    onsets: np.ndarray = field(repr=False)
    delay: np.ndarray = field(repr=False)
    delay_se: np.ndarray = field(repr=False)
    delay_pred: np.ndarray = field(repr=False)
    delay_naive: np.ndarray = field(repr=False)
    example: object = field(repr=False)

    @property
    def onset0(self) -> float:
        """Mean onset at ``c_values[0]``."""
        return float(self.onsets[:, 0].mean())


def spacetime_delay(c_values, seed: int, *, k: int = 2, n: int = 102, depth: int = 30,
                    n_models: int = 8, n_test: int = 2000, tol: float = 0.01) -> SpacetimeDelay:
    """Onset of spacetime "entanglement" (Eq. 27) against the constant ``c``.

    Model ``j`` draws from ``stats.rng_stream(seed, 8, j)``. The delay equation
    ``lambda (l*(c) - l*(c0)) - ln(l*(c) / l*(c0)) = ln(c / c0)`` follows from
    ``log ||w_l|| ~ const + lambda l`` and the tolerance condition of an anti-parallel pair.

    Parameters
    ----------
    c_values : sequence of float > 0
        Increasing constants, the first one the reference ``c0``.
    seed : int >= 0
        Root of the random streams.
    k, n : int
        Input dimension and width.
    depth : int >= 2
        Layers of each run.
    n_models, n_test : int >= 1
        Models and test inputs per model.
    tol : float in (0, 1/2)
        Collapse tolerance.

    Returns
    -------
    SpacetimeDelay

    References
    ----------
    Lai, Dong and Jin, Sec. IV, Eqs. 27-30, Fig. 5.

    Examples
    --------
    >>> st = spacetime_delay([1.0, 100.0], 0, depth=24, n_models=2, n_test=200)
    >>> bool(st.delay[1] > 0)
    True
    """
    c_values = check_array(c_values, "c_values", ndim=1)
    if np.any(c_values <= 0) or np.any(np.diff(c_values) <= 0):
        raise ValueError("c_values must be positive and increasing")
    seed = check_int(seed, "seed", 0)
    k = check_int(k, "k", 2)
    n = check_int(n, "n", k)
    depth = check_int(depth, "depth", 2)
    n_models = check_int(n_models, "n_models", 2)
    n_test = check_int(n_test, "n_test", 1)
    tol = check_tol(tol)
    lam = training_exponent(k, n)
    onsets, example = [], None
    for j in range(n_models):
        rng = stats.rng_stream(seed, 8, j)
        w0 = rng.standard_normal(k)
        X = rng.standard_normal((k, n_test))
        P = train_maxlikelihood(w0, n, depth, rng, track=X).tracked
        example = P if example is None else example
        anti = P.cos_sign[-1] < 0
        row = []
        for c in c_values:
            hit = 1 - np.arccos(np.clip(P.spacetime_cos(c), -1, 1)) / np.pi <= tol
            first = np.where(hit.any(axis=0), hit.argmax(axis=0), np.nan)
            row.append(np.nanmedian(first[anti]) if np.any(anti) else np.nan)
        onsets.append(row)
    onsets = np.array(onsets)
    ell0 = onsets[:, 0].mean()

    def onset(c):
        return brentq(lambda ell: lam * (ell - ell0) - np.log(ell / ell0)
                      - np.log(c / c_values[0]), ell0, ell0 + 200)

    delays = onsets - onsets[:, :1]
    delay, delay_se = mean_se(delays)
    pred = np.array([onset(c) - ell0 for c in c_values])
    return SpacetimeDelay(c_values, lam, onsets, delay, delay_se, pred,
                          np.log(c_values / c_values[0]) / lam, example)


@dataclass(frozen=True)
class NormControls:
    """Result of :func:`norm_controls`.

    Attributes
    ----------
    ks : tuple of int
    values : array (K, 5, M, 3)
        Per ``k``, chain (``CHAINS``) and model: the mean log-growth of the training
        norm per layer, the collapsed fraction at the last layer and the median
        ``log10(1 - |cos theta_L|)``.
    rescaled_max_diff : array (K,)
        Largest difference of ``log cot theta`` between the trained and the rescaled chain.
    orthogonal_max_change : array (K,)
        Largest change of any loss through the orthogonal chain.
    test_test : array (K, M)
        Under norm minimisation, the collapsed fraction of test outputs onto the first
        test output (instead of the training output).
    n_test : int
    """

    ks: tuple
    values: np.ndarray = field(repr=False)
    rescaled_max_diff: np.ndarray = field(repr=False)
    orthogonal_max_change: np.ndarray = field(repr=False)
    test_test: np.ndarray = field(repr=False)
    n_test: int = 0

    def get(self, k: int, chain: str, what: str = "collapsed") -> tuple[float, float]:
        """Mean and standard error over models of ``growth``, ``collapsed`` or
        ``log10_mis`` for one chain."""
        i, c = self.ks.index(k), CHAINS.index(chain)
        m, se = mean_se(self.values[i, c, :, ("growth", "collapsed", "log10_mis").index(what)])
        return float(m), float(se)

    def table(self) -> str:
        """A Markdown table per chain and ``k``: growth per layer, collapsed fraction and the
        median misalignment at the last layer, means ± standard errors over models."""
        rows = []
        for chain in CHAINS:
            for k in self.ks:
                g, c, m = (self.get(k, chain, w) for w in ("growth", "collapsed", "log10_mis"))
                rows.append((chain, k, pm(*g), pm(*c, 2), pm(*m, 1)))
        return markdown_table(("chain", "k", "growth per layer", "collapsed",
                               "median log10(1 - |cos θ|)"), rows)

    def text(self, k: int, chain: str | None = None, digits: int = 2) -> str:
        """Collapsed fraction of a chain (``None``: the test-test fraction) as prose
        quotes it: mean ± se, or the value shared by every model."""
        i = self.ks.index(k)
        v = (self.test_test[i] if chain is None
             else self.values[i, CHAINS.index(chain), :, 1])
        if v.size > 1 and np.all(v == v[0]):
            return f"{v[0]:.{digits}f} in every one of the {v.size} models"
        m, se = mean_se(v)
        return f"{m:.{digits}f} ± {se:.{digits}f}"


def norm_controls(ks, seed: int, *, offset: int = 100, depth: int = 20, n_models: int = 8,
                  n_test: int = 2000, tol: float = 0.01) -> NormControls:
    """Algorithm 1 against four controls that separate norm growth from the Lyapunov gap.

    The chains (``CHAINS``): the trained model; its layers divided by their growth
    factor (no norm growth, same angles); Haar orthogonal layers times
    ``exp(lambda_train)`` (same growth, zero gap); Gaussian layers scaled to the same
    expected growth (Newman's gap); Algorithm 1 keeping the ``k`` smallest ``|z_i|``.
    Model ``j`` of size ``k`` draws from ``stats.rng_stream(seed, 9..12, k, j)``.

    Parameters
    ----------
    ks : sequence of int >= 2
        Input dimensions.
    seed : int >= 0
        Root of the random streams.
    offset : int >= 0
        Width ``n = k + offset``.
    depth : int >= 1
        Layers.
    n_models : int >= 2
        Models per ``k``.
    n_test : int >= 2
        Test inputs per model.
    tol : float in (0, 1/2)
        Collapse tolerance.

    Returns
    -------
    NormControls

    References
    ----------
    Lai, Dong and Jin, Secs. II-D and IV.

    Examples
    --------
    >>> nc = norm_controls([2], 0, n_models=2, n_test=100)
    >>> nc.get(2, "selected")[0] > 0.9, nc.get(2, "orthogonal")[0] < 0.1
    (True, True)
    """
    ks = check_int_list(ks, "ks", 2)
    seed = check_int(seed, "seed", 0)
    offset = check_int(offset, "offset", 0)
    depth = check_int(depth, "depth", 1)
    n_models = check_int(n_models, "n_models", 2)
    n_test = check_int(n_test, "n_test", 2)
    tol = check_tol(tol)
    values = np.full((len(ks), len(CHAINS), n_models, 3), np.nan)
    ident, preserved, test_test = (np.zeros(len(ks)), np.zeros(len(ks)),
                                   np.zeros((len(ks), n_models)))
    for i, k in enumerate(ks):
        n = k + offset
        lam_sel = training_exponent(k, n)
        lam_plain = float(lyapunov.gaussian_product_exponents(k)[0])
        for j in range(n_models):
            rng = stats.rng_stream(seed, 9, k, j)
            w0 = rng.standard_normal(k)
            X = rng.standard_normal((k, n_test))
            model = train_maxlikelihood(w0, n, depth, rng)
            base = model.propagate(X, keep_directions=False)
            resc = propagate((G / np.exp(g) for G, g in zip(model.iter_layers(), model.growth,
                                                             strict=True)),
                             w0, X, keep_directions=False)
            ro = stats.rng_stream(seed, 10, k, j)
            orth = propagate((np.exp(lam_sel) * ortho_group.rvs(k, random_state=ro)
                              for _ in range(depth)), w0, X, keep_directions=False)
            rg = stats.rng_stream(seed, 11, k, j)
            plain = propagate((np.exp(lam_sel - lam_plain) * rg.standard_normal((k, k))
                               for _ in range(depth)), w0, X, keep_directions=False)
            mn = train_maxlikelihood(w0, n, depth, stats.rng_stream(seed, 12, k, j),
                                     selection="min", track=X, keep_directions=False)
            for c, P in enumerate((base, resc, orth, plain, mn.tracked)):
                values[i, c, j] = (P.growth.mean(), P.collapsed_fraction(tol)[-1],
                                   np.median(P.log_misalignment[-1]) / np.log(10))
            ident[i] = max(ident[i], np.max(np.abs(resc.log_cot - base.log_cot)))
            preserved[i] = max(preserved[i], np.max(np.abs(orth.loss[-1] - orth.loss[0])))
            tt = propagate(mn.iter_layers(), X[:, 0], X[:, 1:], keep_directions=False)
            test_test[i, j] = tt.collapsed_fraction(tol)[-1]
    return NormControls(ks, values, ident, preserved, test_test, n_test)
