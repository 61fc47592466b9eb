"""Checks of page 12 (notebooks/12_fashion_mnist.md), over its recorded values."""


def check_the_networks_have_their_seeds(rec):
    """The data file holds five seeds of each network (the seeds `make sweep-fashion` runs
    by default)."""
    seeds = [rec[f"seeds_{n}"] for n in ("CNN", "ResNet", "MLP", "linear")]
    assert min(seeds) >= 5, seeds


def check_cnn_reaches_published_accuracy(rec):
    """The CNN's mean test accuracy is at least 0.90 (the issue's bar; published 0.916-0.925)."""
    # 0.90 is the bar set for "trained as in practice"; its five seeds lie within 0.005
    assert rec["acc_CNN"] >= 0.90, rec["acc_CNN"]


def check_linear_control_is_never_chaotic(rec):
    """The deep linear network fails the chaos test at all three stages."""
    # the negative control: its map is a polynomial of its parameters, its Hessian of the
    # loss is the only thing that can expand, and a convex-in-output loss gives it no
    # positive exponent beyond rounding (see the exactness test in tests/test_practice.py)
    assert rec["linear_stages_chaotic"] == 0


def check_rounding_grows_alike_in_both_precisions(rec):
    """Where rounding separates one-ulp twins, float32 and float64 grow at rates within a
    factor of two (eq. eq-rounding-walk: the growth factor holds no unit roundoff)."""
    # not closer: in late windows some float32 pairs never leave their first ulp (rate 0)
    # while their float64 twins drift, which pulls a mean over seeds down (0.65 measured)
    assert 0.5 <= rec["rate_ratio_min"] <= rec["rate_ratio_max"] <= 2.0, \
        (rec["rate_ratio_min"], rec["rate_ratio_max"])


def check_the_live_run_learns(rec):
    """The network trained on the page beats chance (0.1) by far."""
    # half an epoch of any of the four networks reaches 0.75 or more (fast reruns)
    assert rec["live_accuracy"] > 0.5, rec["live_accuracy"]
