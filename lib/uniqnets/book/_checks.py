"""The checks that guard a chapter's numbers: functions over its recorded values.

A chapter ``notebooks/NN_topic.md`` records its numbers with :func:`uniqnets.book.record`
and states no ``assert``; the checks live in ``tests/chapters/NN_topic.py``, one function
per check, each taking the chapter's recorded values (a mapping, parameters included) and
failing with an ``AssertionError`` that says what went wrong::

    def check_exponent_matches_exact_value(rec):
        # a Benettin estimate over n steps has error O(1/n); 5/n is generous
        assert abs(rec["lam_logistic"] - math.log(2)) < 5 / rec["n_steps"]

The same functions check every execution of the chapter: the test run at its default
parameters (``pytest`` adds one item per check after the chapter's cells, see
:mod:`uniqnets.book._execute`), the papermill reruns at another seed
(``tests/test_papermill.py``) and every run of ``make robustness``, whose page counts the
checks that passed as it counts the verdicts.

A check that can fail by chance, at a rate that follows from the method (a power of 0.99,
a 3-sigma test repeated five times), says that rate with :func:`chance`. It is then
counted, not asserted: a failure is reported (an expected failure in pytest, a count on
the robustness page), and the robustness page sets the count against the rate.
"""

from __future__ import annotations

import importlib.util
import math
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path

__all__ = ["CheckResult", "chance", "chapter_checks", "checks_path", "run_checks"]


def chance(p: float) -> Callable:
    """Mark a check that fails by chance with probability (at most) ``p`` per execution.

    Examples
    --------
    >>> @chance(0.01)
    ... def check_power(rec):
    ...     assert rec["p_changed"] < 0.01
    >>> check_power.chance
    0.01
    """
    if isinstance(p, bool) or not isinstance(p, (int, float)) or not 0 < p < 1:
        raise ValueError(f"p must be a probability in (0, 1), got {p!r}")

    def mark(func):
        func.chance = float(p)
        return func

    return mark


class Records(dict):
    """A chapter's recorded values; a missing name says which chapter did not record it."""

    def __missing__(self, key):
        raise KeyError(f"{key!r} was not recorded by the chapter (recorded: "
                       f"{', '.join(sorted(self)) or 'nothing'})")


@dataclass(frozen=True)
class CheckResult:
    """The outcome of one check on one execution of a chapter.

    ``chance`` is the probability that the check fails by chance (0: it must always pass).
    """

    name: str
    passed: bool
    message: str = ""
    chance: float = 0.0
    doc: str = ""

    @property
    def counted(self) -> bool:
        """True for a check that may fail by chance: counted, not asserted."""
        return self.chance > 0


def checks_path(chapter) -> Path:
    """``tests/chapters/<stem>.py`` of the book that holds ``notebooks/<stem>.md``.

    Examples
    --------
    >>> checks_path("book/notebooks/01_x.md").as_posix()
    'book/tests/chapters/01_x.py'
    """
    chapter = Path(chapter)
    return chapter.parent.parent / "tests" / "chapters" / f"{chapter.stem}.py"


def chapter_checks(chapter) -> list[Callable]:
    """The check functions of a chapter (``check_*``, in the order they are defined).

    ``chapter`` is the chapter's path (``notebooks/NN_topic.md``) or its checks module's
    path (a ``.py`` file). A chapter without a checks module has no checks.
    """
    path = Path(chapter)
    if path.suffix != ".py":
        path = checks_path(path)
    if not path.is_file():
        return []
    spec = importlib.util.spec_from_file_location(f"uniqnets_checks_{path.stem}", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    funcs = [f for name, f in vars(module).items()
             if name.startswith("check_") and callable(f)]
    return sorted(funcs, key=lambda f: f.__code__.co_firstlineno)


def run_check(func: Callable, values: Mapping) -> CheckResult:
    """Run one check on recorded values; an ``AssertionError`` or missing name fails it."""
    doc = (func.__doc__ or "").strip().split("\n")[0]
    p = getattr(func, "chance", 0.0)
    try:
        func(Records(values))
    except (AssertionError, KeyError) as exc:
        text = str(exc) or "assertion failed"
        return CheckResult(func.__name__, False, text, p, doc)
    return CheckResult(func.__name__, True, "", p, doc)


def run_checks(chapter, values: Mapping) -> list[CheckResult]:
    """Every check of ``chapter`` on one execution's recorded ``values``.

    Examples
    --------
    >>> import tempfile, pathlib
    >>> root = pathlib.Path(tempfile.mkdtemp())
    >>> (root / "tests" / "chapters").mkdir(parents=True)
    >>> _ = (root / "tests" / "chapters" / "01_x.py").write_text(
    ...     "def check_positive(rec):\\n    assert rec['lam'] > 0, 'lam <= 0'\\n")
    >>> [(r.name, r.passed, r.message) for r in run_checks(root / "notebooks/01_x.md",
    ...                                                    {"lam": -1.0})]
    [('check_positive', False, 'lam <= 0')]
    """
    return [run_check(f, values) for f in chapter_checks(chapter)]


def summarise(results_by_run: list[list[CheckResult]]) -> dict:
    """Per check over several executions: passes, runs, its chance rate, expected failures.

    Examples
    --------
    >>> a = CheckResult("check_a", True)
    >>> b = CheckResult("check_b", False, "x", 0.01)
    >>> summarise([[a, b], [a, CheckResult("check_b", True, "", 0.01)]])["check_b"]
    {'n_pass': 1, 'n': 2, 'chance': 0.01, 'doc': '', 'expected_failures': 0.02}
    """
    out: dict[str, dict] = {}
    for results in results_by_run:
        for r in results:
            row = out.setdefault(r.name, {"n_pass": 0, "n": 0, "chance": r.chance,
                                          "doc": r.doc})
            row["n"] += 1
            row["n_pass"] += bool(r.passed)
    for row in out.values():
        row["expected_failures"] = round(row["chance"] * row["n"], 6)
    return out


def binomial_tail(k: int, n: int, p: float) -> float:
    """P(at least ``k`` failures in ``n`` runs) for a per-run failure rate ``p``.

    Examples
    --------
    >>> round(binomial_tail(1, 10, 0.01), 4)
    0.0956
    """
    return sum(math.comb(n, j) * p ** j * (1 - p) ** (n - j) for j in range(k, n + 1))
