"""Every chapter reruns through papermill with another seed, at the sizes of its fast rerun.

Both reruns (the default seed and seed + 1) pass every check of the chapter
(``tests/chapters/<stem>.py``); a check that may fail by chance is reported, not asserted.
"""

import json
import warnings
from pathlib import Path

import nbformat
import papermill as pm
import pytest

from uniqnets.book import notebook, read_records
from uniqnets.book._checks import run_checks
from uniqnets.book._execute import kernel_manager_class
from uniqnets.book.inline import fill_inline_results

ROOT = Path(__file__).resolve().parents[1]
NOTEBOOKS = sorted((ROOT / "notebooks").glob("*.md"))


@pytest.mark.slow
@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.stem)
def test_rerun_with_another_seed(path, tmp_path):
    nb = notebook.load(path)
    params = notebook.parameters(nb)
    rerun, seed_dependent = notebook.rerun_settings(nb)
    seed = params["seed"].default
    outputs = {}
    for label, extra in [("default-seed", {}), ("other-seed", {"seed": seed + 1})]:
        out = tmp_path / f"{label}.ipynb"
        results = tmp_path / f"{label}.json"
        pm.execute_notebook(notebook.load(path), str(out), kernel_name="python3",
                            parameters={**rerun, **extra, "results_path": str(results)},
                            cwd=str(tmp_path), progress_bar=False,
                            # ipc, not TCP: reruns on two xdist workers cannot race for a port
                            kernel_manager_class=kernel_manager_class())
        values = read_records(out)
        # every number the prose quotes is answered from the run's records (what
        # `python -m uniqnets.book.inline` stores for JupyterLab)
        executed = nbformat.read(out, as_version=4)
        fill_inline_results(executed)
        unanswered = [e["expression"] for c in executed.cells
                      for e in c.metadata.get("user_expressions", [])
                      if e["result"]["status"] != "ok"]
        assert not unanswered, f"{label}: roles the run cannot answer: {unanswered[:5]}"
        # the JSON file the notebook writes holds the same values as its glued outputs
        assert json.loads(results.read_text()) == json.loads(json.dumps(values))
        outputs[label] = values
        results = run_checks(path, values)
        failed = [f"{r.name}: {r.message}" for r in results if not r.passed and not r.counted]
        assert not failed, f"{label} ({extra or 'defaults of the rerun'}): {failed}"
        for r in results:
            if not r.passed:
                warnings.warn(f"{path.stem} {label}: {r.name} failed, as it may by chance "
                              f"(rate {r.chance:g}): {r.message}", stacklevel=1)
    a, b = outputs["default-seed"], outputs["other-seed"]
    assert a, "the notebook recorded nothing"
    assert a.keys() == b.keys()
    for name in seed_dependent:
        assert name in a, f"seed_dependent names {name!r}, which is never recorded"
        assert a[name] != b[name], f"{name!r} did not change with the seed"


TINY = """\
---
kernelspec:
  display_name: Python 3
  language: python
  name: python3
---
```{code-cell} ipython3
:tags: [parameters]

seed = 0          # the seed
hidden = [4, 4]   # widths
lr = 0.1          # learning rate
results_path = "" # where to write
```

```{code-cell} ipython3
from uniqnets.book import glue_parameters
glue_parameters()
print("computing")
```
"""


@pytest.mark.parametrize(("params", "error"), [
    ({"seedd": 7}, "'seedd' is not a parameter of this notebook"),
    ({"hidden": 4}, "parameter 'hidden' expects a list"),
    ({"seed": -1}, "parameter 'seed' must be a non-negative integer"),
    ({"lr": "fast"}, "parameter 'lr' expects a number"),
])
def test_papermill_refuses_unknown_and_mistyped_parameters(tmp_path, params, error):
    """A chapter run directly through papermill stops before computing, naming the parameter."""
    md = tmp_path / "tiny.md"
    md.write_text(TINY)
    with pytest.raises(pm.PapermillExecutionError) as info:
        pm.execute_notebook(notebook.load(md), str(tmp_path / "out.ipynb"),
                            kernel_name="python3", parameters=params, progress_bar=False,
                            kernel_manager_class=kernel_manager_class())
    assert error in str(info.value)
    # nothing after glue_parameters ran
    out = json.loads((tmp_path / "out.ipynb").read_text())
    printed = [o.get("text", "") for o in out["cells"][-1].get("outputs", [])
               if o.get("output_type") == "stream"]
    assert not any("computing" in t for t in printed), printed


def test_papermill_accepts_known_parameters_of_their_type(tmp_path):
    md = tmp_path / "tiny.md"
    md.write_text(TINY)
    pm.execute_notebook(notebook.load(md), str(tmp_path / "out.ipynb"), kernel_name="python3",
                        parameters={"seed": 3, "lr": 1, "hidden": [8]}, progress_bar=False,
                        kernel_manager_class=kernel_manager_class())
    assert read_records(tmp_path / "out.ipynb")["lr"] == 1


def test_a_papermill_output_shows_its_numbers_in_jupyterlab(tmp_path):
    """After the README's two commands, the prose's roles hold the run's values.

    jupyterlab-myst shows an ``{eval}`` role from its Markdown cell's ``user_expressions``
    metadata; papermill leaves it empty, ``python -m uniqnets.book.inline`` fills it.
    """
    import subprocess
    import sys

    md = tmp_path / "tiny.md"
    md.write_text(TINY + '\n```{code-cell} ipython3\nfrom uniqnets.book import record\n'
                  'record("lr_twice", 2 * lr)\n```\n\nThe rate is {eval}`rec("lr", ".2f")`, '
                  'twice that {eval}`rec("lr_twice", ".2f")`; {eval}`rec("missing")`.\n')
    out = tmp_path / "out.ipynb"
    pm.execute_notebook(notebook.load(md), str(out), kernel_name="python3",
                        parameters={"lr": 0.25}, progress_bar=False,
                        kernel_manager_class=kernel_manager_class())
    proc = subprocess.run([sys.executable, "-m", "uniqnets.book.inline", str(out)],
                          capture_output=True, text=True)
    assert proc.returncode == 0, proc.stderr
    cell = json.loads(out.read_text())["cells"][-1]
    got = {e["expression"]: e["result"] for e in cell["metadata"]["user_expressions"]}
    assert got['rec("lr", ".2f")'] == {"status": "ok", "data": {"text/plain": "0.25"},
                                       "metadata": {}}
    assert got['rec("lr_twice", ".2f")']["data"]["text/plain"] == "0.50"
    assert got['rec("missing")']["status"] == "error"
    assert got['rec("missing")']["ename"] == "KeyError"
