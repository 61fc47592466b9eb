"""Unit tests of uniqnets.thermo against exact answers."""

import itertools
import math

import numpy as np
import pytest
from scipy.integrate import quad
from scipy.stats import multivariate_normal, norm

from uniqnets import data, models
from uniqnets import thermo as th

ROT = np.array([[0.0, -1.0], [1.0, 0.0]])


def gauss_kl(m1, S1, m2, S2):
    """KL(N(m1, S1) || N(m2, S2)), the textbook formula."""
    k = len(m1)
    S2i = np.linalg.inv(S2)
    dm = m2 - m1
    return 0.5 * (np.trace(S2i @ S1) + dm @ S2i @ dm - k
                  + np.linalg.slogdet(S2)[1] - np.linalg.slogdet(S1)[1])


def nonequilibrium_ou():
    """A 2-d OU process with a rotating drift and anisotropic, correlated noise."""
    A = np.eye(2) + 0.8 * ROT
    D = np.array([[1.0, 0.2], [0.2, 0.5]])
    return A, D


# -- closed forms ------------------------------------------------------------------------

def test_gaussian_entropy_matches_scipy():
    C = np.array([[2.0, 0.3, 0.1], [0.3, 1.0, -0.2], [0.1, -0.2, 0.5]])
    assert th.gaussian_entropy(C) == pytest.approx(
        multivariate_normal(np.zeros(3), C).entropy(), rel=1e-13)


def test_gaussian_kl_matches_the_one_dimensional_formula_and_a_quadrature():
    # 1-d closed form: log(s2/s1) + (s1^2 + (m1 - m2)^2) / (2 s2^2) - 1/2
    s1, s2, m1, m2 = 0.7, 1.3, 0.2, -0.5
    known = np.log(s2 / s1) + (s1**2 + (m1 - m2) ** 2) / (2 * s2**2) - 0.5
    assert th.gaussian_kl([m1], [[s1**2]], [m2], [[s2**2]]) == pytest.approx(known, rel=1e-14)
    # 2-d: the integral of p log(p / q) by Monte Carlo would be noisy; the KL of a law
    # with itself is exactly zero and it is not symmetric in general
    C = np.array([[2.0, 0.3], [0.3, 0.5]])
    assert th.gaussian_kl([1.0, 0.0], C, [1.0, 0.0], C) == pytest.approx(0.0, abs=1e-15)
    kl = th.gaussian_kl([0.0, 0.0], C, [1.0, 0.0], np.eye(2))
    assert kl != pytest.approx(th.gaussian_kl([1.0, 0.0], np.eye(2), [0.0, 0.0], C))
    f = lambda x: norm.logpdf(x, m1, s1) - norm.logpdf(x, m2, s2)  # noqa: E731
    quad_kl = quad(lambda x: norm.pdf(x, m1, s1) * f(x), -20, 20)[0]
    assert quad_kl == pytest.approx(known, rel=1e-10)


def test_linear_gaussian_step_is_the_kl_of_definition_7():
    # Definition 7 evaluated by brute force: the KL between the 2d-dimensional Gaussian
    # laws of (x_t, x_{t+1}) forward and of the reversed pair, x' ~ p_{t+1}, x ~ P(.|x')
    A, D = nonequilibrium_ou()
    M, Q = th.euler_ou_chain(A, D, 0.1)
    m0, C0 = np.array([1.0, -2.0]), 3.0 * np.eye(2)
    res = th.linear_gaussian_entropy_production(M, Q, C0, 6, m0)
    for t in range(6):
        C, m, C1, m1 = res.cov[t], res.mean[t], res.cov[t + 1], res.mean[t + 1]
        fwd = (np.r_[m, m1], np.block([[C, C @ M.T], [M @ C, C1]]))
        rev = (np.r_[M @ m1, m1], np.block([[M @ C1 @ M.T + Q, M @ C1], [C1 @ M.T, C1]]))
        assert res.step[t] == pytest.approx(gauss_kl(*fwd, *rev), rel=1e-10)
    # entropy bookkeeping: step = Delta H + medium
    np.testing.assert_allclose(res.step, np.diff(res.entropy) + res.medium, rtol=1e-12)


def test_linear_gaussian_stationary_value_is_the_stationary_kl():
    A, D = nonequilibrium_ou()
    M, Q = th.euler_ou_chain(A, D, 0.1)
    from scipy.linalg import solve_discrete_lyapunov

    C = solve_discrete_lyapunov(M, Q)
    fwd = np.block([[C, C @ M.T], [M @ C, C]])
    rev = np.block([[C, M @ C], [C @ M.T, C]])
    exact = gauss_kl(np.zeros(4), fwd, np.zeros(4), rev)
    assert exact > 0.1
    assert th.linear_gaussian_stationary_entropy_production(M, Q) == pytest.approx(exact,
                                                                                   rel=1e-10)
    # the transient tends to it
    res = th.linear_gaussian_entropy_production(M, Q, 5 * np.eye(2), 400)
    assert res.step[-1] == pytest.approx(exact, rel=1e-9)


