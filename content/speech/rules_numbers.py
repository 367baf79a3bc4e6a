"""Codes, hotlines and quantities: every digit left after dates and phone numbers.

One regex finds a numeric token with what belongs to it — thousands dots, a decimal comma, a unit or
currency on either side, a range or ratio partner — and one handler decides the reading from the
token and the words around it. Written forms that informal notices use are read as a listener
expects: "1.5 triệu" (a dot as decimal point before a scale word or unit) is "một phẩy năm triệu",
"1tr2" is "một triệu hai", "10$-20$" is "mười đến hai mươi đô la", and numbers copied from English
pages ("1,234,567", "2,342.08") keep their value.
"""

from __future__ import annotations

import re
from collections.abc import Mapping

from loa114.content.speech.engine import Hit
from loa114.content.speech.letters import UPPER_LETTERS, spell
from loa114.content.speech.lexicon import (
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
from loa114.content.speech.numbers import (
    MAX_CARDINAL_DIGITS,
    digits_to_words,
    fraction_to_words,
    month_to_words,
    number_to_words,
    numeral_to_words,
    ordinal_to_words,
)
from loa114.content.speech.starts import starts, starts_of
from loa114.content.speech.units import (
    CAPITAL_UNITS,
    LABEL_WORDS,
    PREFIX_CURRENCIES,
    SCALE_WORDS,
    UNIT_ALTERNATION,
    unit_words,
)

# English-style numbers: "1,234,567" (two or more comma groups) or "1,123.56" (a dot decimal).
_EN = r"[0-9]{1,3}(?:,[0-9]{3}){2,}(?:\.[0-9]+)?(?![0-9]|,[0-9])|[0-9]{1,3}(?:,[0-9]{3})+\.[0-9]+(?![0-9]|[.,][0-9])"
_VN = r"[0-9]+(?:\.[0-9]+)*(?:,[0-9]+(?![0-9]|,[0-9]))?"
_TERM = rf"(?:{_EN}|{_VN})"
_UNIT = rf"(?:{UNIT_ALTERNATION})(?![^\W_]|[²³])"
NUMBER = re.compile(
    r"(?=[-$€U0-9])(?P<neg>(?<![^\W_]|[)\]])-(?=[$€]?[0-9]))?"
    r"(?:(?P<pre>US\$|\$|€)[ \t]?(?=[0-9]))?"
    rf"(?P<a>{_TERM})"
    r"(?:(?P<sub>tr|k)(?P<subn>[0-9]{1,3})(?![0-9]))?"
    rf"(?:[ \t]?(?P<unit1>{_UNIT}))?"
    rf"(?:[ \t]*(?P<op>[-–/])[ \t]*(?P<b>{_TERM}))?"
    rf"(?:[ \t]?(?P<unit>{_UNIT}))?"
)
# A digit, or the "-", "$", "€" or "US$" that a number begins with (cheaper to find than NUMBER itself,
# whose unit alternation is long).
NUMBER_START = starts("-$€U0-9", at=r"[0-9]|-[$€]?[0-9]|[$€][ \t]?[0-9]|US\$")
# "Đội hình 4-2-3-1": three or more small numbers joined by hyphens are a sequence, not a range.
CHAIN = re.compile(r"(?=[0-9])(?<![0-9.,/-])[0-9]{1,2}(?:-[0-9]{1,2}){2,}(?![0-9]|[-/.,][0-9])")
# Age groups of sport: "U23", "U.22" → "U hai mươi ba".
AGE_GROUP = re.compile(r"(?=U)(?<![^\W_])U\.?(?P<n>[0-9]{2})(?![^\W_]|[.,][0-9])")
AGE_GROUP_START = starts_of(AGE_GROUP, "U")
_U = f"[{UPPER_LETTERS}]"
# a code has at least one digit (PC07, 12/KH-UBND); letters alone ("A-A") are left to the capitals rule,
# so a code that only appears once digits are split off is read the same on every pass
CODE = re.compile(
    rf"(?=[0-9]|{_U})(?<![^\W_]|[.-])(?=(?:{_U}|[0-9]|[-/])*[0-9])(?:(?P<num>[0-9]+)/)?(?P<code>(?:{_U}|[0-9])+(?:[-/](?:{_U}|[0-9])+)*)(?![^\W_])(?!-[^\W_])"
)
CODE_START = starts_of(CODE, f"0-9{UPPER_LETTERS}")
_RUNS = re.compile(rf"{_U}+|[0-9]+")
_THOUSANDS = re.compile(r"[0-9]{1,3}(?:\.[0-9]{3})+")
_DOT_DECIMAL = re.compile(r"[0-9]+\.[0-9]+")
_RATED = re.compile(r"[0-9]+(?P<unit>[A-Z]+)")
_SCORE_CUES = ("tỷ số", "tỉ số")


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

    def value(self, raw: str, decimal_dot: bool = False) -> tuple[str, str]:
        """Words of "1.250", "12,5", "01", "1.2.3", "1,234,567", "1.5" and the rule that read them."""
        frac: str | None = None
        if "," in raw and re.fullmatch(_EN, raw):
            raw, _, tail = raw.replace(",", "").partition(".")
            return self._with_fraction(numeral_to_words(raw, self.dialect), tail or None, "thousands")
        raw, _, after_comma = raw.partition(",")
        frac = after_comma or None
        if "." in raw:
            if decimal_dot and frac is None and _DOT_DECIMAL.fullmatch(raw) and not _THOUSANDS.fullmatch(raw):
                whole, tail = raw.split(".")
                return self._with_fraction(numeral_to_words(whole, self.dialect), tail, "decimal")
            if _THOUSANDS.fullmatch(raw) and len(raw) <= MAX_CARDINAL_DIGITS + 6:
                words, rule = number_to_words(int(raw.replace(".", "")), self.dialect), "thousands"
            else:
                words = " chấm ".join(numeral_to_words(part, self.dialect) for part in raw.split("."))
                rule = "number"
        else:
            words, rule = numeral_to_words(raw, self.dialect), "number"
        return self._with_fraction(words, frac, rule)

    def _with_fraction(self, words: str, frac: str | None, rule: str) -> tuple[str, str]:
        if frac is None:
            return words, rule
        return f"{words} phẩy {fraction_to_words(frac, self.dialect)}", "decimal"

    def number(self, m: re.Match[str]) -> Hit:
        text = m.string
        a, op, b = m.group("a", "op", "b")
        pre, unit1, unit = m.group("pre"), m.group("unit1"), m.group("unit")
        if unit1 == "A" and self._label(m, "unit1"):
            return self._label_hit(m)
        if unit == "A" and self._label(m, "unit"):
            unit = None if op else unit
            if op is None and unit1 is None:
                return self._label_hit(m)
        if (
            "," in a
            and not re.fullmatch(_EN, a)
            and m.start() >= 2
            and text[m.start() - 1] == ","
            and text[m.start() - 2].isdigit()
        ):
            whole, _, tail = a.partition(",")  # a list "1,2,3"
            spoken, rule = f"{self.value(whole)[0]}, {self.value(tail)[0]}", "number"
        elif op is None and unit is None and unit1 is None and pre is None and m.group("sub") is None:
            spoken, rule = self.single(m, a)
        else:
            spoken, rule = self._measured(m)
        if m.group("neg"):
            spoken = "âm " + spoken
        before, after = _needs_space(text, m.start(), m.end())
        return before + spoken + after, rule

    def _measured(self, m: re.Match[str]) -> tuple[str, str]:
        """A number with a unit, currency, range or ratio partner."""
        a, op, b = m.group("a", "op", "b")
        pre, unit1, unit = m.group("pre"), m.group("unit1"), m.group("unit")
        last_unit = unit or unit1
        scaled = word_after(m.string, m.end()) in SCALE_WORDS
        spoken, rule = self.value(a, decimal_dot=bool(last_unit or scaled))
        if m.group("sub") is not None:
            spoken += f" {unit_words(m.group('sub'))} {numeral_to_words(m.group('subn'), self.dialect)}"
            rule = "currency"
        if op is not None and b is not None:
            if op == "/":
                joiner, rule = " trên ", "ratio"
            elif has_cue(words_before(m.string, m.start(), 3), _SCORE_CUES):
                joiner, rule = " ", "score"
            else:
                joiner, rule = " đến ", "range"
            spoken += joiner + self.value(b, decimal_dot=bool(last_unit or scaled))[0]
        if last_unit is not None:
            spoken += " " + unit_words(last_unit)
            if op is None:
                rule = "percent" if last_unit == "%" else self._unit_rule(last_unit)
        if pre is not None:
            spoken += " " + PREFIX_CURRENCIES[pre]
            rule = "currency"
        return spoken, rule

    @staticmethod
    def _unit_rule(unit: str) -> str:
        return "currency" if unit_words(unit) in ("đồng", "đô la", "đô la Mỹ", "ơ-rô") else "unit"

    @staticmethod
    def _label(m: re.Match[str], group: str) -> bool:
        """ "lớp 6A", "số nhà 12 A": the letter names the item; only a glued "16A" elsewhere is amperes."""
        glued = not m.string[m.start(group) - 1].isspace()
        return not glued or word_before(m.string, m.start()) in LABEL_WORDS

    def _label_hit(self, m: re.Match[str]) -> Hit:
        words = self.value(m.group("a"))[0]
        return f"{words} A", "number"

    def single(self, m: re.Match[str], a: str) -> Hit:
        """A lone integer: hotline, weekday/ordinal, month, a code after "mã", or a quantity."""
        text = m.string
        prev = word_before(text, m.start())
        if a in self.hotlines and not m.group("neg"):
            if word_after(text, m.end()) in COUNTING_WORDS or ratio_follows(text, m.end()):
                return numeral_to_words(a, self.dialect), "number"
            dial = prev in NEAR_HOTLINE_CUES or has_cue(words_before(text, m.start()), HOTLINE_CUES)
            if not dial and prev in QUANTITY_CUES:
                return numeral_to_words(a, self.dialect), "number"
            return digits_to_words(a), "hotline"  # the campaign's default reading of a bare "114"
        if "." not in a and "," not in a:
            if len(a) >= 3 and "mã" in words_before(text, m.start(), 3):
                return digits_to_words(a), "code"  # "mã bưu chính 240000"
            if len(a) <= 3:
                if prev == "thứ":
                    return ordinal_to_words(int(a), self.dialect), "ordinal"
                if prev == "tháng" and 1 <= int(a) <= 12:
                    return month_to_words(int(a), self.dialect), "month"
        scaled = word_after(text, m.end()) in SCALE_WORDS
        return self.value(a, decimal_dot=scaled)

    def chain(self, m: re.Match[str]) -> Hit:
        """ "4-2-3-1" → "bốn hai ba một"."""
        words = " ".join(number_to_words(int(part), self.dialect) for part in m.group(0).split("-"))
        return words, "sequence"

    def age_group(self, m: re.Match[str]) -> Hit:
        return f"U {number_to_words(int(m.group('n')), self.dialect)}", "code"

    def code(self, m: re.Match[str]) -> Hit | None:
        """ "PC07" → "pê xê không bảy", "431/CAT-PC07" → "bốn trăm ba mươi mốt Công an tỉnh pê xê không bảy",
        "102A" → "một trăm linh hai a" (a leading house or class number is read as a number)."""
        code = m.group("code")
        has_letter = any(c.isalpha() for c in code)
        if not has_letter or not (any(c.isdigit() for c in code) or "-" in code or "/" in code):
            return None
        rated = _RATED.fullmatch(code)
        if (
            rated
            and rated["unit"] in CAPITAL_UNITS
            and not m.group("num")
            and (rated["unit"] != "A" or word_before(m.string, m.start()) not in LABEL_WORDS)
        ):
            return None  # "220V", "16A", "10K": a rating or amount, read by the number rule
        words: list[str] = []
        if m.group("num"):
            words.append(numeral_to_words(m.group("num"), self.dialect))
        for part in re.split(r"[-/]", code):
            if part in self.glossary:
                words.append(self.glossary[part])
                continue
            for index, run in enumerate(_RUNS.findall(part)):
                if not run[0].isdigit():
                    words.append(spell(run))
                elif index == 0 and len(run) <= 3 and run[0] != "0":
                    words.append(number_to_words(int(run), self.dialect))
                else:
                    words.append(digits_to_words(run))
        return " ".join(words), "code"
