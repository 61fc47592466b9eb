"""Figures of the Fashion-MNIST chapter (page 12): learning curves and what separates twins."""

from __future__ import annotations

import matplotlib.pyplot as plt
import numpy as np

__all__ = ["learning_curves", "twin_growth"]

_COLORS = {"CNN": "C0", "ResNet": "C1", "MLP": "C2", "linear": "C7"}


def learning_curves(runs, live=None, ax=None):
    """Test accuracy against epochs: mean and range over seeds per network, and a live run.

    Parameters
    ----------
    runs : list of uniqnets.practice.FashionRun
        The runs of the data file (any networks, any seeds).
    live : FashionRun, optional
        A run made on the page, drawn dashed.
    """
    if ax is None:
        _, ax = plt.subplots(figsize=(6.4, 3.4))
    for name in dict.fromkeys(r.name for r in runs):
        mine = [r for r in runs if r.name == name]
        n = min(len(r.test_accuracy) for r in mine)
        acc = np.array([r.test_accuracy[:n] for r in mine])
        ep = mine[0].eval_steps[:n] / mine[0].steps_per_epoch
        c = _COLORS.get(name, "k")
        ax.plot(ep, acc.mean(axis=0), color=c, label=f"{name} ({len(mine)} seeds)")
        ax.fill_between(ep, acc.min(axis=0), acc.max(axis=0), color=c, alpha=0.25, lw=0)
    if live is not None:
        ax.plot(live.eval_steps / live.steps_per_epoch, live.test_accuracy, "--", color="k",
                marker="o", ms=3, label=f"{live.name}, this page (seed {live.seed})")
    ax.set_xlabel("epochs")
    ax.set_ylabel("test accuracy")
    ax.set_ylim(0.7, 0.95)
    ax.legend(fontsize=8, loc="lower right")
    return ax


def twin_growth(stage, title="", ax=None):
    """The four kinds of twin separation over one window, each relative to its start.

    One-ulp twins in float32 and float64, twins far above rounding, and the tangent map's
    prediction, on a log axis; the flips of the large twins' ReLU units on a second axis.
    """
    if ax is None:
        _, ax = plt.subplots(figsize=(6.4, 3.4))
    s = stage.steps
    for key, label, style in (("d32", "one ulp, float32", "-"), ("d64", "one ulp, float64", "--"),
                              ("d_large", "relative 1e-4, float32", "-"),
                              ("tangent", "tangent map", ":")):
        d = getattr(stage, key)
        ax.semilogy(s, d / d[0], style, label=label, lw=2 if key == "tangent" else 1.3)
    ax.set_xlabel(f"steps after step {stage.step}")
    ax.set_ylabel("distance / initial distance")
    ax.set_title(title, fontsize=9)
    if stage.flips_large.any() or stage.flips32.any():
        ax2 = ax.twinx()
        ax2.step(s, stage.flips_large, where="post", color="0.5", lw=0.8,
                 label="flips (relative 1e-4)")
        ax2.set_ylabel("activation flips", color="0.4")
        ax2.grid(False)
    ax.legend(fontsize=7, loc="upper left")
    return ax
