"""Verdicts on the claims, recorded where they are settled; the ledger; their robustness.

A chapter settles a claim in a check cell: the asserts, then one call ::

    verdict("U1", "fails", because=f"... λ = {lam:.2e} ...",
            evidence={"lam_small": lam}, where="sec-lyap-minimum")

which records the verdict (:func:`uniqnets.book.record`, under ``verdict.U1``: glued for
the ledger page and kept in the executed notebook, so sweeps collect it) and shows it as
the chapter's verdict box.  The ledger (``book/claims.md``) pastes the recorded verdicts
with the ``ledger`` directive of the book's local extension (``book/_ext/book_html.py``),
which reads the rows with :func:`ledger_rows`; ``tests/test_ledger.py`` checks the
ledger against the chapters' :func:`verdict_calls`.

:func:`robustness` reruns chapters at their fast-rerun sizes over several seeds with the
book's sweep and writes, per claim, how often the verdict came out as at the default
seed and the spread of its evidence (``make robustness``, which calls ``main``).
"""

from __future__ import annotations

import argparse
import ast
import datetime
import html
import json
import math
import re
import shlex
import statistics
import sys
import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

from uniqnets._validate import check_choice, check_int

from ._labels import evidence_label
from ._record import JSON_MIME, dump, number_text, numbers_in_text, record, to_builtin

__all__ = ["BADGES", "KEY_PREFIX", "LITERAL_STATUS", "STATUSES", "STATUS_COLOURS", "LedgerRow",
           "VerdictCall", "evidence_text", "status_class",
           "ledger_rows", "robustness", "status_is_computed", "verdict", "verdict_calls",
           "verdict_markdown", "verdict_summary"]

#: the verdicts a claim can get (the ledger's definitions)
STATUSES = ("holds", "holds under conditions", "fails", "not a claim about numbers")
#: sphinx-design badge colour of each verdict ("not yet tested" is the ledger's own)
BADGES = {"holds": "success", "holds under conditions": "warning", "fails": "danger",
          "not a claim about numbers": "info", "not yet tested": "light"}
#: prefix of the recorded (glued) name of a verdict: ``verdict.U1``
KEY_PREFIX = "verdict."
#: source texts, by the letter of their claims
SOURCES = {"U": "uniqueness preprint", "E": "computational entanglement",
           "G": "GINN paper", "R": "linear-equivalence paper"}

_CLAIM = re.compile(r"^[UEGR]\d+$")
_LABEL = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.:-]*$")


def _check_text(value, name: str, pattern: re.Pattern | None = None) -> str:
    # no shared check for strings in _validate: a string, non-empty, optionally a pattern
    if not isinstance(value, str):
        raise TypeError(f"{name} must be a string, got {type(value).__name__}")
    if not value.strip():
        raise ValueError(f"{name} must be a non-empty string")
    if pattern is not None and not pattern.match(value):
        raise ValueError(f"{name} must match {pattern.pattern}, got {value!r}")
    return value


def _fmt(value) -> str:
    """A recorded evidence value as short text (numbers to 3 significant digits)."""
    if isinstance(value, bool) or value is None:
        return str(value)
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        return number_text(f"{value:.3g}")
    if isinstance(value, list):
        items = [_fmt(v) for v in value[:8]]
        return "[" + ", ".join(items) + (", …" if len(value) > 8 else "") + "]"
    if isinstance(value, dict):
        return "{" + ", ".join(f"{k}: {_fmt(v)}" for k, v in value.items()) + "}"
    return str(value)


def label(claim: str) -> str:
    """The target of a claim's verdict box: ``verdict-u1``."""
    return "verdict-" + claim.lower()


def status_class(status: str) -> str:
    """The CSS class of a verdict box of this status: ``verdict-holds-under-conditions``."""
    return "verdict-" + status.replace(" ", "-")


#: colour of each status (the book's CSS, book/_ext/book_html.py, uses the same); the
#: HTML rendition for JupyterLab carries it inline, as Lab does not load the book's CSS
STATUS_COLOURS = {"holds": "#2e7d32", "holds under conditions": "#b26a00",
                  "fails": "#c62828", "not a claim about numbers": "#1565c0"}


