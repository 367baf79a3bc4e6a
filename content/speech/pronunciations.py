"""Loanwords the Vietnamese voice cannot say, and how a northern announcer says them.

The campaign's scripts tell people to install an app from "CH Play" or the "App Store", scan a "QR"
code and turn on "Wi-Fi" or "4G"; the voice reads these letter by letter or in a garbled English. The
shipped lexicon gives each its Vietnamese-spelled pronunciation. It applies only where the word stands
alone — not glued to other letters ("ZaloPay") — in the usual casings ("Zalo", "ZALO", "zalo"; keys
with digits only as listed: "4G" is a network, "5g" five grams). Commune config overrides it: `make_settings(pronunciations=...)`
adds or replaces entries, and a `speech.glossary` entry with the same key (any casing) wins too.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from types import MappingProxyType

from loa114.content.speech.engine import Hit, Pass
from loa114.content.speech.starts import starts_of

DEFAULT_PRONUNCIATIONS: Mapping[str, str] = MappingProxyType(
    {
        "iPhone": "ai phôn",
        "iPad": "ai pát",
        "Android": "an-đờ-roi",
        "Zalo": "da lô",
        "Facebook": "phây búc",
        "YouTube": "diu túp",
        "TikTok": "tích tốc",
        "CH Play": "xê hát plây",
        "App Store": "áp xờ to",
        "QR": "qui a",
        "Wi-Fi": "oai phai",
        "Wifi": "oai phai",
        "Bluetooth": "blu tút",
        "3G": "ba gờ",
        "4G": "bốn gờ",
        "5G": "năm gờ",
    }
)


def _key_pattern(key: str) -> str:
    return r"[ \t]+".join(re.escape(word) for word in key.split())


def _casings(key: str) -> set[str]:
    """The written forms of a key: as listed, lower, upper and capitalised words; digits: as listed.
    ("4G" but not "5g" grams; "CH Play" and "ch play" but not a lowered "ch" glued to "Play")."""
    if any(c.isdigit() for c in key):
        return {key}
    words = key.split()
    capitalised = " ".join(w[:1].upper() + w[1:].lower() for w in words)
    return {" ".join(words), key.lower(), key.upper(), capitalised}


def pronunciation_pass(lexicon: Mapping[str, str]) -> Pass | None:
    """One alternation over the lexicon's casings (longest first), bounded to whole words."""
    if not lexicon:
        return None
    lookup: dict[str, str] = {}
    for key, value in lexicon.items():
        for form in _casings(key):
            lookup.setdefault(form, value)
    alternatives = "|".join(_key_pattern(k) for k in sorted(lookup, key=len, reverse=True))
    firsts = re.escape("".join(sorted({k[0] for k in lookup})))
    pattern = re.compile(rf"(?=[{firsts}])(?<![^\W_]|[.@/+-])(?:{alternatives})(?![^\W_]|[@/+-]|\.[^\W_])")

    def pronounce(m: re.Match[str]) -> Hit:
        return lookup[" ".join(m.group(0).split())], "pronunciation"

    return Pass(pattern, pronounce, starts_of(pattern, firsts))