def test_reversible_linear_chains_produce_no_entropy():
    rng = np.random.default_rng(0)
    B = rng.standard_normal((4, 4))
    A = B @ B.T + np.eye(4)  # symmetric, a quadratic loss's Hessian
    for eta in (0.3 / np.linalg.eigvalsh(A).max(), 0.01):
        # Euler-Langevin on a quadratic loss with isotropic noise: reversible for every eta
        M, Q = th.euler_ou_chain(A, 0.7 * np.eye(4), eta)
        assert abs(th.linear_gaussian_stationary_entropy_production(M, Q)) < 1e-13
    # the same drift with anisotropic noise that does not commute with A is not
    M, Q = th.euler_ou_chain(A, np.diag([1.0, 2.0, 3.0, 4.0]), 0.01)
    assert th.linear_gaussian_stationary_entropy_production(M, Q) > 1e-4


def test_ou_closed_forms():
    A, D = nonequilibrium_ou()
    C0, m0 = 3.0 * np.eye(2), np.array([1.0, -2.0])
    ts = np.array([0.0, 0.3, 1.0, 3.0])
    res = th.ou_entropy_production(A, D, C0, ts, m0)
    assert res.total[0] == 0 and res.medium[0] == 0
    # the total is the time integral of the rate (adaptive quadrature, tolerance 1e-10)
    rate = lambda s: th.ou_entropy_production(A, D, C0, s, m0).rate[0]  # noqa: E731
    for t, tot in zip(ts[1:], res.total[1:], strict=True):
        assert tot == pytest.approx(quad(rate, 0, t, epsabs=1e-11, epsrel=1e-11)[0], rel=1e-8)
    # long times: the rate tends to the stationary one
    late = th.ou_entropy_production(A, D, C0, 40.0, m0)
    assert late.rate[0] == pytest.approx(th.ou_stationary_entropy_production(A, D), rel=1e-10)
    # rotating drift A = I + w J with D = I: Sigma_dot = 2 w^2 for every noise strength
    for w, Dsc in [(0.8, 1.0), (1.5, 0.2)]:
        assert th.ou_stationary_entropy_production(np.eye(2) + w * ROT, Dsc * np.eye(2)) == \
            pytest.approx(2 * w**2, rel=1e-12)
    # gradient drift with isotropic noise: detailed balance, zero rate
    S = np.array([[2.0, 0.5], [0.5, 1.0]])
    assert abs(th.ou_stationary_entropy_production(S, 0.3 * np.eye(2))) < 1e-13


def test_euler_chain_tends_to_the_ou_process_at_first_order():
    A, D = nonequilibrium_ou()
    exact = th.ou_stationary_entropy_production(A, D)
    errs = []
    for eta in (0.02, 0.01, 0.005):
        M, Q = th.euler_ou_chain(A, D, eta)
        errs.append(th.linear_gaussian_stationary_entropy_production(M, Q) / eta - exact)
    # Euler-Maruyama: per unit time the discrete value is the continuous one + O(eta)
    assert abs(errs[-1]) < 0.01 * exact
    for a, b in zip(errs[:-1], errs[1:], strict=True):
        assert 1.8 < a / b < 2.2
    # transient: the sum of per-step values tends to Delta Sigma(t)
    C0, m0 = 3.0 * np.eye(2), np.array([1.0, -2.0])
    tot = th.ou_entropy_production(A, D, C0, 3.0, m0).total[0]
    gaps = []
    for eta in (0.01, 0.005):
        M, Q = th.euler_ou_chain(A, D, eta)
        gaps.append(th.linear_gaussian_entropy_production(M, Q, C0, round(3 / eta), m0).total[-1]
                    - tot)
    assert 1.8 < gaps[0] / gaps[1] < 2.2


# -- path-wise estimates ----------------------------------------------------------------

def test_path_estimates_match_the_closed_form_within_monte_carlo_error():
    A, D = nonequilibrium_ou()
    M, Q = th.euler_ou_chain(A, D, 0.1)
    m0, C0 = np.array([1.0, -2.0]), 3.0 * np.eye(2)
    n_steps, n_paths = 8, 4000
    exact = th.linear_gaussian_entropy_production(M, Q, C0, n_steps, m0)
    rng = np.random.default_rng(1)
    x0 = rng.multivariate_normal(m0, C0, size=n_paths)
    chain = th.sample_gaussian_chain(x0, lambda X: X @ (M - np.eye(2)).T, Q, n_steps, rng)
    pe = th.path_entropy_production(chain.path, chain.drift, Q, log_density=exact.log_density)
    for est, ref in [(pe.total, exact.step), (pe.medium, exact.medium)]:
        mean = est.mean(axis=0)
        se = est.std(axis=0, ddof=1) / np.sqrt(n_paths)
        # independent paths: the sample mean is within 4 standard errors of the truth
        # unless something is wrong (false alarm ~ 6e-5 per comparison)
        assert np.all(np.abs(mean - ref) < 4 * se)
    # and the estimate resolves the signal: the standard errors are small against it
    assert np.all(pe.total.std(axis=0) / np.sqrt(n_paths) < 0.05 * exact.step)


