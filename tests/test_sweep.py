"""Tests of uniqnets.book.sweep: grids, validation, execution, failures, resuming, Dask.

The notebook is ``tests/data/sweep_demo.md``: a parameters cell and one cell that
records values computed from it.  Each test works on its own copy.  Kernel starts are
the cost here (one to two seconds each), so the executed sweep of the 2 x 2 grid is
made once per module and reused by the tests that only read it.
"""

from __future__ import annotations

import contextlib
import csv
import glob
import io
import json
import logging
import os
import shutil
import signal
import stat
import subprocess
import sys
import time
import types
from pathlib import Path

import nbformat
import pytest

try:
    import psutil
except ImportError:  # pragma: no cover - the process tests need it
    psutil = None

from uniqnets.book import read_records, sweep
from uniqnets.book.sweep import SweepError, load_grid, main, parse_values, plan_sweep, run_sweep

DEMO = Path(__file__).parent / "data" / "sweep_demo.md"
GRID = ["-p", "a=1,2", "-p", "b=0.5,1.5"]
NAMES = ["a=1,b=0.5", "a=1,b=1.5", "a=2,b=0.5", "a=2,b=1.5"]
COLUMNS = ["run", "a", "b", "total", "pair", "label_len", "n_flags", "sees_source",
           "status", "error"]


def copy_demo(folder: Path) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    return Path(shutil.copy(DEMO, folder / DEMO.name))


def cli(*argv) -> tuple[int, str, str]:
    """Run the command line in this process; return (exit code, stdout, stderr)."""
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        try:
            code = main([str(a) for a in argv])
        except SystemExit as exc:  # argparse errors
            code = exc.code
    return code, out.getvalue(), err.getvalue()


def read_csv(path: Path) -> list[dict]:
    with open(path, newline="") as fh:
        return list(csv.DictReader(fh))


def snapshot(folder: Path) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in sorted((folder / "runs").iterdir())}


@pytest.fixture(scope="module")
def swept(tmp_path_factory):
    """The 2 x 2 grid over the demo notebook, run once with --jobs 2."""
    base = tmp_path_factory.mktemp("swept")
    nb = copy_demo(base / "nb")
    out = base / "out"
    code, stdout, stderr = cli(nb, *GRID, "-o", out, "--jobs", 2)
    return types.SimpleNamespace(nb=nb, out=out, code=code, stdout=stdout, stderr=stderr)


# --------------------------------------------------------------------------------------
# Parsing values and grids (no kernels)
# --------------------------------------------------------------------------------------

def test_parse_values_json_strings_and_ranges():
    assert parse_values("0.1,1e-2,3") == [0.1, 0.01, 3]
    assert parse_values("true,false,null") == [True, False, None]
    assert parse_values("tanh, relu") == ["tanh", "relu"]
    # commas inside brackets and quotes do not separate values
    assert parse_values("[8,8],[16,16]") == [[8, 8], [16, 16]]
    assert parse_values('{"a": 1, "b": 2},"x,y"') == [{"a": 1, "b": 2}, "x,y"]
    assert parse_values(r'"a\\",b') == ["a\\", "b"]  # a quote after an escaped backslash closes
    # A:B is range(A, B), B excluded; A:B:S has a step; ranges mix with values
    assert parse_values("0:4") == [0, 1, 2, 3]
    assert parse_values("0:10:4,42") == [0, 4, 8, 42]
    assert parse_values("3:0:-1") == [3, 2, 1]
    # a quoted number is a string
    assert parse_values('"1"') == ["1"]


@pytest.mark.parametrize("text, match", [
    ("1,,2", "empty value"),
    ("0:4:0", "step 0"),
    ("4:0", "empty"),
])
def test_parse_values_rejects(text, match):
    with pytest.raises(ValueError, match=match):
        parse_values(text)


def test_load_grid_axes_and_fixed_values(tmp_path):
    path = tmp_path / "grid.yml"
    path.write_text("a: [1, 2]\nb: 0.25\nflags: [[3, 4, 5]]\n")
    grid = load_grid(path)
    assert grid == {"a": [1, 2], "b": 0.25, "flags": [[3, 4, 5]]}
    runs = plan_sweep(DEMO, grid)
    assert [r.parameters for r in runs] == [
        {"a": 1, "b": 0.25, "flags": [3, 4, 5]}, {"a": 2, "b": 0.25, "flags": [3, 4, 5]}]
    path.write_text("- a\n- b\n")
    with pytest.raises(ValueError, match="mapping"):
        load_grid(path)
    with pytest.raises(FileNotFoundError, match="nothere.yml"):
        load_grid(tmp_path / "nothere.yml")


def test_plan_reads_the_parameters_cell_without_running_it(tmp_path):
    nb = nbformat.v4.new_notebook()
    nb.cells = [
        nbformat.v4.new_markdown_cell("# title"),
        nbformat.v4.new_code_cell("seed = 0\nsizes = (8, 8)\nopt = None\n"
                                  "raise RuntimeError('never run')",
                                  metadata={"tags": ["parameters"]}),
    ]
    # the cell must be `name = literal` lines (uniqnets.book.notebook's rule)
    with pytest.raises(ValueError, match="only `name = literal`"):
        plan_sweep(nb, {"seed": [1]})
    nb.cells[1].source = "seed = 0\nsizes = (8, 8)\nopt = None\n"
    runs = plan_sweep(nb, {"seed": 1, "sizes": [[4, 4]], "opt": ["adam", 3]})
    # a tuple default takes a list (papermill injects lists); None takes anything
    assert [r.parameters for r in runs] == [{"seed": 1, "sizes": [4, 4], "opt": "adam"},
                                            {"seed": 1, "sizes": [4, 4], "opt": 3}]
    nb.cells[1].metadata["tags"] = []
    with pytest.raises(ValueError, match="no code cell tagged 'parameters'"):
        plan_sweep(nb, {})
    with pytest.raises(FileNotFoundError, match="missing.md"):
        plan_sweep(tmp_path / "missing.md", {})


