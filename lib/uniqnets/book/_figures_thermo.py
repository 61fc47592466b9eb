"""Figures of the chapters on entropy production (02): the plotting their cells share.

Each helper draws one figure from results a chapter has already computed; it computes
nothing that the chapter records or asserts, so a chapter's numbers never depend on it.
"""

from __future__ import annotations

import matplotlib.pyplot as plt
import numpy as np

__all__ = ["binned_convergence", "entropy_balance", "ou_validation",
           "step_size_scaling"]


def ou_validation(steps, exact, mc_mean, mc_se, etas, rate_error):
    """Per-step entropy production of a relaxing chain, and the order of the Euler error.

    Parameters
    ----------
    steps : array, shape (n,)
        Step indices of the relaxation.
    exact : array, shape (n,)
        Closed-form entropy production of each step (nats per step).
    mc_mean, mc_se : array, shape (n,)
        Path-wise Monte-Carlo mean of each step and its standard error; drawn with
        two-standard-error bars.
    etas : array, shape (m,)
        Step sizes of the Euler chain, decreasing.
    rate_error : array, shape (m,)
        Stationary entropy production per unit time minus the continuous rate; a
        dotted line proportional to ``etas`` passes through its last point.

    Returns
    -------
    matplotlib.figure.Figure

    Examples
    --------
    >>> import matplotlib
    >>> matplotlib.use("Agg")
    >>> t, e = np.arange(4), np.array([0.2, 0.1, 0.05])
    >>> fig = ou_validation(t, 1 / (1 + t), 1 / (1 + t), 0.01 + 0 * t, e, 0.3 * e)
    >>> len(fig.axes), len(fig.axes[1].lines)
    (2, 2)
    >>> plt.close(fig)
    """
    fig, (ax1, ax2) = plt.subplots(1, 2, figsize=(8, 3.2))
    ax1.plot(steps, exact, "-", label="closed form")
    ax1.errorbar(steps, mc_mean, yerr=2 * np.asarray(mc_se), fmt="o", ms=3,
                 label="path-wise Monte Carlo")
    ax1.set_xlabel("step $t$")
    ax1.set_ylabel(r"$\Sigma_t$ (nats per step)")
    ax1.legend()
    err = np.abs(rate_error)
    ax2.loglog(etas, err, "o-")
    ax2.loglog(etas, err[-1] * etas / etas[-1], "k:", label=r"$\propto\eta$")
    ax2.set_xlabel(r"step size $\eta$")
    ax2.set_ylabel(r"$|\Sigma_{\rm st}/\eta - \dot\Sigma_{\rm st}|$")
    ax2.legend()
    fig.tight_layout()
    return fig


def step_size_scaling(etas, curves, slopes=(), ylabel=None, ax=None):
    """Quantities that vanish with the step size, on log-log axes, with reference slopes.

    Parameters
    ----------
    etas : array, shape (m,)
        Step sizes; the reference lines are anchored at the last one.
    curves : list of (values, label, fmt)
        One line each: ``values`` an array of shape (m,), ``fmt`` a matplotlib format
        string such as ``"o-"``.
    slopes : list of (power, anchor, label, fmt)
        Reference lines ``anchor * (etas / etas[-1]) ** power``.
    ylabel : str, optional
        Label of the vertical axis.
    ax : matplotlib.axes.Axes, optional
        Where to draw (default: a new figure).

    Returns
    -------
    matplotlib.figure.Figure

    Examples
    --------
    >>> import matplotlib
    >>> matplotlib.use("Agg")
    >>> e = np.array([0.2, 0.1, 0.05])
    >>> fig = step_size_scaling(e, [(e**3, "cubic", "o-")], [(3, e[-1] ** 3, "slope 3", "k:")])
    >>> len(fig.axes[0].lines)
    2
    >>> plt.close(fig)
    """
    if ax is None:
        _, ax = plt.subplots()
    etas = np.asarray(etas)
    for values, label, fmt in curves:
        ax.loglog(etas, values, fmt, label=label)
    for power, anchor, label, fmt in slopes:
        ax.loglog(etas, anchor * (etas / etas[-1]) ** power, fmt, lw=1, label=label)
    ax.set_xlabel(r"step size $\eta$")
    if ylabel is not None:
        ax.set_ylabel(ylabel)
    ax.legend(fontsize=8)
    return ax.figure


def binned_convergence(n_transitions, curves, exact):
    """Binned entropy-production estimates and their null bias against the data size.

    Parameters
    ----------
    n_transitions : array, shape (m,)
        Numbers of transitions of the runs.
    curves : list of (label, estimates, biases)
        One binning each: ``estimates`` and ``biases`` arrays of shape (m,); the bias is
        drawn dashed in the colour of its estimate.
    exact : float
        The exact entropy production (nats per step), a horizontal line.

    Returns
    -------
    matplotlib.figure.Figure

    Examples
    --------
    >>> import matplotlib
    >>> matplotlib.use("Agg")
    >>> N = np.array([100, 1000, 10000])
    >>> fig = binned_convergence(N, [("4x4 bins", 0.3 + 10 / N, 10 / N)], 0.5)
    >>> len(fig.axes[0].lines)
    3
    >>> plt.close(fig)
    """
    fig, ax = plt.subplots()
    for label, estimates, biases in curves:
        line, = ax.semilogx(n_transitions, estimates, "o-", label=label)
        ax.semilogx(n_transitions, biases, "--", color=line.get_color(), lw=1)
    ax.axhline(exact, color="k", lw=1, label="exact")
    ax.set_xlabel("transitions $N$")
    ax.set_ylabel(r"$\hat\Sigma$ (nats per step)")
    ax.set_ylim(bottom=0)
    ax.legend(fontsize=8)
    return fig


def entropy_balance(times, cases):
    """Change of differential entropy against the entropy produced, for several starts.

    Parameters
    ----------
    times : array, shape (n,)
        Times of the evaluation.
    cases : list of (name, entropy_change, produced)
        One pair of lines each: ``entropy_change`` (``H(t) - H(0)``, solid) and
        ``produced`` (the entropy produced up to ``t``, dashed), arrays of shape (n,)
        in nats.

    Returns
    -------
    matplotlib.figure.Figure

    Examples
    --------
    >>> import matplotlib
    >>> matplotlib.use("Agg")
    >>> t = np.linspace(0, 1, 5)
    >>> fig = entropy_balance(t, [("steady", 0 * t, t)])
    >>> len(fig.axes[0].lines)
    2
    >>> plt.close(fig)
    """
    fig, ax = plt.subplots()
    for name, change, produced in cases:
        line, = ax.plot(times, change, label=f"{name}: $H(t) - H(0)$")
        ax.plot(times, produced, "--", color=line.get_color(), label=rf"{name}: $\Delta\Sigma(t)$")
    ax.set_xlabel("time $t$")
    ax.set_ylabel("nats")
    ax.legend(fontsize=7, ncol=2)
    return fig


