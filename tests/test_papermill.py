"""Every chapter reruns through papermill with another seed, at the sizes of its fast rerun.

Both reruns (the default seed and seed + 1) pass every check of the chapter
(``tests/chapters/<stem>.py``); a check that may fail by chance is reported, not asserted.
"""

import json
from pathlib import Path

import papermill as pm
import pytest

import warnings

from uniqnets.book import notebook, read_records
from uniqnets.book._checks import run_checks
from uniqnets.book._execute import kernel_manager_class

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
