"""Figures of the chapter on the field's answers (page 19): barriers, sources of variability,
chaos beside accuracy and curvature, posterior widths."""

from __future__ import annotations

import matplotlib.pyplot as plt
import numpy as np

__all__ = ["barrier_panels", "chaos_panels", "posterior_widths", "source_bars"]


def barrier_panels(spawn_rows, width_rows, stable: float, axes=None):
    """Two panels: the children's error barrier against the spawn point, and the loss
    barrier of independent pairs against their size, before and after weight matching.

    Parameters
    ----------
    spawn_rows : list of dict
        From :func:`uniqnets.practice.spawn_table`.
    width_rows : list of dict
        From :func:`uniqnets.practice.width_table`.
    stable : float
        Frankle et al.'s margin (drawn as a dotted line).
    """
    if axes is None:
        _, axes = plt.subplots(1, 2, figsize=(9.6, 3.4), layout="constrained")
    ax = axes[0]
    for name in dict.fromkeys(r["network"] for r in spawn_rows):
        rows = [r for r in spawn_rows if r["network"] == name]
        x = np.array([r["fraction"] for r in rows]) * 100
        ax.errorbar(x, [r["error_barrier"] * 100 for r in rows],
                    yerr=[r["error_ci"] * 100 for r in rows], marker="o", capsize=3,
                    label=f"{name}, children")
        ax.plot(x, [r["parent_barrier"] * 100 for r in rows], "s--", ms=4, alpha=0.7,
                label=f"{name}, parent at k to child")
    ax.axhline(stable * 100, ls=":", c="k", lw=1, label="stable below this (Frankle et al.)")
    ax.set_xscale("symlog", linthresh=1.0)
    ticks = sorted({round(r["fraction"] * 100, 1) for r in spawn_rows})
    ax.set_xticks(ticks, [f"{t:g}" for t in ticks])
    ax.set_xlim(-0.1, max(ticks) * 1.3)
    ax.set_xlabel("spawn point k (% of training)")
    ax.set_ylabel("error barrier (% of test set)")
    ax.legend(fontsize=8)
    ax = axes[1]
    for name in dict.fromkeys(r["network"] for r in width_rows):
        rows = [r for r in width_rows if r["network"] == name]
        n = [r["n_params"] for r in rows]
        for key, style, label in (("loss", "o-", "as trained"),
                                  ("loss matched", "s-", "after weight matching")):
            ax.errorbar(n, [r[key] for r in rows], yerr=[r[f"{key}_ci"] for r in rows],
                        fmt=style, capsize=3, label=f"{name}, {label}")
        for r in rows:
            ax.annotate("×".join(map(str, r["hidden"])), (r["n_params"], r["loss"]),
                        textcoords="offset points", xytext=(4, 4), fontsize=8)
    ax.set_xscale("log")
    ax.xaxis.set_minor_formatter(plt.NullFormatter())
    ax.set_xlabel("parameters")
    ax.set_ylabel("loss barrier (nats)")
    ax.legend(fontsize=8)
    return axes


def source_bars(source_rows, ax=None):
    """Prediction churn between runs that differ in one source, per network and source.

    Parameters
    ----------
    source_rows : list of dict
        From :func:`uniqnets.practice.source_table`.
    """
    if ax is None:
        _, ax = plt.subplots(figsize=(6.4, 3.2), layout="constrained")
    labels = [f"{r['source']}\n({r['network']})" for r in source_rows]
    churn = np.array([r["churn"] for r in source_rows]) * 100
    colors = ["C7" if r["network"] == "linear" else "C2" for r in source_rows]
    ax.bar(range(len(churn)), churn, color=colors)
    ax.set_xticks(range(len(churn)), labels, fontsize=8)
    ax.set_ylabel("prediction churn (% of test set)")
    return ax


def chaos_panels(chaos_rows, tables, z: float = 3.0, axes=None):
    """Two panels: each network's test accuracy against its chaos test, and the top
    exponent of scanned runs against their sharpness over its stability threshold.

    Parameters
    ----------
    chaos_rows : list of dict
        From :func:`uniqnets.practice.chaos_and_accuracy`.
    tables : iterable of mappings ``{"CNN sgd 0.3": [lam, se, edge], ...}``
        Learning-rate scans (:meth:`uniqnets.practice.LRScan.table`).
    z : float
        Standard errors above zero that make a run chaotic (filled markers).
    """
    if axes is None:
        _, axes = plt.subplots(1, 2, figsize=(9.6, 3.4), layout="constrained")
    ax = axes[0]
    for r in chaos_rows:
        chaotic = bool(r["chaotic_stages"])
        ax.errorbar(r["lambda1_low"], r["accuracy"] * 100, yerr=r["accuracy_ci"] * 100,
                    fmt="o", mfc=None if chaotic else "white", capsize=3, c="C2" if chaotic
                    else "C0")
        ax.annotate(r["network"], (r["lambda1_low"], r["accuracy"] * 100),
                    textcoords="offset points", xytext=(5, 4), fontsize=8)
    ax.axvline(0, ls=":", c="k", lw=1)
    ax.set_xscale("symlog", linthresh=1e-3)
    ax.set_xlabel("lower 95 % bound of the top exponent (per step)")
    ax.set_ylabel("test accuracy (%)")
    ax = axes[1]
    from uniqnets.practice import scan_points  # JAX, only when this figure is drawn

    points = scan_points(tables, z)
    lam, edge, chaotic = points["lam"], points["edge"], points["chaotic"]
    ax.scatter(edge[chaotic], lam[chaotic], s=14, c="C2", label="chaotic")
    ax.scatter(edge[~chaotic], lam[~chaotic], s=14, facecolors="white", edgecolors="C0",
               label="not chaotic")
    ax.axvline(1, ls=":", c="k", lw=1, label="edge of stability")
    ax.set_xscale("log")
    ax.set_yscale("symlog", linthresh=1e-3)
    ax.set_xlabel("sharpness / stability threshold")
    ax.set_ylabel("top exponent (per step)")
    ax.legend(fontsize=8)
    return axes


def posterior_widths(conc, ax=None):
    """The largest Laplace width of the best posterior mode against the sample size, one
    curve per student, with the ``n^(-1/2)`` line through the first student's first point
    and the prior scale.

    Parameters
    ----------
    conc : uniqnets.models.Concentration
    """
    if ax is None:
        _, ax = plt.subplots(figsize=(5.6, 3.4), layout="constrained")
    n = np.asarray(conc.n, float)
    for i, width in enumerate(conc.student_widths):
        label = f"{width} hidden units" + (" (as the teacher)" if i == 0 else "")
        ax.plot(n, conc.width_max[i], "o-", label=label)
    ax.plot(n, conc.width_max[0, 0] * np.sqrt(n[0] / n), "k--", lw=1, label="$n^{-1/2}$")
    ax.axhline(conc.prior_scale, ls=":", c="k", lw=1, label="prior scale")
    ax.set_xscale("log")
    ax.set_yscale("log")
    ax.set_xlabel("samples n")
    ax.set_ylabel("largest posterior width")
    ax.legend(fontsize=8)
    return ax
