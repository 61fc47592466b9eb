"""Figures of the chapters on structural uniqueness, random networks and entanglement.

Each helper draws one figure of a chapter from arrays the chapter computed, so
that the chapter's cell shows only what is plotted; the numbers are never
computed here. Every helper returns the :class:`matplotlib.figure.Figure`.
"""

from __future__ import annotations

import matplotlib.pyplot as plt
import numpy as np

__all__ = [
    "plot_collapse_by_depth",
    "plot_collapsed_fraction",
    "plot_depth_exponents",
    "plot_gd_collapse",
    "plot_image_row",
    "key_decryption_panels",
    "recovery_panels",
    "plot_key_decryption",
    "plot_linear_equivalence",
    "plot_loss_histograms",
    "plot_perturbed_runs",
    "plot_rate_comparison",
    "plot_recovery",
    "plot_rnn_lyapunov",
    "plot_spacetime",
]


def plot_depth_exponents(depths, lams, edges, c_fit):
    """Largest training exponent against depth and against the largest eta * mu_max.

    Parameters
    ----------
    depths : sequence of int, shape (n_depths,)
        Depths L (weight layers).
    lams : dict of str to array (n_depths,)
        Largest finite-time exponent per step for each step-size rule (NaN: diverged).
    edges : dict of str to array (n_depths,)
        Largest ``eta * mu_max`` reached along each run, same keys as ``lams``.
    c_fit : float
        Slope of the law ``lambda = c L`` fitted through the origin.

    Returns
    -------
    matplotlib.figure.Figure
        Two panels (Chapter 4, Corollary 14).

    Examples
    --------
    >>> import matplotlib; matplotlib.use("Agg")
    >>> lams = {"eta = 1": np.array([-1e-3, 0.1]), "eta = 4": np.array([0.2, 0.3])}
    >>> fig = plot_depth_exponents([2, 3], lams, {k: np.array([1.5, 2.5]) for k in lams}, 0.1)
    >>> len(fig.axes)
    2
    >>> plt.close(fig)
    """
    fig, axes = plt.subplots(1, 2, figsize=(9, 3.4))
    for (name, lam), marker in zip(lams.items(), "os^", strict=False):
        label = name.replace("eta", r"$\eta$")
        axes[0].plot(depths, lam, marker + "-", label=label)
        axes[1].plot(edges[name], lam, marker, label=label)
    axes[0].plot(depths, c_fit * np.array(depths), "k--", lw=1, label=r"$\lambda = cL$ (fit)")
    axes[0].set_xlabel("depth $L$ (weight layers)")
    axes[1].axvline(2, color="k", lw=1, ls=":")
    axes[1].set_xscale("log")
    axes[1].set_xlabel(r"largest $\eta\,\mu_{\max}$ along the run")
    for ax in axes:
        ax.set_yscale("symlog", linthresh=1e-3)
        ax.axhline(0, color="k", lw=0.5)
    axes[0].set_ylabel(r"$\lambda_1$ per step")
    axes[0].legend(fontsize=8)
    return fig