def test_path_entropy_call_forms_agree():
    rng = np.random.default_rng(2)
    path = rng.standard_normal((3, 5, 2))
    A, D = nonequilibrium_ou()
    drift = lambda X: -0.1 * X @ A.T  # noqa: E731
    qfun = lambda X: 0.2 * (1 + np.sum(X**2, 1))[:, None, None] * D  # noqa: E731
    a = th.path_entropy_production(path, drift, qfun)
    b = th.path_entropy_production(path, lambda x: -0.1 * A @ x,
                                   lambda x: 0.2 * (1 + x @ x) * D, batched=False)
    Qarr = qfun(path.reshape(-1, 2)).reshape(3, 5, 2, 2)
    c = th.path_entropy_production(path, drift(path.reshape(-1, 2)).reshape(path.shape), Qarr)
    np.testing.assert_allclose(a.medium, b.medium, rtol=1e-12)
    np.testing.assert_allclose(a.medium, c.medium, rtol=1e-12)
    # a constant covariance given as a matrix, a callable or a float
    d1 = th.path_entropy_production(path, drift, 0.3 * np.eye(2)).medium
    d2 = th.path_entropy_production(path, drift, lambda X: np.broadcast_to(
        0.3 * np.eye(2), (len(X), 2, 2))).medium
    d3 = th.path_entropy_production(path, drift, 0.3).medium
    np.testing.assert_allclose(d1, d2, rtol=1e-12)
    np.testing.assert_allclose(d1, d3, rtol=1e-12)
    # one path in, one path out
    one = th.path_entropy_production(path[0], drift, qfun)
    np.testing.assert_allclose(one.medium, a.medium[0], rtol=1e-14)
    assert one.finite is True


def test_state_dependent_noise_against_the_grid_exact_value():
    # 1-d chain with a double-well drift and a state-dependent variance; its one-step
    # medium entropy from a Gaussian p_0 is a 2-d integral that the Nystrom matrix
    # evaluates to quadrature accuracy (checked by halving the grid step)
    eta = 0.1
    drift = lambda x: -eta * (x**3 - x)  # noqa: E731
    qvar = lambda x: 2 * eta * 0.2 * (1 + 0.5 * np.sin(x) ** 2)  # noqa: E731
    m0, s0 = 0.3, 0.4  # p_0 negligible (e^-40) at the grid's ends
    vals = []
    for K in (400, 800):
        x = np.linspace(-4, 4, K)
        P, logP, lost = th.grid_transition_matrix(x, drift, qvar)
        p0 = np.exp(-0.5 * (x - m0) ** 2 / s0**2)
        vals.append(th.markov_entropy_production(P, p0 / p0.sum(), log_P=logP).medium)
    assert lost < 1e-12 and vals[0] == pytest.approx(vals[1], rel=1e-9)
    rng = np.random.default_rng(3)
    n = 200_000
    x0 = m0 + s0 * rng.standard_normal((n, 1))
    chain = th.sample_gaussian_chain(x0, drift, lambda X: qvar(X)[:, :, None], 1, rng)
    med = th.path_entropy_production(chain.path, chain.drift, chain.cov).medium[:, 0]
    assert abs(med.mean() - vals[1]) < 4 * med.std() / np.sqrt(n)


