"""Codes, hotlines and quantities: every digit left after dates and phone numbers.

One regex finds a numeric token with what belongs to it — thousands dots, a decimal comma, a
percent sign or unit, a range or ratio partner — and one handler decides the reading from the token
and the words around it.
"""

from __future__ import annotations

import re
from collections.abc import Mapping

from content.speech.engine import Hit
from content.speech.letters import UPPER_LETTERS, spell
from content.speech.lexicon import (
    COUNTING_WORDS,
    HOTLINE_CUES,
    NEAR_HOTLINE_CUES,
    QUANTITY_CUES,
    has_cue,
    ratio_follows,
    word_after,
    word_before,
    words_before,
)
from content.speech.numbers import (
    MAX_CARDINAL_DIGITS,
    digits_to_words,
    fraction_to_words,
    month_to_words,
    number_to_words,
    numeral_to_words,
    ordinal_to_words,
)

UNITS: dict[str, str] = {
    "km/h": "ki-lô-mét trên giờ", "km²": "ki-lô-mét vuông", "km2": "ki-lô-mét vuông", "km": "ki-lô-mét",
    "m²": "mét vuông", "m2": "mét vuông", "m³": "mét khối", "m3": "mét khối", "cm": "xen-ti-mét",
    "mm": "mi-li-mét", "m": "mét", "kg": "ki-lô-gam", "g": "gam", "ha": "héc-ta", "ml": "mi-li-lít",
    "l": "lít", "°C": "độ C", "℃": "độ C", "oC": "độ C", "°": "độ", "%": "phần trăm", "VNĐ": "đồng",
    "VND": "đồng", "vnđ": "đồng", "đ": "đồng", "k": "nghìn", "tr": "triệu", "s": "giây", "kW": "ki-lô-oát",
    "kWh": "ki-lô-oát giờ", "V": "vôn", "W": "oát",
}  # fmt: skip
_UNIT_ALT = "|".join(re.escape(u) for u in sorted(UNITS, key=len, reverse=True))
_NUM = r"[0-9]+(?:\.[0-9]+)*"
NUMBER = re.compile(
    r"(?P<neg>(?<![^\W_]|[)\]])-(?=[0-9]))?"
    rf"(?P<a>{_NUM})(?:,(?P<af>[0-9]+)(?![0-9]|,[0-9]))?"
    rf"(?:[ \t]*(?P<op>[-–/])[ \t]*(?P<b>{_NUM})(?:,(?P<bf>[0-9]+)(?![0-9]|,[0-9]))?)?"
    rf"(?:[ \t]?(?P<unit>{_UNIT_ALT})(?![^\W_]|[²³]))?"
)
_U = f"[{UPPER_LETTERS}]"
# a code has at least one digit (PC07, 12/KH-UBND); letters alone ("A-A") are left to the capitals rule,
# so a code that only appears once digits are split off is read the same on every pass
CODE = re.compile(
    rf"(?<![^\W_]|[.-])(?=(?:{_U}|[0-9]|[-/])*[0-9])(?:(?P<num>[0-9]+)/)?(?P<code>(?:{_U}|[0-9])+(?:[-/](?:{_U}|[0-9])+)*)(?![^\W_])(?!-[^\W_])"
)
_RUNS = re.compile(rf"{_U}+|[0-9]+")
_THOUSANDS = re.compile(r"[0-9]{1,3}(?:\.[0-9]{3})+")


def _needs_space(text: str, start: int, end: int) -> tuple[str, str]:
    before = " " if start > 0 and text[start - 1].isalnum() else ""
    after = " " if end < len(text) and text[end].isalnum() else ""
    return before, after


class NumberReader:
    """Reads numeric tokens for one dialect, hotline set and glossary."""

    def __init__(self, dialect: str, hotlines: frozenset[str], glossary: Mapping[str, str]) -> None:
        self.dialect = dialect
        self.hotlines = hotlines
        self.glossary = glossary

    def value(self, raw: str, frac: str | None) -> tuple[str, str]:
        """Words of "1.250", "12,5", "01", "1.2.3" and the rule that read them."""
        if "." in raw:
            if _THOUSANDS.fullmatch(raw) and len(raw) <= MAX_CARDINAL_DIGITS + 6:
                words = number_to_words(int(raw.replace(".", "")), self.dialect)
                rule = "thousands"
            else:
                words = " chấm ".join(numeral_to_words(part, self.dialect) for part in raw.split("."))
                rule = "number"
        else:
            words, rule = numeral_to_words(raw, self.dialect), "number"
        if frac is not None:
            words += " phẩy " + fraction_to_words(frac, self.dialect)
            rule = "decimal"
        return words, rule

    def number(self, m: re.Match[str]) -> Hit:
        text = m.string
        a, af, op, b, bf, unit = m.group("a", "af", "op", "b", "bf", "unit")
        if af is not None and m.start() >= 2 and text[m.start() - 1] == "," and text[m.start() - 2].isdigit():
            spoken, rule = f"{self.value(a, None)[0]}, {self.value(af, None)[0]}", "number"  # a list "1,2,3"
        elif op is None and af is None and unit is None:
            spoken, rule = self.single(m, a)
        else:
            spoken, rule = self.value(a, af)
            if op is not None and b is not None:
                joiner = " trên " if op == "/" else " đến "
                spoken += joiner + self.value(b, bf)[0]
                rule = "ratio" if op == "/" else "range"
            if unit is not None:
                spoken += " " + UNITS[unit]
                rule = "percent" if unit == "%" else "unit"
        if m.group("neg"):
            spoken = "âm " + spoken
        before, after = _needs_space(text, m.start(), m.end())
        return before + spoken + after, rule

    def single(self, m: re.Match[str], a: str) -> Hit:
        """A lone integer: hotline, weekday/ordinal, month, or a quantity."""
        text = m.string
        prev = word_before(text, m.start())
        if a in self.hotlines and not m.group("neg"):
            if word_after(text, m.end()) in COUNTING_WORDS or ratio_follows(text, m.end()):
                return numeral_to_words(a, self.dialect), "number"
            dial = prev in NEAR_HOTLINE_CUES or has_cue(words_before(text, m.start()), HOTLINE_CUES)
            if not dial and prev in QUANTITY_CUES:
                return numeral_to_words(a, self.dialect), "number"
            return digits_to_words(a), "hotline"  # the campaign's default reading of a bare "114"
        if "." not in a and len(a) <= 3:
            if prev == "thứ":
                return ordinal_to_words(int(a), self.dialect), "ordinal"
            if prev == "tháng" and 1 <= int(a) <= 12:
                return month_to_words(int(a), self.dialect), "month"
        return self.value(a, None)

    def code(self, m: re.Match[str]) -> Hit | None:
        """ "PC07" → "pê xê không bảy", "431/CAT-PC07" → "bốn trăm ba mươi mốt Công an tỉnh pê xê không bảy"."""
        code = m.group("code")
        has_letter = any(c.isalpha() for c in code)
        if not has_letter or not (any(c.isdigit() for c in code) or "-" in code or "/" in code):
            return None
        words: list[str] = []
        if m.group("num"):
            words.append(numeral_to_words(m.group("num"), self.dialect))
        for part in re.split(r"[-/]", code):
            if part in self.glossary:
                words.append(self.glossary[part])
                continue
            for run in _RUNS.findall(part):
                words.append(digits_to_words(run) if run[0].isdigit() else spell(run))
        return " ".join(words), "code"
