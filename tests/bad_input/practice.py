"""Bad input for uniqnets.practice (see ``tests/bad_input/__init__.py``)."""

from __future__ import annotations

import math

import numpy as np
import pytest

pytest.importorskip("jax", reason="needs the extra `practice`")

from uniqnets import practice  # noqa: E402

from . import (  # noqa: E402
    ABSURD,
    ARRAY,
    BOOLEAN,
    CHOICE,
    NONNEG_INT,
    NONNEG_REAL,
    POS_INT,
    POS_REAL,
    REAL,
    RNG,
    SIZE,
    Case,
)

NET = practice.mlp((2, 3, 2))  # d = 17
D = NET.n_params
THETA = NET.init(np.random.default_rng(0))
X = np.random.default_rng(1).standard_normal((6, 2))
Y = np.arange(6) % 2
TM = practice.TrainingMap(NET, X, Y, practice.optimizer("sgd", 0.1))
SIZES = [("abc", TypeError), (None, TypeError), ([2.5, 2], TypeError), ([0, 2], ValueError),
         ([True, 2], TypeError), ([10**13, 10**13], ValueError)]
IMAGE = [("abc", TypeError), ((8, 8), ValueError), ((8, 0, 1), ValueError),
         ((8.5, 8, 1), TypeError)]
ACT = CHOICE + [("sigmoid", ValueError)]
UNIT = POS_REAL[:-1] + [(1.0, ValueError), (2.0, ValueError)]  # in [0, 1)
THETA_BAD = ARRAY + [(np.zeros(4), ValueError), (np.full(D, np.nan), ValueError)]
STATE_BAD = ARRAY + [(np.zeros(4), ValueError), (np.full(D, np.inf), ValueError)]
V_BAD = ARRAY + [(np.zeros((4, 2)), ValueError), (np.full((D, 2), np.nan), ValueError)]
T_BAD = NONNEG_INT


def _network(sizes, activation, rng, gain, theta):
    net = practice.mlp(sizes, activation)
    net.init(rng, gain)
    net.unflatten(theta)


def _training_map(network, X, Y, optimizer, loss, batches, n_chunks, dtype, theta, x, V, t,
                  n_steps, k, preconditioned):
    practice.TrainingMap(network, X, Y, optimizer, loss=loss, batches=batches,
                         n_chunks=n_chunks, dtype=dtype)
    TM.params(x)
    TM.step(x, t)
    TM.jvp(x, V, t)
    TM.loss(theta)
    TM.grad(theta)
    TM.hvp(theta, V[:D])
    TM.accuracy(theta, X, Y)
    TM.run(x, n_steps)
    TM.spectrum(x, n_steps, k=k)
    TM.twins(x, x, n_steps)
    TM.sharpness(x, t, preconditioned)


B = np.random.default_rng(2).integers(0, 6, (6, 2))
NETS, THETAS = {"MLP": NET}, {"MLP": THETA}
DTYPE = CHOICE + [("float16", ValueError)]
MAPS = [("abc", TypeError), ({}, TypeError)]
EXPERIMENT = dict(X=X, Y=Y, batches=B, seed=0, dtype="float64")

