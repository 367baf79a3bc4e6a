"""The Icecast playout adapter against a real icecast2 (tests/icecast_server.py), with real ffmpeg.

What a listener on `/<commune>/<zone>` hears is recorded and measured: as long and as loud as the
program. Refusals (wrong password, nothing listening, a server that never answers) fail the broadcast
with a Vietnamese message, within a bounded time.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Iterator
from datetime import date, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import icecast_server as icecast_server_module
import numpy as np
import pytest
from conftest import write_commune
from icecast_server import (
    SOURCE_PASSWORD,
    IcecastServer,
    Recorder,
    free_port,
    hanging_server,
    icecast_server,
    wait_until,
)
from sqlalchemy import select

from loa114.audio import ffmpeg
from loa114.audio.loudness import measure
from loa114.scheduler.config import Icecast, load_config
from loa114.scheduler.db.models import AsRun, Broadcast
from loa114.scheduler.errors import PlayoutError
from loa114.scheduler.playout import Airing, IcecastPlayout
from loa114.scheduler.service.app import App
from loa114.scheduler.service.station import Station

HCM = ZoneInfo("Asia/Ho_Chi_Minh")
AIRED_AT = datetime(2026, 11, 30, 5, 30, 0, tzinfo=HCM)
RATE = 22050
SECONDS = 5.0
MOUNT = "/loi-bac/trung-tam"
MONDAY_0330 = datetime(2026, 11, 30, 3, 30, tzinfo=HCM)  # the lead time before the 05:30 slot
MONDAY_0530 = datetime(2026, 11, 30, 5, 30, 1, tzinfo=HCM)


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[IcecastServer]:
    with icecast_server(tmp_path_factory.mktemp("icecast")) as running:
        yield running


def write_program(folder: Path, seconds: float = SECONDS) -> Path:
    """A tone at a speech-like level, warbling so the loudness meter has something to gate: program.mp3."""
    folder.mkdir(parents=True, exist_ok=True)
    t = np.arange(int(seconds * RATE)) / RATE
    wave = 0.25 * np.sin(2 * np.pi * 440 * t) * (0.6 + 0.4 * np.sin(2 * np.pi * 1.5 * t))
    (folder / "program.mp3").write_bytes(ffmpeg.encode_mp3((wave * 32767).astype(np.int16), RATE, 64))
    return folder / "program.mp3"


def airing(folder: Path, zone: str = "trung-tam") -> Airing:
    return Airing(folder, date(2026, 11, 30), "sang", zone, AIRED_AT, AIRED_AT)


def adapter(url: str, **settings: object) -> IcecastPlayout:
    values: dict[str, object] = {"url": url, "source_password": SOURCE_PASSWORD}
    values.update(settings)
    return IcecastPlayout(Icecast.model_validate(values), "loi-bac", ["trung-tam", "phia-bac"])


def duration_s(path: Path) -> float:
    return len(ffmpeg.decode(path, RATE)) / RATE


def test_a_listener_hears_the_whole_program_as_loud_as_it_is(
    server: IcecastServer, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    program = write_program(tmp_path / "prog")
    playout = adapter(server.url)
    caplog.set_level(logging.DEBUG)
    with Recorder(server.listen_url(MOUNT), tmp_path / "heard.mp3") as recorder:
        detail = playout.publish(airing(program.parent))
    assert recorder.error is None or isinstance(recorder.error, OSError)

    heard = tmp_path / "heard.mp3"
    assert duration_s(heard) == pytest.approx(duration_s(program), abs=0.3)
    assert measure(heard)[0] == pytest.approx(measure(program)[0], abs=0.5)
    assert detail is not None and detail.startswith(f"icecast {MOUNT} 05:30:00–05:30:0")
    assert playout.plays
    assert SOURCE_PASSWORD not in caplog.text
    assert not server.is_live(MOUNT)  # nothing between programs by default


def test_mount_prefix_and_commune_id_name_the_mount(server: IcecastServer, tmp_path: Path) -> None:
    program = write_program(tmp_path / "prog", seconds=1.0)
    playout = adapter(server.url, mount_prefix="/lang-son")
    assert playout.mount("phia-bac") == "/lang-son/loi-bac/phia-bac"
    with Recorder(server.listen_url("/lang-son/loi-bac/phia-bac"), tmp_path / "heard.mp3"):
        detail = playout.publish(airing(program.parent, zone="phia-bac"))
    assert detail is not None and "/lang-son/loi-bac/phia-bac" in detail
    assert duration_s(tmp_path / "heard.mp3") == pytest.approx(1.0, abs=0.3)


def test_wrong_password_is_refused_at_once_in_vietnamese(server: IcecastServer, tmp_path: Path) -> None:
    program = write_program(tmp_path / "prog", seconds=1.0)
    started = time.monotonic()
    with pytest.raises(PlayoutError) as caught:
        adapter(server.url, source_password="sai-mat-khau").publish(airing(program.parent))
    assert time.monotonic() - started < 2
    assert caught.value.adapter == "icecast"
    assert "từ chối mật khẩu nguồn" in caught.value.message
    assert "sai-mat-khau" not in str(caught.value)


def test_password_from_a_file(server: IcecastServer, tmp_path: Path) -> None:
    (tmp_path / "pw").write_text(SOURCE_PASSWORD + "\n", encoding="utf-8")
    program = write_program(tmp_path / "prog", seconds=1.0)
    playout = adapter(server.url, source_password=None, source_password_file=tmp_path / "pw")
    assert playout.publish(airing(program.parent))
    playout = adapter(server.url, source_password=None, source_password_file=tmp_path / "missing")
    with pytest.raises(PlayoutError, match="không đọc được tệp mật khẩu"):
        playout.publish(airing(program.parent))


def test_nothing_listening_fails_quickly(tmp_path: Path) -> None:
    program = write_program(tmp_path / "prog", seconds=1.0)
    started = time.monotonic()
    with pytest.raises(PlayoutError, match="không nhận kết nối"):
        adapter(f"http://127.0.0.1:{free_port()}").publish(airing(program.parent))
    assert time.monotonic() - started < 2


def test_a_server_that_never_answers_is_given_up_after_the_connect_timeout(tmp_path: Path) -> None:
    program = write_program(tmp_path / "prog", seconds=1.0)
    with hanging_server() as port:
        started = time.monotonic()
        with pytest.raises(PlayoutError, match="không trả lời sau 1 giây"):
            adapter(f"http://127.0.0.1:{port}", connect_timeout=1).publish(airing(program.parent))
        assert 0.9 < time.monotonic() - started < 3


def test_a_program_ffmpeg_cannot_read_fails_the_broadcast(server: IcecastServer, tmp_path: Path) -> None:
    (tmp_path / "prog").mkdir()
    (tmp_path / "prog" / "program.mp3").write_bytes(b"not an mp3 at all" * 100)
    with pytest.raises(PlayoutError, match="ffmpeg dừng với mã lỗi") as caught:
        adapter(server.url).publish(airing(tmp_path / "prog"))
    assert caught.value.exit_status not in (None, 0)
    wait_until(lambda: not server.is_live(MOUNT), "mount released")


def test_missing_program_file(server: IcecastServer, tmp_path: Path) -> None:
    with pytest.raises(PlayoutError, match="thiếu tệp chương trình"):
        adapter(server.url).publish(airing(tmp_path / "nowhere"))


def test_a_mount_held_by_another_source_is_not_taken(server: IcecastServer, tmp_path: Path) -> None:
    long_program = write_program(tmp_path / "long", seconds=4.0)
    short = write_program(tmp_path / "short", seconds=1.0)
    first = adapter(server.url)
    details: list[str | None] = []
    thread = threading.Thread(target=lambda: details.append(first.publish(airing(long_program.parent))))
    thread.start()
    try:
        wait_until(lambda: server.is_live(MOUNT), "first source live")
        with pytest.raises(PlayoutError, match="đang có nguồn khác phát"):
            adapter(server.url).publish(airing(short.parent))
    finally:
        thread.join(30)
    assert len(details) == 1 and details[0] is not None  # the first source was not disturbed


def test_silence_between_programs_keeps_the_mount_alive(server: IcecastServer, tmp_path: Path) -> None:
    program = write_program(tmp_path / "prog", seconds=2.0)
    playout = adapter(server.url, between="silence")
    playout.start()
    try:
        wait_until(lambda: server.is_live(MOUNT) and server.is_live("/loi-bac/phia-bac"), "silence live")
        assert playout.keeper is not None and playout.keeper.running("trung-tam")
        detail = playout.publish(airing(program.parent))
        assert detail is not None and detail.startswith(f"icecast {MOUNT} 05:30:00–")
        wait_until(lambda: server.is_live(MOUNT), "silence back after the program")
    finally:
        playout.close()
    wait_until(lambda: not server.is_live(MOUNT), "mount released at close")
    wait_until(lambda: not server.is_live("/loi-bac/phia-bac"), "second mount released at close")


def airing_in_background(
    playout: IcecastPlayout, program: Path
) -> tuple[threading.Thread, list[PlayoutError]]:
    """Publish `program` on a thread (started); the PlayoutErrors it raises land in the list."""
    errors: list[PlayoutError] = []

    def air() -> None:
        try:
            playout.publish(airing(program.parent))
        except PlayoutError as exc:
            errors.append(exc)

    thread = threading.Thread(target=air)
    thread.start()
    return thread, errors


def test_close_stops_a_program_in_flight_and_it_fails(server: IcecastServer, tmp_path: Path) -> None:
    program = write_program(tmp_path / "prog", seconds=8.0)
    playout = adapter(server.url)
    thread, errors = airing_in_background(playout, program)
    wait_until(lambda: server.is_live(MOUNT), "program live")
    playout.close()
    thread.join(10)
    assert not thread.is_alive()
    assert [e.message for e in errors] == [f"dịch vụ dừng khi đang phát lên {MOUNT}"]


# --- through the real airing path: build ahead, air at airtime, the as-run log ---------------------------

SHORT_SCRIPT = {"goi-114": "---\nid: goi-114\ntitle: Gọi 114\npinned: true\n---\nGọi ngay 114.\n"}


def icecast_station(root: Path, url: str, password: str) -> Station:
    path = write_commune(root, f"sqlite:///{root / 'loa.db'}", scripts=SHORT_SCRIPT)
    text = path.read_text(encoding="utf-8").replace("chime: true", "chime: false")
    icecast = f'icecast: {{url: "{url}", source_password: "{password}"}}'
    path.write_text(text.replace("playout: {dir: playout}", f"playout: {{dir: playout, {icecast}}}"), "utf-8")
    return Station(App.create(load_config(path)))


def as_run(station: Station) -> list[tuple[str, str, str | None]]:
    with station.app.db.session() as session:
        query = select(Broadcast.zone_id, AsRun.outcome, AsRun.detail).join(
            AsRun, AsRun.broadcast_id == Broadcast.id
        )
        return sorted((zone, outcome, detail) for zone, outcome, detail in session.execute(query).all())


def test_a_broadcast_streamed_to_icecast_ends_aired_with_its_mount(
    server: IcecastServer, tmp_path: Path
) -> None:
    station = icecast_station(tmp_path, server.url, SOURCE_PASSWORD)
    station.tick(MONDAY_0330)
    with Recorder(server.listen_url(MOUNT), tmp_path / "heard.mp3"):
        report = station.tick(MONDAY_0530)
    assert sorted(r.status for r in report.aired) == ["aired", "aired"]
    runs = as_run(station)
    assert [(zone, outcome) for zone, outcome, _ in runs] == [("phia-bac", "aired"), ("trung-tam", "aired")]
    details = {zone: detail or "" for zone, _, detail in runs}
    assert "icecast: icecast /loi-bac/trung-tam 05:30:01–05:30:" in details["trung-tam"]
    assert "icecast: icecast /loi-bac/phia-bac 05:30:01–" in details["phia-bac"]
    program = tmp_path / "playout/2026-11-30/sang/trung-tam/program.mp3"
    assert duration_s(tmp_path / "heard.mp3") == pytest.approx(duration_s(program), abs=0.3)


def test_a_refused_password_fails_the_broadcast(server: IcecastServer, tmp_path: Path) -> None:
    station = icecast_station(tmp_path, server.url, "sai-mat-khau")
    station.tick(MONDAY_0330)
    report = station.tick(MONDAY_0530)
    assert sorted(r.status for r in report.aired) == ["failed", "failed"]
    with station.app.db.session() as session:
        errors = set(session.scalars(select(Broadcast.error).where(Broadcast.status == "failed")).all())
    assert errors == {
        f"icecast: máy chủ Icecast 127.0.0.1:{server.port} từ chối mật khẩu nguồn (source_password)"
    }


def test_a_server_lost_mid_program_fails_the_broadcast(tmp_path: Path) -> None:
    program = write_program(tmp_path / "prog", seconds=8.0)
    with icecast_server(tmp_path / "own") as own:
        thread, errors = airing_in_background(adapter(own.url), program)
        wait_until(lambda: own.is_live(MOUNT), "program live")
    thread.join(30)  # the server stopped when the block ended
    assert not thread.is_alive()
    assert len(errors) == 1 and "máy chủ Icecast ngắt kết nối khi đang phát" in errors[0].message, errors


def test_missing_icecast2_skips_or_fails_as_ci_asks(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(icecast_server_module, "ICECAST", "/nonexistent/icecast2")
    monkeypatch.delenv("REQUIRE_ICECAST", raising=False)
    with pytest.raises(pytest.skip.Exception, match="set REQUIRE_ICECAST=1 to fail instead"):
        icecast_server_module.require_icecast()
    monkeypatch.setenv("REQUIRE_ICECAST", "1")
    with pytest.raises(pytest.fail.Exception, match="REQUIRE_ICECAST=1 but the Icecast tests cannot run"):
        icecast_server_module.require_icecast()
