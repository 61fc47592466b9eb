"""Argument checks shared by every public function of the library (private).

Each check returns the value in canonical form (``int``, ``float``, an ``ndarray``
of the wanted dtype, ...) or raises ``TypeError`` (wrong kind of value) or
``ValueError`` (right kind, bad value) with a message that starts with the
argument's name, so the user sees which argument to fix::

    >>> check_int(2.7, "n_steps", lo=1)
    Traceback (most recent call last):
    ...
    TypeError: n_steps must be an integer, got 2.7

Rules, the same everywhere:

* integers: ``int`` or numpy integers, or integral floats (``1e5``); booleans and
  fractions are refused (no silent truncation);
* reals: ``int``/``float``/numpy scalars, not booleans or strings; finite unless
  ``allow_inf``; bounds open or closed;
* arrays: converted with ``numpy.asarray``; shape, dimension, size and finiteness
  checked; non-numeric content is a ``TypeError``;
* sizes: :func:`check_size` refuses an allocation far beyond the machine's memory
  *before* it starts, naming the argument that asked for it.

Divergence of a run (overflow, NaN) is not an argument error; :func:`diverged` is the
one test every runner (training, map iteration, twins, spectra) uses for it.
"""

from __future__ import annotations

import numbers
import os
from collections.abc import Callable, Sequence

import numpy as np

__all__ = [
    "check_array",
    "check_bool",
    "check_callable",
    "check_choice",
    "check_int",
    "check_max_norm",
    "check_real",
    "check_rng",
    "check_size",
    "diverged",
    "memory_limit_bytes",
]


def _kind(value) -> str:
    return type(value).__name__


def check_rng(rng, name: str = "rng", allow_seed: bool = False) -> np.random.Generator:
    """``rng`` itself if it is a :class:`numpy.random.Generator`.

    With ``allow_seed``, an integer seed is accepted too and turned into
    ``numpy.random.default_rng(seed)``. Anything else raises ``TypeError``.
    """
    if isinstance(rng, np.random.Generator):
        return rng
    if allow_seed and isinstance(rng, (int, np.integer)) and not isinstance(rng, bool):
        if rng < 0:
            raise ValueError(f"{name} must be a seed >= 0, got {rng!r}")
        return np.random.default_rng(int(rng))
    wanted = "a numpy.random.Generator" + (" or an integer seed" if allow_seed else "")
    raise TypeError(f"{name} must be {wanted}, got {_kind(rng)}")


#: the most steps a loop of the library may be asked for: 1e9 steps of a Python loop take
#: days on this kind of machine, so more is refused before the loop starts
MAX_STEPS = 10**9


def check_steps(value, name: str, lo: int = 0) -> int:
    """A number of steps of a loop: an ``int`` in ``[lo, MAX_STEPS]``."""
    return check_int(value, name, lo=lo, hi=MAX_STEPS)


def check_int(value, name: str, lo: int | None = None, hi: int | None = None) -> int:
    """``value`` as an ``int`` in ``[lo, hi]`` (either bound may be ``None``).

    Integral floats (``1e5``) are accepted; booleans, strings, other types and
    fractions raise ``TypeError``; values out of range raise ``ValueError``.
    """
    if isinstance(value, (bool, np.bool_)) or not isinstance(value, (numbers.Real, np.number)):
        raise TypeError(f"{name} must be an integer, got {_kind(value)}")
    if isinstance(value, (float, np.floating)) and (not np.isfinite(value)
                                                     or int(value) != value):
        raise TypeError(f"{name} must be an integer, got {value!r}")
    v = int(value)
    if lo is not None and v < lo:
        raise ValueError(f"{name} must be an integer >= {lo}, got {value!r}")
    if hi is not None and v > hi:
        raise ValueError(f"{name} must be an integer <= {hi}, got {value!r}")
    return v


def check_real(value, name: str, lo: float | None = None, hi: float | None = None, *,
               lo_open: bool = False, hi_open: bool = False,
               allow_inf: bool = False) -> float:
    """``value`` as a finite ``float`` in the interval given by ``lo`` and ``hi``.

    ``lo_open``/``hi_open`` make a bound strict (``lo=0, lo_open=True``: positive).
    NaN is always refused; infinities only pass with ``allow_inf``.
    """
    if isinstance(value, (bool, np.bool_)) or not isinstance(value, (numbers.Real, np.number)) \
            or isinstance(value, (complex, np.complexfloating)):
        raise TypeError(f"{name} must be a real number, got {_kind(value)}")
    v = float(value)
    if np.isnan(v) or (np.isinf(v) and not allow_inf):
        raise ValueError(f"{name} must be a finite number, got {value!r}")
    if lo is not None and (v < lo or (lo_open and v == lo)):
        raise ValueError(f"{name} must be {'>' if lo_open else '>='} {lo}, got {value!r}")
    if hi is not None and (v > hi or (hi_open and v == hi)):
        raise ValueError(f"{name} must be {'<' if hi_open else '<='} {hi}, got {value!r}")
    return v + 0.0  # -0.0 becomes 0.0: numpy refuses a scale of -0.0 ("scale < 0")


def check_bool(value, name: str) -> bool:
    """``value`` if it is a ``bool`` (or numpy bool); anything else is a ``TypeError``."""
    if not isinstance(value, (bool, np.bool_)):
        raise TypeError(f"{name} must be True or False, got {_kind(value)}")
    return bool(value)