CASES = [
    Case("ACTIVATIONS", exempt="a constant tuple of names"),
    Case("ARCHITECTURES", exempt="a constant tuple of names"),
    Case("ArchitectureTwins", exempt="a result container built by architecture_twins"),
    Case("ClosedForm", exempt="a result container built by the closed-form checks"),
    Case("CrossCheck", exempt="a result container built by cross_check"),
    Case("DistributionTest", exempt="a result container built by distribution_test"),
    Case("IndependentRuns", exempt="a result container built by independent_runs"),
    Case("LRScan", exempt="a result container built by lr_scan"),
    Case("PrecisionTwins", exempt="a result container built by precision_twins"),
    Case("ScanRun", exempt="a result container built by lr_scan"),
    Case("TwinRun", exempt="a result container built by architecture_twins"),
    Case("DigitsSetup", exempt="a result container built by digits_setup"),
    Case("digits_setup", practice.digits_setup,
         dict(seed=0, batch_size=4, n_total=3, scan_architectures=["CNN"], width=1.0),
         bad={"seed": NONNEG_INT, "batch_size": POS_INT, "n_total": POS_INT,
              "scan_architectures": [("CNN", TypeError), (["RNN"], ValueError)],
              "width": POS_REAL}),
    Case("digits_network", practice.digits_network, dict(name="MLP", width=0.1),
         bad={"name": CHOICE + [("RNN", ValueError)], "width": POS_REAL}),
    Case("lr_scan", practice.lr_scan,
         dict(networks=NETS, thetas0=THETAS, lrs={"sgd": [0.1]}, n_steps=4, n_transient=1,
              n_blocks=2, n_sharp=4, with_edge=True, **EXPERIMENT),
         bad={"networks": MAPS, "thetas0": [({}, ValueError)],
              "lrs": MAPS + [({"rmsprop": [0.1]}, ValueError), ({"sgd": [-0.1]}, ValueError)],
              "n_steps": POS_INT, "n_transient": NONNEG_INT, "seed": [(2.5, TypeError)],
              "dtype": DTYPE, "n_blocks": POS_INT, "n_sharp": POS_INT,
              "with_edge": BOOLEAN}),
    Case("sharpness_along", practice.sharpness_along,
         dict(network=NET, theta0=THETA, X=X, Y=Y, batches=B, optimizer_name="sgd", lr=0.1,
              checkpoints=[1, 3], dtype="float64", n_sharp=4),
         bad={"checkpoints": ARRAY + [([0, 2], ValueError), ([2, 1], ValueError)],
              "optimizer_name": CHOICE + [("rmsprop", ValueError)], "lr": POS_REAL,
              "n_sharp": POS_INT, "dtype": DTYPE}),
    Case("architecture_twins", practice.architecture_twins,
         dict(networks=NETS, thetas0=THETAS, lr=0.1, n_steps=4, n_transient=1, n_twin_steps=2,
              n_blocks=2, known=None, **EXPERIMENT),
         bad={"networks": MAPS, "thetas0": [({}, ValueError)], "lr": POS_REAL,
              "n_twin_steps": POS_INT, "dtype": DTYPE, "known": [("abc", TypeError)]}),
    Case("precision_twins", practice.precision_twins,
         dict(network=NET, theta0=THETA, X=X, Y=Y, batches=B, lr=0.1, n_steps=2,
              dtype="float64", threads=False),
         bad={"lr": POS_REAL, "n_steps": POS_INT, "threads": BOOLEAN}),
    Case("independent_runs", practice.independent_runs,
         dict(network=NET, thetas0=[THETA, THETA], X=X, Y=Y, batches=B, lr=0.1, n_steps=2,
              X_test=X, Y_test=Y, n_checkpoints=1, dtype="float64"),
         bad={"network": [(object(), TypeError)],
              "thetas0": [("ab", TypeError), ([THETA], TypeError),
                          ([THETA, np.zeros(3)], ValueError)],
              "lr": POS_REAL, "n_steps": POS_INT, "n_checkpoints": POS_INT}),
    Case("distribution_test", practice.distribution_test,
         dict(network=NET, X=X, Y=Y, X_test=X, Y_test=Y, lr=0.1, n_seeds=2, n_steps=2,
              batch_size=2, seed=0, dtype="float64"),
         bad={"X": ARRAY, "lr": POS_REAL, "n_seeds": POS_INT, "n_steps": POS_INT,
              "batch_size": POS_INT, "seed": NONNEG_INT}),
    Case("cross_check", practice.cross_check,
         dict(sizes=(2, 3, 2), X=X, Y=Y, lr=0.1, weight_decay=0.01,
              rng=np.random.default_rng(0), n_train=2, n_spectrum=2, n_transient=0),
         bad={"lr": POS_REAL, "weight_decay": NONNEG_REAL, "rng": RNG, "n_train": POS_INT,
              "n_spectrum": POS_INT, "n_transient": NONNEG_INT}),
    Case("minimum_exponents", practice.minimum_exponents,
         dict(X=X, Y=Y, sizes=(2, 2, 2), lr=0.5, weight_decay=0.05, n_steps=2,
              rng=np.random.default_rng(0), n_descent=2),
         bad={"lr": POS_REAL, "weight_decay": POS_REAL, "n_steps": POS_INT, "rng": RNG,
              "n_descent": POS_INT}),
    Case("heavy_ball_exponents", practice.heavy_ball_exponents,
         dict(X=X, Y=X[:, :1], lr=0.1, beta=0.8, n_steps=2, rng=np.random.default_rng(0)),
         bad={"lr": POS_REAL, "beta": UNIT, "n_steps": POS_INT, "rng": RNG}),
    Case("DTYPES", exempt="a constant tuple of names"),
    Case("OPTIMIZERS", exempt="a constant tuple of names"),
    Case("SCHEDULES", exempt="a constant tuple of names"),
    Case("Network", _network, dict(sizes=(2, 3, 2), activation="tanh",
                                   rng=np.random.default_rng(0), gain=1.0, theta=THETA),
         bad={"sizes": SIZES, "activation": ACT, "rng": RNG, "gain": NONNEG_REAL,
              "theta": THETA_BAD}),
    Case("mlp", practice.mlp, dict(sizes=(2, 3, 2), activation="tanh"),
         bad={"sizes": SIZES, "activation": ACT}),
    Case("cnn", practice.cnn, dict(image_shape=(8, 8, 1), channels=(4,), n_out=10,
                                       kernel=3, activation="relu"),
         bad={"image_shape": IMAGE, "channels": SIZES[:-1], "n_out": POS_INT + ABSURD,
              "kernel": POS_INT, "activation": ACT}),
    Case("resnet", practice.resnet, dict(image_shape=(8, 8, 1), channels=4, n_blocks=1,
                                         n_out=10, kernel=3, activation="relu", downsample=1),
         bad={"image_shape": IMAGE, "channels": POS_INT, "n_blocks": NONNEG_INT + ABSURD,
              "n_out": POS_INT + ABSURD, "kernel": POS_INT, "activation": ACT,
              "downsample": NONNEG_INT + ABSURD}),
    Case("transformer", practice.transformer,
         dict(seq_len=4, d_model=8, n_heads=2, n_layers=1, n_out=3, d_in=2),
         bad={"seq_len": POS_INT + ABSURD, "d_model": POS_INT + [(7, ValueError)],
              "n_heads": POS_INT, "n_layers": NONNEG_INT + ABSURD, "n_out": POS_INT + ABSURD,
              "d_in": POS_INT}),
    Case("digits", practice.digits, dict(rng=np.random.default_rng(0), n_test=100),
         bad={"rng": RNG, "n_test": POS_INT + [(1797, ValueError)]}),
    Case("sequence_task", practice.sequence_task,
         dict(n_samples=4, seq_len=3, vocab=5, rng=np.random.default_rng(0)),
         bad={"n_samples": SIZE, "seq_len": POS_INT, "vocab": POS_INT + [(1, ValueError)],
              "rng": RNG}),
    Case("optimizer", practice.optimizer,
         dict(name="adam", lr=0.1, momentum=0.9, b1=0.9, b2=0.999, eps=1e-8, eps_root=0.0,
              weight_decay=0.0, schedule="constant", warmup_steps=0),
         bad={"name": CHOICE + [("rmsprop", ValueError)], "lr": POS_REAL, "momentum": UNIT,
              "b1": UNIT, "b2": UNIT, "eps": POS_REAL, "eps_root": NONNEG_REAL,
              "weight_decay": NONNEG_REAL,
              "schedule": CHOICE + [("linear", ValueError)], "warmup_steps": NONNEG_INT},
         ),
    Case("Optimizer", lambda t: practice.optimizer("sgd", 0.1).learning_rate(t), dict(t=0),
         bad={"t": T_BAD}),
    Case("TrainingMap", _training_map,
         dict(network=NET, X=X, Y=Y, optimizer=practice.optimizer("sgd", 0.1), loss="xent",
              batches=None, n_chunks=1, dtype="float64", theta=THETA, x=THETA,
              V=np.ones((D, 2)), t=0, n_steps=3, k=1, preconditioned=False),
         bad={"network": [(object(), TypeError), (None, TypeError)],
              "X": ARRAY + [(np.zeros((6, 3)), ValueError), (np.full((6, 2), np.nan), ValueError)],
              "Y": [("abc", TypeError), (np.zeros(6), TypeError), (np.arange(5), ValueError),
                    (np.full(6, 7), ValueError)],
              "optimizer": [("sgd", TypeError), (None, TypeError)],
              "loss": CHOICE + [("hinge", ValueError)],
              "batches": [("abc", TypeError), (np.zeros((3, 2)), TypeError),
                          (np.full((3, 2), 9), ValueError), (np.zeros(3, int), ValueError)],
              "n_chunks": POS_INT + [(4, ValueError)],
              "dtype": CHOICE + [("float16", ValueError)], "theta": THETA_BAD,
              "x": STATE_BAD, "V": V_BAD, "t": T_BAD,
              "n_steps": POS_INT, "k": POS_INT + [(D + 1, ValueError)],
              "preconditioned": BOOLEAN[:2] + [(True, ValueError)]}),
    Case("ProcessRun", exempt="a result container built by run_in_subprocesses"),
    # every bad value is refused before a process starts
    Case("run_in_subprocesses", practice.run_in_subprocesses,
         dict(tm=TM, x0=TM.init_state(THETA), n_steps=1, settings=[{}], t0=0, timeout=60.0),
         bad={"tm": [("abc", TypeError), (None, TypeError)], "x0": STATE_BAD,
              "n_steps": POS_INT, "t0": NONNEG_INT, "timeout": POS_REAL,
              "settings": [({}, TypeError), ([], TypeError), ("abc", TypeError),
                           ([3], TypeError), ([{"threads": 1}], ValueError),
                           ([{"xla_flags": 3}], TypeError), ([{"cpus": "0"}], TypeError),
                           ([{"cpus": [10**6]}], ValueError), ([{"cpus": [-1]}], ValueError)]}),
    Case("one_ulp", practice.one_ulp, dict(x=np.ones(3), index=1, dtype="float64"),
         bad={"x": ARRAY + [(np.full(3, math.nan), ValueError)],
              "index": NONNEG_INT + [(3, ValueError)],
              "dtype": CHOICE + [("int8", ValueError)]}),
]


