"""Lyapunov exponents: cost of the tangent map of training, and accuracy against nolds.

1. **Cost.** Time per step of the top-5 Lyapunov spectrum of full-batch gradient
   descent for the network of chapter 01 (tanh, 2-16-16-2, cross-entropy, two moons),
   with exact Hessian-vector products (:func:`uniqnets.lyapunov.training_spectrum`),
   against a gradient step alone and against the same QR loop with the tangent map
   by central finite differences of the gradient (2 k gradients per step), the
   usual matrix-free alternative.
2. **Accuracy at equal time.** On the Hénon map and the Lorenz 63 system, whose
   exponents are known, the error of our QR estimate (which uses the equations of
   motion) against the error of ``nolds.lyap_r`` (Rosenstein et al. 1993) and
   ``nolds.lyap_e`` (Eckmann et al. 1986), which estimate exponents from a scalar
   time series. Our run length is chosen so that it takes about as long as nolds'
   call. This is not a like-for-like contest of algorithms: nolds solves the
   harder problem (no equations, one observable). It shows what knowing the
   dynamics buys.

Run: ``OMP_NUM_THREADS=1 .venv/bin/python benchmarks/bench_lyapunov.py``; writes
``benchmarks/results/bench_lyapunov.json``.
"""

from __future__ import annotations

import importlib.util
import sys
import time
from pathlib import Path

import numpy as np

from uniqnets import data, lyapunov, models

sys.path.insert(0, str(Path(__file__).resolve().parent))
from common import best_time, versions, write_result  # noqa: E402


def load_nolds():
    """The nolds estimators, also where ``import nolds`` itself fails.

    nolds 0.6.3 raises ``TypeError: 'nolds.datasets' is not a package`` on import
    (CSchoel/nolds#80: ``importlib.resources.files`` is given a module). The estimators
    live in ``nolds/measures.py``, which imports nothing from the package, so it is
    loaded on its own in that case.
    """
    try:
        import nolds

        return nolds, "import nolds"
    except TypeError:
        spec = importlib.util.find_spec("nolds")
        path = Path(list(spec.submodule_search_locations)[0]) / "measures.py"
        mspec = importlib.util.spec_from_file_location("nolds_measures", path)
        mod = importlib.util.module_from_spec(mspec)
        mspec.loader.exec_module(mod)
        return mod, "nolds/measures.py loaded directly (nolds#80 import bug)"


def timed(fn, *args, **kwargs):
    t0 = time.perf_counter()
    out = fn(*args, **kwargs)
    return out, time.perf_counter() - t0


# -- 1. cost of the top-5 spectrum of the chapter's network ---------------------------------

def network_cost(k=5, n_steps=400, lr=0.25):
    rng = np.random.default_rng(0)
    ds = data.two_moons(64, rng, noise=0.1)
    model = models.MLP((2, 16, 16, 2), "tanh")
    theta0 = model.init(rng)
    obj = models.Objective(model, ds.X, ds.Y, "xent", weight_decay=0.01)

    t_grad = best_time(lambda: models.train(obj, theta0, n_steps, lr), repeat=3) / n_steps
    t_ours = best_time(lambda: lyapunov.training_spectrum(obj, theta0, lr, n_steps, k=k),
                       repeat=3) / n_steps

    h = 1e-5

    def fd_spectrum():
        # the same QR loop, tangent map by central differences of the gradient
        tr = models.train(obj, theta0, n_steps, lr)

        def factor(th):
            def apply(Q):
                cols = [(obj.grad(th + h * q) - obj.grad(th - h * q)) / (2 * h) for q in Q.T]
                return Q - lr * np.stack(cols, axis=1)
            return apply

        return lyapunov.qr_exponents((factor(th) for th in tr.thetas[:-1]),
                                     Q0=np.eye(model.n_params, k))

    t_fd = best_time(fd_spectrum, repeat=3) / n_steps
    ours = lyapunov.training_spectrum(obj, theta0, lr, n_steps, k=k, Q0=np.eye(model.n_params, k))
    fd = fd_spectrum()
    return {
        "network": "tanh MLP 2-16-16-2, cross-entropy, weight decay 0.01, 64 two-moons samples",
        "n_params": model.n_params,
        "k": k,
        "n_steps": n_steps,
        "seconds_per_step_gradient_step": t_grad,
        "seconds_per_step_spectrum_exact_hvp": t_ours,
        "seconds_per_step_spectrum_finite_differences": t_fd,
        "spectrum_step_in_gradient_steps": t_ours / t_grad,
        "ratio_exact_over_finite_differences": t_ours / t_fd,
        "max_exponent_difference_exact_vs_fd": float(np.max(np.abs(ours.exponents
                                                                   - fd.exponents))),
    }


