"""Unit tests of uniqnets.randomnets against exact answers.

Known answers used here: closed forms of Gaussian expectations of erf (Williams 1997)
for the quadratures; the order-chaos line at sigma_b^2 = 0; Newman's exact Lyapunov
exponent of products of Gaussian matrices (real and complex); the eigenvalues of a
linear RNN (and of its RK4 map); the Lyapunov equation of a linear network driven by
Ornstein-Uhlenbeck noise; the Poeschl-Teller ground state; the near-threshold
asymptotics of the DMFT.
"""

import numpy as np
import pytest
from scipy import integrate
from scipy.linalg import expm, solve_continuous_lyapunov
from scipy.special import digamma

from uniqnets import randomnets as rn
from uniqnets.lyapunov import gaussian_product_exponents
from uniqnets.randomnets._dmft import _ground_state
from uniqnets.randomnets._gauss import _phi, _rule


def erf_pair(s11, s22, s12):
    """E[erf(u1) erf(u2)] for (u1, u2) ~ N(0, [[s11, s12], [s12, s22]]) (Williams 1997)."""
    return 2 / np.pi * np.arcsin(2 * s12 / np.sqrt((1 + 2 * s11) * (1 + 2 * s22)))


# -- mean field: quadrature against closed forms ---------------------------------------------

@pytest.mark.parametrize("sw,sb", [(0.5, 0.0), (1.3, 0.2), (4.0, 1.5)])
def test_erf_length_map_and_chi1_match_closed_forms(sw, sb):
    # the trapezoid rule sized by the scale sqrt(q) is exact to rounding (see _gauss._rule),
    # also at large q where a fixed Gauss-Hermite rule is not (1e-4 at q = 7.5, 101 nodes)
    for q in (0.0, 0.3, 2.0, 7.5, 40.0):
        exact = sw * erf_pair(q, q, q) + sb
        assert rn.qmap(q, sw, sb, "erf") == pytest.approx(exact, rel=1e-12, abs=1e-14)
    q = rn.meanfield_qstar(sw, sb, "erf")
    assert q == pytest.approx(sw * erf_pair(q, q, q) + sb, rel=1e-12, abs=1e-14)
    # E[erf'(u)^2] = (4/pi) E[exp(-2u^2)] = (4/pi) / sqrt(1 + 4q)
    assert rn.chi1(sw, sb, "erf") == pytest.approx(sw * 4 / np.pi / np.sqrt(1 + 4 * q), rel=1e-12)


def test_erf_double_copy_map_matches_closed_form():
    sw, sb = 2.0, 0.3
    q = rn.meanfield_qstar(sw, sb, "erf")
    for d in (1e-3 * q, 0.5 * q, 2.0 * q):
        c12 = q - d / 2  # covariance of two replicas at distance d
        exact = sw * (2 * erf_pair(q, q, q) - 2 * erf_pair(q, q, c12))
        assert rn.cmap_distance(d, sw, sb, "erf") == pytest.approx(exact, rel=1e-10)


def test_tanh_length_map_matches_adaptive_quadrature():
    # an independent integrator (QUADPACK) on the same Gaussian integral
    sw, sb, q = 2.5, 0.1, 1.7
    val, err = integrate.quad(lambda z: np.tanh(np.sqrt(q) * z) ** 2
                              * np.exp(-z * z / 2) / np.sqrt(2 * np.pi), -np.inf, np.inf,
                              epsabs=1e-13)
    assert rn.qmap(q, sw, sb) == pytest.approx(sw * val + sb, rel=1e-11)


def test_qstar_solves_its_fixed_point_equation():
    for sw, sb in [(0.5, 0.05), (1.0, 0.3), (1.5, 0.0), (2.0, 0.05), (3.0, 1.0)]:
        q = rn.meanfield_qstar(sw, sb)
        assert q > 0
        # brentq to xtol 1e-15: the residual is at the level of the quadrature rounding
        assert abs(rn.qmap(q, sw, sb) - q) < 1e-12 * max(q, 1)
        # and it is the attracting fixed point: iterating the map from far away lands on it
        x = 10.0
        for _ in range(2000):
            x = rn.qmap(x, sw, sb)
        assert x == pytest.approx(q, rel=1e-6)
    # sigma_b2 = 0: q* = 0 exactly in the ordered phase, q* > 0 beyond sigma_w2 = 1
    assert rn.meanfield_qstar(0.9, 0.0) == 0.0
    assert rn.meanfield_qstar(1.0, 0.0) == 0.0
    # linear network: q* = sigma_b2 / (1 - sigma_w2)
    assert rn.meanfield_qstar(0.5, 0.2, "linear") == pytest.approx(0.4)


