"""uniqnets.practice: continuous symmetry dimensions against closed forms and generators.

The measured dimension ``n_params - rank J`` is checked against counts derived by hand
(tanh 0, ReLU one per hidden unit, linear networks, the CNN's channels, the
transformer's parts), against explicit symmetry directions that must lie in the null
space of ``J`` while a random direction does not, and against more inputs (doubling
``X`` must not change it once the inputs are enough).
"""

from __future__ import annotations

import math

import numpy as np
import pytest

pytest.importorskip("jax", reason="needs the extra `practice`")

from uniqnets import practice  # noqa: E402
from uniqnets.practice._symmetries import _jacobian, _outputs_per_sample  # noqa: E402

EPS = np.finfo(np.float64).eps


def generic(net, seed, jitter=0.1):
    """Parameters near the initialisation, with nonzero biases and gains off one."""
    rng = np.random.default_rng(seed)
    return net.init(rng) + jitter * rng.standard_normal(net.n_params)


def inputs(net, seed, factor=2.0):
    """Gaussian inputs (uniform tokens) giving ``factor`` outputs per parameter."""
    rng = np.random.default_rng(1000 + seed)
    n = math.ceil(factor * net.n_params / _outputs_per_sample(net))
    if net.kind == "transformer" and net.cfg["vocab"]:
        return rng.integers(0, net.cfg["vocab"], (n, net.cfg["seq_len"]))
    return rng.standard_normal((n, net.n_in))


def measure(net, seed=0, factor=2.0):
    return practice.symmetry_dimension(net, generic(net, seed), inputs(net, seed, factor))


# -- known answers -------------------------------------------------------------------------

@pytest.mark.parametrize("sizes", [(5, 7, 3), (6, 10, 8, 3)])
def test_tanh_mlp_has_no_continuous_symmetry(sizes):
    s = measure(practice.mlp(sizes, "tanh"))
    assert s.dimension == 0 and s.gap == math.inf
    # a clean answer, not one at the edge of the cut: the smallest singular value is
    # orders of magnitude above the rounding level the cut stands for
    assert s.singular_values[-1] > 1e6 * s.threshold


@pytest.mark.parametrize("sizes", [(6, 12, 3), (6, 8, 6, 3), (10, 8, 6, 4)])
def test_relu_mlp_has_one_rescaling_per_hidden_unit(sizes):
    net = practice.mlp(sizes, "relu")
    s = measure(net)
    assert s.dimension == sum(sizes[1:-1]) == practice.expected_symmetry_dimension(net)
    # null singular values are rounding (1e-16 s_max), the kept ones above 1e-5 s_max
    assert s.gap > 1e8


@pytest.mark.parametrize(("sizes", "expected"), [
    ((6, 4, 5), 4**2 + 4),  # one hidden layer narrower than both ends: Aff(h)
    ((4, 6, 3, 5), 24 + 6 + 18 + 3 + 15 + 5 - (3 * (4 + 5 - 3) + 5)),  # rank <= 3
    ((3, 5, 4), 15 + 5 + 20 + 4 - (3 * (3 + 4 - 3) + 4)),  # rank <= 3 = n_0
])
def test_linear_mlp_keeps_only_its_affine_map(sizes, expected):
    net = practice.mlp(sizes, "linear")
    assert practice.expected_symmetry_dimension(net) == expected
    s = measure(net)
    assert s.dimension == expected and s.gap > 1e8


@pytest.mark.parametrize(("image", "channels"), [((6, 6, 1), (2, 3)), ((5, 5, 2), (4,)),
                                                 ((8, 8, 1), (2, 3, 4))])
def test_relu_cnn_has_one_rescaling_per_channel(image, channels):
    net = practice.cnn(image, channels, 3)
    s = measure(net)
    assert s.dimension == sum(channels) == practice.expected_symmetry_dimension(net)
    assert s.gap > 1e8


