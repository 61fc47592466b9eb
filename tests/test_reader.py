"""What a reader sees first, checked in the built book with headless Chromium at 1280x800.

- every verdict box is coloured by its status (the theme's colour of success, warning,
  danger, info) and its evidence is labelled in words, with no name as code spells
  it (``rho_init``), in the chapters and in the ledger;
- the landing page counts the ledger's verdicts and shows every claim of the ledger once,
  linked to its row there, and each page opens with the verdicts its boxes give;
- the ledger reads: no sideways scrolling, nothing clipped, math typeset in the claims,
  the evidence of a row opening below it at the table's full width.

Like ``tests/test_book.py``, these read the book that ``make book`` (or that file's
build test) wrote to ``_build/html``; marked ``book``, they run after the build.
"""

import re
from pathlib import Path

import browser
import pytest

from uniqnets.book import ledger_rows, notebook, verdict_calls

pytestmark = [pytest.mark.book, pytest.mark.slow]

ROOT = Path(__file__).resolve().parents[1]
HTML = ROOT / "_build" / "html"
CHROMIUM = browser.find_chromium()
needs_browser = pytest.mark.skipif(CHROMIUM is None, reason="browser tests skipped: Chromium "
                                   "is not installed (apt-get install chromium)")
#: theme colour variable of each status (the badges' colours, uniqnets.book.BADGES)
THEME = {"holds": "--pst-color-success", "holds under conditions": "--pst-color-warning",
         "fails": "--pst-color-danger", "not a claim about numbers": "--pst-color-info"}
#: a name as code spells it: lower-case words joined by underscores
CODE_NAME = re.compile(r"(?<![\w\\])[a-z][a-z0-9]*(?:_[a-z0-9]+)+(?!\w)")


@pytest.fixture(scope="module")
def site():
    if not (HTML / "index.html").is_file():
        pytest.fail("no book in _build/html: run `make book` first")
    from playwright.sync_api import sync_playwright

    with browser.serve(HTML) as base, sync_playwright() as pw:
        chromium = pw.chromium.launch(executable_path=CHROMIUM, args=browser.CHROMIUM_ARGS)
        page = chromium.new_page(viewport={"width": 1280, "height": 800})

        def visit(rel):
            page.goto(base + rel, wait_until="load")
            page.evaluate("async () => { if (window.MathJax && MathJax.startup) "
                          "await MathJax.startup.promise; }")
            return page

        try:
            yield visit
        finally:
            chromium.close()


def _chapters():
    return sorted(p for p in (ROOT / "notebooks").glob("*.md")
                  if verdict_calls(notebook.load(p)))


_BOXES = """() => {
  const probe = document.createElement('span');
  document.body.appendChild(probe);
  const colour = v => { probe.style.color = `var(${v})`; return getComputedStyle(probe).color; };
  const out = Array.from(document.querySelectorAll('div.admonition')).filter(
      d => /^Verdict on /.test((d.querySelector('.admonition-title') || {}).textContent || ''))
    .map(d => ({title: d.querySelector('.admonition-title').textContent.trim(),
                border: getComputedStyle(d).borderLeftColor,
                text: Array.from(d.querySelectorAll('p')).map(p => p.textContent)
                          .filter(t => t.startsWith('Evidence:')).join(' ')}));
  const theme = {};
  for (const v of THEME_VARS) theme[v] = colour(v);
  probe.remove();
  return {boxes: out, theme};
}"""


@needs_browser
def test_verdict_boxes_are_coloured_by_status_and_their_evidence_is_in_words(site):
    seen, problems = {}, []
    script = _BOXES.replace("THEME_VARS", repr(list(THEME.values())))
    for md in _chapters():
        rel = f"notebooks/{md.stem}.html"
        info = site(rel).evaluate(script)
        for box in info["boxes"]:
            claim, status = re.match(r"Verdict on (\w+): (.+)", box["title"]).groups()
            want = info["theme"][THEME[status]]
            if box["border"] != want:
                problems.append(f"{rel} {claim} ({status}): border {box['border']}, "
                                f"not the theme's {THEME[status]} {want}")
            names = CODE_NAME.findall(box["text"])
            if names:
                problems.append(f"{rel} {claim}: evidence shows code names {names}")
            seen.setdefault(status, claim)
        assert len(info["boxes"]) == len(verdict_calls(notebook.load(md))), rel
    assert not problems, "\n".join(problems)
    # every status occurs in the book, and the four colours differ
    assert set(seen) == set(THEME), seen
    assert len(set(info["theme"].values())) == len(THEME), info["theme"]