def plot_rnn_lyapunov(g_curve, lam_curve, g_sim, lam_sim, n_sim, g, sizes, lam_mean, lam_se,
                      lam_inf, a_fit, lam_limit):
    """Largest exponent of random recurrent networks against the gain and against 1/N.

    Parameters
    ----------
    g_curve, lam_curve : arrays (n,)
        Gains and DMFT exponents (per unit time) of the theory curve.
    g_sim, lam_sim : sequences (m,)
        Gains and exponents of single simulated networks of size ``n_sim``.
    n_sim : int
        Their size N.
    g : float
        The gain of the finite-size study.
    sizes : sequence of int (s,)
        Network sizes N of that study.
    lam_mean, lam_se : arrays (s,)
        Mean exponent of the chaotic networks of each size and its standard error.
    lam_inf, a_fit : float
        The fitted law ``lambda_N = lambda_inf + a / N``.
    lam_limit : float
        The DMFT exponent at gain ``g`` (the N -> infinity limit).

    Returns
    -------
    matplotlib.figure.Figure
        Two panels (Chapter 5, random recurrent networks, section 1.3).

    Examples
    --------
    >>> import matplotlib; matplotlib.use("Agg")
    >>> fig = plot_rnn_lyapunov([1, 2], [0.0, 0.1], [2], [0.08], 50, 2.0, [50, 100],
    ...                         np.array([0.07, 0.08]), np.array([0.01, 0.01]), 0.09, -1.0, 0.1)
    >>> len(fig.axes)
    2
    >>> plt.close(fig)
    """
    fig, (ax1, ax2) = plt.subplots(1, 2, figsize=(9, 3.4))
    ax1.plot(g_curve, lam_curve, "k-", label="DMFT")
    ax1.plot(g_sim, lam_sim, "o", label=f"N = {n_sim}")
    ax1.errorbar([g] * len(sizes), lam_mean, lam_se, fmt="s", ms=4, label=f"N = {sizes}")
    ax1.axhline(0, color="0.5", lw=0.8)
    ax1.set(xlabel="gain g", ylabel=r"$\lambda_{\max}$ (per unit time)")
    ax1.legend()
    x = np.linspace(0, 1 / sizes[0], 50)
    ax2.errorbar(1 / np.array(sizes), lam_mean, lam_se, fmt="o", label="networks")
    ax2.plot(x, lam_inf + a_fit * x, "C1--", label=r"fit $\lambda_\infty + a/N$")
    ax2.plot(0, lam_limit, "k*", ms=10, label="DMFT")
    ax2.set(xlabel="1/N", ylabel=r"$\lambda_{\max}$", title=f"g = {g}")
    ax2.legend()
    fig.tight_layout()
    return fig


def plot_linear_equivalence(cov, stable):
    """Measured against linear-equivalent covariances of random recurrent networks.

    Parameters
    ----------
    cov : dict of int to dict
        Per size N, a dict with the off-diagonal entries ``o_sim`` and ``o_pred`` (arrays
        of shape (N (N - 1),)) and the eigenvalues ``ev_sim`` and ``ev_pred`` (arrays of
        shape (N,), decreasing) of the measured and predicted covariance matrices.
    stable : list of int
        The sizes whose linear equivalent exists (an empty list draws empty axes).

    Returns
    -------
    matplotlib.figure.Figure
        Two panels (Chapter 5, random recurrent networks, section 2).

    Examples
    --------
    >>> import matplotlib; matplotlib.use("Agg")
    >>> row = dict(o_sim=np.array([0.1, -0.1]), o_pred=np.array([0.09, -0.12]),
    ...            ev_sim=np.array([2.0, 1.0]), ev_pred=np.array([1.9, 1.1]))
    >>> fig = plot_linear_equivalence({2: row}, [2])
    >>> len(fig.axes)
    2
    >>> plt.close(fig)
    """
    fig, (ax1, ax2) = plt.subplots(1, 2, figsize=(9, 3.6))
    if stable:
        Nl = stable[-1]
        o_s, o_p = cov[Nl]["o_sim"], cov[Nl]["o_pred"]
        ax1.plot(o_p, o_s, ".", ms=1, alpha=0.3)
        lim = np.abs(np.concatenate([o_s, o_p])).max()
        ax1.plot([-lim, lim], [-lim, lim], "k-", lw=0.8)
        ax1.set(xlabel="predicted $C_{ij}$", ylabel="simulated $C_{ij}$", title=f"N = {Nl}")
        for i, N in enumerate(stable):
            k = np.arange(1, N + 1)
            ax2.loglog(k, cov[N]["ev_sim"], "-", color=f"C{i}", label=f"simulated, N = {N}")
            ax2.loglog(k, cov[N]["ev_pred"], "--", color=f"C{i}", label=f"predicted, N = {N}")
        ax2.set(xlabel="rank", ylabel="eigenvalue", ylim=(1e-3, None))
        ax2.legend(fontsize=8)
    fig.tight_layout()
    return fig