def test_critical_line():
    # sigma_b2 = 0: chi_1 = sigma_w2 phi'(0)^2 at q* = 0, so the line starts at 1/phi'(0)^2
    assert rn.critical_sigma_w2(0.0) == 1.0
    assert rn.critical_sigma_w2(0.0, "erf") == pytest.approx(np.pi / 4, rel=1e-15)
    assert rn.chi1(1.0, 0.0) == pytest.approx(1.0, abs=1e-15)
    for sb in (0.01, 0.05, 0.3, 1.0):
        sc = rn.critical_sigma_w2(sb)
        assert sc > 1.0
        assert rn.chi1(sc, sb) == pytest.approx(1.0, abs=1e-10)
        assert rn.chi1(0.99 * sc, sb) < 1 < rn.chi1(1.01 * sc, sb)
    # the line moves to larger sigma_w2 as sigma_b2 grows (Poole et al. 2016, Fig. 2)
    lines = [rn.critical_sigma_w2(sb) for sb in (0.05, 0.1, 0.5, 1.0)]
    assert np.all(np.diff(lines) > 0)


def test_ginn_mean_field_at_sigma_b_zero_and_small_q():
    # at q -> 0 the modulus nonlinearity is the identity: same line as the real network
    assert rn.critical_sigma_w2(0.0, network="ginn") == 1.0
    # small q: qmap(q) ~ sigma_w2 q (f(r) = r - r^3/3, E|h|^4 = 2 q^2 for CN(0, q))
    q, sw = 1e-4, 1.7
    assert rn.qmap(q, sw, 0.0, network="ginn") == pytest.approx(sw * (q - 2 / 3 * 2 * q * q),
                                                                rel=1e-6)
    sc = rn.critical_sigma_w2(0.3, network="ginn")
    assert rn.chi1(sc, 0.3, network="ginn") == pytest.approx(1.0, abs=1e-10)


# -- the double copy ------------------------------------------------------------------------

@pytest.mark.parametrize("sw,sb", [(0.8, 0.05), (2.0, 0.05), (3.0, 1.0)])
def test_double_copy_exponent_is_half_log_chi1(sw, sb):
    res = rn.replica_lyapunov(sw, sb)
    # two different computations of the same limit: the linearised two-replica map at
    # d = 1e-7 q* (error O(d/q*)) and the one-replica chi_1 formula
    assert res.lyapunov == pytest.approx(0.5 * np.log(rn.chi1(sw, sb)), abs=1e-6)
    assert res.qstar == pytest.approx(rn.meanfield_qstar(sw, sb))


def test_double_copy_ginn():
    res = rn.replica_lyapunov(2.0, 0.05, network="ginn")
    # 4-D Gauss-Hermite with 28 nodes per axis: measured convergence 3e-6 at 24, 2e-7 at 32
    assert res.chi1 == pytest.approx(rn.chi1(2.0, 0.05, network="ginn"), rel=2e-6)


def test_double_copy_finite_distance_iteration():
    sw, sb = 2.0, 0.05
    res = rn.replica_lyapunov(sw, sb, d0=1e-4, n_layers=800)
    d = res.distances
    # early layers: exponential growth at rate 2 lambda per layer in d (nonlinear
    # corrections O(d/q*) ~ 1e-4 relative)
    rate = np.log(d[10] / d[0]) / 10
    assert rate == pytest.approx(2 * res.lyapunov, rel=1e-3)
    # late layers: the distance saturates at the chaotic fixed point d* = 2 q*(1 - c*),
    # ~200 layers to grow from 1e-4, then geometric convergence
    assert d[-1] == pytest.approx(res.dstar, rel=1e-6)
    assert 0 < res.dstar < 2 * res.qstar
    # ordered phase: replicas merge and d* = 0
    res = rn.replica_lyapunov(0.8, 0.05, d0=0.1, n_layers=100)
    assert res.lyapunov < 0 and res.dstar == 0.0 and res.distances[-1] < 1e-6 * 0.1


# -- deep networks of finite width ----------------------------------------------------------

@pytest.mark.parametrize("method", ["gram", "dense"])
def test_linear_deep_network_exponent_is_newman(method):
    # a linear network without bias is a product of i.i.d. Gaussian matrices: its top
    # exponent is Newman's lambda_1 = ln(sigma_w / sqrt(N)) + (ln 2 + psi(N/2))/2, exactly
    # (sigma_w2 < 1: the signal h of a linear network with sigma_w2 > 1 overflows; the
    # tangent exponent does not depend on it)
    N, sw = 8, 0.7
    res = rn.deep_tangent_exponent(sw, 0.0, N, 400, rng=3, phi="linear", method=method,
                                   n_chains=64)
    exact = gaussian_product_exponents(N, np.sqrt(sw / N))[0]
    assert res.stderr < 0.003  # ~ sqrt(1/(2 N n)) for n = 25600 independent layers
    assert abs(res.exponent - exact) < 5 * res.stderr
    # and the finite-width correction, -1/(2N) + O(1/N^2), is resolved
    assert abs(res.exponent - 0.5 * np.log(sw)) > 10 * res.stderr


