"""Communes as tenants (config/province.py): a province file lists communes, each isolated in its own schema
(PostgreSQL) or file (SQLite) and its own playout folder; `--commune` chooses; a plain config.yaml is a
province of one and keeps working unchanged."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from conftest import POSTGRES_URL, write_commune, write_province
from sqlalchemy import create_engine, text

from loa114.scheduler.cli import main
from loa114.scheduler.config.province import load_province
from loa114.scheduler.errors import ConfigError

NOW = ["--now", "2026-11-30T03:00+07:00"]


def run(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    code = main(list(args))
    out, err = capsys.readouterr()
    return code, out, err


def province(root: Path, url: str) -> Path:
    return write_province(root, url)


def test_a_plain_config_is_a_province_of_one(tmp_path: Path) -> None:
    path = write_commune(tmp_path, f"sqlite:///{tmp_path / 'loa.db'}")
    one = load_province(path)
    config = one.commune(None)
    assert list(one.communes) == ["loi-bac"] and config.database.schema_name is None
    assert config.playout.dir == tmp_path / "playout"  # unchanged: no commune folder for a province of one


@pytest.mark.parametrize("backend", ["sqlite", "postgres"])
def test_each_commune_builds_into_its_own_rows_and_folder(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], backend: str
) -> None:
    if backend == "postgres":
        if not POSTGRES_URL:
            pytest.skip("LOA_TEST_POSTGRES_URL not set")
        url = POSTGRES_URL
        engine = create_engine(url)
        with engine.begin() as connection:
            for schema in ("c_loi_bac", "c_na_sam"):
                connection.execute(text(f"DROP SCHEMA IF EXISTS {schema} CASCADE"))
        engine.dispose()
    else:
        url = f"sqlite:///{tmp_path / 'loa.db'}"
    file = province(tmp_path, url)
    code, _, err = run(capsys, "--config", str(file), *NOW, "broadcasts", "list")
    assert code == 2 and "--commune" in err and "loi-bac, na-sam" in err and "Traceback" not in err
    code, _, err = run(capsys, "--config", str(file), "--commune", "xyz", *NOW, "broadcasts", "list")
    assert code == 2 and "xyz" in err
    code, out, err = run(
        capsys, "--config", str(file), "--commune", "na-sam", *NOW, "program", "build", "--date", "2026-11-30",
        "--slot", "sang", "--json",
    )  # fmt: skip
    assert code == 0, err
    built = json.loads(out)
    assert {Path(b["folder"]).relative_to(tmp_path / "playout").parts[0] for b in built} == {"na-sam"}
    code, out, _ = run(
        capsys, "--config", str(file), "--commune", "na-sam", *NOW, "broadcasts", "list", "--json"
    )
    assert code == 0 and {r["commune"] for r in json.loads(out)} == {"na-sam"} and len(json.loads(out)) == 2
    code, out, _ = run(
        capsys, "--config", str(file), "--commune", "loi-bac", *NOW, "broadcasts", "list", "--json"
    )
    assert code == 0 and json.loads(out) == []  # the other commune's rows are not its own
    if backend == "sqlite":
        assert (tmp_path / "loa-na-sam.db").is_file() and not (tmp_path / "loa.db").exists()


def test_province_file_mistakes_name_the_file(tmp_path: Path) -> None:
    file = province(tmp_path, f"sqlite:///{tmp_path / 'loa.db'}")
    text_ = file.read_text(encoding="utf-8")
    file.write_text(text_.replace("na-sam, config: na-sam", "loi-bac, config: na-sam"), encoding="utf-8")
    with pytest.raises(ConfigError, match="hai lần"):
        load_province(file)
    file.write_text(text_.replace("na-sam/config.yaml", "khong-co/config.yaml"), encoding="utf-8")
    with pytest.raises(ConfigError, match="không tìm thấy"):
        load_province(file)
    file.write_text(text_.replace("id: na-sam", "id: Na Sam"), encoding="utf-8")
    with pytest.raises(ConfigError) as raised:
        load_province(file)
    assert raised.value.line == 6 and "communes[1].id" in str(raised.value)


def test_province_roll_up_matches_each_communes_own_report(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    file = province(tmp_path, f"sqlite:///{tmp_path / 'loa.db'}")
    report = tmp_path / "bao-cao.csv"
    report.write_text(
        "Ngày,Thôn,Số hộ đã cài,Số người đã cài\n29/11/2026,Nà Pàn,142,318\n29/11/2026,Khòn Pẩu,96,187\n",
        "utf-8",
    )
    base = ["--config", str(file), *NOW]
    assert run(capsys, *base, "--commune", "loi-bac", "coverage", "import", str(report))[0] == 0
    code, out, err = run(capsys, *base, "province", "--format", "json", "-o", str(tmp_path / "tinh.json"))
    assert code == 0, err
    rolled = json.loads((tmp_path / "tinh.json").read_text(encoding="utf-8"))
    lines = {c["key"]: c for c in rolled["communes"]}
    for key in ("loi-bac", "na-sam"):
        own = tmp_path / f"{key}.json"
        assert (
            run(
                capsys,
                *base,
                "--commune",
                key,
                "report",
                "--period",
                "week",
                "--format",
                "json",
                "-o",
                str(own),
            )[0]
            == 0
        )
        totals = json.loads(own.read_text(encoding="utf-8"))["installation"]["totals"]
        assert lines[key]["households_installed"] == totals["households_installed"]
        assert lines[key]["household_rate"] == pytest.approx(totals["household_rate"])
    assert lines["loi-bac"]["household_rate"] == 1.0 and not lines["loi-bac"]["lagging"]
    assert lines["na-sam"]["households_installed"] == 0 and lines["na-sam"]["lagging"]  # nothing reported
    assert rolled["lagging"] == ["na-sam"]
    code, out, _ = run(capsys, *base, "province")
    assert code == 0 and "Na Sầm" in out and "chậm tiến độ: Na Sầm." in out
    assert run(capsys, *base, "province", "--format", "xlsx", "-o", str(tmp_path / "tinh.xlsx"))[0] == 0
    from openpyxl import load_workbook

    sheet = load_workbook(tmp_path / "tinh.xlsx").active
    assert sheet is not None
    row = [c.value for c in sheet[3]]
    assert (
        row[0] == "Lợi Bác" and row[2] == 238 and row[3] == 1.0 and sheet.cell(3, 4).number_format == "0.0%"
    )
    assert run(capsys, *base, "province", "--format", "docx", "-o", str(tmp_path / "tinh.docx"))[0] == 0
    from docx import Document

    document = Document(str(tmp_path / "tinh.docx"))
    cells = [c.text for c in document.tables[0].rows[2].cells]
    assert cells[0] == "Na Sầm" and cells[-1] == "hơn 30% số thôn chậm tiến độ"  # none has reported
    assert "CÔNG AN TỈNH LẠNG SƠN" in document.paragraphs[0].text
    code, _, err = run(capsys, *base, "province", "--format", "pdf")
    assert code == 2 and "pdf" in err
