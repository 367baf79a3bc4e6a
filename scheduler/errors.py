"""Exceptions of the scheduler package.

    LoaError                  runtime failure (exit 1)
    ├── InputError            bad input from a person: config, CLI argument, file (exit 2)
    │   └── ConfigError       names the config file, YAML line and key path
    └── PlayoutError          a playout adapter could not publish a program

`content.errors.ScriptError` (template problems) and `audio.errors.AudioError` come from the other two
packages; the CLI maps all of them to one line on stderr and an exit code.
"""

from __future__ import annotations

from pathlib import Path


class LoaError(Exception):
    exit_code = 1


class InputError(LoaError):
    exit_code = 2


class ConfigError(InputError):
    def __init__(self, file: Path | str, message: str, *, line: int | None = None, key: str | None = None):
        self.file = Path(file)
        self.line = line
        self.key = key
        self.message = message
        super().__init__(str(self))

    def __str__(self) -> str:
        where = f"{self.file}:{self.line}" if self.line else f"{self.file}"
        key = f" {self.key}:" if self.key else ""
        return f"{where}:{key} {self.message}"


class PlayoutError(LoaError):
    def __init__(self, adapter: str, message: str, *, exit_status: int | None = None):
        self.adapter = adapter
        self.exit_status = exit_status
        self.message = message
        super().__init__(f"{adapter}: {message}")


class NotFound(InputError):
    """What a person asked about does not exist (a broadcast id, a script)."""


class StateConflict(InputError):
    """The thing is no longer in a state that allows this (already aired, cancelled meanwhile...)."""