def test_complex_linear_deep_network_exponent():
    # complex Ginibre factors: |W v|^2 ~ (sigma_w2/N) Gamma(N, 1), so
    # lambda_1 = (ln(sigma_w2/N) + psi(N)) / 2 exactly
    N, sw = 6, 0.8
    for method in ("gram", "dense"):
        res = rn.deep_tangent_exponent(sw, 0.0, N, 400, rng=4, phi="linear",
                                       network="ginn", method=method, n_chains=64)
        exact = 0.5 * (np.log(sw / N) + digamma(N))
        assert abs(res.exponent - exact) < 5 * res.stderr


@pytest.mark.parametrize("network", ["real", "ginn"])
def test_gram_sampling_has_the_law_of_dense_weights(network):
    # the same Markov chain drawn two ways: compare the exponents within 5 joint errors
    kw = dict(phi="tanh", network=network, n_chains=16)
    a = rn.deep_tangent_exponent(2.0, 0.05, 12, 500, rng=5, method="gram", **kw)
    b = rn.deep_tangent_exponent(2.0, 0.05, 12, 500, rng=6, method="dense", **kw)
    assert a.log_growth.shape == (500, 16)
    assert abs(a.exponent - b.exponent) < 5 * np.hypot(a.stderr, b.stderr)
    assert abs(a.q_mean - b.q_mean) < 0.05 * a.q_mean


def test_wide_network_exponent_approaches_mean_field():
    sw, sb, N = 2.0, 0.05, 1024
    res = rn.deep_tangent_exponent(sw, sb, N, 400, rng=7, n_chains=16)
    lam = 0.5 * np.log(rn.chi1(sw, sb))
    c1 = rn.finite_width_correction(sw, sb).coefficient
    # after the one-loop correction c1/N the rest is O(1/N^2) ~ 1e-6, far below the
    # statistical error: five standard errors
    assert abs(res.exponent - (lam + c1 / N)) < 5 * res.stderr
    assert res.q_mean == pytest.approx(rn.meanfield_qstar(sw, sb), rel=0.01)


def test_one_loop_coefficient_known_cases_and_simulation():
    # linear networks: Newman's exact -1/(2N) to first order; likewise any network whose
    # signal collapses to h = 0 (sigma_b2 = 0 in the ordered phase)
    assert rn.finite_width_correction(0.7, 0.2, "linear").coefficient == pytest.approx(-0.5)
    assert rn.finite_width_correction(0.8, 0.0).coefficient == -0.5
    one = rn.finite_width_correction(2.0, 0.05)
    assert one.coefficient == pytest.approx(one.chi_term + one.rho_term + one.q_term)
    # against simulation at N = 128: the O(1/N^2) remainder is |c2|/N < 0.02 for |c2| < 2
    # (chapter 05 fits c2), the statistical error of N (lambda_N - lambda_inf) is ~0.03
    N = 128
    res = rn.deep_tangent_exponent(2.0, 0.05, N, 3000, rng=8, n_chains=64)
    lam = 0.5 * np.log(rn.chi1(2.0, 0.05))
    assert abs(N * (res.exponent - lam) - one.coefficient) < 5 * N * res.stderr + 2.0 / N
    # and the correction is resolved: the mean-field value alone is excluded
    assert abs(N * (res.exponent - lam)) > 10 * N * res.stderr


def test_pair_distances_follow_the_double_copy_map():
    sw, sb, N = 2.0, 0.05, 2000
    rep = rn.replica_lyapunov(sw, sb, d0=1e-3, n_layers=12)
    sim = rn.deep_pair_distances(sw, sb, N, 12, 1e-3, rng=8, method="gram", n_nets=4)
    # relative fluctuations of a per-unit average over N units and 4 nets: ~ sqrt(2/(4N))
    # per layer, accumulated over <= 12 layers of a multiplicative process: a few percent
    np.testing.assert_allclose(sim.mean(axis=0), rep.distances, rtol=0.1)


def test_deep_nonfinite_is_reported():
    res = rn.deep_tangent_exponent(1e300, 0.0, 4, 40, rng=0, phi="linear", method="dense")
    assert res.diverged and np.isnan(res.exponent)


# -- the gauge-invariant network ------------------------------------------------------------

def test_gauge_invariance_to_rounding():
    rng = np.random.default_rng(11)
    net = rn.random_ginn((5, 40, 40, 40, 3), 2.0, 0.1, rng=rng)
    x = rng.standard_normal((7, 5))
    alphas = [rng.uniform(-np.pi, np.pi, n) for n in net.sizes[1:]]
    net2 = rn.gauge_transform(net, alphas)
    z1, z2 = rn.ginn_forward(net, x), rn.ginn_forward(net2, x)
    for a, za, zb in zip(alphas, z1, z2, strict=True):
        # the activations rotate by the local phases, e^{i alpha} z, to rounding
        np.testing.assert_allclose(zb, np.exp(1j * a) * za, rtol=0, atol=1e-13)
        # and their moduli (the observables) are unchanged
        np.testing.assert_allclose(np.abs(zb), np.abs(za), rtol=0, atol=1e-13)
    # the magnitudes are gauge invariant, the phases are not
    assert all(np.array_equal(m1, m2)
               for m1, m2 in zip(net.magnitudes, net2.magnitudes, strict=True))
    assert not np.allclose(net.phases[0], net2.phases[0])
    # Lyapunov growth of a perturbation is gauge invariant too
    v = rng.standard_normal(5) + 1j * rng.standard_normal(5)
    np.testing.assert_allclose(rn.ginn_tangent_growth(net2, x[0], v),
                               rn.ginn_tangent_growth(net, x[0], v), rtol=0, atol=1e-12)


