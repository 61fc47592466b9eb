"""The checks of a chapter run on its executions: a failing check fails the test run.

``tests/chapters/<stem>.py`` holds a chapter's checks; ``uniqnets.book._checks`` runs them
on recorded values, and the nbval plugin of ``uniqnets.book._execute`` adds one test item
per check after the chapter's cells. Here a tiny book, executed by nbval in a subprocess,
shows that a failing check fails, a passing one passes and a check that may fail by chance
is counted as an expected failure.
"""

import subprocess
import sys
import textwrap

import pytest

from uniqnets.book import chance, run_checks
from uniqnets.book._checks import binomial_tail, summarise


def _book(tmp_path, checks: str):
    (tmp_path / "notebooks").mkdir()
    (tmp_path / "tests" / "chapters").mkdir(parents=True)
    (tmp_path / "tests" / "chapters" / "01_x.py").write_text(textwrap.dedent(checks))
    return tmp_path / "notebooks" / "01_x.md"


def test_run_checks_reports_each_outcome(tmp_path):
    md = _book(tmp_path, """
        from uniqnets.book import chance

        def check_ok(rec):
            assert rec["lam"] > 0

        def check_bad(rec):
            assert rec["lam"] > 1, "lam is not above 1"

        @chance(0.05)
        def check_lucky(rec):
            assert rec["lam"] > 2

        def check_missing(rec):
            assert rec["nothing"] == 0
        """)
    out = {r.name: r for r in run_checks(md, {"lam": 0.5})}
    assert list(out) == ["check_ok", "check_bad", "check_lucky", "check_missing"]
    assert out["check_ok"].passed and not out["check_bad"].passed
    assert out["check_bad"].message == "lam is not above 1"
    assert out["check_lucky"].counted and out["check_lucky"].chance == 0.05
    assert "'nothing' was not recorded" in out["check_missing"].message
    summary = summarise([list(out.values()), list(out.values())])
    assert summary["check_bad"]["n_pass"] == 0 and summary["check_ok"]["n_pass"] == 2


def test_chance_takes_a_probability():
    for bad in (0, 1, -0.1, True, "0.1"):
        with pytest.raises(ValueError, match="probability"):
            chance(bad)
    # 1 failure in 10 runs at a 1 % rate: 9.6 %
    assert abs(binomial_tail(1, 10, 0.01) - (1 - 0.99 ** 10)) < 1e-12


@pytest.mark.slow
def test_nbval_runs_the_checks_after_the_cells(tmp_path):
    md = _book(tmp_path, """
        from uniqnets.book import chance

        def check_passes(rec):
            assert rec["x"] == 2

        def check_fails(rec):
            assert rec["x"] == 3, "x is not 3"

        @chance(0.01)
        def check_by_chance(rec):
            assert rec["x"] == 4
        """)
    md.write_text(textwrap.dedent("""\
        ---
        kernelspec:
          display_name: Python 3
          language: python
          name: python3
        ---
        ```{code-cell} ipython3
        from uniqnets.book import record
        record("x", 2)
        ```
        """))
    (tmp_path / "ipynb").mkdir()
    import jupytext
    jupytext.write(jupytext.read(md), tmp_path / "ipynb" / "01_x.ipynb")
    proc = subprocess.run([sys.executable, "-m", "pytest", "-p", "no:cacheprovider", "-q",
                           "--nbval-lax", "-p", "uniqnets.book._execute", "-rA",
                           "ipynb/01_x.ipynb"], cwd=tmp_path, capture_output=True, text=True,
                          timeout=300)
    log = proc.stdout + proc.stderr
    assert "1 failed, 2 passed, 1 xfailed" in log, log[-3000:]
    assert "x is not 3" in log, log[-3000:]
