"""Every public name is documented: functions with a runnable example, all in the API pages.

The examples run as doctests (``--doctest-modules`` over ``lib/``, see pyproject.toml);
this file checks that they exist, so a new public function without one fails here.
"""

from __future__ import annotations

import importlib
import inspect
import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
NUMERICAL = ["models", "data", "lyapunov", "thermo", "topology", "entanglement", "randomnets",
             "stats", "practice"]
BOOK = ["book", "book.notebook", "book.sweep"]
MODULES = NUMERICAL + BOOK


def _public(module_name):
    module = importlib.import_module(f"uniqnets.{module_name}")
    for name in module.__all__:
        yield name, getattr(module, name)


@pytest.mark.parametrize("module_name", MODULES)
def test_public_functions_have_examples(module_name):
    missing, undocumented = [], []
    for name, obj in _public(module_name):
        if not callable(obj):
            continue  # constants
        doc = inspect.getdoc(obj) or ""
        if not doc:
            undocumented.append(name)
        elif not inspect.isclass(obj) and not re.search(r"^Examples\n-+\n(.|\n)*>>> ", doc,
                                                        re.M):
            missing.append(name)
    assert not undocumented, f"uniqnets.{module_name}: no docstring for {undocumented}"
    assert not missing, f"uniqnets.{module_name}: no Examples section with a doctest for " \
        f"{missing}"


@pytest.mark.parametrize("module_name", MODULES)
def test_every_module_has_an_api_page(module_name):
    page = ROOT / "book" / "api" / f"{module_name.split('.')[0]}.md"
    assert page.is_file(), f"no API page {page.relative_to(ROOT)}"
    assert f".. automodule:: uniqnets.{module_name}\n" in page.read_text()
