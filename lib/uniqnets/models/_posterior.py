"""Does the Bayesian posterior of a small tanh network concentrate, modulo its symmetries?

A teacher-student regression (:func:`teacher_network`, :func:`teacher_data`): inputs
``X ~ N(0, I)``, targets ``y = f_teacher(X) + sigma * noise``, a Gaussian likelihood of
known ``sigma`` and a Gaussian prior ``N(0, s^2 I)`` on the student's parameters, so the
negative log posterior (up to a constant) is

    U(theta) = ||f(X; theta) - y||^2 / (2 sigma^2) + ||theta||^2 / (2 s^2).

:func:`posterior_modes` finds its modes from random starts (:func:`find_minimum`), groups
them modulo the signed permutations of hidden units (:func:`align`) and gives each distinct
mode its Laplace approximation: Hessian, widths ``1 / sqrt(eig H)`` and log mass.
:func:`concentration` repeats this over a grid of sample sizes for a student as wide as
the teacher (identifiable: Sussmann 1992) and one with extra hidden units (singular:
Watanabe 2009).

Written here rather than taken from a library: the Laplace approximation at the modes of a
tiny network needs only the exact Hessian the library already has
(:meth:`Objective.hvp`), and the grouping modulo the symmetry group needs :func:`align`.
"""

from __future__ import annotations

from dataclasses import dataclass
from math import factorial, lgamma, log, pi

import numpy as np
from scipy.special import logsumexp

from .._validate import check_array, check_bool, check_int, check_real, check_rng, check_size
from ._minimum import find_minimum
from ._mlp import MLP, _check_model
from ._objective import Objective
from ._symmetry import _odd, align

__all__ = ["Concentration", "PosteriorModes", "concentration", "posterior_modes",
           "teacher_data", "teacher_network"]

# starts of the mode search: LeCun initialisation, biases N(0, 0.5^2) so that the units
# start at different offsets
_INIT_GAIN, _INIT_BIAS_STD = 1.0, 0.5
# a start whose gradient of L = sigma^2 U / n ends above this multiple of gtol did not
# converge (trust-exact stops at gtol, or earlier only when it fails)
_FAILED_GTOL_FACTOR = 1e3


def teacher_network(d_in: int = 2, width: int = 3, scale: float = 1.5, seed: int = 0,
                    n_draws: int = 64) -> tuple[MLP, np.ndarray]:
    """A one-hidden-layer tanh teacher ``(d_in, width, 1)`` with generic, distinct units.

    Each unit's incoming weight vector has norm ``scale``, so that on inputs ``N(0, I)``
    its pre-activation has standard deviation ``scale`` plus a bias uniform in
    ``[-scale/2, scale/2]``: the units work in tanh's curved range, neither linear nor
    saturated.  The directions are the most spread (smallest largest ``|cos|`` between two
    rows, sign flips counting as the same direction) of ``n_draws`` isotropic draws, so no
    two units are near copies or sign-flipped copies of each other: such a teacher is
    minimal, and a student of its width identifiable modulo the symmetries (Sussmann
    1992), with a Fisher information that is not nearly singular.  Output weights have
    random signs and magnitudes uniform in ``[0.5, 1.5]``; the output bias is uniform in
    ``[-0.5, 0.5]``.

    Parameters
    ----------
    d_in : int >= 1
        Input dimension.
    width : int >= 1
        Hidden units of the teacher.
    scale : float > 0
        Norm of each unit's incoming weights (units of ``1 / x``).
    seed : int >= 0
        Seed of the draws.
    n_draws : int >= 1
        Candidate sets of directions to choose the most spread from.

    Returns
    -------
    model : MLP
        ``MLP((d_in, width, 1), "tanh")``.
    theta : array, shape (d,)
        The teacher's parameters.

    References
    ----------
    H. J. Sussmann, "Uniqueness of the weights for minimal feedforward nets with a given
    input-output map", Neural Networks 5 (1992) 589-593.

    Examples
    --------
    >>> import numpy as np
    >>> from uniqnets.models import teacher_network
    >>> net, theta = teacher_network(2, 3, scale=1.5, seed=0)
    >>> net.sizes, theta.shape
    ((2, 3, 1), (13,))
    >>> W = net.unflatten(theta)[0][0]
    >>> print(np.round(np.linalg.norm(W, axis=1), 6))
    [1.5 1.5 1.5]
    """
    d_in = check_int(d_in, "d_in", lo=1)
    width = check_int(width, "width", lo=1)
    scale = check_real(scale, "scale", lo=0, lo_open=True)
    seed = check_int(seed, "seed", lo=0)
    n_draws = check_int(n_draws, "n_draws", lo=1, hi=10**6)
    model = MLP((d_in, width, 1), "tanh")
    rng = np.random.default_rng(seed)
    best, best_cos = None, np.inf
    for _ in range(n_draws):
        W = rng.standard_normal((width, d_in))
        W /= np.linalg.norm(W, axis=1, keepdims=True)
        cos = np.abs(W @ W.T)[np.triu_indices(width, 1)]
        worst = cos.max() if cos.size else 0.0
        if worst < best_cos:
            best, best_cos = W, worst
    b = rng.uniform(-0.5, 0.5, width) * scale
    a = rng.choice([-1.0, 1.0], width) * rng.uniform(0.5, 1.5, width)
    c = rng.uniform(-0.5, 0.5, 1)
    return model, model.flatten([(scale * best, b), (a[None, :], c)])


