"""uniqnets.stats against known answers."""

import numpy as np

from uniqnets import stats


def test_batch_means_of_white_noise_has_the_textbook_error():
    # for independent N(0, 1) values the standard error of the mean is 1/sqrt(n); the
    # batch-means estimate from 50 blocks has a relative error of about 1/sqrt(2 * 49)
    # = 0.10, so 0.35 is 3.5 of its standard deviations
    x = np.random.default_rng(1).standard_normal(20000)
    m, se = stats.batch_means(x, n_blocks=50)
    assert m == x.mean()
    assert abs(se * np.sqrt(x.size) - 1) < 0.35


def test_batch_means_sees_correlation():
    # an AR(1) sequence with coefficient a has a mean whose variance is inflated by
    # (1 + a) / (1 - a) = 19 at a = 0.9: the batch-means error is sqrt(19) = 4.4 times
    # the naive one (blocks of 1000 steps >> correlation time 10)
    rng = np.random.default_rng(2)
    a, n = 0.9, 50000
    e = rng.standard_normal(n)
    x = np.empty(n)
    x[0] = e[0]
    for t in range(1, n):
        x[t] = a * x[t - 1] + e[t]
    _, se = stats.batch_means(x, n_blocks=50)
    naive = x.std() / np.sqrt(n)
    assert 3.0 < se / naive < 6.0


def test_short_sequences_use_fewer_blocks():
    m, se = stats.batch_means([1.0, 2.0, 3.0, 4.0], n_blocks=40)  # two blocks of two
    assert m == 2.5 and np.isclose(se, np.std([1.5, 3.5], ddof=1) / np.sqrt(2))


def test_streams_are_reproducible_and_distinct():
    a = stats.rng_stream(3, 1, 2).integers(0, 2**62, 4)
    assert np.array_equal(a, stats.rng_stream(3, 1, 2).integers(0, 2**62, 4))
    assert not np.array_equal(a, stats.rng_stream(3, 2, 1).integers(0, 2**62, 4))
    # the notebooks' former rng_for(*key) was default_rng([seed, *key]): same streams
    assert np.array_equal(a, np.random.default_rng([3, 1, 2]).integers(0, 2**62, 4))
