"""Fashion-MNIST from its IDX files on disk: read, verified, never downloaded.

The four files of the benchmark (``train-images-idx3-ubyte.gz`` and so on) are
looked for in the folder given as an argument, else in the one named by the
environment variable ``UNIQNETS_FASHION_MNIST``, else where the Debian package
``dataset-fashion-mnist`` installs them.  Each file is decoded (gzip, then the IDX
header: magic number, dimensions, big-endian) and the decoded bytes are compared
with the SHA-256 of the published arrays, so a truncated, damaged or other file is
refused with a message that says how to get the right one.  The IDX reader is
written here because none of the project's dependencies reads IDX (the format is a
20-line header; torchvision and tensorflow-datasets would be heavy dependencies that
also download).
"""

from __future__ import annotations

import gzip
import hashlib
import os
from pathlib import Path

import numpy as np

from .._validate import check_int

__all__ = ["CLASSES", "DEBIAN_FOLDER", "ENV_VAR", "FILES", "PUBLISHED", "DataError",
           "fashion_mnist", "read_idx"]

#: where the Debian package ``dataset-fashion-mnist`` puts the four files
DEBIAN_FOLDER = Path("/usr/share/datasets/fashion-mnist")
#: the environment variable naming another folder that holds them
ENV_VAR = "UNIQNETS_FASHION_MNIST"

#: the four files: (split, part) -> (file name, shape of the decoded array, SHA-256 of the
#: decoded array's bytes, header excluded).  The hashes are those of the arrays shipped by
#: the Debian package dataset-fashion-mnist 0.0~git20200523.55506a9-1, built from the
#: official repository (zalandoresearch/fashion-mnist, folder data/fashion) at commit
#: 55506a9; the package recompresses the files, so their gzip bytes differ from the
#: official ones and only the decoded arrays are compared.
FILES = {
    ("train", "images"): ("train-images-idx3-ubyte.gz", (60000, 28, 28),
                          "2e487a6c89124f78f2d7521542223cafe96f7123c3ca13d447772ac6ecbb3012"),
    ("train", "labels"): ("train-labels-idx1-ubyte.gz", (60000,),
                          "657fbd221bfc9f4198cc14b5619cc33ec57c58dd0e47af4d99d6650759e869a7"),
    ("test", "images"): ("t10k-images-idx3-ubyte.gz", (10000, 28, 28),
                         "c867c93ff95360594e8ec3287995350b824dd110b11595c0e13d5423f621867a"),
    ("test", "labels"): ("t10k-labels-idx1-ubyte.gz", (10000,),
                         "3d0e6c6ea990b53b6f8f500a41cac93881d981b315f84578b7d915342ade01e9"),
}

#: the ten classes, in label order
CLASSES = ("T-shirt/top", "Trouser", "Pullover", "Dress", "Coat", "Sandal", "Shirt",
           "Sneaker", "Bag", "Ankle boot")

#: rows of the benchmark table of the data set's README (submitted results, "not yet tested"
#: by its authors): (classifier, preprocessing, test accuracy)
PUBLISHED = (
    ("MLP 256-128-100", "none", 0.8833),
    ("2 Conv+pooling", "none", 0.916),
    ("2 Conv <100K parameters", "none", 0.925),
    ("2 Conv ~113K parameters", "normalization", 0.922),
    ("3 Conv+pooling+BN", "none", 0.903),
    ("ResNet18", "normalization, flips, translation, rotation", 0.949),
)

_HOW_TO_GET = (
    "Fashion-MNIST is read from disk and never downloaded. Install the Debian package "
    "(`sudo apt-get install dataset-fashion-mnist`, files in {debian}), or put the four "
    "official files {names} (https://github.com/zalandoresearch/fashion-mnist, folder "
    "data/fashion) in a folder and name it: fashion_mnist(folder=...) or the environment "
    "variable {env}."
)

# IDX type codes (byte 3 of the magic number) and their big-endian numpy dtypes
_IDX_TYPES = {0x08: ">u1", 0x09: ">i1", 0x0B: ">i2", 0x0C: ">i4", 0x0D: ">f4", 0x0E: ">f8"}


class DataError(OSError):
    """A data file that is missing, damaged or not the expected one."""


def _how_to_get() -> str:
    names = ", ".join(name for name, _, _ in FILES.values())
    return _HOW_TO_GET.format(debian=DEBIAN_FOLDER, names=names, env=ENV_VAR)


