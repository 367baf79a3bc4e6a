"""`loa coverage …` and `loa reminders …` as the commune police run them."""

from __future__ import annotations

import json
from pathlib import Path

import openpyxl
import pytest
from conftest import write_commune

from loa114.scheduler.cli import main

NOW = ["--now", "2026-11-30T09:00+07:00"]


def run(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    code = main(list(args))
    out, err = capsys.readouterr()
    return code, out, err


@pytest.fixture
def config(tmp_path: Path) -> list[str]:
    return ["--config", str(write_commune(tmp_path, f"sqlite:///{tmp_path / 'loa.db'}")), *NOW]


def test_import_status_and_reminders(
    capsys: pytest.CaptureFixture[str], config: list[str], tmp_path: Path
) -> None:
    report = tmp_path / "bao-cao.csv"
    report.write_text(
        "\ufeffNgày;Thôn;Số hộ đã cài;Số người đã cài\n30/11/2026;NA PAN;60;200\n30/11/2026;Khòn Pẩu;90;180\n",
        encoding="utf-8",
    )
    code, out, err = run(capsys, *config, "coverage", "import", str(report))
    assert code == 0, err
    assert "2 dòng — 2 mới" in out and "Thôn chậm tiến độ: 1/2 (Nà Pàn)" in out

    code, out, _ = run(capsys, *config, "coverage", "status", "--json")
    data = json.loads(out)
    na_pan = data["villages"][0]
    assert (na_pan["id"], na_pan["households_installed"], na_pan["lagging"]) == ("na-pan", 60, True)
    assert na_pan["reasons"] == ["household_behind", "install_behind"]
    assert na_pan["household_rate"] == round(60 / 142, 6) and na_pan["last_report"] == "2026-11-30"
    assert data["totals"]["households_installed"] == 150 and data["totals"]["villages_lagging"] == 1
    assert data["expected_rate"] == pytest.approx(293 / 324, abs=1e-6)

    code, out, _ = run(capsys, *config, "coverage", "status")
    assert code == 0 and "Nà Pàn" in out and "TOÀN XÃ" in out and "42,3%" in out

    code, out, _ = run(capsys, *config, "reminders", "list", "--json")
    (notice,) = json.loads(out)
    assert set(notice) >= {"id", "village", "date", "kind", "reasons", "status", "attempts", "last_error"}
    assert (notice["village"], notice["kind"], notice["status"]) == ("na-pan", "reminder", "pending")

    code, out, _ = run(capsys, *config, "reminders", "deliver")
    assert code == 0 and "Đã gửi 1/1" in out  # the printable notice (no Apprise URL configured)
    assert list((tmp_path / "notices" / "2026-11-30").glob("na-pan-reminder-*.docx"))
    code, out, _ = run(capsys, *config, "reminders", "list", "--date", "2026-11-30")
    assert "đã gửi" in out and "nhắc" in out


def test_import_errors_exit_2_and_list_every_problem(
    capsys: pytest.CaptureFixture[str], config: list[str], tmp_path: Path
) -> None:
    report = tmp_path / "loi.csv"
    report.write_text(
        "date,village,households_installed,installs\n2026-11-30,Na Pann,5,5\n2026-12-25,na-pan,-1,5\n",
        encoding="utf-8",
    )
    code, out, err = run(capsys, *config, "coverage", "import", str(report))
    assert code == 2 and out == ""
    assert "dòng 2" in err and "Nà Pàn" in err  # did you mean
    assert "dòng 3" in err
    assert "không nhập dòng nào" in err.strip().splitlines()[-1]
    code, out, _ = run(capsys, *config, "coverage", "status", "--json")
    assert all(v["last_report"] is None for v in json.loads(out)["villages"])


def test_template_round_trip(capsys: pytest.CaptureFixture[str], config: list[str], tmp_path: Path) -> None:
    form = tmp_path / "mau.xlsx"
    code, out, _ = run(capsys, *config, "coverage", "template", "-o", str(form))
    assert code == 0 and form.is_file()
    book = openpyxl.load_workbook(form)
    sheet = book.worksheets[0]
    headers = [c.value for c in sheet[1]]
    assert headers[:4] == ["Ngày", "Thôn", "Số hộ đã cài", "Số người đã cài"]
    for row in sheet.iter_rows(min_row=2, max_row=3):
        row[0].value = "29/11/2026"
        row[2].value = 90
        row[3].value = 180
    book.save(form)
    code, out, err = run(capsys, *config, "coverage", "import", str(form))
    assert code == 0, err
    assert "2 mới" in out
    code, _, err = run(capsys, *config, "coverage", "template", "-o", str(tmp_path / "mau.csv"))
    assert code == 2 and ".xlsx" in err


def test_evaluate_and_retry(capsys: pytest.CaptureFixture[str], config: list[str]) -> None:
    code, out, _ = run(capsys, *config, "coverage", "evaluate", "--date", "2026-11-30")
    assert code == 0 and "2/2 thôn chậm tiến độ" in out and "thông báo nhắc mới: 2" in out
    code, out, _ = run(capsys, *config, "coverage", "evaluate", "--date", "2026-11-30")
    assert "thông báo nhắc mới: 0" in out  # idempotent
    code, _, err = run(capsys, *config, "reminders", "retry", "99")
    assert code == 2 and "99" in err


def test_quiet_hours_defer(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    path = write_commune(tmp_path, f"sqlite:///{tmp_path / 'loa.db'}")
    night = ["--config", str(path), "--now", "2026-11-30T22:00+07:00"]
    run(capsys, *night, "coverage", "evaluate")
    code, out, _ = run(capsys, *night, "reminders", "deliver")
    assert code == 0 and "giờ yên lặng" in out


def test_office_notice_template_is_used_and_checked(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    path = write_commune(tmp_path, f"sqlite:///{tmp_path / 'loa.db'}")
    own = tmp_path / "mau-thong-bao"
    own.mkdir()
    (own / "reminder.txt").write_text(
        '---\nkind: reminder\ntitle: "Nhắc thôn {{ village.name }}"\n---\nThôn {{ village.name }} còn '
        "{{ village.households_missing }} hộ chưa cài.\n",
        encoding="utf-8",
    )
    path.write_text(
        path.read_text(encoding="utf-8") + "notices: {dir: notices, templates: mau-thong-bao}\n",
        encoding="utf-8",
    )
    args = ["--config", str(path), *NOW]
    assert run(capsys, *args, "coverage", "evaluate")[0] == 0
    _, out, _ = run(capsys, *args, "reminders", "list", "--json")
    assert {n["title"] for n in json.loads(out)} == {"Nhắc thôn Nà Pàn", "Nhắc thôn Khòn Pẩu"}
    (own / "reminder.txt").write_text("---\nkind: reminder\ntitle: x\n---\n{{ thon }}\n", encoding="utf-8")
    code, _, err = run(capsys, *args, "check")
    assert code == 2 and "reminder.txt:5" in err