def test_plan_is_the_cartesian_product_with_stable_names():
    runs = plan_sweep(DEMO, {"a": [1, 2], "b": [0.5, 1.5]})
    assert [r.name for r in runs] == NAMES  # the last axis varies fastest
    assert runs[1].parameters == {"a": 1, "b": 1.5}
    assert [r.name for r in plan_sweep(DEMO, {"a": [1, 2], "b": [0.5, 1.5]})] == NAMES
    # an integer for a float parameter is converted: same run, same name as 2.0
    assert plan_sweep(DEMO, {"b": 2})[0].parameters == {"b": 2.0}
    assert plan_sweep(DEMO, {"b": 2})[0].name == "b=2.0"
    assert plan_sweep(DEMO, {})[0].name == "defaults"
    # values that are not safe in a file name get a hash, still deterministic
    a, b = plan_sweep(DEMO, {"label": ["../up", "x y"]})
    assert "/" not in a.name and " " not in b.name and a.name != b.name
    assert a.name == plan_sweep(DEMO, {"label": ["../up"]})[0].name
    # list values stay readable, without characters that glob patterns treat specially
    # (Sphinx's exclude patterns did not match a run notebook named "...[16,16].ipynb")
    runs = plan_sweep(DEMO, {"flags": [[1, 2], [3, 4], [0.5], ["x"]], "b": [1e-3, -2.5]})
    assert [r.name for r in runs][:4] == ["flags=1_2,b=0.001", "flags=1_2,b=-2.5",
                                          "flags=3_4,b=0.001", "flags=3_4,b=-2.5"]
    assert runs[4].name == "flags=0.5,b=0.001" and runs[6].name.startswith("flags=~")
    assert not any(glob.has_magic(r.name) for r in runs)


@pytest.mark.parametrize("grid, error, match", [
    ({"c": [1]}, ValueError, r"unknown parameter 'c'.*a, b, label, flags, sleep"),
    ({"a": [1, 0.5]}, TypeError, r"'a' expects an integer .* got 0.5"),
    ({"a": [True]}, TypeError, r"'a' expects an integer"),
    ({"b": ["fast"]}, TypeError, r"'b' expects a number"),
    ({"label": [3]}, TypeError, r"'label' expects a string"),
    ({"flags": [1, 2]}, TypeError, r"'flags' expects a list.*list of one list"),
    ({"a": []}, ValueError, r"'a' has no values"),
    ({"a": [object()]}, TypeError, r"'a'.*cannot be passed"),
    ({"a": [1, 1]}, ValueError, "same name"),
])
def test_plan_rejects_bad_grids(grid, error, match):
    with pytest.raises(error, match=match):
        plan_sweep(DEMO, grid)


# --------------------------------------------------------------------------------------
# The command line
# --------------------------------------------------------------------------------------

def test_unknown_parameter_is_rejected_before_anything_runs(tmp_path):
    out = tmp_path / "out"
    code, stdout, stderr = cli(DEMO, "-p", "a=1,2", "-p", "aa=1,2", "-o", out)
    assert code == 2
    assert "unknown parameter 'aa'" in stderr and "a, b, label" in stderr
    assert not out.exists()  # nothing ran, nothing was written
    code, _, stderr = cli(DEMO, "-p", "a=1,2.5", "-o", out, "--jobs", 2)
    assert code == 2 and "'a' expects an integer" in stderr and "2.5" in stderr
    assert not out.exists()


@pytest.mark.parametrize("argv, match", [
    (["-p", "a=1", "-p", "a=2"], "given twice"),
    (["-p", "1a=1"], "NAME=V1,V2"),
    (["-p", "a=1", "--jobs", "0"], "--jobs must be a positive"),
    (["-p", "a=1", "--timeout", "-1"], "--timeout must be a positive"),
    (["-p", "a=1", "--jobs", "2", "--scheduler", "tcp://127.0.0.1:1"], "not both"),
])
def test_cli_rejects_bad_options(tmp_path, argv, match):
    code, _, stderr = cli(DEMO, *argv, "-o", tmp_path / "out")
    assert code == 2 and match in stderr
    assert not (tmp_path / "out").exists()


def test_dry_run_lists_runs_and_starts_nothing(tmp_path):
    grid = tmp_path / "grid.yml"
    grid.write_text("a: [1, 2]\nb: 9.0\nlabel: ignored\n")
    out = tmp_path / "out"
    code, stdout, _ = cli(DEMO, "--grid", grid, "-p", "b=0.5,1.5", "-o", out, "--dry-run")
    assert code == 0
    lines = stdout.splitlines()
    # -p replaces the grid file's b; its other entries stay, in the file's order
    assert [ln.split()[0] for ln in lines[:-1]] == [
        "a=1,label=ignored,b=0.5", "a=1,label=ignored,b=1.5",
        "a=2,label=ignored,b=0.5", "a=2,label=ignored,b=1.5"]
    assert all(ln.endswith("run (new)") for ln in lines[:-1])
    assert lines[-1].startswith("4 runs: 4 to run, 0 done")
    assert not out.exists()


def test_module_entry_point(tmp_path):
    """``python -m uniqnets.book.sweep`` is the command the book documents."""
    proc = subprocess.run(
        [sys.executable, "-m", "uniqnets.book.sweep", str(DEMO), "-p", "a=0:3", "-o",
         str(tmp_path / "out"), "--dry-run"], capture_output=True, text=True, timeout=120)
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.splitlines()[:3] == ["a=0  run (new)", "a=1  run (new)", "a=2  run (new)"]
    proc = subprocess.run([sys.executable, "-m", "uniqnets.book.sweep", str(DEMO), "-p", "zz=1",
                           "-o", str(tmp_path / "out")], capture_output=True, text=True,
                          timeout=120)
    assert proc.returncode == 2 and "unknown parameter 'zz'" in proc.stderr


