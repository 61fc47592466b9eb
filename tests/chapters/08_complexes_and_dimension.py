"""Checks of the page on complexes and dimension (notebooks/08_complexes_and_dimension.md)."""


def check_no_run_diverged(rec):
    """No training run diverged (the learning rate suits the network)."""
    # a diverged run stops early and its cloud would not be comparable
    assert rec["n_diverged"] == 0, f"{rec['n_diverged']} runs diverged; lower lr"


def check_complexes_isomorphic_at_both_ends(rec):
    """Below both minimum distances and above both diameters the complexes are isomorphic."""
    # the discrete and the full complex on the same number of vertices: an exact certificate
    assert rec["iso_ends_not_certified"] == 0, rec["iso_ends_not_certified"]


def check_non_isomorphic_at_most_inner_scales(rec):
    """Between the ends, non-isomorphism is certified at most scales (the prose's "most")."""
    # robustness over 10 seeds: 0.96 to 1.0; "most" means more than half
    assert rec["iso_frac_not_iso_min"] > 0.5, rec["iso_frac_not_iso_min"]


def check_projection_never_moves_curves_apart(rec):
    """The curve distance grows with the projection dimension (projections are 1-Lipschitz)."""
    # nested orthogonal projections: only rounding, 1e-9 of the full distance, may break it
    assert rec["dim_monotonicity_violation"] <= 1e-9, rec["dim_monotonicity_violation"]


def check_no_intersection_from_dimension_three(rec):
    """Random polylines in d >= 3 never intersect."""
    # two segments in general position in R^d, d >= 3, meet with probability zero
    assert rec["curve_hits_3up"] == 0, rec["curve_hits_3up"]
