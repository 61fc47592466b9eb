"""Words for the names under which the chapters record a verdict's evidence.

A chapter passes its evidence to :func:`uniqnets.book.verdict` as a mapping whose keys
are often the names its code records (``rho_init``, ``n_cat_edge``): stable names that
the robustness sweep and the checks key on. A reader sees the label of each name
instead, in words and with its unit where it has one; a name written in words already
(``"top exponent"``) is shown as it is. ``tests/test_ledger.py`` checks that every
evidence name recorded in the robustness data has words here or is words itself.
"""

from __future__ import annotations

import re

__all__ = ["EVIDENCE_LABELS", "evidence_label", "is_code_name"]

#: recorded name -> what a reader sees (units after a comma)
EVIDENCE_LABELS = {
    # 01 chaotic divergence
    "acc_star": "training accuracy at the minimum",
    "dist_path": "distance to the minimum along the run",
    "lrs_stable": "learning rates at which the minimum is stable",
    "dist_start": "distance from the start to the minimum",
    "dist_to_star": "distance left to the minimum at the end",
    "eta_crit": "critical learning rate 2/μ_max",
    "grad_norm_star": "gradient norm at the minimum",
    "measured_max": "largest measured exponent at the stable rates, per step",
    "mu_max_star": "largest Hessian eigenvalue at the minimum",
    "mu_min_star": "smallest Hessian eigenvalue at the minimum",
    "predicted_max": "largest exponent the minimum predicts, per step",
    "t_flat_small": "time scale of the flattest direction, steps",
    "rho": "Spearman correlation of exponent and final sharpness",
    "eta_mu_small": "η·μ_max at the small rate",
    "gamma_lemma": "γ = ρ(E[J]) − 1, largest along the run",
    "pred_star_lr_small": "exponent predicted at the minimum, small rate, per step",
    "rho_init": "spectral radius ρ(I − ηH) at initialisation",
    "rho_last": "spectral radius ρ(I − ηH) at the end",
    # 02 twin runs
    "ftle_early_chaos": "early finite-time exponent, chaotic rate, per step",
    "norm_chaos": "parameter norm at the end, chaotic rate",
    "twin_chaos_diverged": "twins diverged (non-finite), chaotic rate",
    "twin_final_chaos": "final twin distance, chaotic rate",
    "twin_final_small": "final twin distance, small rate",
    "twin_max_chaos": "largest twin distance, chaotic rate",
    "twin_rate_small": "mean growth rate of the twin distance, small rate, per step",
    "chaos_miss_decades": "miss of the linearised prediction, chaotic rate, decades",
    "eos_miss_decades": "miss of the linearised prediction near the edge of stability, decades",
    "has_eos": "a rate near the edge of stability",
    "lin_err": "relative miss of the linearised map at ‖δ‖ = 1e-5",
    "lin_err_smallest": "relative miss of the linearised map at the smallest ‖δ‖",
    "lin_slope": "slope of the miss against ‖δ‖ (log-log)",
    "n_lin_chaos": "steps the linearised map tracks the twins, chaotic rate",
    "cor14_offset": "intercept of the separation-time fit, steps",
    "horizon_max": "longest wait for a separation, steps",
    "lam_fit_cor14": "exponent fitted to separation times, per step",
    "lam_ratio_cor14": "fitted over Benettin exponent",
    "n_bases": "base points whose twins separated",
    "n_bases_stuck": "base points whose twins did not separate",
    "se_fit_cor14": "standard error of the fitted exponent, per step",
    "twin_max_small": "largest twin distance, small rate",
    "z_cor14": "fitted minus Benettin exponent, standard errors",
    # 04, 05 thermodynamics
    "exact": "exact value",
    "trainings": "trainings",
    # 07, 08 topology
    "n_indep_closer_than_same_run": "independent pairs closer than a rerun",
    "perturbed_winf0_min": "smallest bottleneck distance W∞ (H0), perturbed reruns",
    "winf_h0_indep_min": "smallest bottleneck distance W∞ (H0), independent runs",
    "dist_curve_indep_min": "smallest distance between independent trajectories",
    "separation_over_spacing_min": "smallest separation over the largest step",
    "mirror_dH_min": "smallest Hausdorff distance to the mirrored run",
    "mirror_winf_max": "largest W∞ to the mirrored run",
    "stability_ratio_max_training": "largest W∞ over 2 d_H (the stability bound is 1)",
    "cech_discrete_below": "scale below which both complexes are discrete",
    "cech_full_above": "scale above which both complexes are full",
    "iso_ends_not_certified": "end scales not certified isomorphic",
    "iso_frac_not_iso_min": "smallest share of scales not isomorphic",
    "iso_frac_undecided_max": "largest share of scales undecided",
    "dim_curve_lowest_over_full": "distance after projection over full distance, lowest dimension",
    "dim_lowest": "lowest projection dimension",
    "dim_monotonicity_violation": "largest decrease of distance with dimension",
    "n_diverged": "runs that diverged",
    "curve_hits_3up": "intersecting pairs of random curves in dimension 3 and up",
    "curve_near3_last": "share of curve pairs closer than 0.05 in dimension 3",
    "curve_p2": "share of intersecting pairs in dimension 2",
    # 09, 10 structural uniqueness, scale and architecture
    "collision_fraction": "share of pairs at the same minimum",
    "max_same_distance": "largest aligned distance of a same-minimum pair",
    "fdist_same_max": "largest function distance of a same-minimum pair",
    "n_other_weak": "pairs at different minima, weak decay",
    "ks_pvalue": "p-value, two batches of one protocol",
    "ks_pvalue_changed": "p-value, changed protocol",
    "median_test_loss_a": "median test loss, first batch",
    "median_test_loss_c": "median test loss, changed protocol",
    "n_cat_edge": "catapult runs past the edge of stability",
    "n_cat_twin_amplified": "catapult runs whose one-ulp twin is amplified",
    "contraction_ratio": "measured over predicted contraction rate",
    "gap_final": "final gap modulo symmetries",
    "gap_plateau": "gap modulo symmetries on the plateau",
    "lam_chaos": "exponent at the chaotic rate, per step",
    "lam_small": "exponent at the small rate, per step",
    "lam_small_se": "its standard error, per step",
    "depth_law_misfit": "largest misfit of λ ∝ depth, relative",
    "max_lam_below_edge": "largest exponent below the edge of stability, per step",
    "res_below_plain_frac": "share of depths where the residual net is less chaotic",
    "res_steps": "resolved depth steps",
    "res_steps_faster": "depth steps where the residual exponent grows faster",
    "res_steps_slower": "depth steps where it grows slower",
    # 11 practice
    "parts_holding": "parts of the claim that hold",
    "parts_measured": "parts measured",
    "n_chaotic": "chaotic runs",
    "n_runs": "runs",
    "n_separated": "twin pairs that separated",
    "n_unmoved": "twin pairs that did not move apart",
    "apart": "the precisions end apart",
    "acc_a_mean": "test accuracy, first batch",
    "acc_a_se": "its standard error",
    "acc_b_mean": "test accuracy, second batch",
    "acc_b_se": "its standard error",
    "acc_c_mean": "test accuracy, changed protocol",
    "acc_c_se": "its standard error",
    "p_change": "p-value, changed protocol",
    "p_min_possible": "smallest p-value the batch size allows",
    "p_same": "p-value, same protocol",
    "bit_identical": "reruns bit-identical",
    # 12 Fashion-MNIST
    "n_network_stages": "pairs of a nonlinear network and a stage",
    "n_exponential": "windows with exponential growth",
    "n_rounding": "windows with rounding accumulation",
    "n_flips": "windows with activation flips",
    "linear_stages_chaotic": "stages at which the linear network is chaotic",
    "stages_separating": "network-stages where twins far above rounding separate",
    "network_stages": "pairs of a nonlinear network and a stage",
    "churn_max": "largest share of test predictions two seeds disagree on",
    "distance_min": "smallest parameter distance between seeds, over the norm",
    "accuracy_sd_max": "largest spread of test accuracy over seeds (sd)",
    "w1_min": "smallest diagram distance between seeds, over the diagrams' mass",
    # 19 the field's answers
    "k0_barrier": "error barrier between children spawned at initialisation",
    "CNN_k0_barrier": "the same, CNN",
    "wide_after": "error barrier of the widest independent pair after weight matching",
    "wide_signed": "error barrier of the widest independent pair after alignment by "
                   "permutations and sign flips",
    "n_connected_widths": "widths whose aligned pairs are linearly connected (2 % margin)",
    "churn_min": "smallest share of test predictions two runs of one source disagree on",
    "n_sources": "sources of variability measured",
    "lin_churn": "share of test predictions two linear networks disagree on",
    "mlp_churn": "share of test predictions two tanh MLPs disagree on",
    "best": "most accurate network",
    "n_ahead": "networks without chaos more accurate than every chaotic one",
    "n_chaotic_below_edge": "chaotic runs below the edge of stability",
    "sym_transformer": "symmetry directions per parameter of the transformer",
    "ratio_minimal": "largest posterior width, last over first sample size, minimal student",
    "ratio_wide": "the same, student with an extra unit",
    "sym_others": "at most, for the CNN and the MLPs (linear aside)",
    # 13 chaos in random networks
    "growth_err": "largest change of the per-layer growth under a gauge transformation",
    "sigma_c": "critical weight variance σ_w²",
    "c2_fit": "fitted 1/N² coefficient c₂",
    "c2_se": "its standard error",
    "c_fit": "fitted 1/N coefficient c",
    "c_one_loop": "one-loop coefficient c₁",
    "c_se": "its standard error",
    "c_z": "fitted minus one-loop coefficient, standard errors",
    "lam_inf": "mean-field exponent ln(χ₁)/2, per layer",
    "n_dev": "N (λ_N − λ_∞) at each width",
    "n_dev_se": "its standard errors",
    "c_terms": "parts of c₁ (χ, ρ and q terms)",
    "sigma_c_sim": "critical weight variance σ_w², simulated",
    "ginn_z": "GINN exponent against the measured one, standard errors",
    "output_err": "largest change of an output modulus under a gauge transformation",
    "split_err": "the same for split-complex tanh (control)",
    "dstar": "saturation distance d* of the map, per unit",
    "l_sat": "layers of exponential growth",
    "late_allow": "delay the finite width allows, late layers",
    "late_dev": "late mean ln d, simulation minus map",
    "late_se": "its standard error",
    "lyapunov_chi": "exponent ln(χ₁)/2, per layer",
    "lyapunov_map": "exponent of the two-replica map, per layer",
    "n_grow": "layers in the exponential phase",
    "replica_minus_chi": "map minus ln(χ₁)/2, per layer",
    "slope_map": "growth rate of ln d on the map, per layer",
    "slope_se": "its standard error over networks",
    "slope_shift": "finite-width shift of the growth rate, per layer",
    "slope_sim": "simulated growth rate of ln d, per layer",
    "slope_z": "simulated minus predicted growth rate, standard errors",
    # 14 random RNNs
    "xi_ratio_max": "largest residual cross-covariance, relative",
    "corr_se": "standard error of the covariance correlation, each size",
    "corr_other": "correlation with the prediction for unrelated couplings, each size",
    "rel_err_sys": "systematic error of the predicted covariance, relative, each size",
    "noise_rel": "sampling noise of a covariance entry, relative, each size",
    "pr_sim": "participation ratio, measured, each size",
    "pr_pred": "participation ratio, predicted, each size",
    "xi_ratio": "residual cross-covariance, relative, each size",
    "xi_noise_ratio": "its sampling noise, relative, each size",
    # 15-18 computational entanglement
    "collapsed": "share of outputs collapsed",
    "orthogonal": "orthogonal chain",
}

_CODE_NAME = re.compile(r"^[a-z][a-z0-9]*(_[a-z0-9]+)+$|^[a-z]+[0-9]+$")


def is_code_name(name: str) -> bool:
    """True for a name as code spells it (``rho_init``, ``lam2``), not words.

    Examples
    --------
    >>> is_code_name("rho_init"), is_code_name("top exponent"), is_code_name("E[exp(-σ)]")
    (True, False, False)
    """
    return bool(_CODE_NAME.match(name))


def evidence_label(name: str) -> str:
    """What a reader sees for the evidence recorded under ``name``.

    Examples
    --------
    >>> evidence_label("rho_init"), evidence_label("top exponent")
    ('spectral radius ρ(I − ηH) at initialisation', 'top exponent')
    """
    return EVIDENCE_LABELS.get(name, name)
