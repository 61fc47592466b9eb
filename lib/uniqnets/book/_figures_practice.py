"""Figures of the chapter on the scale of practice: the learning-rate scan and the sharpness.

Each helper draws one figure from results the chapter has already computed; it computes
nothing that the chapter records or checks.
"""

from __future__ import annotations

import matplotlib.pyplot as plt
import numpy as np

__all__ = ["lr_scan_panels", "sharpness_curves"]

_COLOURS = {"sgd": "C0", "momentum": "C1", "adam": "C2"}


def lr_scan_panels(scan, n_params=None):
    """Top exponent against the learning rate, one panel per network, one line per optimizer.

    Parameters
    ----------
    scan : uniqnets.practice.LRScan
        Error bars are three standard errors; a point is filled where the run ended past
        the edge of stability (edge ratio at least 1), open below it; diverged runs are
        not drawn. The exponent axis is symmetric-logarithmic, linear within the median
        error bar.
    n_params : mapping name -> int, optional
        Parameter counts, shown in the panel titles.

    Returns
    -------
    matplotlib.figure.Figure

    Examples
    --------
    >>> import matplotlib
    >>> matplotlib.use("Agg")
    >>> from uniqnets.practice import LRScan, ScanRun
    >>> scan = LRScan((ScanRun("CNN", "sgd", 0.1, 0.01, 0.001, 0.5, False),
    ...                ScanRun("CNN", "sgd", 1.0, np.nan, np.nan, np.nan, True)), 80, 40)
    >>> len(lr_scan_panels(scan).axes)
    1
    >>> plt.close("all")
    """
    names = list(dict.fromkeys(r.architecture for r in scan.runs))
    fig, axes = plt.subplots(1, len(names), figsize=(5 * len(names), 3.8), sharey=True,
                             squeeze=False)
    # linear within the runs' typical error bar, logarithmic beyond: the exponents span
    # decades on both sides of zero, which a linear axis flattens into a line at zero
    bars = [3 * r.se for r in scan.runs if np.isfinite(r.se) and r.se > 0]
    linthresh = float(np.median(bars)) if bars else 1e-3
    for ax, name in zip(axes[0], names, strict=True):
        for oname in dict.fromkeys(r.optimizer for r in scan.runs):
            runs = [r for r in scan.runs if (r.architecture, r.optimizer) == (name, oname)
                    and np.isfinite(r.lam)]
            if not runs:
                continue
            colour = _COLOURS.get(oname)
            lrs = np.array([r.lr for r in runs])
            ax.errorbar(lrs, [r.lam for r in runs], [3 * r.se for r in runs], fmt="-",
                        color=colour, capsize=2, label=oname)
            # the edge ratio as the marker: filled past the edge of stability, open below
            past = np.array([np.isfinite(r.edge) and r.edge >= 1 for r in runs])
            lam = np.array([r.lam for r in runs])
            ax.plot(lrs[past], lam[past], "o", color=colour, ms=5)
            ax.plot(lrs[~past], lam[~past], "o", mfc="white", mec=colour, ms=5)
        ax.axhline(0, color="k", lw=0.6)
        ax.set_xscale("log")
        ax.set_yscale("symlog", linthresh=linthresh)
        ax.set_xlabel(r"learning rate $\eta$")
        title = name if n_params is None else f"{name} ({n_params[name]} parameters)"
        ax.set_title(title, fontsize=9)
    axes[0][0].set_ylabel(r"$\lambda_1$ per step (symmetric log)")
    handles, labels = axes[0][0].get_legend_handles_labels()
    handles += [plt.Line2D([], [], ls="", marker="o", color="0.3", ms=5),
                plt.Line2D([], [], ls="", marker="o", mfc="white", mec="0.3", ms=5)]
    labels += ["past the edge of stability", "below it"]
    axes[0][0].legend(handles, labels, fontsize=7)
    fig.tight_layout()
    return fig


def sharpness_curves(along, checkpoints, title=""):
    """Sharpness over its stability threshold against the step, one line per run.

    Parameters
    ----------
    along : mapping label -> array, shape (m,)
        Ratios at the first ``m`` checkpoints (a run that diverged stops early).
    checkpoints : int array, shape (n,)
    title : str

    Returns
    -------
    matplotlib.figure.Figure

    Examples
    --------
    >>> import matplotlib
    >>> matplotlib.use("Agg")
    >>> fig = sharpness_curves({"sgd": np.array([0.5, 0.9])}, np.array([1, 10]))
    >>> len(fig.axes[0].lines)
    2
    >>> plt.close(fig)
    """
    fig, ax = plt.subplots(figsize=(5, 3.2))
    for label, r in along.items():
        ax.plot(np.asarray(checkpoints)[:len(r)], r, "o-", ms=4, label=label)
    ax.axhline(1, color="k", lw=0.8, ls="--")
    ax.set_yscale("log")
    ax.set_xlabel("training step")
    ax.set_ylabel("sharpness / threshold")
    ax.set_title(title, fontsize=9)
    ax.legend(fontsize=8)
    fig.tight_layout()
    return fig
