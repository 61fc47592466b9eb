"""Bad input for ``uniqnets.thermo`` (see ``tests/bad_input/__init__.py``)."""

from __future__ import annotations

import math

import numpy as np

from uniqnets import data, models
from uniqnets import thermo as th

from . import (
    ARRAY,
    BOOLEAN,
    CALLABLE,
    CHOICE,
    NONNEG_INT,
    NONNEG_REAL,
    POS_INT,
    POS_REAL,
    RNG,
    SIZE,
    WRONG_TYPE,
    Case,
)

NAN = math.nan
I2 = np.eye(2)
ROT = np.array([[0.0, -1.0], [1.0, 0.0]])

#: a matrix argument of shape (2, 2)
MATRIX = ARRAY + [(np.full((2, 2), NAN), ValueError), (np.zeros((2, 3)), ValueError),
                  (np.zeros((0, 0)), ValueError), (np.zeros(2), ValueError)]
#: a symmetric positive-definite (2, 2) matrix
SPD = MATRIX + [(np.diag([1.0, -1.0]), ValueError), (np.diag([1.0, 0.0]), ValueError),
                ([[1.0, 0.5], [0.0, 1.0]], ValueError)]
#: the same, when the dimension 2 is fixed by another argument
SPD2 = SPD + [(np.eye(3), ValueError)]
#: an optional mean of shape (2,) (None is valid)
MEAN = [("abc", TypeError), ([[1.0, "x"]], TypeError), (np.zeros(3), ValueError),
        ([NAN, 0.0], ValueError)]
#: a variance: a real > 0
VARIANCE = POS_REAL
#: a row-stochastic (2, 2) matrix
STOCHASTIC = MATRIX + [([[0.5, 0.6], [0.5, 0.5]], ValueError),
                       ([[1.5, -0.5], [0.5, 0.5]], ValueError)]

P2 = np.array([[0.9, 0.1], [0.2, 0.8]])
PATH = np.cumsum(np.random.default_rng(0).standard_normal((2, 30, 2)) * 0.3, axis=1)


def _drift(X):
    return -0.5 * X


def _logp(t, X):
    return -0.5 * np.sum(X**2, axis=1) - np.log(2 * np.pi)


_rng = np.random.default_rng(1)
_ds = data.sine_regression(6, _rng)
_model = models.MLP((1, 3, 1))
OBJECTIVE = models.Objective(_model, _ds.X, _ds.Y)
_TH = _model.init(np.random.default_rng(2), bias_std=0.5)  # d = 10
TH_BAD = ARRAY + [(np.zeros(3), ValueError), (np.full(10, NAN), ValueError)]
_NOISE = th.MinibatchNoise(OBJECTIVE, 2)


def _rngs():
    return [np.random.default_rng(0), np.random.default_rng(1)]


RNGS = [(0.5, TypeError), (np.random.default_rng(0), TypeError), (None, TypeError),
        ([np.random.default_rng(0)], ValueError), ([0.5, 0.5], TypeError)]

_LG = th.linear_gaussian_entropy_production(0.5 * I2, I2, 2 * I2, 3)
_PE = th.path_entropy_production(PATH[0], _drift, 1.0, log_density=_logp)