# --------------------------------------------------------------------------------------
# Executing sweeps
# --------------------------------------------------------------------------------------

def test_grid_with_two_jobs_gives_notebooks_and_table(swept):
    assert swept.code == 0, swept.stdout + swept.stderr
    assert "4 runs: 4 done (0 reused), 0 failed" in swept.stdout
    # the progress bar counts done / failed / remaining
    assert "done=4, failed=0, remaining=0" in swept.stderr
    runs = swept.out / "runs"
    assert sorted(p.stem for p in runs.glob("*.ipynb")) == NAMES
    assert sorted(p.stem for p in runs.glob("*.json")) == NAMES
    assert not list(swept.out.rglob("*.tmp"))

    rows = read_csv(swept.out / "results.csv")
    assert list(rows[0]) == COLUMNS
    assert [r["run"] for r in rows] == NAMES
    for row in rows:
        a, b = int(row["a"]), float(row["b"])
        assert float(row["total"]) == a + b
        assert json.loads(row["pair"]) == [a, b]
        assert row["label_len"] == "1" and row["n_flags"] == "2"
        assert row["sees_source"] == "True"  # the kernel ran in the notebook's folder
        assert row["status"] == "ok" and row["error"] == ""

    # results.json holds the exact values, and each run's executed notebook holds them too
    table = json.loads((swept.out / "results.json").read_text())
    assert table["columns"] == COLUMNS
    for row in table["runs"]:
        nb = nbformat.read(runs / f"{row['run']}.ipynb", as_version=4)
        injected = [c for c in nb.cells if "injected-parameters" in c.metadata.get("tags", [])]
        assert len(injected) == 1 and f"a = {row['a']}" in injected[0].source
        values = read_records(nb)
        assert values == {k: row[k] for k in values}
        assert row["pair"] == [row["a"], row["b"]] and row["total"] == row["a"] + row["b"]


def test_api_returns_rows_and_reuses_finished_runs(swept, monkeypatch):
    before = snapshot(swept.out)
    monkeypatch.setitem(sys.modules, "pandas", None)  # as if pandas were not installed
    rows = run_sweep(swept.nb, {"a": [1, 2], "b": [0.5, 1.5]}, swept.out)
    assert isinstance(rows, list) and [r["run"] for r in rows] == NAMES
    assert rows[3] == {"run": "a=2,b=1.5", "a": 2, "b": 1.5, "total": 3.5, "pair": [2, 1.5],
                       "label_len": 1, "n_flags": 2, "sees_source": True, "status": "ok",
                       "error": ""}
    assert snapshot(swept.out) == before  # nothing was executed or rewritten
    with pytest.raises(ImportError, match="pandas"):
        run_sweep(swept.nb, {"a": [1, 2], "b": [0.5, 1.5]}, swept.out, as_frame=True)

    class FakeFrame:
        def __init__(self, rows, columns):
            self.rows, self.columns = rows, columns

    monkeypatch.setitem(sys.modules, "pandas", types.SimpleNamespace(DataFrame=FakeFrame))
    frame = run_sweep(swept.nb, {"a": [1, 2], "b": [0.5, 1.5]}, swept.out)
    assert isinstance(frame, FakeFrame) and frame.columns == COLUMNS and frame.rows == rows
    assert run_sweep(swept.nb, {"a": [1, 2], "b": [0.5, 1.5]}, swept.out,
                     as_frame=False) == rows


def test_data_file_holds_command_grid_machine_and_kept_values(swept, tmp_path):
    """``--data`` writes what a page needs to show a sweep it does not run itself."""
    before = snapshot(swept.out)
    data_path = tmp_path / "data" / "demo.json"
    code, _, stderr = cli(swept.nb, *GRID, "-o", swept.out, "--data", data_path,
                          "--keep", "total,pair,not_recorded")
    assert code == 2 and "not_recorded" in stderr and "--keep" in stderr
    assert not data_path.exists()
    code, stdout, _ = cli(swept.nb, *GRID, "-o", swept.out, "--data", data_path,
                          "--keep", "total,pair")
    assert code == 0 and "4 runs: 4 done (4 reused)" in stdout
    assert snapshot(swept.out) == before  # the finished runs were reused, not rerun
    data = json.loads(data_path.read_text())
    assert data["command"].startswith("python -m uniqnets.book.sweep ")
    assert "--keep total,pair" in data["command"]
    assert data["grid"] == {"a": [1, 2], "b": [0.5, 1.5]}
    assert data["notebook"] == str(swept.nb) and data["jobs"] == 1
    from uniqnets.book.sweep._data import notebook_code_digest
    assert data["notebook_code"] == notebook_code_digest(swept.nb)
    assert len(data["date"]) == 10 and len(data["measured"]) == 2
    assert data["machine"]["cpus"] >= 1 and data["machine"]["packages"]["numpy"]
    assert [r["run"] for r in data["runs"]] == NAMES
    for r in data["runs"]:
        a, b = r["parameters"]["a"], r["parameters"]["b"]
        assert r["values"] == {"total": a + b, "pair": [a, b]}  # only the kept values
        assert r["status"] == "ok" and r["error"] == "" and r["seconds"] > 0
    assert data["run_seconds"] == pytest.approx(sum(r["seconds"] for r in data["runs"]),
                                                abs=0.1)
    code, _, stderr = cli(swept.nb, *GRID, "-o", swept.out, "--keep", "total")
    assert code == 2 and "--keep applies to --data" in stderr


