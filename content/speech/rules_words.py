"""Words and symbols: glossary abbreviations, Roman numerals, spelled capitals, symbols and tidy-up.

Abbreviations are read from the glossary; an unknown all-caps token that cannot be a Vietnamese
syllable is spelled with Vietnamese letter names. Symbols become words or pauses, list bullets and
dashes are not read, and a last tidy-up makes the text read naturally in the manifest — written so
that running it twice changes nothing.
"""

from __future__ import annotations

import re
from collections.abc import Mapping

from loa114.content.speech.engine import Handler, Hit
from loa114.content.speech.letters import SPELLED_SINGLE, UPPER_LETTERS, is_syllable, spell
from loa114.content.speech.lexicon import PER_WORDS, ROMAN_CUES, TIME_WORDS, word_before
from loa114.content.speech.numbers import number_to_words, ordinal_to_words

ROMAN = re.compile(r"(?=[IVXLCDM])(?<![^\W_]|\.)(?P<r>[IVXLCDM]{1,12})(?![^\W_])")


def _roman(n: int) -> str:
    out = ""
    for value, letters in (
        (1000, "M"), (900, "CM"), (500, "D"), (400, "CD"), (100, "C"), (90, "XC"),
        (50, "L"), (40, "XL"), (10, "X"), (9, "IX"), (5, "V"), (4, "IV"), (1, "I"),
    ):  # fmt: skip
        count, n = divmod(n, value)
        out += letters * count
    return out


# Canonical numerals only: "IIII" or "VX" is not a number, and a lone L, C, D or M is a section letter.
_ROMAN_VALUES = {_roman(n): n for n in range(1, 4000) if n not in (50, 100, 500, 1000)}
CAPS = re.compile(
    rf"(?=[{UPPER_LETTERS}])(?<![^\W_])(?P<w>[{UPPER_LETTERS}]{{2,}}|[{SPELLED_SINGLE}])(?![^\W_])"
)
SYMBOLS = re.compile(
    r"(?=[ \t]*[-–—+•*▪●]|[.…/&%+=~@<>≥≤×#_*|\\^`$€₫°℃℉])"  # a cheap first test: most positions are letters
    r"(?:(?P<bullet>^[ \t]*[-–—+•*▪●][ \t]*)"
    r"|(?P<ellipsis>\.{2,}|…)"
    r"|(?P<dash>[ \t]+[-–—]+[ \t]+|[ \t]*[–—]+[ \t]*)"
    r"|(?P<stray>(?<![^\W_])-+|-+(?![^\W_]))"
    r"|(?P<slash>/)"
    r"|(?P<sym>[&%+=~@<>≥≤×$€₫℃℉°])"
    r"|(?P<junk>[#_*|\\^`]+))",
    re.MULTILINE,
)
_SYMBOL_WORDS = {
    "&": "và", "%": "phần trăm", "+": "cộng", "=": "bằng", "~": "khoảng", "@": "a còng", ">": "lớn hơn",
    "<": "nhỏ hơn", "≥": "lớn hơn hoặc bằng", "≤": "nhỏ hơn hoặc bằng", "×": "nhân", "$": "đô la",
    "€": "ơ-rô", "₫": "đồng", "℃": "độ xê", "℉": "độ ép", "°": "độ",
}  # fmt: skip
_LEFT_WORD = re.compile(r"([^\W\d_]+)$")
_RIGHT_WORD = re.compile(r"[^\W\d_]+")
_NEXT_CHAR = re.compile(r"[ \t]*(\S)?")

CLEANUP: tuple[tuple[re.Pattern[str], str], ...] = (
    (re.compile(r"[ \t]+"), " "),
    (re.compile(r" ?\n ?"), "\n"),
    (re.compile(r" +(?=[,.;:!?)\]”’])"), ""),
    (re.compile(r"(?<=[(\[“‘]) +"), ""),
    (re.compile(r",(?: *,)+"), ","),
    (re.compile(r", *(?=[.!?;:])"), ""),
    (re.compile(r"(?<=[.!?;:]) *,"), ""),
    (re.compile(r"(?<=[.!?;:])(?: *\.)+"), ""),
    (re.compile(r"(?<=[,;])(?=[^\W\d_])"), " "),
    (re.compile(r"^[ ,]+|[ ,]+$", re.MULTILINE), ""),
    (re.compile(r"\n{3,}"), "\n\n"),
)