def teacher_data(model: MLP, theta, n: int, sigma: float, rng) -> tuple[np.ndarray, np.ndarray]:
    """Draw ``n`` samples ``x ~ N(0, I)``, ``y = f_theta(x) + sigma * noise``.

    Sample ``i`` is row ``i`` of one draw of shape ``(n, d_in + 1)`` (its inputs, then
    its noise), so the first ``m`` samples of a draw of ``n >= m`` are the draw of ``m``
    from the same generator state: nested data sets.

    Parameters
    ----------
    model : MLP
        A network with one output.
    theta : array, shape (d,)
        The teacher's parameters.
    n : int >= 1
        Number of samples.
    sigma : float >= 0
        Standard deviation of the Gaussian noise on the targets (units of ``y``).
    rng : numpy.random.Generator or int seed

    Returns
    -------
    X : array, shape (n, d_in)
    y : array, shape (n,)

    Examples
    --------
    >>> import numpy as np
    >>> from uniqnets.models import teacher_data, teacher_network
    >>> net, theta = teacher_network()
    >>> X, y = teacher_data(net, theta, 5, 0.0, 0)
    >>> X.shape, bool(np.allclose(y, net(theta, X)[:, 0]))
    ((5, 2), True)
    >>> X3, y3 = teacher_data(net, theta, 3, 0.1, 7)
    >>> bool(np.array_equal(X3, teacher_data(net, theta, 50, 0.1, 7)[0][:3]))
    True
    """
    model = _check_model(model)
    if model.sizes[-1] != 1:
        raise ValueError(f"model must have one output, got sizes {model.sizes}")
    theta = model._check_theta(theta)
    n = check_int(n, "n", lo=1)
    check_size(n * max(model.sizes), "n")
    sigma = check_real(sigma, "sigma", lo=0)
    rng = check_rng(rng, allow_seed=True)
    Z = rng.standard_normal((n, model.sizes[0] + 1))
    X = Z[:, :-1].copy()
    return X, model(theta, X)[:, 0] + sigma * Z[:, -1]


@dataclass(frozen=True, eq=False)
class PosteriorModes:
    """The distinct posterior modes modulo the symmetries, and their Laplace approximations.

    Modes are sorted by ``U``: mode 0 is the best (the MAP found).  ``m`` is the number of
    distinct modes (0 if every start diverged), ``d`` the number of parameters.

    Attributes
    ----------
    theta : array, shape (m, d)
        The modes, each moved by a signed permutation as close as possible to mode 0.
    U : array, shape (m,)
        Negative log posterior ``||f - y||^2 / (2 sigma^2) + ||theta||^2 / (2 s^2)``
        (dimensionless; the Gaussian normalising constants left out).
    hessian : array, shape (m, d, d)
        Hessian of ``U`` at each mode, from Hessian-vector products, symmetrised.
    eigenvalues : array, shape (m, d)
        Its eigenvalues, ascending.
    eigenvectors : array, shape (m, d, d)
        ``eigenvectors[k][:, i]`` belongs to ``eigenvalues[k, i]``.
    widths : array, shape (m, d)
        Laplace posterior standard deviations along the eigenvectors,
        ``1 / sqrt(eigenvalues)`` (largest first; units of ``theta``); NaN where an
        eigenvalue is not positive.
    singular : bool array, shape (m,)
        The Hessian has an eigenvalue ``<= 0``: no Laplace approximation.
    stabilizer : int array, shape (m,)
        Number of symmetries that leave the mode unchanged (1 unless two hidden units
        are equal up to sign, or one is zero); its orbit has ``|G| / stabilizer`` copies.
    log_mass : array, shape (m,)
        Laplace log mass of the mode's orbit over ``|G|``:
        ``-U + (d/2) log(2 pi) - (1/2) log det H - log stabilizer``; NaN if singular.
    mass : array, shape (m,)
        Relative posterior mass of each orbit among the non-singular modes found.
    mass_outside_best : float
        ``1 - mass[0]``: the Laplace mass outside the best mode's orbit.
    log_mass_outside_best : float
        Its natural logarithm (``-inf`` for a single mode), which does not underflow.
    counts : int array, shape (m,)
        Starts that ended at each mode.
    grad_norm : array, shape (m,)
        ``||grad U||`` at each mode.
    radius : array, shape (m,)
        Bound on the distance from the mode found to the exact mode,
        ``max(gtol, ||grad L||) / max(lambda_min(H_L), wd)`` (units of ``theta``);
        two starts are one mode when their distance modulo the symmetries is below
        twice the sum of their radii.
    n_starts : int
        Starts searched (random and given).
    n_failed : int
        Starts that diverged or did not reach ``1000 gtol``, left out.
    """

    theta: np.ndarray
    U: np.ndarray
    hessian: np.ndarray
    eigenvalues: np.ndarray
    eigenvectors: np.ndarray
    widths: np.ndarray
    singular: np.ndarray
    stabilizer: np.ndarray
    log_mass: np.ndarray
    mass: np.ndarray
    mass_outside_best: float
    log_mass_outside_best: float
    counts: np.ndarray
    grad_norm: np.ndarray
    radius: np.ndarray
    n_starts: int
    n_failed: int

    @property
    def n_modes(self) -> int:
        """Number ``m`` of distinct modes found.

        Examples
        --------
        >>> import numpy as np
        >>> from uniqnets.models import MLP, posterior_modes
        >>> X = np.random.default_rng(0).standard_normal((10, 2))
        >>> posterior_modes(MLP((2, 1), "linear"), X, X[:, 0], 0.1, 1.0, 2, 0).n_modes
        1
        """
        return int(self.U.size)