def evidence_text(evidence: Mapping) -> str:
    """The evidence of a verdict as one line of Markdown, each value labelled in words.

    Examples
    --------
    >>> evidence_text({"rho_init": 1.02, "top exponent": -0.5})
    'spectral radius ρ(I − ηH) at initialisation: 1.02 · top exponent: -0.5'
    """
    return " · ".join(f"{evidence_label(k)}: {_fmt(v)}" for k, v in evidence.items())


def verdict_markdown(rec: Mapping) -> str:
    """The verdict box of a recorded verdict, as MyST Markdown (an ``admonition``).

    The status is said once, in the title; the box's classes (``verdict`` and
    ``status_class``) colour it by status.

    Examples
    --------
    >>> print(verdict_markdown({"claim": "U9", "status": "fails", "because": "a split.",
    ...                         "evidence": {"ratio": 1.0}, "where": None}))
    (verdict-u9)=
    :::{admonition} Verdict on U9: fails
    :class: verdict verdict-fails
    a split.
    <BLANKLINE>
    *Evidence:* ratio: 1
    :::
    """
    lines = [f"({label(rec['claim'])})=",
             f":::{{admonition}} Verdict on {rec['claim']}: {rec['status']}",
             f":class: verdict {status_class(rec['status'])}",
             numbers_in_text(rec["because"])]
    if rec.get("evidence"):
        lines += ["", "*Evidence:* " + evidence_text(rec["evidence"])]
    lines.append(":::")
    return "\n".join(lines)


_ROLE = re.compile(r"\{[a-z:-]+\}`([^`<]*?)(?:\s*<[^>]*>)?`")


def verdict_html(rec: Mapping) -> str:
    """The verdict box as plain HTML, for frontends that do not render MyST.

    MyST roles keep their text (``{ref}`§2 <sec>``` becomes ``§2``); the rest of the
    Markdown is rendered by markdown-it (the parser MyST itself builds on).

    Examples
    --------
    >>> out = verdict_html({"claim": "U9", "status": "fails", "because": "see {ref}`§2 <s>`.",
    ...                     "evidence": {}, "where": None})
    >>> "Verdict on U9: fails</p>" in out, "<p>see §2.</p>" in out
    (True, True)
    """
    from markdown_it import MarkdownIt

    text = _ROLE.sub(lambda m: m.group(1), numbers_in_text(rec["because"]))
    if rec.get("evidence"):
        text += "\n\n*Evidence:* " + evidence_text(rec["evidence"])
    body = MarkdownIt("commonmark").render(text)
    status = rec["status"]
    colour = STATUS_COLOURS[status]
    return (f'<aside class="uniqnets-verdict uniqnets-{status_class(status)}" style="border-left: '
            f'4px solid {colour}; padding: 0 0.8em;">'
            f'<p class="uniqnets-verdict-title" style="color: {colour}; font-weight: bold;">'
            f'Verdict on {html.escape(rec["claim"])}: {html.escape(status)}</p>\n{body}</aside>')


