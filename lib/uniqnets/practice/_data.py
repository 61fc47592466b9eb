"""Real data shipped inside an installed package, and a sequence task made from a seed."""

from __future__ import annotations

import numpy as np

from .._validate import check_int, check_rng, check_size
from ..data import Dataset

__all__ = ["digits", "sequence_task"]


def digits(rng: np.random.Generator, n_test: int = 360) -> tuple[Dataset, Dataset]:
    """scikit-learn's handwritten digits: 1797 images of 8x8 pixels, ten classes.

    The images ship inside scikit-learn (:func:`sklearn.datasets.load_digits`), so
    nothing is downloaded.  Pixels are scaled from 0..16 to [0, 1]; the samples are
    shuffled by ``rng`` and the last ``n_test`` held out.

    Parameters
    ----------
    rng : numpy.random.Generator
        Source of the shuffle (one permutation).
    n_test : int, 1 <= n_test < 1797
        Held-out samples.

    Returns
    -------
    train, test : :class:`uniqnets.data.Dataset`
        ``X`` of shape ``(n, 64)`` float64 (an image row by row), ``Y`` integer labels
        ``0..9`` of shape ``(n,)``.

    References
    ----------
    E. Alpaydin, C. Kaynak, "Optical recognition of handwritten digits", UCI Machine
    Learning Repository (1998); F. Pedregosa et al., "Scikit-learn: machine learning
    in Python", JMLR 12 (2011) 2825-2830.

    Examples
    --------
    >>> import numpy as np
    >>> from uniqnets.practice import digits
    >>> train, test = digits(np.random.default_rng(0))
    >>> train.X.shape, test.X.shape, float(train.X.max())
    ((1437, 64), (360, 64), 1.0)
    """
    from sklearn.datasets import load_digits

    rng = check_rng(rng)
    X, Y = load_digits(return_X_y=True)
    n_test = check_int(n_test, "n_test", lo=1, hi=X.shape[0] - 1)
    perm = rng.permutation(X.shape[0])
    X, Y = X[perm] / 16.0, Y[perm].astype(np.int64)
    return Dataset(X[:-n_test], Y[:-n_test]), Dataset(X[-n_test:], Y[-n_test:])


def sequence_task(n_samples: int, seq_len: int, vocab: int,
                  rng: np.random.Generator) -> Dataset:
    """Sorting: sequences of random tokens, and the same tokens sorted.

    A classic test of attention: every output position must find the token of its
    rank anywhere in the input.  ``X[i]`` holds ``seq_len`` tokens drawn uniformly
    from ``0..vocab-1``; ``Y[i] = sort(X[i])``, one class label per position.

    Parameters
    ----------
    n_samples : int >= 1
    seq_len : int >= 1
    vocab : int >= 2
    rng : numpy.random.Generator

    Returns
    -------
    :class:`uniqnets.data.Dataset`
        ``X`` and ``Y`` integer arrays of shape ``(n_samples, seq_len)``.

    Examples
    --------
    >>> import numpy as np
    >>> from uniqnets.practice import sequence_task
    >>> ds = sequence_task(3, 5, 10, np.random.default_rng(0))
    >>> bool(np.all(np.sort(ds.X, axis=1) == ds.Y)), ds.X.shape
    (True, (3, 5))
    """
    n_samples = check_int(n_samples, "n_samples", lo=1)
    seq_len = check_int(seq_len, "seq_len", lo=1)
    vocab = check_int(vocab, "vocab", lo=2)
    rng = check_rng(rng)
    check_size(n_samples * seq_len, "n_samples")
    X = rng.integers(0, vocab, size=(n_samples, seq_len))
    return Dataset(X, np.sort(X, axis=1))
