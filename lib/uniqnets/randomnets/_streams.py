"""Named random streams shared by the pages on random networks (private).

The chapters on deep and recurrent random networks draw every experiment from its own
stream of one seed, so that changing the size of one experiment does not shift the
draws of another, and a validation run on another page reproduces the same draws.
"""

from __future__ import annotations

import numpy as np

from .._validate import check_choice, check_int

#: The experiments, in the order their streams are spawned from the seed.
STREAMS = ("rnn", "gsim", "spec", "deep", "pair", "thr", "ginn", "cov", "stab", "t1")


def experiment_rng(seed, name) -> np.random.Generator:
    """The generator of experiment ``name``: child ``STREAMS.index(name)`` of ``seed``.

    Parameters
    ----------
    seed : int >= 0
        The page's seed.
    name : str
        One of ``STREAMS``.

    Returns
    -------
    numpy.random.Generator
        A fresh generator; two calls with the same arguments give the same draws.

    References
    ----------
    NumPy, ``numpy.random.SeedSequence.spawn`` (independent child streams).

    Examples
    --------
    >>> from uniqnets.randomnets import experiment_rng
    >>> a, b = experiment_rng(0, "rnn"), experiment_rng(0, "rnn")
    >>> bool(a.standard_normal() == b.standard_normal())
    True
    """
    seed = check_int(seed, "seed", 0)
    check_choice(name, "name", STREAMS)
    child = np.random.SeedSequence(seed).spawn(len(STREAMS))[STREAMS.index(name)]
    return np.random.default_rng(child)