def test_split_activation_breaks_gauge_invariance():
    # negative control: the same check fails for a nonlinearity that is not equivariant
    rng = np.random.default_rng(12)
    net = rn.random_ginn((5, 30, 30), 2.0, 0.1, rng=rng)
    x = rng.standard_normal((4, 5))
    net2 = rn.gauge_transform(net, [rng.uniform(-np.pi, np.pi, 30) for _ in range(2)])
    a = np.abs(rn.ginn_forward(net, x, activation="split")[-1])
    b = np.abs(rn.ginn_forward(net2, x, activation="split")[-1])
    assert np.max(np.abs(a - b)) > 1e-2


def test_ginn_tangent_growth_matches_finite_differences():
    rng = np.random.default_rng(13)
    net = rn.random_ginn((4, 25, 25), 2.0, 0.1, rng=rng)
    x = rng.standard_normal(4).astype(complex)
    v = rng.standard_normal(4) + 1j * rng.standard_normal(4)
    eps = 1e-6
    growth = rn.ginn_tangent_growth(net, x, v)
    # pre-activations of the last layer, by central differences
    def pre_last(xx):
        z = rn.ginn_forward(net, xx)[0]
        W, b = net.weights[1], net.biases[1]
        return W @ z + b
    fd = (pre_last(x + eps * v) - pre_last(x - eps * v)) / (2 * eps)
    # central differences: error O(eps^2) relative
    assert np.log(np.linalg.norm(fd) / np.linalg.norm(v)) == pytest.approx(growth.sum(),
                                                                            abs=1e-8)


# -- recurrent networks ---------------------------------------------------------------------

def rk4_growth(mu, h):
    z = h * mu
    return np.log(np.abs(1 + z + z ** 2 / 2 + z ** 3 / 6 + z ** 4 / 24)) / h


@pytest.mark.parametrize("g", [0.6, 1.4])
def test_linear_rnn_exponent_is_max_real_eigenvalue(g):
    N, dt, T = 40, 0.05, 400.0
    res = rn.rnn_lyapunov(g, N, T, dt, k=1, rng=21, phi="linear", t_transient=50.0)
    mu, V = np.linalg.eig(-np.eye(N) + res.J)
    exact_map = np.max(rk4_growth(mu, dt))       # exponent of the RK4 map, exactly
    exact_flow = np.max(mu.real)                 # of the flow
    # the RK4 map differs from the flow by O(dt^4 |mu|^5): < 1e-6 here
    assert abs(exact_map - exact_flow) < 1e-6
    # power iteration: error <= ln(cond(V)) / T from the non-normal transient, plus the
    # decay of the second direction exp(-gap T), negligible after the transient
    tol = np.log(np.linalg.cond(V)) / T
    assert abs(res.exponents[0] - exact_map) < tol
    assert res.J.shape == (N, N)


def test_linear_rnn_top_spectrum():
    N, dt, T, k = 30, 0.05, 600.0, 4
    res = rn.rnn_lyapunov(0.8, N, T, dt, k=k, rng=22, phi="linear", t_transient=50.0)
    mu, V = np.linalg.eig(-np.eye(N) + res.J)
    # the k largest exponents of a linear flow are the k largest Re(mu), with
    # multiplicity (complex pairs count twice)
    exact = np.sort(mu.real)[::-1][:k]
    tol = 2 * np.log(np.linalg.cond(V)) / T + 1e-6
    np.testing.assert_allclose(res.exponents, exact, rtol=0, atol=tol)


def test_simulate_rnn_linear_matches_matrix_exponential():
    rng = np.random.default_rng(23)
    N = 20
    J = rn.random_couplings(N, 0.9, rng=rng)
    x0 = rng.standard_normal(N)
    t, X = rn.simulate_rnn(J, x0, 5.0, 0.01, phi="linear", sample_every=100)
    exact = np.array([expm((J - np.eye(N)) * s) @ x0 for s in t])
    # RK4 global error O(dt^4) ~ 1e-8 over 5 time units
    np.testing.assert_allclose(X, exact, rtol=0, atol=1e-8)


def test_random_couplings_statistics_and_determinism():
    J = rn.random_couplings(400, 2.0, rng=np.random.default_rng(1))
    # entry variance g^2/N, estimated from N^2 = 160000 entries: relative error ~0.4%
    assert J.var() * 400 == pytest.approx(4.0, rel=0.02)
    assert np.array_equal(J, rn.random_couplings(400, 2.0, rng=1))


