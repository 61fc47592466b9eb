"""Every public function refuses bad input with a clear error that names the argument.

The cases live in ``tests/bad_input/<module>.py`` (see its ``__init__``); this file
enumerates ``__all__`` of every numerical module, so a public name without a case
fails here.
"""

from __future__ import annotations

import importlib

import pytest
from bad_input import Case

MODULES = ["models", "data", "lyapunov", "thermo", "topology", "entanglement", "randomnets",
           "stats", "practice"]


def _table(module: str):
    try:
        return importlib.import_module(f"bad_input.{module}")
    except ModuleNotFoundError as err:
        if err.name != f"bad_input.{module}":
            raise
        return None  # reported by test_every_public_name_has_a_case


def _cases(module: str) -> dict[str, Case]:
    table = _table(module)
    cases = {}
    if table is None:
        return cases
    for case in table.CASES:
        assert case.name not in cases, f"{module}: two cases for {case.name}"
        cases[case.name] = case
    return cases


ALL_CASES = [(m, c) for m in MODULES for c in _cases(m).values()]


@pytest.mark.parametrize("module", MODULES)
def test_every_public_name_has_a_case(module):
    public = set(importlib.import_module(f"uniqnets.{module}").__all__)
    assert _table(module) is not None, f"no tests/bad_input/{module}.py"
    cases = _cases(module)
    missing = sorted(public - set(cases))
    assert not missing, f"uniqnets.{module}: no bad-input case for {missing}"
    unknown = sorted(set(cases) - public)
    assert not unknown, f"uniqnets.{module}: cases for names not in __all__: {unknown}"
    for case in cases.values():
        assert case.exempt or case.bad, f"{module}.{case.name}: a case without bad input"


@pytest.mark.parametrize(("module", "case"), ALL_CASES,
                         ids=[f"{m}.{c.name}" for m, c in ALL_CASES])
def test_bad_input_is_refused_with_its_name(module, case):
    if case.exempt:
        pytest.skip(f"exempt: {case.exempt}")
    case.call(**case.valid)  # the valid call works, so each error below is the argument's
    failures = []
    for arg, values in case.bad.items():
        assert arg in case.valid or arg in case.names, \
            f"{case.name}: bad values for {arg!r}, which the valid call does not pass"
        expected_name = case.names.get(arg, arg)
        for value, error in values:
            try:
                case.call(**{**case.valid, arg: value})
            except (TypeError, ValueError) as err:
                if not isinstance(err, error):
                    failures.append(f"{arg}={value!r}: {type(err).__name__} ({err}), "
                                    f"expected {error.__name__}")
                elif expected_name not in str(err):
                    failures.append(f"{arg}={value!r}: message does not name "
                                    f"{expected_name!r}: {err}")
            except Exception as err:  # noqa: BLE001 - any other error is unclear
                failures.append(f"{arg}={value!r}: unclear {type(err).__name__}: {err}")
            else:
                failures.append(f"{arg}={value!r}: accepted silently")
    assert not failures, f"{module}.{case.name}:\n  " + "\n  ".join(failures)