def plot_loss_histograms(losses, depths, row_labels, xlabel="loss (Eq. 21)"):
    """A grid of histograms of per-sample losses: one row per model, one column per depth.

    Parameters
    ----------
    losses : sequence of arrays (L_max + 1, N)
        For each row, the losses of N test inputs at every depth 0..L_max.
    depths : sequence of int
        The depths shown (columns).
    row_labels : sequence of str
        Label of each row.
    xlabel : str
        Label of the bottom axes.

    Returns
    -------
    matplotlib.figure.Figure
        ``len(losses) * len(depths)`` panels (page 15, the paper's Fig. 3).

    Examples
    --------
    >>> import matplotlib; matplotlib.use("Agg")
    >>> rng = np.random.default_rng(0)
    >>> fig = plot_loss_histograms([rng.uniform(size=(3, 50))] * 2, [1, 2], ["n = 2", "n = 3"])
    >>> len(fig.axes)
    4
    >>> plt.close(fig)
    """
    fig, axes = plt.subplots(len(losses), len(depths), figsize=(9, 6.4), sharex=True,
                             squeeze=False)
    bins = np.linspace(0, 1, 41)
    for r, (loss, label) in enumerate(zip(losses, row_labels, strict=True)):
        for c, L in enumerate(depths):
            ax = axes[r, c]
            ax.hist(loss[L], bins=bins, color="C0")
            ax.set_yticks([])
            if r == 0:
                ax.set_title(f"L = {L}")
            if c == 0:
                ax.set_ylabel(label)
            if r == len(losses) - 1:
                ax.set_xlabel(xlabel)
    fig.tight_layout()
    return fig


def plot_rate_comparison(rows, ks):
    """Measured alignment rates (tracked and by QR) against the predicted rate.

    Parameters
    ----------
    rows : list of dict
        One per (k, n): keys ``k``, ``delta`` (predicted rate per layer), ``d_meas`` and
        ``d_se`` (tracked rate and its standard error), ``gap_qr`` and ``gap_qr_se``
        (the QR gap and its standard error).
    ks : list of int
        The input dimensions, in the order of their colours.

    Returns
    -------
    matplotlib.figure.Figure
        One log-log panel with the line of equality (page 16).

    Examples
    --------
    >>> import matplotlib; matplotlib.use("Agg")
    >>> row = dict(k=2, delta=0.1, d_meas=0.11, d_se=0.01, gap_qr=0.1, gap_qr_se=0.01)
    >>> fig = plot_rate_comparison([row], [2])
    >>> len(fig.axes)
    1
    >>> plt.close(fig)
    """
    fig, ax = plt.subplots(figsize=(4.6, 4.2))
    for r in rows:
        i = ks.index(r["k"])
        ax.errorbar(r["delta"], r["d_meas"], yerr=2 * r["d_se"], fmt="o", color=f"C{i}", ms=4)
        ax.errorbar(r["delta"], r["gap_qr"], yerr=2 * r["gap_qr_se"], fmt="x", color=f"C{i}",
                    ms=5)
    for i, k in enumerate(ks):
        ax.plot([], [], "o", color=f"C{i}", label=f"k = {k}")
    lo, hi = 0.7 * min(r["delta"] for r in rows), 1.4 * max(r["delta"] for r in rows)
    ax.plot([lo, hi], [lo, hi], "k:", lw=1)
    ax.set_xscale("log")
    ax.set_yscale("log")
    ax.set_xlabel(r"predicted $\Delta = \lambda_{train} - \lambda_2$ (per layer)")
    ax.set_ylabel("measured")
    ax.legend()
    return fig


