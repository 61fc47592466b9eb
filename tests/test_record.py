"""record() glues for the prose and reads back exactly; dump() writes atomically."""

import json
import math

import nbformat
import numpy as np
import pytest
from nbclient import NotebookClient

from uniqnets import record as rec


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
        "from uniqnets.record import record\n"
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
