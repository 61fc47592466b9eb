"""The data file of the Fashion-MNIST runs (``make sweep-fashion``) and its command line."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

pytest.importorskip("jax", reason="needs the extra `practice`")

from uniqnets.book import fashion_runs  # noqa: E402

DATA = Path(__file__).resolve().parents[1] / "book" / "_data" / "fashion_runs.json"


def _have_fashion():
    from uniqnets import data

    return all((data.DEBIAN_FOLDER / name).exists() for name, _, _ in data.FILES.values())


def test_every_run_says_what_made_it():
    runs = fashion_runs.load(DATA)["runs"]
    assert runs, f"{DATA} holds no runs: make sweep-fashion"
    for r in runs:
        assert r["command"].startswith("python -m uniqnets.book.fashion_runs")
        assert {"cpu", "cpus", "python", "packages"} <= set(r["machine"])
        assert {"jax", "numpy"} <= set(r["machine"]["packages"])
        assert r["device"] in ("cpu", "gpu", "tpu") and r["finished"] and r["library"]
        assert set(fashion_runs.SETTINGS) == set(r["settings"])
        assert len(r["predictions"]) == 10000 and len(r["eval_steps"]) == len(r["test_accuracy"])
        assert len(r["stages"]) == len(r["settings"]["stages"])


@pytest.mark.skipif(not _have_fashion(), reason="Fashion-MNIST is not installed (make data)")
def test_the_data_file_agrees_with_a_rerun_of_the_start_of_a_run():
    """The first half epoch of the linear network's seed-0 run, run again here.

    On the machine that wrote the file the rerun is bit-for-bit the same.  Elsewhere the
    arithmetic may round differently (another CPU's vector instructions); page 12 measures
    how far rounding moves a run (one-ulp twins end about 1e-6 apart in a weight vector of
    norm about 10), which changes a handful of the 10,000 test predictions: the tolerance is
    0.002 in accuracy (20 images) and 1e-4 relative in the loss."""
    from uniqnets.practice import fashion_run

    runs = [r for r in fashion_runs.load(DATA)["runs"]
            if r["network"] == "linear" and r["seed"] == 0]
    assert runs, "the data file has no run of the linear network at seed 0"
    r = runs[0]
    s = dict(r["settings"])
    stop = r["eval_steps"][1]
    rerun = fashion_run("linear", 0, epochs=s["epochs"], batch_size=s["batch_size"],
                        weight_decay=s["weight_decay"], stages=(), stop=stop)
    assert rerun.eval_steps.tolist() == r["eval_steps"][:2]
    np.testing.assert_allclose(rerun.test_accuracy, r["test_accuracy"][:2], atol=0.002)
    np.testing.assert_allclose(rerun.train_loss, r["train_loss"][:2], rtol=1e-4)


def test_the_command_line_refuses_bad_grids_and_lists_what_it_would_run(tmp_path, capsys):
    data = tmp_path / "runs.json"
    for argv in (["--networks", "VGG"], ["--seeds", "a:b"], ["--seeds", "-1"], ["--jobs", "0"]):
        with pytest.raises(SystemExit) as exc:
            fashion_runs.main([*argv, "--data", str(data)])
        assert exc.value.code == 2
    data.write_text(json.dumps({"runs": [
        {"network": "CNN", "seed": 0, "settings": {**fashion_runs.SETTINGS}}]}))
    assert fashion_runs.main(["--networks", "CNN", "--seeds", "0:2", "--data", str(data),
                              "--dry-run"]) == 0
    err = capsys.readouterr().err
    assert "1 runs in" in err and "1 to run" in err, err
