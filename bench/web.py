"""Benchmark: the web pages under load — 1,000 villages, a year of broadcasts, 20 clients at once.

A real `uvicorn` process serves the web app of a commune with 1,000 villages (4 zones, 2 slots a day),
a year of aired broadcasts (2,920 rows with their items) and 90 days of reports per village (90,000
rows) on SQLite. 20 client threads, each signed in as the commune police, open the dashboard (`/`) and
the coverage page (`/coverage`) in turn. Prints p50/p95/max latency per page and the request rate.
Target: p95 < 150 ms on a 2-core machine.

`--page-cache-s 0` measures the pages drawn for every request; `--write-every 1` sends a village report
through the API every second meanwhile, so the kept pages are drawn again after each write.

    .venv/bin/python bench/web.py [--clients 20] [--requests 40] [--page-cache-s 0] [--write-every 1]
"""

from __future__ import annotations

import argparse
import http.cookiejar
import json
import logging
import re
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.parse
import urllib.request
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
START = date(2025, 12, 1)
TODAY = date(2026, 11, 30)
ZONES = ["trung-tam", "phia-bac", "phia-nam", "phia-tay"]


def write_config(root: Path, villages: int, page_cache_s: float = 5) -> Path:
    lines = [
        "commune: {name: Lợi Bác, province: Lạng Sơn}",
        "campaign: {name: Báo cháy 114, start: 2025-12-01, deadline: 2026-12-31}",
        "zones:",
        *[f"  - {{id: {z}, name: Cụm {z}}}" for z in ZONES],
        "slots:",
        '  - {id: sang, time: "05:30", days: daily, zones: all}',
        '  - {id: chieu, time: "17:00", days: daily, zones: all}',
        f'database: {{url: "sqlite:///{root / "loa.db"}"}}',
        "playout: {dir: playout}",
        "notices: {dir: notices}",
        "audio: {engines: [offline], cache_dir: cache}",
        f"web: {{page_cache_s: {page_cache_s}}}",
        "villages:",
    ]
    for i in range(villages):
        zone = ZONES[i % len(ZONES)]
        lines.append(
            f"  - {{id: thon-{i:04d}, name: Thôn số {i}, households: 200, smartphone_users: 400, zone: {zone}}}"
        )
    path = root / "config.yaml"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def populate(config_path: Path, villages: int, report_days: int) -> None:
    from sqlalchemy import insert

    from loa114.scheduler.accounts.passwords import Passwords
    from loa114.scheduler.config import load_config
    from loa114.scheduler.db.models import Broadcast, BroadcastItem, Status
    from loa114.scheduler.service.app import App
    from loa114.scheduler.service.station import Station

    logging.getLogger("loa114").setLevel(logging.ERROR)  # 200 "village lagging" lines are not the point
    config = load_config(config_path)
    now = datetime.combine(TODAY, datetime.min.time(), tzinfo=config.tz).astimezone(UTC) + timedelta(hours=8)
    app = App.create(config, passwords=Passwords.fast())
    app.users.add("police", "police", "mat-khau-bench", now)
    (config_path.parent / "token").write_text(app.tokens.create("bench-writer", "police", now))
    broadcasts, items = [], []
    for d in range(365):
        day = TODAY - timedelta(days=365 - d)
        for slot, hour in (("sang", 5), ("chieu", 17)):
            airtime = datetime.combine(day, datetime.min.time(), tzinfo=config.tz).replace(hour=hour)
            for zone in ZONES:
                broadcasts.append(
                    {
                        "day": day,
                        "slot_id": slot,
                        "zone_id": zone,
                        "kind": "slot",
                        "airtime": airtime.astimezone(UTC),
                        "status": Status.AIRED,
                        "duration_s": 600.0,
                        "offline_items": 0,
                        "aired_at": airtime.astimezone(UTC),
                        "updated_at": now,
                        "folder": f"{day.isoformat()}/{slot}/{zone}",
                    }  # fmt: skip
                )
    with app.store.session() as session:
        session.execute(insert(Broadcast), broadcasts)
        ids = session.scalars(Broadcast.__table__.select().with_only_columns(Broadcast.id)).all()
        for broadcast_id in ids:
            for position in range(4):
                items.append(
                    {
                        "broadcast_id": broadcast_id,
                        "position": position,
                        "script_id": f"bai-{position}",
                        "title": f"Bài {position}",
                        "engine": "offline",
                        "offline": True,
                        "duration_s": 150.0,
                        "sha256": "0" * 64,
                        "file": f"items/{position:02d}.mp3",
                    }  # fmt: skip
                )
        session.execute(insert(BroadcastItem), items)
    reports = config_path.parent / "reports.csv"
    with reports.open("w", encoding="utf-8") as out:
        out.write("date,village,households_installed,installs\n")
        for d in range(report_days):
            day = TODAY - timedelta(days=report_days - 1 - d)
            for v in range(villages):
                share = (d + 1) / report_days * (0.4 if v % 5 == 0 else 0.9)
                out.write(f"{day.isoformat()},thon-{v:04d},{int(200 * share)},{int(400 * share)}\n")
    Station(app).import_reports(reports, now)
    app.close()