# -- 2. accuracy at equal time against nolds ------------------------------------------------

def henon_series(n, n_transient=1000):
    m = lyapunov.henon()
    x = m.x0
    for _ in range(n_transient):
        x = m.step(x)
    out = np.empty(n)
    for i in range(n):
        out[i] = x[0]
        x = m.step(x)
    return out


def lorenz_series(n, dt_sample=0.02, dt=0.01, t_transient=20.0):
    fl = lyapunov.lorenz()
    step = lyapunov.rk4_map(fl.f, dt)
    x = fl.x0
    for _ in range(int(round(t_transient / dt))):
        x = step(x)
    per = int(round(dt_sample / dt))
    out = np.empty(n)
    for i in range(n):
        out[i] = x[0]
        for _ in range(per):
            x = step(x)
    return out


def ours_at_time(run, budget, n_fixed, probe=2000):
    """Run ``run(n)`` with ``n`` chosen so that it takes about ``budget`` seconds.

    ``run(n)`` costs ``n_fixed + n`` steps (the transient, then the measured ones); the
    time per step comes from the best of two probe runs.
    """
    t_probe = min(timed(run, probe)[1] for _ in range(2))
    per_step = t_probe / (n_fixed + probe)
    n = max(50, int(budget / per_step) - n_fixed)
    res, t = timed(run, n)
    return res, t, n


def compare(system, ref, peers, run, n_fixed, se_blocks=20):
    """Each peer's estimate and time, and ours at the same time; errors side by side."""
    out = {"system": system, "reference": np.asarray(ref).tolist(), "peers": []}
    for name, settings, fn in peers:
        est, t_peer = timed(fn)
        est = np.atleast_1d(np.asarray(est, dtype=float))
        res, t_ours, n_ours = ours_at_time(run, t_peer, n_fixed)
        m = min(est.size, len(ref))
        out["peers"].append({
            "peer": name, "settings": settings,
            "peer_estimate": est.tolist(), "peer_seconds": t_peer,
            "peer_error": np.abs(est[:m] - ref[:m]).tolist(),
            "ours_estimate": res.exponents.tolist(), "ours_seconds": t_ours,
            "ours_steps": n_ours,
            "ours_error": np.abs(res.exponents - ref).tolist(),
            "ours_stderr": (res.stderr(se_blocks).tolist()
                            if res.log_r.shape[0] >= 2 * se_blocks else None),
        })
    return out


