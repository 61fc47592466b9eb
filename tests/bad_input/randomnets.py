"""Bad input for ``uniqnets.randomnets``: one case per public name."""

from __future__ import annotations

import math

import numpy as np

from uniqnets import randomnets as rn

from . import (
    ABSURD,
    ARRAY,
    BOOLEAN,
    CALLABLE,
    CHOICE,
    COMPLEX_ARRAY,
    NONNEG_INT,
    NONNEG_REAL,
    POS_INT,
    POS_REAL,
    REAL,
    RNG,
    SIZE,
    Case,
)

NAN, INF = math.nan, math.inf
PHI = CHOICE + [("relu", ValueError)]
NETWORK = CHOICE + [("quantum", ValueError)]
METHOD = CHOICE + [("fast", ValueError)]
SIGMAS = {"sigma_w2": NONNEG_REAL, "sigma_b2": NONNEG_REAL}
# a sigma absurdly large for the quadrature behind q* (its rule grows like sqrt(q))
HUGE_SIGMA = [(1e300, ValueError)]
#: an optional array (None means "not given")
ARRAY_OPTIONAL = [(v, e) for v, e in ARRAY if v is not None]


def _net():
    return rn.random_ginn((3, 4, 2), 2.0, 0.1, rng=0)


_DMFT = rn.dmft_autocorrelation(2.0, tau_max=10.0)
_J = rn.random_couplings(6, 1.0, rng=0)


def _spectrum(omega, which):
    return _DMFT.spectrum(omega, which)


def _gaugenet(magnitudes, phases, biases, phi):
    return rn.GaugeNet(magnitudes, phases, biases, phi)


