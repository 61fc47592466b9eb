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