def test_rerun_skips_finished_and_reruns_missing(swept, tmp_path):
    out = tmp_path / "out"
    shutil.copytree(swept.out, out)
    before = snapshot(out)
    code, stdout, _ = cli(swept.nb, *GRID, "-o", out, "--jobs", 2)
    assert code == 0 and "4 runs: 4 done (4 reused), 0 failed" in stdout
    assert snapshot(out) == before

    # an interrupted run: its notebook was written, its record (written last) was not,
    # and a temporary file was left behind
    (out / "runs" / "a=2,b=0.5.json").unlink()
    (out / "runs" / ".a=2,b=0.5.json.tmp").write_text('{"status": "ok"')
    code, stdout, _ = cli(swept.nb, *GRID, "--dry-run", "-o", out)
    assert "a=2,b=0.5  run (new)" in stdout and stdout.count("skip (done)") == 3
    code, stdout, _ = cli(swept.nb, *GRID, "-o", out)
    assert code == 0 and "4 runs: 4 done (3 reused), 0 failed" in stdout
    after = snapshot(out)
    for name, data in before.items():
        if not name.startswith("a=2,b=0.5"):
            assert after[name] == data, name
    assert read_csv(out / "results.csv") == read_csv(swept.out / "results.csv")

    # editing the notebook's code makes every finished run stale
    nb = swept.nb.read_text().replace('record("n_flags"', 'record("n_flags_2"')
    edited = tmp_path / "nb" / "sweep_demo.md"
    edited.parent.mkdir()
    edited.write_text(nb)
    code, stdout, _ = cli(edited, *GRID, "--dry-run", "-o", out)
    assert stdout.count("run (stale)") == 4


def test_failed_run_is_reported_others_complete_and_rerun_retries(tmp_path, monkeypatch):
    nb = copy_demo(tmp_path / "nb")
    out = tmp_path / "out"
    monkeypatch.setenv("SWEEP_DEMO_FAIL_ON", "2")  # the kernels inherit it
    code, stdout, stderr = cli(nb, "-p", "a=1:4", "-o", out, "--jobs", 2)
    assert code == 1
    assert "3 runs: 2 done (0 reused), 1 failed" in stdout
    failed = [ln for ln in stdout.splitlines() if ln.startswith("FAILED")]
    assert failed == ["FAILED a=2: In [3] line 7 "
                      '`raise ValueError(f"a is {a}, as SWEEP_DEMO_FAIL_ON asks")`: '
                      "ValueError: a is 2, as SWEEP_DEMO_FAIL_ON asks"]
    assert "done=2, failed=1, remaining=0" in stderr
    rows = read_csv(out / "results.csv")
    assert [(r["run"], r["status"]) for r in rows] == [("a=1", "ok"), ("a=2", "failed"),
                                                       ("a=3", "ok")]
    assert rows[1]["total"] == "" and "ValueError" in rows[1]["error"]
    assert rows[2]["total"] == "3.5"
    # the failed run's executed notebook shows the error, its record has the details
    executed = nbformat.read(out / "runs" / "a=2.ipynb", as_version=4)
    assert any(o.output_type == "error" for c in executed.cells if c.cell_type == "code"
               for o in c.outputs)
    record = json.loads((out / "runs" / "a=2.json").read_text())
    assert record["status"] == "failed"
    assert record["error"]["ename"] == "ValueError" and record["error"]["line"] == 7

    # the API raises after all runs, with the table; the rerun retries only the failure
    before = snapshot(out)
    with pytest.raises(SweepError, match=r"1 of 3 runs failed[\s\S]*a=2: In \[3\]") as info:
        run_sweep(nb, {"a": range(1, 4)}, out, as_frame=False)
    assert [r["status"] for r in info.value.results] == ["ok", "failed", "ok"]
    assert [r["run"] for r in info.value.failures] == ["a=2"]
    after = snapshot(out)
    assert after["a=2.json"] != before["a=2.json"]  # executed again (new duration, time)
    assert {k: v for k, v in after.items() if not k.startswith("a=2")} == \
        {k: v for k, v in before.items() if not k.startswith("a=2")}

    monkeypatch.delenv("SWEEP_DEMO_FAIL_ON")
    rows = run_sweep(nb, {"a": range(1, 4)}, out, as_frame=False, on_error="raise")
    assert [r["status"] for r in rows] == ["ok", "ok", "ok"]
    assert rows[1]["total"] == 2.5


def test_timeout_fails_the_run_and_names_the_cell(tmp_path):
    nb = copy_demo(tmp_path / "nb")
    rows = run_sweep(nb, {"sleep": 30.0}, tmp_path / "out", timeout=1, on_error="keep",
                     as_frame=False)
    assert rows[0]["status"] == "failed"
    assert rows[0]["error"].startswith("cell `import os`: CellTimeoutError")
    # the notebook as it was when the cell timed out is kept
    assert (tmp_path / "out" / "runs" / "sleep=30.0.ipynb").is_file()


def test_interrupted_write_leaves_nothing_trusted(tmp_path, monkeypatch, caplog):
    nb = copy_demo(tmp_path / "nb")
    out = tmp_path / "out"

    real_replace = os.replace

    def replace_fails(src, dst):
        if Path(dst).is_relative_to(out):
            raise KeyboardInterrupt  # as if the sweep were stopped mid-write
        real_replace(src, dst)

    monkeypatch.setattr(os, "replace", replace_fails)
    with pytest.raises(KeyboardInterrupt):
        run_sweep(nb, {"a": [5]}, out)
    monkeypatch.undo()
    assert list((out / "runs").iterdir()) == []  # no half-written file, no temporary
    assert not (out / "results.csv").exists()
    rows = run_sweep(nb, {"a": [5], "label": "y"}, out, as_frame=False)
    assert rows[0]["status"] == "ok" and rows[0]["total"] == 5.5
    # papermill's own line parser misreads the "=" in the comment of `label` in the
    # parameters cell and would call it unknown; the sweep checked the cell already and
    # keeps those false warnings out of the log
    assert not [r for r in caplog.records if r.name.startswith("papermill")
                and r.levelno >= logging.WARNING]