def test_fluctuation_theorem_on_several_chains():
    rng = np.random.default_rng(4)
    # (a) a finite chain: exact sum over all paths of length 3 (no sampling at all)
    P = np.array([[0.5, 0.3, 0.2], [0.1, 0.6, 0.3], [0.4, 0.1, 0.5]])
    p0 = np.array([0.7, 0.2, 0.1])
    ps = [p0]
    for _ in range(3):
        ps.append(ps[-1] @ P)
    total = 0.0
    for path in itertools.product(range(3), repeat=4):
        steps = list(zip(path[:-1], path[1:], strict=True))
        prob = p0[path[0]] * np.prod([P[a, b] for a, b in steps])
        rev = ps[-1][path[-1]] * np.prod([P[b, a] for a, b in steps])
        total += prob * np.exp(-np.log(prob / rev))
    assert total == pytest.approx(1.0, abs=1e-14)
    # (b) a linear-Gaussian chain relaxing from a narrow start, with the exact p_t
    A, D = nonequilibrium_ou()
    M, Q = th.euler_ou_chain(A, D, 0.1)
    exact = th.linear_gaussian_entropy_production(M, Q, 0.5 * np.eye(2), 2, [0.3, 0.0])
    x0 = rng.multivariate_normal([0.3, 0.0], 0.5 * np.eye(2), size=20_000)
    chain = th.sample_gaussian_chain(x0, lambda X: X @ (M - np.eye(2)).T, Q, 2, rng)
    pe = th.path_entropy_production(chain.path, chain.drift, Q, log_density=exact.log_density)
    ft = th.fluctuation_theorem_check(pe.total.sum(axis=1))
    # the check is informative only when exp(-sigma) is not dominated by a few paths
    assert ft.ess > 0.1 * ft.n and abs(ft.z) < 4
    assert ft.mean_sigma == pytest.approx(exact.total[-1], abs=4 * pe.total.sum(1).std() / 141)
    # (c) a stationary non-equilibrium OU chain (the system terms use the stationary density)
    A, D = nonequilibrium_ou()
    M, Q = th.euler_ou_chain(A, D, 0.2)
    from scipy.linalg import solve_discrete_lyapunov

    C = solve_discrete_lyapunov(M, Q)
    x0 = rng.multivariate_normal(np.zeros(2), C, size=20_000)
    chain = th.sample_gaussian_chain(x0, lambda X: X @ (M - np.eye(2)).T, Q, 5, rng)
    logpi = lambda t, X: multivariate_normal(np.zeros(2), C).logpdf(X)  # noqa: E731
    pe = th.path_entropy_production(chain.path, chain.drift, Q, log_density=logpi)
    ft = th.fluctuation_theorem_check(pe.total.sum(axis=1))
    assert abs(ft.z) < 4 and ft.mean_sigma > 0.5 and 0 < ft.frac_negative < 0.5
    # (d) a nonlinear chain (Langevin on a double well) from a Gaussian p_0; the reversed
    # process may start from any normalised density: we take p_0 itself
    eta, T, m0, s0 = 0.05, 0.3, 1.0, 0.3
    x0 = m0 + s0 * rng.standard_normal((50_000, 1))
    chain = th.sample_gaussian_chain(x0, lambda X: -eta * (X**3 - X), 2 * eta * T, 3, rng)
    logp0 = lambda X: -0.5 * ((X[:, 0] - m0) / s0) ** 2 - np.log(s0 * np.sqrt(2 * np.pi))  # noqa: E731
    med = th.path_entropy_production(chain.path, chain.drift, 2 * eta * T).medium.sum(axis=1)
    system = logp0(chain.path[:, 0]) - logp0(chain.path[:, -1])
    ft = th.fluctuation_theorem_check(system + med)
    assert ft.ess > 0.2 * ft.n and abs(ft.z) < 4
    # the check has power: evaluating the reversed step's drift at the wrong end of the
    # step (a classic Ito-versus-anti-Ito slip) is rejected by many standard errors
    P, B = chain.path[..., 0], chain.drift[..., 0]
    rf = P[:, 1:] - P[:, :-1] - B[:, :-1]
    rr_wrong = P[:, :-1] - P[:, 1:] - B[:, :-1]
    med_wrong = (0.5 * (rr_wrong**2 - rf**2) / (2 * eta * T)).sum(axis=1)
    assert th.fluctuation_theorem_check(system + med_wrong).z < -10


def test_fluctuation_check_on_a_known_distribution():
    # sigma ~ N(mu, 2 mu) has E[exp(-sigma)] = exp(-mu + mu) = 1 exactly
    rng = np.random.default_rng(5)
    mu, n = 0.5, 100_000
    s = rng.normal(mu, np.sqrt(2 * mu), n)
    ft = th.fluctuation_theorem_check(s)
    assert abs(ft.z) < 4
    # standard error of exp(-sigma): sqrt(E[e^{-2 sigma}] - 1) / sqrt(n), E = exp(2 mu)
    # (a log-normal variable: its sample variance converges slowly, hence 10 %)
    assert ft.stderr == pytest.approx(np.sqrt(np.exp(2 * mu) - 1) / np.sqrt(n), rel=0.1)
    assert ft.frac_negative == pytest.approx(norm.cdf(-mu / np.sqrt(2 * mu)), abs=0.005)
    # no overflow for very negative samples
    big = th.fluctuation_theorem_check(np.array([-800.0, -790.0, 3.0]))
    assert np.isfinite(np.log(big.ess)) and big.ess < 1.01


# -- finite chains ----------------------------------------------------------------------

def metropolis_chain(E):
    """A Metropolis chain for exp(-E) on a ring of states: reversible by construction."""
    K = len(E)
    P = np.zeros((K, K))
    for i in range(K):
        for j in ((i - 1) % K, (i + 1) % K):
            P[i, j] = 0.5 * min(1.0, np.exp(E[i] - E[j]))
        P[i, i] = 1.0 - P[i].sum()
    return P


def test_reversible_finite_chain_has_zero_entropy_production():
    E = np.random.default_rng(6).normal(size=7)
    P = metropolis_chain(E)
    pi = th.stationary_distribution(P)
    np.testing.assert_allclose(pi, np.exp(-E) / np.exp(-E).sum(), rtol=1e-13)
    res = th.markov_entropy_production(P)
    assert res.total == 0.0 or abs(res.total) < 1e-15
    assert abs(res.medium) < 1e-15 and abs(res.system) < 1e-15


def test_three_state_cycle_exact_value():
    p, q = 0.6, 0.1
    P = np.array([[1 - p - q, p, q], [q, 1 - p - q, p], [p, q, 1 - p - q]])
    res = th.markov_entropy_production(P)
    assert res.total == pytest.approx((p - q) * np.log(p / q), rel=1e-13)
    # a one-way transition makes the entropy production infinite
    P1 = np.array([[0.5, 0.5, 0.0], [0.0, 0.5, 0.5], [0.5, 0.0, 0.5]])
    assert th.markov_entropy_production(P1).total == np.inf