def check_choice(value, name: str, options: Sequence[str]) -> str:
    """``value`` if it is one of the strings ``options``."""
    options = tuple(options)
    if not isinstance(value, str):
        raise TypeError(f"{name} must be a string, one of {options}, got {_kind(value)}")
    if value not in options:
        raise ValueError(f"{name} must be one of {options}, got {value!r}")
    return value


def check_callable(fn, name: str) -> Callable:
    """``fn`` if it is callable."""
    if not callable(fn):
        raise TypeError(f"{name} must be callable, got {_kind(fn)}")
    return fn


def _has_text(value) -> bool:
    """Whether a (ragged, object) nested sequence holds a string anywhere."""
    if isinstance(value, (str, bytes)):
        return True
    if isinstance(value, (list, tuple)):
        return any(_has_text(v) for v in value)
    return False


def check_array(value, name: str, *, ndim: int | Sequence[int] | None = None,
                shape: Sequence[int | None] | None = None, dtype=float,
                finite: bool = True, min_size: int = 1, copy: bool = False) -> np.ndarray:
    """``value`` as an array of ``dtype``, checked.

    Parameters
    ----------
    ndim : int or tuple of int, optional
        Allowed numbers of dimensions.
    shape : tuple of int or None, optional
        Required shape; ``None`` entries match any length.  Implies ``ndim``.
    dtype : numpy dtype
        Conversion target (``float`` by default; ``complex`` and ``int`` work too).
    finite : bool
        Refuse NaN and infinities.
    min_size : int
        Fewest elements (``1``: the array must not be empty).
    copy : bool
        Return a copy even when ``value`` is already an array of ``dtype``.
    """
    if isinstance(value, (str, bytes)) or value is None:
        raise TypeError(f"{name} must be an array of numbers, got {_kind(value)}")
    if dtype is not None:
        # refuse what numpy would coerce without a word: complex to real (dropping the
        # imaginary part), booleans and numeric strings to numbers
        try:
            kind = value.dtype.kind if isinstance(value, np.ndarray) else \
                np.asarray(value).dtype.kind
        except (TypeError, ValueError):  # ragged: the conversion below says so
            kind = "O"
        target = np.dtype(dtype).kind
        if kind == "c" and target != "c":
            raise TypeError(f"{name} must be an array of real numbers, got complex numbers")
        if kind == "b" and target != "b":
            raise TypeError(f"{name} must be an array of numbers, got booleans")
        if kind in "USO" and kind != "O" or (kind == "O" and _has_text(value)):
            raise TypeError(f"{name} must be an array of numbers, got text")
    try:
        arr = np.array(value, dtype=dtype) if copy else np.asarray(value, dtype=dtype)
    except (TypeError, ValueError) as err:
        raise TypeError(f"{name} must be an array of numbers ({err})") from None
    if arr.dtype == object:
        raise TypeError(f"{name} must be an array of numbers")
    if shape is not None:
        shape = tuple(shape)
        if arr.ndim != len(shape) or any(s is not None and s != a
                                         for s, a in zip(shape, arr.shape, strict=False)):
            want = "(" + ", ".join("n" if s is None else str(s) for s in shape) + \
                ("," if len(shape) == 1 else "") + ")"
            raise ValueError(f"{name} must have shape {want}, got {arr.shape}")
    elif ndim is not None:
        allowed = (ndim,) if isinstance(ndim, int) else tuple(ndim)
        if arr.ndim not in allowed:
            raise ValueError(f"{name} must have {' or '.join(map(str, allowed))} dimension(s), "
                             f"got shape {arr.shape}")
    if arr.size < min_size:
        raise ValueError(f"{name} must have at least {min_size} element(s), got shape "
                         f"{arr.shape}")
    if finite and arr.dtype.kind in "fc" and not np.all(np.isfinite(arr)):
        raise ValueError(f"{name} must be finite (it contains NaN or inf)")
    return arr


def memory_limit_bytes() -> int:
    """Physical memory of the machine in bytes (``2**40`` when it cannot be read)."""
    try:
        return int(os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES"))
    except (AttributeError, ValueError, OSError):  # pragma: no cover - not POSIX
        return 2**40


def check_size(n_elements, name: str, itemsize: int = 8, fraction: float = 0.5) -> int:
    """Refuse an allocation of ``n_elements`` items beyond ``fraction`` of the memory.

    ``n_elements`` is the number of array entries a call is about to allocate, as
    computed from the arguments (``name`` names the one(s) responsible). Raises
    ``ValueError`` before anything is allocated; returns ``n_elements`` otherwise.
    """
    n = int(n_elements)
    need = n * int(itemsize)
    limit = fraction * memory_limit_bytes()
    if need > limit:
        raise ValueError(f"{name} asks for {need / 2**30:.3g} GiB, more than "
                         f"{limit / 2**30:.3g} GiB ({fraction:.0%} of this machine's memory)")
    return n


def check_max_norm(max_norm, name: str = "max_norm", allow_none: bool = True) -> float | None:
    """A divergence threshold: a positive number, ``inf``, or (if allowed) ``None``."""
    if max_norm is None and allow_none:
        return None
    return check_real(max_norm, name, lo=0.0, lo_open=True, allow_inf=True)


def diverged(x, max_norm: float | None) -> bool:
    """True if ``x`` has a non-finite entry or a norm above ``max_norm``.

    The one divergence test of the library: training runs, map iterations, twin
    runs and Lyapunov spectra all stop (and say so in their result) when it is true.
    ``max_norm=None`` only tests finiteness.
    """
    with np.errstate(over="ignore", invalid="ignore"):
        if not np.all(np.isfinite(x)):
            return True
        return max_norm is not None and float(np.linalg.norm(x)) > max_norm
