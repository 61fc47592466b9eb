"""uniqnets.book.notebook reads parameters cells and rerun settings."""

import nbformat
import pytest

from uniqnets.book import notebook


def make(source, tags=("parameters",), first=True):
    cells = [nbformat.v4.new_code_cell(source, metadata={"tags": list(tags)})]
    if not first:
        cells.insert(0, nbformat.v4.new_code_cell("x = 1"))
    nb = nbformat.v4.new_notebook(cells=cells)
    nb.metadata["uniqnets"] = {"rerun": {"n": 2}, "seed_dependent": ["loss"]}
    return nb


def test_parameters_with_defaults_and_comments():
    nb = make("seed = 0  # the seed\nlrs = [0.1,\n       0.2]  # learning rates\nname = 'a'")
    p = notebook.parameters(nb)
    assert list(p) == ["seed", "lrs", "name"]
    assert p["seed"].default == 0 and p["seed"].type is int and p["seed"].comment == "the seed"
    assert p["lrs"].default == [0.1, 0.2] and p["lrs"].comment == "learning rates"
    assert notebook.rerun_settings(nb) == ({"n": 2}, ["loss"])


@pytest.mark.parametrize("nb,match", [
    (make("seed = 0", tags=()), "no code cell tagged"),
    (make("seed = 0", first=False), "first code cell"),
    (make("seed = f(0)"), "not a literal"),
    (make("import os"), "line 1"),
])
def test_malformed_parameters_cells_are_rejected(nb, match):
    with pytest.raises(ValueError, match=match):
        notebook.parameters(nb)
