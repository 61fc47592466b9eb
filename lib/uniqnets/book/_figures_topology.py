"""Figures of the chapter on topological distinctness (03): the plotting its cells share.

Each helper draws one figure from results the chapter has already computed; it computes
nothing that the chapter records or asserts (at most a projection onto principal axes
for display), so the chapter's numbers never depend on it.
"""

from __future__ import annotations

import matplotlib.pyplot as plt
import numpy as np
from matplotlib.ticker import NullFormatter, ScalarFormatter

from .. import topology as topo

__all__ = ["cloud_and_diagram", "diagram_pairs", "edge_counts", "projection_distances",
           "sampling_distances", "trajectory_planes"]


def _plain_log_ticks(ax, ticks):
    ax.set_xticks(ticks)
    ax.xaxis.set_major_formatter(ScalarFormatter())
    ax.xaxis.set_minor_formatter(NullFormatter())


def cloud_and_diagram(points, dgms, exact_bar=None):
    """A planar point cloud (left) and its persistence diagram in H0 and H1 (right).

    Parameters
    ----------
    points : array, shape (n, 2)
        The cloud.
    dgms : sequence of two arrays of shape (m_k, 2)
        Its H0 and H1 diagrams, (birth, death) rows; infinite H0 deaths are left out.
    exact_bar : (birth, death), optional
        A reference bar, drawn as a star.

    Returns
    -------
    matplotlib.figure.Figure

    Examples
    --------
    >>> import matplotlib
    >>> matplotlib.use("Agg")
    >>> X = np.c_[np.cos(np.arange(6)), np.sin(np.arange(6))]
    >>> fig = cloud_and_diagram(X, [np.array([[0, 1.0], [0, np.inf]]), np.array([[1, 1.7]])],
    ...                         exact_bar=(1.0, 1.73))
    >>> len(fig.axes)
    2
    >>> plt.close(fig)
    """
    fig, (ax1, ax2) = plt.subplots(1, 2, figsize=(8, 3.6))
    ax1.scatter(*np.asarray(points).T, s=4)
    ax1.set_aspect("equal")
    ax1.set_title("sample")
    h0, h1 = (np.asarray(d, dtype=float).reshape(-1, 2) for d in dgms[:2])
    h0f = h0[np.isfinite(h0[:, 1])]
    top = max(2.0, 1.1 * np.max(h1[:, 1], initial=0.0))
    ax2.scatter(*h0f.T, s=8, label="$H_0$")
    ax2.scatter(*h1.T, s=8, label="$H_1$")
    if exact_bar is not None:
        ax2.scatter([exact_bar[0]], [exact_bar[1]], marker="*", s=120, color="k",
                    label="exact bar")
    ax2.plot([0, top], [0, top], color="k", lw=0.8)
    ax2.set_xlabel("birth (edge length)")
    ax2.set_ylabel("death")
    ax2.set_title("persistence diagram")
    ax2.legend(loc="lower right")
    return fig


