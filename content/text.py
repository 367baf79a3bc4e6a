"""Text that people paste (from Word, Zalo, a web page) made safe for every reader and channel."""

from __future__ import annotations

import re
import unicodedata

_LINE_BREAKS = re.compile("\r\n?|[\x0b\x0c\x1c-\x1e\x85\u2028\u2029]")  # Word's manual line break is \x0b
_CONTROLS = re.compile("[\x00-\x08\x0e-\x1b\x1f\x7f-\x84\x86-\x9f\u200b\ufeff\ufffe\uffff]")


def clean_text(text: str) -> str:
    """NFC, every kind of line break as "\\n", no control characters (XML, .docx and SMS gateways refuse
    them); tabs become spaces."""
    text = _LINE_BREAKS.sub("\n", text)
    text = _CONTROLS.sub("", text).replace("\t", " ")
    return unicodedata.normalize("NFC", text)


def fold(text: str) -> str:
    """Lowercase, without diacritics (đ → d), single spaces: "  Nà  PÀN " → "na pan" — how a name typed
    in any case, with or without accents, is matched (village names, slot ids, report headers)."""
    decomposed = unicodedata.normalize("NFD", text.replace("đ", "d").replace("Đ", "D"))
    bare = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
    return " ".join(bare.lower().split())
