"""The output folder of a sweep: run records, executed notebooks, the table, the lock.

``OUT/runs/NAME.ipynb`` is a run's executed notebook and ``OUT/runs/NAME.json`` its
record, written last: the record is the mark of a finished run, and holds the hash of
the notebook written with it.  ``OUT/results.csv`` and ``OUT/results.json`` are the
table; ``OUT/.lock`` is held (``flock``) by the sweep writing into the folder.  Every
file is written with :func:`uniqnets.book._record.atomic_write`.
"""

from __future__ import annotations

import csv
import hashlib
import io
import json
import os
import time
from contextlib import contextmanager
from pathlib import Path

from uniqnets.book._record import atomic_write, dump

from ._execute import _error_text
from ._grid import Run, SweepError, _canonical, _digest

try:
    import fcntl
except ImportError:  # pragma: no cover - Windows: no flock, sweeps are not locked
    fcntl = None

#: columns of the results table that are not parameters or recorded values
META_COLUMNS = ("run", "status", "error")


# ---------------------------------------------------------------------------------
# What makes a finished run stale: the notebook's code and the library's
# ---------------------------------------------------------------------------------

def _package_root() -> Path:
    """The folder of the installed ``uniqnets`` package (the one the kernels import)."""
    import uniqnets

    return Path(uniqnets.__file__).resolve().parent


def _library_digest(root: Path | None = None) -> str:
    """Hash of every ``.py`` file under ``root`` (default: the ``uniqnets`` package)."""
    root = _package_root() if root is None else Path(root)
    h = hashlib.sha256()
    for path in sorted(root.rglob("*.py")):
        h.update(path.relative_to(root).as_posix().encode() + b"\0")
        h.update(hashlib.sha256(path.read_bytes()).digest())
    return h.hexdigest()[:16]


def _code_digest(nb) -> str:
    """Hash of the notebook's code and of the library's: a run of other code is stale."""
    code = [c.source for c in nb.cells if c.get("cell_type") == "code"]
    return _digest({"notebook": code, "library": _library_digest()}, 16)


# ---------------------------------------------------------------------------------
# Run records
# ---------------------------------------------------------------------------------

def _record_path(out_dir: Path, run: Run) -> Path:
    return out_dir / "runs" / f"{run.name}.json"


def _notebook_path(out_dir: Path, run: Run) -> Path:
    return out_dir / "runs" / f"{run.name}.ipynb"


def _sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def _load_record(out_dir: Path, run: Run):
    try:
        with open(_record_path(out_dir, run), encoding="utf-8") as fh:
            rec = json.load(fh)
    except (OSError, ValueError):
        return None
    return rec if isinstance(rec, dict) else None


def _notebook_intact(out_dir: Path, rec: dict, run: Run) -> bool:
    """Whether the run's notebook is the one its record was written with, and parses."""
    import nbformat

    try:
        data = _notebook_path(out_dir, run).read_bytes()
    except OSError:
        return False
    if _sha256(data) != rec.get("notebook_sha256"):
        return False
    try:
        nbformat.reads(data.decode("utf-8"), as_version=4)
    except Exception:  # nbformat raises several kinds for a file that is not a notebook
        return False
    return True


def _state(out_dir: Path, run: Run, code: str) -> str:
    """What a rerun does with ``run``.

    ``done`` (reusable: finished, same parameters and code, notebook intact),
    ``failed``, ``stale`` (other parameters, or the notebook's or the library's code
    changed), ``damaged`` (its notebook is missing, changed or unreadable) or ``new``.
    """
    rec = _load_record(out_dir, run)
    if rec is None:
        return "new"
    if _canonical(rec.get("parameters")) != _canonical(run.parameters) or rec.get("code") != code:
        return "stale"
    if rec.get("status") != "ok":
        return "failed"
    if not _notebook_intact(out_dir, rec, run):
        return "damaged"
    return "done"


def _store(out_dir: Path, run: Run, result: dict, notebook: str, code: str) -> dict:
    record_path = _record_path(out_dir, run)
    # the record is the mark of a finished run: remove the old one before anything else
    if record_path.exists():
        record_path.unlink()
    digest = None
    if result.get("notebook") is not None:
        data = result["notebook"].encode("utf-8")
        atomic_write(_notebook_path(out_dir, run), data)
        digest = _sha256(data)
    elif _notebook_path(out_dir, run).exists():  # an earlier run's notebook would mislead
        _notebook_path(out_dir, run).unlink()
    rec = {"run": run.name, "parameters": run.parameters, "status": result["status"],
           "values": result["values"], "order": list(result["values"]),
           "error": result["error"],
           "seconds": round(result["seconds"], 3), "notebook": notebook, "code": code,
           "notebook_sha256": digest, "finished": time.strftime("%Y-%m-%dT%H:%M:%S")}
    dump(record_path, rec)
    return rec


# ---------------------------------------------------------------------------------
# The table
# ---------------------------------------------------------------------------------

def _row(run: Run, rec: dict) -> dict:
    row = {"run": run.name}
    row.update(run.parameters)
    if rec["status"] == "ok":  # a failed run's partial values stay in its record only
        values = rec["values"]
        for k in rec.get("order", values):  # the record's JSON keeps keys sorted
            v = values[k]
            row[f"recorded.{k}" if k in row or k in META_COLUMNS else k] = v
    row["status"] = rec["status"]
    row["error"] = _error_text(rec.get("error"))
    return row


def _columns(rows: list[dict]) -> list[str]:
    cols: list[str] = []
    for row in rows:
        for k in row:
            if k not in cols and k not in ("status", "error"):
                cols.append(k)
    return cols + ["status", "error"]


def _csv_cell(value) -> str:
    if value is None:
        return ""
    if isinstance(value, float):
        return repr(value)
    if isinstance(value, (list, dict)):
        return json.dumps(value)
    return str(value)


def _write_table(out_dir: Path, rows: list[dict], notebook: str) -> list[str]:
    columns = _columns(rows)
    buf = io.StringIO()
    writer = csv.writer(buf, lineterminator="\n")
    writer.writerow(columns)
    for row in rows:
        writer.writerow([_csv_cell(row.get(c)) for c in columns])
    atomic_write(out_dir / "results.csv", buf.getvalue())
    dump(out_dir / "results.json", {"notebook": notebook, "columns": columns, "runs": rows})
    return columns


# ---------------------------------------------------------------------------------
# One sweep per folder
# ---------------------------------------------------------------------------------

@contextmanager
def _locked(out_dir: Path):
    """Hold ``out_dir/.lock`` for the sweep, or raise :class:`SweepError` if another does.

    ``flock`` locks belong to the open file, so the system releases the lock when the
    holder exits in any way (``kill -9`` included): a lock file left behind by a dead
    sweep does not block the next one.
    """
    if fcntl is None:  # pragma: no cover - Windows
        yield
        return
    path = out_dir / ".lock"
    fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o666)  # not inherited by children
    try:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            holder = os.read(fd, 64).decode("ascii", "replace").strip()
            who = f" (process {holder})" if holder.isdigit() else ""
            raise SweepError(f"another sweep{who} is writing into {str(out_dir)!r} (it holds "
                             f"{str(path)!r}); wait for it to finish or choose another "
                             "output folder") from None
        os.ftruncate(fd, 0)
        os.write(fd, f"{os.getpid()}\n".encode("ascii"))
        yield
    finally:
        os.close(fd)
