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


# --- commune.id and playout.icecast (README "Loa IP (Icecast)") -------------------------------------------

ICECAST_AT = "  command_timeout: 30m\n"


def test_commune_id_defaults_to_the_ascii_slug_of_the_name(tmp_path: Path) -> None:
    assert load_config(ROOT / "config.yaml").commune.id == "loi-bac"
    named = load_config(_write(tmp_path, "  name: Lợi Bác\n", "  name: Đồng Đăng (thị trấn)\n"))
    assert named.commune.id == "dong-dang-thi-tran"
    given = load_config(_write(tmp_path, "  name: Lợi Bác\n", "  name: Lợi Bác\n  id: lb-01\n"))
    assert given.commune.id == "lb-01"


def test_bad_commune_id_names_its_key(tmp_path: Path) -> None:
    with pytest.raises(ConfigError) as caught:
        load_config(_write(tmp_path, "  name: Lợi Bác\n", "  name: Lợi Bác\n  id: Lợi Bác\n"))
    assert caught.value.key == "commune.id"


def test_icecast_is_off_unless_configured() -> None:
    assert load_config(ROOT / "config.yaml").playout.icecast is None


def test_icecast_settings_and_a_password_file_beside_the_config(tmp_path: Path) -> None:
    block = (
        "  icecast:\n    url: http://127.0.0.1:8000/\n    source_password_file: var/pw\n"
        "    mount_prefix: /lang-son\n    between: silence\n"
    )
    config = load_config(_write(tmp_path, ICECAST_AT, ICECAST_AT + block))
    icecast = config.playout.icecast
    assert icecast is not None
    assert icecast.url == "http://127.0.0.1:8000"
    assert icecast.source_password_file == tmp_path / "var" / "pw"
    assert (icecast.mount_prefix, icecast.between) == ("/lang-son", "silence")
    assert icecast.connect_timeout == timedelta(seconds=10)
    (tmp_path / "var").mkdir()
    (tmp_path / "var" / "pw").write_text("bi-mat\n", encoding="utf-8")
    assert icecast.password() == "bi-mat"


def test_icecast_password_is_never_shown(tmp_path: Path) -> None:
    block = "  icecast: {source_password: bi-mat-114}\n"
    config = load_config(_write(tmp_path, ICECAST_AT, ICECAST_AT + block))
    assert config.playout.icecast is not None and config.playout.icecast.password() == "bi-mat-114"
    assert "bi-mat-114" not in repr(config) and "bi-mat-114" not in str(config.model_dump())


@pytest.mark.parametrize(
    ("block", "key", "words"),
    [
        ("{url: http://127.0.0.1:8000}", "playout.icecast", "source_password"),
        ("{source_password: a, source_password_file: b}", "playout.icecast", "đúng một"),
        ("{url: icecast://127.0.0.1:8000, source_password: a}", "playout.icecast.url", "Icecast"),
        ("{url: http://u:p@127.0.0.1:8000, source_password: a}", "playout.icecast.url", "source_password"),
        ("{source_password: a, between: music}", "playout.icecast.between", "chọn một trong"),
        ("{source_password: a, mount_prefix: lang-son}", "playout.icecast.mount_prefix", ""),
    ],
)
def test_bad_icecast_settings_name_their_key(tmp_path: Path, block: str, key: str, words: str) -> None:
    with pytest.raises(ConfigError) as caught:
        load_config(_write(tmp_path, ICECAST_AT, f"{ICECAST_AT}  icecast: {block}\n"))
    assert caught.value.key == key
    assert words in caught.value.message
