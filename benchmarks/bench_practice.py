"""JAX tangent maps of training: cost of k directions, against numpy and finite differences.

1. **Cost of k tangent directions.** Time of one fused step-and-tangent call of
   :class:`uniqnets.practice.TrainingMap` (the next state and the Jacobian applied to
   ``k`` directions, ``jax.linearize`` under ``jax.vmap``) over the time of one plain
   training step, for the CNN and the transformer of chapter 08 (about 1.1e4
   parameters, mini-batches of 32, float32), k = 1, 4, 16.  Forward-over-reverse
   costs a few gradients per direction, so the ratio grows like ``1 + c k``.
2. **Against the numpy library.** On the same tanh MLP (float64, 96 digits), the
   Jacobian-vector products of one gradient step by JAX against
   :func:`uniqnets.models.training_jvp` (exact numpy Hessian-vector products,
   Pearlmutter's R-operator), and against central finite differences of the JAX
   step (2 k steps), with the largest difference of the results.

Run: ``OMP_NUM_THREADS=1 .venv/bin/python benchmarks/bench_practice.py``; writes
``benchmarks/results/bench_practice.json``.
"""

from __future__ import annotations

import sys
from pathlib import Path

import numpy as np

from uniqnets import models, practice

sys.path.insert(0, str(Path(__file__).resolve().parent))
from common import best_time, versions, write_result  # noqa: E402


def tangent_cost(name, net, train, ks=(1, 4, 16)):
    batches = models.batch_sequence(len(train), 32, 50, np.random.default_rng(0))
    tm = practice.TrainingMap(net, train.X, train.Y, practice.optimizer("sgd", 0.1),
                              batches=batches, dtype="float32")
    x = tm.init_state(net.init(np.random.default_rng(1)))
    tm.step(x, 0)
    t_step = best_time(lambda: tm.step(x, 1), repeat=20)
    rows = []
    for k in ks:
        V = np.random.default_rng(2).standard_normal((tm.state_dim, k))
        tm.jvp(x, V, 0)
        t_k = best_time(lambda V=V: tm.jvp(x, V, 1), repeat=20)
        rows.append({"method": f"{name}: one step with k = {k} tangent directions (JAX)",
                     "measure": f"time per step, {net.n_params}-parameter network",
                     "unit": "s", "ours": t_k, "peer": t_step,
                     "peer_name": "one plain training step (JAX)", "ratio": t_k / t_step,
                     "note": f"forward-over-reverse costs about 1 + c k; k + 1 = {k + 1}"})
    return rows


def against_numpy(train, k=4):
    X, Y = train.X[:96], train.Y[:96]
    sizes = (64, 32, 10)
    theta = practice.mlp(sizes).init(np.random.default_rng(3))
    obj = models.Objective(models.MLP(sizes, "tanh"), X, Y, "xent", weight_decay=0.01)
    tm = practice.TrainingMap(practice.mlp(sizes), X, Y,
                              practice.optimizer("sgd", 0.5, weight_decay=0.01))
    V = np.random.default_rng(4).standard_normal((theta.size, k))
    tm.jvp(theta, V)
    ours = tm.jvp(theta, V)
    ref = models.training_jvp(obj, theta, V, 0.5)
    h = 1e-5

    def fd():
        return np.stack([(tm.step(theta + h * v) - tm.step(theta - h * v)) / (2 * h)
                         for v in V.T], 1)

    t_jax = best_time(lambda: tm.jvp(theta, V), repeat=20)
    t_np = best_time(lambda: models.training_jvp(obj, theta, V, 0.5), repeat=20)
    t_fd = best_time(fd, repeat=10)
    diff_np = float(np.max(np.abs(ours - ref)))
    diff_fd = float(np.max(np.abs(ours - fd())))
    return [
        {"method": f"JAX jvp of a gradient step, k = {k}", "measure":
         f"time, {theta.size}-parameter tanh MLP, 96 samples, float64", "unit": "s",
         "ours": t_jax, "peer": t_np, "peer_name": "uniqnets.models.training_jvp (numpy)",
         "ratio": t_jax / t_np, "note": f"results agree to {diff_np:.0e}"},
        {"method": f"JAX jvp of a gradient step, k = {k}", "measure":
         f"time, {theta.size}-parameter tanh MLP, 96 samples, float64", "unit": "s",
         "ours": t_jax, "peer": t_fd, "peer_name": "central finite differences of the step",
         "ratio": t_jax / t_fd, "note": f"finite differences agree to {diff_fd:.0e} (O(h^2))"},
    ]


def main():
    train, _ = practice.digits(np.random.default_rng(0))
    summary = []
    summary += tangent_cost("CNN", practice.cnn((8, 8, 1), (16, 36), 10), train)
    summary += tangent_cost("transformer", practice.transformer(8, 20, 4, 2, 10, d_in=8), train)
    summary += against_numpy(train)
    path = write_result("bench_practice", {
        "versions": versions("numpy", "jax", "jaxlib", "optax", "scikit-learn"),
        "summary": summary})
    print(path)


if __name__ == "__main__":
    main()
