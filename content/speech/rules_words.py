"""Words and symbols: glossary abbreviations, Roman numerals, spelled capitals, symbols and tidy-up.

Abbreviations are read from the glossary; an unknown all-caps token that cannot be a Vietnamese
syllable is spelled with Vietnamese letter names. Symbols become words or pauses, list bullets and
dashes are not read, and a last tidy-up makes the text read naturally in the manifest — written so
that running it twice changes nothing.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping

from loa114.content.speech.engine import Handler, Hit
from loa114.content.speech.letters import SPELLED_SINGLE, UPPER_LETTERS, is_syllable, spell
from loa114.content.speech.lexicon import PER_WORDS, ROMAN_CUES, TIME_WORDS, word_before
from loa114.content.speech.numbers import number_to_words, ordinal_to_words
from loa114.content.speech.starts import Starts, starts, starts_of

ROMAN = re.compile(r"(?=[IVXLCDM])(?<![^\W_]|\.)(?P<r>[IVXLCDM]{1,12})(?![^\W_])")
ROMAN_START = starts_of(ROMAN, "IVXLCDM")


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
CAPS_START = starts_of(CAPS, UPPER_LETTERS)
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
# A symbol or the first of two dots (a lone "." is no symbol), and the spaces before it (a bullet or
# dash takes them along).
SYMBOLS_START = starts(re.escape(".…/&%+=~@<>≥≤×#_*|\\^`$€₫°℃℉-–—•▪●"), at=r"\.\.|[^.]", lead=" \t")
_SYMBOL_WORDS = {
    "&": "và", "%": "phần trăm", "+": "cộng", "=": "bằng", "~": "khoảng", "@": "a còng", ">": "lớn hơn",
    "<": "nhỏ hơn", "≥": "lớn hơn hoặc bằng", "≤": "nhỏ hơn hoặc bằng", "×": "nhân", "$": "đô la",
    "€": "ơ-rô", "₫": "đồng", "℃": "độ xê", "℉": "độ ép", "°": "độ",
}  # fmt: skip
_LEFT_WORD = re.compile(r"([^\W\d_]+)$")
_RIGHT_WORD = re.compile(r"[^\W\d_]+")
_NEXT_CHAR = re.compile(r"[ \t]*(\S)?")


def _having(*needles: str) -> Callable[[str], bool]:
    return lambda text: any(needle in text for needle in needles)


def _line_edges(text: str) -> bool:
    """A space or comma starts or ends a line."""
    return (
        text.startswith((" ", ","))
        or text.endswith((" ", ","))
        or any(needle in text for needle in ("\n ", "\n,", " \n", ",\n"))
    )


# (pattern, replacement, test): a rule with a test changes nothing in a text that fails it, and is
# skipped there. Patterns open with a character, not a look-around, so that the regex engine skips
# to where they can match: "(?<=[.!?;:]) *," is written "([.!?;:]) *," and keeps what it consumed.
CLEANUP: tuple[tuple[re.Pattern[str], str, Callable[[str], bool] | None], ...] = (
    (re.compile(r"[ \t]+"), " ", _having("\t")),  # without a tab, only runs of spaces change:
    (re.compile(r"  +"), " ", _having("  ")),
    (re.compile(r" ?\n ?"), "\n", _having(" \n", "\n ")),
    (re.compile(r" [ ]*(?=[;:!?)\]”’]|[,.](?![^\W_]))"), "", None),  # ".COM" starts a word: not glued
    (re.compile(r"([(\[“‘]) +"), r"\1", None),
    (re.compile(r",(?: *,)+"), ",", None),
    (re.compile(r", *(?=[.!?;:])"), "", None),
    (re.compile(r"([.!?;:]) *,"), r"\1", None),
    (re.compile(r"([.!?;:])(?: *\.)+"), r"\1", None),
    (re.compile(r"([,;])(?=[^\W\d_])"), r"\1 ", None),
    (re.compile(r"^[ ,]+|[ ,]+$", re.MULTILINE), "", _line_edges),
    (re.compile(r"\n\n\n+"), "\n\n", None),
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
    return re.compile(
        rf"(?=[ \t]*\(|[{_firsts(lookup)}])(?:(?P<paren>[ \t]*\((?P<pk>{alternatives})\))|(?<![^\W\d_]|_)(?<![^\W_][/-])(?:{alternatives})(?![^\W\d_]|_)(?![/-][^\W_]))"
    ), lookup


def _firsts(lookup: Mapping[str, str]) -> str:
    return re.escape("".join(sorted({k[0] for k in lookup})))


def glossary_starts(pattern: re.Pattern[str], lookup: Mapping[str, str]) -> Starts:
    """Where `glossary_pattern(…)` can begin: the first character of a key, or the "(" of a bracketed
    key and the spaces before it."""
    return starts_of(pattern, rf"({_firsts(lookup)}", lead=" \t")


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
    for pattern, replacement, test in CLEANUP:
        if test is None or test(text):
            text = pattern.sub(replacement, text)
    return text.strip()