def _check_one_hidden_layer(model: MLP) -> MLP:
    model = _check_model(model)
    if model.depth > 2:
        raise ValueError(f"model must have at most one hidden layer (alignment is then an exact "
                         f"assignment problem), got sizes {model.sizes}")
    return model


def _stabilizer(model: MLP, theta, tol: float) -> int:
    """Number of signed permutations ``g`` with ``g theta = theta`` (to ``tol``).

    For one hidden layer a symmetry moves unit ``j`` (incoming weights, bias, outgoing
    weights) to ``+-`` unit ``p(j)``: it fixes ``theta`` when each unit goes to an equal
    unit (up to a sign flip for odd activations), so each class of ``k`` equal nonzero
    units gives ``k!`` and, for odd activations, each of ``k0`` zero units can also flip
    (``k0! 2^k0``).
    """
    if model.depth < 2:
        return 1
    (W1, b1), (W2, _) = model.unflatten(theta)
    units = np.concatenate([W1, b1[:, None], W2.T], axis=1)
    odd = _odd(model)
    zero = np.linalg.norm(units, axis=1) <= tol
    count = lgamma(int(zero.sum()) + 1) + (zero.sum() * log(2) if odd else 0.0)
    left = [j for j in range(len(units)) if not zero[j]]
    while left:
        j = left.pop(0)
        same = [k for k in left if np.linalg.norm(units[k] - units[j]) <= tol
                or (odd and np.linalg.norm(units[k] + units[j]) <= tol)]
        left = [k for k in left if k not in same]
        count += lgamma(len(same) + 2)
    return int(round(np.exp(count)))