def _fashion_run(name, seed, epochs, stages, window, k, every, checkpoints_per_epoch, stop):
    practice.fashion_run(name, seed, epochs=epochs, stages=stages, window=window, k=k,
                         every=every, checkpoints_per_epoch=checkpoints_per_epoch, stop=stop,
                         n_train=1280, n_test=64, n_probe=8, n_probe_loss=64)


CASES += [
    Case("FASHION_ARCHITECTURES", exempt="a constant tuple of names"),
    Case("LEARNING_RATES", exempt="a constant table of learning rates"),
    Case("FashionRun", exempt="a result container built by fashion_run"),
    Case("FashionSetup", exempt="a result container built by fashion_setup"),
    Case("StageMeasurement", exempt="a result container built by fashion_run"),
    Case("fashion_network", practice.fashion_network, dict(name="linear", hidden=(8, 4)),
         bad=dict(name=CHOICE + [("mlp", ValueError)],
                  hidden=[("abc", TypeError), (8, TypeError), ((), TypeError),
                          ((8, 0), ValueError), ((8, 2.5), TypeError)])),
    Case("fashion_setup", practice.fashion_setup,
         dict(name="linear", seed=0, epochs=1.0, batch_size=128, lr=0.01, weight_decay=5e-4,
              n_train=1280, n_test=64, data_seed=1, n_chunks=2, dtype="float32"),
         bad=dict(name=CHOICE + [("cnn", ValueError)], seed=NONNEG_INT,
                  epochs=POS_REAL + [(1e9, ValueError)],
                  batch_size=POS_INT + [(1281, ValueError)], lr=POS_REAL,
                  weight_decay=NONNEG_REAL, n_train=POS_INT, n_test=POS_INT,
                  data_seed=NONNEG_INT, n_chunks=POS_INT + [(3, ValueError)],
                  dtype=CHOICE + [("float16", ValueError)])),
    Case("fashion_run", _fashion_run,
         dict(name="linear", seed=0, epochs=2.0, stages=(0.0,), window=10, k=1, every=5,
              checkpoints_per_epoch=2, stop=None),
         bad=dict(name=CHOICE, seed=NONNEG_INT, epochs=POS_REAL,
                  stages=[(0.5, TypeError), ("0.5", TypeError), ((1.0,), ValueError),
                          ((-0.1,), ValueError), ((math.nan,), ValueError)],
                  window=POS_INT + [(9, ValueError), (21, ValueError)], k=POS_INT,
                  every=POS_INT, checkpoints_per_epoch=POS_INT,
                  stop=POS_INT + [(21, ValueError)])),
]