def trajectory_planes(clouds, dashed=("perturbed",)):
    """Trajectories in the plane of their two main principal axes, one panel per group.

    Parameters
    ----------
    clouds : dict of str to dict of str to array of shape (n, d)
        ``clouds[panel][name]``: the checkpoints of run ``name`` in panel ``panel``
        (for example one panel per optimiser). Each panel is projected onto the two
        principal axes of all its runs (:func:`uniqnets.topology.pca_basis`); a run
        keeps its colour across panels, and a circle marks its first checkpoint.
    dashed : tuple of str
        Runs drawn dashed (for example one that lies under another).

    Returns
    -------
    matplotlib.figure.Figure

    Examples
    --------
    >>> import matplotlib
    >>> matplotlib.use("Agg")
    >>> rng = np.random.default_rng(0)
    >>> runs = {"a": rng.standard_normal((5, 3)), "b": rng.standard_normal((5, 3))}
    >>> fig = trajectory_planes({"GD": runs, "SGD": runs})
    >>> len(fig.axes[0].lines)
    4
    >>> plt.close(fig)
    """
    names = list(dict.fromkeys(n for runs in clouds.values() for n in runs))
    colors = {n: f"C{i}" for i, n in enumerate(names)}
    fig, axes = plt.subplots(1, len(clouds), figsize=(4.6 * len(clouds), 3.8), squeeze=False,
                             layout="constrained")
    for ax, (title, runs) in zip(axes[0], clouds.items(), strict=True):
        V = topo.pca_basis(*runs.values(), k=2)
        for n, cloud in runs.items():
            P = topo.trajectory_cloud(cloud, project=V)
            ax.plot(*P.T, "--" if n in dashed else "-", lw=1, color=colors[n])
            ax.plot(*P[0], "o", ms=4, color=colors[n])
        ax.set_title(title)
        ax.set_xlabel("PC 1")
        ax.set_ylabel("PC 2")
    handles = [plt.Line2D([], [], color=c, ls="--" if n in dashed else "-")
               for n, c in colors.items()]
    fig.legend(handles, names, fontsize=7, loc="outside right center")
    return fig


def diagram_pairs(diagrams):
    """Persistence diagrams of several runs overlaid, one panel per group.

    Parameters
    ----------
    diagrams : dict of str to dict of str to (array, array)
        ``diagrams[panel][name]``: the H0 and H1 diagrams of run ``name``, arrays of
        (birth, death) rows. H0 is drawn with circles (infinite deaths left out), H1
        with crosses; the n-th run of every panel has colour ``Cn``.

    Returns
    -------
    matplotlib.figure.Figure

    Examples
    --------
    >>> import matplotlib
    >>> matplotlib.use("Agg")
    >>> dg = (np.array([[0.0, 1.0], [0.0, np.inf]]), np.empty((0, 2)))
    >>> fig = diagram_pairs({"GD": {"ref": dg, "other": dg}})
    >>> len(fig.axes)
    1
    >>> plt.close(fig)
    """
    fig, axes = plt.subplots(1, len(diagrams), figsize=(4.2 * len(diagrams), 3.6),
                             squeeze=False)
    for ax, (title, runs) in zip(axes[0], diagrams.items(), strict=True):
        top = 0.0
        for i, (name, (h0, h1)) in enumerate(runs.items()):
            color = f"C{i}"
            h0 = h0[np.isfinite(h0[:, 1])]
            ax.scatter(*h0.T, s=10, color=color, marker="o", label=f"{name} $H_0$")
            if len(h1):
                ax.scatter(*h1.T, s=18, color=color, marker="x", label=f"{name} $H_1$")
            top = max(top, h0[:, 1].max(initial=0), h1[:, 1].max(initial=0))
        ax.plot([0, top], [0, top], color="k", lw=0.8)
        ax.set_xlabel("birth (edge length)")
        ax.set_ylabel("death")
        ax.set_title(title)
        ax.legend(fontsize=7, loc="lower right")
    return fig


