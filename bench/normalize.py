"""Throughput of the Vietnamese speech normaliser over the shipped script library.

Normalises every `content/scripts/*.txt` body (YAML front matter stripped; the commune plan from the
seed joins in when the library has fewer than a few files), repeated until at least 2 MB of text,
and prints characters per second and MB/s. Target: ≥ 1 MB/s on one core.
"""

from __future__ import annotations

import argparse
import re
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from content.speech import make_settings, normalize  # noqa: E402

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
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