def test_transformer_formula_by_hand():
    """The closed form's arithmetic for one network, summed here part by part."""
    net = practice.transformer(4, 8, 2, 1, 3, d_in=3)  # D 8, H 2, d_h 4, N 1, r 4, L 4
    parts = practice.expected_symmetry_dimension(net, parts=True)
    embedding = 3 + 8 + 4  # W_e along 1, b_e into the positions, positions along 1
    rotations = 7 * 6 // 2  # O(D - 1)
    final = 2 * 8 + 3  # final layer norm, read-out columns along 1/g
    layer = (2 * 8  # attention layer norm
             + 2 * 2 * 4**2  # GL(d_h) for (q, k) and (v, o), two heads
             + 8 + 1  # key shifts, one value shift along 1
             + 8  # W_o along 1
             + 2 * 8 + 32  # MLP layer norm, W_1 columns along 1/g
             + 32 + 1)  # W_2 and b_2 along 1
    assert sum(parts.values()) == embedding + rotations + final + layer == 233
    assert practice.expected_symmetry_dimension(net) == 233


TRANSFORMERS = {
    "H1 N1": practice.transformer(4, 8, 1, 1, 3, d_in=3),
    "H2 N1": practice.transformer(4, 8, 2, 1, 3, d_in=3),
    "H1 N2": practice.transformer(4, 8, 1, 2, 3, d_in=3, mlp_ratio=1),
    "H2 N2": practice.transformer(4, 8, 2, 2, 3, d_in=3, mlp_ratio=1),
    "H4 relu": practice.transformer(4, 8, 4, 1, 3, d_in=3, mlp_ratio=1, activation="relu"),
    "tokens": practice.transformer(4, 8, 2, 1, 3, vocab=4, mlp_ratio=1),
    "per token": practice.transformer(4, 8, 2, 1, 3, d_in=3, mlp_ratio=1, pool=False),
    "D6 L3": practice.transformer(3, 6, 3, 1, 2, d_in=5, mlp_ratio=2),
}


@pytest.mark.parametrize("name", list(TRANSFORMERS))
def test_transformer_dimension_is_the_closed_form(name):
    net = TRANSFORMERS[name]
    s = measure(net)
    assert s.dimension == practice.expected_symmetry_dimension(net)
    # layer norm's eps breaks the scale invariance of the stream: the smallest kept
    # singular value is ~1e-8 s_max, the null ones rounding (~1e-16 s_max)
    assert s.gap > 1e5


def test_transformers_without_closed_form():
    T = practice.transformer
    for net in [T(1, 8, 2, 1, 3, d_in=3),  # one token: attention is the identity
                T(4, 8, 2, 0, 3, d_in=3),  # no layers
                T(4, 8, 2, 1, 3, d_in=2),  # d_in + L = 6 < D - 1: part of the stream unseen
                T(4, 8, 2, 1, 3, d_in=3, activation="linear")]:
        assert practice.expected_symmetry_dimension(net) is None
    for net in [practice.mlp((3, 4, 2), "gelu"),
                practice.cnn((4, 4, 1), (2,), 2, activation="tanh"),
                practice.resnet((6, 6, 1), 3, 1, 3)]:
        assert practice.expected_symmetry_dimension(net) is None


def test_narrow_inputs_give_more_than_the_named_symmetries():
    """Where the closed form is not claimed it is a lower bound, and not attained."""
    net = practice.transformer(4, 8, 2, 1, 3, d_in=2, mlp_ratio=1)
    named = practice.expected_symmetry_dimension(
        practice.transformer(4, 8, 2, 1, 3, d_in=3, mlp_ratio=1)) - 1  # d_in 2, not 3
    assert measure(net).dimension > named


# -- enough inputs -------------------------------------------------------------------------

@pytest.mark.parametrize("net", [practice.mlp((6, 8, 6, 3), "relu"),
                                 practice.cnn((6, 6, 1), (2, 3), 3), TRANSFORMERS["tokens"]],
                         ids=["relu", "cnn", "transformer"])
