"""`python -m loa114.scheduler.cli`: the same entry point as the `loa` script."""

from loa114.scheduler.cli.main import run

run()