def sampling_distances(panels, title=None):
    """Diagram distances of two samplings of one run against those of independent runs.

    Parameters
    ----------
    panels : list of (x, winf_same, winf_indep, w1_same, w1_indep, xlabel)
        One panel each, on log-log axes: ``x`` (shape (m,), for example numbers of
        checkpoints) and the bottleneck and W1 distances, each of shape (m,), between
        two samplings of one run (``*_same``) and between independent runs
        (``*_indep``).
    title : str, optional
        Title of the figure.

    Returns
    -------
    matplotlib.figure.Figure

    Examples
    --------
    >>> import matplotlib
    >>> matplotlib.use("Agg")
    >>> x = np.array([10, 20, 40])
    >>> fig = sampling_distances([(x, 1 / x, 0 * x + 1, 2 / x, 0 * x + 2, "checkpoints")] * 2)
    >>> len(fig.axes), len(fig.axes[0].lines)
    (2, 4)
    >>> plt.close(fig)
    """
    fig, axes = plt.subplots(1, len(panels), figsize=(4.25 * len(panels), 4.2),
                             layout="constrained", squeeze=False)
    for ax, (x, winf_same, winf_indep, w1_same, w1_indep, xlabel) in zip(axes[0], panels,
                                                                         strict=True):
        ax.loglog(x, winf_same, "o-", color="C0", label=r"$W_\infty$, same run, shifted schedule")
        ax.loglog(x, winf_indep, "s-", color="C1", label=r"$W_\infty$, independent runs")
        ax.loglog(x, w1_same, "o--", color="C0", label=r"$W_1$, same run, shifted schedule")
        ax.loglog(x, w1_indep, "s--", color="C1", label=r"$W_1$, independent runs")
        ax.set_xlabel(xlabel)
        _plain_log_ticks(ax, x)
    axes[0, 0].set_ylabel("$H_0$ diagram distance")
    if title is not None:
        fig.suptitle(title)
    handles, labels = axes[0, 0].get_legend_handles_labels()
    fig.legend(handles, labels, fontsize=8, ncols=2, loc="outside lower center")
    return fig


def projection_distances(dims, curves):
    """Distances between two runs after projection onto k principal axes, against k.

    Parameters
    ----------
    dims : array, shape (m,)
        The projection dimensions (the last may be the full dimension).
    curves : dict of str to (curve_distance, bottleneck_h0)
        One pair of lines per group (for example per optimiser): the distance between
        the curves (solid) and the bottleneck distance of their H0 diagrams (dashed),
        arrays of shape (m,).

    Returns
    -------
    matplotlib.figure.Figure

    Examples
    --------
    >>> import matplotlib
    >>> matplotlib.use("Agg")
    >>> k = np.array([2, 3, 5])
    >>> fig = projection_distances(k, {"gd": (k / 5, k / 10)})
    >>> len(fig.axes[0].lines)
    2
    >>> plt.close(fig)
    """
    fig, ax = plt.subplots()
    for name, (curve, winf) in curves.items():
        ax.semilogx(dims, curve, "o-", label=f"curve distance ({name})")
        ax.semilogx(dims, winf, "s--", label=f"$W_\\infty(H_0)$ ({name})")
    _plain_log_ticks(ax, dims)
    ax.set_xlabel("projection dimension $k$")
    ax.set_ylabel("distance")
    ax.legend(fontsize=8)
    return fig


def edge_counts(scales, counts, isomorphic_below, isomorphic_above, title=None):
    """Edge counts of Rips complexes against the scale, with the isomorphic ranges shaded.

    Parameters
    ----------
    scales : array, shape (m,)
        Scales (edge lengths), increasing; drawn on a log axis.
    counts : dict of str to array of shape (m,)
        Number of edges of each cloud's Rips complex at every scale.
    isomorphic_below, isomorphic_above : float
        The complexes are isomorphic below the first and above the second scale
        (discrete, respectively full); both ranges are shaded.
    title : str, optional
        Title of the axes.

    Returns
    -------
    matplotlib.figure.Figure

    Examples
    --------
    >>> import matplotlib
    >>> matplotlib.use("Agg")
    >>> s = np.geomspace(0.1, 10, 5)
    >>> fig = edge_counts(s, {"a": [0, 1, 2, 3, 3], "b": [0, 2, 2, 3, 3]}, 0.2, 5.0)
    >>> len(fig.axes[0].lines)
    2
    >>> plt.close(fig)
    """
    fig, ax = plt.subplots()
    for name, c in counts.items():
        ax.step(scales, c, where="post", label=name)
    ax.axvspan(scales[0], isomorphic_below, color="0.85")
    ax.axvspan(isomorphic_above, scales[-1], color="0.85", label="isomorphic (certified)")
    ax.set_xscale("log")
    ax.set_xlabel("scale $r$ (edge length)")
    ax.set_ylabel("edges of VR$_r$")
    if title is not None:
        ax.set_title(title)
    ax.legend()
    return fig