def _runs():
    from uniqnets.practice import FashionRun, StageMeasurement

    one, z = np.ones(2), np.zeros(2, int)
    st = StageMeasurement(0, 100, 0.05, np.array([0.01]), np.array([0.001]), np.arange(2), one,
                          one, one, z, z, 0, one, z)
    return [FashionRun("A", s, 10, 100, 10, np.array([0, 100]), np.array([0.1, 0.9]),
                       np.array([2.3, 0.3]), (st,), "cpu", np.array([0, s]),
                       np.array([1.0, s]), np.array([[0.0, 1.0]])) for s in range(2)]


RUNS = [(None, TypeError), ("runs", TypeError), ([], TypeError), ([object()], TypeError)]

CASES += [
    Case("MECHANISMS", exempt="a constant tuple of names"),
    Case("ChaosTest", exempt="a result container built by chaos_test"),
    Case("SeedPairs", exempt="a result container built by seed_pairs"),
    Case("mechanisms", practice.mechanisms, dict(stage=_runs()[0].stages[0]),
         bad=dict(stage=[(None, TypeError), (1.0, TypeError)])),
    Case("stage_table", practice.stage_table, dict(runs=_runs()), bad=dict(runs=RUNS)),
    Case("benchmark_summary", practice.benchmark_summary, dict(runs=_runs()),
         bad=dict(runs=RUNS)),
    Case("chaos_test", practice.chaos_test, dict(runs=_runs(), network="A", stage=0),
         bad=dict(runs=RUNS, network=[(None, TypeError), ("B", ValueError)],
                  stage=NONNEG_INT + [(1, ValueError)])),
    Case("seed_pairs", practice.seed_pairs, dict(runs=_runs(), network="A"),
         bad=dict(runs=RUNS, network=[(None, TypeError), ("B", ValueError)])),
    Case("chaos_and_accuracy", practice.chaos_and_accuracy, dict(runs=_runs()),
         bad=dict(runs=RUNS)),
    Case("scan_points", practice.scan_points,
         dict(tables=[{"a": [0.1, 0.01, 2.0]}], z=3.0),
         bad=dict(tables=[(None, TypeError), ([1], TypeError), ([{"a": [0.1, 0.01]}], ValueError)],
                  z=POS_REAL)),
    Case("edge_and_chaos", practice.edge_and_chaos,
         dict(tables=[{"a": [0.1, 0.01, 2.0], "b": [0.0, 0.01, 0.5], "c": [0.2, 0.01, 0.1]}],
              z=3.0),
         bad=dict(tables=[(None, TypeError), ([1], TypeError), ([{"a": [0.1, 0.01]}], ValueError),
                          ([{"a": [0.1, 0.01, 2.0]}], ValueError)], z=POS_REAL)),
]


