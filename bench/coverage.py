"""Benchmark: import a 1,000,000-row report file (1,000 villages × 1,000 dates), then evaluate all villages.

Prints rows/s for the import (parse + validate + one transaction) and the evaluation time. Targets:
≥ 50,000 rows/s on SQLite; evaluation of 1,000 villages < 1 s.

    .venv/bin/python bench/coverage.py [--villages 1000] [--days 1000] [--database-url URL]
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from loa114.scheduler.campaign.evaluation import evaluate_all  # noqa: E402
from loa114.scheduler.campaign.importer import read_reports  # noqa: E402
from loa114.scheduler.config import load_config  # noqa: E402
from loa114.scheduler.service.app import App  # noqa: E402
from loa114.scheduler.service.station import Station  # noqa: E402

START = date(2024, 1, 1)


def write_config(path: Path, villages: int, db_url: str) -> None:
    lines = [
        "commune: {name: Lợi Bác, province: Lạng Sơn}",
        "campaign: {name: Báo cháy 114, start: 2024-01-01, deadline: 2026-12-31}",
        "zones: [{id: z, name: Cụm loa}]",
        "slots: []",
        f'database: {{url: "{db_url}"}}',
        "playout: {dir: playout}",
        "notices: {dir: notices}",
        "audio: {engines: [offline], cache_dir: cache}",
        "villages:",
    ]
    for i in range(villages):
        lines.append(
            f"  - {{id: thon-{i:04d}, name: Thôn số {i}, households: 200, smartphone_users: 400, zone: z}}"
        )
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")


def write_reports(path: Path, villages: int, days: int) -> int:
    with path.open("w", encoding="utf-8") as out:
        out.write("date,village,households_installed,installs\n")
        for d in range(days):
            day = (START + timedelta(days=d)).isoformat()
            for v in range(villages):
                # cumulative figures; every fifth village stalls at 20 % (it will lag)
                share = min(d / days, 0.2) if v % 5 == 0 else d / days
                out.write(f"{day},thon-{v:04d},{int(200 * share)},{int(400 * share)}\n")
    return villages * days


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--villages", type=int, default=1000)
    parser.add_argument("--days", type=int, default=1000)
    parser.add_argument("--database-url", default=None)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        db_url = args.database_url or f"sqlite:///{root / 'loa.db'}"
        write_config(root / "config.yaml", args.villages, db_url)
        rows = write_reports(root / "reports.csv", args.villages, args.days)
        config = load_config(root / "config.yaml")
        now = datetime.combine(
            START + timedelta(days=args.days), datetime.min.time(), tzinfo=config.tz
        ).astimezone(UTC)
        station = Station(App.create(config))

        started = time.perf_counter()
        parsed = read_reports(root / "reports.csv", config.villages, today=now.astimezone(config.tz).date())
        parse_s = time.perf_counter() - started
        assert not parsed.errors, parsed.errors[:3]

        started = time.perf_counter()
        summary = station.import_reports(root / "reports.csv", now)  # parse + validate + store + evaluate
        import_s = time.perf_counter() - started

        day = now.astimezone(config.tz).date()
        started = time.perf_counter()
        evaluation = evaluate_all(
            station.config, station.app.store, day, now
        )  # again: states and notices exist, pure evaluation
        evaluate_s = time.perf_counter() - started

        started = time.perf_counter()
        again = station.import_reports(root / "reports.csv", now)  # re-import: nothing changes
        reimport_s = time.perf_counter() - started

    print(
        f"rows                    {rows:,} ({args.villages} villages × {args.days} dates) on {db_url.split(':')[0]}"
    )
    print(f"parse + validate        {parse_s:.2f} s  ({rows / parse_s:,.0f} rows/s)")
    print(
        f"import (all of it)      {import_s:.2f} s  ({rows / import_s:,.0f} rows/s, target ≥ 50,000) "
        f"inserted={summary.inserted:,}"
    )
    print(f"  of which evaluation   first run queued {len(summary.evaluation.reminders)} reminders")
    print(
        f"evaluate {args.villages} villages  {evaluate_s:.3f} s  (target < 1 s; lagging {sum(v.lagging for v in evaluation.villages)})"
    )
    print(
        f"re-import, unchanged    {reimport_s:.2f} s  ({rows / reimport_s:,.0f} rows/s) unchanged={again.unchanged:,}"
    )


if __name__ == "__main__":
    main()