def test_population_autocorrelation_matches_direct_sum():
    rng = np.random.default_rng(2)
    X = rng.standard_normal((300, 5)).cumsum(axis=0)
    ac = rn.population_autocorrelation(X, 20)
    direct = [np.mean([np.mean(X[: 300 - s, i] * X[s:, i]) for i in range(5)]) for s in range(20)]
    np.testing.assert_allclose(ac, direct, rtol=1e-10)


def test_rnn_lyapunov_reproducible():
    a = rn.rnn_lyapunov(2.0, 30, 20.0, 0.1, k=2, rng=5, t_transient=5.0)
    b = rn.rnn_lyapunov(2.0, 30, 20.0, 0.1, k=2, rng=np.random.default_rng(5), t_transient=5.0)
    assert np.array_equal(a.exponents, b.exponents)


# -- dynamic mean-field theory --------------------------------------------------------------

def test_ground_state_solver_poeschl_teller():
    # -d^2/dt^2 - nu(nu+1) sech^2(t) has its ground state at -nu^2
    nu, h = 1.5, 0.01
    s = np.arange(-30, 30 + h / 2, h)
    E, _ = _ground_state(-nu * (nu + 1) / np.cosh(s) ** 2, h)
    # three-point differences: error ~ h^2 E^2 / 12 ~ 4e-5 at most; measured 1e-5
    assert E == pytest.approx(-nu ** 2, abs=3e-5)


def test_dmft_below_transition():
    d = rn.dmft_autocorrelation(0.7)
    assert d.delta0 == 0.0 and np.all(d.delta == 0)
    # the quiescent state x = 0: exponent g phi'(0) - 1, the edge of the circular law
    assert d.lyapunov == pytest.approx(-0.3)


# g >= 3: the junction with the linear tail must not kink (the separatrix is unstable)
@pytest.mark.parametrize("g", [1.5, 3.0, 4.0, 6.0])
def test_dmft_solution_satisfies_its_equations(g):
    d = rn.dmft_autocorrelation(g)
    z, w = _rule(np.sqrt(d.delta0))
    F = _phi("tanh")[2]
    P = F(np.sqrt(d.delta0) * z)
    var = ((P - P @ w) ** 2) @ w
    # energy condition of the self-consistent Delta_0 (brentq to ~1e-14 relative)
    assert d.delta0 ** 2 / 2 == pytest.approx(g * g * var, rel=1e-10)
    # the equation of motion at the grid points, by central second differences:
    # discretisation error h^2/12 max|Delta''''|, estimated from the data itself
    h = d.tau[1] - d.tau[0]
    dd = (d.delta[2:] - 2 * d.delta[1:-1] + d.delta[:-2]) / h ** 2
    resid = dd - (d.delta[1:-1] - g * g * d.c_phi[1:-1])
    d4 = np.abs(np.diff(d.delta, 4)).max() / h ** 4
    assert np.abs(resid).max() < h ** 2 / 12 * d4 * 1.5 + 1e-7
    # it decays to 0 monotonically, with rate kappa at the end
    assert np.all(np.diff(d.delta) <= 0) and d.delta[-1] < 1e-10 * d.delta0
    assert np.log(d.delta[-200] / d.delta[-1]) / (d.tau[-1] - d.tau[-200]) == pytest.approx(
        d.kappa, rel=1e-6)


def test_dmft_erf_correlation_matches_closed_form():
    # with phi = erf the rate correlation is (2/pi) arcsin(2 Delta / (1 + 2 Delta_0))
    d = rn.dmft_autocorrelation(2.0, phi="erf", tau_max=30.0)
    exact = erf_pair(d.delta0, d.delta0, d.delta)
    np.testing.assert_allclose(d.c_phi, exact, rtol=1e-9, atol=1e-13)
    assert d.gamma == pytest.approx(2 / np.sqrt(np.pi) / np.sqrt(1 + 2 * d.delta0), rel=1e-12)


def test_dmft_near_threshold_asymptotics():
    # Delta_0 = (g^2 - 1)/(2 g^2) (1 + O(g - 1)) from expanding Phi = log cosh to x^6
    rel = []
    for g in (1.01, 1.02):
        d = rn.dmft_autocorrelation(g, tau_max=20.0)
        rel.append(d.delta0 / ((g * g - 1) / (2 * g * g)) - 1)
    assert abs(rel[0]) < 0.03
    # the correction is linear in g - 1: halving g - 1 halves it (to O((g-1)^2))
    assert rel[1] / rel[0] == pytest.approx(2.0, rel=0.02)


def test_dmft_lyapunov_quadratic_onset():
    # lambda ~ (g - 1)^2 near the transition (SCS 1988): doubling g - 1 quadruples it,
    # up to the O(g - 1) relative corrections visible in lambda/(g-1)^2
    lam = [rn.dmft_autocorrelation(g, tau_max=20.0).lyapunov for g in (1.02, 1.04)]
    assert lam[0] > 0
    assert lam[1] / lam[0] == pytest.approx(4.0, rel=0.1)


