"""The convergence test of Algorithm 1 (the paper's Fig. 3) and the growth of the training norm.

:func:`convergence_test` trains several MaxLikelihood models per width, streams unseen
Gaussian test inputs through them and returns, per width, model and depth, the
collapsed fraction, the exact fraction (k = 2), the averaged loss of Eq. 21, the binary
entropy of the losses, the share of inputs that end on their starting side, the norm of
the training vector and a rank-one analysis of one model. :func:`norm_growth_fit` fits
the proportional and exponential laws of the training norm to it.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
from scipy.special import entr

from .. import stats
from .._validate import check_array, check_choice, check_int, check_real
from ._algorithm import train_maxlikelihood
from ._propagation import uncollapsed_fraction_2d
from ._spectra import training_exponent

__all__ = ["ConvergenceTest", "NormGrowthFit", "convergence_test", "mean_se", "norm_growth_fit"]


def mean_se(values, axis: int = 0):
    """Mean over ``axis`` and its standard error, the spread over ``sqrt(count)``.

    Parameters
    ----------
    values : array
        Independent repetitions (models, seeds) along ``axis``; at least one.
    axis : int
        The axis of the repetitions.

    Returns
    -------
    tuple of (float or array, float or array)
        Mean and standard error (NaN for a single repetition).

    Examples
    --------
    >>> mean_se([1.0, 2.0, 3.0])
    (np.float64(2.0), np.float64(0.5773502691896258))
    """
    values = check_array(values, "values", min_size=1, finite=False)
    axis = check_int(axis, "axis", -values.ndim, values.ndim - 1) if values.ndim else 0
    if values.ndim == 0:
        raise ValueError("values must have at least one dimension")
    m = values.shape[axis]
    se = (values.std(axis=axis, ddof=1) / np.sqrt(m) if m > 1
          else np.full(np.delete(values.shape, axis), np.nan))
    return values.mean(axis=axis), se


def pm(mean, se, digits: int = 3) -> str:
    """``mean ± se`` with ``digits`` decimals (the se left out where it is NaN)."""
    if not np.isfinite(se):
        return f"{mean:.{digits}f}"
    return f"{mean:.{digits}f} ± {se:.{digits}f}"


def markdown_table(header, rows) -> str:
    """A Markdown table from a header and rows of cells (any values, shown with ``str``)."""
    lines = ["| " + " | ".join(map(str, header)) + " |", "|" + "---|" * len(header)]
    lines += ["| " + " | ".join(map(str, row)) + " |" for row in rows]
    return "\n".join(lines)


def check_int_list(values, name: str, lo: int = 0) -> tuple[int, ...]:
    """A non-empty sequence of integers >= ``lo``, as a tuple."""
    if isinstance(values, (str, bytes)) or not hasattr(values, "__iter__"):
        raise TypeError(f"{name} must be a sequence of integers, got {type(values).__name__}")
    out = tuple(check_int(v, f"{name}[{i}]", lo) for i, v in enumerate(values))
    if not out:
        raise ValueError(f"{name} must hold at least one value")
    return out


def check_tol(tol) -> float:
    """A collapse tolerance strictly between 0 and 1/2."""
    return check_real(tol, "tol", lo=0.0, hi=0.5, lo_open=True, hi_open=True)


@dataclass(frozen=True)
class ConvergenceTest:
    """Result of :func:`convergence_test`: arrays indexed (width, model, depth).

    Attributes
    ----------
    k, widths, depth, n_test, tol
        The input dimension, the widths ``n``, the largest depth ``L``, the test inputs
        per model and the collapse tolerance.
    collapsed : array (W, M, L + 1)
        Fraction of the test inputs whose Eq. 21 loss is within ``tol`` of 0 or 1.
    exact : array (W, M, L + 1)
        The exact fraction of :func:`uncollapsed_fraction_2d` (k = 2; NaN otherwise).
    mean_loss, h2 : arrays (W, M, L + 1)
        The Eq. 21 loss averaged over test inputs, and the mean binary entropy (bits) of
        the losses (the normalised negative log-likelihood of Eq. 13).
    side_shares : array (W, M, 2)
        Share of inputs whose final branch is the side of 1/2 they are on at the input
        (``L = 0``) and after one layer (``L = 1``).
    growth : array (W, M, L)
        Log-growth ``log ||w_l|| - log ||w_{l-1}||`` of the training vector per layer.
    train_log_norm : array (W, M, L + 1)
        ``log ||w_l||``.
    log10_s2_over_s1, branch_agreement, share_branch_zero : arrays (W,)
        For the first model of each width: ``log10`` of the ratio of the two largest
        singular values of ``H`` (exact, by determinants, for k = 2), the share of
        collapsed inputs whose branch is the side of the line ``b^perp`` (``b`` the top
        right-singular vector of ``H``), and the share of inputs at loss 0.
    example_loss : array (W, L + 1, n_test)
        The per-sample losses of the first model of each width.
    """

    k: int
    widths: tuple
    depth: int
    n_test: int
    tol: float
    collapsed: np.ndarray = field(repr=False)
    exact: np.ndarray = field(repr=False)
    mean_loss: np.ndarray = field(repr=False)
    h2: np.ndarray = field(repr=False)
    side_shares: np.ndarray = field(repr=False)
    growth: np.ndarray = field(repr=False)
    train_log_norm: np.ndarray = field(repr=False)
    log10_s2_over_s1: np.ndarray = field(repr=False)
    branch_agreement: np.ndarray = field(repr=False)
    share_branch_zero: np.ndarray = field(repr=False)
    example_loss: np.ndarray = field(repr=False)

    def _i(self, n) -> int:
        if n not in self.widths:
            raise ValueError(f"n must be one of the widths {self.widths}, got {n!r}")
        return self.widths.index(n)

    def fraction(self, n: int, L: int | None = None) -> tuple[float, float]:
        """Collapsed fraction at width ``n`` and depth ``L`` (default: the largest), mean and
        standard error over models."""
        m, se = mean_se(self.collapsed[self._i(n), :, self.depth if L is None else L])
        return float(m), float(se)

    def fraction_text(self, n: int, L: int | None = None, digits: int = 4) -> str:
        """The collapsed fraction as prose quotes it: mean ± standard error over models, or,
        where every model gives the same fraction, that statement."""
        v = self.collapsed[self._i(n), :, self.depth if L is None else L]
        if v.size > 1 and np.all(v == v[0]):
            return (f"{v[0]:.{digits}f} in every one of the {v.size} models "
                    f"({v.size * self.n_test} test inputs)")
        m, se = self.fraction(n, L)
        return f"{m:.{digits}f} ± {se:.{digits}f}"

    def table(self, kind: str = "fractions", header: bool = True) -> str:
        """A Markdown table per width: ``"fractions"`` (collapsed fraction at L = 5 and at the
        largest depth, the spread between models at L = 5, the averaged loss) or
        ``"sides"`` (shares of inputs ending on their side of 1/2 at the input and after
        one layer); means ± standard errors over models."""
        check_choice(kind, "kind", ("fractions", "sides"))
        L5 = min(5, self.depth)
        rows = []
        for i, n in enumerate(self.widths):
            if kind == "sides":
                (a, sa), (b, sb) = (mean_se(self.side_shares[i, :, s]) for s in (0, 1))
                rows.append((self.k, n, pm(a, sa), pm(b, sb)))
            else:
                m, se = mean_se(self.collapsed[i, :, L5])
                loss, loss_se = mean_se(self.mean_loss[i, :, self.depth])
                rows.append((n, pm(m, se), f"{self.collapsed[i, :, L5].std(ddof=1):.2f}",
                             self.fraction_text(n), pm(loss, loss_se)))
        heads = {"sides": ("k", "n", "on its side at the input", "on its side after L = 1"),
                 "fractions": ("n", f"collapsed, L = {L5}", f"sd between models, L = {L5}",
                               f"collapsed, L = {self.depth}",
                               f"averaged loss, L = {self.depth}")}[kind]
        text = markdown_table(heads, rows)
        return text if header else "\n".join(text.splitlines()[2:])

    @property
    def mc_vs_exact_worst_z(self) -> float:
        """Largest deviation of the Monte-Carlo fractions from the exact ones, in binomial
        standard deviations (plus one sample of discreteness); NaN unless k = 2."""
        if self.k != 2:
            return float("nan")
        p = self.exact
        sd = np.sqrt(p * (1 - p) / self.n_test) + 1 / self.n_test
        return float(np.max(np.abs(self.collapsed - p) / sd))


def convergence_test(k: int, widths, depth: int, n_models: int, n_test: int, seed: int,
                     tol: float = 0.01, stream=(3,)) -> ConvergenceTest:
    """Train ``n_models`` MaxLikelihood models per width and follow unseen test inputs.

    Model ``j`` of width ``n`` draws its training input, its test inputs and its layers from
    ``stats.rng_stream(seed, *stream, n, j)``; a model of depth ``L`` is the first ``L``
    layers of the deepest one (Algorithm 1 is sequential).

    Parameters
    ----------
    k : int >= 2
        Input dimension.
    widths : sequence of int >= k
        The widths ``n`` (candidate rows per layer).
    depth : int >= 1
        Largest depth ``L``.
    n_models : int >= 1
        Models per width.
    n_test : int >= 1
        Unseen Gaussian test inputs per model.
    seed : int >= 0
        Root of the random streams.
    tol : float in (0, 1/2)
        "Collapsed": loss within ``tol`` of 0 or 1.
    stream : sequence of int >= 0
        Key of the experiment's streams (the book: ``(3,)`` for k = 2, ``(4, k)`` else).

    Returns
    -------
    ConvergenceTest

    References
    ----------
    Lai, Dong and Jin, Algorithm 1 and Fig. 3.

    Examples
    --------
    >>> res = convergence_test(2, [2, 12], 10, 2, 200, seed=0)
    >>> res.collapsed.shape, res.fraction(12)[0] > 0.9
    ((2, 2, 11), True)
    >>> res.mc_vs_exact_worst_z < 5
    True
    """
    k = check_int(k, "k", 2)
    widths = check_int_list(widths, "widths", 1)
    for i, n in enumerate(widths):
        if n < k:
            raise ValueError(f"widths[{i}] must be >= k = {k}, got {n}")
    depth = check_int(depth, "depth", 1)
    n_models = check_int(n_models, "n_models", 1)
    n_test = check_int(n_test, "n_test", 1)
    seed = check_int(seed, "seed", 0)
    tol = check_tol(tol)
    stream = check_int_list(stream, "stream", 0)
    W, M, L1 = len(widths), n_models, depth + 1
    out = {name: np.full((W, M, L1), np.nan) for name in
           ("collapsed", "exact", "mean_loss", "h2", "train_log_norm")}
    sides, growth = np.full((W, M, 2), np.nan), np.full((W, M, depth), np.nan)
    rank = np.full((3, W), np.nan)
    example = np.full((W, L1, n_test), np.nan)
    for i, n in enumerate(widths):
        for j in range(M):
            rng = stats.rng_stream(seed, *stream, n, j)
            w0 = rng.standard_normal(k)
            X = rng.standard_normal((k, n_test))
            model = train_maxlikelihood(w0, n, depth, rng, track=X, keep_directions=False)
            P = model.tracked
            out["collapsed"][i, j] = P.collapsed_fraction(tol)
            if k == 2:
                out["exact"][i, j] = 1 - uncollapsed_fraction_2d(model.iter_layers(), w0, tol)
            out["mean_loss"][i, j] = P.loss.mean(axis=1)
            out["h2"][i, j] = np.mean((entr(P.loss) + entr(1 - P.loss)) / np.log(2), axis=1)
            out["train_log_norm"][i, j] = P.train_log_norm
            sides[i, j] = [np.mean(P.cos_sign[s] == P.cos_sign[-1]) for s in (0, 1)]
            growth[i, j] = model.growth
            if j == 0:
                example[i] = P.loss
                rank[:, i] = _rank_one(model, X, tol)
    return ConvergenceTest(k, widths, depth, n_test, tol, out["collapsed"], out["exact"],
                           out["mean_loss"], out["h2"], sides, growth, out["train_log_norm"],
                           rank[0], rank[1], rank[2], example)


def _rank_one(model, X, tol):
    """log10(s2/s1) of the trained product, branch agreement with the side of b^perp, and
    the share of inputs at loss 0."""
    H = model.product()
    scale = np.abs(H).max()
    _, s, Vt = np.linalg.svd(H / scale)
    if model.k == 2:
        log_det = sum(np.log(abs(np.linalg.det(G))) for G in model.iter_layers())
        log_ratio = log_det - 2 * (np.log(s[0]) + np.log(scale))
    else:
        log_ratio = np.log(s[1] / s[0])
    b = Vt[0]
    P = model.tracked
    branch = np.sign((b @ model.w0) * (b @ X))
    collapsed = P.loss_gap[-1] <= tol
    agree = np.mean(branch[collapsed] == P.cos_sign[-1][collapsed]) if collapsed.any() \
        else np.nan
    return log_ratio / np.log(10), agree, np.mean(P.cos_sign[-1] < 0)


@dataclass(frozen=True)
class NormGrowthFit:
    """Result of :func:`norm_growth_fit`: one entry per width.

    Attributes
    ----------
    widths : tuple of int
    lam_pred : array (W,)
        ``lambda_train`` by quadrature (:func:`training_exponent`), per layer.
    lam_fit, lam_fit_se : arrays (W,)
        Mean log-growth per layer over layers and models, and its standard error (the
        growths are independent over layers and models).
    miss_prop_log10, miss_exp_log10 : arrays (W,)
        Median over models of the largest factor (``log10``) by which the best
        proportional law ``||w_L|| = b L`` and the exponential law
        ``||w_0|| exp(lam_fit L)`` miss the norms, ``L = 1..depth``.
    ratio_log10 : array (W,)
        Mean over models of ``log10 ||w_L|| / ||w_{L/2}||`` at the largest depth.
    """

    widths: tuple
    lam_pred: np.ndarray
    lam_fit: np.ndarray
    lam_fit_se: np.ndarray
    miss_prop_log10: np.ndarray
    miss_exp_log10: np.ndarray
    ratio_log10: np.ndarray

    def table(self) -> str:
        """A Markdown table: predicted and fitted rate, the two misses, the half-depth ratio."""
        rows = [(n, f"{self.lam_pred[i]:.3f}", pm(self.lam_fit[i], self.lam_fit_se[i]),
                 f"{self.miss_prop_log10[i]:.1f}", f"{self.miss_exp_log10[i]:.2f}",
                 f"{self.ratio_log10[i]:.1f}") for i, n in enumerate(self.widths)]
        return markdown_table(("n", "λ_train predicted", "fitted", "log10 miss, b L",
                               "log10 miss, exponential", "log10 of the norm ratio L/(L/2)"),
                              rows)


def norm_growth_fit(result: ConvergenceTest) -> NormGrowthFit:
    """Fit the proportional and the exponential law to the training norms of a convergence test.

    Parameters
    ----------
    result : ConvergenceTest
        From :func:`convergence_test`.

    Returns
    -------
    NormGrowthFit

    References
    ----------
    Lai, Dong and Jin, Sec. II-D ("the norm will increase proportionally").

    Examples
    --------
    >>> fit = norm_growth_fit(convergence_test(2, [102], 20, 2, 10, seed=0))
    >>> bool(fit.miss_prop_log10[0] > fit.miss_exp_log10[0])
    True
    """
    if not isinstance(result, ConvergenceTest):
        raise TypeError(f"result must be a ConvergenceTest, got {type(result).__name__}")
    depth = result.depth
    Ld = np.arange(1, depth + 1)
    rows = []
    for i, n in enumerate(result.widths):
        g = result.growth[i].ravel()
        lam_hat, lam_se = g.mean(), g.std(ddof=1) / np.sqrt(g.size)
        miss_p, miss_e, ratio = [], [], []
        for logn in result.train_log_norm[i]:
            logw = logn - logn[0]
            w = np.exp(logw[1:] - logw[1:].max())
            b = (Ld @ w) / (Ld @ Ld)
            miss_p.append(np.max(np.abs(np.log(b * Ld) - np.log(w))) / np.log(10))
            miss_e.append(np.max(np.abs(lam_hat * Ld - logw[1:])) / np.log(10))
            ratio.append((logw[depth] - logw[depth // 2]) / np.log(10))
        rows.append((training_exponent(result.k, n), lam_hat, lam_se, np.median(miss_p),
                     np.median(miss_e), np.mean(ratio)))
    cols = np.array(rows, dtype=float).T
    return NormGrowthFit(result.widths, *cols)
