"""E-mail and web addresses, and the place abbreviations of postal addresses ("TP.", "Q.", "P.", "H.").

An address is read the way Vietnamese announcers spell it on air: "@" is "a còng", "." is "chấm", "/"
is "gạch chéo", ":" is "hai chấm"; digits are said one by one (the "114" of a hostname is no hotline,
and "1007" in a mailbox is no quantity); the usual parts have their usual readings ("www" → "vê kép
vê kép vê kép", ".vn" → "chấm vi en", ".gov" → "chấm gờ o vê"); every other part is lower-case
letters, left to the voice exactly like any lower-case word of the script. The reading is parked
behind a placeholder so no later rule touches it.

Before a place name or a district number, "TP." is "thành phố", "Q." "quận", "P." "phường", "H."
"huyện", "X." "xã", "T." "tỉnh", "TX." "thị xã", "KP." "khu phố" — but not when the letter is a
person's initial ("Nguyễn H. Nam", "ông P. Hùng").
"""

from __future__ import annotations

import re
from collections.abc import Mapping

from loa114.content.speech.engine import Hit
from loa114.content.speech.letters import UPPER_LETTERS
from loa114.content.speech.lexicon import word_set
from loa114.content.speech.numbers import digits_to_words
from loa114.content.speech.starts import starts

EMAIL = re.compile(
    r"(?<![^\W_]|[.,@+%-])[A-Za-z0-9][A-Za-z0-9._+-]*@(?:[A-Za-z0-9-]+\.)+[A-Za-z]{2,}(?![^\W\d_]|\.[^\W\d_])"
)
_TLD = r"(?:vn|com|net|org|gov|edu|info)"
_BODY = r"[^\s<>\"“”'‘’()\[\]]*[^\s<>\"“”'‘’()\[\].,;:!?]"  # the sentence's own "." or "," is not in it
URL = re.compile(
    r"(?<![^\W\d_])(?:"
    rf"(?:https?|ftp)://{_BODY}"
    rf"|www\.{_BODY}"
    rf"|(?:[A-Za-z0-9-]+\.)+{_TLD}(?![^\W\d_]|\.[^\W\d_])(?:/{_BODY})?"
    r")",
    re.IGNORECASE,
)
ADDRESS_WORDS: Mapping[str, str] = {
    "https": "hát tê tê pê ét",
    "http": "hát tê tê pê",
    "ftp": "ép tê pê",
    "www": "vê kép vê kép vê kép",
    "vn": "vi en",
    "org": "o rờ gờ",
    "gov": "gờ o vê",
    "edu": "e đu",
    "net": "nét",
    "info": "in phô",
}
_SYMBOL_NAMES: Mapping[str, str] = {
    ".": "chấm", "@": "a còng", "/": "gạch chéo", ":": "hai chấm", "-": "gạch ngang", "_": "gạch dưới",
    "?": "chấm hỏi", "=": "bằng", "&": "và", "#": "thăng", "%": "phần trăm", "+": "cộng", "~": "ngã",
}  # fmt: skip
_PARTS = re.compile(r"[a-z]+|[0-9]+|.", re.DOTALL)

_PLACE_WORDS: Mapping[str, str] = {
    "tp": "thành phố", "tx": "thị xã", "kp": "khu phố", "q": "quận", "p": "phường", "h": "huyện",
    "x": "xã", "t": "tỉnh",
}  # fmt: skip
_NUMBERED = frozenset({"q", "p", "kp"})  # "Q.1", "P. 5", "kp. 4"
PLACE = re.compile(
    rf"(?=[TtKkQPHXqphx])(?<![^\W_]|[.@/-])(?P<a>TP|Tp|tp|TX|Tx|tx|KP|Kp|kp|[QPHXTqphxt])(?:\.[ \t]*| \.[ \t]*)(?=[{UPPER_LETTERS}0-9\uf8ff])"
)
# The dot of an abbreviation (after its last letter or a space, before a capital or digit), and the
# letters and space before it, where the match begins.
PLACE_START = starts(r"\.", at=rf"(?<=[PpXxQHTqht ])\.[ \t]*[{UPPER_LETTERS}0-9\uf8ff]", lead="TtKkQPHXqphx ")
_TITLES = word_set("ông bà anh chị em cô chú bác cụ đồng chí")
# Words that lead into a place even when capitalised at a sentence start ("Tại TP. Lạng Sơn").
_PLACE_LEADS = word_set("tại ở về thuộc đến từ tới của và trên trong ngoài với cho qua gồm")
_NAME_BEFORE = re.compile(rf"([{UPPER_LETTERS}][^\W\d_]*|[^\W\d_]+)[ \t]+$")


class AddressReader:
    """Spells e-mail and web addresses; the loanword lexicon applies to their parts ("zalo.me")."""

    def __init__(self, pronunciations: Mapping[str, str]) -> None:
        self.words = {k.lower(): v for k, v in pronunciations.items()}

    def _spoken(self, address: str) -> str:
        out: list[str] = []
        for part in _PARTS.findall(address.lower()):
            if part[0].isdigit():
                out.append(digits_to_words(part))
            elif part.isalpha():
                out.append(ADDRESS_WORDS.get(part) or self.words.get(part) or part)
            elif part in _SYMBOL_NAMES:
                out.append(_SYMBOL_NAMES[part])
        return " ".join(out)

    def email(self, m: re.Match[str]) -> Hit:
        return _apart(m, self._spoken(m.group(0))), "email"

    def url(self, m: re.Match[str]) -> Hit | None:
        if "." not in m.group(0):
            return None
        return _apart(m, self._spoken(m.group(0))), "url"


def _apart(m: re.Match[str], spoken: str) -> str:
    """The reading is parked behind a placeholder until the end, so the tidy-up never sees its first
    and last letters: a space on each side that touches something makes ";a@b.com" read the same
    ("; a a còng …") on every pass; spaces that turn out extra are folded after unmasking."""
    text, start, end = m.string, m.start(), m.end()
    before = " " if start > 0 and not text[start - 1].isspace() else ""
    after = " " if end < len(text) and not text[end].isspace() else ""
    return before + spoken + after


def place(m: re.Match[str]) -> Hit | None:
    """ "TP. Lạng Sơn" → "thành phố Lạng Sơn", "Q.1" → "quận 1"; a person's initial is left alone."""
    key = m.group("a").lower()
    nxt = m.string[m.end() : m.end() + 1]
    if nxt.isdigit() and key not in _NUMBERED:
        return None
    before = _NAME_BEFORE.search(m.string, max(0, m.start() - 30), m.start())
    if before is not None:
        word = before.group(1)
        if word.lower() in _TITLES or (word[:1].isupper() and word.lower() not in _PLACE_LEADS):
            return None  # "Nguyễn H. Nam", "ông P. Hùng": an initial
    return _PLACE_WORDS[key] + " ", "place"