ALPHAS_BAD = [c for c in ARRAY if c[0] is not None] + [
    ([0.1, 0.5, 1.0], ValueError), ([0.0, 0.5, 0.9], ValueError), ([0.0, 1.0, 1.0], ValueError),
    ([0.0, math.nan, 1.0], ValueError)]
PAIR = dict(network=NET, theta_a=THETA, theta_b=THETA)
PAIR_BAD = dict(network=[(object(), TypeError), (None, TypeError)], theta_a=THETA_BAD,
                theta_b=THETA_BAD)
X_BAD = ARRAY + [(np.zeros((6, 3)), ValueError), (np.full((6, 2), np.nan), ValueError)]


def _path_barrier(quantity, reference):
    path = practice.Path(np.array([0.0, 0.5, 1.0]), np.zeros(3), np.zeros(3), "float64")
    return path.barrier(quantity, reference)


CASES += [
    Case("Matching", exempt="a result container built by weight_matching"),
    Case("ParameterDistance", exempt="a result container built by parameter_distance"),
    Case("REFERENCES", exempt="a constant tuple of names"),
    Case("Path", _path_barrier, dict(quantity="loss", reference="linear"),
         bad=dict(quantity=CHOICE + [("accuracy", ValueError)],
                  reference=CHOICE + [("max", ValueError)])),
    Case("permute", practice.permute, dict(network=NET, theta=THETA, perms=[np.arange(3)]),
         bad=dict(network=PAIR_BAD["network"], theta=THETA_BAD,
                  perms=[("abc", TypeError), (None, TypeError), ([], ValueError),
                         ([np.arange(4)], ValueError), ([np.zeros(3, int)], ValueError),
                         ([np.arange(3.0)], TypeError), ([["a", "b", "c"]], TypeError)])),
    Case("weight_matching", practice.weight_matching,
         dict(**PAIR, max_iter=10, rng=np.random.default_rng(0)),
         bad=dict(**PAIR_BAD, max_iter=POS_INT, rng=RNG[:2])),
    Case("barrier", practice.barrier,
         dict(values=np.zeros(3), alphas=[0.0, 0.5, 1.0], reference="linear"),
         bad=dict(values=ARRAY + [(np.zeros(1), ValueError), (np.zeros((3, 1)), ValueError),
                                  (np.array([0.0, np.nan, 0.0]), ValueError)],
                  alphas=ALPHAS_BAD + [([0.0, 1.0], ValueError)],  # one per value
                  reference=CHOICE + [("max", ValueError)])),
    Case("interpolation_path", practice.interpolation_path,
         dict(**PAIR, X=X, Y=Y, alphas=[0.0, 0.5, 1.0], batch_size=4),
         bad=dict(**PAIR_BAD, X=X_BAD,
                  Y=[("abc", TypeError), (np.zeros(6), TypeError), (np.arange(5), ValueError),
                     (np.full(6, 7), ValueError), (np.full(6, -1), ValueError)],
                  alphas=ALPHAS_BAD, batch_size=POS_INT)),
    Case("prediction_churn", practice.prediction_churn, dict(**PAIR, X=X, batch_size=4),
         bad=dict(**PAIR_BAD, X=X_BAD, batch_size=POS_INT)),
    Case("function_distance", practice.function_distance, dict(**PAIR, X=X, batch_size=4),
         bad=dict(**PAIR_BAD, X=X_BAD, batch_size=POS_INT)),
    Case("parameter_distance", practice.parameter_distance,
         dict(**PAIR, modulo_permutations=True, rng=None),
         bad=dict(PAIR_BAD, theta_b=THETA_BAD + [(np.zeros(D), ValueError)],
                  modulo_permutations=BOOLEAN, rng=RNG[:2])),
]


