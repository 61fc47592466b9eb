"""Argument checks shared by the library's modules (private).

Every public function checks its input and names the offending argument in the
error; these are the checks several modules need in the same form.
"""

from __future__ import annotations

import numpy as np

__all__ = ["check_int", "check_rng"]


def check_rng(rng, name: str = "rng", allow_seed: bool = False) -> np.random.Generator:
    """``rng`` itself if it is a :class:`numpy.random.Generator`.

    With ``allow_seed``, an integer seed is accepted too and turned into
    ``numpy.random.default_rng(seed)``. Anything else raises ``TypeError``.
    """
    if isinstance(rng, np.random.Generator):
        return rng
    if allow_seed and isinstance(rng, (int, np.integer)) and not isinstance(rng, bool):
        return np.random.default_rng(int(rng))
    wanted = "a numpy.random.Generator" + (" or an integer seed" if allow_seed else "")
    raise TypeError(f"{name} must be {wanted}, got {type(rng).__name__}")


def check_int(value, name: str, lo: int) -> int:
    """``value`` as an ``int`` at least ``lo``.

    Integral floats (``1e5``) are accepted; booleans, other types and fractions raise
    ``TypeError``, values below ``lo`` raise ``ValueError``.
    """
    if isinstance(value, bool) or not isinstance(value, (int, np.integer, float, np.floating)):
        raise TypeError(f"{name} must be an integer, got {type(value).__name__}")
    if not np.isfinite(value) or int(value) != value:
        raise TypeError(f"{name} must be an integer, got {value!r}")
    if value < lo:
        raise ValueError(f"{name} must be an integer >= {lo}, got {value!r}")
    return int(value)
