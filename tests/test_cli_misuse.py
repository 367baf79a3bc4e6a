"""Every command, misused: one Vietnamese line on stderr, exit code 2, never a traceback.

The command tree is walked from the Typer app itself, so a command added later is covered too.
"""

from __future__ import annotations

import socket
import subprocess
import sys
from pathlib import Path

import pytest
import typer
from conftest import write_commune

from loa114.scheduler.cli import app, main

LOA = [sys.executable, "-m", "loa114.scheduler.cli"]


def commands() -> list[list[str]]:
    """Every leaf command's path, e.g. ["coverage", "import"]."""
    root = typer.main.get_command(app)
    found: list[list[str]] = []

    def walk(command: object, path: list[str]) -> None:
        subcommands = getattr(command, "commands", None)
        if subcommands:
            for name, sub in subcommands.items():
                walk(sub, [*path, name])
        else:
            found.append(path)

    walk(root, [])
    return found


ALL = commands()


@pytest.fixture
def config(tmp_path: Path) -> Path:
    return write_commune(tmp_path, f"sqlite:///{tmp_path / 'loa.db'}")


def one_line(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str]:
    code = main(list(args))
    out, err = capsys.readouterr()
    assert "Traceback" not in out + err
    lines = err.strip().splitlines()
    assert len(lines) == 1, err
    assert lines[0].startswith("lỗi"), lines[0]
    return code, lines[0]


def test_the_walk_found_every_command() -> None:
    assert ["serve"] in ALL and ["coverage", "import"] in ALL and ["reminders", "retry"] in ALL
    assert ["users", "add"] in ALL and ["tokens", "create"] in ALL
    assert len(ALL) >= 15


@pytest.mark.parametrize("path", ALL, ids=lambda p: " ".join(p))
def test_an_unknown_option_on_any_command(
    capsys: pytest.CaptureFixture[str], config: Path, path: list[str]
) -> None:
    code, line = one_line(capsys, "--config", str(config), *path, "--khong-co-tuy-chon-nay")
    assert code == 2 and "không có tùy chọn --khong-co-tuy-chon-nay" in line


BAD = [
    (["alert"], "thiếu đối số TEXT"),
    (["say", "Xin chào"], "thiếu tùy chọn -o/--output"),
    (["reminders", "retry", "abc"], "phải là số nguyên"),
    (["reminders", "retry"], "thiếu đối số NOTICE_ID"),
    (["program", "build", "--days", "0"], "phải ≥ 1"),
    (["program", "build", "--days", "tam"], "phải là số nguyên"),
    (["program", "build", "--date", "32/12/2026"], "--date: ngày không hợp lệ"),
    (["program", "build", "--slot"], "cần một giá trị"),
    (["broadcasts", "list", "--date", "hôm qua"], "--date: ngày không hợp lệ"),
    (["coverage", "status", "--date", "2026-02-30"], "--date: ngày không hợp lệ"),
    (["coverage", "evaluate", "--date", "1/13/2026"], "--date: ngày không hợp lệ"),
    (["reminders", "list", "--date", "x"], "--date: ngày không hợp lệ"),
    (["coverage", "import"], "thiếu đối số FILE"),
    (["coverage", "import", "khong-co.csv"], "khong-co.csv"),
    (["coverage", "template"], "thiếu tùy chọn -o/--output"),
    (["coverage", "template", "-o", "mau.csv"], ".xlsx"),
    (["alert", "Cháy", "--zones", "phia-dong"], "phia-dong"),
    (["alert", "  \x0b "], "trống"),
    (["khong-co-lenh"], "không có lệnh 'khong-co-lenh'"),
    (["program", "khong-co-lenh"], "không có lệnh 'khong-co-lenh'"),
    (["normalize", "a", "b"], "thừa đối số b"),
    (["cleanup", "--yes"], "không có tùy chọn --yes"),
    (["users", "add", "an"], "thiếu tùy chọn --role"),
    (["users", "add", "an", "--role", "chief"], "vai trò 'chief' không có"),
    (["users", "add", "an", "--role", "village_head"], "cần --village"),
    (["users", "add", "an", "--role", "office"], "--password-stdin"),  # no terminal to ask in
    (["tokens", "create", "Radio IP", "--role", "operator"], "tên mã truy cập 'Radio IP' không hợp lệ"),
    (["tokens", "revoke", "khong-co"], "không có mã truy cập"),
]


@pytest.mark.parametrize(("args", "says"), BAD, ids=lambda v: " ".join(v) if isinstance(v, list) else "")
def test_bad_arguments(capsys: pytest.CaptureFixture[str], config: Path, args: list[str], says: str) -> None:
    code, line = one_line(capsys, "--config", str(config), *args)
    assert code == 2 and says in line


def test_a_missing_config_file_is_one_line(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    code, line = one_line(capsys, "--config", str(tmp_path / "khong-co.yaml"), "broadcasts", "list")
    assert code == 2 and "không tìm thấy tệp cấu hình" in line


def test_the_real_entry_point(tmp_path: Path) -> None:
    plain = subprocess.run([*LOA], capture_output=True, text=True, cwd=tmp_path, timeout=60)
    assert plain.returncode == 0 and "Usage" in plain.stdout and "alert" in plain.stdout
    version = subprocess.run([*LOA, "--version"], capture_output=True, text=True, cwd=tmp_path, timeout=60)
    assert version.returncode == 0 and version.stdout.startswith("loa ")
    unknown = subprocess.run([*LOA, "foo"], capture_output=True, text=True, cwd=tmp_path, timeout=60)
    assert unknown.returncode == 2 and len(unknown.stderr.strip().splitlines()) == 1
    assert "Traceback" not in unknown.stderr


def test_serve_with_its_port_taken_says_so_and_exits_1(tmp_path: Path, config: Path) -> None:
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen(1)
        port = taken.getsockname()[1]
        text = config.read_text(encoding="utf-8") + f"web: {{host: 127.0.0.1, port: {port}}}\n"
        config.write_text(text, encoding="utf-8")
        done = subprocess.run(
            [*LOA, "--config", str(config), "serve"], capture_output=True, text=True, cwd=tmp_path, timeout=60
        )
    assert done.returncode == 1
    (line,) = [ln for ln in done.stderr.splitlines() if ln.startswith("lỗi")]
    assert f"cổng {port}" in line and "đang được một chương trình khác dùng" in line
    assert "Traceback" not in done.stderr


def test_serve_port_option_overrides_web_port(tmp_path: Path, config: Path) -> None:
    """`--port` wins over `web.port` (the default 8114 here): the port taken is the one named."""
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen(1)
        port = taken.getsockname()[1]
        done = subprocess.run(
            [*LOA, "--config", str(config), "serve", "--port", str(port)],
            capture_output=True,
            text=True,
            cwd=tmp_path,
            timeout=60,
        )
    assert done.returncode == 1
    (line,) = [ln for ln in done.stderr.splitlines() if ln.startswith("lỗi")]
    assert f"cổng {port}" in line and "--port" in line


def test_serve_port_out_of_range(capsys: pytest.CaptureFixture[str], config: Path) -> None:
    code, line = one_line(capsys, "--config", str(config), "serve", "--port", "70000")
    assert code == 2 and "--port" in line
