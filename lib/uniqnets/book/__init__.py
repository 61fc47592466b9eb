"""uniqnets.book: the tooling of the uniq-nets book (not needed by the numerics).

Install with the ``book`` extra (``pip install uniqnets[book]``): it needs
Jupyter Book, myst-nb, papermill, jupytext and IPython, which the numerical
library does not.

- :func:`record`, :func:`glue_parameters`, :func:`read_records`, :func:`dump`:
  glue a result for the prose and keep it for sweeps, in one call (``_record``);
  :func:`rec` quotes it in the prose (``{eval}`rec("name", ".3f")```), in the
  HTML book and in JupyterLab alike;
- :mod:`uniqnets.book.notebook`: read a chapter's MyST source, its parameters cell
  and rerun settings;
- :func:`verdict`: record a claim's verdict where it is settled and show its box;
  :func:`ledger_rows`, :func:`verdict_calls` read the ledger and the chapters' calls,
  :func:`robustness` reruns chapters over seeds (``_verdict``);
- :func:`use_style`: the book's figure style;
- :mod:`uniqnets.book.sweep`: rerun a notebook over a parameter grid
  (``python -m uniqnets.book.sweep``).

A chapter imports what it uses from here::

    from uniqnets.book import dump, glue_parameters, rec, record, use_style
"""

from ._checks import CheckResult, chance, run_checks
from ._record import (
    GLUE_PREFIX,
    JSON_MIME,
    RECORDED,
    Quoted,
    dump,
    format_glued,
    glue_parameters,
    read_records,
    rec,
    record,
    to_builtin,
)
from ._tables import markdown_table
from ._verdict import (
    BADGES,
    KEY_PREFIX,
    LITERAL_STATUS,
    STATUSES,
    LedgerRow,
    VerdictCall,
    ledger_rows,
    robustness,
    status_is_computed,
    verdict,
    verdict_calls,
    verdict_markdown,
    verdict_summary,
)
from .plotting import STYLE, use_style

__all__ = ["BADGES", "GLUE_PREFIX", "JSON_MIME", "KEY_PREFIX", "LITERAL_STATUS", "RECORDED",
           "STATUSES", "STYLE", "CheckResult", "LedgerRow", "Quoted", "VerdictCall", "chance",
           "dump", "format_glued", "glue_parameters", "ledger_rows", "markdown_table",
           "read_records", "rec",
           "record", "robustness", "run_checks", "status_is_computed", "to_builtin",
           "use_style", "verdict", "verdict_calls", "verdict_markdown", "verdict_summary"]
