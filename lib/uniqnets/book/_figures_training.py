"""Figures of the chapters on training dynamics (00-03): the plotting their cells share.

Each helper draws one figure from results a chapter has already computed; it computes
nothing that the chapter records or asserts, so a chapter's numbers never depend on it.
"""

from __future__ import annotations

import matplotlib.pyplot as plt
import numpy as np

from .. import stats

__all__ = ["distance_curves", "divergence_times", "estimator_errors", "exponent_scan",
           "sgd_twin_distances"]

#: lower clip of log-scale distance plots: exact zeros (bit-identical runs) stay visible
DISTANCE_FLOOR = 1e-17


def distance_curves(curves, *, floor=None, floor_label=None, xlabel="step $t$",
                    ylabel=r"$\|\theta_t - \theta'_t\|$", legend=None, ax=None):
    """Distances between paired runs against the step, on a log scale.

    Parameters
    ----------
    curves : list of (steps, distances, label) or (steps, distances, label, style)
        One line each; ``steps`` and ``distances`` are arrays of shape (n,), ``style``
        a dict of keyword arguments of :meth:`matplotlib.axes.Axes.semilogy`.
        Distances below 1e-17 (exact zeros) are drawn at 1e-17.
    floor : float, optional
        Draw a dotted horizontal line here (for example the rounding level
        ``eps * ||theta||``).
    floor_label : str, optional
        Legend entry of the ``floor`` line.
    xlabel, ylabel : str
        Axis labels.
    legend : dict, optional
        Keyword arguments of :meth:`matplotlib.axes.Axes.legend`; default: a legend
        with the library's style.
    ax : matplotlib.axes.Axes, optional
        Where to draw (default: a new figure).

    Returns
    -------
    matplotlib.figure.Figure

    Examples
    --------
    >>> import matplotlib
    >>> matplotlib.use("Agg")
    >>> t = np.arange(10)
    >>> fig = distance_curves([(t, 1e-10 * 2.0 ** t, "chaotic"), (t, 0 * t, "same run")],
    ...                       floor=1e-16)
    >>> len(fig.axes), len(fig.axes[0].lines)
    (1, 3)
    >>> plt.close(fig)
    """
    if ax is None:
        _, ax = plt.subplots()
    for c in curves:
        steps, dist, label = c[:3]
        style = {"lw": 1, **(c[3] if len(c) > 3 else {})}
        ax.semilogy(steps, np.maximum(dist, DISTANCE_FLOOR), label=label, **style)
    if floor is not None:
        ax.axhline(floor, color="k", ls=":", lw=1, label=floor_label)
    ax.set_xlabel(xlabel)
    ax.set_ylabel(ylabel)
    ax.legend(**(legend or {}))
    return ax.figure


def estimator_errors(cases, n_blocks: int = 20, n_points: int = 25):
    """Error of running Lyapunov estimates against run length, with two standard errors.

    Parameters
    ----------
    cases : list of (result, reference, title, xlabel)
        ``result`` a :class:`uniqnets.lyapunov.QRResult` (or one of its subclasses,
        whose ``dt`` converts steps to time), ``reference`` the exact top exponent.
        One panel each.
    n_blocks : int
        Blocks of the batch-means standard error (:func:`uniqnets.stats.batch_means`).
    n_points : int
        Run lengths per panel, geometrically spaced from ``4 * n_blocks`` steps.

    Returns
    -------
    matplotlib.figure.Figure

    Examples
    --------
    >>> import matplotlib
    >>> matplotlib.use("Agg")
    >>> from uniqnets import lyapunov
    >>> rng = np.random.default_rng(0)
    >>> res = lyapunov.qr_exponents(rng.standard_normal((400, 2, 2)))
    >>> ref = lyapunov.gaussian_product_exponents(2)[0]
    >>> fig = estimator_errors([(res, ref, "Gaussian", "factors")] * 2)
    >>> len(fig.axes)
    2
    >>> plt.close(fig)
    """
    fig, axes = plt.subplots(1, len(cases), figsize=(2.75 * len(cases), 3.0), squeeze=False)
    axes = axes[0]
    for ax, (res, ref, title, xl) in zip(axes, cases, strict=True):
        ns = np.unique(np.geomspace(4 * n_blocks, res.log_r.shape[0], n_points).astype(int))
        dt = getattr(res, "dt", 1.0)
        err = np.abs(res.running[ns - 1, 0] - ref)
        se = np.array([stats.batch_means(res.log_r[:n, 0], n_blocks)[1] / dt for n in ns])
        x = ns * dt
        ax.loglog(x, np.maximum(err, 1e-12), lw=1.2, label="error")
        ax.fill_between(x, 1e-12, 2 * se, alpha=0.25, label=r"$2\,$s.e.")
        ax.set_ylim(max(1e-7, 0.3 * min(err.min(), se.min())), None)
        ax.set_title(title, fontsize=9)
        ax.set_xlabel(xl)
    axes[0].set_ylabel(r"$|\hat\lambda_1 - \lambda_1|$")
    axes[0].legend(fontsize=8)
    fig.tight_layout()
    return fig


