"""Bad input for uniqnets.stats."""

from bad_input import BOOL, FLOAT_FOR_INT, STRING_NUMBER, Case
from uniqnets import stats

INT_KEY = BOOL + FLOAT_FOR_INT + STRING_NUMBER + [(-1, ValueError)]

CASES = [
    Case("rng_stream", lambda seed, k: stats.rng_stream(seed, k), dict(seed=0, k=1),
         bad={"seed": INT_KEY, "k": INT_KEY}, names={"k": "key[0]"}),
    Case("batch_means", stats.batch_means, dict(x=[1.0, 2.0, 3.0, 4.0, 5.0], n_blocks=2),
         bad={"x": [("abc", TypeError), ([1.0, float("nan"), 2.0, 3.0], ValueError),
                    ([1.0, 2.0], ValueError), ([[1.0, 2.0], [3.0, 4.0]], ValueError)],
              "n_blocks": BOOL + FLOAT_FOR_INT + STRING_NUMBER + [(1, ValueError)]}),
]