def serve(config_path: Path, port: int) -> None:
    """The server process: the web app around a runtime that is not started (pages only)."""
    import uvicorn

    from loa114.scheduler.clock import Clock, parse_moment
    from loa114.scheduler.config import load_config
    from loa114.scheduler.service.app import App
    from loa114.scheduler.service.runtime import Runtime
    from loa114.scheduler.service.station import Station
    from loa114.scheduler.web.app import create_web

    config = load_config(config_path)
    clock = Clock.fixed(parse_moment(f"{TODAY.isoformat()}T08:00", config.tz))
    runtime = Runtime(Station(App.create(config)), clock)
    uvicorn.run(create_web(runtime, secret="bench"), host="127.0.0.1", port=port, log_level="warning")


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def signed_in_opener(base: str) -> urllib.request.OpenerDirector:
    jar = http.cookiejar.CookieJar()
    opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(jar))
    page = opener.open(f"{base}/login").read().decode()
    csrf = re.search(r'name="csrf" value="([^"]+)"', page)
    assert csrf, "no CSRF token on /login"
    form = urllib.parse.urlencode({"name": "police", "password": "mat-khau-bench", "csrf": csrf.group(1)})
    opener.open(f"{base}/login", data=form.encode()).read()
    return opener


def writer(base: str, token: str, every_s: float, stop: threading.Event) -> int:
    """A village head's report through the API every `every_s` seconds: each one is a new write, so every
    kept page is drawn again on its next view."""
    sent = 0
    while not stop.wait(every_s):
        body = json.dumps(
            {"date": TODAY.isoformat(), "households_installed": sent % 200, "installs": sent % 400}
        )
        request = urllib.request.Request(
            f"{base}/api/v1/villages/thon-0001/reports", data=body.encode(), method="POST",
            headers={"Authorization": f"Bearer {token}", "Content-Type": "application/json"},
        )  # fmt: skip
        urllib.request.urlopen(request).read()
        sent += 1
    return sent


def load(base: str, pages: list[str], clients: int, requests: int) -> tuple[dict[str, list[float]], float]:
    openers = [signed_in_opener(base) for _ in range(clients)]
    timings: dict[str, list[float]] = {page: [] for page in pages}
    lock = threading.Lock()

    def client(opener: urllib.request.OpenerDirector) -> None:
        for i in range(requests):
            page = pages[i % len(pages)]
            started = time.perf_counter()
            with opener.open(base + page) as response:
                response.read()
                assert response.status == 200, (page, response.status)
            elapsed = time.perf_counter() - started
            with lock:
                timings[page].append(elapsed)

    threads = [threading.Thread(target=client, args=(o,)) for o in openers]
    started = time.perf_counter()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return timings, time.perf_counter() - started


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--villages", type=int, default=1000)
    parser.add_argument("--report-days", type=int, default=90)
    parser.add_argument("--clients", type=int, default=20)
    parser.add_argument("--requests", type=int, default=40, help="per client")
    parser.add_argument("--pages", default="/,/coverage", help="comma-separated paths")
    parser.add_argument("--page-cache-s", type=float, default=5, help="web.page_cache_s; 0: no page cache")
    parser.add_argument("--write-every", type=float, default=0, help="a report through the API every S s")
    parser.add_argument("--serve", help=argparse.SUPPRESS)
    parser.add_argument("--port", type=int, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.serve:
        serve(Path(args.serve), args.port)
        return
    with tempfile.TemporaryDirectory() as tmp:
        config = write_config(Path(tmp), args.villages, args.page_cache_s)
        populate(config, args.villages, args.report_days)
        port = free_port()
        server = subprocess.Popen([sys.executable, __file__, "--serve", str(config), "--port", str(port)])
        base = f"http://127.0.0.1:{port}"
        try:
            deadline = time.monotonic() + 60
            while True:
                try:
                    urllib.request.urlopen(f"{base}/login").read()
                    break
                except OSError:
                    if time.monotonic() > deadline or server.poll() is not None:
                        raise SystemExit("the web server did not start") from None
                    time.sleep(0.2)
            pages = args.pages.split(",")
            load(base, pages, 2, 4)  # warm-up: templates compiled, caches filled
            stop, writes = threading.Event(), [0]
            token = (config.parent / "token").read_text()
            write = threading.Thread(
                target=lambda: writes.__setitem__(0, writer(base, token, args.write_every, stop))
            )
            if args.write_every:
                write.start()
            timings, wall = load(base, pages, args.clients, args.requests)
            stop.set()
            if args.write_every:
                write.join()
        finally:
            server.terminate()
            server.wait(10)
    total = sum(len(t) for t in timings.values())
    print(f"{args.villages} villages, 2,920 broadcasts, {args.villages * args.report_days:,} reports; "
          f"{args.clients} clients × {args.requests} requests: {total / wall:.0f} requests/s; "
          f"page cache {args.page_cache_s:g} s; {writes[0]} writes during the run")  # fmt: skip
    for page, values in timings.items():
        values.sort()
        p50, p95 = statistics.median(values), values[int(0.95 * (len(values) - 1))]
        verdict = "met" if p95 < 0.150 else "NOT met"
        print(f"{page:<10} p50 {p50 * 1000:6.1f} ms  p95 {p95 * 1000:6.1f} ms  max {values[-1] * 1000:6.1f} ms"
              f"  (target p95 < 150 ms: {verdict})")  # fmt: skip


if __name__ == "__main__":
    main()