def test_doubling_the_inputs_leaves_the_dimension(net):
    theta, X = generic(net, 0), inputs(net, 0, factor=4.0)
    half = practice.symmetry_dimension(net, theta, X[:len(X) // 2])
    full = practice.symmetry_dimension(net, theta, X)
    assert half.dimension == full.dimension


def test_too_few_inputs_show_more_null_directions():
    """Why the doubling check matters: a ReLU unit active on 3 % of the inputs needs
    many of them before its weights are pinned down; doubling catches it."""
    net = practice.mlp((6, 10, 8, 3), "relu")
    theta, X = generic(net, 0), inputs(net, 0, factor=32)
    dims = [practice.symmetry_dimension(net, theta, X[:len(X) // k]).dimension
            for k in (16, 4, 2, 1)]  # 2, 8, 16 and 32 outputs per parameter
    assert dims[0] > dims[1] > dims[2] == dims[3] == 18


def test_initialisation_is_a_special_point():
    """Zero biases and unit gains: a transformer's layer norms lose directions there."""
    net = TRANSFORMERS["per token"]
    at_init = practice.symmetry_dimension(net, generic(net, 0, jitter=0.0), inputs(net, 0))
    assert at_init.dimension > practice.expected_symmetry_dimension(net)


# -- explicit symmetry directions ----------------------------------------------------------

def assert_null(net, theta, X, directions, controls=None):
    """Each direction ``v`` has ``|J v| <= threshold |v|`` (inside the numerical null
    space); a random direction, and each of ``controls`` (near misses), ``|J v|`` over a
    thousand times that."""
    s = practice.symmetry_dimension(net, theta, X)
    J = _jacobian(net, theta, X)
    for name, v in directions.items():
        assert np.linalg.norm(v) > 0, name
        assert np.linalg.norm(J @ v) <= s.threshold * np.linalg.norm(v), name
    controls = dict(controls or {})
    controls["random"] = np.random.default_rng(7).standard_normal(net.n_params)
    for name, v in controls.items():
        assert np.linalg.norm(J @ v) > 1e3 * s.threshold * np.linalg.norm(v), name


def test_relu_unit_rescaling_is_null():
    net = practice.mlp((6, 8, 6, 3), "relu")
    theta = generic(net, 0)
    directions, controls = {}, {}
    for layer, unit in [(0, 0), (0, 5), (1, 2)]:
        params = [(np.zeros_like(W), np.zeros_like(b)) for W, b in net.unflatten(theta)]
        (W, b), (W_next, _) = net.unflatten(theta)[layer:layer + 2]
        params[layer][0][unit] = W[unit]
        params[layer][1][unit] = b[unit]
        controls[f"layer {layer} unit {unit} in only"] = net.flatten(params)
        params[layer + 1][0][:, unit] = -W_next[:, unit]
        directions[f"layer {layer} unit {unit}"] = net.flatten(params)
    assert_null(net, theta, inputs(net, 0), directions, controls)


def _zeros(tree):
    if isinstance(tree, tuple):
        return tuple(_zeros(t) for t in tree)
    return np.zeros(np.shape(tree))


def _tangent(net, theta, fill):
    """The flat direction whose pytree ``fill(params, delta)`` writes into zeros."""
    params = net.unflatten(theta)
    params = tuple(_to_numpy(p) for p in params)
    delta = _to_lists(_zeros(params))
    fill(params, delta)
    return net.flatten(_to_tuples(delta))


def _to_numpy(tree):
    if isinstance(tree, tuple):
        return tuple(_to_numpy(t) for t in tree)
    return np.asarray(tree)


def _to_lists(tree):
    return [_to_lists(t) for t in tree] if isinstance(tree, tuple) else tree


def _to_tuples(tree):
    return tuple(_to_tuples(t) for t in tree) if isinstance(tree, list) else tree


def transformer_directions(net, theta, rng):
    """Generators of the transformer's symmetries (expected_symmetry_dimension), as flat
    tangent vectors, built from the parameter pytree
    ``((W_e, b_e), (P,), blocks, (g_f, b_f), (W, b))`` with blocks
    ``((g1, b1), (W_q, W_k, W_v, W_o), (g2, b2), (W_1, c_1, W_2, c_2))``."""
    D, H = net.cfg["d_model"], net.cfg["n_heads"]
    dh, ones = D // H, np.ones(D)
    out = {}

    def head(h):
        return slice(h * dh, (h + 1) * dh)

    def qk(p, d):
        A = rng.standard_normal((dh, dh))
        Wq, Wk, _, _ = p[2][0][1]
        d[2][0][1][0][:, head(1 % H)] = Wq[:, head(1 % H)] @ A
        d[2][0][1][1][:, head(1 % H)] = -Wk[:, head(1 % H)] @ A.T
    out["GL(d_h) on queries and keys"] = _tangent(net, theta, qk)

    def vo(p, d):
        B = rng.standard_normal((dh, dh))
        _, _, Wv, Wo = p[2][0][1]
        d[2][0][1][2][:, head(0)] = Wv[:, head(0)] @ B
        d[2][0][1][3][head(0), :] = -B @ Wo[head(0), :]
    out["GL(d_h) on values and outputs"] = _tangent(net, theta, vo)

    def key_shift(p, d):
        g = p[2][0][0][0]
        d[2][0][1][1][:, head(0)] = np.outer(1 / g, rng.standard_normal(dh))
    out["key shift"] = _tangent(net, theta, key_shift)

    def value_shift(p, d):
        (g, beta), (_, _, _, Wo) = p[2][0][0], p[2][0][1]
        s = np.linalg.solve(Wo.T, ones)  # s W_o = 1
        d[2][0][1][2][:] = np.outer(1 / g, s) / (beta @ (1 / g))
    if H > 1:
        out["value shift along 1"] = _tangent(net, theta, value_shift)

    def gain(p, d):
        (g, beta), Ws = p[2][0][0], p[2][0][1]
        sigma = rng.standard_normal(D)
        d[2][0][0][0][:], d[2][0][0][1][:] = g * sigma, beta * sigma
        for i in range(3):
            d[2][0][1][i][:] = -sigma[:, None] * Ws[i]
    out["attention layer-norm gain"] = _tangent(net, theta, gain)

    def ones_writes(p, d):
        d[0][0][:] = np.outer(rng.standard_normal(d[0][0].shape[0]), ones)
        d[1][0][:] = np.outer(rng.standard_normal(d[1][0].shape[0]), ones)
        for blk in d[2]:
            blk[1][3][:] = np.outer(rng.standard_normal(D), ones)
            blk[3][2][:] = np.outer(rng.standard_normal(blk[3][2].shape[0]), ones)
            blk[3][3][:] = rng.standard_normal() * ones
    out["writes along 1"] = _tangent(net, theta, ones_writes)

    def rotation(p, d):
        S = rng.standard_normal((D, D))
        Pi = np.eye(D) - np.ones((D, D)) / D
        Om = Pi @ (S - S.T) @ Pi  # skew, Om 1 = 0: a rotation of the stream fixing 1

        def read(ln, dln, Ws, dWs):
            g, beta = ln
            dln[1][:] = beta / g @ Om * g
            for W, dW in zip(Ws, dWs, strict=True):
                dW[:] = -(Om * g) @ W / g[:, None]

        d[0][0][:], d[0][1][:] = p[0][0] @ Om, p[0][1] @ Om
        d[1][0][:] = p[1][0] @ Om
        for blk, dblk in zip(p[2], d[2], strict=True):
            read(blk[0], dblk[0], blk[1][:3], dblk[1][:3])
            read(blk[2], dblk[2], blk[3][:1], dblk[3][:1])
            dblk[1][3][:] = blk[1][3] @ Om
            dblk[3][2][:], dblk[3][3][:] = blk[3][2] @ Om, blk[3][3] @ Om
        read(p[3], d[3], p[4][:1], d[4][:1])
    out["rotation of the residual stream"] = _tangent(net, theta, rotation)
    return out


def transformer_near_misses(net, theta, rng):
    """Directions like the generators that are not symmetries: a shift of every query
    (softmax sees it), a value shift that does not write along 1, and the rotation of
    the stream's writes without the reads."""
    D, dh = net.cfg["d_model"], net.cfg["d_model"] // net.cfg["n_heads"]
    out = {}

    def query_shift(p, d):
        d[2][0][1][0][:, :dh] = np.outer(1 / p[2][0][0][0], rng.standard_normal(dh))
    out["query shift"] = _tangent(net, theta, query_shift)

    def value_shift(p, d):
        d[2][0][1][2][:] = np.outer(1 / p[2][0][0][0], rng.standard_normal(D))
    out["value shift"] = _tangent(net, theta, value_shift)

    def writes_only(p, d):
        S = rng.standard_normal((D, D))
        Pi = np.eye(D) - np.ones((D, D)) / D
        Om = Pi @ (S - S.T) @ Pi
        d[0][0][:], d[1][0][:] = p[0][0] @ Om, p[1][0] @ Om
        for blk, dblk in zip(p[2], d[2], strict=True):
            dblk[1][3][:], dblk[3][2][:] = blk[1][3] @ Om, blk[3][2] @ Om
    out["rotated writes, reads kept"] = _tangent(net, theta, writes_only)
    return out


@pytest.mark.parametrize("heads", [1, 2])
def test_transformer_symmetries_are_null(heads):
    net = practice.transformer(4, 8, heads, 2, 3, d_in=3, mlp_ratio=1)
    theta = generic(net, 1)
    directions = transformer_directions(net, theta, np.random.default_rng(3))
    assert len(directions) == 6 + (heads > 1)
    controls = transformer_near_misses(net, theta, np.random.default_rng(4))
    assert_null(net, theta, inputs(net, 1), directions, controls)


# -- the result ---------------------------------------------------------------------------

def test_default_cut_and_a_larger_one():
    net = practice.mlp((4, 6, 3), "relu")
    theta, X = generic(net, 0), inputs(net, 0)
    s = practice.symmetry_dimension(net, theta, X)
    assert s.rtol == max(s.n_rows, s.n_params) * EPS
    assert s.threshold == s.rtol * s.singular_values[0]
    assert s.n_rows == 3 * len(X) and s.singular_values.shape == (net.n_params,)
    assert np.all(np.diff(s.singular_values) <= 0)
    # a cut above the smallest kept singular value drops it: one more null direction
    coarse = practice.symmetry_dimension(
        net, theta, X, rtol=1.01 * s.singular_values[s.rank - 1] / s.singular_values[0])
    assert coarse.dimension == s.dimension + 1
    assert s.per_parameter == s.dimension / s.n_params


def test_overflow_is_reported_not_raised():
    net = practice.mlp((2, 3, 3, 2), "linear")
    s = practice.symmetry_dimension(net, np.full(net.n_params, 1e200),
                                    np.ones((20, 2)))
    assert not s.finite and s.rank is None and s.dimension is None
    assert np.all(np.isnan(s.singular_values)) and math.isnan(s.per_parameter)


def test_symmetry_table_of_the_book_networks():
    """The page's table: every measured dimension is its closed form."""
    rows = practice.symmetry_table(practice.SYMMETRY_NETWORKS, np.random.default_rng(0))
    assert [r["name"] for r in rows] == list(practice.SYMMETRY_NETWORKS)
    for row in rows:
        net = practice.SYMMETRY_NETWORKS[row["name"]]
        assert 500 <= row["n_params"] == net.n_params <= 2000
        assert row["n_samples"] * _outputs_per_sample(net) >= 2 * net.n_params
        assert row["dimension"] == row["closed_form"], row["name"]
        assert row["per_parameter"] == row["dimension"] / row["n_params"]
        assert row["gap"] > 1e5, row["name"]


def test_symmetry_table_takes_its_sample_count():
    net = practice.mlp((3, 4, 2), "relu")
    (row,) = practice.symmetry_table({"relu": net}, np.random.default_rng(0), n_samples=30)
    assert row["n_samples"] == 30 and row["dimension"] == 4
