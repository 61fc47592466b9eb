"""Unit tests of uniqnets.data."""

import numpy as np
import pytest

from uniqnets import data, models


def test_two_moons_shapes_labels_and_reproducibility():
    a = data.two_moons(101, np.random.default_rng(0), noise=0.0)
    b = data.two_moons(101, np.random.default_rng(0), noise=0.0)
    assert a.X.shape == (101, 2) and a.Y.shape == (101,)
    assert np.array_equal(a.X, b.X) and np.array_equal(a.Y, b.Y)
    assert set(np.unique(a.Y)) == {0, 1}
    # without noise the outer moon lies on the unit circle, the inner one on the unit
    # circle centred at (1, 1/2)
    outer, inner = a.X[a.Y == 0], a.X[a.Y == 1]
    np.testing.assert_allclose(np.hypot(*outer.T), 1.0, atol=1e-12)
    np.testing.assert_allclose(np.hypot(inner[:, 0] - 1, inner[:, 1] - 0.5), 1.0, atol=1e-12)


def test_sine_regression_and_split():
    ds = data.sine_regression(50, np.random.default_rng(1), noise=0.0)
    np.testing.assert_allclose(ds.Y[:, 0], np.sin(ds.X[:, 0]), atol=1e-15)
    train, test = ds.split(10)
    assert len(train) == 40 and len(test) == 10
    with pytest.raises(ValueError, match="n_test"):
        ds.split(50)


def test_teacher_student_labels_come_from_the_teacher():
    teacher = models.MLP((3, 4, 1), "tanh")
    ds, theta_t = data.teacher_student(20, teacher, np.random.default_rng(2))
    np.testing.assert_array_equal(ds.Y, teacher(theta_t, ds.X))


@pytest.mark.parametrize("call,match", [
    (lambda: data.two_moons(0, np.random.default_rng()), "n_samples"),
    (lambda: data.two_moons(10, np.random.default_rng(), noise=-1), "noise"),
    (lambda: data.sine_regression(10, np.random.default_rng(), x_range=(1, 0)), "x_range"),
])
def test_bad_arguments(call, match):
    with pytest.raises(ValueError, match=match):
        call()


@pytest.mark.parametrize("call,error,match", [
    (lambda: data.two_moons(2.5, np.random.default_rng()), TypeError, "n_samples"),
    (lambda: data.two_moons(10**13, np.random.default_rng()), ValueError, "n_samples"),
    (lambda: data.two_moons(10, np.random.default_rng(), noise="0.1"), TypeError, "noise"),
    (lambda: data.sine_regression(10, np.random.default_rng(), x_range=(0, np.nan)),
     ValueError, "x_range"),
    (lambda: data.sine_regression(10, np.random.default_rng(), frequency=np.inf), ValueError,
     "frequency"),
    (lambda: data.teacher_student(10, models.MLP((2, 1)), np.random.default_rng(),
                                  teacher_gain=-1), ValueError, "teacher_gain"),
    (lambda: data.teacher_student(10, models.MLP((2, 1)), np.random.default_rng(),
                                  teacher_theta=np.zeros(5)), ValueError, "teacher_theta"),
    (lambda: data.teacher_student(10, (2, 1), np.random.default_rng()), TypeError, "teacher"),
    (lambda: data.Dataset(np.zeros((3, 2)), np.zeros(4)), ValueError, "Y"),
    (lambda: data.Dataset(np.full((3, 2), np.nan), np.zeros(3)), ValueError, "X"),
    (lambda: data.Dataset(np.zeros((3, 2)), np.zeros(3)).split(1.5), TypeError, "n_test"),
])
def test_more_bad_arguments(call, error, match):
    with pytest.raises(error, match=match):
        call()


# -- Fashion-MNIST from IDX files ------------------------------------------------------------

def _write_idx(path, arr, *, compress=True):
    import gzip
    import struct

    arr = np.ascontiguousarray(arr, dtype=np.uint8)
    raw = struct.pack(">BBBB", 0, 0, 0x08, arr.ndim) + b"".join(
        struct.pack(">I", n) for n in arr.shape) + arr.tobytes()
    opener = gzip.open if compress else open
    with opener(path, "wb") as fh:
        fh.write(raw)


def _small_fashion(folder, rng, n=(60000, 10000)):
    """IDX files of the right shapes with random content (not the published arrays)."""
    arrays = {}
    for (split, part), (name, shape, _) in data.FILES.items():
        arr = rng.integers(0, 256 if part == "images" else 10, size=shape, dtype=np.uint8)
        _write_idx(folder / name, arr)
        arrays[split, part] = arr
    return arrays