def test_stationary_distribution_keeps_relative_accuracy_in_the_tails():
    # birth-death chain with pi_k proportional to r^k down to 1e-200
    K, up, down = 230, 0.05, 0.5
    P = np.zeros((K, K))
    for k in range(K):
        if k + 1 < K:
            P[k, k + 1] = up
        if k > 0:
            P[k, k - 1] = down
        P[k, k] = 1 - P[k].sum()
    pi = th.stationary_distribution(P)
    exact = (up / down) ** np.arange(K)
    exact /= exact.sum()
    assert exact[-1] < 1e-200
    np.testing.assert_allclose(pi, exact, rtol=1e-12)


def test_grid_chain_against_the_linear_gaussian_closed_form():
    # AR(1) x' = m x + N(0, q): the Nystrom matrix reproduces the stationary variance and
    # the transient entropy production (1-d closed form) to quadrature accuracy
    m, q = 0.8, 0.2
    x = np.linspace(-7, 7, 800)  # 9 stationary standard deviations: no row loses mass
    P, logP, lost = th.grid_transition_matrix(x, lambda z: (m - 1) * z, q)
    pi = th.stationary_distribution(P)
    assert np.sum(pi * x**2) == pytest.approx(q / (1 - m**2), rel=1e-9)
    # reversible (every stationary 1-d Gaussian AR(1) is): zero, to rounding
    assert abs(th.markov_entropy_production(P, log_P=logP).total) < 1e-14
    exact = th.linear_gaussian_entropy_production([[m]], [[q]], [[0.6]], 3, [0.5])
    p = np.exp(-0.5 * (x - 0.5) ** 2 / 0.6)
    p /= p.sum()
    for t in range(3):
        res = th.markov_entropy_production(P, p, log_P=logP)
        assert res.total == pytest.approx(exact.step[t], rel=1e-8)
        assert res.medium == pytest.approx(exact.medium[t], rel=1e-8)
        p = p @ P


# -- the binned estimator ---------------------------------------------------------------

def sample_finite_chain(P, n, rng, x0=0):
    cum = np.cumsum(P, axis=1)
    u = rng.random(n)
    out = np.empty(n + 1, dtype=np.int64)
    out[0] = x0
    for t in range(n):
        out[t + 1] = min(np.searchsorted(cum[out[t]], u[t], side="right"), P.shape[0] - 1)
    return out


def test_binned_estimator_on_finite_chains():
    rng = np.random.default_rng(7)
    p, q = 0.6, 0.1
    P = np.array([[1 - p - q, p, q], [q, 1 - p - q, p], [p, q, 1 - p - q]])
    exact = (p - q) * np.log(p / q)
    n = 200_000
    est = th.binned_entropy_production(sample_finite_chain(P, n, rng), None)
    # bins = states: consistent; the error of a plug-in KL from n correlated transitions
    # is a few times sqrt(Var/n) ~ 0.003; 0.02 is a wide margin, a wrong formula is off by O(1)
    assert est.estimate == pytest.approx(exact, abs=0.02)
    assert est.n_transitions == n and est.n_pairs == 3 and est.n_one_sided == 0
    # a reversible chain: the estimate is of the order of the null bias n_pairs / N
    E = rng.normal(size=6)
    rev = th.binned_entropy_production(sample_finite_chain(metropolis_chain(E), n, rng), None)
    assert rev.n_pairs == 6
    assert rev.estimate < 10 * rev.null_bias
    assert rev.null_bias == pytest.approx(6 / n)


def test_binned_estimator_is_a_lower_bound_for_a_coarse_graining():
    # stationary 2-d non-equilibrium OU chain: coarse bins see part of the irreversibility
    A = np.eye(2) + 1.0 * ROT
    M, Q = th.euler_ou_chain(A, np.eye(2), 0.2)
    exact = th.linear_gaussian_stationary_entropy_production(M, Q)
    from scipy.linalg import solve_discrete_lyapunov

    C = solve_discrete_lyapunov(M, Q)
    rng = np.random.default_rng(8)
    x0 = rng.multivariate_normal(np.zeros(2), C, size=50)
    chain = th.sample_gaussian_chain(x0, lambda X: X @ (M - np.eye(2)).T, Q, 4000, rng)
    est = th.binned_entropy_production(chain.path, 4, range=[(-3, 3), (-3, 3)])
    assert 0 < est.estimate < exact
    # and it sees much more than the null bias
    assert est.estimate > 20 * est.null_bias


# -- sampling ---------------------------------------------------------------------------

def test_sampler_reproducible_and_reports_divergence():
    rng = np.random.default_rng(9)
    x0 = rng.standard_normal((4, 2))
    a = th.sample_gaussian_chain(x0, lambda X: -0.1 * X, 0.05, 20, np.random.default_rng(1))
    b = th.sample_gaussian_chain(x0, lambda X: -0.1 * X, 0.05, 20, np.random.default_rng(1))
    assert np.array_equal(a.path, b.path) and not a.diverged.any()
    # a constant covariance given as a callable gives the same numbers (to rounding)
    c = th.sample_gaussian_chain(x0, lambda X: -0.1 * X,
                                 lambda X: np.broadcast_to(0.05 * np.eye(2), (len(X), 2, 2)),
                                 20, np.random.default_rng(1))
    np.testing.assert_allclose(a.path, c.path, rtol=1e-12, atol=1e-14)
    # an explosive drift: reported, frozen at NaN, no exception
    d = th.sample_gaussian_chain(x0, lambda X: X**3, 0.01, 30, rng, max_norm=1e6)
    assert d.diverged.all() and np.isnan(d.path[:, -1]).all()
    pe = th.path_entropy_production(d.path, lambda X: X**3, 0.01)
    assert not pe.finite.any()


