"""Checks of chapter 00 (notebooks/00_same_network.md), over its recorded values."""


def check_same_seed_is_bit_identical(rec):
    """The same seed twice gives bit-identical runs (one machine, one BLAS thread)."""
    assert rec["bit_identical"], "two runs from the same seed differ"
