"""The documentation matches the code: make targets, quoted commands, paths, CI's command.

README.md, CONTRIBUTING.md, the book's prose pages and the Makefile's header quote the
commands a newcomer types.  Each is checked here against what it names, without running
anything: every ``make TARGET`` is a target of the Makefile; every quoted
``python -m uniqnets.book.sweep`` command parses with the sweep's own argument parser
and its grid passes the sweep's check against the chapter's parameters cell; every
``papermill ... -p NAME VALUE`` sets parameters the chapter has; every repository path a
page names in backticks exists; the README's test commands are the ones ``.ci/run``
runs; and the package's docstring lists every module of the numerical library.
"""

import re
import shlex
from pathlib import Path

import pytest

import uniqnets
import uniqnets.book.sweep
from uniqnets.book import notebook
from uniqnets.book.sweep import load_grid, parse_values, plan_sweep
from uniqnets.book.sweep._cli import _cli_grid, _parser

ROOT = Path(__file__).resolve().parents[1]
PAGES = ["README.md", "CONTRIBUTING.md", "book/how_to_use.md", "book/intro.md",
         "book/performance.md", "book/robustness.md", "book/parameters.md"]
MAKEFILE = (ROOT / "Makefile").read_text()
# the folders of the repository's tracked files (generated ones, such as ipynb/ or
# sweeps/, are not among them)
TRACKED_DIRS = {"notebooks", "lib", "book", "tests", "benchmarks", ".ci"}


def _text(page):
    return (ROOT / page).read_text()


def _makefile_targets():
    return set(re.findall(r"^([A-Za-z][\w-]*)\s*:(?!=)", MAKEFILE, re.M))


def _commands(programs, marker):
    """``(source, arguments after marker)`` of every quoted command line run by ``programs``.

    A command line is one that starts with one of ``programs`` once the backslash
    continuations are joined (in a fenced block or a docstring's ``::`` block: prose
    does not start a line with ``.venv/bin/...`` or ``python -m``).
    """
    sources = {page: _text(page) for page in PAGES}
    sources["uniqnets.book.sweep docstring"] = uniqnets.book.sweep.__doc__
    found = []
    for source, text in sources.items():
        for line in re.sub(r"\\\n\s*", " ", text).splitlines():
            line = line.strip()
            if line.startswith(programs):
                words = shlex.split(line.split(" # ", 1)[0])
                found.append((source, words[words.index(marker) + 1:]))
    return found


def test_every_make_target_the_docs_name_exists():
    targets = _makefile_targets()
    named = {}
    for page in [*PAGES, "Makefile"]:
        for target in re.findall(r"(?:`|^\s*|^#\s+)make ([a-z][a-z-]*)", _text(page), re.M):
            named.setdefault(target, page)
    assert named, "no make command found in the docs"
    missing = {t: page for t, page in named.items() if t not in targets}
    assert not missing, f"make targets named in the docs but not in the Makefile: {missing}"


def test_the_makefile_header_lists_every_target():
    header = MAKEFILE.split("\n\n", 1)[0]
    listed = set(re.findall(r"^#\s+make ([a-z][a-z-]*)", header, re.M))
    listed |= set(re.findall(r";\s+make ([a-z][a-z-]*)", header))
    phony = set()
    for line in re.findall(r"^\.PHONY:(.*)$", MAKEFILE, re.M):
        phony |= set(line.split())
    assert phony - {"all", "venv"} <= listed, (
        f"targets missing from the Makefile's header comment: {phony - {'all', 'venv'} - listed}")


def test_the_readme_test_commands_are_what_ci_runs():
    ci = [line.strip() for line in (ROOT / ".ci" / "run").read_text().splitlines()
          if line.strip().startswith("make ")]
    readme = _text("README.md")
    blocks = re.findall(r"```bash\n(.*?)```", readme, re.S)
    quoted = [line.split("#", 1)[0].strip() for block in blocks for line in block.splitlines()
              if line.strip().startswith("make test")]
    assert quoted == ["make test"], quoted
    assert ci[-1] == "make test", ".ci/run must end with the README's test command"
    for command in ci:
        assert f"`{command}`" in readme, f"the README does not say that CI runs `{command}`"


SWEEPS = _commands(("python -m uniqnets.book.sweep", ".venv/bin/python -m uniqnets.book.sweep"),
                   "uniqnets.book.sweep")


@pytest.mark.parametrize("source, args", SWEEPS, ids=[f"{s}:{i}" for i, (s, _) in
                                                      enumerate(SWEEPS)])
