"""Lyapunov exponents (being split by subject; see ``_qr``)."""

from ._qr import *  # noqa: F403
from ._qr import __all__, _training_tangent  # noqa: F401