def test_minibatch_noise_by_enumerating_every_batch():
    rng = np.random.default_rng(10)
    ds = data.sine_regression(6, rng)
    model = models.MLP((1, 3, 1))
    obj = models.Objective(model, ds.X, ds.Y, weight_decay=0.01)
    theta = model.init(rng, bias_std=0.3)
    B = 2
    for replace, batches in [(False, itertools.combinations(range(6), B)),
                             (True, itertools.product(range(6), repeat=B))]:
        G = np.array([obj.subset(list(b)).grad(theta) for b in batches])
        G -= G.mean(axis=0)
        exact = G.T @ G / len(G)
        np.testing.assert_allclose(th.MinibatchNoise(obj, B, replace)(theta), exact,
                                   rtol=1e-10, atol=1e-16)
    # rank <= n - 1 of the per-sample covariance
    S = th.MinibatchNoise(obj, B).sample_cov(theta)
    assert np.linalg.matrix_rank(S) <= 5 < model.n_params


# -- bad input --------------------------------------------------------------------------

def test_bad_input_raises_clear_errors():
    path = np.zeros((5, 2))
    drift = lambda X: -X  # noqa: E731
    with pytest.raises(ValueError, match="noise_cov must be positive definite"):
        th.path_entropy_production(path, drift, np.array([[1.0, 0.0], [0.0, -1.0]]))
    with pytest.raises(ValueError, match="noise_cov must be positive definite"):
        th.path_entropy_production(path, drift, lambda X: np.zeros((len(X), 2, 2)))
    with pytest.raises(ValueError, match="noise_cov must be symmetric"):
        th.path_entropy_production(path, drift, np.array([[1.0, 0.5], [0.0, 1.0]]))
    with pytest.raises(ValueError, match="noise_cov must have shape"):
        th.path_entropy_production(path, drift, np.eye(3))
    with pytest.raises(ValueError, match="noise_cov must be > 0"):
        th.path_entropy_production(path, drift, -1.0)
    with pytest.raises(ValueError, match="drift"):
        th.path_entropy_production(path, lambda X: X[:, :1], 1.0)
    with pytest.raises(ValueError, match="drift array"):
        th.path_entropy_production(path, np.zeros((4, 2)), 1.0)
    with pytest.raises(ValueError, match="path"):
        th.path_entropy_production(np.zeros(5), drift, 1.0)
    with pytest.raises(ValueError, match="path"):
        th.path_entropy_production(np.zeros((1, 2)), drift, 1.0)
    with pytest.raises(ValueError, match="A must be stable"):
        th.ou_stationary_entropy_production(-np.eye(2), np.eye(2))
    with pytest.raises(ValueError, match="D must be positive definite"):
        th.ou_entropy_production(np.eye(2), np.diag([1.0, 0.0]), np.eye(2), 1.0)
    with pytest.raises(ValueError, match="C0 must have shape"):
        th.ou_entropy_production(np.eye(2), np.eye(2), np.eye(3), 1.0)
    with pytest.raises(ValueError, match="M must have spectral radius"):
        th.linear_gaussian_stationary_entropy_production(1.1 * np.eye(2), np.eye(2))
    with pytest.raises(ValueError, match="P must be a row-stochastic"):
        th.markov_entropy_production(np.array([[0.5, 0.6], [0.5, 0.5]]))
    with pytest.raises(ValueError, match="p must be a probability"):
        th.markov_entropy_production(np.eye(2), np.array([0.5, 0.6]))
    with pytest.raises(ValueError, match="bins"):
        th.binned_entropy_production(np.zeros((5, 2)), [3])
    with pytest.raises(ValueError, match="integer state labels"):
        th.binned_entropy_production(np.zeros(5), None)
    with pytest.raises(ValueError, match="sigmas must be finite"):
        th.fluctuation_theorem_check([0.0, np.nan])
    with pytest.raises(ValueError, match="grid must be uniform"):
        th.grid_transition_matrix(np.array([0.0, 1.0, 3.0]), lambda x: 0 * x, 1.0)
    with pytest.raises(TypeError, match="objective"):
        th.MinibatchNoise("not an objective", 2)
    with pytest.raises(TypeError, match="rng"):
        th.sample_gaussian_chain(np.zeros(2), drift, 1.0, 3, 0)


# --- experiments on a network's training chain (_network_entropy, _linearised, _support,
# _degeneracy), at small sizes


def _small_objective(seed=0, n=10, hidden=2):
    rng = np.random.default_rng(seed)
    net = models.MLP((1, hidden, 1))
    obj = models.Objective(net, rng.standard_normal((n, 1)), rng.standard_normal((n, 1)),
                           weight_decay=1e-3)
    return net, obj, rng