def plot_spacetime(tracked, c_values, onset, delay_meas, delay_se, delay_pred,
                   depths=(2, 3, 5, 10, 20), n_tests=4):
    """The paper's spacetime picture of a two-dimensional model, and the onset delay.

    Each 3-D panel shows the training output (black) and ``n_tests`` test outputs
    after ``L`` layers as the unit vectors ``(l, w_l) / |(l, w_l)|`` for l = 0..L.

    Parameters
    ----------
    tracked : object
        A tracked propagation of a k = 2 model with ``train_directions`` (L+1, 2),
        ``train_log_norm`` (L+1,), ``directions`` (L+1, 2, m) and ``log_norms`` (L+1, m).
    c_values : array (n_c,)
        The constants c.
    onset : float
        Onset layer at the smallest c.
    delay_meas, delay_se, delay_pred : arrays (n_c,)
        Measured delay of the onset (mean and standard error) and the predicted one.
    depths : sequence of 5 int
        Depths of the five 3-D panels.
    n_tests : int
        Test outputs drawn per panel.

    Returns
    -------
    matplotlib.figure.Figure
        Six panels (page 16, the paper's Fig. 5).

    Examples
    --------
    >>> import matplotlib; matplotlib.use("Agg")
    >>> from types import SimpleNamespace
    >>> rng = np.random.default_rng(0)
    >>> P = SimpleNamespace(train_directions=rng.standard_normal((21, 2)),
    ...                     train_log_norm=np.zeros(21), directions=rng.standard_normal((21, 2, 4)),
    ...                     log_norms=np.zeros((21, 4)))
    >>> c = np.array([1.0, 10.0])
    >>> fig = plot_spacetime(P, c, 3.0, np.zeros(2), np.ones(2), np.zeros(2))
    >>> len(fig.axes)
    6
    >>> plt.close(fig)
    """
    fig = plt.figure(figsize=(11, 7.5))
    colors = [(None, "k")] + [(j, f"C{j}") for j in range(n_tests)]
    for p, L in enumerate(depths):
        ax = fig.add_subplot(2, 3, p + 1, projection="3d")
        ell = np.arange(L + 1)
        for j, color in colors:
            if j is None:
                W = tracked.train_directions[: L + 1]
                W = W * np.exp(tracked.train_log_norm[: L + 1, None])
            else:
                W = tracked.directions[: L + 1, :, j] * np.exp(tracked.log_norms[: L + 1, j, None])
            V = np.column_stack([1.0 * ell, W])
            V /= np.linalg.norm(V, axis=1, keepdims=True)
            ax.plot(V[:, 1], V[:, 2], V[:, 0], color=color, lw=1.2, marker=".", ms=3)
        ax.set_xlim(-1, 1)
        ax.set_ylim(-1, 1)
        ax.set_zlim(0, 1)
        # three ticks an axis, readable, and the labels clear of them
        ax.set_xticks([-1, 0, 1])
        ax.set_yticks([-1, 0, 1])
        ax.set_zticks([0, 0.5, 1])
        ax.tick_params(labelsize=8, pad=0)
        ax.set_xlabel("x", labelpad=2)
        ax.set_ylabel("y", labelpad=2)
        ax.set_zlabel("ct′", labelpad=4)
        ax.set_title(f"{'abcde'[p]}) L = {L}", fontsize=9)
    ax = fig.add_subplot(2, 3, 6)
    ax.errorbar(c_values, onset + delay_meas, yerr=2 * delay_se, fmt="o", ms=4, label="measured")
    ax.plot(c_values, onset + delay_pred, "k-", lw=1, label="predicted")
    ax.set_xscale("log")
    ax.set_xlabel("c")
    ax.set_ylabel("onset layer")
    ax.set_title("f) delay with c", fontsize=9)
    ax.legend(fontsize=8)
    fig.tight_layout()
    return fig