def test_dmft_spectrum_integrates_to_variance():
    d = rn.dmft_autocorrelation(2.0)
    # int S domega / 2pi = C(0): trapezoid on the Nyquist band, where S is smooth and
    # vanishes at the ends
    om = np.linspace(-np.pi / 0.05, np.pi / 0.05, 4001)
    for which, var in [("x", d.delta0), ("rate", d.c_phi[0]),
                       ("residual", d.residual_autocorrelation[0])]:
        S = d.spectrum(om, which)
        assert np.trapezoid(S, om) / (2 * np.pi) == pytest.approx(var, rel=1e-6)
        # a power spectrum is non-negative, up to the ~1e-8 error of the DMFT tables
        assert np.all(S > -1e-8 * S.max())


# -- linear equivalence ---------------------------------------------------------------------

@pytest.mark.parametrize("variable", ["rate", "x"])
def test_linear_equivalent_covariance_matches_lyapunov_equation(variable):
    # known answer: a linear network x' = -x + J r, r = gamma x + xi, driven by independent
    # Ornstein-Uhlenbeck noise xi (variance D, time constant ts) is a linear SDE for (x, xi)
    # whose stationary covariance solves a Lyapunov equation
    N, gamma, D, ts = 30, 0.55, 0.7, 2.0
    J = rn.random_couplings(N, 1.5, rng=0)
    A = np.block([[-np.eye(N) + gamma * J, J], [np.zeros((N, N)), -np.eye(N) / ts]])
    Q = np.zeros((2 * N, 2 * N))
    Q[N:, N:] = 2 * D / ts * np.eye(N)
    S = solve_continuous_lyapunov(A, -Q)
    P = np.hstack([gamma * np.eye(N), np.eye(N)]) if variable == "rate" else np.eye(2 * N)[:N]
    exact = P @ S @ P.T
    C = rn.linear_equivalent_covariance(J, gamma=gamma, variable=variable,
                                        noise_spectrum=lambda om: 2 * D * ts / (1 + (om * ts) ** 2))
    # Gauss-Legendre in theta = arctan(omega) on a smooth integrand: converged to rounding
    np.testing.assert_allclose(C, exact, rtol=0, atol=1e-11 * np.abs(exact).max())


def test_linear_equivalent_covariance_from_dmft_is_a_covariance():
    d = rn.dmft_autocorrelation(3.0)
    J = rn.random_couplings(60, 3.0, rng=1)
    C = rn.linear_equivalent_covariance(J, d)
    assert np.allclose(C, C.T)
    assert np.linalg.eigvalsh(C).min() > -1e-10
    # a denser frequency rule changes nothing
    C2 = rn.linear_equivalent_covariance(J, d, n_omega=2048)
    np.testing.assert_allclose(C, C2, rtol=0, atol=1e-9 * np.abs(C).max())
    # with J = 0 the rates are the residual noise plus gamma x = 0: var = C_xi(0)
    C0 = rn.linear_equivalent_covariance(np.zeros((3, 3)), d)
    np.testing.assert_allclose(np.diag(C0), d.residual_autocorrelation[0], rtol=1e-6)


def test_participation_ratio():
    assert rn.participation_ratio(np.eye(7)) == pytest.approx(7)
    assert rn.participation_ratio(np.diag([1.0, 0, 0])) == pytest.approx(1)


# -- bad input ------------------------------------------------------------------------------

