"""The book's figure style, and small helpers shared by chapters.

Notebooks make their own figures; this module only keeps them consistent.
"""

from __future__ import annotations

import matplotlib as mpl

__all__ = ["STYLE", "use_style"]

#: rcParams applied by :func:`use_style`
STYLE = {
    "figure.figsize": (6.4, 3.6),
    "figure.dpi": 110,
    "savefig.dpi": 150,
    "axes.grid": True,
    "grid.alpha": 0.3,
    "axes.spines.top": False,
    "axes.spines.right": False,
    "legend.frameon": False,
    "font.size": 10,
}


def use_style() -> None:
    """Apply :data:`STYLE` to matplotlib's global rcParams (call once per notebook)."""
    mpl.rcParams.update(STYLE)


from ._figures_networks import *  # noqa: E402,F401,F403  (the chapters' figures 04-07)