def plot_gd_collapse(hist_losses, lambdas, frac_a, frac_a_exact, frac_b, eta_a, etas,
                     frac_eta, lambda_fixed, frac_a_se=None, frac_b_se=None, frac_eta_se=None):
    """Algorithm 2 (gradient descent towards a target): losses and collapsed fractions.

    Parameters
    ----------
    hist_losses : dict of float to array (N,)
        For four values of lambda, the per-sample losses of Eq. 32 of one model.
    lambdas : array (n_lam,)
        The lambdas of the sweep.
    frac_a, frac_a_exact : arrays (n_lam,)
        Collapsed fraction of the one-matrix reading: Monte Carlo and exact.
    frac_b : dict of float to array (n_lam,)
        Collapsed fraction of the three-factor reading, per learning rate.
    eta_a : float
        Learning rate of the one-matrix reading.
    etas, frac_eta : arrays (n_eta,)
        The learning-rate sweep at ``lambda_fixed`` and its collapsed fractions.
    lambda_fixed : float
        Lambda of that sweep.
    frac_a_se, frac_eta_se : arrays, optional
        Standard errors of ``frac_a`` and ``frac_eta`` (error bars of one se).
    frac_b_se : dict of float to array (n_lam,), optional
        Standard errors of ``frac_b`` (error bars of one se).

    Returns
    -------
    matplotlib.figure.Figure
        ``len(hist_losses) + 2`` panels (page 17, the paper's Fig. 7).

    Examples
    --------
    >>> import matplotlib; matplotlib.use("Agg")
    >>> rng = np.random.default_rng(0)
    >>> hists = {lam: rng.uniform(size=20) for lam in (1.0, 10.0, 100.0, 1000.0)}
    >>> lam = np.array([1.0, 10.0])
    >>> fig = plot_gd_collapse(hists, lam, lam / 20, lam / 20, {0.1: lam / 30}, 0.1,
    ...                        np.array([0.1, 1.0]), np.array([0.2, 0.5]), 100.0)
    >>> len(fig.axes)
    6
    >>> plt.close(fig)
    """
    fig = plt.figure(figsize=(10, 5.4))
    for p, (lam, loss) in enumerate(hist_losses.items()):
        ax = fig.add_subplot(2, 4, p + 1)
        ax.hist(loss, bins=np.linspace(0, 1, 41), color="C0")
        ax.set_title(f"{'abcd'[p]}) λ = {lam:g}", fontsize=9)
        ax.set_yticks([])
        ax.set_xlabel("loss (Eq. 32)")
    ax = fig.add_subplot(2, 2, 3)
    ax.plot(lambdas, frac_a_exact, "k-", lw=1, label=f"(a) one matrix, η = {eta_a:g}")
    ax.errorbar(lambdas, frac_a, yerr=frac_a_se, fmt="ko", ms=3)
    for i, (eta, frac) in enumerate(frac_b.items()):
        ax.errorbar(lambdas, frac, yerr=None if frac_b_se is None else frac_b_se[eta],
                    fmt="s--", ms=3, color=f"C{i + 1}", label=f"(b) three factors, η = {eta:g}")
    ax.set_xscale("log")
    ax.set_xlabel("λ")
    ax.set_ylabel("collapsed fraction")
    ax.set_title("e)", fontsize=9)
    ax.legend(fontsize=7)
    ax = fig.add_subplot(2, 2, 4)
    ax.errorbar(etas, frac_eta, yerr=frac_eta_se, fmt="o-", ms=3)
    ax.set_xscale("log")
    ax.set_xlabel("learning rate η")
    ax.set_ylabel("collapsed fraction")
    ax.set_title(f"f) reading (a), λ = {lambda_fixed:g}", fontsize=9)
    fig.tight_layout()
    return fig


def _image_panel(ax, img, title, fontsize=7, **imshow):
    ax.imshow(img, **imshow)
    ax.set_xticks([])
    ax.set_yticks([])
    ax.grid(False)
    if title:
        ax.set_title(title, fontsize=fontsize)


def key_decryption_panels(tracked, messages, depths_shown, receiver: int = 0):
    """The image rows of the book's Fig. 8: message, ciphertext, a receiver's decryptions.

    Parameters
    ----------
    tracked : uniqnets.entanglement.Propagation
        The chain with its tracked inputs (directions kept).
    messages : mapping of str to array of bits (side, side)
        The messages, one row each.
    depths_shown : sequence of int
        Depths of the decryptions shown.
    receiver : int
        The tracked input that decrypts.

    Returns
    -------
    list of list of (str, array (side, side))
        Input of :func:`plot_key_decryption`.
    """
    from uniqnets import entanglement as E

    depth = tracked.train_directions.shape[0] - 1
    panels = []
    for m in messages.values():
        shape, m = m.shape, m.ravel()
        keys = {L: E.binarize(tracked.train_directions[L]) for L in (depth, *depths_shown)}
        row = [("message", m), ("ciphertext", keys[depth] ^ m)]
        row += [(f"Bob, L = {L}", E.decrypt(keys[L] ^ m, tracked.directions[L][:, receiver]))
                for L in depths_shown]
        panels.append([(title, img.reshape(shape)) for title, img in row])
    return panels


def recovery_panels(image, unrelated_image, tracked, unrelated: int, alphas, depths_shown):
    """The image rows of the book's Fig. 9: y, the unrelated image, recoveries by depth.

    Parameters
    ----------
    image, unrelated_image : arrays (side, side)
        The hidden image and the image whose output is subtracted.
    tracked : uniqnets.entanglement.Propagation
        The chain; its tracked input ``unrelated`` is ``unrelated_image``.
    unrelated : int
        That column.
    alphas : sequence of float
        Noise factors, one row each.
    depths_shown : sequence of int
        Depths of the recoveries shown (sign read off the data).

    Returns
    -------
    list of list of (str, array (side, side))
        Input of :func:`plot_recovery`.
    """
    from uniqnets import entanglement as E

    depth = tracked.train_directions.shape[0] - 1

    def hidden(alpha, L):
        return E.adversarial_example(image, tracked.train_directions[L], alpha)

    return [[(f"y, α = {a:g}", hidden(a, depth)), ("unrelated image", unrelated_image)]
            + [(f"L = {L}", E.recover(hidden(a, L), tracked.directions[L][:, unrelated], a,
                                      sign="auto")) for L in depths_shown] for a in alphas]