def verdict(claim, status, because, evidence=None, where=None) -> None:
    """Record the verdict on one claim and show it as the chapter's verdict box.

    Call it in the check cell that settles the claim, after its asserts. The verdict is
    recorded under ``verdict.CLAIM`` (glued for the ledger, kept for sweeps) and shown as
    a MyST admonition, which the book renders (``nb_render_markdown_format: myst``).

    Parameters
    ----------
    claim : str
        The ledger's id of the claim: a source letter (U, E, G, R) and a number, ``"U1"``.
    status : str
        One of ``STATUSES``: ``"holds"``, ``"holds under conditions"``, ``"fails"``,
        ``"not a claim about numbers"``.
    because : str
        Why, in MyST Markdown; numbers in it come from the computation (f-strings).
    evidence : mapping, optional
        Name -> the computed numbers the verdict rests on (recordable values:
        numbers, booleans, strings, arrays); the robustness sweep reports their spread.
    where : str, optional
        Label of the section that settles the claim (the ledger links to it).

    Examples
    --------
    Outside a kernel the verdict is only kept (in ``RECORDED``):

    >>> from uniqnets.book import RECORDED
    >>> verdict("U9", "fails", because="a symmetric split obeys it.",
    ...         evidence={"ratio": 1.0}, where="ch02-detailed-balance")
    >>> RECORDED["verdict.U9"]["status"], RECORDED["verdict.U9"]["evidence"]
    ('fails', {'ratio': 1.0})
    """
    _check_text(claim, "claim", _CLAIM)
    check_choice(status, "status", STATUSES)
    _check_text(because, "because")
    if evidence is None:
        evidence = {}
    if not isinstance(evidence, Mapping):
        raise TypeError(f"evidence must be a mapping of names to values, "
                        f"got {type(evidence).__name__}")
    if where is not None:
        _check_text(where, "where", _LABEL)
    rec = {"claim": claim, "status": status, "because": because,
           "evidence": to_builtin(dict(evidence)), "where": where}
    record(KEY_PREFIX + claim, rec)
    try:
        from IPython import get_ipython
        from IPython.display import display
    except ImportError:  # pragma: no cover - IPython comes with ipykernel
        return
    if get_ipython() is not None:
        # the book renders the MyST (nb_mime_priority_overrides in _config.yml puts
        # text/markdown first); JupyterLab renders outputs' Markdown without MyST, so it
        # shows the HTML rendition, which frontends prefer to text/markdown
        display({"text/markdown": verdict_markdown(rec), "text/html": verdict_html(rec),
                 "text/plain": f"Verdict on {claim}: {status}"}, raw=True)


def verdict_summary():
    """The verdicts recorded so far in this kernel, as a table (shown as a cell's result).

    The last cell of a page calls it under the heading *Verdicts*: one row per claim, its
    status as a badge and a link to its box, where the evidence is. Nothing is typed.

    Returns
    -------
    uniqnets.book.Table
        Markdown text that a notebook shows as a table.

    Examples
    --------
    >>> from uniqnets.book import RECORDED
    >>> verdict("U9", "fails" if 2 > 1 else "holds", because="a split obeys it.")
    >>> print(verdict_summary().splitlines()[-1])
    | {ref}`U9 <verdict-u9>` | {bdg-danger}`fails` | a split obeys it. |
    """
    from ._record import RECORDED
    from ._table import Table

    rows = ["| claim | verdict | why |", "|---|---|---|"]
    for key, rec in RECORDED.items():
        if not key.startswith(KEY_PREFIX) or not isinstance(rec, dict):
            continue
        first = re.split(r"(?<=[.;:])\s", numbers_in_text(rec["because"]).strip(),
                         maxsplit=1)[0]
        first = first.replace("|", "\\|")
        rows.append(f"| {{ref}}`{rec['claim']} <{label(rec['claim'])}>` | "
                    f"{{bdg-{BADGES[rec['status']]}}}`{rec['status']}` | {first} |")
    return Table("\n".join(rows))


# ---------------------------------------------------------------------------------
# The chapters' verdict calls and the ledger's rows, parsed (for the ledger and tests)
# ---------------------------------------------------------------------------------

#: the one status a verdict may state as a literal: it says there is no number to compare
LITERAL_STATUS = "not a claim about numbers"


def status_is_computed(node) -> bool:
    """True when a verdict's status argument is derived from a named comparison.

    The status must be a conditional expression, ``"fails" if neg else "holds"``, whose test
    is not a constant (a name, a comparison, a call; nested conditionals for more than two
    outcomes), or the literal ``"not a claim about numbers"``. Every branch must be a
    literal status or such an expression. A literal ``"holds"`` (or a name bound to one) is
    typed, not computed, and is refused.

    Examples
    --------
    >>> import ast
    >>> f = lambda s: status_is_computed(ast.parse(s, mode="eval").body)
    >>> f('"fails" if lam < 0 else "holds"'), f('"holds"'), f('"holds" if True else "fails"')
    (True, False, False)
    >>> f('"not a claim about numbers"'), f('status')
    (True, False)
    """
    if isinstance(node, ast.Constant):
        return node.value == LITERAL_STATUS
    if not isinstance(node, ast.IfExp) or isinstance(node.test, ast.Constant):
        return False

    def branch(n):
        if isinstance(n, ast.Constant):
            return n.value in STATUSES
        return isinstance(n, ast.IfExp) and status_is_computed(n)

    return branch(node.body) and branch(node.orelse)


