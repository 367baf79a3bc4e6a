"""Vietnamese letter names and the test "is this capitalised word a real syllable?".

An unknown all-caps token is an abbreviation only if it cannot be a Vietnamese syllable: "KẾ HOẠCH"
and "NÀ PÀN" in a heading are words and must stay words, while "VT" or "GPS" are spelled with
Vietnamese letter names so that no English voice ever reads them.
"""

from __future__ import annotations

import re
import unicodedata

LETTER_NAMES: dict[str, str] = {
    "A": "a", "Ă": "á", "Â": "ớ", "B": "bê", "C": "xê", "D": "dê", "Đ": "đê", "E": "e", "Ê": "ê",
    "F": "ép", "G": "giê", "H": "hát", "I": "i", "J": "gi", "K": "ca", "L": "e-lờ", "M": "em-mờ",
    "N": "en-nờ", "O": "o", "Ô": "ô", "Ơ": "ơ", "P": "pê", "Q": "quy", "R": "e-rờ", "S": "ét-xì",
    "T": "tê", "U": "u", "Ư": "ư", "V": "vê", "W": "vê kép", "X": "ích-xì", "Y": "i dài", "Z": "dét",
}  # fmt: skip

# Consonant letters standing alone are spelled; a lone vowel ("Y tế", "Ô tô") is a word.
SPELLED_SINGLE = "BCDĐFGHJKLMNPQRSTVWXZ"

_LATIN_RANGES = ((0x41, 0x5A), (0xC0, 0x24F), (0x1E00, 0x1EFF))
UPPER_LETTERS = "".join(
    chr(cp) for lo, hi in _LATIN_RANGES for cp in range(lo, hi + 1) if chr(cp).isupper() and chr(cp).isalpha()
)
_KEEP_MARKS = {"\u0306", "\u0302", "\u031b"}  # breve, circumflex, horn: they make distinct letters


def base_letter(ch: str) -> str:
    """Strip tone marks but keep the marks that make Ă, Â, Ê, Ô, Ơ, Ư distinct letters."""
    if ch in ("Đ", "đ"):
        return ch
    decomposed = unicodedata.normalize("NFD", ch)
    kept = decomposed[0] + "".join(c for c in decomposed[1:] if c in _KEEP_MARKS)
    return unicodedata.normalize("NFC", kept)


def spell(word: str) -> str:
    """Letter by letter: "UBND" → "u bê en-nờ đê"."""
    names = []
    for ch in word:
        base = base_letter(ch.upper())
        names.append(LETTER_NAMES.get(base) or LETTER_NAMES.get(base[:1], ch.lower()))
    return " ".join(names)


_SYLLABLE = re.compile(
    r"(?:ngh|ng|nh|gh|gi|kh|ph|qu|th|tr|ch|[bcdđghklmnprstvx])?"
    r"(?:[aăâeêioôơuưy]{1,3})"
    r"(?:ch|ng|nh|[cmnpt])?"
)


def is_syllable(word: str) -> bool:
    """True if `word` (any case, any tone) has the shape onset + vowels + coda of a Vietnamese syllable."""
    plain = "".join(base_letter(c) for c in word.lower())
    return _SYLLABLE.fullmatch(plain) is not None