def test_bad_input_raises_clear_errors():
    with pytest.raises(ValueError, match="sigma_w2"):
        rn.meanfield_qstar(-1.0, 0.0)
    with pytest.raises(ValueError, match="sigma_b2"):
        rn.chi1(1.0, -0.1)
    with pytest.raises(TypeError, match="sigma_w2"):
        rn.chi1("1", 0.0)
    with pytest.raises(ValueError, match="phi"):
        rn.chi1(1.0, 0.0, phi="relu")
    with pytest.raises(ValueError, match="network"):
        rn.chi1(1.0, 0.0, network="quantum")
    with pytest.raises(ValueError, match="linear"):
        rn.meanfield_qstar(1.5, 0.1, "linear")
    with pytest.raises(ValueError, match="no order-chaos"):
        rn.critical_sigma_w2(0.1, "linear")
    with pytest.raises(ValueError, match="sigma_w2_max"):
        rn.critical_sigma_w2(5.0, sigma_w2_max=1.5)
    with pytest.raises(ValueError, match="d0"):
        rn.replica_lyapunov(2.0, 0.05, n_layers=3)
    with pytest.raises(ValueError, match="width"):
        rn.deep_tangent_exponent(2.0, 0.05, 1, 100, rng=0)
    with pytest.raises(TypeError, match="rng"):
        rn.deep_tangent_exponent(2.0, 0.05, 8, 100, rng=None)
    with pytest.raises(ValueError, match="method"):
        rn.deep_tangent_exponent(2.0, 0.05, 8, 100, rng=0, method="fast")
    with pytest.raises(TypeError, match="rng"):
        rn.rnn_lyapunov(2.0, 10, 1.0, 0.1, rng="seed")
    with pytest.raises(TypeError):
        rn.rnn_lyapunov(2.0, 10, 1.0, 0.1)  # rng is required: no hidden randomness
    with pytest.raises(ValueError, match="k must be"):
        rn.rnn_lyapunov(2.0, 10, 1.0, 0.1, k=11, rng=0)
    with pytest.raises(ValueError, match="g"):
        rn.rnn_lyapunov(-2.0, 10, 1.0, 0.1, rng=0)
    with pytest.raises(ValueError, match="J"):
        rn.simulate_rnn(np.ones((3, 4)), np.zeros(3), 1.0, 0.1)
    with pytest.raises(ValueError, match="x0"):
        rn.simulate_rnn(np.eye(3), np.zeros(4), 1.0, 0.1)
    with pytest.raises(ValueError, match="dt"):
        rn.simulate_rnn(np.eye(3), np.zeros(3), 1.0, 0.0)
    with pytest.raises(ValueError, match="g"):
        rn.dmft_autocorrelation(float("nan"))
    with pytest.raises(ValueError, match="phi"):
        rn.dmft_autocorrelation(2.0, phi="linear")
    d = rn.dmft_autocorrelation(2.0, tau_max=20.0)
    with pytest.raises(ValueError, match="unstable"):
        rn.linear_equivalent_covariance(np.eye(3) * 5.0, d)
    with pytest.raises(ValueError, match="noise_spectrum"):
        rn.linear_equivalent_covariance(np.eye(3), gamma=0.5)
    with pytest.raises(ValueError, match="either"):
        rn.linear_equivalent_covariance(np.eye(3), d, gamma=0.5)
    with pytest.raises(TypeError, match="dmft"):
        rn.linear_equivalent_covariance(np.eye(3), "dmft")
    with pytest.raises(ValueError, match="alphas"):
        rn.gauge_transform(rn.random_ginn((2, 3), 1.0, 0.0, rng=0), [np.zeros(4)])
    with pytest.raises(TypeError, match="net"):
        rn.ginn_forward("net", np.zeros(2))
    with pytest.raises(ValueError, match="x must"):
        rn.ginn_forward(rn.random_ginn((2, 3), 1.0, 0.0, rng=0), np.zeros(5))
    with pytest.raises(ValueError, match="sizes"):
        rn.random_ginn((3,), 1.0, 0.0, rng=0)


# -- the chapters' experiments ---------------------------------------------------------------

def test_experiment_rng_is_the_named_child_of_the_seed():
    # the same draws as spawning by hand, and different draws for different names
    ref = np.random.default_rng(np.random.SeedSequence(7).spawn(len(rn.STREAMS))[3])
    assert rn.experiment_rng(7, rn.STREAMS[3]).random() == ref.random()
    assert rn.experiment_rng(7, "rnn").random() != rn.experiment_rng(7, "gsim").random()


def test_double_copy_study_is_the_map_and_the_simulation_it_calls():
    s = rn.double_copy_study(2.0, 0.05, 300, 60, 1e-3, rng=3, n_nets=4)
    sim = rn.deep_pair_distances(2.0, 0.05, 300, 60, 1e-3, rng=3, n_nets=4, method="gram")
    np.testing.assert_array_equal(s.sim_distances, sim)
    # the map's exponent and ln(chi_1)/2 are two computations of one limit, O(d_lin) apart
    assert abs(s.replica_minus_chi) < 1e-6
    # simulated growth rate within 5 of its standard errors (4 networks) of map plus shift
    assert abs(s.slope_z) < 5
    assert s.summary("p_")["p_slope_z"] == s.slope_z


def test_finite_width_fit_recovers_exact_line():
    from uniqnets.randomnets._deep_study import _weighted_fit

    x = np.array([1 / 16, 1 / 32, 1 / 64])
    a, b, cov = _weighted_fit(x, -0.9 + 2.0 * x, np.array([0.1, 0.2, 0.3]))
    assert abs(a + 0.9) < 1e-12 and abs(b - 2.0) < 1e-10 and cov.shape == (2, 2)


def test_finite_width_study_deviations_are_n_times_the_shift():
    s = rn.finite_width_study(2.0, 0.05, [16, 32], 40, rng=0, n_chains=4)
    np.testing.assert_allclose(s.n_dev, s.widths * (s.exponents - s.lam_inf), rtol=1e-12)
    np.testing.assert_allclose(s.n_dev_se, s.widths * s.stderr, rtol=1e-12)
    assert abs(sum(s.c_terms) - s.c_one_loop) < 1e-12


def test_threshold_study_one_loop_root_is_a_zero():
    t = rn.threshold_study(0.05, [32], 40, rng=0, n_chains=4, c2_bound=1.0)
    sw = t.one_loop[0]
    lam = 0.5 * np.log(rn.chi1(sw, 0.05)) + rn.finite_width_correction(sw, 0.05).coefficient / 32
    assert abs(lam) < 1e-8   # brentq to xtol 1e-10 in sigma_w2, slope O(1)
    assert t.c2_shift[0] > 0 and np.all(t.tolerance(5.0) > t.tolerance(1.0))


