"""Script files as a clerk writes them: the good path, and every mistake reported with file and line."""

from __future__ import annotations

import wave
from datetime import date
from pathlib import Path

import pytest

from loa114.content.errors import ContentError, ScriptError
from loa114.content.library import Library, load_library, parse_script

BODY = "Kính thưa bà con nhân dân xã {{ commune.name }}!\nGọi ngay số 114 khi có cháy.\n"


def write(
    directory: Path, stem: str, front: str, body: str = BODY, *, newline: str = "\n", bom: bool = False
) -> Path:
    directory.mkdir(parents=True, exist_ok=True)
    text = f"---\n{front.strip()}\n---\n{body}"
    path = directory / f"{stem}.txt"
    data = text.replace("\n", newline).encode("utf-8")
    path.write_bytes(b"\xef\xbb\xbf" + data if bom else data)
    return path


def tiny_wav(path: Path) -> Path:
    with wave.open(str(path), "wb") as out:
        out.setnchannels(1)
        out.setsampwidth(2)
        out.setframerate(8000)
        out.writeframes(b"\x00\x00" * 800)
    return path


def test_full_front_matter_is_parsed(tmp_path: Path) -> None:
    path = write(
        tmp_path,
        "cach-cai-dat",
        """
id: cach-cai-dat
title: Hướng dẫn cài đặt
slots: [sang, chieu]
valid_from: 2026-03-01
valid_until: 31/03/2026
priority: 7
repeat: 2
pinned: true
audience: village
""",
    )
    script = parse_script(path)
    assert script.id == "cach-cai-dat"
    assert script.title == "Hướng dẫn cài đặt"
    assert script.slots == ("sang", "chieu")
    assert (script.valid_from, script.valid_until) == (date(2026, 3, 1), date(2026, 3, 31))
    assert (script.priority, script.repeat, script.pinned) == (7, 2, True)
    assert script.audience == "village" and not script.urgent and script.audio is None
    assert script.body == BODY
    # the body starts right after the closing "---" on line 11
    assert script.body_line == 12
    assert path.read_text(encoding="utf-8").splitlines()[script.body_line - 1] == BODY.splitlines()[0]


def test_defaults_and_helpers(tmp_path: Path) -> None:
    script = parse_script(
        write(
            tmp_path,
            "mac-dinh",
            "id: mac-dinh\ntitle: Mặc định\nvalid_from: 2026-03-01\nvalid_until: 2026-03-31",
        )
    )
    assert script.slots is None and script.applies_to_slot("bat-ky")
    assert (script.priority, script.repeat, script.pinned, script.audience, script.urgent) == (
        5,
        1,
        False,
        "commune",
        False,
    )
    assert not script.is_valid_on(date(2026, 2, 28))
    assert script.is_valid_on(date(2026, 3, 1)) and script.is_valid_on(date(2026, 3, 31))
    assert not script.is_valid_on(date(2026, 4, 1))
    limited = parse_script(write(tmp_path, "buoi-sang", "id: buoi-sang\ntitle: Sáng\nslots: [sang]"))
    assert limited.applies_to_slot("sang") and not limited.applies_to_slot("chieu")


def test_notepad_bom_and_crlf_are_accepted(tmp_path: Path) -> None:
    path = write(tmp_path, "notepad", "id: notepad\ntitle: Lưu bằng Notepad", newline="\r\n", bom=True)
    script = parse_script(path)
    assert script.title == "Lưu bằng Notepad"
    assert script.body_line == 5 and "\r" not in script.body


def test_decomposed_unicode_is_normalised(tmp_path: Path) -> None:
    import unicodedata

    decomposed = unicodedata.normalize("NFD", "Phòng cháy")
    script = parse_script(write(tmp_path, "nfd", f"id: nfd\ntitle: {decomposed}", body=decomposed))
    assert script.title == "Phòng cháy" and script.body == "Phòng cháy"