@dataclass(frozen=True)
class VerdictCall:
    """One ``verdict(...)`` call found in a chapter: its status argument, as written."""

    claim: str
    source: str          # the status argument's source text
    computed: bool       # status_is_computed(...) of it
    statuses: tuple      # the literal statuses it can give
    line: int = 0


def verdict_calls(nb) -> dict[str, VerdictCall]:
    """Claim -> :class:`VerdictCall` for every ``verdict(...)`` call in a notebook's code.

    Found with the standard library's ``ast``, without running anything. ``nb`` is an
    nbformat notebook (see :func:`uniqnets.book.notebook.load`). A claim given twice, or a
    claim that is not a string literal, raises ``ValueError``.

    Examples
    --------
    >>> import nbformat
    >>> nb = nbformat.v4.new_notebook()
    >>> nb.cells = [nbformat.v4.new_code_cell(
    ...     'verdict("U9", "fails" if r > 1 else "holds", because="x")')]
    >>> call = verdict_calls(nb)["U9"]
    >>> call.computed, call.statuses, call.source
    (True, ('fails', 'holds'), "'fails' if r > 1 else 'holds'")
    """
    out: dict[str, VerdictCall] = {}
    for cell in nb.get("cells", []):
        if cell.get("cell_type") != "code":
            continue
        source = cell.source if isinstance(cell.source, str) else "".join(cell.source)
        # IPython magics are not Python: blank them out (keeps line numbers)
        source = "\n".join("" if ln.lstrip().startswith(("%", "!")) else ln
                           for ln in source.splitlines())
        for node in ast.walk(ast.parse(source)):
            if not (isinstance(node, ast.Call) and isinstance(node.func, ast.Name)
                    and node.func.id == "verdict"):
                continue
            args = list(node.args) + [kw.value for kw in node.keywords
                                      if kw.arg in ("claim", "status")]
            if not args or not isinstance(args[0], ast.Constant):
                raise ValueError(f"verdict() call at line {node.lineno}: the claim must be "
                                 "a string literal")
            claim = args[0].value
            if claim in out:
                raise ValueError(f"two verdict() calls for {claim}")
            status = args[1] if len(args) > 1 else None
            literals = tuple(dict.fromkeys(
                n.value for n in ast.walk(status) if isinstance(n, ast.Constant)
                and isinstance(n.value, str))) if status is not None else ()
            out[claim] = VerdictCall(claim, ast.unparse(status) if status is not None else "",
                                     status is not None and status_is_computed(status),
                                     literals, node.lineno)
    return out


_PASTE = re.compile(r"^\{verdict\}`([^`:]+)::([UEGR]\d+)`$")
_SPLIT = re.compile(r"(?<!\\)\|")


@dataclass(frozen=True)
class LedgerRow:
    """One row of the ledger: the claim as typed, and its verdict pasted or typed.

    A converted row pastes its verdict, ``{verdict}`DOC::ID``` in the verdict column
    (``doc``: the chapter's path relative to the ledger page, without suffix), and leaves
    the evidence column empty; a row of a chapter not yet converted types both.
    """

    id: str
    claim: str
    source: str
    chapter: str
    doc: str | None = None
    status: str | None = None
    evidence: str = ""
    line: int = 0

    @property
    def pasted(self) -> bool:
        return self.doc is not None


