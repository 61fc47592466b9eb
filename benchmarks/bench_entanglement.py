"""Paper-size MaxLikelihood runs: time and peak memory, against the literal algorithm.

The paper's reconciliation experiment uses k = 2500 (50 x 50 images), n = k + 1000
and L up to 50.  The 50 layers alone would take 2.5 GB; ``train_maxlikelihood``
streams the test inputs through each layer as it is drawn and never forms the
k x k layer (it applies ``G*`` to the whole frame and keeps the selected rows).

Compared on the same input, in one run:

* ``ours``: ``train_maxlikelihood(..., track=X)`` with the exact misalignment
  recursion (three matrix columns per test input);
* ``literal``: the loop as the paper writes it (draw ``G*``, select rows, form
  ``G_l = G*[rows]``, ``w_l = G_l w_{l-1}``, ``X_l = G_l X_{l-1}``), with the outputs
  normalised per layer, without any angle tracking and without keeping layers.

Each configuration runs in a fresh subprocess with the BLAS thread count fixed
before numpy is imported; time is the best of ``--repeat`` runs, memory the
``tracemalloc`` peak of the call (numpy reports its buffers to tracemalloc) and the
process's maximum resident set size.  Also timed: the quadrature of
``training_exponent`` at paper size, and the Fig. 3 grid (k = 2, N = 5000).

Run: ``python benchmarks/bench_entanglement.py`` (writes
``benchmarks/results/bench_entanglement.json``).
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
K, N, DEPTH, M = 2500, 3500, 50, 32


def literal(w0, n, L, rng, X):
    """Algorithm 1 as written, pushing X along; returns unit outputs of w and X."""
    import numpy as np

    k = w0.size
    w = w0 / np.linalg.norm(w0)
    Y = X / np.linalg.norm(X, axis=0)
    for _ in range(L):
        Gs = rng.standard_normal((n, k))
        z = Gs @ w
        idx = np.sort(np.argpartition(-np.abs(z), k - 1)[:k])
        G = Gs[idx]
        w = G @ w
        w /= np.linalg.norm(w)
        Y = G @ Y
        Y /= np.linalg.norm(Y, axis=0)
    return w, Y


def worker(args):
    import resource
    import time
    import tracemalloc

    import numpy as np

    sys.path.insert(0, str(HERE))
    from common import best_time

    from uniqnets import entanglement as E
    from uniqnets.lyapunov import gaussian_product_exponents

    out = {"threads": args.threads}
    seed = 2024

    def inputs():
        rng = np.random.default_rng(seed)
        return rng, rng.standard_normal(K), rng.standard_normal((K, M))

    def run_ours():
        rng, w0, X = inputs()
        return E.train_maxlikelihood(w0, N, DEPTH, rng, track=X)

    def run_literal():
        rng, w0, X = inputs()
        return literal(w0, N, DEPTH, rng, X)

    for name, fn in [("ours", run_ours), ("literal", run_literal)]:
        tracemalloc.start()
        res = fn()
        peak = tracemalloc.get_traced_memory()[1]
        tracemalloc.stop()
        t = best_time(fn, repeat=args.repeat)
        out[name] = {"seconds": t, "tracemalloc_peak_MB": peak / 2**20}
        if name == "ours":
            model = res
            P = model.tracked
        else:
            w_lit, Y_lit = res
    # same random stream, same selection: the two must agree to rounding
    out["max_abs_diff_training_direction"] = float(np.abs(model.train_directions[-1]
                                                          - w_lit).max())
    out["max_abs_diff_test_directions"] = float(np.abs(P.directions[-1] - Y_lit).max())
    out["median_log10_misalignment_at_L"] = float(np.median(P.log_misalignment[-1])
                                                  / np.log(10))
    out["model_state_MB"] = (model.rows.nbytes + model.train_directions.nbytes) / 2**20

    t0 = time.perf_counter()
    lam = E.training_exponent(K, N)
    out["quadrature"] = {"seconds": time.perf_counter() - t0, "training_exponent": lam,
                         "alignment_rate": lam - float(gaussian_product_exponents(K)[1])}
    t0 = time.perf_counter()
    draws = E.sample_training_growth(K, N, "abs", np.random.default_rng(seed), 2000)
    out["monte_carlo"] = {"seconds": time.perf_counter() - t0, "draws": draws.size,
                          "mean": float(draws.mean()),
                          "stderr": float(draws.std(ddof=1) / np.sqrt(draws.size))}

    def fig3():
        rng = np.random.default_rng(1)
        return E.train_maxlikelihood(rng.standard_normal(2), 1002, 20, rng,
                                     track=rng.standard_normal((2, 5000)))

    out["fig3_k2_n1002_L20_N5000_seconds"] = best_time(fig3, repeat=args.repeat)
    out["maxrss_MB"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(json.dumps(out))


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--worker", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--threads", type=int, default=1)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--thread-counts", default="1,2",
                        help="BLAS thread counts to measure, comma separated")
    args = parser.parse_args()
    if args.worker:
        worker(args)
        return
    runs = []
    for t in [int(s) for s in args.thread_counts.split(",")]:
        env = dict(os.environ, OMP_NUM_THREADS=str(t), OPENBLAS_NUM_THREADS=str(t),
                   MKL_NUM_THREADS=str(t))
        proc = subprocess.run([sys.executable, __file__, "--worker", "--threads", str(t),
                               "--repeat", str(args.repeat)], env=env, check=True,
                              capture_output=True, text=True)
        runs.append(json.loads(proc.stdout.strip().splitlines()[-1]))
    summary = []
    for r in runs:
        r["ratio_ours_over_literal"] = r["ours"]["seconds"] / r["literal"]["seconds"]
        t = r["threads"]
        summary.append({
            "method": f"train_maxlikelihood, k={K}, n={N}, L={DEPTH}, {M} tracked inputs",
            "measure": f"time, {t} BLAS thread{'s' if t > 1 else ''}",
            "ours": r["ours"]["seconds"], "peer": r["literal"]["seconds"], "unit": "s",
            "peer_name": "literal Algorithm 1 loop (numpy)",
            "ratio": r["ratio_ours_over_literal"],
            "note": "ours also tracks exact angles; same random stream, same outputs"})
    r = runs[0]
    summary.append({
        "method": f"train_maxlikelihood, k={K}, n={N}, L={DEPTH}, {M} tracked inputs",
        "measure": "peak memory (tracemalloc)", "ours": r["ours"]["tracemalloc_peak_MB"],
        "peer": r["literal"]["tracemalloc_peak_MB"], "unit": "MB",
        "peer_name": "literal Algorithm 1 loop (numpy)",
        "ratio": r["ours"]["tracemalloc_peak_MB"] / r["literal"]["tracemalloc_peak_MB"],
        "note": f"keeping the {DEPTH} layers would take {DEPTH * K * K * 8 / 2**30:.1f} GiB"})
    q, mc = r["quadrature"], r["monte_carlo"]
    summary.append({
        "method": f"training_exponent, k={K}, n={N}", "measure": "time",
        "ours": q["seconds"], "peer": mc["seconds"], "unit": "s",
        "peer_name": f"Monte Carlo, {mc['draws']} sorted draws",
        "ratio": q["seconds"] / mc["seconds"],
        "note": (f"quadrature {q['training_exponent']:.5f} (error < 1e-6) vs MC "
                 f"{mc['mean']:.5f} +- {mc['stderr']:.5f}")})
    sys.path.insert(0, str(HERE))
    from common import versions, write_result

    path = write_result("bench_entanglement", {
        "description": ("train_maxlikelihood with streamed test inputs and exact angle "
                        "tracking vs the literal Algorithm 1 loop (normalised outputs, no "
                        "tracking), paper size; best of repeats; memory = tracemalloc peak of "
                        "one call and the worker's max RSS"),
        "size": {"k": K, "n": N, "L": DEPTH, "test_inputs": M},
        "summary": summary,
        "versions": versions("numpy", "scipy"),
        "runs": runs,
    })
    print(path.read_text())


if __name__ == "__main__":
    main()
