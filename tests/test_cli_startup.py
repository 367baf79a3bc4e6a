"""What each quick command imports before it starts working: `loa check` renders scripts without a database,
`loa normalize` needs neither the database nor the audio stack, `loa broadcasts list` reads through SQLAlchemy
Core without mapping the ORM. These are what kept their start-up under 0.5 s (bench/normalize.py); a new
top-level import that pulls a stack back in fails here, not in a benchmark nobody runs."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

HEAVY = {"sqlalchemy.orm", "loa114.scheduler.db.models", "pydub", "numpy", "alembic", "fastapi"}
COMMANDS = {  # the modules the command imports before working, and the heavy ones it must not
    "normalize": (
        "loa114.scheduler.config.settings, loa114.content.speech",
        HEAVY | {"sqlalchemy"},
    ),
    "check": (
        "loa114.scheduler.programs.checks, loa114.content.checking",
        HEAVY | {"sqlalchemy"},
    ),
    "broadcasts list": (
        "loa114.scheduler.programs.listing, loa114.scheduler.db.engine, loa114.scheduler.programs.outcomes",
        HEAVY,
    ),
}


@pytest.mark.parametrize("command", COMMANDS)
def test_quick_commands_import_only_what_they_need(command: str) -> None:
    modules, forbidden = COMMANDS[command]
    code = f"import sys, json, loa114.scheduler.cli, {modules}; print(json.dumps(sorted(sys.modules)))"
    loaded = set(
        json.loads(subprocess.run([sys.executable, "-c", code], capture_output=True, check=True).stdout)
    )
    assert forbidden.isdisjoint(loaded), sorted(forbidden & loaded)