def ledger_rows(text: str) -> list[LedgerRow]:
    """The rows of every ``ledger`` block (a Markdown table) of a ledger page's source.

    Columns: ``id | claim | source | chapter | verdict | evidence``.

    Examples
    --------
    >>> text = '''```{ledger}
    ... | id | claim | source | chapter | verdict | evidence |
    ... |---|---|---|---|---|---|
    ... | U1 | Chaos. | Thm. 8 | 01 | {verdict}`../notebooks/01_x::U1` | |
    ... | U5 | Noise. | Lemma 9 | 02 | holds | see 02 |
    ... ```'''
    >>> [(r.id, r.doc, r.status) for r in ledger_rows(text)]
    [('U1', '../notebooks/01_x', None), ('U5', None, 'holds')]
    """
    rows, inside = [], False
    for n, raw in enumerate(text.splitlines(), 1):
        line = raw.strip()
        if not inside:
            inside = bool(re.match(r"^(```+|:::+)\{ledger\}", line))
            continue
        if re.match(r"^(```+|:::+)$", line):
            inside = False
            continue
        if not line.startswith("|"):
            continue
        cells = [c.strip() for c in _SPLIT.split(line.strip().strip("|"))]
        if cells[0] in ("id", "") or set(cells[0]) <= set("-: "):
            continue
        if len(cells) != 6:
            raise ValueError(f"ledger line {n}: {len(cells)} columns, expected 6 "
                             "(id | claim | source | chapter | verdict | evidence)")
        ident, claim, source, chapter, cell, evidence = cells
        m = _PASTE.match(cell)
        if m:
            if m[2] != ident:
                raise ValueError(f"ledger line {n}: row {ident} pastes the verdict of {m[2]}")
            rows.append(LedgerRow(ident, claim, source, chapter, doc=m[1], evidence=evidence,
                                  line=n))
        else:
            rows.append(LedgerRow(ident, claim, source, chapter, status=cell,
                                  evidence=evidence, line=n))
    return rows


def read_glued_verdicts(glue_json) -> dict[str, dict]:
    """Claim -> recorded verdict, from a myst-nb glue cache (``DOC.glue.json``) or mapping."""
    if isinstance(glue_json, (str, Path)):
        glue_json = json.loads(Path(glue_json).read_text(encoding="utf-8"))
    out = {}
    for key, item in glue_json.items():
        if not key.startswith(KEY_PREFIX):
            continue
        data = item.get("data", {})
        if JSON_MIME in data:
            raw = data[JSON_MIME]
            out[key[len(KEY_PREFIX):]] = json.loads("".join(raw) if isinstance(raw, list)
                                                    else raw)
    return out


# ---------------------------------------------------------------------------------
# Robustness across seeds
# ---------------------------------------------------------------------------------

def _numbers(value):
    """The value as a float if it is a real number (not a bool), else None."""
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        return None
    return float(value)


def _spread(values: list[float]) -> dict:
    finite = [v for v in values if math.isfinite(v)]
    if not finite:
        return {"min": None, "median": None, "max": None, "n": 0}
    return {"min": min(finite), "median": statistics.median(finite), "max": max(finite),
            "n": len(finite)}


def _evidence_summary(evidences: Sequence[Mapping]) -> dict:
    """Per evidence name over seeds: the spread of a number, or how often a flag was true.

    A flag (a boolean) is what a chapter records for what is only usually true; over seeds
    it is reported as a frequency, ``{"n_true": k, "n": N}``. Other values (strings,
    lists) are left out.

    Examples
    --------
    >>> out = _evidence_summary([{"x": 1.0, "ok": True}, {"x": 3.0, "ok": False},
    ...                          {"x": 2.0, "ok": True, "name": "a"}])
    >>> out["x"]["median"], out["ok"], "name" in out
    (2.0, {'n_true': 2, 'n': 3}, False)
    """
    numbers: dict[str, list[float]] = {}
    flags: dict[str, list[bool]] = {}
    for ev in evidences:
        for k, x in (ev or {}).items():
            if isinstance(x, bool):
                flags.setdefault(k, []).append(x)
            elif _numbers(x) is not None:
                numbers.setdefault(k, []).append(_numbers(x))
    out = {k: _spread(xs) for k, xs in numbers.items()}
    out.update({k: {"n_true": sum(f), "n": len(f)} for k, f in flags.items()})
    return out


