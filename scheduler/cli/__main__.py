"""`python -m scheduler.cli`: the same entry point as the `loa` script."""

from scheduler.cli.main import run

run()
