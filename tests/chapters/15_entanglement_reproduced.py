"""Checks of notebooks/15_entanglement_reproduced.md (the collapse, reproduced), over its
recorded values."""

import math

from uniqnets.book import chance


def check_monte_carlo_matches_exact_fraction(rec):
    """The Monte-Carlo collapsed fractions agree with the exact arc length of k = 2."""
    if rec["k_conv"] != 2:
        return
    # binomial sd of n_test inputs plus one input of discreteness; 5 sd over the
    # 4 x n_models x (depth + 1) fractions, which are strongly correlated along depth
    assert rec["mc_vs_exact_worst_z"] < 5, rec["mc_vs_exact_worst_z"]


def check_branches_are_sides_of_one_line(rec):
    """Every collapsed input's branch is its side of the line b-perp (H is rank one)."""
    # exact: sign cos theta = sign((b.w0)(b.x)) once H is rank one to rounding
    assert rec["branch_agreement"] == 1.0, rec["branch_agreement"]


@chance(6e-7)
def check_branches_split_in_half(rec):
    """Each branch receives half of an isotropic test sample (one model)."""
    # the side of a fixed line is Bernoulli(1/2) per input: binomial sd sqrt(1/4N);
    # 5 sd two-sided: P = 5.7e-7
    sd = 0.5 / math.sqrt(rec["n_test"])
    assert abs(rec["share_branch_zero"] - 0.5) < 5 * sd, rec["share_branch_zero"]


def check_wide_model_sides_set_by_first_layer(rec):
    """After one wide layer, at least 90 % of the inputs are on their final side."""
    # the first layer of n = k + 1000 has a gap of ~1.5 per layer: the misalignment
    # left after it decides the side for a few per cent of inputs at most (0.99 at seed 0)
    assert 0.9 < rec["side_L1_off1000"] <= 1, rec["side_L1_off1000"]
    assert 0 <= rec["side_L1_off0"] <= 1 and 0 <= rec["side_in_off1000"] <= 1


@chance(3e-6)
def check_norm_growth_rate_matches_quadrature(rec):
    """The mean log-growth per layer equals lambda_train of the quadrature, every width."""
    # growths are i.i.d. over layers and models: a Gaussian mean; 5 se two-sided for
    # 4 widths: P <= 4 x 5.7e-7
    for pred, fit, se in zip(rec["lam_pred"], rec["lam_fit"], rec["lam_fit_se"], strict=True):
        assert abs(fit - pred) < 5 * se, (fit, pred, se)


def check_proportional_law_misses_wide_norms(rec):
    """At the widest width a proportional law misses the norms by more than 3 decades."""
    # log ||w_L|| is a walk of drift lam_train; once lam_train x depth > 10 e-folds the
    # best b L is off by > 3 decades somewhere (certain, not statistical)
    if rec["lam_pred"][-1] * rec["depth"] >= 10:
        assert rec["miss_prop_log10"][-1] > 3, rec["miss_prop_log10"]
