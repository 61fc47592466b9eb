"""Bad input for uniqnets.data (see ``tests/bad_input/__init__.py``)."""

from __future__ import annotations

import math

import numpy as np

from uniqnets import data, models

from . import ARRAY, NONNEG_REAL, POS_INT, REAL, RNG, SIZE, Case

TEACHER = models.MLP((3, 4, 1))  # d = 21
MODEL = [(object(), TypeError), ("mlp", TypeError), (None, TypeError)]


def _dataset(X, Y, n_test):
    ds = data.Dataset(X, Y)
    len(ds)
    ds.split(n_test)


CASES = [
    Case(
        "Dataset", _dataset,
        valid=dict(X=np.zeros((6, 2)), Y=np.arange(6), n_test=2),
        bad=dict(
            X=ARRAY + [(np.zeros(6), ValueError), (np.zeros((6, 2, 1)), ValueError),
                       (np.zeros((0, 2)), ValueError), (np.full((6, 2), np.nan), ValueError),
                       (np.full((6, 2), "a"), TypeError), (np.ones((6, 2), dtype=bool),
                                                           TypeError)],
            Y=ARRAY + [(np.arange(5), ValueError), (np.zeros((6, 1, 1)), ValueError),
                       (np.full(6, np.inf), ValueError)],
            n_test=[(True, TypeError), (2.5, TypeError), ("2", TypeError), (None, TypeError),
                    (0, ValueError), (-1, ValueError), (6, ValueError), (math.nan, TypeError)],
        ),
    ),
    Case(
        "two_moons", data.two_moons,
        valid=dict(n_samples=10, rng=np.random.default_rng(0), noise=0.1),
        bad=dict(n_samples=SIZE, rng=RNG, noise=NONNEG_REAL + [(1e308, ValueError)]),
    ),
    Case(
        "sine_regression", data.sine_regression,
        valid=dict(n_samples=10, rng=np.random.default_rng(0), noise=0.05, x_range=(-1.0, 1.0),
                   frequency=2.0),
        bad=dict(n_samples=SIZE, rng=RNG, noise=NONNEG_REAL, frequency=REAL,
                 x_range=[(None, TypeError), ("ab", TypeError), ((1.0,), ValueError),
                          ((0.0, 1.0, 2.0), ValueError), ((1.0, 0.0), ValueError),
                          ((0.0, 0.0), ValueError), ((0.0, math.inf), ValueError),
                          ((math.nan, 1.0), ValueError), (("a", 1.0), TypeError)]),
    ),
    Case(
        "teacher_student", data.teacher_student,
        valid=dict(n_samples=10, teacher=TEACHER, rng=np.random.default_rng(0), noise=0.1,
                   teacher_gain=1.0, teacher_theta=np.zeros(TEACHER.n_params)),
        bad=dict(n_samples=SIZE, teacher=MODEL, rng=RNG, noise=NONNEG_REAL,
                 teacher_gain=NONNEG_REAL,
                 # teacher_theta=None is valid: the parameters are then drawn
                 teacher_theta=[b for b in ARRAY if b[0] is not None] + [
                     (np.zeros(4), ValueError), (np.full(TEACHER.n_params, np.nan), ValueError)]),
    ),
]


_FOLDER: list = []


def _idx_folder():
    """IDX files of the right shapes, all zeros (fast to write), made once."""
    import gzip
    import struct
    import tempfile
    from pathlib import Path

    if not _FOLDER:
        folder = Path(tempfile.mkdtemp(prefix="uniqnets-idx-"))
        for name, shape, _ in data.FILES.values():
            with gzip.open(folder / name, "wb", compresslevel=1) as fh:
                fh.write(struct.pack(">BBBB", 0, 0, 8, len(shape))
                         + b"".join(struct.pack(">I", n) for n in shape)
                         + bytes(int(np.prod(shape))))
        _FOLDER.append(folder)
    return _FOLDER[0]


def _fashion(folder, n_train, n_test, dtype, verify):
    data.fashion_mnist(_idx_folder() if folder == "valid" else folder, n_train=n_train,
                       n_test=n_test, dtype=dtype, verify=verify)


def _read_idx(path):
    data.read_idx(_idx_folder() / data.FILES["test", "labels"][0] if path == "valid" else path)


CASES += [
    Case("fashion_mnist", _fashion,
         valid=dict(folder="valid", n_train=10, n_test=10, dtype=np.float32, verify=False),
         bad=dict(folder=[(1, TypeError), (object(), TypeError)],
                  n_train=POS_INT + [(60001, ValueError)], n_test=POS_INT + [(10001, ValueError)],
                  dtype=[(np.int32, TypeError), ("bool", TypeError), ("float128x", TypeError)],
                  verify=[("yes", TypeError), (1, TypeError)])),
    Case("read_idx", _read_idx, valid=dict(path="valid"),
         bad=dict(path=[(None, TypeError), (1, TypeError)])),
    Case("DataError", exempt="an exception class"),
    Case("CLASSES", exempt="a constant tuple of class names"),
    Case("DEBIAN_FOLDER", exempt="a constant path"),
    Case("ENV_VAR", exempt="a constant name"),
    Case("FILES", exempt="a constant table of file names, shapes and checksums"),
    Case("PUBLISHED", exempt="a constant table of published accuracies"),
]