def test_gauge_invariance_check_sees_invariance_and_its_breaking():
    c = rn.gauge_invariance_check((4, 16, 16), 2.0, 0.05, rng=1, n_inputs=5)
    assert c.output_err < 1e-12 and c.growth_err < 1e-12   # rounding
    assert c.split_err > 1e-3                               # the split tanh is not equivariant


def test_ginn_exponent_study_extrapolates_linearly_in_inverse_width():
    s = rn.ginn_exponent_study(2.0, 0.05, [16, 64], 40, rng=0, n_chains=2, n_quad_check=8)
    (n1, n2), (l1, l2) = s.widths, s.exponents
    # the line through (1/n1, l1) and (1/n2, l2) takes the value lam_inf at 1/N = 0
    assert abs(l1 - (s.lam_inf + (l2 - s.lam_inf) * n2 / n1)) < 1e-12
    assert abs(s.lam_mf - 0.5 * np.log(rn.chi1(2.0, 0.05, network="ginn"))) < 1e-15


def test_training_exponents_forward_is_mean_field_and_training_lowers_the_loss():
    t = rn.training_exponents([0.5, 4.0], 0.05, 8, 40, 0.05, rng=0, depth=2, n_data=16)
    np.testing.assert_allclose(t.forward, [0.5 * np.log(rn.chi1(s, 0.05)) for s in (0.5, 4.0)])
    assert np.all(t.loss_end < t.loss_start) and np.all(np.isfinite(t.train))


def test_rnn_size_study_quiescent_below_and_chaotic_above_the_transition():
    low = rn.rnn_size_study(0.5, [20, 40], [2, 2], 10.0, 0.1, rng=0, t_transient=5.0)
    # below g = 1 the origin is stable: no network is chaotic, so there is nothing to fit
    assert np.all(low.frac_chaotic == 0) and low.n_fit == 0 and np.isnan(low.lam_inf)
    high = rn.rnn_size_study(4.0, [60, 120], [2, 2], 20.0, 0.1, rng=0, t_transient=10.0)
    assert np.all(high.frac_chaotic > 0)
    # the fit uses the sizes with at least two chaotic networks (a spread to weigh by)
    assert high.n_fit == sum(int(np.sum(e > 0) >= 2) for e in high.exponents)


def test_autocorrelation_study_normalises_to_one_at_lag_zero():
    s = rn.rnn_size_study(3.0, [40], [2], 10.0, 0.1, rng=0, t_transient=5.0)
    a = rn.autocorrelation_study(s, rn.dmft_autocorrelation(3.0), 30.0, 0.1, max_lag=5.0)
    assert a.dmft_shape[0] == 1.0
    assert all(np.allclose(rows[:, 0], 1.0) for rows in a.shapes)


def test_spectrum_size_study_compares_the_two_sizes():
    s = rn.rnn_size_study(3.0, [20, 40], [3, 3], 10.0, 0.1, rng=0, t_transient=5.0)
    sp = rn.spectrum_size_study(3.0, [20, 40], 0.1, 10.0, 0.1, rng=1, spread=s, t_transient=5.0)
    assert [e.size for e in sp.exponents] == [2, 4] and np.all(sp.draws >= 1)
    np.testing.assert_equal(sp.se, np.hypot(sp.time_se, sp.net_se))
    assert sp.net_se == np.hypot(s.spread(20), s.spread(40)) or np.isnan(sp.net_se)


def test_stability_census_counts_the_edge():
    # g = 0: J = 0, every linear equivalent stable; gamma 100: every one unstable
    assert rn.stability_census(0.0, 0.5, [10], 3, rng=0).unstable[0] == 0
    assert rn.stability_census(3.0, 100.0, [10], 3, rng=0).unstable[0] == 1


def test_covariance_study_predicts_beyond_unrelated_couplings():
    c = rn.covariance_study(3.0, [80], rn.dmft_autocorrelation(3.0), 100.0, 0.1, rng=0,
                            t_transient=10.0)
    assert c.stable.size == 1 and np.isnan(c.corr_trend_z)
    # the quenched prediction correlates positively, unrelated couplings near zero (~5/N)
    assert c.corr[0] > abs(c.corr_other[0]) and c.corr_se[0] > 0


@pytest.mark.parametrize("phi", ["tanh", "erf"])
def test_rnn_variational_field_is_the_derivative_of_the_flow(phi):
    from uniqnets.randomnets._rnn import _rnn_field

    rng = np.random.default_rng(4)
    J = rn.random_couplings(12, 2.0, rng=rng)
    f, jvp = _rnn_field(J, phi)
    x, V = rng.standard_normal(12), rng.standard_normal((12, 3))
    h = 1e-6
    fd = np.stack([(f(x + h * v) - f(x - h * v)) / (2 * h) for v in V.T], axis=1)
    # central differences err by O(h^2 |f'''|) plus rounding O(eps |f| / h) ~ 1e-10
    np.testing.assert_allclose(jvp(x, V), fd, atol=1e-8)
