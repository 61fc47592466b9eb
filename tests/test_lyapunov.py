"""Unit tests of uniqnets.lyapunov against exact answers."""

import numpy as np
import pytest
from scipy.special import digamma

from uniqnets.lyapunov import gaussian_product_exponents, qr_exponents


def test_newman_formula_small_cases():
    # k = 1: E log|g| for g ~ N(0, 1) is -(gamma + ln 2) / 2
    assert gaussian_product_exponents(1)[0] == pytest.approx(-(np.euler_gamma + np.log(2)) / 2)
    # scaling every factor by sigma shifts every exponent by ln sigma
    np.testing.assert_allclose(gaussian_product_exponents(4, sigma=3.0),
                               gaussian_product_exponents(4) + np.log(3.0), rtol=0, atol=1e-14)
    # the sum is E log|det G| = sum_i (ln 2 + psi((k - i + 1)/2)) / 2
    k = 5
    assert gaussian_product_exponents(k).sum() == pytest.approx(
        0.5 * sum(np.log(2) + digamma(j / 2) for j in range(1, k + 1)))


@pytest.mark.parametrize("k", [2, 3, 6])
def test_qr_on_gaussian_products_matches_newman(k):
    rng = np.random.default_rng(1)
    n = 20_000
    res = qr_exponents((rng.standard_normal((k, k)) for _ in range(n)))
    err = res.stderr(n_blocks=40)
    # independent factors: the increments are nearly uncorrelated and the error of the
    # mean is ~ sd(log|R_ii|)/sqrt(n) ~ 0.01; five standard errors bound a true miss
    assert np.all(err < 0.02)
    np.testing.assert_array_less(np.abs(res.exponents - gaussian_product_exponents(k)), 5 * err)


def test_qr_callable_factors_equal_matrix_factors():
    rng = np.random.default_rng(2)
    mats = [rng.standard_normal((4, 4)) for _ in range(50)]
    a = qr_exponents(mats, k=2)
    b = qr_exponents([(lambda Q, M=M: M @ Q) for M in mats], Q0=np.eye(4, 2))
    np.testing.assert_allclose(a.exponents, b.exponents, rtol=0, atol=1e-12)
    assert a.running.shape == (50, 2)


def test_qr_bad_input():
    with pytest.raises(ValueError, match="k"):
        qr_exponents([np.eye(3)], k=4)
    with pytest.raises(ValueError, match="square"):
        qr_exponents([np.ones((2, 3))])
    with pytest.raises(ValueError, match="Q0"):
        qr_exponents([lambda Q: Q])
    with pytest.raises(ValueError, match="at least one"):
        qr_exponents([], k=1, Q0=np.eye(2, 1))
    with pytest.raises(ValueError, match="k"):
        gaussian_product_exponents(0)
