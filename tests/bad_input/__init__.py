"""Tables of bad input for the public API, one module of tables per library module.

Each ``tests/bad_input/<module>.py`` defines ``CASES``, a list of :class:`Case`: one
per public name of ``uniqnets.<module>.__all__``. A case calls its function with a
valid set of keyword arguments and then, one argument at a time, with each bad value
of that argument; every call must raise the expected error type with a message that
names the argument. ``tests/test_bad_input.py`` enumerates ``__all__`` of every
module and fails for a public name without a case, so a new function without
checks fails the suite.

The standard classes of bad input are the lists below: ``(value, error type)``.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass, field

import numpy as np

# -- classes of bad values ------------------------------------------------------------------
WRONG_TYPE = [(object(), TypeError), ("abc", TypeError), (None, TypeError)]
BOOL = [(True, TypeError)]
FLOAT_FOR_INT = [(2.5, TypeError)]
STRING_NUMBER = [("2", TypeError)]
NONFINITE = [(math.nan, ValueError), (math.inf, ValueError)]
NEGATIVE = [(-1, ValueError)]
ZERO = [(0, ValueError)]
ABSURD = [(10**13, ValueError)]  # far beyond any machine: refused before allocating

#: an integer argument that must be >= 1
POS_INT = BOOL + FLOAT_FOR_INT + STRING_NUMBER + [(object(), TypeError), (math.nan, TypeError),
                                                   (-1, ValueError), (0, ValueError)]
#: an integer argument that must be >= 0
NONNEG_INT = BOOL + FLOAT_FOR_INT + STRING_NUMBER + [(object(), TypeError), (-1, ValueError)]
#: a size that allocates memory: a positive integer, not absurdly large
SIZE = POS_INT + ABSURD
#: a real number > 0
POS_REAL = BOOL + STRING_NUMBER + [(object(), TypeError)] + NONFINITE + NEGATIVE + ZERO
#: a real number >= 0
NONNEG_REAL = BOOL + STRING_NUMBER + [(object(), TypeError)] + NONFINITE + NEGATIVE
#: any finite real number
REAL = BOOL + STRING_NUMBER + [(object(), TypeError)] + NONFINITE
#: an array of numbers (each case adds its own wrong shapes)
ARRAY = [("abc", TypeError), (None, TypeError), ([[1.0, "x"]], TypeError)]
#: arrays numpy would coerce to real numbers without a word: refused wherever real numbers
#: are meant (``check_array``); each is a 1-element array, so that the type is refused
#: before any shape is looked at
COERCED = [(np.array([1.0 + 1.0j]), TypeError), (np.array([True]), TypeError),
           (np.array(["1.5"]), TypeError)]
ARRAY = ARRAY + COERCED
#: an array where complex numbers are meant (the gauge-invariant network's inputs)
COMPLEX_ARRAY = [c for c in ARRAY if not (isinstance(c[0], np.ndarray) and c[0].dtype.kind == "c")]
#: an array of bits, where booleans are meant
BITS_ARRAY = [c for c in ARRAY if not (isinstance(c[0], np.ndarray) and c[0].dtype.kind == "b")]
ARRAY_FINITE = ARRAY  # plus [[nan]]-style entries of the right shape, added per case
#: a numpy Generator
RNG = [(0.5, TypeError), ("seed", TypeError), (None, TypeError)]
#: a choice among strings (each case adds an unknown option with ValueError)
CHOICE = [(1, TypeError), (None, TypeError)]
#: True or False
BOOLEAN = [(1, TypeError), ("yes", TypeError), (None, TypeError)]
#: something callable
CALLABLE = [(1, TypeError), ("f", TypeError)]


@dataclass
class Case:
    """Bad input for one public name.

    ``call(**kwargs)`` calls the function (or constructor, or method of an instance
    built inside ``call``); ``valid`` is a set of keyword arguments with which the
    call succeeds; ``bad`` maps an argument name to a list of ``(value, error)``.
    ``names`` is the text the error message must contain (default: the argument's
    name; give e.g. ``{"hidden": "sizes"}`` when the message names the parameter the
    argument is passed on as). ``exempt`` (a reason) marks a name that takes no
    argument a user could get wrong, such as a result container the library builds.
    """

    name: str
    call: Callable | None = None
    valid: dict = field(default_factory=dict)
    bad: dict = field(default_factory=dict)
    names: dict = field(default_factory=dict)
    exempt: str = ""
