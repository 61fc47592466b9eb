"""An audit of a trained MaxLikelihood model against what Algorithm 1 prescribes.

:func:`audit_training` trains one model and verifies, layer by layer, that the kept rows
are the ``k`` largest projections ``|z_i|`` of the candidates, and that the stored layers
reproduce the training output.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from .._validate import check_int, check_rng
from ._algorithm import train_maxlikelihood
from ._common import vector

__all__ = ["TrainingAudit", "audit_training"]


@dataclass(frozen=True)
class TrainingAudit:
    """Result of :func:`audit_training`.

    Attributes
    ----------
    kept_margin : array (L,)
        Per layer, the smallest kept ``|z_i|`` minus the largest dropped one (positive:
        the kept rows are exactly the ``k`` largest; ``inf`` when nothing is dropped).
    reproduces_rel_err : float
        Largest relative difference between ``H w0`` recomputed from the stored layers and
        the training output ``w_L``.
    growth_per_layer : float
        Mean log-growth of the training norm per layer.
    """

    kept_margin: np.ndarray
    reproduces_rel_err: float
    growth_per_layer: float


def audit_training(w0, n: int, L: int, rng) -> TrainingAudit:
    """Train one model (``selection="abs"``) and audit its selection and its output.

    Parameters
    ----------
    w0 : array (k,)
        Training input (non-zero).
    n : int >= k
        Candidate rows per layer.
    L : int >= 1
        Depth.
    rng : numpy.random.Generator
        Source of the layers.

    Returns
    -------
    TrainingAudit

    References
    ----------
    Lai, Dong and Jin, Algorithm 1.

    Examples
    --------
    >>> import numpy as np
    >>> a = audit_training([1.0, 0.5], 12, 5, np.random.default_rng(0))
    >>> bool(np.all(a.kept_margin > 0)), a.reproduces_rel_err < 1e-12
    (True, True)
    """
    w0 = vector(w0, "w0", nonzero=True)
    n = check_int(n, "n", w0.size)
    L = check_int(L, "L", 1)
    rng = check_rng(rng)
    model = train_maxlikelihood(w0, n, L, rng)
    u = w0 / np.linalg.norm(w0)
    margin = np.empty(L)
    for layer in range(1, L + 1):
        z = np.abs(model.candidates(layer) @ u)
        kept = model.rows[layer - 1]
        dropped = np.setdiff1d(np.arange(model.n), kept)
        margin[layer - 1] = z[kept].min() - (z[dropped].max() if dropped.size else -np.inf)
        u = model.layer(layer) @ u
        u /= np.linalg.norm(u)
    err = float(np.max(np.abs(model.apply(w0) / model.output - 1)))
    return TrainingAudit(margin, err, float(model.growth.mean()))