def read_idx(path) -> np.ndarray:
    """Decode one IDX file (gzip-compressed when its name ends in ``.gz``).

    The IDX format (LeCun et al.) is a magic number ``0 0 <type> <ndim>``, ``ndim``
    big-endian 32-bit dimensions, then the array in C order, big-endian.

    Parameters
    ----------
    path : str or path-like

    Returns
    -------
    numpy array of the file's shape, in native byte order

    Raises
    ------
    DataError
        The file is missing, truncated, or not IDX.

    References
    ----------
    Y. LeCun, C. Cortes, C. J. C. Burges, "The MNIST database of handwritten digits",
    http://yann.lecun.com/exdb/mnist/ (section "File formats").

    Examples
    --------
    >>> import gzip, os, struct, tempfile
    >>> from uniqnets.data import read_idx
    >>> path = os.path.join(tempfile.mkdtemp(), "x-idx1-ubyte.gz")
    >>> with gzip.open(path, "wb") as fh:
    ...     _ = fh.write(struct.pack(">BBBBI", 0, 0, 8, 1, 3) + bytes([7, 8, 9]))
    >>> read_idx(path).tolist()
    [7, 8, 9]
    """
    if not isinstance(path, (str, os.PathLike)):
        raise TypeError(f"path must be a path, got {type(path).__name__}")
    path = Path(path)
    opener = gzip.open if path.suffix == ".gz" else open
    try:
        with opener(path, "rb") as fh:
            raw = fh.read()
    except FileNotFoundError:
        raise DataError(f"{path} does not exist") from None
    except (OSError, EOFError) as err:  # gzip's BadGzipFile is an OSError
        raise DataError(f"{path} cannot be read ({err})") from None
    if len(raw) < 4 or raw[0] != 0 or raw[1] != 0 or raw[2] not in _IDX_TYPES:
        raise DataError(f"{path} is not an IDX file (magic number {raw[:4].hex() or 'missing'})")
    ndim = raw[3]
    head = 4 + 4 * ndim
    if len(raw) < head:
        raise DataError(f"{path} is truncated (header of {ndim} dimensions)")
    shape = tuple(int.from_bytes(raw[4 + 4 * i:8 + 4 * i], "big") for i in range(ndim))
    dtype = np.dtype(_IDX_TYPES[raw[2]])
    size = int(np.prod(shape, dtype=np.int64)) * dtype.itemsize
    if len(raw) != head + size:
        raise DataError(f"{path} holds {len(raw) - head} bytes of data, its header says {size}"
                        " (truncated or damaged)")
    arr = np.frombuffer(raw, dtype=dtype, offset=head).reshape(shape)
    return arr.astype(dtype.newbyteorder("="))


def _folder(folder) -> Path:
    if folder is not None:
        if not isinstance(folder, (str, os.PathLike)):
            raise TypeError(f"folder must be a path, got {type(folder).__name__}")
        return Path(folder)
    env = os.environ.get(ENV_VAR)
    return Path(env) if env else DEBIAN_FOLDER


def fashion_mnist(folder=None, *, n_train: int | None = None, n_test: int | None = None,
                  dtype=np.float32, verify: bool = True):
    """The Fashion-MNIST training and test sets: 70,000 grey images of 28x28, ten classes.

    Parameters
    ----------
    folder : str or path-like, optional
        Folder of the four IDX files; default ``$UNIQNETS_FASHION_MNIST``, else the
        Debian package's ``DEBIAN_FOLDER``.
    n_train, n_test : int, optional
        Keep the first ``n_train`` training and ``n_test`` test images (the files'
        order); default all (60,000 and 10,000).
    dtype : numpy float dtype
        Of the pixels, scaled from 0..255 to [0, 1].
    verify : bool
        Compare each decoded array with the SHA-256 of the published one (about a
        tenth of a second); ``False`` only checks shapes and label range.

    Returns
    -------
    train, test : :class:`uniqnets.data.Dataset`
        ``X`` of shape ``(n, 784)`` (an image row by row), ``Y`` integer labels
        ``0..9`` (``CLASSES``) of shape ``(n,)``.

    Raises
    ------
    DataError
        A file is missing, damaged or not the published one; the message says how to
        get the files.

    References
    ----------
    H. Xiao, K. Rasul, R. Vollgraf, "Fashion-MNIST: a novel image dataset for
    benchmarking machine learning algorithms", arXiv:1708.07747 (2017).

    Examples
    --------
    >>> from uniqnets.data import fashion_mnist
    >>> train, test = fashion_mnist(n_train=100, n_test=10)   # doctest: +SKIP
    >>> train.X.shape, test.Y.shape                           # doctest: +SKIP
    ((100, 784), (10,))
    """
    from ._synthetic import Dataset

    where = _folder(folder)
    try:
        dtype = np.dtype(dtype)
    except TypeError:
        raise TypeError(f"dtype must be a float dtype, got {dtype!r}") from None
    if dtype.kind != "f":
        raise TypeError(f"dtype must be a float dtype, got {dtype}")
    verify = bool(verify) if isinstance(verify, (bool, np.bool_)) else _bad_flag(verify)
    limits = {"train": n_train, "test": n_test}
    for split, n in limits.items():
        if n is not None:
            limits[split] = check_int(n, f"n_{split}", lo=1, hi=FILES[(split, "labels")][1][0])
    arrays = {}
    for (split, part), (name, shape, digest) in FILES.items():
        path = where / name
        if not path.exists():
            raise DataError(f"{path} does not exist. " + _how_to_get())
        try:
            arr = read_idx(path)
        except DataError as err:
            raise DataError(f"{err}. " + _how_to_get()) from None
        if arr.shape != shape or arr.dtype != np.uint8:
            raise DataError(f"{path} holds an array of shape {arr.shape} and dtype {arr.dtype},"
                            f" expected {shape} uint8. " + _how_to_get())
        if part == "labels" and arr.max() > 9:
            raise DataError(f"{path} holds labels up to {arr.max()}, expected 0..9. "
                            + _how_to_get())
        if verify and hashlib.sha256(arr.tobytes()).hexdigest() != digest:
            raise DataError(f"{path} decodes to an array that is not the published one (its "
                            "SHA-256 differs). " + _how_to_get())
        arrays[split, part] = arr[:limits[split]]
    out = []
    for split in ("train", "test"):
        images = arrays[split, "images"]
        X = images.reshape(images.shape[0], -1).astype(dtype) / dtype.type(255)
        out.append(Dataset(X, arrays[split, "labels"].astype(np.int64)))
    return tuple(out)


def _bad_flag(value):
    raise TypeError(f"verify must be True or False, got {type(value).__name__}")