@needs_browser
def test_the_ledger_evidence_is_in_words(site):
    page = site("book/claims.html")
    texts = page.eval_on_selector_all("table.ledger details", "ds => ds.map(d => d.textContent)")
    assert len(texts) == len(ledger_rows((ROOT / "book" / "claims.md").read_text()))
    names = sorted({n for t in texts for n in CODE_NAME.findall(t)})
    assert not names, f"the ledger's evidence shows code names: {names}"


@needs_browser
def test_the_landing_page_shows_every_verdict_linked_to_the_ledger(site):
    rows = ledger_rows((ROOT / "book" / "claims.md").read_text())
    page = site("book/intro.html")
    links = page.eval_on_selector_all(
        "table.verdict-overview a", "as => as.map(a => [a.textContent.trim(), a.href])")
    claims = [text for text, href in links if re.fullmatch(r"[UEGR]\d+", text)]
    assert sorted(claims) == sorted(r.id for r in rows), "each ledger claim once on the landing"
    ledger_ids = set(browser._ids(HTML / "book" / "claims.html"))
    for text, href in links:
        if text in claims:
            assert href.split("#")[0].endswith("/book/claims.html"), (text, href)
            assert href.split("#")[1] in ledger_ids, (text, href)
    # the counts: the last column of the "claims" row is the number of ledger rows
    total = page.eval_on_selector_all(
        "table tr", "trs => trs.map(t => Array.from(t.cells).map(c => c.textContent.trim()))")
    claims_row = [r for r in total if r and r[0] == "claims"]
    assert claims_row and claims_row[0][-1] == str(len(rows)), claims_row


@needs_browser
def test_each_chapter_opens_with_its_verdicts(site):
    for md in _chapters():
        calls = verdict_calls(notebook.load(md))
        page = site(f"notebooks/{md.stem}.html")
        digest = page.evaluate("""() => {
          const h1 = document.querySelector('article h1');
          let el = h1 && h1.nextElementSibling;
          if (!el || !el.classList.contains('verdict-digest')) return null;
          return {text: el.textContent,
                  links: Array.from(el.querySelectorAll('a')).map(a => [a.textContent,
                    a.getAttribute('href'), !!document.getElementById(
                      decodeURIComponent(a.getAttribute('href').slice(1)))])};
        }""")
        assert digest is not None, f"{md.stem}: no verdict digest right under the title"
        assert f"{len(calls)} claim" in digest["text"], (md.stem, digest["text"])
        assert sorted(t.split()[0] for t, _, _ in digest["links"]) == sorted(calls), md.stem
        assert all(ok for _, _, ok in digest["links"]), (md.stem, digest["links"])


@needs_browser
def test_the_ledger_reads_at_1280_pixels(site):
    page = site("book/claims.html")
    info = page.evaluate("""() => {
      const tables = Array.from(document.querySelectorAll('table.ledger'));
      const out = {overflow: [], clipped: [], narrow: [], untypeset: 0, math: 0};
      for (const t of tables) {
        const box = t.parentElement.getBoundingClientRect();
        if (t.scrollWidth > t.clientWidth + 1 || t.getBoundingClientRect().right > box.right + 1)
          out.overflow.push(t.scrollWidth - t.clientWidth);
        for (const tr of t.querySelectorAll('tbody tr')) {
          const id = tr.cells[0], claim = tr.cells[1];
          const r = id.getBoundingClientRect(), tb = t.getBoundingClientRect();
          if (r.left < tb.left - 1 || id.scrollWidth > id.clientWidth + 1)
            out.clipped.push(id.textContent.trim());
          if (claim.getBoundingClientRect().width < 0.4 * tb.width)
            out.narrow.push(id.textContent.trim());
        }
        out.math += t.querySelectorAll('.math').length;
        out.untypeset += Array.from(t.querySelectorAll('.math'))
                             .filter(e => !e.querySelector('mjx-container')).length;
      }
      return out;
    }""")
    assert not info["overflow"], f"ledger tables scroll sideways: {info['overflow']}"
    assert not info["clipped"], f"ids clipped: {info['clipped']}"
    assert not info["narrow"], f"claim column under 40 % of the table: {info['narrow']}"
    assert info["math"] > 0 and info["untypeset"] == 0, info
    # an opened evidence panel spans the row, below it
    page.locator("table.ledger details summary").first.click()
    widths = page.evaluate("""() => {
      const d = document.querySelector('table.ledger details[open]');
      const tr = d.closest('tr');
      return [d.getBoundingClientRect().width, tr.getBoundingClientRect().width,
              d.getBoundingClientRect().top >= tr.cells[1].getBoundingClientRect().bottom - 1];
    }""")
    assert widths[0] >= 0.9 * widths[1] and widths[2], widths
