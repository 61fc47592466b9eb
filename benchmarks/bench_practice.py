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

3. **An epoch of Fashion-MNIST training.** The book's float32 training map of the
   Fashion-MNIST CNN (:func:`uniqnets.practice.fashion_setup`: momentum, weight decay,
   cosine schedule; one call of :meth:`TrainingMap.step` per mini-batch, the state
   returned to numpy) against a plain optax loop on the same network, the same batches
   and the same optimizer (``optax.chain(add_decayed_weights, sgd(momentum))`` on the
   parameter pytree, jitted, state kept on the device): one epoch each, best of three.
4. **The spectrum's cost on the Fashion-MNIST CNN.** One step with k = 1 and k = 16
   tangent directions, against the limit k + 1 (k + 1 steps' worth of work).  Each
   direction is the tangent of a step that contains a gradient, a Hessian-vector product
   (forward over reverse), which costs a few gradients (Pearlmutter 1994): the k = 1 row
   measures that factor, the floor of any exact tangent.  Skipped without the
   Fashion-MNIST files.

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


def fashion_epoch(repeat=3):
    """One epoch of the book's training map against a plain optax loop, same CNN and batches."""
    import jax
    import jax.numpy as jnp
    import optax

    setup = practice.fashion_setup("CNN", 0, epochs=1.0)
    tm, net, T = setup.train_map, setup.network, setup.n_steps
    opt = tm.optimizer
    x0 = tm.init_state(setup.theta0)
    tm.step(x0, 0)

    def book_epoch():
        x = x0
        for t in range(T):
            x = tm.step(x, t)
        return x

    sched = optax.join_schedules(
        [optax.linear_schedule(0.0, opt.lr, max(opt.warmup_steps, 1)),
         optax.cosine_decay_schedule(opt.lr, T - opt.warmup_steps)], [opt.warmup_steps])
    tx = optax.chain(optax.add_decayed_weights(opt.weight_decay),
                     optax.sgd(sched, momentum=opt.momentum))
    X, Y = jnp.asarray(tm.X), jnp.asarray(tm.Y)
    batches = jnp.asarray(tm.batches)

    @jax.jit
    def optax_step(params, state, idx):
        def loss(p):
            logits = net.apply(p, X[idx])
            return optax.softmax_cross_entropy_with_integer_labels(logits, Y[idx]).mean()

        g = jax.grad(loss)(params)
        u, state = tx.update(g, state, params)
        return optax.apply_updates(params, u), state

    p0 = net.unflatten(jnp.asarray(setup.theta0))
    s0 = tx.init(p0)
    optax_step(p0, s0, batches[0])

    def optax_epoch():
        p, st = p0, s0
        for t in range(T):
            p, st = optax_step(p, st, batches[t])
        return jax.block_until_ready(p)

    t_book, t_optax = (best_time(f, repeat=repeat) for f in (book_epoch, optax_epoch))
    return [{"method": "an epoch of Fashion-MNIST training (book's TrainingMap.step)",
             "measure": f"time per epoch, {T} steps of the {net.n_params}-parameter CNN, "
                        "float32", "unit": "s", "ours": t_book, "peer": t_optax,
             "peer_name": "a plain jitted optax loop (same network, batches, optimizer)",
             "ratio": t_book / t_optax,
             "note": "ratio > 1: ours is slower; the aim is 1.1 or less"}]


def fashion_tangent(ks=(1, 16)):
    setup = practice.fashion_setup("CNN", 0, epochs=1.0)
    tm, net = setup.train_map, setup.network
    x = tm.init_state(setup.theta0)
    tm.step(x, 0)
    t_step = best_time(lambda: tm.step(x, 1), repeat=10)
    rows = []
    for k in ks:
        V = np.random.default_rng(2).standard_normal((tm.state_dim, k)).astype(np.float32)
        tm.jvp(x, V, 0)
        t_k = best_time(lambda V=V: tm.jvp(x, V, 1), repeat=10)
        rows.append({"method": f"Fashion-MNIST CNN: one step with k = {k} tangent "
                               f"direction{'s' if k > 1 else ''}",
                     "measure": f"time per step, {net.n_params}-parameter CNN, batch 128, "
                                "float32", "unit": "s", "ours": t_k, "peer": (k + 1) * t_step,
                     "peer_name": f"k + 1 = {k + 1} plain training steps (the limit)",
                     "ratio": t_k / ((k + 1) * t_step),
                     "note": "ratio > 1: above the limit. A tangent direction is a "
                             "Hessian-vector product, which costs more than one gradient "
                             "(the k = 1 row), so the limit cannot be reached exactly"})
    return rows


def main():
    train, _ = practice.digits(np.random.default_rng(0))
    summary = []
    try:
        from uniqnets.data import fashion_mnist
        fashion_mnist(n_train=1, n_test=1, verify=False)
    except OSError as err:
        print(f"skipping the Fashion-MNIST rows: {err}")
    else:
        summary += fashion_epoch()
        summary += fashion_tangent()
    summary += tangent_cost("CNN", practice.cnn((8, 8, 1), (16, 36), 10), train)
    summary += tangent_cost("transformer", practice.transformer(8, 20, 4, 2, 10, d_in=8), train)
    summary += against_numpy(train)
    path = write_result("bench_practice", {
        "versions": versions("numpy", "jax", "jaxlib", "optax", "scikit-learn"),
        "summary": summary})
    print(path)


if __name__ == "__main__":
    main()
