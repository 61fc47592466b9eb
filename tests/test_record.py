"""record() glues for the prose and reads back exactly; dump() writes atomically."""

import json
import math

import nbformat
import numpy as np
import pytest
from nbclient import NotebookClient

import uniqnets.book as rec


def test_to_builtin_converts_numpy():
    assert rec.to_builtin(np.float64(0.5)) == 0.5 and type(rec.to_builtin(np.float64(1))) is float
    assert rec.to_builtin(np.arange(3)) == [0, 1, 2]
    assert rec.to_builtin({"a": (np.int64(1), np.bool_(True))}) == {"a": [1, True]}
    with pytest.raises(TypeError, match="cannot be recorded"):
        rec.to_builtin(object())


def test_record_outside_ipython_keeps_the_value(tmp_path):
    rec.RECORDED.clear()
    rec.record("x", np.float64(1.5))
    rec.record("nan", float("nan"))
    assert rec.RECORDED["x"] == 1.5
    path = rec.dump(tmp_path / "sub" / "out.json")
    back = json.loads(path.read_text())
    assert back["x"] == 1.5 and math.isnan(back["nan"])
    assert not list(path.parent.glob("*.tmp"))
    with pytest.raises(ValueError, match="name"):
        rec.record("", 1)


def test_glued_values_read_back_exactly_from_an_executed_notebook():
    nb = nbformat.v4.new_notebook()
    nb.cells = [nbformat.v4.new_code_cell(
        "import numpy as np\n"
        "from uniqnets.book import record\n"
        "from myst_nb import glue\n"
        "record('third', np.float64(1) / 3)\n"
        "record('inf', float('inf'))\n"
        "record('arr', np.arange(3), display=True)\n"
        "record('fmt', 2 / 3, fmt='.2f')\n"
        "glue('plain', 7, display=False)\n")]
    NotebookClient(nb, kernel_name="python3", timeout=60).execute()
    values = rec.read_records(nb)
    assert values["third"] == 1 / 3          # exact, not a rounded repr
    assert values["inf"] == float("inf")
    assert values["arr"] == [0, 1, 2]
    assert values["fmt"] == 2 / 3            # fmt only changes the glued text
    assert values["plain"] == 7              # plain myst-nb glue: parsed from its text
    texts = {o["metadata"]["scrapbook"]["name"]: o["data"] for o in nb.cells[0].outputs
             if "scrapbook" in o.get("metadata", {})}
    assert texts["fmt"]["application/papermill.record/text/plain"] == "0.67"
    assert texts["third"]["application/papermill.record/text/plain"] == repr(1 / 3)
    nbformat.validate(nb)


def test_record_takes_a_mapping():
    rec.RECORDED.clear()
    rec.record({"a": np.int64(2), "b": [1.5, 2.5]})
    assert rec.RECORDED == {"a": 2, "b": [1.5, 2.5]}
    with pytest.raises(TypeError, match="no value"):
        rec.record({"a": 1}, 2)
    with pytest.raises(TypeError, match="needs a value"):
        rec.record("a")


def test_glue_parameters_glues_the_parameters_cell_with_injected_values():
    # the parameters cell, then a papermill-style injected cell that overrides one value:
    # every parameter is glued under its own name with the value in force
    nb = nbformat.v4.new_notebook()
    nb.cells = [
        nbformat.v4.new_code_cell("seed = 0  # the seed\nn_steps = 10\nresults_path = ''"),
        nbformat.v4.new_code_cell("# Parameters\nn_steps = 25\nresults_path = 'x.json'\n"),
        nbformat.v4.new_code_cell("from uniqnets.book import glue_parameters\n"
                                  "names = glue_parameters()\nprint(names)"),
    ]
    NotebookClient(nb, kernel_name="python3", timeout=60).execute()
    values = rec.read_records(nb)
    assert values == {"seed": 0, "n_steps": 25}   # results_path is not glued
    assert "['seed', 'n_steps']" in nb.cells[2].outputs[-1]["text"]


def test_glue_parameters_needs_a_parameters_cell():
    with pytest.raises(RuntimeError, match="no parameters cell"):
        rec.glue_parameters({"In": ["x = 1", "print(x)"]})
    with pytest.raises(KeyError, match="lr"):
        rec.glue_parameters({"In": []}, names=["lr"])
    rec.RECORDED.clear()
    assert rec.glue_parameters({"In": ["a = 1\nresults_path = ''"], "a": 3}) == ["a"]
    assert rec.RECORDED == {"a": 3}
