"""Figures and tables of the pages on random networks (chapters 13, 14 and their appendix).

Each helper takes a result of :mod:`uniqnets.randomnets` and returns a figure, or the
Markdown of a small table (shown with ``IPython.display.Markdown``).
"""

from __future__ import annotations

import matplotlib.pyplot as plt
import numpy as np

__all__ = ["double_copy_figure", "finite_width_figure", "phase_diagram",
           "pm", "rnn_autocorrelation_figure", "rnn_spectra_figure"]


def pm(values, errors, spec=".3f"):
    """``"v ± e"`` for each pair of values and standard errors, as a list of strings.

    Examples
    --------
    >>> pm([0.1234, 2.0], [0.01, 0.5], ".2f")
    ['0.12 ± 0.01', '2.00 ± 0.50']
    """
    return [f"{float(v):{spec}} ± {float(e):{spec}}" for v, e in zip(values, errors, strict=True)]


def double_copy_figure(study):
    """Distances of simulated replicas (dots), the double-copy map (line), ``d0 chi_1^l``
    (dashed) and ``d*`` (dotted), from a :class:`uniqnets.randomnets.DoubleCopyStudy`.

    Examples
    --------
    >>> import matplotlib; matplotlib.use("Agg")
    >>> from uniqnets.randomnets import double_copy_study
    >>> fig = double_copy_figure(double_copy_study(2.0, 0.05, 100, 20, 1e-3, rng=0, n_nets=2))
    >>> len(fig.axes)
    1
    >>> plt.close(fig)
    """
    s = study
    d0 = s.map_distances[0]
    fig, ax = plt.subplots()
    for row in s.sim_distances:
        ax.semilogy(s.layers, row, ".", ms=2, color="C0", alpha=0.5)
    ax.semilogy(s.layers, s.map_distances, "k-", label="double-copy map")
    ax.semilogy(s.layers, d0 * np.exp(2 * s.lyapunov_map * s.layers), "k--", lw=0.8,
                label=r"$d_0\,\chi_1^{\,l}$")
    ax.axhline(s.dstar, color="k", ls=":", lw=0.8, label="$d^*$")
    ax.set(xlabel="layer l", ylabel="$d_l$", ylim=(d0 / 2, 2 * s.dstar))
    ax.legend()
    fig.tight_layout()
    return fig


def finite_width_figure(study):
    """``N (lambda_N - lambda_inf)`` against ``1/N`` with one standard error, the fit
    ``c + c_2/N`` and the one-loop ``c_1``, from a :class:`~uniqnets.randomnets.FiniteWidthStudy`.

    Examples
    --------
    >>> import matplotlib; matplotlib.use("Agg")
    >>> from uniqnets.randomnets import finite_width_study
    >>> fig = finite_width_figure(finite_width_study(2.0, 0.05, [16, 32], 40, rng=0,
    ...                                              n_chains=2))
    >>> plt.close(fig)
    """
    s = study
    x = np.linspace(0, 1.1 / s.widths.min(), 50)
    fig, ax = plt.subplots()
    ax.errorbar(1 / s.widths, s.n_dev, s.n_dev_se, fmt="o", label="simulation")
    ax.plot(x, s.c_fit + s.c2_fit * x, "C1--", label="fit $c + c_2/N$")
    ax.plot(0, s.c_one_loop, "k*", ms=10, label="one loop $c_1$")
    ax.set(xlabel="1/N", ylabel=r"$N(\lambda_N - \lambda_\infty)$")
    ax.legend()
    fig.tight_layout()
    return fig


