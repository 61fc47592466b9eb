"""Deprecated alias of :mod:`uniqnets.book.sweep`, kept for one release.

``python -m uniqnets.sweep ...`` and ``from uniqnets.sweep import run_sweep`` still
work; use ``python -m uniqnets.book.sweep`` and ``uniqnets.book.sweep`` instead.
"""

from uniqnets.book.sweep import *  # noqa: F403
from uniqnets.book.sweep import __all__, main  # noqa: F401

if __name__ == "__main__":
    import sys

    sys.exit(main())
