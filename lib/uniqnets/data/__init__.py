"""Data sets: small ones made from a seed, and Fashion-MNIST read from disk.

Nothing is downloaded:

- ``_synthetic``: :class:`Dataset`, and :func:`two_moons`, :func:`sine_regression`,
  :func:`teacher_student`, made from a :class:`numpy.random.Generator`;
- ``_fashion_mnist``: :func:`fashion_mnist`, the benchmark's 70,000 images read from
  the IDX files of the Debian package ``dataset-fashion-mnist`` or of a folder the user
  names, verified against the published arrays (:func:`read_idx` decodes one file).
"""

from ._fashion_mnist import (
    CLASSES,
    DEBIAN_FOLDER,
    ENV_VAR,
    FILES,
    PUBLISHED,
    DataError,
    fashion_mnist,
    read_idx,
)
from ._synthetic import Dataset, sine_regression, teacher_student, two_moons

__all__ = ["CLASSES", "DEBIAN_FOLDER", "ENV_VAR", "FILES", "PUBLISHED", "DataError", "Dataset",
           "fashion_mnist", "read_idx", "sine_regression", "teacher_student", "two_moons"]