def _chapter_summary(nb_path: Path, seeds: list[int], default_seed: int, rows: list[dict],
                     out_dir: Path) -> dict:
    from ._checks import run_checks, summarise

    runs, claims, checked = [], {}, []
    for seed, row in zip(seeds, rows, strict=True):
        rec_path = out_dir / "runs" / f"{row['run']}.json"
        rec = json.loads(rec_path.read_text()) if rec_path.is_file() else {}
        values = rec.get("values", {})  # a failed run keeps the values recorded before
        runs.append({"seed": seed, "status": row["status"], "error": row.get("error") or "",
                     "seconds": rec.get("seconds")})
        if row["status"] == "ok":
            results = run_checks(nb_path, values)
            checked.append(results)
            runs[-1]["failed_checks"] = [r.name for r in results if not r.passed]
        for key, val in values.items():
            if key.startswith(KEY_PREFIX) and isinstance(val, dict):
                claims.setdefault(key[len(KEY_PREFIX):], {})[seed] = val
    out = {}
    for claim, by_seed in sorted(claims.items()):
        ref = by_seed.get(default_seed, {}).get("status")
        statuses = {s: v.get("status") for s, v in by_seed.items()}
        out[claim] = {
            "status": ref, "where": by_seed.get(default_seed, {}).get("where"),
            "n_seeds": len(seeds), "n_recorded": len(by_seed),
            "n_same": sum(st == ref for st in statuses.values()) if ref else 0,
            "flips": [{"seed": s, "status": st} for s, st in sorted(statuses.items())
                      if st != ref],
            "missing": [s for s in seeds if s not in by_seed],
            "evidence": _evidence_summary([v.get("evidence") for v in by_seed.values()])}
    return {"runs": runs, "claims": out, "checks": summarise(checked)}


def robustness(chapters: Sequence, n_seeds: int = 10, out_dir="sweeps/robustness",
               data_path="book/_data/robustness.json", jobs: int = 1,
               timeout: float | None = 600, command: str | None = None) -> dict:
    """Rerun chapters at their fast-rerun sizes over ``n_seeds`` seeds; summarise verdicts.

    Each chapter runs with the book's sweep (:func:`uniqnets.book.sweep.run_sweep`) at the
    parameters of its front matter's ``uniqnets.rerun`` and the seeds ``s0, s0 + 1, ...,
    s0 + n_seeds - 1`` (``s0`` its default seed). Per claim, the data file gets the verdict
    at ``s0``, in how many seeds the verdict was recorded and was the same, the seeds where
    it differed, the min/median/max of each numeric evidence value and how often each
    boolean one was true; per run, its status
    and the sweep's error (the failing cell). Chapters already in the data file and not
    rerun are kept.

    Parameters
    ----------
    chapters : sequence of paths
        The chapters' MyST sources.
    n_seeds : int
        Seeds per chapter (>= 1).
    out_dir, data_path : path
        The sweeps' folder (one subfolder per chapter) and the JSON data file.
    jobs : int
        Notebooks run at once.
    timeout : float, optional
        Seconds a cell may run before the run fails.
    command : str, optional
        The command line to store with the data (default: this process's).

    Returns
    -------
    dict
        The data written to ``data_path``.

    Examples
    --------
    Without chapters it only writes the (empty) data file; ``make robustness`` runs them:

    >>> import tempfile
    >>> data = robustness([], data_path=Path(tempfile.mkdtemp()) / "robustness.json",
    ...                   command="make robustness")
    >>> data["chapters"], data["command"]
    ({}, 'make robustness')
    """
    from uniqnets.book import notebook
    from uniqnets.book.sweep import run_sweep

    n_seeds = check_int(n_seeds, "n_seeds", lo=1)
    jobs = check_int(jobs, "jobs", lo=1)
    data_path, out_dir = Path(data_path), Path(out_dir)
    data = json.loads(data_path.read_text()) if data_path.is_file() else {}
    data.setdefault("chapters", {})
    for path in map(Path, chapters):
        t0 = time.perf_counter()
        nb = notebook.load(path)
        params = notebook.parameters(nb)
        rerun, _ = notebook.rerun_settings(nb)
        s0 = params["seed"].default
        seeds = list(range(s0, s0 + n_seeds))
        grid = {name: [value] for name, value in rerun.items()}
        grid["seed"] = seeds
        rows = run_sweep(path, grid, out_dir / path.stem, jobs=jobs, timeout=timeout,
                         on_error="keep", as_frame=False)
        summary = _chapter_summary(path, seeds, s0, rows, out_dir / path.stem)
        data["chapters"][path.stem] = {
            "source": path.as_posix(), "rerun": rerun, "seeds": seeds, "default_seed": s0,
            "date": datetime.date.today().isoformat(), "jobs": jobs,
            # run time of the runs themselves (a rerun reuses finished runs) and of this call
            "seconds": round(sum(r["seconds"] or 0 for r in summary["runs"]), 1),
            "wall_seconds": round(time.perf_counter() - t0, 1), **summary}
    data["command"] = command or "robustness(" + ", ".join(map(str, chapters)) + ")"
    data["date"] = datetime.date.today().isoformat()
    data["chapters"] = dict(sorted(data["chapters"].items()))
    dump(data_path, data)
    return data