# (front matter, line of the fault in the file, words the message must contain)
BAD_FRONT_MATTER = [
    ("id: x\ntitle: T\ncolour: red", 4, "colour"),
    ("id: x\ntitle: T\npriority: cao", 4, "priority"),
    ("id: x\ntitle: T\npriority: 10", 4, "priority"),
    ("id: x\ntitle: T\npriority: true", 4, "priority"),
    ("id: x\ntitle: T\nrepeat: 6", 4, "repeat"),
    ("id: x\ntitle: T\npinned: có", 4, "pinned"),
    ("id: x\ntitle: T\nurgent: 1", 4, "urgent"),
    ("id: x\ntitle: T\nvalid_from: 2026-02-30", 4, "valid_from"),
    ("id: x\ntitle: T\nvalid_from: hôm nay", 4, "valid_from"),
    ("id: x\ntitle: T\nvalid_from: 2026-03-01 08:00:00", 4, "valid_from"),
    ("id: x\ntitle: T\nvalid_from: 2026-03-10\nvalid_until: 2026-03-01", 5, "valid_until"),
    ("id: y\ntitle: T", 2, "trùng tên tệp"),
    ("id: Cach_Cai\ntitle: T", 2, "'id'"),
    ("id: x\ntitle: T\naudience: thon", 4, "audience"),
    ("id: x\ntitle: T\nslots: []", 4, "slots"),
    ("id: x\ntitle: T\naudio: khong-co.mp3", 4, "khong-co.mp3"),
    ("id: x\ntitle: T\naudio: ghi-am.ogg", 4, "MP3 hoặc WAV"),
    ("id: x\ntitle: T\ntitle: Lần hai", 4, "hai lần"),
    ("id: x\ntitle: [chưa đóng", 3, "YAML"),
    ("id: x", 1, "title"),
    ("id: x\ntitle: T\nurgent: true\naudience: village", 5, "urgent"),
]


@pytest.mark.parametrize(("front", "line", "words"), BAD_FRONT_MATTER)
def test_front_matter_errors_name_file_and_line(tmp_path: Path, front: str, line: int, words: str) -> None:
    path = write(tmp_path, "x", front)
    with pytest.raises(ScriptError) as caught:
        parse_script(path)
    error = caught.value
    assert isinstance(error, ContentError)
    assert (error.file, error.line) == (path, line)
    assert words in error.message
    assert str(error) == f"{path}:{line}: {error.message}"


def test_missing_delimiters_and_empty_body(tmp_path: Path) -> None:
    no_front = tmp_path / "a.txt"
    no_front.write_text("Kính thưa bà con\n", encoding="utf-8")
    unclosed = tmp_path / "b.txt"
    unclosed.write_text("---\nid: b\ntitle: B\nKính thưa bà con\n", encoding="utf-8")
    empty = write(tmp_path, "c", "id: c\ntitle: C", body="\n  \n")
    for path, line in ((no_front, 1), (unclosed, 1), (empty, 5)):
        with pytest.raises(ScriptError) as caught:
            parse_script(path)
        assert (caught.value.file, caught.value.line) == (path, line)


def test_non_utf8_file_is_a_script_error(tmp_path: Path) -> None:
    path = tmp_path / "cp1258.txt"
    path.write_bytes(b"---\nid: cp1258\ntitle: T\n---\nb" + b"\xe0\xe1\n")
    with pytest.raises(ScriptError, match="UTF-8") as caught:
        parse_script(path)
    assert caught.value.line == 5


def test_error_without_line_formats_without_line() -> None:
    error = ScriptError(Path("kịch-bản.txt"), None, "không đọc được tệp")
    assert str(error) == "kịch-bản.txt: không đọc được tệp"


def test_recorded_audio_script(tmp_path: Path) -> None:
    tiny_wav(tmp_path / "tay.wav")
    path = write(
        tmp_path,
        "ban-tin-tieng-tay",
        "id: ban-tin-tieng-tay\ntitle: Bản tin tiếng Tày\naudio: tay.wav",
        body="",
    )
    script = parse_script(path)
    assert script.audio == (tmp_path / "tay.wav").resolve()
    assert script.audio.is_absolute() and script.body == ""