def test_init_law_entropy_is_the_sum_of_gaussian_entropies():
    net = models.MLP((2, 3, 1))
    var = np.r_[np.full(6, 0.5), np.full(3, 0.25), np.full(3, 1 / 3), [0.25]]
    assert th.init_law_entropy(net, bias_std=0.5) == pytest.approx(
        0.5 * np.sum(np.log(2 * np.pi * np.e * var)), rel=1e-14)


def test_langevin_heat_matches_path_entropy_production_and_is_reproducible():
    net, obj, _ = _small_objective()
    init = lambda r: net.init(r, bias_std=0.5)  # noqa: E731
    a = th.langevin_heat(obj, init, [np.random.default_rng(w) for w in range(3)], 15, 0.05, 1e-3,
                         hessian_checkpoints=3)
    b = th.langevin_heat(obj, init, [np.random.default_rng(w) for w in range(3)], 15, 0.05, 1e-3)
    np.testing.assert_array_equal(a.heat, b.heat)
    assert a.heat.shape == (3,) and a.medium.shape == (3, 15)
    assert a.checkpoints.tolist() == [0, 7, 14] and a.step_bound.shape == (3,)
    assert np.isnan(b.eta_lam_max) and b.checkpoints.size == 0
    assert a.noise_entropy == pytest.approx(0.5 * net.n_params * np.log(4 * np.pi * np.e * 5e-5))
    # the medium term is the heat over T to leading order in eta
    assert a.heat_mean * 1e-3 / a.loss_drop.mean() == pytest.approx(1, abs=0.3)


def test_stationary_production_vanishes_on_a_quadratic_loss():
    # a linear network with mse loss has a quadratic loss: eps is zero to rounding
    rng = np.random.default_rng(0)
    obj = models.Objective(models.MLP((2, 1), "linear"), rng.standard_normal((20, 2)),
                           rng.standard_normal((20, 1)))
    res = th.langevin_stationary_production(obj, np.zeros(3), [np.random.default_rng(w)
                                                               for w in range(2)], 40, 0.05,
                                            1e-3, block=10)
    assert res.n_blocks == 8 and abs(res.mean) < 1e-9


def test_minibatch_transient_bound_is_mean_minus_initial_entropy():
    net, obj, rng = _small_objective()
    th0 = np.array([net.init(rng) for _ in range(3)])
    res = th.minibatch_transient(obj, th.MinibatchNoise(obj, 2), th0, 4, 0.05, 1e-3, rng)
    bound, se = res.total_bound(1.0)
    assert bound == pytest.approx(np.mean(res.noise_entropy + res.heat) - 1.0)
    assert se > 0 and res.n_diverged == 0


def test_linearised_rate_scan_is_zero_for_commuting_noise_and_slope_two_otherwise():
    H = np.diag([1.0, 3.0])
    assert np.abs(th.linearised_rate_scan(H, np.diag([2.0, 1.0]), [0.1, 0.05, 0.02],
                                          [1e-3]).rate).max() < 1e-12
    res = th.linearised_rate_scan(H, np.array([[1.0, 0.8], [0.8, 1.0]]),
                                  [0.02, 0.01, 0.005, 0.0025], [1.0, 0.1])
    assert np.all(res.rate > 0) and np.all(res.rate[1] > res.rate[0])
    assert res.slope == pytest.approx(2, abs=0.1) and res.local_slopes.shape == (3,)


def test_linearised_monte_carlo_agrees_with_the_closed_form():
    M = np.array([[0.8, 0.3], [-0.3, 0.8]])
    res = th.linearised_monte_carlo(M, np.eye(2), 2000, 10, np.random.default_rng(3))
    # 5 standard errors: a false alarm has probability ~6e-7
    assert abs(res.mc_mean - res.exact) < 5 * res.mc_se and res.exact > 0


def test_support_of_sgd_and_langevin_and_mirror_fixed_points():
    net, obj, rng = _small_objective(n=6)
    theta = net.init(rng, bias_std=0.5)
    assert th.sgd_reversal_gap(obj, theta, 0.05) > 1e-3
    ends = th.two_step_endpoints(obj, theta, 0.05, 1e-3, 200, rng)
    assert ends.sgd_atoms == 30 and ends.sgd_distinct <= 30 and ends.lang_distinct == 200
    star = models.find_minimum(obj, theta)
    mirror = th.mirror_fixed_points(obj, star.theta, 50, 0.05)
    assert mirror.loss_diff < 1e-12 and mirror.max_move < 1e-8 < mirror.separation


def test_covariance_degeneracy_counts_switched_off_and_repeated_units():
    rng = np.random.default_rng(0)
    net = models.MLP((2, 4, 1))
    obj = models.Objective(net, rng.standard_normal((30, 2)), rng.standard_normal((30, 1)))
    noise = th.MinibatchNoise(obj, 4)
    (W, b), (V, c) = net.unflatten(net.init(rng, bias_std=0.5))
    W, b, V = W.copy(), b.copy(), V.copy()
    assert th.covariance_degeneracy(noise, net.flatten([(W, b), (V, c)])).n_null == 0
    W[1], b[1] = -W[0], -b[0]          # unit 1 repeats unit 0 up to sign
    W[3], b[3], V[0, 3] = 0.0, 0.0, 0.0  # unit 3 switched off
    res = th.covariance_degeneracy(noise, net.flatten([(W, b), (V, c)]))
    assert (res.n_off, res.n_repeat) == (1, 1) and res.n_null == res.n_predicted == 8
