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
    """Apply ``STYLE`` to matplotlib's global rcParams (call once per notebook).

    Examples
    --------
    >>> use_style()
    >>> mpl.rcParams["axes.spines.top"]
    False
    """
    mpl.rcParams.update(STYLE)


# The chapters' figure helpers, re-exported so that a chapter imports one module.
from ._figures_fashion import learning_curves, twin_growth  # noqa: E402, F401
from ._figures_networks import *  # noqa: E402, F401, F403  (chapters 04-07)
from ._figures_practice import lr_scan_panels, sharpness_curves  # noqa: E402, F401
from ._figures_randomnets import (  # noqa: E402, F401
    double_copy_figure,
    finite_width_figure,
    phase_diagram,
    pm,
    rnn_autocorrelation_figure,
    rnn_spectra_figure,
)
from ._figures_stability import (  # noqa: E402, F401
    barrier_panels,
    chaos_panels,
    posterior_widths,
    source_bars,
)
from ._figures_structural import *  # noqa: E402, F401, F403  (pages 09-10)
from ._figures_thermo import (  # noqa: E402, F401
    binned_convergence,
    entropy_balance,
    ou_validation,
    step_size_scaling,
)
from ._figures_topology import (  # noqa: E402, F401
    cloud_and_diagram,
    diagram_pairs,
    edge_counts,
    projection_distances,
    sampling_distances,
    trajectory_planes,
)
from ._figures_training import (  # noqa: E402, F401
    distance_curves,
    divergence_times,
    estimator_errors,
    exponent_scan,
    sgd_twin_distances,
)
