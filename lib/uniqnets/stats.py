"""Sampling statistics the chapters share: independent random streams, batch-means errors.

Every number of the book that comes from sampling is quoted with its standard error;
these are the two helpers that several chapters need for it.

- :func:`rng_stream` gives each experiment of a chapter its own reproducible random
  stream, from the chapter's seed and a key (numpy's ``SeedSequence`` spawning rule:
  streams with different keys are independent, the same key gives the same stream).
- :func:`batch_means` is the mean of a correlated sequence with its batch-means
  standard error (the estimator :meth:`uniqnets.lyapunov.QRResult.stderr` uses).

References: numpy, "Parallel random number generation"
(https://numpy.org/doc/stable/reference/random/parallel.html); H. Flyvbjerg and
H. G. Petersen, "Error estimates on averages of correlated data", J. Chem. Phys. 91,
461 (1989).
"""

from __future__ import annotations

import numpy as np

from ._validate import check_array, check_int

__all__ = ["batch_means", "rng_stream"]


def rng_stream(seed, *key) -> np.random.Generator:
    """An independent, reproducible random stream for the experiment ``key`` of a run.

    Parameters
    ----------
    seed : int >= 0
        The run's seed (a chapter's ``seed`` parameter).
    *key : int >= 0
        Labels of the experiment (a section number, a size, a repetition index).

    Returns
    -------
    numpy.random.Generator
        ``numpy.random.default_rng([seed, *key])``: the same ``(seed, key)`` gives the
        same stream; different keys give streams that are independent for all
        practical purposes (numpy's ``SeedSequence`` hashing).

    References
    ----------
    numpy, "Parallel random number generation",
    https://numpy.org/doc/stable/reference/random/parallel.html

    Examples
    --------
    >>> a = rng_stream(0, 3, 1).standard_normal(2)
    >>> b = rng_stream(0, 3, 1).standard_normal(2)
    >>> bool(np.all(a == b)), bool(np.all(a == rng_stream(0, 3, 2).standard_normal(2)))
    (True, False)
    """
    seed = check_int(seed, "seed", 0)
    key = [check_int(k, f"key[{i}]", 0) for i, k in enumerate(key)]
    return np.random.default_rng([seed, *key])


def batch_means(x, n_blocks: int = 20) -> tuple[float, float]:
    """Mean of a correlated sequence and its batch-means standard error.

    The sequence is cut into ``n_blocks`` contiguous blocks of equal length (a
    remainder at the end is dropped); the standard deviation of the block means over
    ``sqrt(n_blocks)`` estimates the error of the mean once blocks are longer than
    the correlation time (Flyvbjerg and Petersen 1989). With fewer than
    ``2 * n_blocks`` values, ``n_blocks`` is lowered to ``len(x) // 2`` so that every
    block holds at least two values.

    Parameters
    ----------
    x : array, shape (n,), n >= 4
        The sequence (for example per-step log growth factors).
    n_blocks : int >= 2
        Number of blocks.

    Returns
    -------
    mean : float
        Mean of all of ``x``.
    stderr : float
        Batch-means standard error of the mean.

    References
    ----------
    H. Flyvbjerg and H. G. Petersen, "Error estimates on averages of correlated data",
    J. Chem. Phys. 91, 461 (1989).

    Examples
    --------
    >>> x = np.random.default_rng(0).standard_normal(4000)
    >>> m, se = batch_means(x, n_blocks=40)
    >>> abs(m) < 3 * se, round(se, 3)
    (True, 0.015)
    """
    x = check_array(x, "x", ndim=1, min_size=4)
    n_blocks = check_int(n_blocks, "n_blocks", 2)
    nb = min(n_blocks, x.size // 2)
    m = x[: (x.size // nb) * nb].reshape(nb, -1).mean(axis=1)
    return float(x.mean()), float(m.std(ddof=1) / np.sqrt(nb))