def exponent_scan(lrs, curves, mu_max, fixed_point, sharpness=None, linthresh=1e-4):
    """Top Lyapunov exponent against the learning rate, and sharpness along the runs.

    Parameters
    ----------
    lrs : array, shape (m,)
        The learning rates of the scan.
    curves : list of (lam, se, diverged, label, style)
        One series each: ``lam`` and ``se`` arrays of shape (m,) (NaN where a run
        diverged), ``diverged`` a boolean array of shape (m,), ``label`` its legend
        entry, ``style`` a dict of :meth:`matplotlib.axes.Axes.errorbar` keywords (an
        ``"offset"`` key shifts the series horizontally by that factor). Error bars are
        three standard errors; diverged runs are annotated.
    mu_max : float
        Sharpness of the reference minimum: the stability threshold ``2 / mu_max`` is
        drawn dotted.
    fixed_point : callable
        ``fixed_point(eta)``: the top exponent of an orbit converging to the minimum
        (:func:`uniqnets.lyapunov.fixed_point_exponents`), drawn solid where the
        minimum is stable and dashed beyond.
    sharpness : list of (steps, sharpness, lr), optional
        Sharpness along runs; a right panel shows ``sharpness * lr / 2``.
    linthresh : float
        Linear range of the symmetric-log exponent axis.

    Returns
    -------
    matplotlib.figure.Figure

    Examples
    --------
    >>> import matplotlib
    >>> matplotlib.use("Agg")
    >>> lrs = np.array([0.1, 1.0, 4.0])
    >>> lam, se, div = np.array([-1e-3, 1e-3, 0.3]), np.full(3, 1e-4), np.zeros(3, bool)
    >>> fig = exponent_scan(lrs, [(lam, se, div, "runs", {})], 1.0,
    ...                     lambda e: np.log(abs(1 - e)),
    ...                     sharpness=[(np.arange(3), np.ones(3), 1.0)])
    >>> len(fig.axes)
    2
    >>> plt.close(fig)
    """
    lrs = np.asarray(lrs, dtype=float)
    if sharpness is None:
        fig, ax = plt.subplots()
    else:
        fig, (ax, bx) = plt.subplots(1, 2, figsize=(10, 3.6))
    eta = np.geomspace(lrs.min() / 2, lrs.max() * 1.5, 300)
    lam_star = np.array([fixed_point(e) for e in eta])
    stable = eta * mu_max < 2
    ax.plot(eta[stable], lam_star[stable], color="0.5", lw=1,
            label=r"at $\theta^*$: $\ln|1-\eta\mu_i|$, top")
    ax.plot(eta[~stable], lam_star[~stable], color="0.5", lw=1, ls="--")
    for i, (lam, se, diverged, label, style) in enumerate(curves):
        style = dict(style)
        shift = style.pop("offset", 1.0)
        ok = np.isfinite(lam)
        ax.errorbar(lrs[ok] * shift, lam[ok], 3 * se[ok], fmt="o", capsize=3, label=label,
                    **style)
        for lr in lrs[np.asarray(diverged, bool)]:
            ax.annotate("diverged", (lr, -2e-4 - 3e-4 * i), fontsize=7, rotation=90,
                        ha="center")
    ax.axvline(2 / mu_max, color="0.6", ls=":", lw=1)
    ax.set_xscale("log")
    ax.set_yscale("symlog", linthresh=linthresh)
    ax.axhline(0, color="k", lw=0.8)
    ax.set_xlabel(r"learning rate $\eta$")
    ax.set_ylabel(r"$\lambda_1$ per step")
    ax.legend(fontsize=8, loc="upper left")
    if sharpness is not None:
        for steps, sharp, lr in sharpness:
            bx.semilogy(steps, sharp * lr / 2, marker=".", lw=1, label=rf"$\eta$ = {lr:g}")
        bx.axhline(1, color="k", ls=":", lw=1)
        bx.set_xlabel("step")
        bx.set_ylabel(r"sharpness $\times\,\eta/2$")
        bx.legend(fontsize=7, ncol=2)
    fig.tight_layout()
    return fig


