"""The `loa` command as an operator or a script calls it: exit codes, one-line errors, JSON shapes."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from conftest import SCRIPTS, write_commune

from loa114.scheduler.cli import main

ROOT = Path(__file__).resolve().parent.parent


def run(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    code = main(list(args))
    out, err = capsys.readouterr()
    return code, out, err


@pytest.fixture
def config(tmp_path: Path) -> Path:
    return write_commune(tmp_path, f"sqlite:///{tmp_path / 'loa.db'}")


def test_check_shipped_config_and_library(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    code, out, err = run(capsys, "--config", str(ROOT / "config.yaml"), "--now", "2026-11-30T04:00", "check")
    assert code == 0, err
    assert "hợp lệ" in out and "12 bài" in out


def test_check_lists_every_problem_and_exits_2(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    scripts = dict(SCRIPTS)
    scripts["hong-1"] = "---\nid: hong-1\ntitle: A\n---\n{{ thon }}\n"
    scripts["hong-2"] = "---\nid: hong-2\ntitle: B\npriority: cao\n---\nXin chào\n"
    scripts["hong-3"] = "---\nid: hong-3\ntitle: C\nslots: [trua]\n---\nXin chào\n"
    path = write_commune(tmp_path, f"sqlite:///{tmp_path / 'loa.db'}", scripts=scripts)
    code, _, err = run(capsys, "--config", str(path), "check")
    assert code == 2
    lines = err.strip().splitlines()
    assert any("hong-1.txt:5:" in line and "thon" in line for line in lines)
    assert any("hong-2.txt:4:" in line for line in lines)
    assert any("hong-3.txt" in line and "trua" in line for line in lines)
    assert "3 lỗi" in lines[-1]


def test_bad_config_is_one_line_exit_2(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, config: Path
) -> None:
    config.write_text(config.read_text(encoding="utf-8").replace('"05:30"', '"5h30"'), encoding="utf-8")
    code, out, err = run(capsys, "--config", str(config), "broadcasts", "list")
    assert code == 2
    assert out == ""
    (line,) = err.strip().splitlines()
    assert line.startswith(f"lỗi cấu hình: {config}:") and "slots[0].time" in line
    assert "Traceback" not in err


def test_bad_now_and_bad_date(capsys: pytest.CaptureFixture[str], config: Path) -> None:
    code, _, err = run(capsys, "--config", str(config), "--now", "hôm qua", "program", "build")
    assert code == 2 and "--now" in err
    code, _, err = run(capsys, "--config", str(config), "broadcasts", "list", "--date", "31/11/2026")
    assert code == 2 and "--date" in err and "31/12/2026 hoặc 2026-12-31" in err
    code, out, err = run(capsys, "--config", str(config), "broadcasts", "list", "--date", "30/11/2026")
    assert code == 0, err  # the commune's own way of writing a date is accepted
    code, _, err = run(capsys, "--config", str(config), "program", "build", "--slot", "trua")
    assert code == 2 and "trua" in err


def test_program_build_then_list_json(
    capsys: pytest.CaptureFixture[str], config: Path, tmp_path: Path
) -> None:
    now = ["--config", str(config), "--now", "2026-11-30T03:00+07:00"]
    code, out, err = run(capsys, *now, "program", "build", "--date", "2026-11-30", "--slot", "sang", "--json")
    assert code == 0, err
    built = json.loads(out)
    assert [(b["date"], b["slot"], b["zone"], b["status"], b["built"]) for b in built] == [
        ("2026-11-30", "sang", "trung-tam", "ready", True),
        ("2026-11-30", "sang", "phia-bac", "ready", True),
    ]
    assert Path(built[0]["folder"], "program.mp3").is_file()
    code, out, _ = run(capsys, *now, "broadcasts", "list", "--date", "2026-11-30", "--json")
    listed = json.loads(out)
    assert code == 0 and len(listed) == 2
    assert set(listed[0]) == {
        "id",
        "commune",
        "date",
        "slot",
        "zone",
        "zone_name",
        "kind",
        "overdue",
        "reason",
        "airtime",
        "status",
        "items",
        "duration_s",
        "offline_items",
        "folder",
        "aired_at",
        "lateness_s",
        "error",
        "confirmed_by",
        "confirmed_at",
    }
    assert listed[0]["airtime"] == "2026-11-30T05:30:00+07:00" and listed[0]["status"] == "ready"
    manifest = json.loads(Path(built[0]["folder"], "manifest.json").read_text(encoding="utf-8"))
    assert listed[0]["items"] == len(manifest["items"]) > 0 and listed[0]["lateness_s"] is None
    code, out, _ = run(capsys, *now, "broadcasts", "list", "--date", "2026-11-30")
    assert code == 0 and "05:30" in out and "sẵn sàng" in out and "trạng thái" in out
    assert "Cụm loa trung tâm" in out  # zones by name, as operators call them
    late = ["--config", str(config), "--now", "2026-11-30T05:45+07:00"]  # no service ran at 05:30
    code, out, _ = run(capsys, *late, "broadcasts", "list", "--date", "2026-11-30")
    assert "quá giờ, chưa phát" in out and "sẵn sàng" not in out
    code, out, _ = run(capsys, *late, "broadcasts", "list", "--date", "2026-11-30", "--json")
    assert {(b["status"], b["overdue"]) for b in json.loads(out)} == {("ready", True)}


def test_program_build_days(capsys: pytest.CaptureFixture[str], config: Path) -> None:
    code, out, _ = run(
        capsys,
        "--config",
        str(config),
        "--now",
        "2026-11-29T12:00",
        "program",
        "build",
        "--date",
        "2026-11-29",
        "--days",
        "2",
        "--json",
    )
    built = json.loads(out)
    # Sunday: only the daily 17:00 slot (trung-tam); Monday: 05:30 on both zones and 17:00
    assert code == 0
    assert [(b["date"], b["slot"], b["zone"]) for b in built] == [
        ("2026-11-29", "chieu", "trung-tam"),
        ("2026-11-30", "sang", "trung-tam"),
        ("2026-11-30", "sang", "phia-bac"),
        ("2026-11-30", "chieu", "trung-tam"),
    ]


def test_normalize_and_explain(capsys: pytest.CaptureFixture[str], config: Path) -> None:
    code, out, _ = run(capsys, "--config", str(config), "normalize", "Gọi 114 khi có cháy ở Nà Pàn")
    assert code == 0
    assert out.splitlines()[0] == "Gọi một một bốn khi có cháy ở Nà Pàn"
    code, out, _ = run(capsys, "--config", str(config), "normalize", "--explain", "Gọi 114")
    assert "114" in out and "một một bốn" in out


def test_say_writes_audio(capsys: pytest.CaptureFixture[str], config: Path, tmp_path: Path) -> None:
    target = tmp_path / "cau.mp3"
    code, out, err = run(capsys, "--config", str(config), "say", "Hãy gọi 114.", "-o", str(target))
    assert code == 0, err
    assert target.stat().st_size > 1000
    assert "một một bốn" in out
    code, _, err = run(capsys, "--config", str(config), "say", "Xin chào", "-o", str(tmp_path / "cau.ogg"))
    assert code == 2 and ".mp3" in err


def test_alert_command(capsys: pytest.CaptureFixture[str], config: Path, tmp_path: Path) -> None:
    code, out, err = run(
        capsys,
        "--config",
        str(config),
        "--now",
        "2026-11-30T10:00:05+07:00",
        "alert",
        "Cháy nhà ở Nà Pàn.",
        "--zones",
        "trung-tam",
    )
    assert code == 0, err
    assert "Đã đưa ra thư mục phát (chờ phát, chờ xác nhận) thông báo khẩn" in out
    assert (tmp_path / "playout/2026-11-30/khan-100005/trung-tam/program.mp3").is_file()
    code, _, err = run(capsys, "--config", str(config), "alert", "Cháy", "--zones", "phia-dong")
    assert code == 2 and "phia-dong" in err


def test_db_upgrade(capsys: pytest.CaptureFixture[str], config: Path) -> None:
    code, out, _ = run(capsys, "--config", str(config), "db", "upgrade")
    assert code == 0 and "phiên bản mới nhất" in out


def test_preview_renders_one_whole_script_as_it_would_air(
    capsys: pytest.CaptureFixture[str], config: Path, tmp_path: Path
) -> None:
    from loa114.audio.program import measure

    target = tmp_path / "nghe-thu.mp3"
    code, out, err = run(
        capsys, "--config", str(config), "--now", "2026-11-30T09:00", "preview", "goi-114", "-o", str(target)
    )
    assert code == 0, err
    assert out.startswith(f"Đã ghi {target} — Gọi 114 khi có cháy")
    assert "Khi phát hiện cháy, hãy gọi ngay 114." in out and "một một bốn" in out
    loudness, peak = measure(target)
    assert abs(loudness + 16.0) <= 1.0 and peak <= -1.0  # the program's loudness, chime included
    code, _, err = run(capsys, "--config", str(config), "preview", "goi-115", "-o", str(target))
    assert code == 2 and "có phải 'goi-114'?" in err
    code, _, err = run(
        capsys, "--config", str(config), "preview", "goi-114", "--village", "na-pan", "-o", str(target)
    )
    assert code == 2 and "cả xã" in err