def phase_diagram(sigma_w2, sigma_b2, sw_range=(0.5, 4.0), sb_range=(0.0, 1.0)):
    """Per-layer exponent ``ln(chi_1)/2`` of deep tanh networks over ``(sigma_w2, sigma_b2)``,
    the critical lines of the real and the magnitude-phase network, and a marker at the
    point studied.

    Examples
    --------
    >>> import matplotlib; matplotlib.use("Agg")
    >>> fig = phase_diagram(2.0, 0.05)
    >>> plt.close(fig)
    """
    from .. import randomnets as rn

    sw_grid = np.linspace(*sw_range, 36)
    sb_grid = np.linspace(*sb_range, 21)
    lam = np.array([[0.5 * np.log(rn.chi1(sw, sb)) for sw in sw_grid] for sb in sb_grid])
    sb_line = np.linspace(*sb_range, 11)
    fig, ax = plt.subplots()
    vmax = np.abs(lam).max()
    pc = ax.pcolormesh(sw_grid, sb_grid, lam, cmap="RdBu_r", vmin=-vmax, vmax=vmax,
                       shading="auto")
    fig.colorbar(pc, ax=ax, label=r"$\frac{1}{2}\ln\chi_1$ per layer")
    ax.plot([rn.critical_sigma_w2(sb) for sb in sb_line], sb_line, "k-",
            label="real: $\\chi_1 = 1$")
    ax.plot([rn.critical_sigma_w2(sb, network="ginn") for sb in sb_line], sb_line, "k--",
            label="GINN: $\\chi_1 = 1$")
    ax.plot(sigma_w2, sigma_b2, "k*", ms=10)
    ax.set(xlabel=r"$\sigma_w^2$", ylabel=r"$\sigma_b^2$", xlim=sw_range)
    ax.legend(loc="upper left")
    fig.tight_layout()
    return fig


def rnn_autocorrelation_figure(acf, g):
    """Normalised autocorrelation of the DMFT and of each size's chaotic networks (bands:
    one standard error over networks), from an :class:`~uniqnets.randomnets.AutocorrelationStudy`.

    Examples
    --------
    >>> import matplotlib; matplotlib.use("Agg")
    >>> from uniqnets.randomnets import AutocorrelationStudy
    >>> a = AutocorrelationStudy(np.arange(3.0), np.ones(3), np.array([10]),
    ...                          (np.ones((2, 3)),), 1.0, 0.1, 2, np.zeros(1), np.zeros(1))
    >>> plt.close(rnn_autocorrelation_figure(a, 3.0))
    """
    fig, ax = plt.subplots()
    for i, (N, rows) in enumerate(zip(acf.sizes, acf.shapes, strict=True)):
        m = rows.mean(axis=0)
        se = rows.std(axis=0) / np.sqrt(len(rows))
        ax.fill_between(acf.lags, m - se, m + se, color=f"C{i}", alpha=0.3)
        ax.plot(acf.lags, m, color=f"C{i}", label=f"N = {int(N)} ({len(rows)} networks)")
    ax.plot(acf.lags, acf.dmft_shape, "k--", label="DMFT")
    ax.set(xlabel=r"lag $\tau$", ylabel=r"$\Delta(\tau)/\Delta_0$", title=f"g = {g}")
    ax.legend()
    fig.tight_layout()
    return fig


def rnn_spectra_figure(spec, g):
    """Leading Lyapunov spectra against ``rank / N`` with batch-means standard errors, from
    a :class:`~uniqnets.randomnets.SpectrumStudy`.

    Examples
    --------
    >>> import matplotlib; matplotlib.use("Agg")
    >>> from uniqnets.randomnets import SpectrumStudy
    >>> s = SpectrumStudy(np.array([10.0, 20.0]), (np.ones(2), np.ones(4)),
    ...                   (np.zeros(2), np.zeros(4)), np.ones(2), np.ones(2), 0.0, 0.0, 0.1, 0.1)
    >>> plt.close(rnn_spectra_figure(s, 3.0))
    """
    fig, ax = plt.subplots()
    for N, lam, se in zip(spec.sizes, spec.exponents, spec.stderr, strict=True):
        x = (np.arange(lam.size) + 0.5) / N
        ax.errorbar(x, lam, se, fmt="o-", ms=3, label=f"N = {int(N)}")
    ax.axhline(0, color="0.5", lw=0.8)
    ax.set(xlabel="i / N", ylabel=r"$\lambda_i$", title=f"g = {g}")
    ax.legend()
    fig.tight_layout()
    return fig