def test_audio_that_is_not_audio_is_refused(tmp_path: Path) -> None:
    (tmp_path / "nung.mp3").write_text("không phải âm thanh", encoding="utf-8")
    path = write(tmp_path, "nung", "id: nung\ntitle: Nùng\naudio: nung.mp3")
    with pytest.raises(ScriptError, match="MP3") as caught:
        parse_script(path)
    assert caught.value.line == 4


def test_load_library_keeps_good_scripts_and_collects_problems(tmp_path: Path) -> None:
    write(tmp_path, "tot", "id: tot\ntitle: Tốt")
    bad = write(tmp_path, "xau", "id: xau\ntitle: Xấu\npriority: 99")
    write(tmp_path, "khan", "id: khan\ntitle: Khẩn\nurgent: true\nrepeat: 3")
    (tmp_path / "ghi-chu.md").write_text("không phải kịch bản", encoding="utf-8")
    library = load_library(tmp_path)
    assert isinstance(library, Library)
    assert sorted(library.scripts) == ["khan", "tot"]
    assert [(p.file, p.line) for p in library.problems] == [(bad, 4)]
    assert [s.id for s in library.regular()] == ["tot"]
    urgent = library.urgent()
    assert urgent is not None and urgent.id == "khan"


def test_later_directories_override_by_id(tmp_path: Path) -> None:
    shipped, local = tmp_path / "shipped", tmp_path / "local"
    write(shipped, "chung", "id: chung\ntitle: Bản gốc")
    write(shipped, "rieng", "id: rieng\ntitle: Chỉ có ở bản gốc")
    write(local, "chung", "id: chung\ntitle: Bản của xã")
    library = load_library(shipped, local)
    assert library.scripts["chung"].title == "Bản của xã"
    assert library.scripts["rieng"].title == "Chỉ có ở bản gốc"
    assert library.problems == []


def test_duplicate_ids_in_one_directory_are_a_problem(tmp_path: Path) -> None:
    first = write(tmp_path / "a", "trung", "id: trung\ntitle: Thứ nhất")
    second = write(tmp_path / "b", "trung", "id: trung\ntitle: Thứ hai")
    library = load_library(tmp_path)
    assert library.scripts["trung"].path == first
    assert len(library.problems) == 1
    assert library.problems[0].file == second and str(first) in library.problems[0].message


def test_missing_directory_and_second_urgent_are_problems(tmp_path: Path) -> None:
    write(tmp_path / "a", "khan-a", "id: khan-a\ntitle: A\nurgent: true")
    write(tmp_path / "b", "khan-b", "id: khan-b\ntitle: B\nurgent: true")
    library = load_library(tmp_path / "a", tmp_path / "khong-co", tmp_path / "b")
    urgent = library.urgent()
    assert urgent is not None and urgent.id == "khan-b"
    assert "khan-a" not in library.scripts
    files = {p.file for p in library.problems}
    assert files == {tmp_path / "khong-co", tmp_path / "a" / "khan-a.txt"}


def test_loaded_recorded_audio_missing_file_is_problem(tmp_path: Path) -> None:
    write(tmp_path, "tay", "id: tay\ntitle: Tày\naudio: tay.mp3", body="")
    library = load_library(tmp_path)
    assert library.scripts == {}
    assert library.problems[0].line == 4 and "tay.mp3" in library.problems[0].message


def test_a_script_pasted_from_word_loads_with_its_line_breaks(tmp_path: Path) -> None:
    from loa114.content.library import load_library

    (tmp_path / "dan.txt").write_text(
        "---\x0bid: dan\x0btitle: Dán từ Word\x0b---\x0bDòng một.\x0bDòng hai.\x07\n", encoding="utf-8"
    )
    library = load_library(tmp_path)
    assert library.problems == []
    assert library.scripts["dan"].body.strip() == "Dòng một.\nDòng hai."