def test_quoted_sweep_commands_parse_and_fit_the_chapter(source, args, tmp_path):
    parser = _parser()
    parser.allow_abbrev = False  # a misspelt `--job` must not pass as `--jobs`
    try:
        parsed = parser.parse_args(args)
    except SystemExit:
        pytest.fail(f"{source}: `python -m uniqnets.book.sweep {shlex.join(args)}` "
                    "does not parse")
    chapter = ROOT / parsed.notebook
    assert chapter.is_file(), f"{source}: no chapter {parsed.notebook}"
    if parsed.grid:
        # the grid file of how_to_use is the YAML block shown above the command
        block = re.search(r"```yaml\n# grid.yml\n(.*?)```", _text("book/how_to_use.md"), re.S)
        (tmp_path / "grid.yml").write_text(block.group(1))
        parsed.grid = str(tmp_path / "grid.yml")
    assert plan_sweep(chapter, _cli_grid(parsed, parser)), f"{source}: an empty grid"


def test_make_sweep_default_grid_fits_its_chapter():
    nb = re.search(r"^SWEEP_NB\s*\?=\s*(\S+)", MAKEFILE, re.M).group(1)
    grid = re.search(r"^SWEEP_GRID\s*\?=\s*(.+)$", MAKEFILE, re.M).group(1)
    parser = _parser()
    parsed = parser.parse_args([nb, *shlex.split(grid), "-o", "unused"])
    assert len(plan_sweep(ROOT / nb, _cli_grid(parsed, parser))) >= 2


def test_the_yaml_grid_example_fits_its_chapter(tmp_path):
    text = _text("book/how_to_use.md")
    block = re.search(r"```yaml\n# grid.yml\n(.*?)```", text, re.S).group(1)
    (tmp_path / "grid.yml").write_text(block)
    assert len(plan_sweep(ROOT / "notebooks" / "00_same_network.md",
                          load_grid(tmp_path / "grid.yml"))) == 4


PAPERMILL = _commands((".venv/bin/papermill",), ".venv/bin/papermill")


@pytest.mark.parametrize("source, args", PAPERMILL,
                         ids=[f"{s}:{i}" for i, (s, _) in enumerate(PAPERMILL)])
def test_quoted_papermill_commands_set_the_chapters_parameters(source, args):
    stem = Path(args[0]).stem
    chapter = ROOT / "notebooks" / f"{stem}.md"
    assert args[0] == f"ipynb/{stem}.ipynb" and chapter.is_file(), (source, args[0])
    params = notebook.parameters(notebook.load(chapter))
    given = {args[i + 1]: args[i + 2] for i, a in enumerate(args) if a == "-p"}
    assert given, f"{source}: a papermill command without -p"
    unknown = set(given) - set(params)
    assert not unknown, f"{source}: {stem} has no parameters {unknown}"
    plan_sweep(chapter, {k: parse_values(v)[0] for k, v in given.items()})


def _paths(text):
    for token in re.findall(r"`([^`\s]+)`", text):
        if any(c in token for c in "{}<>*") or "NN_" in token or token.startswith(".."):
            continue
        first = token.split("/", 1)[0]
        if "/" in token and first in TRACKED_DIRS:
            yield token
        elif re.fullmatch(r"[A-Z_][\w.-]*\.(md|toml|yml|json)", token):
            yield token


@pytest.mark.parametrize("page", PAGES)
def test_every_repository_path_a_page_names_exists(page):
    missing = [p for p in _paths(_text(page)) if not (ROOT / p).exists()]
    assert not missing, f"{page} names paths that do not exist: {missing}"


def test_the_package_docstring_lists_every_module():
    lib = ROOT / "lib" / "uniqnets"
    modules = {p.stem for p in lib.glob("*.py") if not p.stem.startswith("_")}
    modules |= {p.parent.name for p in lib.glob("*/__init__.py")}
    # the book's tooling has its own paragraph; uniqnets.sweep is a deprecated alias
    modules -= {"book", "sweep"}
    listed = set(re.findall(r"^([a-z]+)\s{2,}", uniqnets.__doc__, re.M))
    assert modules <= listed, f"not listed in uniqnets' docstring: {modules - listed}"


def test_quoted_robustness_commands_name_existing_chapters():
    quoted = []
    for page in [*PAGES, "Makefile"]:
        for group in re.findall(r'ROBUST_NB="([^"$]+)"', _text(page)):
            quoted += [(page, path) for path in group.split()]
    assert quoted
    missing = [(page, path) for page, path in quoted if not (ROOT / path).is_file()]
    assert not missing, f"make robustness names chapters that do not exist: {missing}"