def plot_image_row(images, side):
    """Titled binary images of ``side x side`` pixels side by side (Chapter 18's two-time pad).

    Parameters
    ----------
    images : list of (str, array with side**2 entries)
        Titles and images (bits or numbers; drawn in gray, dark for 1).
    side : int
        Pixels per side.

    Returns
    -------
    matplotlib.figure.Figure

    Examples
    --------
    >>> import matplotlib; matplotlib.use("Agg")
    >>> fig = plot_image_row([("a", np.eye(3).ravel()), ("b", np.ones(9))], 3)
    >>> len(fig.axes)
    2
    >>> plt.close(fig)
    """
    fig, axes = plt.subplots(1, len(images), figsize=(2 * len(images), 2.2), squeeze=False)
    for ax, (title, img) in zip(axes[0], images, strict=True):
        _image_panel(ax, np.reshape(img, (side, side)), title, fontsize=8, cmap="gray_r",
                     interpolation="nearest")
    fig.tight_layout()
    return fig


def plot_key_decryption(panels, depths, ber, ber_pred, floor):
    """Messages, ciphertexts and Bob's decryptions, above the bit error rates by depth.

    Parameters
    ----------
    panels : list of list of (str, array (side, side))
        One row of titled binary images per message (titles shown on the first row).
    depths : array (L_max + 1,)
        The depths 0..L_max.
    ber, ber_pred : arrays (L_max + 1, n_bob)
        Measured (dots) and predicted (lines) bit error rate of every receiver at
        every depth.
    floor : float
        Rates below ``floor`` (zero errors) are drawn at ``floor`` on the log axis.

    Returns
    -------
    matplotlib.figure.Figure
        One panel per image and one for the error rates (Chapter 7).

    Examples
    --------
    >>> import matplotlib; matplotlib.use("Agg")
    >>> img = np.eye(4, dtype=int)
    >>> rates = np.full((3, 2), 0.1)
    >>> fig = plot_key_decryption([[("message", img), ("ciphertext", img)]], np.arange(3),
    ...                           rates, rates, 0.01)
    >>> len(fig.axes)
    3
    >>> plt.close(fig)
    """
    fig = plt.figure(figsize=(10, 8.6))
    ncol = max(len(row) for row in panels)
    nrow = len(panels) + 2
    for r, row in enumerate(panels):
        for c, (title, img) in enumerate(row):
            ax = fig.add_subplot(nrow, ncol, r * ncol + c + 1)
            _image_panel(ax, img, title if r == 0 else None, cmap="gray_r",
                         interpolation="nearest")
    ax = fig.add_subplot(nrow, 1, (len(panels) + 1, len(panels) + 2))
    for j in range(ber.shape[1]):
        ax.plot(depths, np.maximum(ber[:, j], floor), "o", ms=2.5, color=f"C{j % 10}")
        ax.plot(depths, np.maximum(ber_pred[:, j], floor), "-", lw=0.8, color=f"C{j % 10}")
    ax.set_yscale("log")
    ax.set_ylim(floor * 0.8, 0.7)
    ax.set_xlabel("depth L")
    ax.set_ylabel("bit error rate")
    fig.tight_layout()
    return fig


