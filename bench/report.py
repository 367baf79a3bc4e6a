"""Benchmark: the monthly police report for 1,000 villages, in every format.

Reuses bench/web.py's commune (1,000 villages, 4 zones, 2 slots a day, a year of aired broadcasts with
their items, 90 days of reports per village on SQLite), then times the one computation and each writer.
Target: < 5 s for a monthly report.

    .venv/bin/python bench/report.py [--villages 1000]
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

import web  # noqa: E402  (bench/web.py: the commune and its data)

from loa114.scheduler.config import load_config  # noqa: E402
from loa114.scheduler.db.engine import Database  # noqa: E402
from loa114.scheduler.events import EventLog  # noqa: E402
from loa114.scheduler.reports.docx import to_docx  # noqa: E402
from loa114.scheduler.reports.figures import compute  # noqa: E402
from loa114.scheduler.reports.heading import heading_of  # noqa: E402
from loa114.scheduler.reports.periods import period_of  # noqa: E402
from loa114.scheduler.reports.writers import to_json  # noqa: E402
from loa114.scheduler.reports.xlsx import to_xlsx  # noqa: E402
from loa114.scheduler.store import Store  # noqa: E402


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--villages", type=int, default=1000)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        config_path = web.write_config(Path(tmp), args.villages)
        web.populate(config_path, args.villages, 90)
        config = load_config(config_path)
        store = Store.open(Database(config.database.url), EventLog())
        now = datetime.combine(web.TODAY, datetime.min.time(), tzinfo=config.tz).astimezone(UTC) + timedelta(
            hours=9
        )
        period = period_of("month", web.TODAY, config)
        started = time.perf_counter()
        figures = compute(config, store, period, now)
        computed = time.perf_counter() - started
        timings = {}
        for name, write in (("json", lambda: json.dumps(to_json(figures)).encode()),
                            ("xlsx", lambda: to_xlsx(figures)),
                            ("docx", lambda: to_docx(figures, heading_of(config)))):  # fmt: skip
            started = time.perf_counter()
            size = len(write())
            timings[name] = (time.perf_counter() - started, size)
    total = computed + max(t for t, _ in timings.values())
    print(f"monthly report, {args.villages} villages: figures {computed:.2f} s")
    for name, (seconds, size) in timings.items():
        print(f"  {name}: {seconds:.2f} s, {size / 1024:.0f} KiB")
    verdict = "met" if total < 5 else "NOT met"
    print(f"figures + slowest writer {total:.2f} s (target < 5 s: {verdict})")


if __name__ == "__main__":
    main()