def test_read_idx_decodes_what_was_written(tmp_path):
    arr = np.arange(2 * 3 * 4, dtype=np.uint8).reshape(2, 3, 4)
    _write_idx(tmp_path / "a-idx3-ubyte.gz", arr)
    _write_idx(tmp_path / "a-idx3-ubyte", arr, compress=False)
    for name in ("a-idx3-ubyte.gz", "a-idx3-ubyte"):
        out = data.read_idx(tmp_path / name)
        assert out.shape == (2, 3, 4) and np.array_equal(out, arr)


def test_read_idx_refuses_truncated_and_foreign_files(tmp_path):
    arr = np.zeros((5, 2), dtype=np.uint8)
    _write_idx(tmp_path / "ok.gz", arr)
    raw = __import__("gzip").open(tmp_path / "ok.gz").read()
    (tmp_path / "short").write_bytes(raw[:-1])
    (tmp_path / "long").write_bytes(raw + b"\0")
    (tmp_path / "text").write_bytes(b"hello, world")
    (tmp_path / "bad.gz").write_bytes(b"not gzip at all")
    for name, match in (("short", "truncated"), ("long", "truncated"), ("text", "not an IDX"),
                        ("bad.gz", "cannot be read"), ("missing", "does not exist")):
        with pytest.raises(data.DataError, match=match):
            data.read_idx(tmp_path / name)


def test_fashion_mnist_reads_a_named_folder_and_verifies_it(tmp_path, monkeypatch):
    arrays = _small_fashion(tmp_path, np.random.default_rng(0))
    # random content is not the published data: refused by the checksum, with the remedy
    with pytest.raises(data.DataError, match="not the published one.*dataset-fashion-mnist"):
        data.fashion_mnist(tmp_path)
    train, test = data.fashion_mnist(tmp_path, verify=False, n_train=50, n_test=7,
                                     dtype=np.float64)
    assert train.X.shape == (50, 784) and test.X.shape == (7, 784)
    assert train.X.dtype == np.float64 and train.Y.dtype == np.int64
    np.testing.assert_array_equal(train.X * 255, arrays["train", "images"][:50].reshape(50, -1))
    np.testing.assert_array_equal(test.Y, arrays["test", "labels"][:7])
    # the environment variable names the folder when no argument does
    monkeypatch.setenv(data.ENV_VAR, str(tmp_path))
    train2, _ = data.fashion_mnist(verify=False, n_train=50, n_test=7, dtype=np.float64)
    np.testing.assert_array_equal(train2.X, train.X)


def test_fashion_mnist_says_how_to_get_missing_or_damaged_files(tmp_path):
    with pytest.raises(data.DataError, match="does not exist.*apt-get install "
                                               "dataset-fashion-mnist.*UNIQNETS_FASHION_MNIST"):
        data.fashion_mnist(tmp_path)
    _small_fashion(tmp_path, np.random.default_rng(1))
    name = data.FILES["test", "labels"][0]
    _write_idx(tmp_path / name, np.full(10000, 11, dtype=np.uint8))  # labels out of range
    with pytest.raises(data.DataError, match="labels up to 11.*dataset-fashion-mnist"):
        data.fashion_mnist(tmp_path, verify=False)
    _write_idx(tmp_path / name, np.zeros(9999, dtype=np.uint8))  # a row short
    with pytest.raises(data.DataError, match=r"shape \(9999,\).*dataset-fashion-mnist"):
        data.fashion_mnist(tmp_path, verify=False)


@pytest.mark.skipif(not all((data.DEBIAN_FOLDER / name).exists()
                            for name, _, _ in data.FILES.values()),
                    reason="the Debian package dataset-fashion-mnist is not installed")
def test_fashion_mnist_from_the_debian_package_is_the_published_data():
    train, test = data.fashion_mnist(data.DEBIAN_FOLDER)
    assert train.X.shape == (60000, 784) and test.X.shape == (10000, 784)
    assert train.X.dtype == np.float32 and 0.0 <= train.X.min() and train.X.max() == 1.0
    # balanced classes: 6,000 and 1,000 images of each (the data set's README)
    assert np.bincount(train.Y).tolist() == [6000] * 10
    assert np.bincount(test.Y).tolist() == [1000] * 10