def posterior_modes(model: MLP, X, y, sigma: float, prior_scale: float, n_starts: int = 10,
                    rng=0, *, starts=None, gd_steps: int = 300, gtol: float = 1e-10,
                    progress: bool = False) -> PosteriorModes:
    """Find the posterior modes from random starts, group them modulo the symmetries, Laplace.

    Each start (LeCun initialisation, biases ``N(0, 0.5^2)``, or one of ``starts``) is
    minimised by :func:`find_minimum` (gradient descent, then trust-region Newton with the
    exact Hessian) on ``L = sigma^2 U / n``, the mean squared error over two plus weight
    decay ``sigma^2 / (n s^2)``.  Newton stops at ``||grad L|| <= gtol``, so the point found is
    within ``gtol / lambda_min(H_L)`` of the exact mode (to first order); a start's radius
    is that bound (with its actual gradient if larger, and ``lambda_min`` at least the
    prior's curvature ``sigma^2 / (n s^2)``), and two starts are the same mode when
    :func:`align` (exact for one hidden layer: one linear assignment problem) brings them
    within twice the sum of their radii.  Starts are taken in order of ``U`` and joined to
    the first mode within reach; a mode's representative is its start with the smallest
    gradient, where the Hessian of ``U`` is built from Hessian-vector products against
    the identity.

    The Laplace approximation of the posterior mass of mode ``k``'s orbit, over the order
    of the group, is ``exp(-U_k) (2 pi)^(d/2) det(H_k)^(-1/2) / |Stab(theta_k)|``.

    Parameters
    ----------
    model : MLP
        The student, with at most one hidden layer and one output (``(d_in, 1)`` is
        Bayesian linear regression).
    X : array, shape (n, d_in)
        Inputs, ``n >= 1``.
    y : array, shape (n,)
        Targets (units of the output).
    sigma : float > 0
        Noise standard deviation of the likelihood (units of ``y``).
    prior_scale : float > 0
        Standard deviation ``s`` of the Gaussian prior on every parameter.
    n_starts : int >= 0
        Random starts ``K``.
    rng : numpy.random.Generator or int seed
        Source of the random starts.
    starts : array, shape (k, d), optional
        Starting points searched after the random ones (warm starts, or given points);
        there must be at least one start in all.
    gd_steps : int >= 1
        Gradient-descent steps before Newton's method (learning rate 0.1 on ``L``).
    gtol : float > 0
        Newton's stopping tolerance on ``||grad L||``.
    progress : bool
        Show a progress bar over the starts (tqdm).

    Returns
    -------
    PosteriorModes

    References
    ----------
    D. J. C. MacKay, "A practical Bayesian framework for backpropagation networks",
    Neural Computation 4 (1992) 448-472 (Laplace approximation at each mode, and the
    symmetry factor of its orbit).
    S. K. Ainsworth, J. Hayase, S. Srinivasa, "Git Re-Basin: merging models modulo
    permutation symmetries", ICLR 2023 (weight matching).

    Examples
    --------
    >>> import numpy as np
    >>> from uniqnets.models import MLP, posterior_modes, teacher_data, teacher_network
    >>> teacher, theta = teacher_network(2, 2, seed=0)
    >>> X, y = teacher_data(teacher, theta, 200, 0.1, 0)
    >>> res = posterior_modes(MLP((2, 2, 1)), X, y, 0.1, 2.0, n_starts=4, rng=0)
    >>> bool(res.mass[0] > 0.99), res.widths.shape, bool(res.widths[0, 0] < 0.2)
    (True, (1, 9), True)
    """
    model = _check_one_hidden_layer(model)
    if model.sizes[-1] != 1:
        raise ValueError(f"model must have one output, got sizes {model.sizes}")
    X = model._check_X(X, np.float64)
    n = X.shape[0]
    y = check_array(y, "y", shape=(n,))
    sigma = check_real(sigma, "sigma", lo=0, lo_open=True)
    prior_scale = check_real(prior_scale, "prior_scale", lo=0, lo_open=True)
    n_starts = check_int(n_starts, "n_starts", lo=0, hi=10**6)
    rng = check_rng(rng, allow_seed=True)
    d = model.n_params
    starts = np.zeros((0, d)) if starts is None else check_array(starts, "starts",
                                                                  shape=(None, d))
    if n_starts + len(starts) == 0:
        raise ValueError("n_starts: no start at all (n_starts = 0 and no starts given)")
    gd_steps = check_int(gd_steps, "gd_steps", lo=1, hi=10**9)
    gtol = check_real(gtol, "gtol", lo=0, lo_open=True)
    progress = check_bool(progress, "progress")
    wd = sigma**2 / (n * prior_scale**2)
    objective = Objective(model, X, y, weight_decay=wd)
    to_U = n / sigma**2  # U = to_U * L, H_U = to_U * H_L

    todo = range(n_starts + len(starts))
    if progress:
        from tqdm.auto import tqdm
        todo = tqdm(todo, desc="posterior modes", unit="start")
    runs, n_failed = [], 0
    for k in todo:
        theta0 = model.init(rng, gain=_INIT_GAIN, bias_std=_INIT_BIAS_STD) if k < n_starts \
            else starts[k - n_starts]
        try:
            with np.errstate(over="ignore", invalid="ignore"):
                m = find_minimum(objective, theta0, gd_steps=gd_steps, gtol=gtol)
        except (ValueError, np.linalg.LinAlgError):  # a run that left the finite numbers
            n_failed += 1
            continue
        if not (np.all(np.isfinite(m.theta)) and np.isfinite(m.loss)
                and m.grad_norm <= _FAILED_GTOL_FACTOR * gtol):
            n_failed += 1
            continue
        radius = max(gtol, m.grad_norm) / max(m.eigenvalues[0], wd)
        runs.append((m.loss, m.grad_norm, radius, m.theta))
    if not runs:  # every start diverged: reported, not raised
        empty = np.zeros((0, d))
        return PosteriorModes(
            theta=empty, U=np.zeros(0), hessian=np.zeros((0, d, d)), eigenvalues=empty,
            eigenvectors=np.zeros((0, d, d)), widths=empty, singular=np.zeros(0, bool),
            stabilizer=np.zeros(0, int), log_mass=np.zeros(0), mass=np.zeros(0),
            mass_outside_best=np.nan, log_mass_outside_best=np.nan, counts=np.zeros(0, int),
            grad_norm=np.zeros(0), radius=np.zeros(0), n_starts=n_starts + len(starts),
            n_failed=n_failed)
    runs.sort(key=lambda r: r[0])

    groups = []  # lists of runs (loss, grad_norm, radius, theta); the first is compared with
    for run in runs:
        for g in groups:
            moved = align(model, g[0][3], run[3])[0]
            if np.linalg.norm(moved - g[0][3]) <= 2 * (g[0][2] + run[2]):
                g.append(run)
                break
        else:
            groups.append([run])
    reps = [min(g, key=lambda r: r[1]) for g in groups]
    order = np.argsort([objective.loss(r[3]) for r in reps], kind="stable")
    reps = [reps[i] for i in order]
    counts = np.array([len(groups[i]) for i in order])
    best = reps[0][3]
    thetas = np.array([best] + [align(model, best, r[3])[0] for r in reps[1:]])

    eye = np.eye(d)
    U, H, grads = [], [], []
    for theta in thetas:
        val, g = objective.loss_and_grad(theta)
        h = objective.hvp(theta, eye)
        U.append(to_U * val)
        grads.append(to_U * np.linalg.norm(g))
        H.append(0.5 * to_U * (h + h.T))
    U, H = np.array(U), np.array(H)
    eigenvalues, eigenvectors = np.linalg.eigh(H)
    singular = eigenvalues[:, 0] <= 0
    with np.errstate(divide="ignore", invalid="ignore"):
        widths = np.where(eigenvalues > 0, 1.0 / np.sqrt(np.abs(eigenvalues)), np.nan)
        logdet = np.where(singular, np.nan, np.sum(np.log(np.abs(eigenvalues)), axis=1))
    radius = np.array([r[2] for r in reps])
    stabilizer = np.array([_stabilizer(model, t, 2 * r) for t, r in zip(thetas, radius,
                                                                         strict=True)])
    log_mass = -U + 0.5 * d * log(2 * pi) - 0.5 * logdet - np.log(stabilizer)
    mass = np.full(len(U), np.nan)
    ok = ~singular
    if ok.any():
        mass[ok] = np.exp(log_mass[ok] - logsumexp(log_mass[ok]))
    if singular[0]:
        outside = log_outside = np.nan
    elif ok.sum() == 1:
        outside, log_outside = 0.0, -np.inf
    else:
        log_outside = float(logsumexp(log_mass[ok][1:]) - logsumexp(log_mass[ok]))
        outside = float(np.exp(log_outside))
    return PosteriorModes(
        theta=thetas, U=U, hessian=H, eigenvalues=eigenvalues, eigenvectors=eigenvectors,
        widths=widths, singular=singular,
        stabilizer=stabilizer, log_mass=log_mass, mass=mass, mass_outside_best=outside,
        log_mass_outside_best=log_outside, counts=counts, grad_norm=np.array(grads),
        radius=radius, n_starts=n_starts + len(starts), n_failed=n_failed)