def test_dask_local_cluster_gives_the_same_table(swept, tmp_path):
    distributed = pytest.importorskip("distributed")
    out = tmp_path / "out"
    with distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=True,
                                  host="127.0.0.1", dashboard_address=None,
                                  worker_dashboard_address=None) as cluster:
        code, stdout, stderr = cli(swept.nb, *GRID, "-o", out, "--scheduler",
                                   cluster.scheduler_address)
    assert code == 0, stdout + stderr
    assert "4 runs: 4 done (0 reused), 0 failed" in stdout
    assert sorted(p.stem for p in (out / "runs").glob("*.ipynb")) == NAMES
    assert (out / "results.csv").read_text() == (swept.out / "results.csv").read_text()
    local = json.loads((swept.out / "results.json").read_text())
    dask = json.loads((out / "results.json").read_text())
    assert dask["runs"] == local["runs"] and dask["columns"] == local["columns"]


def test_run_without_a_notebook_leaves_no_older_notebook(tmp_path, monkeypatch):
    # a worker that dies returns no notebook: an earlier run's file must not stay beside
    # the new, failed record
    out = tmp_path / "out"
    (out / "runs").mkdir(parents=True)
    (out / "runs" / "a=7.ipynb").write_text("{}")
    died = {"status": "failed", "values": {}, "notebook": None, "seconds": 0.0,
            "error": {"cell": None, "line": None, "source": "", "ename": "BrokenProcessPool",
                      "evalue": "worker failed: a child process terminated abruptly"}}
    monkeypatch.setattr(sweep._parallel, "_execute_run", lambda task: died)
    rows = run_sweep(DEMO, {"a": 7}, out, on_error="keep", as_frame=False)
    assert rows[0]["status"] == "failed"
    assert rows[0]["error"] == "notebook: BrokenProcessPool: worker failed: a child process " \
                               "terminated abruptly"
    assert not (out / "runs" / "a=7.ipynb").exists()
    assert json.loads((out / "runs" / "a=7.json").read_text())["status"] == "failed"


def test_unreachable_scheduler_is_a_clear_error(tmp_path, monkeypatch):
    pytest.importorskip("distributed")
    monkeypatch.setattr(sweep._parallel, "SCHEDULER_TIMEOUT", 1)
    code, _, stderr = cli(DEMO, "-p", "a=1", "-o", tmp_path / "out", "--scheduler",
                          "tcp://127.0.0.1:9")
    assert code == 2 and "scheduler 'tcp://127.0.0.1:9'" in stderr
    assert not list((tmp_path / "out" / "runs").iterdir())


def test_bad_api_arguments(tmp_path):
    with pytest.raises(ValueError, match="jobs must be a positive integer"):
        run_sweep(DEMO, {"a": 1}, tmp_path, jobs=0)
    with pytest.raises(ValueError, match="on_error"):
        run_sweep(DEMO, {"a": 1}, tmp_path, on_error="ignore")
    with pytest.raises(ValueError, match="timeout"):
        run_sweep(DEMO, {"a": 1}, tmp_path, timeout=0)
    with pytest.raises(TypeError, match="out_dir"):
        run_sweep(DEMO, {"a": 1}, None)
    (tmp_path / "file").write_text("")
    with pytest.raises(ValueError, match="not a folder"):
        run_sweep(DEMO, {"a": 1}, tmp_path / "file")
    with pytest.raises(TypeError, match="grid must be a mapping"):
        run_sweep(DEMO, [1, 2], tmp_path / "x")
    assert not (tmp_path / "x").exists()
    with pytest.raises(TypeError, match="notebook must be a path"):
        plan_sweep(42, {})


def test_error_text_formats():
    assert sweep._execute._error_text(None) == ""
    assert sweep._execute._error_text({"cell": 4, "line": 2, "source": "x = 1 / 0",
                              "ename": "ZeroDivisionError", "evalue": "division by zero"}) \
        == "In [4] line 2 `x = 1 / 0`: ZeroDivisionError: division by zero"
    assert sweep._execute._error_text({"cell": None, "line": None, "source": "",
                              "ename": "DeadKernelError", "evalue": "Kernel died\nlog"}) \
        == "notebook: DeadKernelError: Kernel died"


@pytest.mark.skipif(os.name != "posix", reason="Unix sockets are POSIX only")
def test_kernels_talk_over_unix_sockets_not_tcp_ports(tmp_path):
    # TCP ports are picked by binding and releasing them, so kernels starting side by
    # side (or other programs) can take each other's port; Unix sockets in the run's
    # own folder cannot collide
    nb = nbformat.v4.new_notebook(metadata={"kernelspec": {"name": "python3",
                                                           "display_name": "Python 3",
                                                           "language": "python"}})
    nb.cells = [nbformat.v4.new_code_cell("x = 1", metadata={"tags": ["parameters"]}),
                nbformat.v4.new_code_cell(
                    "from ipykernel.kernelapp import IPKernelApp\n"
                    "from uniqnets.book import record\n"
                    "record('transport', IPKernelApp.instance().transport)")]
    rows = run_sweep(nb, {"x": 2}, tmp_path / "out", as_frame=False)
    assert rows[0]["transport"] == "ipc"


# --------------------------------------------------------------------------------------
# A sweep that survives what users do to it
# --------------------------------------------------------------------------------------

