"""Checks of page 10 (notebooks/10_scale_and_architecture.md), over its recorded values."""


def check_no_chaos_below_the_edge(rec):
    """No run that stayed below the edge of stability has an exponent resolved above 1e-2."""
    # 3 batch-means standard errors; 1e-2 is an order of magnitude below the chaotic
    # exponents (0.1-1) and above the largest below-edge exponent seen over seeds (5e-3)
    assert rec["n_resolved_below_edge"] == 0


def check_resolved_exponents_reached_the_edge(rec):
    """Every exponent resolved above 1e-2 belongs to a run that reached eta mu_max >= 2."""
    # the same 3-sigma resolution as above, read the other way
    assert rec["n_resolved_without_edge"] == 0


def check_chaotic_exponents_not_proportional_to_depth(rec):
    """The best lambda = c L misses some chaotic exponent by more than half its size."""
    # the exponents' statistical errors are a few 0.01 (Chapter 1), far below a 50 % misfit
    assert rec["depth_law_misfit"] > 0.5, rec["depth_law_misfit"]


def check_architectures_have_equal_parameter_counts(rec):
    """The linear, plain and residual models have the same number of parameters."""
    # exact, by construction of the feature count
    assert rec["n_params_linear"] == rec["n_params_plain"] == rec["n_params_residual"]


def check_convex_model_never_amplifies(rec):
    """The linear model's exponents are negative and a perturbation never grows."""
    # ln|1 - eta mu| < 0 for eta < 2 / mu_max on a convex loss; 1e-6 is rounding of the ratio
    assert rec["max_lam_linear"] < 0
    assert rec["max_growth_linear"] <= 1 + 1e-6