def _tiny(**kw):
    return dict(epochs=1.0, n_train=640, n_test=64, hidden=(8, 4)) | kw


def _spawn(name, seed, spawn):
    return practice.spawn_instability(name, seed, spawn, **_tiny())


def _matched(name, pair):
    return practice.matched_pair(name, pair, **_tiny())


def _variability(name, source, n_runs, seed):
    return practice.variability(name, source, n_runs=n_runs, seed=seed, **_tiny())


CASES += [
    Case("SOURCES", exempt="a constant tuple of names"),
    Case("STABLE", exempt="a constant"),
    Case("Spawn", exempt="a result container built by spawn_instability"),
    Case("MatchedPair", exempt="a result container built by matched_pair"),
    Case("Variability", exempt="a result container built by variability"),
    Case("spawn_instability", _spawn, dict(name="MLP", seed=0, spawn=0.5),
         bad=dict(name=CHOICE + [("mlp", ValueError)], seed=NONNEG_INT,
                  spawn=REAL + [(-0.1, ValueError), (1.0, ValueError)])),
    Case("matched_pair", _matched, dict(name="MLP", pair=0),
         bad=dict(name=CHOICE + [("ResNet", ValueError)], pair=NONNEG_INT)),
    Case("variability", _variability, dict(name="MLP", source="one bit", n_runs=2, seed=0),
         bad=dict(name=CHOICE + [("ResNet", ValueError)],
                  source=CHOICE + [("hardware", ValueError)],
                  n_runs=NONNEG_INT + [(1, ValueError)], seed=NONNEG_INT)),
    Case("spawn_table", practice.spawn_table, dict(spawns=[]),
         bad=dict(spawns=[(None, TypeError), ([1], TypeError)])),
    Case("width_table", practice.width_table, dict(pairs=[]),
         bad=dict(pairs=[(None, TypeError), ([1], TypeError)])),
    Case("source_table", practice.source_table, dict(results=[]),
         bad=dict(results=[(None, TypeError), ([1], TypeError)])),
    Case("stability_summary", practice.stability_summary,
         dict(spawns=[], pairs=[], results=[]),
         bad=dict(spawns=[(None, TypeError), ([1], TypeError)],
                  pairs=[(None, TypeError), ([1], TypeError)],
                  results=[(None, TypeError), ([1], TypeError)])),
    Case("permutation_check", practice.permutation_check,
         dict(network=NET, theta=THETA, X=X, Y=Y, rng=np.random.default_rng(0)),
         bad=dict(network=[(object(), TypeError), (practice.transformer(4, 8, 2, 1, 3, d_in=2),
                                                   ValueError)],
                  theta=THETA_BAD, rng=RNG)),
]