def test_parse_values_is_yaml_with_json_types():
    assert parse_values("0.01,0.02") == [0.01, 0.02]
    assert parse_values("[8,8],[16,16]") == [[8, 8], [16, 16]]
    assert parse_values("0:4") == [0, 1, 2, 3]
    # YAML 1.1 would read 1e-3 as a string, 1:4 as the sexagesimal 64, yes as True, 010 as 8
    assert parse_values("1e-3,-2.5E2,1:4") == [0.001, -250.0, 1, 2, 3]
    assert parse_values("yes,off,010,2024-01-01") == ["yes", "off", "010", "2024-01-01"]
    assert parse_values("'1:4',\"0.5\"") == ["1:4", "0.5"]  # quoted: strings
    assert parse_values("{lr: 0.1, seeds: 0:2}") == [{"lr": 0.1, "seeds": [0, 1]}]
    assert parse_values("[0:2, 5]") == [[0, 1, 5]]  # a range inside a list is spliced in
    assert parse_values("x#1,.inf") == ["x#1", float("inf")]
    with pytest.raises(ValueError, match="comment"):  # " #" would drop the values after it
        parse_values("x #1,2")
    with pytest.raises(ValueError, match="not valid YAML"):
        parse_values("[1,2")
    with pytest.raises(TypeError, match="text must be a string"):
        parse_values(3)


def test_cell_error_comes_from_papermills_exception():
    from papermill.exceptions import PapermillExecutionError

    source = "import math\n\n# a comment\nx = math.sqrt(-1)\n"
    traceback = ["\x1b[0;31m----\x1b[0m", "\x1b[0;32mCell In[5], line 4\x1b[0m\n  x = ..."]
    exc = PapermillExecutionError(cell_index=7, exec_count=5, source=source,
                                  ename="ValueError", evalue="math domain error",
                                  traceback=traceback)
    error = sweep._execute._cell_error(exc)
    assert error == {"cell": 5, "cell_index": 7, "line": 4, "source": "x = math.sqrt(-1)",
                     "ename": "ValueError", "evalue": "math domain error"}
    assert sweep._execute._error_text(error) == \
        "In [5] line 4 `x = math.sqrt(-1)`: ValueError: math domain error"
    # without the frame's header, the error names the cell and its first line of code
    exc = PapermillExecutionError(7, 5, source, "ValueError", "math domain error", [])
    error = sweep._execute._cell_error(exc)
    assert error["line"] is None and error["source"] == "import math"
    assert error["ename"] == "ValueError" and error["cell"] == 5


def test_a_second_sweep_into_the_same_folder_is_refused(tmp_path):
    out = tmp_path / "out"
    (out / "runs").mkdir(parents=True)
    with sweep._store._locked(out):  # as if another sweep were writing into out
        with pytest.raises(SweepError, match=r"another sweep \(process \d+\) is writing into"):
            run_sweep(DEMO, {"a": [1, 2]}, out)
        code, _, stderr = cli(DEMO, "-p", "a=1,2", "-o", out)
        assert code == 2 and "another sweep" in stderr and ".lock" in stderr
        # a dry run only reads the folder
        assert cli(DEMO, "-p", "a=1,2", "-o", out, "--dry-run")[0] == 0
    assert list((out / "runs").iterdir()) == []  # nothing ran
    with sweep._store._locked(out):  # released when its holder is done
        pass


def test_a_change_of_the_library_makes_finished_runs_stale(swept, tmp_path, monkeypatch):
    import uniqnets

    lib = tmp_path / "uniqnets"
    shutil.copytree(Path(uniqnets.__file__).parent, lib,
                    ignore=shutil.ignore_patterns("__pycache__"))
    monkeypatch.setattr(sweep._store, "_package_root", lambda: lib)
    code, stdout, _ = cli(swept.nb, *GRID, "-o", swept.out, "--dry-run")
    assert stdout.count("skip (done)") == 4  # the same files: the same code
    with open(lib / "models.py", "a") as fh:
        fh.write("\n# a change to the library\n")
    code, stdout, _ = cli(swept.nb, *GRID, "-o", swept.out, "--dry-run")
    assert stdout.count("run (stale)") == 4
    (lib / "models.py").unlink()
    (lib / "_new_module.py").write_text("")
    assert cli(swept.nb, *GRID, "-o", swept.out, "--dry-run")[1].count("run (stale)") == 4


def test_a_damaged_notebook_with_an_intact_record_is_run_again(swept, tmp_path):
    out = tmp_path / "out"
    shutil.copytree(swept.out, out)
    runs = out / "runs"
    truncated = runs / "a=1,b=0.5.ipynb"
    truncated.write_bytes(truncated.read_bytes()[:200])  # not a notebook any more
    edited = runs / "a=2,b=1.5.ipynb"  # still a notebook, but not the one recorded
    nb = nbformat.read(edited, as_version=4)
    nb.cells[-1].outputs = []
    nbformat.write(nb, edited)
    code, stdout, _ = cli(swept.nb, *GRID, "-o", out, "--dry-run")
    assert "a=1,b=0.5  run (damaged)" in stdout and "a=2,b=1.5  run (damaged)" in stdout
    assert stdout.count("skip (done)") == 2
    code, stdout, _ = cli(swept.nb, *GRID, "-o", out, "--jobs", 2)
    assert code == 0 and "4 runs: 4 done (2 reused), 0 failed" in stdout
    assert read_records(nbformat.read(truncated, as_version=4))["total"] == 1.5
    assert read_csv(out / "results.csv") == read_csv(swept.out / "results.csv")


def test_files_are_created_0644_under_the_umask(swept, tmp_path):
    from uniqnets.book._record import atomic_write, dump

    mask = os.umask(0o022)
    os.umask(mask)
    files = [p for p in swept.out.rglob("*") if p.is_file()]
    assert {p.name for p in files} >= {"results.csv", "results.json", ".lock",
                                      "a=1,b=0.5.ipynb", "a=1,b=0.5.json"}
    for path in files:
        assert stat.S_IMODE(path.stat().st_mode) == 0o666 & ~mask, path.name
    old = os.umask(0o027)
    try:
        assert stat.S_IMODE(atomic_write(tmp_path / "a.txt", "x").stat().st_mode) == 0o640
        assert stat.S_IMODE(dump(tmp_path / "b.json", {"x": 1}).stat().st_mode) == 0o640
    finally:
        os.umask(old)