def accuracy(nolds, n_series=(1000, 2000, 4000)):
    rows = []
    m, fl = lyapunov.henon(), lyapunov.lorenz()

    def run_h(steps):
        return lyapunov.lyapunov_spectrum(m.step, m.jvp, m.x0, steps, k=2, n_transient=1000)

    def run_l(steps):
        return lyapunov.lyapunov_spectrum_flow(fl.f, fl.jac, fl.x0, steps * 0.01, 0.01, k=3,
                                               t_transient=10.0)

    for n in n_series:
        # Henon, x-component, one sample per step. lyap_r: embedding 2 (the map's
        # dimension), lag 1, neighbours at least 10 steps apart, divergence followed for 8
        # steps (it saturates after ~15), least squares. lyap_e: embedding 3, two
        # exponents (one positive), neighbours 10 steps apart.
        xs = henon_series(n)
        peers = [
            ("nolds.lyap_r", "emb_dim=2, lag=1, min_tsep=10, trajectory_len=8, fit=poly",
             lambda xs=xs: nolds.lyap_r(xs, emb_dim=2, lag=1, min_tsep=10, trajectory_len=8,
                                        fit="poly")),
            ("nolds.lyap_e", "emb_dim=3, matrix_dim=2, min_tsep=10",
             lambda xs=xs: nolds.lyap_e(xs, emb_dim=3, matrix_dim=2, min_tsep=10)),
        ]
        rows.append({"series_length": n, **compare("henon", m.exponents, peers, run_h, 1000)})
        # Lorenz, x-component sampled every 0.02 time units. lyap_r: an embedding window
        # of one time unit (about one oscillation; emb_dim=5, lag=10), divergence followed
        # for half a time unit; also nolds' own defaults (emb_dim=10, automatic lag and
        # min_tsep), which are far off here. lyap_e: three exponents (one positive, as
        # Eckmann et al. recommend "somewhat larger" than the positive ones), emb_dim=9,
        # neighbours at least one time unit apart.
        xs = lorenz_series(n)
        peers = [
            ("nolds.lyap_r", "emb_dim=5, lag=10, trajectory_len=25, tau=0.02, fit=poly",
             lambda xs=xs: nolds.lyap_r(xs, emb_dim=5, lag=10, min_tsep=None, tau=0.02,
                                        trajectory_len=25, fit="poly")),
            ("nolds.lyap_r (defaults)", "tau=0.02, fit=poly, otherwise nolds' defaults",
             lambda xs=xs: nolds.lyap_r(xs, tau=0.02, fit="poly")),
            ("nolds.lyap_e", "emb_dim=9, matrix_dim=3, min_tsep=50, tau=0.02",
             lambda xs=xs: nolds.lyap_e(xs, emb_dim=9, matrix_dim=3, min_tsep=50, tau=0.02)),
        ]
        rows.append({"series_length": n, **compare("lorenz", fl.exponents, peers, run_l, 1000)})
    return rows


def summarize(cost, rows):
    """Rows for the book's performance page: ours against the peer, as a ratio."""
    out = [{
        "method": "top-5 Lyapunov spectrum of gradient descent (exact Hessian-vector products)",
        "measure": f"time per step, {cost['n_params']}-parameter network",
        "unit": "s",
        "ours": cost["seconds_per_step_spectrum_exact_hvp"],
        "peer": cost["seconds_per_step_spectrum_finite_differences"],
        "peer_name": "central finite differences of the gradient (same QR loop)",
        "ratio": cost["ratio_exact_over_finite_differences"],
        "note": (f"{cost['spectrum_step_in_gradient_steps']:.1f} gradient steps per step; "
                 f"exponents agree to {cost['max_exponent_difference_exact_vs_fd']:.0e}"),
    }]
    for r in rows:
        if r["series_length"] != max(x["series_length"] for x in rows):
            continue
        for p in r["peers"]:
            out.append({
                "method": f"QR (Benettin) top exponent, {r['system']} equations of motion",
                "measure": (f"error of lambda_1 at equal time ({p['peer_seconds']:.2f} s; "
                            f"peer reads a {r['series_length']}-sample series)"),
                "unit": "",
                "ours": p["ours_error"][0],
                "peer": p["peer_error"][0],
                "peer_name": p["peer"],
                "ratio": p["ours_error"][0] / p["peer_error"][0],
                "note": "the peer estimates from one observable without the equations",
            })
    return out


def main():
    nolds, how = load_nolds()
    cost = network_cost()
    rows = accuracy(nolds)
    path = write_result("bench_lyapunov", {
        "versions": versions("numpy", "scipy", "nolds"),
        "nolds_loaded_via": how,
        "summary": summarize(cost, rows),
        "cost": cost,
        "accuracy_at_equal_time": rows,
    })
    print(f"wrote {path}")
    print(f"top-5 spectrum: {cost['spectrum_step_in_gradient_steps']:.1f} gradient steps "
          f"per step; exact HVP / finite differences = "
          f"{cost['ratio_exact_over_finite_differences']:.2f}")
    for r in rows:
        for p in r["peers"]:
            print(f"{r['system']:7s} n={r['series_length']:5d} {p['peer']:25s} "
                  f"err {p['peer_error'][0]:.3f} ({p['peer_seconds']:.2f}s) | ours err "
                  f"{p['ours_error'][0]:.4f} ({p['ours_seconds']:.2f}s, {p['ours_steps']} steps)")


if __name__ == "__main__":
    main()