def plot_recovery(panels, depths, psnr, psnr_pred, alphas, h, db_per_layer, target_psnr):
    """Adversarial examples and recovered images, above the PSNR of the recovery by depth.

    Parameters
    ----------
    panels : list of list of (str, array (side, side))
        One row of titled images (values in [0, 1], clipped) per noise factor.
    depths : array (L_max + 1,)
        The depths 0..L_max.
    psnr, psnr_pred : arrays (n_alpha, L_max + 1)
        Measured (dots) and predicted (lines) PSNR in dB.
    alphas : sequence of float (n_alpha,)
        The noise factors.
    h : int
        First depth of the dotted asymptotes ``psnr_pred[a, h] + db_per_layer (L - h)``.
    db_per_layer : float
        Their slope, in dB per layer.
    target_psnr : float
        The PSNR taken as recognisable (dashed line).

    Returns
    -------
    matplotlib.figure.Figure
        One panel per image and one for the PSNR (Chapter 7).

    Examples
    --------
    >>> import matplotlib; matplotlib.use("Agg")
    >>> img = np.full((4, 4), 0.5)
    >>> psnr = np.array([[5.0, 10.0, 15.0]])
    >>> fig = plot_recovery([[("y", img), ("L = 1", img)]], np.arange(3), psnr, psnr, [10.0],
    ...                     1, 5.0, 20.0)
    >>> len(fig.axes)
    3
    >>> plt.close(fig)
    """
    ncol = max(len(row) for row in panels)
    fig = plt.figure(figsize=(1.45 * ncol, 1.55 * len(panels) + 3.2))
    gs = fig.add_gridspec(len(panels) + 2, ncol)
    for a, row in enumerate(panels):
        for c, (title, img) in enumerate(row):
            _image_panel(fig.add_subplot(gs[a, c]), np.clip(img, 0, 1), title, cmap="gray",
                         vmin=0, vmax=1)
    ax = fig.add_subplot(gs[len(panels):, :])
    for a, alpha in enumerate(alphas):
        ax.plot(depths, psnr[a], "o", ms=2.5, color=f"C{a}", label=f"α = {alpha:g}")
        ax.plot(depths, psnr_pred[a], "-", lw=0.8, color=f"C{a}")
        ax.plot(depths[h:], psnr_pred[a, h] + db_per_layer * (depths[h:] - h), ":", color="k",
                lw=1)
    ax.axhline(target_psnr, color="gray", lw=0.8, ls="--")
    ax.set_xlabel("depth L")
    ax.set_ylabel("PSNR of the recovered image (dB)")
    ax.legend(fontsize=7)
    fig.tight_layout()
    return fig


def plot_perturbed_runs(bits, eps, names=("row order", "one bit", "float32")):
    """Distance of perturbed reruns from a reference run, one panel per learning rate.

    Parameters
    ----------
    bits : dict of float to (steps, gaps, lam)
        Per learning rate: the saved steps (array (n,)), a dict of the perturbations'
        distances from the reference run (arrays (n,)) and the largest exponent per step.
    eps : float
        The unit roundoff from which the predicted growth ``eps * exp(lam t)`` starts
        (drawn where ``lam > 0``).
    names : sequence of str
        The perturbations drawn (keys of the gaps).

    Returns
    -------
    matplotlib.figure.Figure
        ``len(bits)`` panels (Chapter 4, bit-exact reruns).

    Examples
    --------
    >>> import matplotlib; matplotlib.use("Agg")
    >>> st = np.arange(5)
    >>> gaps = {"one bit": 1e-16 * np.exp(st)}
    >>> fig = plot_perturbed_runs({0.1: (st, gaps, -1e-4), 4.0: (st, gaps, 1.0)}, 2.2e-16,
    ...                           names=["one bit"])
    >>> len(fig.axes)
    2
    >>> plt.close(fig)
    """
    fig, axes = plt.subplots(1, len(bits), figsize=(9, 3.4), sharey=True, squeeze=False)
    axes = axes[0]
    for ax, (step_lr, (st, gaps, lam)) in zip(axes, bits.items(), strict=True):
        for name in names:
            ax.semilogy(st, np.maximum(gaps[name], 1e-18), label=name)
        if lam > 0:  # the predicted growth, drawn up to the top of the axes
            shown = st <= np.log(1e3 / eps) / lam
            ax.semilogy(st[shown], eps * np.exp(lam * st[shown]), "k--", lw=1)
        ax.set_title(rf"$\eta$ = {step_lr:g}, $\lambda_1$ = {lam:+.3f} per step")
        ax.set_xlabel("step")
        ax.set_ylim(1e-18, 1e3)
    axes[0].set_ylabel("distance from the reference run")
    axes[0].legend()
    return fig