def _start_sweep(out: Path, *argv, tmpdir: Path | None = None) -> subprocess.Popen:
    """The sweep's command line in a process (and session) of its own."""
    nb = copy_demo(out.parent / "nb")
    env = {**os.environ, "PYTHONWARNINGS": "ignore"}
    if tmpdir is not None:  # the runs' temporary folders go there
        tmpdir.mkdir(parents=True, exist_ok=True)
        env["TMPDIR"] = str(tmpdir)
    return subprocess.Popen(
        [sys.executable, "-m", "uniqnets.book.sweep", str(nb), *map(str, argv), "-o", str(out)],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, start_new_session=True,
        env=env, preexec_fn=_sigint_default)


def _sigint_default():
    # as in a terminal, where Ctrl-C is at its default. A process started in the
    # background (`cmd &` without job control, nohup, some CI runners) inherits SIGINT
    # ignored, and Python then installs no KeyboardInterrupt handler: the sweep would
    # rightly not react to the test's SIGINT (seen in pytest-xdist workers of a run
    # started with nohup)
    signal.signal(signal.SIGINT, signal.SIG_DFL)


def _kernels(descendants) -> list:
    found = []
    for p in descendants:
        with contextlib.suppress(psutil.Error):
            if any("ipykernel" in part for part in p.cmdline()):
                found.append(p)
    return found


def _wait_for(condition, timeout: float, what: str):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = condition()
        if value:
            return value
        time.sleep(0.2)
    raise AssertionError(f"timed out waiting for {what}")


def _gone(processes, timeout: float) -> list:
    """The processes still alive (zombies count as gone) after up to ``timeout`` s."""
    def alive():
        left = []
        for p in processes:
            with contextlib.suppress(psutil.NoSuchProcess):
                if p.status() != psutil.STATUS_ZOMBIE:
                    left.append(p)
        return left

    deadline = time.monotonic() + timeout
    while (left := alive()) and time.monotonic() < deadline:
        time.sleep(0.2)
    return left


def _kill_all(processes):
    """Clean up after a failed test: only processes this test started (its sweep's)."""
    for p in processes:
        with contextlib.suppress(psutil.Error):
            p.kill()


@pytest.mark.skipif(os.name != "posix" or psutil is None,
                    reason="kill -9 and process groups are POSIX; psutil lists the processes")
def test_workers_and_kernels_die_with_the_sweep(tmp_path):
    proc = _start_sweep(tmp_path / "out", "-p", "a=1,2", "-p", "sleep=60.0", "--jobs", 2)
    parent = psutil.Process(proc.pid)
    seen: list = []
    try:
        def two_kernels():
            seen[:] = parent.children(recursive=True)
            return len(_kernels(seen)) == 2

        _wait_for(two_kernels, 90, "the two runs' kernels")
        assert len(seen) >= 4  # two workers, two kernels (and multiprocessing's tracker)
        proc.kill()  # kill -9 of the sweep only, not of its process group
        proc.wait(10)
        left = _gone(seen, 15)
        assert not left, [p.cmdline() for p in left]
    finally:  # the sweep's children hold its output pipes: they go first
        _kill_all(seen)
        proc.kill()
        proc.communicate(timeout=30)


@pytest.mark.skipif(os.name != "posix" or psutil is None,
                    reason="SIGINT to another process is POSIX; psutil lists the processes")
@pytest.mark.parametrize("jobs", [1, 2])
def test_ctrl_c_keeps_finished_runs_and_writes_the_table(tmp_path, jobs):
    out = tmp_path / "out"
    tmpdir = tmp_path / "tmp"
    proc = _start_sweep(out, "-p", "sleep=0.0,60.0,0.5", "--jobs", jobs, tmpdir=tmpdir)
    parent = psutil.Process(proc.pid)
    seen: list = []
    try:
        _wait_for(lambda: (out / "runs" / "sleep=0.0.json").exists(), 90, "the first run")

        def second_running():  # the 60 s run's kernel is up (with --jobs 2, also the third's)
            seen[:] = parent.children(recursive=True)
            return _kernels(seen)

        _wait_for(second_running, 60, "the second run's kernel")
        proc.send_signal(signal.SIGINT)
        stdout, stderr = proc.communicate(timeout=30)
        assert proc.returncode == 130, stdout + stderr
        assert "Traceback" not in stderr and "KeyboardInterrupt" not in stderr
        lines = [ln for ln in stderr.splitlines() if ln.startswith("interrupted")]
        assert len(lines) == 1 and "runs finished and kept" in lines[0], stderr
        assert not _gone(seen, 15)  # the runs in flight were cancelled, kernels included
        # one line, no thread's traceback; nothing left in the temporary folder
        assert "InvalidStateError" not in stderr and "Exception in thread" not in stderr
        assert not list(tmpdir.glob("uniqnets-run-*")), sorted(tmpdir.iterdir())
        rows = read_csv(out / "results.csv")
        assert [r["run"] for r in rows if r["status"] == "ok"][:1] == ["sleep=0.0"]
        assert "sleep=60.0" not in [r["run"] for r in rows]
        assert not (out / "runs" / "sleep=60.0.json").exists()
        assert json.loads((out / "runs" / "sleep=0.0.json").read_text())["status"] == "ok"
        # the rerun reuses what was kept
        code, dry, _ = cli(out.parent / "nb" / DEMO.name, "-p", "sleep=0.0,60.0,0.5", "-o",
                           out, "--dry-run")
        assert "sleep=0.0   skip (done)" in dry and "sleep=60.0  run (new)" in dry
    finally:
        _kill_all(seen)
        if proc.poll() is None:
            proc.kill()
            proc.communicate(timeout=30)