def main(argv: Sequence[str] | None = None) -> int:
    """The command line of ``make robustness``: ``[CHAPTER ...] --seeds N --jobs J``."""
    p = argparse.ArgumentParser(
        prog="make robustness",
        description="Rerun chapters at their fast-rerun sizes over several seeds and write, "
                    "per claim, how often its verdict held and the spread of its evidence.")
    p.add_argument("chapters", nargs="*", metavar="CHAPTER",
                   help="chapter sources (default: every notebooks/*.md)")
    p.add_argument("--seeds", type=int, default=10, help="seeds per chapter (default 10)")
    p.add_argument("--jobs", "-j", type=int, default=1, help="notebooks run at once")
    p.add_argument("--out", default="sweeps/robustness", help="folder of the sweeps")
    p.add_argument("--data", default="book/_data/robustness.json", help="the data file")
    p.add_argument("--timeout", type=float, default=600, help="seconds per cell")
    args = p.parse_args(argv)
    chapters = args.chapters or sorted(str(x) for x in Path("notebooks").glob("*.md"))
    command = "make robustness" + (f" ROBUST_NB={shlex.quote(' '.join(args.chapters))}"
                                   if args.chapters else "") + f" ROBUST_SEEDS={args.seeds}"
    data = robustness(chapters, args.seeds, args.out, args.data, args.jobs, args.timeout,
                      command=command)
    for stem in (Path(c).stem for c in chapters):
        ch = data["chapters"][stem]
        failed = [r for r in ch["runs"] if r["status"] != "ok"]
        flips = {c: [f"seed {f['seed']}: {f['status']}" for f in v["flips"]]
                 + [f"seed {m}: not reached" for m in v["missing"]]
                 for c, v in ch["claims"].items() if v["flips"] or v["missing"]}
        print(f"{stem}: {len(ch['runs']) - len(failed)} of {len(ch['runs'])} runs passed "
              f"({ch['seconds']:.0f} s); claims {', '.join(ch['claims']) or 'none'}")
        for name, c in ch.get("checks", {}).items():
            if c["n_pass"] < c["n"]:
                print(f"  {name}: passed in {c['n_pass']} of {c['n']} runs"
                      + (f" (fails by chance at rate {c['chance']:g})" if c["chance"] else ""))
        for r in failed:
            print(f"  seed {r['seed']} FAILED: {r['error']}")
        for c, f in flips.items():
            print(f"  {c}: differs at {', '.join(f)}")
    print(f"data: {args.data}")
    return 0


if __name__ == "__main__":
    # the functions of the importable module, not of __main__ (as uniqnets.book.sweep does)
    from uniqnets.book._verdict import main as _main

    sys.exit(_main())