X_SYM = np.random.default_rng(2).standard_normal((12, 2))  # 24 outputs for 17 parameters
NET_BAD = [(object(), TypeError), (None, TypeError), (THETA, TypeError)]

CASES += [
    Case("SYMMETRY_NETWORKS", exempt="a constant table of networks"),
    Case("SymmetryDimension", exempt="a result container built by symmetry_dimension"),
    Case("symmetry_dimension", practice.symmetry_dimension,
         dict(network=NET, theta=THETA, X=X_SYM, rtol=None),
         bad=dict(network=NET_BAD, theta=THETA_BAD,
                  X=ARRAY + [(np.zeros((12, 3)), ValueError),  # features of another net
                             (np.zeros(24), ValueError),  # not one row per sample
                             (X_SYM[:8], ValueError),  # 16 outputs < 17 parameters
                             (np.full((12, 2), np.nan), ValueError),
                             (np.zeros((12, 2, 1)), ValueError)],
                  rtol=REAL + [(0.0, ValueError), (-1e-9, ValueError), (1.0, ValueError)])),
    Case("expected_symmetry_dimension", practice.expected_symmetry_dimension,
         dict(network=NET, parts=False), bad=dict(network=NET_BAD, parts=BOOLEAN)),
    Case("symmetry_table", practice.symmetry_table,
         dict(networks={"MLP": NET}, rng=np.random.default_rng(0), n_samples=None,
              jitter=0.1),
         bad=dict(networks=[(None, TypeError), ([NET], TypeError), ({}, ValueError),
                            ({"MLP": 1}, TypeError)],
                  rng=RNG, n_samples=POS_INT + [(8, ValueError)] + ABSURD,
                  jitter=NONNEG_REAL)),
]