def test_empty_comment_only_and_duplicate_grid_files_are_refused(tmp_path):
    nb = copy_demo(tmp_path / "nb")
    cases = {"empty.yml": ("", "empty"), "comments.yml": ("# nothing\n# here\n", "empty"),
             "twice.yml": ("a: [1, 2]\nb: 0.5\na: 3\n", "'a' twice")}
    for name, (text, match) in cases.items():
        path = tmp_path / name
        path.write_text(text)
        with pytest.raises(ValueError, match=match):
            load_grid(path)
        code, _, stderr = cli(nb, "--grid", path, "-o", tmp_path / "out")
        assert code == 2 and match in stderr, stderr
        with pytest.raises(ValueError, match=match):
            run_sweep(nb, path, tmp_path / "out2")


def test_a_sweep_folder_belongs_to_one_notebook(swept, tmp_path):
    """A second notebook into the folder of another is refused; nothing is replaced."""
    other = tmp_path / "other" / "another_demo.md"
    other.parent.mkdir()
    other.write_text(DEMO.read_text())
    before = snapshot(swept.out)
    code, _, stderr = cli(other, *GRID, "-o", swept.out)
    assert code == 2 and "belongs to one notebook" in stderr and swept.nb.name in stderr
    assert snapshot(swept.out) == before
    with pytest.raises(SweepError, match="belongs to one notebook"):
        run_sweep(other, {"a": [1]}, swept.out)
    assert snapshot(swept.out) == before


def test_a_sweep_cleans_up_what_a_killed_sweep_left(tmp_path):
    """Run folders whose process is gone (kill -9) are removed by the next sweep."""
    from uniqnets.book.sweep._execute import OWNER, clean_stale_runs

    dead = subprocess.Popen([sys.executable, "-c", "pass"])
    dead.wait()
    stale, live, unmarked = (tmp_path / f"uniqnets-run-{n}" for n in ("a", "b", "c"))
    for folder, pid in ((stale, dead.pid), (live, os.getpid()), (unmarked, None)):
        folder.mkdir()
        (folder / "kernel-connection.json").write_text("{}")
        if pid is not None:
            (folder / OWNER).write_text(str(pid))
    assert clean_stale_runs(str(tmp_path)) == [str(stale)]
    assert not stale.exists() and live.exists() and unmarked.exists()


@pytest.mark.skipif(os.name != "posix", reason="SIGTERM handlers are POSIX")
def test_a_stopped_worker_removes_its_runs_folders_even_unmarked(tmp_path):
    """A worker stopped while its run's folder has lost its mark (half removed after the
    run, or not yet marked) removes the folder itself: ``clean_stale_runs`` cannot."""
    script = (
        "import os, sys, time\n"
        "from uniqnets.book.sweep._parallel import _worker_init\n"
        "from uniqnets.book.sweep._execute import OWNER, RUN_PREFIX, _run_folder\n"
        "import tempfile\n"
        "_worker_init(os.getppid())\n"
        "with _run_folder(lambda: tempfile.mkdtemp(prefix=RUN_PREFIX)) as path:\n"
        "    os.remove(os.path.join(path, OWNER))\n"
        "    print(path, flush=True)\n"
        "    time.sleep(60)\n"
    )
    env = {**os.environ, "TMPDIR": str(tmp_path)}
    proc = subprocess.Popen([sys.executable, "-c", script], stdout=subprocess.PIPE, text=True,
                            env=env)
    try:
        folder = Path(proc.stdout.readline().strip())
        assert folder.parent == tmp_path and folder.is_dir() and not list(folder.iterdir())
        proc.send_signal(signal.SIGTERM)
        assert proc.wait(timeout=30) == 1
        assert not folder.exists()
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()


@pytest.mark.skipif(os.name != "posix", reason="Unix sockets are POSIX")
def test_runs_start_when_the_temporary_folders_path_is_too_long_for_a_socket(tmp_path):
    """A socket's path must fit in ``sun_path``: with a TMPDIR too deep for one, the
    kernels' sockets go to a short folder of their own, removed with the run."""
    from uniqnets.book._execute import SOCKET_PATH_MAX

    deep = tmp_path / ("d" * 60) / ("e" * 60)
    assert len(str(deep / "uniqnets-run-xxxxxxxx" / "kernel-ipc-1")) > SOCKET_PATH_MAX
    before = set(Path("/tmp").glob("uniqnets-run-*"))
    out = tmp_path / "out"
    proc = _start_sweep(out, "-p", "a=1,2", tmpdir=deep)
    stdout, stderr = proc.communicate(timeout=300)
    assert proc.returncode == 0, stdout + stderr
    assert [r["status"] for r in read_csv(out / "results.csv")] == ["ok", "ok"]
    assert not list(deep.glob("uniqnets-run-*"))
    assert set(Path("/tmp").glob("uniqnets-run-*")) <= before  # the short folders are gone


@pytest.mark.skipif(os.name != "posix", reason="Unix sockets are POSIX")
def test_the_books_kernels_find_room_for_their_sockets(tmp_path, monkeypatch):
    import tempfile as _tempfile

    from uniqnets.book._execute import SOCKET_PATH_MAX, kernel_manager_class

    deep = tmp_path / ("d" * 60) / ("e" * 60)
    deep.mkdir(parents=True)
    monkeypatch.setattr(_tempfile, "tempdir", str(deep))
    km = kernel_manager_class(asynchronous=False)()
    assert km.transport == "ipc" and len(km.ip) + len("-9999") <= SOCKET_PATH_MAX
    km.start_kernel()
    try:
        client = km.client()
        client.start_channels()
        client.wait_for_ready(timeout=60)
        client.stop_channels()
    finally:
        km.shutdown_kernel(now=True)
    assert not Path(km.ip).parent.exists()
