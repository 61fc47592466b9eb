"""The entropy budget ``Delta Sigma = Delta H + Delta S_med`` on Ornstein-Uhlenbeck cases.

A claim of the form ``H(theta_T) >= H(theta_0) + Delta Sigma`` (Corollary 15 of the
uniqueness preprint) is equivalent to ``Delta S_med <= 0``. The five cases here, all exact
(:func:`ou_entropy_production`), separate that condition from "the law spreads out".
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from .._validate import check_int, check_real
from ._ou import OUEntropy, ou_entropy_production

__all__ = ["EntropyBudgetCases", "entropy_budget_cases"]


@dataclass(frozen=True)
class EntropyBudgetCases:
    """Exact entropy budgets of five OU cases (see :func:`entropy_budget_cases`).

    ``cases`` maps a case's name to its :class:`OUEntropy` on the common ``times``."""

    times: np.ndarray
    cases: dict

    def gap(self, name) -> np.ndarray:
        """``Delta H(t) - Delta Sigma(t)`` of one case: the inequality holds where >= 0."""
        r = self.cases[name]
        return r.entropy - r.entropy[0] - r.total

    @property
    def columns(self) -> dict:
        """Per case (in order): ``case``, ``dH``, ``total``, ``medium`` at the last time, and
        the smallest and largest ``gap`` over the times after 0 (nats)."""
        names = list(self.cases)
        last = {k: self.cases[k] for k in names}
        return {"case": names,
                "dH": [float(r.entropy[-1] - r.entropy[0]) for r in last.values()],
                "total": [float(r.total[-1]) for r in last.values()],
                "medium": [float(r.medium[-1]) for r in last.values()],
                "gap_min": [float(self.gap(k)[1:].min()) for k in names],
                "gap_max": [float(self.gap(k)[1:].max()) for k in names]}

    @property
    def summary(self) -> dict:
        """``budget_error``, ``sign_rule_mismatches`` and ``displaced_vs_narrow``, the largest
        difference of ``H(t)`` between the displaced and the centred narrow start (nats)."""
        a, b = self.cases["narrow start, displaced"], self.cases["narrow start"]
        return {"budget_error": self.budget_error,
                "sign_rule_mismatches": self.sign_rule_mismatches,
                "displaced_vs_narrow": float(np.abs(a.entropy - b.entropy).max())}

    @property
    def budget_error(self) -> float:
        """Largest ``|total - (Delta H + medium)|`` over cases and times (nats)."""
        return float(max(np.abs(r.total - (r.entropy - r.entropy[0] + r.medium)).max()
                         for r in self.cases.values()))

    @property
    def sign_rule_mismatches(self) -> int:
        """Times (over all cases) where "gap >= 0" and "medium <= 0" disagree (1e-12 slack)."""
        return int(sum(np.sum((self.gap(k) >= -1e-12) != (r.medium <= 1e-12))
                       for k, r in self.cases.items()))


def entropy_budget_cases(t_max=4.0, n_times=81, variance=0.1) -> EntropyBudgetCases:
    """Five exact entropy budgets of 2-D OU processes with stationary variance ``variance``.

    ``A = I`` and ``D = variance I``, started from: a broad law (``4 I``, it narrows); a
    narrow law (``0.01 I``, it spreads out); the same narrow law displaced to ``(1, 0)``;
    the stationary law (equilibrium). A fifth case is driven, ``A = I + J`` (``J`` the
    rotation generator), started in its stationary law ``variance I``.

    Parameters
    ----------
    t_max : float > 0
        Last time (units of the process's time).
    n_times : int >= 2
        Times from 0 to ``t_max``.
    variance : float > 0
        Stationary variance per coordinate.

    Returns
    -------
    EntropyBudgetCases

    Examples
    --------
    >>> bc = entropy_budget_cases(2.0, 5)
    >>> list(bc.cases)[0], bool(bc.gap("broad start")[-1] < 0), bc.sign_rule_mismatches
    ('broad start', True, 0)
    >>> [round(v, 3) for v in bc.columns["dH"]][:2]
    [-3.15, 2.286]
    """
    t_max = check_real(t_max, "t_max", 0, lo_open=True)
    n_times = check_int(n_times, "n_times", 2, 10**6)
    v = check_real(variance, "variance", 0, lo_open=True)
    ts = np.linspace(0, t_max, n_times)
    A, D, rot = np.eye(2), v * np.eye(2), np.array([[0.0, -1.0], [1.0, 0.0]])
    cases: dict[str, OUEntropy] = {
        "broad start": ou_entropy_production(A, D, 4.0 * np.eye(2), ts),
        "narrow start": ou_entropy_production(A, D, 0.01 * np.eye(2), ts),
        "narrow start, displaced": ou_entropy_production(A, D, 0.01 * np.eye(2), ts,
                                                         m0=np.array([1.0, 0.0])),
        "equilibrium, stationary": ou_entropy_production(A, D, D, ts),
        "driven, steady": ou_entropy_production(A + rot, D, D, ts),
    }
    return EntropyBudgetCases(ts, cases)
