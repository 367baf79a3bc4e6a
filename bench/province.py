"""Benchmark: the 05:30 burst of a province, and planning a national morning (issue #12).

1. **National morning** — `--national` communes (default 3,300) × `--zones` zones on PostgreSQL, each commune
   in its own schema: every commune's rows for the next morning are planned (`programs.rows.plan_rows`, what
   the tick does), 4 threads sharing one pool. Prints wall time and rows/s. Target: under a minute. (Setup
   gives each schema only the `broadcasts` table, copied from a migrated one: migrating 3,300 schemas with
   Alembic would take the benchmark half an hour and is not what is measured.)
2. **Statements per broadcast** — the same morning aired in one thread, shard after shard, through the airing
   path (`burst.air_shard`), every statement and commit counted on the engine.
3. **Province morning** — `--communes` (default 65) × `--zones` (10) zones, programs already built (rows
   `ready`, each folder with its program and manifest), one slot a couple of minutes ahead on the real clock;
   then 1, 2 and 4 `loa serve` processes (`--workers`) each air that morning from a fresh copy of the rows.
   Prints lateness p50/p99 (as-run start − airtime: the claim), when the folders' manifests said `published`
   (file time − airtime), the time from airtime to the last claim, scaling
   efficiency (t₁ / (k·tₖ)) and PostgreSQL transactions per broadcast (`pg_stat_database`: everything the
   processes did from a second before airtime until the last folder was published) and the slowest process's
   start-up (until its `/healthz` says ok). Target: p99 ≤ 1 s for every k.

    LOA_BENCH_POSTGRES_URL=postgresql+psycopg://postgres@127.0.0.1:5432/postgres .venv/bin/python bench/province.py
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
import uuid
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import create_engine, text

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from loa114.scheduler.config import Config  # noqa: E402
from loa114.scheduler.config.province import load_province  # noqa: E402
from loa114.scheduler.db.engine import Database, make_engine  # noqa: E402
from loa114.scheduler.playout.manifest import write_manifest  # noqa: E402
from loa114.scheduler.programs.rows import plan_rows  # noqa: E402

TZ = ZoneInfo("Asia/Ho_Chi_Minh")
SERVER = os.environ.get("LOA_BENCH_POSTGRES_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/postgres")


def commune_yaml(key: str, zones: int, slot: str) -> str:
    lines = [
        f"commune: {{name: Xã {key}, province: Lạng Sơn, id: {key}}}",
        "campaign: {name: Báo cháy 114, start: 2026-02-10, deadline: 2026-12-31}",
        "zones:",
        *[f"  - {{id: cum-{z}, name: Cụm {z}}}" for z in range(zones)],
        "villages:",
        *[f"  - {{id: thon-{z}, name: Thôn {z}, households: 100, smartphone_users: 200, zone: cum-{z}}}" for z in range(zones)],
        "slots:",
        f'  - {{id: sang, time: "{slot}", days: daily, max_duration: 15m, zones: all}}',
        "scripts: {dir: scripts}",
        "audio: {engines: [offline], cache_dir: cache}",
        "reminders: {quiet_hours: '', evaluate_at: '00:00'}",
        "reports: {schedule: {}}",  # Friday's reports are not written at 05:30 (they would be, at a first start)
    ]  # fmt: skip
    return "\n".join(lines) + "\n"


def write_province(root: Path, url: str, communes: int, zones: int, slot: str) -> Path:
    (root / "scripts").mkdir(parents=True, exist_ok=True)
    (root / "scripts" / "goi-114.txt").write_text(
        "---\nid: goi-114\ntitle: Gọi 114\n---\nGọi 114.\n", "utf-8"
    )
    entries = []
    for i in range(communes):
        key = f"xa-{i:04d}"
        (root / f"{key}.yaml").write_text(commune_yaml(key, zones, slot), "utf-8")
        entries.append(f"  - {{id: {key}, config: {key}.yaml}}")
    path = root / "province.yaml"
    path.write_text(
        f'province: {{name: Lạng Sơn}}\ndatabase: {{url: "{url}"}}\nplayout: {{dir: playout}}\n'
        "communes:\n" + "\n".join(entries) + "\n",
        "utf-8",
    )
    return path


def fresh_database() -> tuple[str, str]:
    name = f"loa_bench_{uuid.uuid4().hex[:8]}"
    admin = create_engine(SERVER, isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(text(f'CREATE DATABASE "{name}"'))
    admin.dispose()
    return name, SERVER.rsplit("/", 1)[0] + f"/{name}"


def drop_database(name: str) -> None:
    admin = create_engine(SERVER, isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    admin.dispose()


def national(communes: int, zones: int) -> None:
    name, url = fresh_database()
    try:
        with tempfile.TemporaryDirectory() as tmp:
            day = datetime.now(TZ).date() + timedelta(days=1)
            path = write_province(Path(tmp), url, communes, zones, "05:30")
            province = load_province(path)
            base = make_engine(url)
            first = next(iter(province.communes.values()))
            Database(url, schema=first.database.schema_name, base=base).migrate()
            started = time.perf_counter()
            others = list(province.communes.values())[1:]
            for chunk in range(0, len(others), 200):  # a transaction holds a lock per table it creates
                with base.begin() as connection:
                    for config in others[chunk : chunk + 200]:
                        schema = config.database.schema_name
                        connection.exec_driver_sql(
                            f'CREATE SCHEMA "{schema}"; CREATE TABLE "{schema}".broadcasts '
                            f'(LIKE "{first.database.schema_name}".broadcasts INCLUDING ALL)'
                        )
            print(f"national setup: {communes:,} schemas in {time.perf_counter() - started:.1f} s")
            start = datetime.combine(day, datetime.min.time(), tzinfo=TZ)
            now = datetime.now(UTC)

            databases = [  # as a fleet process keeps them: one per commune, one pool for all
                (config, Database(url, schema=config.database.schema_name, base=base))
                for config in province.communes.values()
            ]

            def plan(pair: tuple[Config, Database]) -> None:
                config, db = pair
                with db.session() as session:
                    plan_rows(session, config, start, start + timedelta(days=1), now)

            started = time.perf_counter()
            with ThreadPoolExecutor(4) as pool:
                list(pool.map(plan, databases))
            wall = time.perf_counter() - started
            rows = communes * zones
            verdict = "met" if wall < 60 else "NOT met"
            print(f"national morning: {communes:,} communes × {zones} zones = {rows:,} rows planned in {wall:.1f} s "
                  f"({rows / wall:,.0f} rows/s; target < 60 s: {verdict})")  # fmt: skip
            base.dispose()
    finally:
        drop_database(name)


def prepare_morning(root: Path, communes: int, zones: int) -> tuple[Path, str, str, datetime]:
    airtime = (datetime.now(TZ) + timedelta(minutes=3)).replace(second=0, microsecond=0)
    name, url = fresh_database()
    path = write_province(root, url, communes, zones, airtime.strftime("%H:%M"))
    province = load_province(path)
    base = make_engine(url)
    for config in province.communes.values():
        Database(url, schema=config.database.schema_name, base=base).migrate()
        day = airtime.date().isoformat()
        with base.begin() as connection:
            connection.exec_driver_sql(f'SET LOCAL search_path TO "{config.database.schema_name}"')
            for z in range(zones):
                folder = f"{day}/sang/cum-{z}"
                target = config.playout.dir / folder
                target.mkdir(parents=True, exist_ok=True)
                (target / "program.mp3").write_bytes(b"ID3" + bytes(1024))
                # as a build leaves it, with its spare
                write_manifest(target, {"status": "ready", "items": []})
                connection.execute(
                    text(
                        "INSERT INTO broadcasts (day, slot_id, zone_id, kind, airtime, status, folder, duration_s,"
                        " offline_items, updated_at, rendered_at) VALUES (:day, 'sang', :zone, 'slot', :airtime,"
                        " 'ready', :folder, 600, 0, now(), now())"
                    ),
                    {
                        "day": airtime.date(),
                        "zone": f"cum-{z}",
                        "airtime": airtime.astimezone(UTC),
                        "folder": folder,
                    },
                )
    base.dispose()
    return path, name, url, airtime


def serving(port: int, process: subprocess.Popen[bytes]) -> float:
    """When the process's `/healthz` first said ok (monotonic time): its communes' stations built, a tick done."""
    while process.poll() is None:
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=1):
                return time.monotonic()
        except (OSError, urllib.error.HTTPError):
            time.sleep(0.1)
    raise SystemExit(f"loa serve on port {port} exited with {process.returncode}")


def statements(root: Path, communes: int, zones: int) -> None:
    """The airing path's statements per broadcast, counted in one thread: the same morning's 8 shards aired
    one after the other by `burst.air_shard`, as one fleet process builds its communes."""
    from sqlalchemy import event

    from loa114.scheduler.accounts.passwords import Passwords
    from loa114.scheduler.clock import Clock
    from loa114.scheduler.db.engine import Engines
    from loa114.scheduler.service.burst import air_shard
    from loa114.scheduler.service.fleet import Fleet, stations_for
    from loa114.scheduler.service.fleet_jobs import AIR_SHARDS

    path, name, url, airtime = prepare_morning(root, communes, zones)
    engines = Engines()
    try:
        engine = engines.engine(url)
        stations = stations_for(load_province(path).communes, engines, Passwords())
        counted = {"statements": 0, "commits": 0}

        def count(kind: str) -> Callable[..., None]:
            return lambda *_args: counted.update({kind: counted[kind] + 1})

        event.listen(engine, "before_cursor_execute", count("statements"))
        event.listen(engine, "commit", count("commits"))
        now = airtime + timedelta(milliseconds=100)
        fleet = Fleet(stations, Clock.fixed(now))
        started = time.perf_counter()
        aired = [
            air_shard(fleet, [(k, s) for k, s in stations.items() if fleet.shard_of(k) == shard], now)
            for shard in range(AIR_SHARDS)
        ]
        wall = time.perf_counter() - started
        total = sum(a.recorded for a in aired)
        print(f"airing path in one thread: {total} broadcasts in {wall:.2f} s; {counted['statements'] / total:.2f} "
              f"statements and {counted['commits'] / total:.3f} commits per broadcast "
              f"({counted['statements']} and {counted['commits']} for {AIR_SHARDS} shards)")  # fmt: skip
        for station in stations.values():
            station.app.close()
    finally:
        engines.dispose()
        drop_database(name)


def transactions(engine: Any, name: str) -> int:
    """Transactions committed so far in database `name` (every process's)."""
    with engine.connect() as connection:
        query = text("SELECT xact_commit + xact_rollback FROM pg_stat_database WHERE datname = :n")
        return int(connection.scalar(query, {"n": name}))


def burst(root: Path, communes: int, zones: int, workers: int) -> dict[str, float]:
    path, name, url, airtime = prepare_morning(root, communes, zones)
    engine = create_engine(url)
    try:
        processes = [
            subprocess.Popen(
                [
                    sys.executable,
                    "-m",
                    "loa114.scheduler.cli",
                    "--config",
                    str(path),
                    "serve",
                    "--port",
                    str(18114 + i),
                ],
                cwd=root,
                stdout=subprocess.DEVNULL,
                stderr=(root / f"serve-{workers}-{i}.log").open("w"),
            )  # fmt: skip
            for i in range(workers)
        ]
        started = time.monotonic()
        start_up = [serving(18114 + i, processes[i]) - started for i in range(workers)]
        time.sleep(max(0.0, (airtime - datetime.now(TZ)).total_seconds() - 1))  # the burst, not the start-up
        before = transactions(engine, name)
        lateness: list[float] = []
        deadline = time.monotonic() + (airtime - datetime.now(TZ)).total_seconds() + 120
        while time.monotonic() < deadline:
            time.sleep(2)
            lateness, done = [], 0
            with engine.connect() as connection:
                for i in range(communes):
                    schema = f"c_xa_{i:04d}"
                    lateness += (
                        connection.execute(
                            text(f'SELECT lateness_s FROM "{schema}".as_run WHERE lateness_s IS NOT NULL')
                        )
                        .scalars()
                        .all()
                    )
                    done += connection.execute(
                        text(f"SELECT count(*) FROM \"{schema}\".broadcasts WHERE day = :day"
                             " AND status IN ('published', 'aired', 'failed', 'missed')"),
                        {"day": airtime.date()},
                    ).scalar_one()  # fmt: skip
            if done == communes * zones:  # every folder published (or failed), not only claimed
                break
        after = transactions(engine, name)
        written = sorted(  # when each folder's manifest said `published`: the publication itself
            m.stat().st_mtime - airtime.timestamp()
            for m in (root / "playout").glob("*/*/sang/*/manifest.json")
        )
        for process in processes:
            process.terminate()
        for process in processes:
            process.wait(60)
    finally:
        engine.dispose()
        drop_database(name)
    lateness.sort()
    total = communes * zones
    if len(lateness) < total:
        print(f"  only {len(lateness)} of {total} published within 2 minutes")
    return {
        "p50": statistics.median(lateness) if lateness else float("nan"),
        "p99": lateness[int(0.99 * (len(lateness) - 1))] if lateness else float("nan"),
        "last": lateness[-1] if lateness else float("nan"),
        "xact_per_broadcast": (after - before) / total,
        "written_p50": statistics.median(written) if written else float("nan"),
        "written_p99": written[int(0.99 * (len(written) - 1))] if written else float("nan"),
        "written_last": written[-1] if written else float("nan"),
        "published": len(lateness),
        "start_up": max(start_up),
    }


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--national", type=int, default=3300)
    parser.add_argument("--communes", type=int, default=65)
    parser.add_argument("--zones", type=int, default=10)
    parser.add_argument("--workers", default="1,2,4")
    args = parser.parse_args()
    if args.national:
        national(args.national, args.zones)
    with tempfile.TemporaryDirectory() as tmp:
        statements(Path(tmp), args.communes, args.zones)
    results = {}
    for k in (int(w) for w in args.workers.split(",") if w):
        with tempfile.TemporaryDirectory() as tmp:
            results[k] = burst(Path(tmp), args.communes, args.zones, k)
        r = results[k]
        one = results[min(results)]["written_last"]
        efficiency = one / (k * r["written_last"]) if r["written_last"] else float("nan")
        total = args.communes * args.zones
        verdict = "met" if r["written_p99"] <= 1.0 and r["published"] == total else "NOT met"
        print(f"province morning, {k} process(es): {r['published']}/{total} published; "
              f"folder published − airtime p50 {r['written_p50']:.2f} s, p99 {r['written_p99']:.2f} s "
              f"(target ≤ 1 s: {verdict}), last {r['written_last']:.2f} s; as-run start (the airing job's "
              f"start) p50 {r['p50']:.3f} s, p99 {r['p99']:.3f} s; scaling efficiency {efficiency:.2f}; "
              f"{r['xact_per_broadcast']:.1f} transactions per broadcast; start-up (until /healthz says ok, "
              f"slowest process) {r['start_up']:.1f} s")  # fmt: skip


if __name__ == "__main__":
    main()