@dataclass(frozen=True, eq=False)
class Concentration:
    """Posterior modes over a grid of sample sizes, for students of several widths.

    Row ``i`` of every ``(n_students, n_grid)`` array belongs to the student with
    ``student_widths[i]`` hidden units (the first as wide as the teacher); column ``j`` to
    ``n[j]`` samples (the first ``n[j]`` of one draw: nested data sets).

    Attributes
    ----------
    n : int array, shape (n_grid,)
        Sample sizes, increasing.
    student_widths : tuple of int
        Hidden units of each student.
    d_in : int
        Input dimension of the teacher and the students.
    teacher_theta : array, shape (d_teacher,)
        Parameters of the teacher (:func:`teacher_network`).
    sigma, prior_scale : float
        Noise standard deviation and prior scale ``s``.
    n_starts : int
        Random starts per student and sample size.
    n_modes : int array, shape (n_students, n_grid)
        Distinct modes modulo the symmetries found.
    mass_outside, log_mass_outside : arrays, shape (n_students, n_grid)
        Laplace posterior mass outside the best mode's orbit, and its natural log.
    width_max, width_min : arrays, shape (n_students, n_grid)
        Largest and smallest Laplace width of the best mode (units of ``theta``).
    distance_to_teacher : array, shape (n_students, n_grid)
        ``||theta_best - g theta_teacher||`` for the symmetry ``g`` of :func:`align`, the
        distance modulo the symmetries (units of ``theta``); NaN for students of
        another width.
    teacher_mahalanobis : array, shape (n_students, n_grid)
        ``sqrt(delta^T H delta)`` for that ``delta = g theta_teacher - theta_best`` and
        the best mode's Hessian ``H``: the teacher's distance in Laplace standard
        deviations.  Bernstein-von Mises makes its square ``chi^2_d`` distributed over
        data sets (mean ``d``); NaN for students of another width.
    fit_from : int
        Smallest ``n`` in the slope fits.
    slope_width_max, slope_width_max_se : arrays, shape (n_students,)
        Least-squares slope of ``log width_max`` against ``log n`` over ``n >= fit_from``
        and its standard error from the residuals (NaN with fewer than three sizes).
    slope_distance, slope_distance_se : arrays, shape (n_students,)
        The same for ``distance_to_teacher`` (NaN for students of another width).
    n_failed : int array, shape (n_students, n_grid)
        Starts that did not converge.
    modes : tuple of tuples of PosteriorModes
        ``modes[i][j]``: everything :func:`posterior_modes` found.
    """

    n: np.ndarray
    student_widths: tuple
    d_in: int
    teacher_theta: np.ndarray
    sigma: float
    prior_scale: float
    n_starts: int
    fit_from: int
    n_modes: np.ndarray
    mass_outside: np.ndarray
    log_mass_outside: np.ndarray
    width_max: np.ndarray
    width_min: np.ndarray
    distance_to_teacher: np.ndarray
    teacher_mahalanobis: np.ndarray
    slope_width_max: np.ndarray
    slope_width_max_se: np.ndarray
    slope_distance: np.ndarray
    slope_distance_se: np.ndarray
    n_failed: np.ndarray
    modes: tuple

    def summary(self, tolerance: float = 2.0) -> dict:
        """Does each student's posterior concentrate like ``n^(-1/2)``, first to last size?

        A student *concentrates* when its largest width shrinks from the first sample
        size to the last by at most ``tolerance`` times the ``sqrt(n_first / n_last)`` of
        Bernstein-von Mises: at the first sizes the sample Fisher matrix is still short
        of its limit (its smallest eigenvalue about 0.8 of it at ``n = 100`` for the
        default teacher), which the factor allows for.

        Returns
        -------
        dict
            For the first student (as wide as the teacher, ``_minimal``) and the second
            (wider, ``_wide``): ``ratio_*`` (last largest width over first),
            ``concentrates_*``, ``width_last_*``, ``modes_max_*`` (most distinct modes at
            one size) and ``mass_max_*`` (largest mass outside the best mode);
            ``expected`` (``sqrt(n_first / n_last)``), ``dist_first``, ``dist_last`` (the
            minimal student's distance to the teacher), ``n_min``, ``n_max``; and the
            set-up: ``d_in``, ``units`` (the teacher's hidden units), ``extra_units``,
            ``sigma``, ``prior_scale``, ``n_params`` (the teacher's parameters) and
            ``symmetries`` (``2^units units!``, the signed permutations of its units).

        Examples
        --------
        >>> from uniqnets.models import concentration
        >>> res = concentration(width=1, extra_units=1, n_grid=(20, 80), n_starts=2)
        >>> s = res.summary()
        >>> s["expected"], s["n_max"], s["n_params"], s["symmetries"]
        (0.5, 80, 5, 2)
        """
        tolerance = check_real(tolerance, "tolerance", lo=1.0)
        expected = float(np.sqrt(self.n[0] / self.n[-1]))
        out = {"expected": expected, "dist_first": float(self.distance_to_teacher[0, 0]),
               "dist_last": float(self.distance_to_teacher[0, -1]),
               "n_min": int(self.n[0]), "n_max": int(self.n[-1]),
               "d_in": int(self.d_in), "units": int(self.student_widths[0]),
               "extra_units": int(self.student_widths[-1] - self.student_widths[0]),
               "sigma": float(self.sigma), "prior_scale": float(self.prior_scale),
               "n_params": int(self.teacher_theta.size),
               "symmetries": 2 ** int(self.student_widths[0])
               * factorial(int(self.student_widths[0]))}
        for i, name in enumerate(("minimal", "wide")[:len(self.student_widths)]):
            ratio = float(self.width_max[i, -1] / self.width_max[i, 0])
            out |= {f"ratio_{name}": ratio,
                    f"concentrates_{name}": bool(ratio <= tolerance * expected),
                    f"width_last_{name}": float(self.width_max[i, -1]),
                    f"modes_max_{name}": int(self.n_modes[i].max()),
                    f"mass_max_{name}": float(self.mass_outside[i].max())}
        return out

    def rows(self) -> list[dict]:
        """One dictionary per student and sample size, for a table.

        Returns
        -------
        list of dict
            Keys ``student_width``, ``n``, ``n_modes``, ``mass_outside``,
            ``log_mass_outside``, ``width_max``, ``width_min``, ``distance_to_teacher``,
            ``teacher_mahalanobis``.

        Examples
        --------
        >>> import numpy as np
        >>> from uniqnets.models import concentration
        >>> res = concentration(width=1, extra_units=1, n_grid=(20, 40), n_starts=2)
        >>> len(res.rows()), sorted(res.rows()[0])[:3]
        (4, ['distance_to_teacher', 'log_mass_outside', 'mass_outside'])
        """
        out = []
        for i, w in enumerate(self.student_widths):
            for j, n in enumerate(self.n):
                out.append({"student_width": int(w), "n": int(n),
                            "n_modes": int(self.n_modes[i, j]),
                            "mass_outside": float(self.mass_outside[i, j]),
                            "log_mass_outside": float(self.log_mass_outside[i, j]),
                            "width_max": float(self.width_max[i, j]),
                            "width_min": float(self.width_min[i, j]),
                            "distance_to_teacher": float(self.distance_to_teacher[i, j]),
                            "teacher_mahalanobis": float(self.teacher_mahalanobis[i, j])})
        return out


