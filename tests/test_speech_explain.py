"""`explain` tells a clerk why each token is read the way it is; settings are validated up front."""

from __future__ import annotations

import pytest

from loa114.content.speech import (
    DEFAULT_GLOSSARY,
    Rewrite,
    SpeechError,
    SpeechSettings,
    explain,
    make_settings,
    normalize,
)


def test_explain_lists_rewrites_in_reading_order_with_their_rule() -> None:
    text = "Ngày 20/01/2026, UBND xã đề nghị gọi 114; thôn có 114 hộ, đạt 85,3%."
    assert explain(text) == [
        Rewrite("20/01/2026", "hai mươi tháng một năm hai nghìn không trăm hai mươi sáu", "date"),
        Rewrite("UBND", "Ủy ban nhân dân", "glossary"),
        Rewrite("114", "một một bốn", "hotline"),
        Rewrite("114", "một trăm mười bốn", "number"),
        Rewrite("85,3%", "tám mươi lăm phẩy ba phần trăm", "percent"),
    ]


def test_explain_covers_spelling_codes_phones_times_and_pauses() -> None:
    rules = {r.original: r.rule for r in explain("[ngưng 2s] VT, PC07, 0912 345 678, 17h30, tháng 4")}
    assert rules == {
        "[ngưng 2s]": "pause",
        "VT": "spell",
        "PC07": "code",
        "0912 345 678": "phone",
        "17h30": "time",
        "4": "month",
    }


def test_explain_reports_ordinal_and_month_separately() -> None:
    found = [(r.original, r.spoken, r.rule) for r in explain("thứ 4, tháng 4")]
    assert found == [("4", "tư", "ordinal"), ("4", "tư", "month")]


def test_explain_never_lists_protected_names_and_agrees_with_normalize() -> None:
    settings = make_settings(protected_names=["Nà Pàn"])
    text = "Thôn Nà Pàn: gọi 114."
    rewrites = explain(text, settings)
    assert [r.original for r in rewrites] == ["114"]
    assert normalize(text, settings) == "Thôn Nà Pàn: gọi một một bốn."


def test_explain_of_plain_text_is_empty() -> None:
    assert explain("Kính thưa bà con nhân dân!") == []


def test_default_settings_ship_the_glossary_and_hotlines() -> None:
    s = SpeechSettings()
    assert s.dialect == "north"
    assert s.glossary["UBND"] == "Ủy ban nhân dân" and s.glossary["CAX"] == "Công an xã"
    assert s.hotlines == frozenset({"111", "112", "113", "114", "115", "1022"})
    assert s.protected_names == ()
    assert hash(s) == hash(SpeechSettings())


def test_make_settings_merges_config_values() -> None:
    s = make_settings(
        "south", {"PCCC": "phòng cháy, chữa cháy", "BCĐ": "Ban chỉ đạo"}, ["1080"], ["Lợi Bác", "Lợi Bác"]
    )
    assert s.dialect == "south"
    assert s.glossary["PCCC"] == "phòng cháy, chữa cháy" and s.glossary["UBND"] == DEFAULT_GLOSSARY["UBND"]
    assert "1080" in s.hotlines and "114" in s.hotlines
    assert s.protected_names == ("Lợi Bác",)


@pytest.mark.parametrize(
    ("kwargs", "field"),
    [
        ({"dialect": "central"}, "dialect"),
        ({"hotlines": ["11a"]}, "hotlines"),
        ({"protected_names": ["  "]}, None),
    ],
)
def test_bad_settings_name_the_field(kwargs: dict[str, object], field: str | None) -> None:
    if field is None:
        assert make_settings(**kwargs).protected_names == ()  # type: ignore[arg-type]
        return
    with pytest.raises(SpeechError) as info:
        make_settings(**kwargs)  # type: ignore[arg-type]
    assert info.value.field == field


def test_normalize_accepts_none_settings_and_empty_text() -> None:
    assert normalize("") == ""
    assert normalize("   \n\n  ", None) == ""