def divergence_times(fit, lam):
    """Divergence times of twins against ``ln(eps / delta0)``, with Corollary 14's line.

    Parameters
    ----------
    fit : uniqnets.lyapunov.DivergenceTimeFit
        Dots per base point, and the line through their mean.
    lam : float
        The Benettin exponent: ``ln(eps / delta0) / lam`` is drawn dashed.

    Returns
    -------
    matplotlib.figure.Figure

    Examples
    --------
    >>> import numpy as np
    >>> from uniqnets.lyapunov import DivergenceTimeFit
    >>> x = np.log([1e8, 1e4])
    >>> f = DivergenceTimeFit(x, np.array([x / 0.5]), 0, 100, 0.5, 0.01, 2.0, 0.0)
    >>> len(divergence_times(f, 0.5).axes)
    1
    """
    import matplotlib.pyplot as plt

    fig, ax = plt.subplots()
    for times in fit.times:
        ax.plot(fit.x_log, times, ".", alpha=0.6)
    ax.plot(fit.x_log, fit.slope * fit.x_log + fit.intercept, color="k", lw=1,
            label=rf"fit: $\lambda$ = {fit.lam_fit:.2f} $\pm$ {fit.se_fit:.2f}")
    ax.plot(fit.x_log, fit.x_log / lam, "--", color="C3", lw=1,
            label=rf"$\ln(\epsilon/\delta_0)/\lambda_1$, $\lambda_1$ = {lam:.2f}")
    ax.set(xlabel=r"$\ln(\epsilon/\delta_0)$", ylabel="divergence time $T$ (steps)")
    ax.legend(fontsize=8)
    return fig


def sgd_twin_distances(sgd):
    """Distances of SGD twins sharing their batches (solid) or not (dashed), per learning rate.

    Parameters
    ----------
    sgd : mapping of float to uniqnets.lyapunov.SGDTwins
        One entry per learning rate, in the order of the legend.

    Returns
    -------
    matplotlib.figure.Figure

    Examples
    --------
    >>> import numpy as np
    >>> from uniqnets.lyapunov import SGDTwins, TwinResult
    >>> z = np.zeros(1)
    >>> t = TwinResult(np.array([1e-10, 1e-2, 1e-2]), z, z, z)
    >>> len(sgd_twin_distances({0.25: SGDTwins(t, t, 0.0, 1.0, 1)}).axes)
    1
    """
    curves = [(getattr(tw, key).steps, getattr(tw, key).distances,
               rf"$\eta$ = {lr:g}, {key} batches", {"ls": ls, "color": f"C{3 * i}"})
              for i, (lr, tw) in enumerate(sgd.items())
              for key, ls in (("same", "-"), ("independent", "--"))]
    return distance_curves(curves, legend=dict(fontsize=8))
