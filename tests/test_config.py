"""config.yaml: the shipped file loads; every bad value names its file, line and key path."""

from __future__ import annotations

from datetime import time, timedelta
from pathlib import Path

import pytest

from loa114.scheduler.config import load_config
from loa114.scheduler.config.values import parse_duration
from loa114.scheduler.errors import ConfigError

ROOT = Path(__file__).resolve().parent.parent


def test_shipped_config_describes_loi_bac() -> None:
    config = load_config(ROOT / "config.yaml")
    assert config.commune.name == "Lợi Bác"
    assert config.commune.timezone == "Asia/Ho_Chi_Minh"
    assert len(config.villages) >= 8
    assert {v.zone for v in config.villages} <= {z.id for z in config.zones}
    assert [s.time for s in config.slots] == [time(5, 30), time(17, 0)]
    for slot in config.slots:
        assert slot.days == ["mon", "tue", "wed", "thu", "fri", "sat"]
        assert slot.max_duration == timedelta(minutes=15)
    # relative paths resolve against the config file, not the working directory
    assert config.playout.dir == ROOT / "playout"
    assert config.database.url == f"sqlite:///{ROOT / 'var' / 'loa114.db'}"


def test_database_url_override() -> None:
    config = load_config(ROOT / "config.yaml", database_url="postgresql+psycopg://u@h/db")
    assert config.database.url == "postgresql+psycopg://u@h/db"


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (900, timedelta(minutes=15)),
        ("15m", timedelta(minutes=15)),
        ("2h", timedelta(hours=2)),
        ("1h30m", timedelta(minutes=90)),
        ("90s", timedelta(seconds=90)),
        ("45", timedelta(seconds=45)),
    ],
)
def test_durations(value: object, expected: timedelta) -> None:
    assert parse_duration(value) == expected


@pytest.mark.parametrize("value", ["15 phút", "", "-5", "m", True, -3])
def test_bad_durations(value: object) -> None:
    with pytest.raises(ValueError):
        parse_duration(value)


def _write(tmp_path: Path, old: str, new: str) -> Path:
    text = (ROOT / "config.yaml").read_text(encoding="utf-8")
    assert old in text, old
    path = tmp_path / "config.yaml"
    path.write_text(text.replace(old, new, 1), encoding="utf-8")
    return path


def _line_of(path: Path, needle: str) -> int:
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        if needle in line:
            return number
    raise AssertionError(needle)


@pytest.mark.parametrize(
    ("old", "new", "key", "needle", "words"),
    [
        ('time: "05:30"', 'time: "25:30"', "slots[0].time", '"25:30"', "giờ không hợp lệ"),
        (
            "max_duration: 15m\n    zones: all\n  - id: chieu",
            "max_duration: 15 phút\n    zones: all\n  - id: chieu",
            "slots[0].max_duration",
            "15 phút",
            "thời lượng",
        ),
        (
            "days: [mon, tue, wed, thu, fri, sat]",
            "days: [mon, tuesday]",
            "slots[0].days",
            "tuesday",
            "chọn một trong",
        ),
        (
            "zone: trung-tam\n    contacts:\n      - {name: Hoàng Văn Tuấn",
            "zone: trung-tam-x\n    contacts:\n      - {name: Hoàng Văn Tuấn",
            "villages[0].zone",
            "trung-tam-x",
            "không có trong zones",
        ),
        ("households: 142", "households: nhiều", "villages[0].households", "nhiều", "số nguyên"),
        ("households: 142", "households: -3", "villages[0].households", "households: -3", "≥ 0"),
        (
            "timezone: Asia/Ho_Chi_Minh",
            "timezone: Asia/Hanoi_City",
            "commune.timezone",
            "Hanoi_City",
            "múi giờ",
        ),
        ("  lead_time: 2h", "  lead_tme: 2h", "schedule.lead_tme", "lead_tme", "không được hỗ trợ"),
        (
            "deadline: 2026-12-31",
            "deadline: 2026-31-12",
            "campaign.deadline",
            "2026-31-12",
            "ngày không hợp lệ",
        ),
        (
            "engines: [gtts, offline]",
            "engines: [gtts, espeak]",
            "audio.engines[1]",
            "espeak",
            "chọn một trong",
        ),
        (
            "    zones: all\n  - id: chieu",
            "    zones: [phia-dong]\n  - id: chieu",
            "slots[0].zones[0]",
            "phia-dong",
            "không có trong zones",
        ),
    ],
)
def test_bad_values_name_key_and_line(
    tmp_path: Path, old: str, new: str, key: str, needle: str, words: str
) -> None:
    path = _write(tmp_path, old, new)
    with pytest.raises(ConfigError) as caught:
        load_config(path)
    error = caught.value
    assert error.key == key
    assert error.line == _line_of(path, needle)
    assert words in error.message
    assert str(error).startswith(f"{path}:{error.line}: {key}:")


def test_duplicate_zone_ids(tmp_path: Path) -> None:
    path = _write(
        tmp_path,
        "  - id: phia-bac\n    name: Cụm loa phía Bắc",
        "  - id: trung-tam\n    name: Cụm loa phía Bắc",
    )
    with pytest.raises(ConfigError, match="bị trùng") as caught:
        load_config(path)
    assert caught.value.key == "zones[1].id"


def test_yaml_syntax_error_names_line(tmp_path: Path) -> None:
    path = tmp_path / "config.yaml"
    path.write_text("commune:\n  name: Lợi Bác\n  province: [Lạng Sơn\n", encoding="utf-8")
    with pytest.raises(ConfigError, match="YAML không hợp lệ") as caught:
        load_config(path)
    assert caught.value.line is not None and caught.value.line >= 3


def test_missing_file(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="không tìm thấy"):
        load_config(tmp_path / "nope.yaml")


def test_deadline_before_start(tmp_path: Path) -> None:
    path = _write(tmp_path, "deadline: 2026-12-31", "deadline: 2026-01-01")
    with pytest.raises(ConfigError, match="deadline phải sau start"):
        load_config(path)


def test_unquoted_time_still_understood(tmp_path: Path) -> None:
    # YAML 1.1 reads 05:30 unquoted as the number 330; a clerk should not have to know that.
    path = _write(tmp_path, 'time: "05:30"', "time: 05:30")
    assert load_config(path).slots[0].time == time(5, 30)
