"""Checks of page 11 (notebooks/11_scale_of_practice.md), over its recorded values."""

import math

import numpy as np

from uniqnets.book import chance


def _num(v):
    """A recorded number; NaN where the record holds None (NaN written to JSON)."""
    return math.nan if v is None else float(v)


def check_mlp_is_among_the_twins(rec):
    """§3 builds on the MLP's one-ulp twins, so the twins include the MLP."""
    assert "MLP" in rec["architectures"], rec["architectures"]


def check_scan_starts_where_the_twins_start(rec):
    """At width 1 the scanned networks start from the twins' parameters (same draws)."""
    assert rec["width"] != 1 or rec["scan_starts_as_twins"]


def check_scan_runs_diverged_or_have_standard_errors(rec):
    """A scan run either diverged (exponent NaN) or has a finite exponent and standard error."""
    lam = [_num(v[0]) for v in rec["scan_table"].values()]
    se = [_num(v[1]) for v in rec["scan_table"].values()]
    assert all(math.isnan(a) or math.isfinite(b) for a, b in zip(lam, se, strict=True)),\
        rec["scan_table"]
    # the count of diverged runs is the count of NaN exponents, and the counts add up
    assert rec["n_diverged_scan"] == sum(math.isnan(a) for a in lam)
    assert (rec["n_chaotic"] + rec["n_contracting"] + rec["n_marginal"]
            + rec["n_diverged_scan"]) == rec["n_runs_scan"] == len(lam)


def check_sharpness_along_is_finite(rec):
    """Each run of the sharpness figure has at least one finite ratio (a diverged run stops)."""
    for label, r in rec["sharp_along"].items():
        r = [_num(v) for v in r]
        assert len(r) >= 1 and all(math.isfinite(v) and v > 0 for v in r), (label, r)


def check_twins_start_one_ulp_apart(rec):
    """The twins start exactly one float32 ulp apart in the MLP's largest weight."""
    from uniqnets import practice

    theta = practice.digits_network("MLP").init(np.random.default_rng(rec["seed"] + 8))
    w0 = np.float32(theta[np.argmax(np.abs(theta))])
    # by construction: exact equality (the distance of one changed float32 entry)
    assert rec["twin_d0"] == float(np.nextafter(w0, np.float32(np.inf)) - w0)


def check_twin_exponents_have_standard_errors(rec):
    """Every exponent of the twin networks has a finite standard error, or its run diverged."""
    for name, a in rec["arch"].items():
        assert math.isfinite(_num(a["se"])) or math.isnan(_num(a["lam"])), (name, a)


def check_same_seed_is_bit_identical(rec):
    """A fixed seed on one machine reproduces a run bit for bit."""
    assert rec["bit_identical"], "two runs of the same seed differ"


def check_thread_reruns_finished(rec):
    """The reruns in fresh processes ran every step to a finite state.

    Whether they change the sums depends on the machine and its libraries: reported on
    the page, not checked.
    """
    assert math.isfinite(_num(rec["d_one_cpu"])) and math.isfinite(_num(rec["d_eigen"]))


def check_precision_and_order_differ_by_rounding(rec):
    """Float64 and a split sum differ from the float32 run from the first step, by rounding."""
    # one step of float32 arithmetic on parameters of order 1: far below 1e-4, above 0
    assert 0 < rec["d_prec_1"] < 1e-4, rec["d_prec_1"]
    assert 0 < rec["d_order_1"] < 1e-4, rec["d_order_1"]


def check_alignment_brings_runs_closer(rec):
    """Alignment by a hidden-unit permutation can only bring two runs closer."""
    # the identity is among the permutations tried; 1e-12: rounding of the two norms
    assert rec["dist_aligned"] <= rec["dist_raw"] * (1 + 1e-12)


def check_independent_seeds_stay_apart(rec):
    """Independent initialisations stay far apart in parameters, modulo permutations too."""
    # a tenth of the parameter norm: runs that met would be rounding-close, not this close
    assert rec["dist_aligned"] > 0.1 * rec["norm_theta"], (rec["dist_aligned"],
                                                           rec["norm_theta"])


def check_p_values_not_below_the_smallest_possible(rec):
    """No p-value of the rank test is below the smallest it can give with these batch sizes."""
    # an exact bound: the smallest p is that of two fully separated samples
    assert rec["p_min_possible"] <= min(rec["p_same"], rec["p_change"]) * (1 + 1e-12)


@chance(0.05)
def check_same_protocol_is_not_told_apart(rec):
    """Two batches of seeds of one protocol are not told apart at the 5 % level."""
    # under one protocol the two batches are exchangeable: p < 0.05 with probability
    # (at most, the rank test being discrete) 0.05
    assert rec["p_same"] >= 0.05, rec["p_same"]


def check_permuted_diagrams_are_equal(rec):
    """A hidden-unit permutation is an isometry of parameter space: equal diagrams."""
    # up to rounding of the pairwise distances: 1e-6 of the independent runs' distance
    assert rec["w_perm"] < 1e-6 * max(rec["w_indep"], 1.0), rec["w_perm"]


def check_independent_diagrams_are_distinct(rec):
    """Independent runs have diagrams distinct by far more than rounding."""
    # a thousand times the permuted copy's distance, itself a rounding-level number
    assert rec["w_indep"] > 1e3 * rec["w_perm"], (rec["w_indep"], rec["w_perm"])