# -- experiments: known answers, the double well, the binned estimator's tests ----------


def test_ou_relaxation_matches_closed_form():
    # 4000 paths: a 5-sigma bound on each of 3 steps fails by chance with prob. < 2e-6
    r = th.ou_relaxation(np.eye(2) + ROT, np.eye(2), 0.1, [1.0, 0.0], 3 * np.eye(2), 3, 4000, 1)
    assert r.kl_formula_err < 1e-10
    assert np.all(np.abs(r.z) < 5)
    assert abs(r.mc_total - r.exact.sum()) < 5 * r.mc_total_se


def test_ou_fluctuation_theorem_and_mean():
    # IFT and the mean of sigma, 5-sigma bounds; 4000 stationary paths
    f = th.ou_fluctuation(np.eye(2) + ROT, np.eye(2), 0.1, 3, 4000, 2)
    assert abs(f.ift - 1) < 5 * f.ift_se
    assert abs(f.mean_sigma - 3 * f.sigma_step) < 5 * f.mean_sigma_se
    assert math.isclose(f.exp_minus_mean, math.exp(-3 * f.sigma_step))


def test_euler_limit_first_order_and_factor_two():
    lim = th.euler_limit(np.eye(2) + ROT, np.eye(2), [0.04, 0.02, 0.01])
    assert abs(lim.preprint_ratio - 0.5) < 1e-12      # closed forms: rounding only
    assert abs(lim.order - 1) < 0.1                   # Euler-Maruyama: O(eta)
    # an equilibrium process (A symmetric, D = I) produces nothing at any step
    eq = th.euler_limit(np.diag([1.0, 2.0]), np.eye(2), [0.04, 0.02])
    assert abs(eq.rate) < 1e-12


def test_finite_chains_known_values():
    fc = th.finite_chains(5, 0.5, 0.2, 3)
    assert abs(fc.metropolis) < 1e-15 and abs(fc.cycle - 0.3 * math.log(2.5)) < 1e-14


def test_quadratic_balance_reversible_but_not_boltzmann():
    qb = th.quadratic_balance(np.diag([1.0, 4.0]), 0.2, 0.1, 5000, 4)
    assert abs(qb.sigma) < 1e-14 and qb.residual > 0.01
    # an isotropic Hessian keeps Boltzmann balance with the shadow law: residual ~ 0
    iso = th.quadratic_balance(np.eye(2), 0.2, 0.1, 5000, 4)
    assert iso.residual < 1e-6


def test_double_well_chain_is_a_probability_chain():
    ch = th.double_well_chain(0.1, 0.2, 150)
    assert np.allclose(ch.P.sum(axis=1), 1) and np.allclose(ch.pi @ ch.P, ch.pi, atol=1e-14)
    # the stationary law is symmetric, as the loss is
    assert np.allclose(ch.pi, ch.pi[::-1], atol=1e-12)


def test_double_well_scan_scaling():
    s = th.double_well_scan([0.1, 0.05, 0.025, 0.0125], 0.2, 300)
    assert np.all(s.etas[:-1] > s.etas[1:])               # largest step first
    assert abs(s.slope - 3) < 0.2 and abs(s.db_slope - 1) < 0.2
    assert np.abs(s.ratio_sym - 1).max() < 1e-9


def test_double_well_transient_budget_and_medium():
    tr = th.double_well_transient(0.05, 0.2, 300, 20, 2000, 5)
    assert tr.budget_error < 1e-9 and tr.sigma.min() > 0
    # the path-wise medium term, a 5-sigma bound
    assert abs(tr.medium_mc - tr.medium.sum()) < 5 * tr.medium_mc_se
    assert tr.summary["time"] == 20 * 0.05


def test_double_well_path_estimate_matches_exact():
    est = th.double_well_path_estimate(0.1, 0.2, 300, 1000, 100, 6)
    assert abs(est.z) < 5


def test_mixing_times_follow_arrhenius():
    mt = th.mixing_times([0.2, 0.1, 0.0625], 0.05, 300)
    assert np.all(np.diff(mt.tau) > 0) and abs(mt.barrier_fit / 0.25 - 1) < 0.15
    assert np.allclose(mt.ratio, mt.tau / mt.tau_kramers)


def test_binned_estimators_are_lower_bounds():
    bc = th.binned_convergence_ou(40000, [4, 8], 7, n_boot=4)
    assert np.all(bc.estimate[:, -1] - bc.null_bias[:, -1] < bc.exact)
    b = th.binned_double_well(0.05, 0.2, 300, 200, 8, n_boot=4)
    assert 0 <= b.coarse < b.exact and b.n_transitions == 200 * 100


def test_entropy_budget_cases_identities():
    bc = th.entropy_budget_cases(2.0, 11)
    assert bc.budget_error < 1e-10 and bc.sign_rule_mismatches == 0
    assert bc.summary["displaced_vs_narrow"] < 1e-10
    cols = bc.columns
    assert cols["case"] == list(bc.cases) and min(cols["gap_min"][1:2]) >= 0
