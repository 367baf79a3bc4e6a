"""Errors of the speech normaliser.

`normalize` never raises on text: whatever a clerk types is read somehow. `SpeechError` is only for
programmer or configuration mistakes (an unknown dialect, a negative chunk size, a hotline that is not
digits), so it derives from `ValueError` and names the offending field.
"""

from __future__ import annotations


class SpeechError(ValueError):
    """A bad argument or setting given to the speech normaliser."""

    def __init__(self, message: str, *, field: str | None = None, value: object = None) -> None:
        super().__init__(message)
        self.field = field
        self.value = value
