"""The claims ledger and the chapters' verdicts agree: one verdict per claim, in one place.

A chapter records each verdict with ``verdict("ID", "status", ...)`` in the check cell
that settles it; the ledger (``book/claims.md``) pastes it with ``{verdict}`DOC::ID```.
Read without executing anything: the chapters' ``verdict(...)`` calls with ``ast``, the
ledger's rows from its source.
"""

import json
import posixpath
from pathlib import Path

import pytest

from uniqnets.book import STATUSES, ledger_rows, notebook, verdict_calls
from uniqnets.book._labels import evidence_label, is_code_name

ROOT = Path(__file__).resolve().parents[1]
LEDGER = ROOT / "book" / "claims.md"
CHAPTERS = sorted((ROOT / "notebooks").glob("*.md"))

# Chapters whose verdicts are still typed in the ledger (Markdown verdict boxes in the
# chapter, no verdict() calls yet). Their rows keep a typed verdict and evidence. The
# follow-up work converts them one by one and removes each from this list, until it is
# empty; a converted chapter must not stay here.
NOT_YET_CONVERTED: set[str] = set()
LEDGER_STATUSES = (*STATUSES, "not yet tested")


def _doc(row) -> str:
    """The chapter a pasted row points to, as a stem of notebooks/."""
    path = posixpath.normpath(posixpath.join("book", row.doc))
    assert path.startswith("notebooks/"), f"{row.id}: pastes from {row.doc}, not a chapter"
    return posixpath.basename(path)


@pytest.fixture(scope="module")
def rows():
    rows = ledger_rows(LEDGER.read_text(encoding="utf-8"))
    assert rows, "no ledger rows found in book/claims.md"
    ids = [r.id for r in rows]
    twice = sorted({i for i in ids if ids.count(i) > 1})
    assert not twice, f"claims listed twice: {twice}"
    return rows


@pytest.fixture(scope="module")
def calls():
    """Chapter stem -> {claim: status} of its verdict() calls."""
    return {p.stem: verdict_calls(notebook.load(p)) for p in CHAPTERS}


def test_every_claim_has_one_verdict_in_one_chapter(calls):
    seen = {}
    for stem, found in calls.items():
        for claim, call in found.items():
            assert claim not in seen, f"{claim}: verdicts in {seen[claim]} and {stem}"
            seen[claim] = stem
            unknown = set(call.statuses) - set(STATUSES)
            assert not unknown, f"{stem}: verdict({claim!r}, ...) can give {sorted(unknown)}, " \
                                f"not one of {STATUSES}"


def test_every_status_is_computed_from_the_numbers(calls):
    """A status is a conditional on a named comparison, never a typed literal.

    Detected from the source with ``ast`` (``uniqnets.book.status_is_computed``): the status
    argument of each ``verdict(...)`` call must be ``"A" if test else "B"`` (nested for more
    outcomes) with a test that is not a constant; only ``"not a claim about numbers"`` may
    be a literal. ``verdict("U1", "holds", ...)``, ``verdict("U1", status, ...)`` and
    ``"holds" if True else "fails"`` all fail here.
    """
    typed = [f"{stem}: {claim} (line {call.line} of its cell: {call.source or 'no status'})"
             for stem, found in calls.items() for claim, call in found.items()
             if not call.computed]
    assert not typed, f"verdicts whose status is typed, not computed: {typed}"


def test_every_ledger_row_has_its_chapter_verdict(rows, calls):
    missing = []
    for row in rows:
        if not row.pasted:
            continue
        stem = _doc(row)
        assert stem in calls, f"{row.id}: pastes from {row.doc}, which is not a chapter"
        if row.id not in calls[stem]:
            missing.append(f"{row.id} (pasted from {stem})")
        assert row.chapter == stem[:2], \
            f"{row.id}: chapter column {row.chapter!r}, but its verdict is in {stem}"
        assert not row.evidence, f"{row.id}: a pasted row types evidence; the chapter records it"
    assert not missing, f"ledger rows whose chapter records no verdict: {missing}"


def test_every_chapter_verdict_has_its_ledger_row(rows, calls):
    pasted = {(r.id, _doc(r)) for r in rows if r.pasted}
    orphans = [f"{claim} ({stem})" for stem, found in calls.items() for claim in found
               if (claim, stem) not in pasted]
    assert not orphans, f"chapter verdicts without a ledger row that pastes them: {orphans}"


def test_typed_rows_belong_to_chapters_not_yet_converted(rows, calls):
    by_number = {}
    for stem in calls:
        by_number.setdefault(stem[:2], []).append(stem)
    typed = [r for r in rows if not r.pasted]
    for row in typed:
        stems = by_number.get(row.chapter, [])
        assert stems, f"{row.id}: chapter {row.chapter!r} does not exist"
        assert any(s in NOT_YET_CONVERTED for s in stems), \
            f"{row.id}: typed verdict {row.status!r}, but chapter {row.chapter} is converted: " \
            "paste the chapter's verdict"
        assert not any(calls[s] for s in stems), \
            f"{row.id}: typed in the ledger while chapter {row.chapter} records verdicts"
        assert row.status in LEDGER_STATUSES, f"{row.id}: unknown verdict {row.status!r}"


def test_the_allow_list_only_shrinks(calls):
    """A chapter on the list has no verdict() calls; one that has them leaves the list."""
    unknown = sorted(NOT_YET_CONVERTED - set(calls))
    assert not unknown, f"NOT_YET_CONVERTED names chapters that do not exist: {unknown}"
    converted = sorted(s for s in NOT_YET_CONVERTED if calls[s])
    assert not converted, f"remove from NOT_YET_CONVERTED, they record verdicts: {converted}"


def test_not_yet_converted(rows):
    """Lists the rows still typed by hand (the follow-up work empties NOT_YET_CONVERTED)."""
    typed = sorted(r.id for r in rows if not r.pasted)
    if typed:
        pytest.skip(f"not yet converted: chapters {sorted(NOT_YET_CONVERTED)}; "
                    f"{len(typed)} ledger rows typed: {', '.join(typed)}")


def test_every_recorded_evidence_name_has_words():
    # the robustness data lists every evidence name the chapters recorded at ten seeds
    data = json.loads((ROOT / "book" / "_data" / "robustness.json").read_text())
    names = {k for ch in data["chapters"].values() for c in ch["claims"].values()
             for k in c["evidence"]}
    assert names
    bare = sorted(k for k in names if is_code_name(evidence_label(k)))
    assert not bare, f"evidence names without words in uniqnets.book._labels: {bare}"