CASES = [
    # -- closed forms ------------------------------------------------------------------
    Case("gaussian_entropy", th.gaussian_entropy, {"C": I2}, {"C": SPD}),
    Case("gaussian_kl", th.gaussian_kl,
         {"m1": [0.0, 0.0], "C1": I2, "m2": [1.0, 0.0], "C2": 2 * I2},
         {"m1": MEAN, "C1": SPD, "m2": MEAN, "C2": SPD2}),
    Case("euler_ou_chain", th.euler_ou_chain, {"A": I2 + ROT, "D": I2, "eta": 0.1},
         {"A": MATRIX, "D": SPD2, "eta": POS_REAL}),
    Case("linear_gaussian_stationary_entropy_production",
         th.linear_gaussian_stationary_entropy_production, {"M": 0.5 * I2, "Q": I2},
         {"M": MATRIX + [(1.1 * I2, ValueError)], "Q": SPD2}),
    Case("linear_gaussian_entropy_production", th.linear_gaussian_entropy_production,
         {"M": 0.5 * I2, "Q": I2, "C0": 2 * I2, "n_steps": 3, "m0": [1.0, 0.0]},
         {"M": MATRIX, "Q": SPD2, "C0": SPD2, "n_steps": SIZE, "m0": MEAN}),
    Case("LinearGaussianEntropy", lambda t, X: _LG.log_density(t, X),
         {"t": 1, "X": np.zeros((3, 2))},
         {"t": NONNEG_INT + [(4, ValueError)],
          "X": ARRAY + [(np.zeros((3, 3)), ValueError), (np.full((1, 2), NAN), ValueError),
                        (np.zeros((2, 2, 2)), ValueError), (np.zeros((0, 2)), ValueError)]}),
    Case("ou_stationary_entropy_production", th.ou_stationary_entropy_production,
         {"A": I2 + ROT, "D": I2}, {"A": MATRIX + [(-I2, ValueError)], "D": SPD2}),
    Case("ou_entropy_production", th.ou_entropy_production,
         {"A": I2 + ROT, "D": I2, "C0": 2 * I2, "t": [0.0, 1.0], "m0": [1.0, 0.0]},
         {"A": MATRIX + [(-I2, ValueError)], "D": SPD2, "C0": SPD2,
          "t": ARRAY + [(-1.0, ValueError), (NAN, ValueError), (math.inf, ValueError),
                        (np.zeros((2, 2)), ValueError), ([], ValueError)],
          "m0": MEAN}),
    Case("OUEntropy", exempt="a result container built by ou_entropy_production"),
    # -- paths ---------------------------------------------------------------------------
    Case("path_entropy_production", th.path_entropy_production,
         {"path": PATH, "drift": _drift, "noise_cov": 0.5, "log_density": _logp,
          "batched": True},
         {"path": ARRAY + [(np.zeros(5), ValueError), (np.zeros((1, 2)), ValueError),
                           (np.zeros((5, 0)), ValueError),
                           (np.zeros((2, 2, 2, 2)), ValueError)],
          "drift": [("abc", TypeError), (None, TypeError), (np.zeros((4, 2)), ValueError),
                    (lambda X: X[:, :1], ValueError), (lambda X: "abc", TypeError)],
          "noise_cov": VARIANCE + [(None, TypeError), (np.eye(3), ValueError),
                                   ([[1.0, 0.5], [0.0, 1.0]], ValueError),
                                   (np.diag([1.0, -1.0]), ValueError),
                                   (np.full((2, 2), NAN), ValueError),
                                   (np.zeros((2, 30, 2, 3)), ValueError),
                                   (lambda X: np.zeros((len(X), 2, 2)), ValueError),
                                   (lambda X: np.zeros((len(X), 3)), ValueError)],
          "log_density": CALLABLE + [(lambda t, X: np.zeros(3), ValueError)],
          "batched": BOOLEAN}),
    Case("PathEntropy", lambda which: _PE.cumulative(which), {"which": "total"},
         {"which": CHOICE + [("heat", ValueError)]}),
    Case("sample_gaussian_chain", th.sample_gaussian_chain,
         {"x0": np.zeros(2), "drift": _drift, "noise_cov": 0.5, "n_steps": 5,
          "rng": np.random.default_rng(2), "batched": True, "max_norm": 1e6},
         {"x0": ARRAY + [([NAN, 0.0], ValueError), (np.zeros((2, 2, 2)), ValueError),
                         (np.zeros(0), ValueError)],
          "drift": CALLABLE + [(None, TypeError), (lambda X: X[:, :1], ValueError)],
          "noise_cov": VARIANCE + [(None, TypeError), (np.eye(3), ValueError),
                                   (np.diag([1.0, -1.0]), ValueError),
                                   (lambda X: np.zeros((len(X), 2, 2)), ValueError)],
          "n_steps": SIZE, "rng": RNG, "batched": BOOLEAN,
          "max_norm": [(True, TypeError), ("2", TypeError), (object(), TypeError),
                       (NAN, ValueError), (-1, ValueError), (0, ValueError)]}),
    Case("GaussianChainPath", exempt="a result container built by sample_gaussian_chain"),
    # -- finite chains -------------------------------------------------------------------
    Case("stationary_distribution", th.stationary_distribution, {"P": P2},
         {"P": STOCHASTIC + [(I2, ValueError)]}),
    Case("markov_entropy_production", th.markov_entropy_production,
         {"P": P2, "p": [0.5, 0.5], "log_P": np.log(P2)},
         {"P": STOCHASTIC,
          "p": [("abc", TypeError), ([[1.0, "x"]], TypeError), ([0.5, 0.6], ValueError),
                ([1.0], ValueError), ([NAN, 1.0], ValueError), ([1.5, -0.5], ValueError)],
          "log_P": [("abc", TypeError), ([[1.0, "x"]], TypeError),
                    (np.zeros((3, 3)), ValueError), (np.full((2, 2), NAN), ValueError),
                    (np.log(P2) + np.array([[np.inf, 0], [0, 0]]), ValueError),
                    (np.log(P2) + 1.0, ValueError)]}),
    Case("MarkovEntropy", exempt="a result container built by markov_entropy_production"),
    Case("grid_transition_matrix", th.grid_transition_matrix,
         {"grid": np.linspace(-3, 3, 31), "drift": _drift, "noise_var": 0.5},
         {"grid": ARRAY + [(np.zeros((3, 3)), ValueError), ([0.0, 1.0], ValueError),
                           ([0.0, 1.0, 3.0], ValueError), ([0.0, NAN, 2.0], ValueError),
                           ([2.0, 1.0, 0.0], ValueError),
                           (np.arange(3_000_000.0), ValueError)],  # K^2 floats: absurd
          "drift": CALLABLE + [(None, TypeError), (lambda x: x[:2], ValueError)],
          "noise_var": VARIANCE + [(None, TypeError), (lambda x: -1.0 - x * x, ValueError)]}),
    # -- estimators ----------------------------------------------------------------------
    Case("binned_entropy_production", th.binned_entropy_production,
         {"path": PATH, "bins": 3, "range": [(-1.0, 1.0), (-1.0, 1.0)], "pseudocount": 0.5},
         {"path": ARRAY + [(np.zeros(5), ValueError), (np.zeros((1, 2)), ValueError),
                           (np.full((4, 2), NAN), ValueError)],
          "bins": POS_INT + [("abc", TypeError), ([3], ValueError),
                             ([3, [1.0, 0.0]], ValueError), ([3, 2.5], TypeError),
                             (10**13, ValueError)],
          "range": [("abc", TypeError), ([[1.0, "x"]], TypeError),
                    (np.zeros((3, 2)), ValueError), ([(0.0, NAN), (0.0, 1.0)], ValueError)],
          "pseudocount": NONNEG_REAL}),
    Case("BinnedEntropy", exempt="a result container built by binned_entropy_production"),
    Case("fluctuation_theorem_check", th.fluctuation_theorem_check,
         {"sigmas": [0.1, -0.2, 0.3]},
         {"sigmas": ARRAY + [([1.0], ValueError), ([0.0, NAN], ValueError),
                             ([0.0, math.inf], ValueError), ([], ValueError)]}),
    Case("FluctuationCheck",
         exempt="a result container built by fluctuation_theorem_check"),
    Case("MinibatchNoise", th.MinibatchNoise,
         {"objective": OBJECTIVE, "batch_size": 2, "replace": False},
         {"objective": WRONG_TYPE, "batch_size": POS_INT + [(7, ValueError)],
          "replace": BOOLEAN}),
    # -- experiments on a network's training chain -----------------------------------------
    Case("init_law_entropy", th.init_law_entropy,
         {"model": _model, "bias_std": 0.5, "gain": 1.0},
         {"model": WRONG_TYPE, "bias_std": POS_REAL, "gain": POS_REAL}),
    Case("langevin_heat", lambda **kw: th.langevin_heat(**{**kw, "rngs": kw["rngs"]()}
                                                         if callable(kw["rngs"]) else kw),
         {"objective": OBJECTIVE, "init": lambda r: _TH, "rngs": _rngs, "n_steps": 2,
          "lr": 0.05, "temperature": 1e-3, "hessian_checkpoints": 1},
         {"objective": WRONG_TYPE, "init": CALLABLE, "rngs": RNGS, "n_steps": POS_INT,
          "lr": POS_REAL, "temperature": POS_REAL, "hessian_checkpoints": NONNEG_INT}),
    Case("LangevinHeat", exempt="a result container built by langevin_heat"),
    Case("langevin_stationary_production",
         lambda **kw: th.langevin_stationary_production(
             **{**kw, "rngs": kw["rngs"]()} if callable(kw["rngs"]) else kw),
         {"objective": OBJECTIVE, "theta": _TH, "rngs": _rngs, "n_steps": 4, "lr": 0.05,
          "temperature": 1e-3, "block": 2},
         {"objective": WRONG_TYPE, "theta": TH_BAD, "rngs": RNGS,
          "n_steps": POS_INT + [(1, ValueError)], "lr": POS_REAL, "temperature": POS_REAL,
          "block": POS_INT}),
    Case("StationaryProduction",
         exempt="a result container built by langevin_stationary_production"),
    Case("minibatch_transient", th.minibatch_transient,
         {"objective": OBJECTIVE, "noise": _NOISE, "theta0": np.array([_TH, -_TH]),
          "n_steps": 2, "lr": 0.05, "temperature": 1e-3, "rng": np.random.default_rng(0)},
         {"objective": WRONG_TYPE, "noise": WRONG_TYPE,
          "theta0": ARRAY + [(_TH[None], ValueError), (np.zeros((2, 3)), ValueError)],
          "n_steps": POS_INT, "lr": POS_REAL, "temperature": POS_REAL, "rng": RNG}),
    Case("MinibatchTransient", exempt="a result container built by minibatch_transient"),
    Case("linearised_rate_scan", th.linearised_rate_scan,
         {"hessian": np.diag([1.0, 2.0]), "noise_cov": [[1.0, 0.5], [0.5, 1.0]],
          "etas": [0.1, 0.05, 0.02], "temperatures": [1e-3]},
         {"hessian": MATRIX + [(ROT, ValueError)], "noise_cov": MATRIX + [(np.eye(3), ValueError)],
          "etas": ARRAY + [([0.1, 0.05], ValueError), ([0.1, -0.05, 0.02], ValueError)],
          "temperatures": ARRAY + [([0.0], ValueError), ([NAN], ValueError)]}),
    Case("RateScan", exempt="a result container built by linearised_rate_scan"),
    Case("linearised_monte_carlo", th.linearised_monte_carlo,
         {"M": 0.5 * I2, "Q": I2, "n_walkers": 3, "n_steps": 2, "rng": np.random.default_rng(0)},
         {"M": MATRIX + [(2 * I2, ValueError)], "Q": MATRIX + [(np.eye(3), ValueError)],
          "n_walkers": POS_INT + [(1, ValueError)], "n_steps": POS_INT, "rng": RNG}),
    Case("LinearisedCheck", exempt="a result container built by linearised_monte_carlo"),
    Case("sgd_reversal_gap", th.sgd_reversal_gap,
         {"objective": OBJECTIVE, "theta": _TH, "lr": 0.05},
         {"objective": WRONG_TYPE, "theta": TH_BAD, "lr": POS_REAL}),
    Case("two_step_endpoints", th.two_step_endpoints,
         {"objective": OBJECTIVE, "theta": _TH, "lr": 0.05, "temperature": 1e-3, "n_runs": 2,
          "rng": np.random.default_rng(0)},
         {"objective": WRONG_TYPE, "theta": TH_BAD, "lr": POS_REAL, "temperature": POS_REAL,
          "n_runs": POS_INT, "rng": RNG}),
    Case("EndpointCount", exempt="a result container built by two_step_endpoints"),
    Case("mirror_fixed_points", th.mirror_fixed_points,
         {"objective": OBJECTIVE, "theta": _TH, "n_steps": 2, "lr": 0.05, "unit": 0},
         {"objective": WRONG_TYPE, "theta": TH_BAD, "n_steps": POS_INT, "lr": POS_REAL,
          "unit": NONNEG_INT + [(3, ValueError)]}),
    Case("MirrorFixedPoints", exempt="a result container built by mirror_fixed_points"),
    Case("covariance_degeneracy", th.covariance_degeneracy,
         {"noise": _NOISE, "theta": _TH, "rtol": 1e-6},
         {"noise": WRONG_TYPE, "theta": TH_BAD, "rtol": POS_REAL}),
    Case("CovarianceDegeneracy", exempt="a result container built by covariance_degeneracy"),
    # -- experiments: known answers, the double well, the binned estimator's tests -------
    Case("ou_relaxation", th.ou_relaxation,
         {"A": I2 + ROT, "D": I2, "eta": 0.1, "m0": [1.0, 0.0], "C0": I2, "n_steps": 2,
          "n_paths": 20, "rng": 0},
         {"eta": POS_REAL, "m0": ARRAY + [([1.0], ValueError), ([NAN, 0.0], ValueError)],
          "C0": ARRAY + [(-I2, ValueError), (np.eye(3), ValueError)], "n_steps": SIZE,
          "n_paths": SIZE + [(1, ValueError)], "rng": RNG}),
    Case("OURelaxation", exempt="a result container built by ou_relaxation"),
    Case("ou_fluctuation", th.ou_fluctuation,
         {"A": I2 + ROT, "D": I2, "eta": 0.1, "n_steps": 2, "n_paths": 20, "rng": 0},
         {"eta": POS_REAL, "n_steps": SIZE, "n_paths": SIZE + [(1, ValueError)], "rng": RNG}),
    Case("OUFluctuation", exempt="a result container built by ou_fluctuation"),
    Case("euler_limit", th.euler_limit, {"A": I2 + ROT, "D": I2, "etas": [0.1, 0.05]},
         {"A": ARRAY + [(np.zeros(2), ValueError)], "D": ARRAY + [(-I2, ValueError)],
          "etas": ARRAY + [([0.1], ValueError), ([0.1, -0.1], ValueError)]}),
    Case("EulerLimit", exempt="a result container built by euler_limit"),
    Case("finite_chains", th.finite_chains, {"n_states": 4, "p": 0.6, "q": 0.1, "rng": 0},
         {"n_states": SIZE + [(2, ValueError)], "p": POS_REAL + [(1.0, ValueError)],
          "q": POS_REAL + [(0.5, ValueError)], "rng": RNG}),
    Case("FiniteChains", exempt="a result container built by finite_chains"),
    Case("quadratic_balance", th.quadratic_balance,
         {"A": np.diag([1.0, 4.0]), "temperature": 0.2, "eta": 0.1, "n_samples": 20, "rng": 0},
         {"A": ARRAY + [(-I2, ValueError)], "temperature": POS_REAL, "eta": POS_REAL,
          "n_samples": SIZE + [(5, ValueError)], "rng": RNG}),
    Case("QuadraticBalance", exempt="a result container built by quadratic_balance"),
    Case("double_well_chain", th.double_well_chain,
         {"eta": 0.1, "temperature": 0.2, "n_grid": 20, "half_width": 3.0},
         {"eta": POS_REAL, "temperature": POS_REAL, "n_grid": SIZE + [(2, ValueError)],
          "half_width": POS_REAL}),
    Case("DoubleWellChain", exempt="a result container built by double_well_chain"),
    Case("double_well_scan", th.double_well_scan,
         {"etas": [0.2, 0.1, 0.05], "temperature": 0.2, "n_grid": 60, "cut": 0.5},
         {"etas": ARRAY + [([0.2, 0.1], ValueError), ([0.2, 0.1, -0.1], ValueError),
                           ([0.2, 0.1, 0.1], ValueError)],
          "temperature": POS_REAL, "n_grid": SIZE + [(2, ValueError)],
          "cut": POS_REAL + [(1.0, ValueError)]}),
    Case("DoubleWellScan", exempt="a result container built by double_well_scan"),
    Case("double_well_transient", th.double_well_transient,
         {"eta": 0.05, "temperature": 0.2, "n_grid": 60, "n_steps": 2, "n_walkers": 4,
          "rng": 0},
         {"eta": POS_REAL, "temperature": POS_REAL, "n_grid": SIZE + [(2, ValueError)],
          "n_steps": SIZE, "n_walkers": SIZE + [(1, ValueError)], "rng": RNG}),
    Case("DoubleWellTransient", exempt="a result container built by double_well_transient"),
    Case("double_well_path_estimate", th.double_well_path_estimate,
         {"eta": 0.1, "temperature": 0.2, "n_grid": 60, "n_walkers": 4, "n_steps": 2,
          "rng": 0, "n_burn": 2},
         {"eta": POS_REAL, "temperature": POS_REAL, "n_grid": SIZE + [(2, ValueError)],
          "n_walkers": SIZE + [(1, ValueError)], "n_steps": SIZE, "rng": RNG,
          "n_burn": NONNEG_INT}),
    Case("PathEstimate", exempt="a result container built by double_well_path_estimate"),
    Case("mixing_times", th.mixing_times,
         {"temperatures": [0.2, 0.1], "eta": 0.05, "n_grid": 60},
         {"temperatures": ARRAY + [([0.2], ValueError), ([0.2, -0.1], ValueError)],
          "eta": POS_REAL, "n_grid": SIZE + [(5, ValueError)]}),
    Case("MixingTimes", exempt="a result container built by mixing_times"),
    Case("binned_convergence_ou", th.binned_convergence_ou,
         {"n_transitions": 200, "bin_counts": [3], "rng": 0, "omega": 1.0, "eta": 0.2,
          "n_chains": 5, "n_boot": 2},
         {"n_transitions": SIZE + [(50, ValueError)],
          "bin_counts": [("abc", TypeError), ([1], ValueError)], "rng": RNG,
          "omega": [(NAN, ValueError), ("1", TypeError)], "eta": POS_REAL,
          "n_chains": SIZE + [(1, ValueError)], "n_boot": SIZE + [(1, ValueError)]}),
    Case("BinnedConvergence", exempt="a result container built by binned_convergence_ou"),
    Case("binned_double_well", th.binned_double_well,
         {"eta": 0.05, "temperature": 0.2, "n_grid": 60, "n_walkers": 4, "rng": 0,
          "n_bins": 4, "n_steps": 2, "n_boot": 2},
         {"eta": POS_REAL, "temperature": POS_REAL, "n_grid": SIZE + [(2, ValueError)],
          "n_walkers": SIZE + [(1, ValueError)], "rng": RNG,
          "n_bins": SIZE + [(1, ValueError)], "n_steps": SIZE,
          "n_boot": SIZE + [(1, ValueError)]}),
    Case("BinnedDoubleWell", exempt="a result container built by binned_double_well"),
    Case("entropy_budget_cases", th.entropy_budget_cases,
         {"t_max": 1.0, "n_times": 3, "variance": 0.1},
         {"t_max": POS_REAL, "n_times": SIZE + [(1, ValueError)], "variance": POS_REAL}),
    Case("EntropyBudgetCases", exempt="a result container built by entropy_budget_cases"),
]