def _loglog_slope(n, values) -> tuple[float, float]:
    """Least-squares slope of ``log values`` on ``log n`` and its standard error.

    NaN if a value is not a positive number or there are fewer than two points; the
    standard error (from the residuals) is NaN with fewer than three.
    """
    x, v = np.log(np.asarray(n, float)), np.asarray(values, float)
    if len(x) < 2 or not np.all(np.isfinite(v) & (v > 0)):
        return np.nan, np.nan
    A = np.c_[np.ones_like(x), x]
    coef = np.linalg.lstsq(A, np.log(v), rcond=None)[0]
    if len(x) < 3:
        return float(coef[1]), np.nan
    resid = np.log(v) - A @ coef
    var = resid @ resid / (len(x) - 2) / np.sum((x - x.mean()) ** 2)
    return float(coef[1]), float(np.sqrt(var))


def concentration(d_in: int = 2, width: int = 3, extra_units: int = 1, sigma: float = 0.1,
                  prior_scale: float = 2.0, n_grid=(30, 100, 300, 1000, 3000, 10000),
                  n_starts: int = 10, seed: int = 0, *, fit_from: int = 100,
                  teacher_scale: float = 1.5, gd_steps: int = 300, gtol: float = 1e-10,
                  progress: bool = False) -> Concentration:
    """Does the posterior concentrate on one point modulo the symmetries as ``n`` grows?

    A teacher :func:`teacher_network` ``(d_in, width, 1)`` from ``seed`` makes one data
    set of ``max(n_grid)`` samples (:func:`teacher_data`, noise ``sigma``); for each
    ``n`` in the grid its first ``n`` samples are the data of two students, one as wide as
    the teacher (identifiable modulo the symmetries: Sussmann 1992) and one with
    ``extra_units`` more hidden units (a singular model: its true parameters modulo the
    symmetries form a set, not a point; Watanabe 2009), whose modes
    :func:`posterior_modes` finds from ``n_starts`` random starts each.

    Expected: for the identifiable student Laplace widths and a distance to the teacher
    falling like ``n^(-1/2)`` (Bernstein-von Mises), and the mass of its other modes
    falling like ``exp(-c n)`` (they fit worse by a fixed mean squared error per sample,
    so their ``U`` exceeds the best by ``~ c n``); for the wider student, widths of the
    order of the prior scale along the redundant directions whatever ``n``, and
    structurally distinct modes (an extra unit dead, or splitting a teacher unit) whose
    ``U`` differ by ``O(1)``.

    Cost: about 13 s on one core for ``n_grid=(30, 100, 300, 1000)`` and
    ``n_starts=8``; about two minutes for the default grid (the searches at ``n = 3000``
    and ``10000`` take most of it).

    Parameters
    ----------
    d_in : int >= 1
        Input dimension.
    width : int >= 1
        Hidden units of the teacher and of the identifiable student.
    extra_units : int >= 1
        Additional hidden units of the over-parameterised student.
    sigma : float > 0
        Noise standard deviation, known to the likelihood (units of ``y``).
    prior_scale : float > 0
        Prior standard deviation ``s`` of every parameter.
    n_grid : sequence of int, increasing, each >= 1
        Sample sizes (at least two).
    n_starts : int >= 1
        Random starts per student and sample size.
    seed : int >= 0
        Seed of the teacher, the data, and (with the student's width and ``n``) of the
        starts, so that one cell does not depend on the rest of the grid.
    fit_from : int >= 1
        Smallest ``n`` in the slope fits.  Bernstein-von Mises is a statement for
        ``n >> d``: with ``d = 13`` parameters (the default teacher) the smallest
        eigenvalue of the sample Fisher matrix of ``n`` points is, in the median over
        draws, 0.38 times its limit at ``n = 30``, 0.79 at 100 and 0.94 at 300 (the
        random-matrix effect that Marchenko-Pastur's ``(1 - sqrt(d/n))^2`` bounds for
        isotropic features), so the widths at ``n = 30`` lie about 1.6 times above the
        ``n^(-1/2)`` asymptote.
    teacher_scale : float > 0
        Norm of the teacher's incoming weight vectors.
    gd_steps : int >= 1
    gtol : float > 0
        Passed on to :func:`posterior_modes`.
    progress : bool
        Show a progress bar over the ``2 len(n_grid)`` searches (tqdm).

    Returns
    -------
    Concentration

    References
    ----------
    A. W. van der Vaart, Asymptotic Statistics, Cambridge University Press 1998, ch. 10
    (Bernstein-von Mises).
    H. J. Sussmann, "Uniqueness of the weights for minimal feedforward nets with a given
    input-output map", Neural Networks 5 (1992) 589-593.
    S. Watanabe, Algebraic Geometry and Statistical Learning Theory, Cambridge University
    Press 2009.

    Examples
    --------
    >>> import numpy as np
    >>> from uniqnets.models import concentration
    >>> res = concentration(width=2, extra_units=1, n_grid=(50, 800), n_starts=3, seed=0)
    >>> res.width_max.shape, res.student_widths
    ((2, 2), (2, 3))
    >>> ratio = res.width_max[0, 0] / res.width_max[0, 1]  # sqrt(800 / 50) = 4 expected
    >>> bool(2 < ratio < 8), bool(res.width_max[1, 1] > 0.5)
    (True, True)
    """
    d_in = check_int(d_in, "d_in", lo=1)
    width = check_int(width, "width", lo=1)
    extra_units = check_int(extra_units, "extra_units", lo=1)
    sigma = check_real(sigma, "sigma", lo=0, lo_open=True)
    prior_scale = check_real(prior_scale, "prior_scale", lo=0, lo_open=True)
    grid = check_array(n_grid, "n_grid", ndim=1, min_size=2)
    if np.any(grid != np.round(grid)):
        raise TypeError(f"n_grid must be integers, got {grid.tolist()}")
    if grid.min() < 1:
        raise ValueError(f"n_grid must hold sample sizes >= 1, got {grid.tolist()}")
    if np.any(np.diff(grid) <= 0):
        raise ValueError(f"n_grid must increase, got {grid.tolist()}")
    check_size(grid[-1], "n_grid")
    grid = grid.astype(np.int64)
    n_starts = check_int(n_starts, "n_starts", lo=1, hi=10**6)
    seed = check_int(seed, "seed", lo=0)
    fit_from = check_int(fit_from, "fit_from", lo=1)
    teacher_scale = check_real(teacher_scale, "teacher_scale", lo=0, lo_open=True)
    gd_steps = check_int(gd_steps, "gd_steps", lo=1, hi=10**9)
    gtol = check_real(gtol, "gtol", lo=0, lo_open=True)
    progress = check_bool(progress, "progress")
    hidden = (width, width + extra_units)  # the two students' hidden widths
    check_size(int(grid[-1]) * max(d_in, hidden[1]) * (hidden[1] * (d_in + 2) + 1), "n_grid")

    teacher, theta_t = teacher_network(d_in, width, teacher_scale, seed)
    X_all, y_all = teacher_data(teacher, theta_t, int(grid[-1]), sigma,
                                np.random.default_rng([seed, 1]))
    shape = (len(hidden), len(grid))
    n_modes, n_failed = np.zeros(shape, int), np.zeros(shape, int)
    outside, log_outside, w_max, w_min, dist, maha = (np.full(shape, np.nan) for _ in range(6))
    cells = [(i, j) for i in range(len(hidden)) for j in range(len(grid))]
    if progress:
        from tqdm.auto import tqdm
        cells = tqdm(cells, desc="concentration", unit="search")
    modes = [[None] * len(grid) for _ in hidden]
    for i, j in cells:
        student = MLP((d_in, hidden[i], 1), "tanh")
        n = int(grid[j])
        res = posterior_modes(student, X_all[:n], y_all[:n], sigma, prior_scale, n_starts,
                              np.random.default_rng([seed, 2, hidden[i], n]),
                              gd_steps=gd_steps, gtol=gtol)
        modes[i][j] = res
        n_modes[i, j], n_failed[i, j] = res.n_modes, res.n_failed
        outside[i, j], log_outside[i, j] = res.mass_outside_best, res.log_mass_outside_best
        if res.n_modes == 0:
            continue
        w_max[i, j], w_min[i, j] = res.widths[0, 0], res.widths[0, -1]
        if hidden[i] == width:
            delta = align(student, res.theta[0], theta_t)[0] - res.theta[0]
            dist[i, j] = np.linalg.norm(delta)
            maha[i, j] = np.sqrt(delta @ res.hessian[0] @ delta)
    fit = grid >= fit_from
    slopes = np.array([_loglog_slope(grid[fit], w_max[i, fit]) for i in range(len(hidden))])
    slopes_d = np.array([_loglog_slope(grid[fit], dist[i, fit]) for i in range(len(hidden))])
    return Concentration(
        n=grid, student_widths=hidden, d_in=d_in, teacher_theta=theta_t, sigma=sigma,
        prior_scale=prior_scale, n_starts=n_starts, fit_from=fit_from, n_modes=n_modes,
        mass_outside=outside, log_mass_outside=log_outside, width_max=w_max, width_min=w_min,
        distance_to_teacher=dist, teacher_mahalanobis=maha, slope_width_max=slopes[:, 0],
        slope_width_max_se=slopes[:, 1], slope_distance=slopes_d[:, 0],
        slope_distance_se=slopes_d[:, 1], n_failed=n_failed,
        modes=tuple(tuple(r) for r in modes))
