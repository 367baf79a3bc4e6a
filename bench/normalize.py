"""Throughput of the Vietnamese speech normaliser over the shipped script library, and how fast the
office's commands start.

Normalises every `content/scripts/*.txt` body (YAML front matter stripped; the commune plan from the
seed joins in when the library has fewer than a few files), repeated until at least 2 MB of text,
and prints characters per second and MB/s. Target: ≥ 1 MB/s on one core.

Then runs `loa normalize`, `loa check` and `loa broadcasts list` as a clerk would (a new process each,
the shipped config, a database already up to date) and prints the median wall time of each, and the
import time of each command's modules alone (`-X importtime`). Target: each starts in < 0.5 s.
"""

from __future__ import annotations

import argparse
import re
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from loa114.content.speech import make_settings, normalize  # noqa: E402

SCRIPTS = ROOT / "content" / "scripts"
SEED = ROOT.parent / "shared" / "seed" / "ke-hoach-bao-chay-114-loi-bac.txt"
FRONT_MATTER = re.compile(r"\A\ufeff?---[ \t]*\r?\n.*?^---[ \t]*\r?\n", re.DOTALL | re.MULTILINE)
MIN_FILES = 3
TARGET_MB_S = 1.0


def load_texts(scripts: Path = SCRIPTS, seed: Path = SEED) -> list[str]:
    texts = [
        FRONT_MATTER.sub("", p.read_text(encoding="utf-8"), count=1) for p in sorted(scripts.glob("*.txt"))
    ]
    if len(texts) < MIN_FILES and seed.exists():
        texts.append(seed.read_text(encoding="utf-8"))
    return [t for t in texts if t.strip()]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--min-mb", type=float, default=2.0, help="text to normalise, in MB (UTF-8)")
    args = parser.parse_args(argv)
    texts = load_texts()
    if not texts:
        print("no scripts found", file=sys.stderr)
        return 1
    settings = make_settings(protected_names=["Lợi Bác", "Lạng Sơn", "Nà Pàn"])
    for text in texts:  # warm-up: compiles and caches the rules
        normalize(text, settings)
    target = int(args.min_mb * 1_000_000)
    chars = nbytes = 0
    start = time.perf_counter()
    while nbytes < target:
        for text in texts:
            normalize(text, settings)
            chars += len(text)
            nbytes += len(text.encode("utf-8"))
    elapsed = time.perf_counter() - start
    print(f"files: {len(texts)}  text: {nbytes / 1e6:.2f} MB ({chars:,} characters)  time: {elapsed:.2f} s")
    rate = nbytes / elapsed / 1e6
    print(f"throughput: {chars / elapsed:,.0f} characters/s  {rate:.2f} MB/s")
    print(f"target ≥ {TARGET_MB_S:g} MB/s: {'met' if rate >= TARGET_MB_S else 'NOT met'}")
    command_times()
    return 0


COMMANDS = {  # the arguments, and the modules the command imports before it starts working
    "normalize": (
        ["normalize", "Gọi 114 khi có cháy"],
        "loa114.scheduler.config.settings, loa114.content.speech",
    ),
    "check": (
        ["--now", "2026-11-30T04:00", "check"],
        "loa114.scheduler.programs.checks, loa114.content.checking",
    ),
    "broadcasts list": (
        ["broadcasts", "list", "--date", "30/11/2026"],
        "loa114.scheduler.programs.listing, loa114.scheduler.db.engine",
    ),
}
START_TARGET_S = 0.5


def command_times(runs: int = 5) -> None:
    """Median wall time of each command, and its start-up: a new interpreter importing the CLI and the
    modules that command needs, then exiting the way `loa` does, doing nothing else."""
    import os
    import statistics
    import subprocess
    import tempfile

    work = Path(tempfile.mkdtemp(prefix="loa-cli-"))
    env = {**os.environ, "LOA_DATABASE_URL": f"sqlite:///{work / 'loa.db'}"}
    base = [sys.executable, "-m", "loa114.scheduler.cli", "--config", str(ROOT / "config.yaml")]
    subprocess.run([*base, "db", "upgrade"], env=env, cwd=work, capture_output=True, check=True)

    def median_wall(argv: list[str]) -> float:
        walls = []
        for _ in range(runs):
            started = time.perf_counter()
            subprocess.run(argv, env=env, cwd=work, capture_output=True, check=True)  # a failure is no figure
            walls.append(time.perf_counter() - started)
        return statistics.median(walls)

    for name, (args, modules) in COMMANDS.items():
        wall = median_wall([*base, *args])
        imports = f"from loa114.scheduler.cli.main import leave; import {modules}; leave(0)"  # as `loa` exits
        start = median_wall([sys.executable, "-c", imports])
        verdict = "met" if start < START_TARGET_S else "NOT met"
        print(
            f"loa {name:<16} start-up {start:.2f} s (target < {START_TARGET_S} s: {verdict}),"
            f" whole command {wall:.2f} s (medians of {runs})"
        )


if __name__ == "__main__":
    raise SystemExit(main())
