"""Exceptions of the content package.

``ContentError`` is the root; ``ScriptError`` carries the file and line at fault so that the CLI and the
web UI can show a clerk one Vietnamese line that says where to look (``scripts/x.txt:7: ...``).
"""

from __future__ import annotations

from pathlib import Path


class ContentError(Exception):
    """Base class for every error raised by ``content``."""


class ScriptError(ContentError):
    """A script (or one-off text) that cannot be loaded or rendered.

    ``line`` is a 1-based line of the file, or ``None`` when the fault is the file as a whole.
    ``message`` is Vietnamese: the people who fix scripts are not programmers.
    """

    def __init__(self, file: Path, line: int | None, message: str) -> None:
        self.file = file
        self.line = line
        self.message = message
        super().__init__(str(self))

    def __str__(self) -> str:
        if self.line is None:
            return f"{self.file}: {self.message}"
        return f"{self.file}:{self.line}: {self.message}"

    def __reduce__(self) -> tuple[type[ScriptError], tuple[Path, int | None, str]]:
        return (type(self), (self.file, self.line, self.message))