CASES = [
    Case("ACTIVATIONS", exempt="a constant tuple of names"),
    Case("NETWORKS", exempt="a constant tuple of names"),
    Case("ReplicaResult", exempt="result container built by replica_lyapunov"),
    Case("DeepExponent", exempt="result container built by deep_tangent_exponent"),
    Case("OneLoop", exempt="result container built by finite_width_correction"),
    Case("RNNLyapunov", exempt="result container built by rnn_lyapunov"),
    # -- signal propagation
    Case("qmap", rn.qmap,
         valid=dict(q=1.0, sigma_w2=2.0, sigma_b2=0.05, phi="tanh", network="real"),
         bad={"q": NONNEG_REAL + [(1e300, ValueError)], **SIGMAS, "phi": PHI,
              "network": NETWORK}),
    Case("meanfield_qstar", rn.meanfield_qstar,
         valid=dict(sigma_w2=2.0, sigma_b2=0.05, phi="tanh", network="real"),
         bad={"sigma_w2": NONNEG_REAL + HUGE_SIGMA, "sigma_b2": NONNEG_REAL + HUGE_SIGMA,
              "phi": PHI, "network": NETWORK}),
    Case("chi1", rn.chi1,
         valid=dict(sigma_w2=2.0, sigma_b2=0.05, phi="erf", network="ginn"),
         bad={"sigma_w2": NONNEG_REAL + HUGE_SIGMA, "sigma_b2": NONNEG_REAL,
              "phi": PHI, "network": NETWORK}),
    Case("critical_sigma_w2", rn.critical_sigma_w2,
         valid=dict(sigma_b2=0.05, phi="tanh", network="real", sigma_w2_max=10.0),
         bad={"sigma_b2": NONNEG_REAL, "phi": PHI, "network": NETWORK,
              "sigma_w2_max": POS_REAL + [(1e300, ValueError)]}),
    # -- double copy
    Case("cmap_distance", rn.cmap_distance,
         valid=dict(d=0.01, sigma_w2=2.0, sigma_b2=0.05, phi="tanh", network="ginn", n_quad=6),
         bad={"d": NONNEG_REAL + [(100.0, ValueError)], **SIGMAS, "phi": PHI,
              "network": NETWORK,
              "n_quad": POS_INT + [(3, ValueError), (10**4, ValueError)]}),
    Case("replica_lyapunov", rn.replica_lyapunov,
         valid=dict(sigma_w2=2.0, sigma_b2=0.05, phi="tanh", network="real", d0=1e-3,
                    n_layers=3, d_lin=1e-7, n_quad=8),
         bad={**SIGMAS, "phi": PHI, "network": NETWORK,
              "d0": NONNEG_REAL + [(100.0, ValueError)],
              "n_layers": NONNEG_INT + ABSURD,
              "d_lin": POS_REAL + [(0.5, ValueError)],
              "n_quad": POS_INT + [(3, ValueError)]}),
    Case("deep_tangent_exponent", rn.deep_tangent_exponent,
         valid=dict(sigma_w2=2.0, sigma_b2=0.05, width=8, n_layers=20, rng=0, phi="tanh",
                    network="real", method="gram", n_chains=2, n_transient=2, n_blocks=4),
         bad={**SIGMAS, "width": SIZE + [(1, ValueError)],
              "n_layers": SIZE + [(7, ValueError)], "rng": RNG, "phi": PHI,
              "network": NETWORK, "method": METHOD, "n_chains": SIZE,
              "n_transient": NONNEG_INT + ABSURD, "n_blocks": POS_INT + [(1, ValueError)]}),
    Case("finite_width_correction", rn.finite_width_correction,
         valid=dict(sigma_w2=2.0, sigma_b2=0.05, phi="tanh"),
         bad={"sigma_w2": NONNEG_REAL + HUGE_SIGMA, "sigma_b2": NONNEG_REAL, "phi": PHI}),
    Case("deep_pair_distances", rn.deep_pair_distances,
         valid=dict(sigma_w2=2.0, sigma_b2=0.05, width=8, n_layers=3, d0=1e-3, rng=0,
                    phi="tanh", network="ginn", method="dense", n_nets=2),
         bad={**SIGMAS, "width": SIZE + [(1, ValueError)], "n_layers": SIZE,
              "d0": POS_REAL, "rng": RNG, "phi": PHI, "network": NETWORK,
              "method": METHOD, "n_nets": SIZE}),
    # -- magnitude-phase networks
    Case("GaugeNet", _gaugenet,
         valid=dict(magnitudes=[np.ones((3, 2))], phases=[np.zeros((3, 2))],
                    biases=[np.zeros(3, complex)], phi="tanh"),
         bad={"magnitudes": [(None, TypeError), ("abc", TypeError), ([], ValueError),
                             ([np.ones((3, 2))] * 2, ValueError),
                             ([-np.ones((3, 2))], ValueError),
                             ([np.full((3, 2), np.nan)], ValueError),
                             ([np.ones(3)], ValueError), ([[["x", 1.0]]], TypeError)],
              "phases": [(None, TypeError), ([np.zeros((2, 2))], ValueError),
                         ([np.full((3, 2), np.inf)], ValueError),
                         ([np.zeros((3, 2))] * 2, ValueError)],
              "biases": [(None, TypeError), ([np.zeros(2)], ValueError),
                         ([np.full(3, np.nan)], ValueError)],
              "phi": PHI}),
    Case("random_ginn", rn.random_ginn,
         valid=dict(sizes=(3, 4, 2), sigma_w2=2.0, sigma_b2=0.1, rng=0, phi="tanh"),
         bad={"sizes": [(None, TypeError), (5, TypeError), ("abc", TypeError),
                        ((3,), ValueError), ((3, 0), ValueError), ((3, 2.5), TypeError),
                        ((3, True), TypeError), ((10**7, 10**7), ValueError)],
              **SIGMAS, "rng": RNG, "phi": PHI}),
    Case("ginn_forward", lambda net, x, activation: rn.ginn_forward(net, x,
                                                                   activation=activation),
         valid=dict(net=_net(), x=np.ones((2, 3)), activation="modulus"),
         bad={"net": [(None, TypeError), ("net", TypeError), (object(), TypeError)],
              "x": COMPLEX_ARRAY + [(np.ones(4), ValueError), (np.ones((2, 2)), ValueError),
                            (np.ones((2, 2, 3)), ValueError), (np.zeros((0, 3)), ValueError),
                            ([NAN, 0.0, 0.0], ValueError)],
              "activation": CHOICE + [("relu", ValueError)]}),
    Case("gauge_transform", rn.gauge_transform,
         valid=dict(net=_net(), alphas=[np.zeros(4), np.ones(2)], alpha0=np.zeros(3)),
         bad={"net": [(None, TypeError), ("net", TypeError)],
              "alphas": [(None, TypeError), (1.0, TypeError), ("ab", TypeError),
                         ([np.zeros(4)], ValueError), ([np.zeros(3), np.ones(2)], ValueError),
                         ([np.zeros(4), [NAN, 0.0]], ValueError),
                         ([np.zeros(4), "ab"], TypeError)],
              "alpha0": ARRAY_OPTIONAL + [(np.zeros(2), ValueError),
                                          ([INF, 0.0, 0.0], ValueError)]}),
    Case("ginn_tangent_growth", rn.ginn_tangent_growth,
         valid=dict(net=_net(), x=np.ones(3), v=np.array([1.0, 1j, 0.0])),
         bad={"net": [(None, TypeError), (1, TypeError)],
              "x": COMPLEX_ARRAY + [(np.ones(2), ValueError), (np.ones((1, 3)), ValueError),
                            ([NAN, 0.0, 0.0], ValueError)],
              "v": COMPLEX_ARRAY + [(np.ones(4), ValueError), (np.zeros(3), ValueError),
                            ([INF, 0.0, 0.0], ValueError)]}),
    # -- recurrent networks
    Case("random_couplings", rn.random_couplings,
         valid=dict(N=5, g=1.5, rng=0),
         bad={"N": SIZE, "g": NONNEG_REAL, "rng": RNG}),
    Case("simulate_rnn", rn.simulate_rnn,
         valid=dict(J=_J, x0=np.ones(6), t_total=1.0, dt=0.1, phi="tanh", t_transient=0.5,
                    sample_every=2),
         bad={"J": ARRAY + [(np.ones((6, 5)), ValueError), (np.ones(6), ValueError),
                            (_J * 1j, TypeError), (np.full((6, 6), np.nan), ValueError)],
              "x0": ARRAY + [(np.ones(5), ValueError), (np.full(6, np.inf), ValueError)],
              "t_total": POS_REAL + [(1e300, ValueError)],
              "dt": POS_REAL + [(1e-300, ValueError)],
              "phi": PHI, "t_transient": NONNEG_REAL + [(1e300, ValueError)],
              "sample_every": POS_INT + [(100, ValueError)]}),
    Case("population_autocorrelation", rn.population_autocorrelation,
         valid=dict(X=np.ones((10, 3)), n_lags=4),
         bad={"X": ARRAY + [(np.ones(10), ValueError), (np.ones((2, 2, 2)), ValueError),
                            (np.zeros((0, 3)), ValueError), ([[NAN, 1.0]], ValueError)],
              "n_lags": POS_INT + [(11, ValueError)]}),
    Case("rnn_lyapunov", rn.rnn_lyapunov,
         valid=dict(g=2.0, N=6, t_total=2.0, dt=0.1, k=2, rng=0, phi="tanh",
                    t_transient=0.5, J=None, renorm_every=1, progress=False),
         bad={"g": NONNEG_REAL, "N": SIZE, "t_total": POS_REAL + [(1e300, ValueError)],
              "dt": POS_REAL + [(1e-300, ValueError)], "k": POS_INT + [(7, ValueError)],
              "rng": RNG, "phi": PHI, "t_transient": NONNEG_REAL + [(1e300, ValueError)],
              "J": ARRAY_OPTIONAL + [(np.ones((5, 5)), ValueError), (np.ones((6, 5)), ValueError),
                            (np.full((6, 6), np.nan), ValueError)],
              "renorm_every": POS_INT, "progress": BOOLEAN}),
    # -- dynamic mean-field theory
    Case("dmft_autocorrelation", rn.dmft_autocorrelation,
         valid=dict(g=2.0, phi="tanh", tau_max=10.0, dtau=0.05, n_grid=33, rtol=1e-8),
         bad={"g": NONNEG_REAL + [(1e308, ValueError), (20.0, ValueError)],
              "phi": CHOICE + [("linear", ValueError)],
              "tau_max": POS_REAL + [(1e300, ValueError)],
              "dtau": POS_REAL + [(2.0, ValueError), (1e-300, ValueError)],
              "n_grid": POS_INT + [(8, ValueError)] + ABSURD,
              "rtol": POS_REAL + [(0.1, ValueError)]}),
    Case("DMFTResult", _spectrum,
         valid=dict(omega=np.linspace(-2.0, 2.0, 5), which="residual"),
         bad={"omega": ARRAY + [([NAN, 1.0], ValueError), (np.zeros(10**7), ValueError)],
              "which": CHOICE + [("y", ValueError)]}),
    # -- linear equivalence
    Case("linear_equivalent_covariance", rn.linear_equivalent_covariance,
         valid=dict(J=_J, dmft=None, gamma=0.5, noise_spectrum=lambda om: 1 / (1 + om ** 2),
                    variable="rate", n_omega=64, omega_scale=1.0),
         bad={"J": ARRAY + [(np.ones((6, 5)), ValueError), (np.ones(6), ValueError),
                            (_J * 1j, TypeError), (np.full((6, 6), np.inf), ValueError)],
              "dmft": [("dmft", TypeError), (_DMFT, ValueError)],
              "gamma": REAL + [(None, ValueError), (5.0, ValueError)],
              "noise_spectrum": CALLABLE + [(None, ValueError),
                                            (lambda om: np.ones(3), ValueError),
                                            (lambda om: om * np.nan, ValueError)],
              "variable": CHOICE + [("y", ValueError)],
              "n_omega": POS_INT + [(4, ValueError)] + ABSURD,
              "omega_scale": POS_REAL}),
    Case("participation_ratio", rn.participation_ratio,
         valid=dict(C=np.eye(3)),
         bad={"C": ARRAY + [(np.ones(3), ValueError), (np.ones((2, 3)), ValueError),
                            (np.zeros((3, 3)), ValueError), (np.zeros((0, 0)), ValueError),
                            ([[NAN]], ValueError)]}),
]
