"""Recorded values survive a notebook file: valid nbformat, exact values read back."""

import math

import IPython
import IPython.display
import nbformat
import pytest

from uniqnets import record as rec


@pytest.fixture
def captured(monkeypatch):
    """Outputs that record() displays, as they would land in a notebook."""
    outputs = []

    def fake_display(bundle, raw=False, metadata=None):
        assert raw
        outputs.append(nbformat.v4.new_output("display_data", data=bundle,
                                              metadata=metadata or {}))

    monkeypatch.setattr(IPython, "get_ipython", lambda: object())
    monkeypatch.setattr(IPython.display, "display", fake_display)
    monkeypatch.setattr(rec, "RECORDED", {})
    return outputs


@pytest.mark.parametrize("display", [False, True])
def test_recorded_outputs_validate_and_read_back_exactly(captured, display):
    values = {"lam": 0.1 + 0.2, "n": 7, "ok": True, "name": "tanh",
              "curve": [1.0, float("nan"), float("inf")], "nested": {"a": [1, 2]}}
    for name, value in values.items():
        rec.record(name, value, display=display)
    nb = nbformat.v4.new_notebook()
    nb.cells.append(nbformat.v4.new_code_cell("record(...)", outputs=captured))
    # the notebook a kernel would write must pass nbformat's schema (papermill and
    # nbformat.write validate it); a JSON object under a non-JSON mime key does not
    nbformat.validate(nb)
    back = rec.read_records(nbformat.reads(nbformat.writes(nb), as_version=4))
    assert back.keys() == values.keys()
    assert back["lam"] == 0.1 + 0.2  # exact, not the rounded text
    assert back["n"] == 7 and back["ok"] is True and back["name"] == "tanh"
    assert back["curve"][0] == 1.0 and math.isnan(back["curve"][1])
    assert back["curve"][2] == math.inf
    assert back["nested"] == {"a": [1, 2]}