def plot_collapse_by_depth(depths, widths, exact, measured, avg_loss):
    """Collapsed fraction (exact and Monte Carlo) and averaged loss against depth.

    Parameters
    ----------
    depths : array (L_max + 1,)
        The depths 0..L_max.
    widths : sequence of int
        The widths n, one colour each.
    exact, measured, avg_loss : dict of int to array (n_models, L_max + 1)
        Per width: exact and Monte-Carlo collapsed fractions and the loss averaged over
        test inputs, for every model (the mean over models is drawn, with a band of one
        standard error over models, their spread over ``sqrt(n_models)``, when there are
        at least two).

    Returns
    -------
    matplotlib.figure.Figure
        Two panels (page 15, the convergence test).

    Examples
    --------
    >>> import matplotlib; matplotlib.use("Agg")
    >>> curves = {2: np.linspace(0, 1, 6)[None, :]}
    >>> fig = plot_collapse_by_depth(np.arange(6), [2], curves, curves, curves)
    >>> len(fig.axes)
    2
    >>> plt.close(fig)
    """
    def band(ax, values, color):
        values = np.asarray(values, dtype=float)
        mean = values.mean(0)
        ax.plot(depths, mean, color=color)
        if values.shape[0] > 1:
            se = values.std(0, ddof=1) / np.sqrt(values.shape[0])
            ax.fill_between(depths, mean - se, mean + se, color=color, alpha=0.2, lw=0)

    fig, (ax1, ax2) = plt.subplots(1, 2, figsize=(9, 3.4))
    for i, n in enumerate(widths):
        band(ax1, exact[n], f"C{i}")
        ax1.plot(depths, measured[n].mean(0), "o", ms=3, color=f"C{i}", label=f"n = {n}")
        band(ax2, avg_loss[n], f"C{i}")
    ax1.set_xlabel("depth L")
    ax1.set_ylabel("collapsed fraction")
    ax1.legend()
    ax2.axhline(0.5, color="k", lw=0.8, ls=":")
    ax2.set_xlabel("depth L")
    ax2.set_ylabel("averaged loss (Eq. 21)")
    ax2.set_ylim(0, 1)
    fig.tight_layout()
    return fig


def plot_collapsed_fraction(depths, ks, offsets, fractions, half_depths, errors=None):
    """Collapsed fraction against depth, one panel per input dimension k.

    Parameters
    ----------
    depths : array (L_max + 1,)
        The depths 0..L_max.
    ks : sequence of int
        The input dimensions (panels).
    offsets : sequence of int
        Widths n = k + offset (one colour each).
    fractions : dict of (k, n) to array (L_max + 1,)
        The collapsed fractions.
    half_depths : dict of (k, n) to float
        Estimated depth of half collapse, marked where it lies within the depths.
    errors : dict of (k, n) to array (L_max + 1,), optional
        Standard errors of the fractions, drawn as a band of one standard error.

    Returns
    -------
    matplotlib.figure.Figure
        ``len(ks)`` panels (page 15, larger k).

    Examples
    --------
    >>> import matplotlib; matplotlib.use("Agg")
    >>> fr = {(10, 10): np.linspace(0, 1, 6), (10, 20): np.linspace(0, 1, 6) ** 0.5}
    >>> fig = plot_collapsed_fraction(np.arange(6), [10], [0, 10], fr, {(10, 10): 2.5,
    ...                                                                  (10, 20): 9.0})
    >>> len(fig.axes)
    1
    >>> plt.close(fig)
    """
    fig, axes = plt.subplots(1, len(ks), figsize=(4.6 * len(ks), 3.4), squeeze=False)
    for ax, k in zip(axes[0], ks, strict=True):
        for i, off in enumerate(offsets):
            n = k + off
            ax.plot(depths, fractions[k, n], color=f"C{i}", label=f"n = {n}")
            if errors is not None and np.all(np.isfinite(errors[k, n])):
                ax.fill_between(depths, fractions[k, n] - errors[k, n],
                                fractions[k, n] + errors[k, n], color=f"C{i}", alpha=0.2, lw=0)
            if half_depths[k, n] <= depths[-1]:
                ax.plot([half_depths[k, n]], [0.5], "v", color=f"C{i}")
        ax.set_title(f"k = {k}")
        ax.set_xlabel("depth L")
        ax.set_ylabel("collapsed fraction")
        ax.set_ylim(-0.02, 1.02)
        ax.legend(fontsize=8)
    fig.tight_layout()
    return fig