def glossary_pattern(glossary: Mapping[str, str]) -> tuple[re.Pattern[str] | None, dict[str, str]]:
    """One alternation over all keys (longest first); mixed-case keys also match other casings."""
    lookup: dict[str, str] = {}
    for key, value in glossary.items():
        lookup[key] = value
        if not key.isupper():
            for variant in (key.lower(), key.upper(), key[:1].upper() + key[1:].lower()):
                lookup.setdefault(variant, value)
    if not lookup:
        return None, lookup
    alternatives = "|".join(re.escape(k) for k in sorted(lookup, key=len, reverse=True))
    firsts = re.escape("".join(sorted({k[0] for k in lookup})))
    return re.compile(
        rf"(?=[ \t]*\(|[{firsts}])(?:(?P<paren>[ \t]*\((?P<pk>{alternatives})\))|(?<![^\W\d_]|_)(?<![^\W_][/-])(?:{alternatives})(?![^\W\d_]|_)(?![/-][^\W_]))"
    ), lookup


def make_glossary_handler(lookup: Mapping[str, str]) -> Handler:
    def glossary(m: re.Match[str]) -> Hit:
        key = m.group("pk")
        if key is None:
            return lookup[m.group(0)], "glossary"
        # "Ủy ban nhân dân (UBND)": the bracket only repeats what was just said.
        if m.string[max(0, m.start() - 80) : m.start()].rstrip().lower().endswith(lookup[key].lower()):
            return "", "glossary"
        return f" ({lookup[key]})", "glossary"

    return glossary


def make_roman_handler(dialect: str) -> Handler:
    """ "Phần IV", "thế kỉ XXI", "phụ lục IV", "chương XL" after a cue word; "IV. NHIỆM VỤ" as a
    heading (numerals of I, V and X only: "C. KẾT LUẬN" is a section letter). After "thứ" the
    ordinal words apply: "lần thứ IV" → "lần thứ tư"."""

    def roman(m: re.Match[str]) -> Hit | None:
        numeral = m.group("r")
        value = _ROMAN_VALUES.get(numeral)
        if value is None:
            return None
        text, start = m.string, m.start()
        before = word_before(text, start)
        heading = (
            text[text.rfind("\n", 0, start) + 1 : start].strip() == ""
            and text.startswith(". ", m.end())
            and set(numeral) <= set("IVX")
        )
        if before == "thứ":
            return ordinal_to_words(value, dialect), "roman"
        if heading or before in ROMAN_CUES:
            return number_to_words(value, dialect), "roman"
        return None

    return roman


def caps(m: re.Match[str]) -> Hit | None:
    word = m.group("w")
    if len(word) > 1 and is_syllable(word):
        return None
    return spell(word), "spell"


def symbols(m: re.Match[str]) -> Hit:
    kind = m.lastgroup
    text = m.string
    if kind == "bullet":
        return "", ""  # deletions are not worth a line in `explain`
    if kind == "ellipsis":
        nxt = _NEXT_CHAR.match(text, m.end()).group(1)  # type: ignore[union-attr]  # always matches
        return ("," if nxt and nxt.isalpha() and nxt.islower() else "."), "ellipsis"
    if kind == "dash":
        return ", ", "dash"
    if kind == "stray":
        return " ", ""
    if kind == "slash":
        left = _LEFT_WORD.search(text, max(0, m.start() - 24), m.start())
        right = _RIGHT_WORD.match(text, m.end())
        if left and right:
            per = right.group(0).lower() in PER_WORDS and left.group(1).lower() not in TIME_WORDS
            return (" mỗi " if per else " hoặc "), "symbol"
        return " ", ""
    if kind == "sym":
        return f" {_SYMBOL_WORDS[m.group(0)]} ", "symbol"
    return " ", ""


def tidy(text: str) -> str:
    for pattern, replacement in CLEANUP:
        text = pattern.sub(replacement, text)
    return text.strip()
