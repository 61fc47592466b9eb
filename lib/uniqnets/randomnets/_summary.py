"""A ``summary()`` for the frozen results of the experiments (private)."""

from __future__ import annotations

from dataclasses import fields


class Summary:
    """Mixin: ``summary(prefix)`` maps ``prefix + name`` to every field not listed in
    ``_skip`` (large arrays, objects) and every property listed in ``_extra``, the form
    in which a page records a whole result in one call."""

    _skip: tuple = ()
    _extra: tuple = ()

    def summary(self, prefix: str = "") -> dict:
        """The numbers of the result under ``prefix + name``."""
        out = {prefix + f.name: getattr(self, f.name) for f in fields(self)
               if f.name not in self._skip}
        out.update({prefix + name: getattr(self, name) for name in self._extra})
        return out
