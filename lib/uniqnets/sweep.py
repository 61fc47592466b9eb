"""Deprecated alias of :mod:`uniqnets.book.sweep`, kept for one release.

``python -m uniqnets.sweep ...`` and ``from uniqnets.sweep import run_sweep`` still
work, with a ``DeprecationWarning``; use ``python -m uniqnets.book.sweep`` and
``from uniqnets.book.sweep import run_sweep`` instead.  This module will be removed
in the release after next.
"""

import warnings

from uniqnets.book.sweep import *  # noqa: F403
from uniqnets.book.sweep import __all__, main  # noqa: F401

warnings.warn("uniqnets.sweep is an alias of uniqnets.book.sweep, kept for one release; "
              "use uniqnets.book.sweep (python -m uniqnets.book.sweep)",
              DeprecationWarning, stacklevel=1 if __name__ == "__main__" else 2)

if __name__ == "__main__":
    import sys

    sys.exit(main())
