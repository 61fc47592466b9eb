"""Checks of the appendix page on persistent homology (notebooks/92_validating_topology.md).

Tolerances: distances of O(1) coordinates carry a few ulps of rounding, so exact
algorithms on exact inputs are held to 1e-12 (about 5000 ulps) or 1e-14.
"""


def check_circle_bar_matches_closed_form(rec):
    """Evenly spaced circles: one H1 bar equal to Adamaszek's bar, one essential H0 class."""
    assert rec["circle_h1_bars"] == [1, 1, 1], rec["circle_h1_bars"]
    assert rec["circle_essential_h0"] == [1, 1, 1], rec["circle_essential_h0"]
    # closed form against gudhi on O(1) coordinates: rounding only, ~5000 ulps
    assert rec["circle_bar_error"] < 1e-12, rec["circle_bar_error"]


def check_noisy_circle_bar_within_stability_bound(rec):
    """The noisy circle's longest loop is within 2 d_H of the exact bar."""
    # the stability theorem is exact: no tolerance
    assert rec["noisy_bar_miss"] <= rec["noisy_bound"], (rec["noisy_bar_miss"], rec["noisy_bound"])


def check_noisy_circle_other_loops_short(rec):
    """Every other loop of the noisy circle lives less than 4 d_H."""
    # a loop absent from the exact diagram is at most 2 d_H from the diagonal: persistence <= 4 d_H
    assert rec["noisy_second_bar"] <= 2 * rec["noisy_bound"]


def check_two_circles(rec):
    """Two circles 5 apart merge at the gap 3 and carry two loops of the exact length."""
    # exact inputs, exact algorithms: rounding only
    assert abs(rec["two_circles_gap"] - 3.0) < 1e-12, rec["two_circles_gap"]
    assert rec["two_circles_h1_bars"] == 2
    assert rec["two_circles_bar_error"] < 1e-12, rec["two_circles_bar_error"]


def check_torus_betti_numbers(rec):
    """The jittered torus grid has Betti numbers (1, 2, 1) at scale 1.2."""
    # the jitter (1e-3) is far below the gaps between the grid's distances around 1.2
    assert rec["torus_betti"] == [1, 2, 1], rec["torus_betti"]


def check_hand_distances_exact(rec):
    """Exact bottleneck, W1 and W2 reproduce the hand-computed values."""
    # exact algorithms on exact inputs: a few ulps
    assert rec["hand_distance_error"] < 1e-14, rec["hand_distance_error"]


def check_hera_within_its_accuracy(rec):
    """hera's auction is within its relative accuracy delta = 1e-6 of W1 = 1.75."""
    # hera guarantees a relative error of at most delta
    assert rec["hand_hera_error"] <= 1.75e-6, rec["hand_hera_error"]


def check_h0_is_single_linkage(rec):
    """Finite H0 deaths equal the minimum spanning tree's edge lengths."""
    # two exact computations of the same distances: rounding only
    assert rec["mst_error"] < 1e-12, rec["mst_error"]


def check_stability_bound_on_random_clouds(rec):
    """W_inf <= 2 d_H on every random perturbation, in H0 and H1."""
    # exact distances: only rounding (1e-12 relative) can push the ratio over 1
    assert rec["stability_ratio_max_random"] <= 1 + 1e-12, rec["stability_ratio_max_random"]


def check_stability_bound_is_sharp(rec):
    """The two-point example attains W_inf = 2 d_H."""
    # exact inputs: rounding only
    assert abs(rec["stability_ratio_sharp"] - 1) < 1e-12, rec["stability_ratio_sharp"]
