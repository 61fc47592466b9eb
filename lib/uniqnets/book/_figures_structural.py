"""Figures of the structural-uniqueness pages: collisions, contraction, catapult runs.

Each helper draws one figure from the library's result objects; nothing is computed
here beyond what is plotted. Every helper returns the :class:`matplotlib.figure.Figure`.
"""

from __future__ import annotations

import matplotlib.pyplot as plt
import numpy as np

__all__ = ["plot_catapult", "plot_collisions", "plot_contraction",
           "plot_epsilon_plateau"]


def plot_collisions(collisions):
    """Aligned distance of every pair of converged runs, one row per weight decay.

    Parameters
    ----------
    collisions : dict of float to uniqnets.lyapunov.Collisions
        Per weight decay, the pairwise comparison (``distance`` shape (n_pairs,)).

    Examples
    --------
    >>> import matplotlib; matplotlib.use("Agg")
    >>> from types import SimpleNamespace as NS
    >>> c = NS(distance=np.array([1e-9, 2.0]), same=np.array([True, False]))
    >>> fig = plot_collisions({0.01: c}); len(fig.axes)
    1
    >>> plt.close(fig)
    """
    fig, ax = plt.subplots()
    for k, c in enumerate(collisions.values()):
        jitter = k + 0.15 * np.random.default_rng(k).uniform(-1, 1, len(c.distance))
        ax.scatter(np.maximum(c.distance, 1e-16), jitter, s=14,
                   c=np.where(c.same, "C0", "C3"))
    ax.set_xscale("log")
    ax.set_yticks(range(len(collisions)), [f"weight decay {wd:g}" for wd in collisions])
    ax.set_xlabel(r"aligned distance $\min_{g\in G}\|\theta^{(i)} - g\,\theta^{(j)}\|$")
    return fig


def plot_epsilon_plateau(collisions):
    """Fraction of pairs of converged runs within ``epsilon`` modulo symmetries.

    Parameters
    ----------
    collisions : dict of float to uniqnets.lyapunov.Collisions

    Examples
    --------
    >>> import matplotlib; matplotlib.use("Agg")
    >>> from types import SimpleNamespace as NS
    >>> fig = plot_epsilon_plateau({0.01: NS(distance=np.array([1e-9, 2.0]))})
    >>> plt.close(fig)
    """
    eps_grid = np.logspace(-12, 1, 200)
    fig, ax = plt.subplots()
    for wd, c in collisions.items():
        ax.semilogx(eps_grid, [(c.distance <= e).mean() for e in eps_grid],
                    label=f"weight decay {wd:g}")
    ax.set_xlabel(r"tolerance $\epsilon$")
    ax.set_ylabel(r"$P(\min_g \|\theta^{(1)} - g\theta^{(2)}\| \leq \epsilon)$")
    ax.legend()
    return fig


def plot_contraction(con):
    """Gap between two runs that share a limit, with the predicted linear slope.

    Parameters
    ----------
    con : uniqnets.lyapunov.Contraction

    Examples
    --------
    >>> import matplotlib; matplotlib.use("Agg")
    >>> from types import SimpleNamespace as NS
    >>> st = np.arange(6)
    >>> fig = plot_contraction(NS(steps=st, gap=np.exp(-st), window=np.array([3, 4, 5]),
    ...                           rate_predicted=-1.0))
    >>> plt.close(fig)
    """
    fig, ax = plt.subplots()
    ax.semilogy(con.steps, con.gap, label="aligned distance between the two runs")
    if len(con.window):
        w, h = con.window, con.window[0]
        ax.semilogy(con.steps[w], con.gap[h] * np.exp(con.rate_predicted
                                                      * (con.steps[w] - con.steps[h])),
                    "k--", lw=1, label=r"slope $\ln(1-\eta\mu_{\min})$")
    ax.set_xlabel("gradient-descent step")
    ax.set_ylabel("distance modulo $G$")
    ax.legend()
    return fig


def plot_catapult(runs, labels):
    """Sharpness product and twin distances along catapult runs, one colour per run.

    Parameters
    ----------
    runs : sequence of uniqnets.lyapunov.CatapultRun
    labels : sequence of str, same length

    Examples
    --------
    >>> import matplotlib; matplotlib.use("Agg")
    >>> from types import SimpleNamespace as NS
    >>> r = NS(steps=np.arange(3), edge=np.ones(3), d_twin=np.ones(3), d_32=np.ones(3))
    >>> fig = plot_catapult([r], ["f = 1"]); len(fig.axes)
    2
    >>> plt.close(fig)
    """
    fig, (ax1, ax2) = plt.subplots(2, 1, sharex=True, figsize=(6.4, 5.6))
    for k, (c, label) in enumerate(zip(runs, labels, strict=True)):
        ax1.semilogy(c.steps, c.edge, color=f"C{k}", label=label)
        ax2.semilogy(c.steps, np.maximum(c.d_twin, 1e-17), color=f"C{k}")
        ax2.semilogy(c.steps, np.maximum(c.d_32, 1e-17), color=f"C{k}", ls="--")
    ax1.axhline(2, color="k", ls=":", lw=1)
    ax1.set_ylabel(r"$\eta\,\mu_{\max}$")
    ax1.legend()
    ax2.set_ylabel("distance from the float64 run")
    ax2.set_xlabel("gradient-descent step")
    return fig


