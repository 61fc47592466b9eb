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


def test_glue_parameters_shows_no_output():
    # a chapter's import cell ends with glue_parameters(): its result must not become the
    # cell's output (the parameters' names as monospace text on the page)
    nb = nbformat.v4.new_notebook()
    nb.cells = [
        nbformat.v4.new_code_cell("seed = 0  # the seed\nresults_path = ''"),
        nbformat.v4.new_code_cell("from uniqnets.book import glue_parameters\n"
                                  "glue_parameters()"),
    ]
    NotebookClient(nb, kernel_name="python3", timeout=60).execute()
    shown = [o for o in nb.cells[1].outputs
             if o["output_type"] in ("execute_result", "stream")
             or (o["output_type"] == "display_data" and "text/plain" in o.get("data", {}))]
    assert not shown, shown
    assert rec.read_records(nb) == {"seed": 0}


def test_glue_parameters_needs_a_parameters_cell():
    with pytest.raises(RuntimeError, match="no parameters cell"):
        rec.glue_parameters({"In": ["x = 1", "print(x)"]})
    with pytest.raises(KeyError, match="lr"):
        rec.glue_parameters({"In": []}, names=["lr"])
    rec.RECORDED.clear()
    assert rec.glue_parameters({"In": ["a = 1\nresults_path = ''"], "a": 3}) == ["a"]
    assert rec.RECORDED == {"a": 3}


# --- rec(): the prose's {eval} roles, in the kernel (JupyterLab) and in the book ---------

SPECS = ["s", "", ".2f", ".0f", ".3f", ".12f", ".1e", ".0e", ".2e", ".0%", ".1%", "g", "d", "x"]
VALUES = [0.0, 1 / 3, -2.5e-7, 1234.5678, 7, 0, True, False, "text", "it's", float("inf"),
          float("nan"), [1, 2], 12345678901234567890]


def test_format_glued_is_myst_nb_format_plain_text():
    # the kernel formats without Sphinx; the book formats with myst-nb: the same text
    from myst_nb.core.variables import format_plain_text

    for value in VALUES:
        text = repr(rec.to_builtin(value))
        for spec in SPECS:
            try:
                want = format_plain_text(text, spec)
            except Exception as exc:  # noqa: BLE001 - the same failure, in both
                with pytest.raises(type(exc)):
                    rec.format_glued(text, spec)
                continue
            assert rec.format_glued(text, spec) == want, (value, spec)


def test_rec_returns_the_recorded_text_without_quotes():
    rec.record("q_third", 1 / 3)
    rec.record("q_word", "it's", fmt=None)
    rec.record("q_rounded", 2 / 3, fmt=".2f")
    assert rec.rec("q_third", ".3f") == "0.333" and repr(rec.rec("q_third", ".3f")) == "0.333"
    assert repr(rec.rec("q_word")) == "it's"
    assert rec.rec("q_rounded") == "0.67"          # the glued text, as {glue:text} saw it
    with pytest.raises(KeyError, match="has not been recorded"):
        rec.rec("never_recorded")
    with pytest.raises(TypeError, match="fmt"):
        rec.rec("q_third", 3)


def test_rec_answers_jupyterlab_inline_expressions():
    # what jupyterlab-myst sends when a Markdown cell runs: an execute request whose
    # user_expressions are the cell's {eval} roles; it shows the text/plain it gets back
    from jupyter_client.manager import start_new_kernel

    km, kc = start_new_kernel(kernel_name="python3")
    try:
        kc.execute_interactive("from uniqnets.book import rec, record\n"
                               "record('lam', 0.123456)\nrecord('word', 'it\\'s')",
                               timeout=60)
        reply = kc.execute_interactive("", timeout=60, user_expressions={
            "0": 'rec("lam", ".3f")', "1": 'rec("word")', "2": 'rec("missing")'})
        got = reply["content"]["user_expressions"]
        assert got["0"]["data"] == {"text/plain": "0.123"}
        assert got["1"]["data"] == {"text/plain": "it's"}
        assert got["2"]["status"] == "error" and got["2"]["ename"] == "KeyError"
    finally:
        kc.stop_channels()
        km.shutdown_kernel(now=True)


def test_book_eval_role_accepts_only_rec_calls():
    import sys
    from pathlib import Path

    sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "book" / "_ext"))
    try:
        from book_html import parse_rec
    finally:
        sys.path.pop(0)
    assert parse_rec('rec("lam")') == ("lam", "s")
    assert parse_rec("rec('lam', '.3f')") == ("lam", ".3f")
    assert parse_rec('rec("lam", fmt=".0%")') == ("lam", ".0%")
    for bad in ['lam', 'rec(lam)', 'rec("a", 3)', 'rec()', 'rec("a", ".1f", "x")',
                'other("a")', 'rec("a", bad=".1f")', '__import__("os")', 'rec("a"']:
        with pytest.raises(ValueError):
            parse_rec(bad)


def test_chapters_quote_numbers_in_a_form_both_readers_render():
    import re
    import sys
    from pathlib import Path

    root = Path(__file__).resolve().parents[1]
    sys.path.insert(0, str(root / "book" / "_ext"))
    try:
        from book_html import parse_rec
    finally:
        sys.path.pop(0)
    for md in sorted((root / "notebooks").glob("*.md")):
        text = md.read_text()
        roles = re.findall(r"\{eval\}`([^`]+)`", text)
        for expr in roles:
            parse_rec(expr)  # raises for anything the book would refuse
        if roles:
            assert re.search(r"^from uniqnets\.book import (\([^)]*|[^\n]*)\brec\b", text, re.M), \
                f"{md.name}: {{eval}} roles need `from uniqnets.book import rec` (JupyterLab)"
            assert not re.search(r"^\s*(rec\s*=|def rec\b|for rec\b)", text, re.M), \
                f"{md.name} rebinds `rec`, which its {{eval}} roles call"


def test_numbers_in_scientific_notation_follow_one_rule():
    # the prose never shows "0e+00", "3.0e-01" or "2e-10", nor breaks a number in two
    rec.record("q_tiny", 2e-10)
    rec.record("q_zero", 0.0)
    rec.record("q_sentence", "the gap is 1.5e-03 per step", fmt=None)
    assert rec.rec("q_tiny", ".0e") == "2\u00a0×\u00a010⁻¹⁰"
    assert rec.rec("q_zero", ".0e") == "0"
    assert rec.rec("q_tiny", ".2f") == "0.00"
    assert rec.rec("q_sentence") == "the gap is 1.5\u00a0×\u00a010⁻³ per step"
