"""Spawned children, matched pairs and sources of variability (practice._stability), and
the data file of their runs (``make sweep-stability``)."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

pytest.importorskip("jax", reason="needs the extra `practice`")

from uniqnets import practice  # noqa: E402
from uniqnets.book import stability_runs  # noqa: E402
from uniqnets.practice._sources import _flip_last_bit  # noqa: E402

DATA = Path(__file__).resolve().parents[1] / "book" / "_data" / "stability_runs.json"

# a small slice of Fashion-MNIST: 10 steps of 128 images, 300 test images
SMALL = {"epochs": 1.0, "n_train": 1280, "n_test": 200}


def _have_fashion():
    import os

    from uniqnets import data

    return all((data.DEBIAN_FOLDER / name).exists() for name, _, _ in data.FILES.values()) \
        or bool(os.environ.get(data.ENV_VAR))


needs_fashion = pytest.mark.skipif(not _have_fashion(),
                                   reason="Fashion-MNIST is not installed (make data)")


def test_flip_last_bit_changes_one_weight_by_one_ulp():
    theta = np.array([1.0, -2.5, 3e-3], np.float32)
    out = _flip_last_bit(theta, 1)
    assert np.array_equal(np.delete(out, 1), np.delete(theta, 1))
    assert abs(out[1] - theta[1]) == np.spacing(np.float32(2.5))
    assert np.array_equal(_flip_last_bit(out, 1), theta)  # an involution


@needs_fashion
def test_setup_seeds_the_data_order_apart_from_the_initialisation():
    base = practice.fashion_setup("MLP", 3, **SMALL)
    same = practice.fashion_setup("MLP", 3, data_seed=3, **SMALL)
    other = practice.fashion_setup("MLP", 3, data_seed=4, **SMALL)
    assert np.array_equal(base.train_map.batches, same.train_map.batches)
    assert not np.array_equal(base.train_map.batches, other.train_map.batches)
    assert np.array_equal(base.theta0, other.theta0)


@needs_fashion
def test_setup_in_float64_starts_from_the_float32_numbers():
    s32 = practice.fashion_setup("MLP", 0, **SMALL)
    s64 = practice.fashion_setup("MLP", 0, dtype="float64", n_chunks=4, **SMALL)
    assert s64.theta0.dtype == np.float64 and s64.train_map.n_chunks == 4
    assert np.array_equal(s64.theta0, s32.theta0.astype(np.float64))
    assert s64.map_in("float32").n_chunks == 4


@needs_fashion
def test_spawn_at_the_last_step_gives_one_point_and_no_barrier():
    """Children spawned after the last step are the parent: the path is one point."""
    T = practice.fashion_setup("MLP", 0, **SMALL).n_steps
    s = practice.spawn_instability("MLP", 0, (T - 0.4) / T, **SMALL)
    assert s.spawn == T
    assert s.error.max() == s.error.min() and s.error_barrier == 0.0
    assert s.accuracy[0] == s.accuracy[1]


@needs_fashion
def test_spawn_instability_is_reproducible_and_its_children_differ():
    a = practice.spawn_instability("MLP", 1, 0.5, hidden=(16, 8), **SMALL)
    b = practice.spawn_instability("MLP", 1, 0.5, hidden=(16, 8), **SMALL)
    assert a.spawn == 5 and a.child_data_seeds == (1002, 1003)
    assert np.array_equal(a.error, b.error) and np.array_equal(a.loss, b.loss)
    # the two data orders give two different end points: the loss varies along the path
    assert np.ptp(a.loss) > 0


@needs_fashion
def test_matched_pair_aligns_without_changing_the_function():
    m = practice.matched_pair("MLP", 0, hidden=(16, 8), **SMALL)
    assert m.seeds == (0, 1) and m.hidden == (16, 8)
    # the ends of the path are the two networks before and after the permutation of the
    # second one, which computes the same function
    assert m.loss_matched[0] == m.loss[0]
    # (to float32 rounding: the permuted sums run in another order)
    assert m.loss_matched[-1] == pytest.approx(m.loss[-1], rel=1e-5)
    assert m.distance_matched <= m.distance


@needs_fashion
@pytest.mark.parametrize("source", practice.SOURCES)
def test_variability_runs_differ_in_their_source_only(source):
    v = practice.variability("MLP", source, n_runs=2, hidden=(16, 8), **SMALL)
    assert v.source == source and len(v.accuracy) == (4 if source == "precision" else 2)
    assert v.pairs == (((0, 1), (2, 3)) if source == "precision" else ((0, 1),))
    for arr in (v.churn, v.function_distance, v.distance, v.distance_matched):
        assert arr.shape == (len(v.pairs),) and np.all(arr >= 0)
    # every source changes the end point: the runs are not bitwise equal
    assert np.all(v.distance > 0)


def test_variability_refuses_more_reduction_orders_than_it_has():
    with pytest.raises(ValueError, match="n_runs"):
        practice.variability("MLP", "reduction order", n_runs=6)
    with pytest.raises(ValueError, match="source"):
        practice.variability("MLP", "cosmic rays")


def test_command_line_lists_units_and_refuses_unknown_sources(tmp_path, capsys):
    data = tmp_path / "s.json"
    assert stability_runs.main(["instability", "--seeds", "0:2", "--spawns", "0,0.5",
                                "--data", str(data), "--dry-run"]) == 0
    assert "4 to run" in capsys.readouterr().err
    with pytest.raises(SystemExit):
        stability_runs.main(["variability", "--sources", "gamma rays", "--data", str(data)])


@needs_fashion
def test_command_line_writes_a_unit_with_provenance_and_reads_it_back(tmp_path):
    data = tmp_path / "s.json"
    argv = ["variability", "--sources", "one bit", "--n-runs", "2", "--epochs", "0.02",
            "--data", str(data)]
    assert stability_runs.main(argv) == 0
    rec = stability_runs.load(data)["runs"][0]
    assert rec["command"].startswith("python -m uniqnets.book.stability_runs variability")
    assert {"machine", "library", "device", "seconds"} <= set(rec)
    v = stability_runs.load_records(data, "variability")[0]
    assert isinstance(v, practice.Variability) and v.pairs == ((0, 1),)
    assert stability_runs.main(argv) == 0  # already there: nothing is rerun
    assert len(stability_runs.load(data)["runs"]) == 1


def test_book_data_file_says_what_made_every_unit():
    runs = stability_runs.load(DATA)["runs"]
    assert runs, f"{DATA} holds no units: make sweep-stability"
    for r in runs:
        assert r["command"].startswith("python -m uniqnets.book.stability_runs")
        assert r["experiment"] in stability_runs.EXPERIMENTS


def test_signed_alignment_undoes_permutations_and_sign_flips_of_a_tanh_mlp():
    """A tanh MLP's copy, permuted and with some units' signs flipped, is the same function:
    alignment by signed permutations recovers it bit for bit, permutations alone cannot."""
    from uniqnets import models
    from uniqnets.practice._pairs import _signed_alignment

    net = practice.mlp((6, 10, 8, 3), "tanh")
    rng = np.random.default_rng(4)
    theta = net.init(rng)
    model = models.MLP((6, 10, 8, 3), "tanh")
    copy = models.permute_hidden(model, theta, *models.random_symmetry(model, rng, True))
    assert np.array_equal(_signed_alignment(net, theta, copy), theta)
    assert not np.array_equal(practice.weight_matching(net, theta, copy).theta, theta)
    assert _signed_alignment(practice.mlp((6, 10, 3), "relu"), theta[:103], theta[:103]) is None


def test_edge_and_chaos_on_gradient_descent_of_quadratics():
    """Gradient descent on f = h x^2 / 2 has the exponent ln|1 - eta h| exactly, and its
    edge ratio is eta h / 2: every chaotic run is past the edge, and none below it."""
    eta_h = np.linspace(0.05, 3.9, 40)
    table = {f"q {x:.3f}": [float(np.log(abs(1 - x))), 1e-6, x / 2] for x in eta_h}
    r = practice.edge_and_chaos([table])
    assert r["n_chaotic"] == int(np.sum(eta_h > 2)) > 0
    assert r["n_chaotic_below_edge"] == 0 and r["n_chaotic_past_edge"] == r["n_chaotic"]
    # ln|1 - x| falls to x = 1 and rises after it: a rank correlation below one
    assert 0 < r["rho"] < 1


def test_chaos_and_accuracy_orders_by_accuracy_and_reads_the_chaos_test():
    """The demo network whose exponent is positive in both seeds is chaotic at its one
    stage; rows come from the most accurate network down."""
    from uniqnets.practice._seeds import _demo_runs

    runs = _demo_runs()
    rows = practice.chaos_and_accuracy(runs)
    acc = [r["accuracy"] for r in rows]
    assert acc == sorted(acc, reverse=True)
    by = {r["network"]: r for r in rows}
    assert by["A"]["chaotic_stages"] == (1,) and by["B"]["chaotic_stages"] == ()
    assert by["A"]["lambda1_low"] == practice.chaos_test(runs, "A", 0).lambda1_low
    assert not by["A"]["ahead"] and not by["B"]["ahead"]  # equal accuracies


def test_a_network_is_ahead_only_when_its_interval_clears_every_chaotic_one():
    """B (never chaotic) is ahead of the chaotic A when its accuracies sit above A's
    interval, not when the intervals overlap; a chaotic network is never ahead."""
    import dataclasses

    from uniqnets.practice._seeds import _demo_runs

    def with_accuracy(acc_a, acc_b):
        accs = {"A": acc_a, "B": acc_b}
        count = {"A": 0, "B": 0}
        out = []
        for r in _demo_runs():
            acc = accs[r.name][count[r.name]]
            count[r.name] += 1
            out.append(dataclasses.replace(r, test_accuracy=np.array([0.1, acc])))
        return {row["network"]: row for row in practice.chaos_and_accuracy(out)}

    # two seeds: the 95 % t interval is the mean +- 12.71 * |a - b| / 2
    by = with_accuracy((0.800, 0.801), (0.900, 0.901))  # 0.8005 +- 0.0064, 0.9005 +- 0.0064
    assert by["B"]["ahead"] and not by["A"]["ahead"]
    by = with_accuracy((0.80, 0.81), (0.85, 0.86))  # 0.805 +- 0.064 reaches 0.855 - 0.064
    assert not by["B"]["ahead"]
    by = with_accuracy((0.95, 0.96), (0.80, 0.81))  # the chaotic network is the best
    assert not by["A"]["ahead"] and not by["B"]["ahead"]


def test_summary_reads_the_mlp_first_and_the_other_networks_at_their_first_spawn():
    """With a CNN in the file (sorted before the MLP), the MLP's numbers stay the MLP's,
    and the CNN's first spawn point gets its own keys."""
    a = np.linspace(0, 1, 3)

    def spawn(net, k, bump):
        return practice.Spawn(net, 0, k, 10, (1, 2), np.array([0.9, 0.9]), a,
                              np.array([0.1, 0.1 + bump, 0.1]), np.array([0.3, 0.4, 0.3]),
                              np.zeros(2))

    spawns = [spawn("MLP", k, 0.001 * (3 - k)) for k in range(3) for _ in range(2)]
    spawns += [spawn("CNN", 0, 0.05), spawn("CNN", 0, 0.07)]
    s = practice.stability_summary(spawns, [], [])
    assert s["n_spawns"] == 3 and s["n_spawn_pairs"] == 2
    assert s["k0_barrier"] == pytest.approx(0.003)
    assert s["CNN_k0_barrier"] == pytest.approx(0.06) and s["CNN_k0_pairs"] == 2
    # 0.05 and 0.07: mean 0.06, t-interval half-width 12.7 * 0.01 = 0.127, across 0.02
    assert s["CNN_k0_status"] == "not resolved"


@pytest.mark.parametrize("conv", [False, True])
def test_steps_is_the_map_stepped_one_at_a_time(conv):
    """TrainingMap.steps: a compiled loop for an MLP (equal to repeated step to rounding),
    step by step for a CNN (bit for bit)."""
    rng = np.random.default_rng(0)
    X, Y = rng.standard_normal((32, 16)), rng.integers(0, 3, 32)
    net = practice.cnn((4, 4, 1), (2,), 3) if conv else practice.mlp((16, 8, 3))
    batches = rng.integers(0, 32, (10, 8))
    tm = practice.TrainingMap(net, X, Y, practice.optimizer("momentum", 0.1),
                              batches=batches, dtype="float32")
    x = tm.init_state(net.init(rng))
    ref = x
    for t in range(10):
        ref = tm.step(ref, t)
    got = tm.steps(x, 0, 10, chunk=4)
    if conv:
        assert np.array_equal(got, ref)
    else:
        # float32 rounding of ten steps of a state of order one
        np.testing.assert_allclose(got, ref, rtol=0, atol=1e-5)
