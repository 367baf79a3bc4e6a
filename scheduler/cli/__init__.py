"""The `loa` command: the Typer app, its commands by subject, and how errors become one line.

Owns: `main` (the app, global options, error mapping, `run`), `programs` and `campaign` (the commands),
`options` (what every command shares), `usage` (misuse as one Vietnamese line), `tables` (human output).
The top room: may import every other room; nothing imports it.
"""

from loa114.scheduler.cli.main import app, main, run

__all__ = ["app", "main", "run"]
