"""Typed settings of the speech normaliser, built by `scheduler` from config.yaml.

The glossary maps abbreviations found in administrative Vietnamese to the words a voice should say;
config entries extend or override the shipped defaults. The pronunciation lexicon does the same for
loanwords ("Zalo" → "da lô", see `pronunciations`); a glossary entry with the same key replaces its
lexicon entry, so `speech.glossary` in config.yaml can already correct either. Protected names (commune, villages, zones)
are copied to the spoken text verbatim, because "correcting" a Tày place name is worse than any
mispronunciation.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import Literal

from loa114.content.speech.errors import SpeechError
from loa114.content.speech.pronunciations import DEFAULT_PRONUNCIATIONS

Dialect = Literal["north", "south"]
DIALECTS: tuple[str, ...] = ("north", "south")

DEFAULT_HOTLINES: frozenset[str] = frozenset({"111", "112", "113", "114", "115", "1022"})

DEFAULT_GLOSSARY: Mapping[str, str] = MappingProxyType(
    {
        "UBND": "Ủy ban nhân dân",
        "HĐND": "Hội đồng nhân dân",
        "UBMTTQ": "Ủy ban Mặt trận Tổ quốc",
        "MTTQ": "Mặt trận Tổ quốc",
        "PCCC": "phòng cháy chữa cháy",
        "CNCH": "cứu nạn cứu hộ",
        "ANTT": "an ninh trật tự",
        "ANQP": "an ninh quốc phòng",
        "ATGT": "an toàn giao thông",
        "CAX": "Công an xã",
        "CAT": "Công an tỉnh",
        "CAH": "Công an huyện",
        "BCA": "Bộ Công an",
        "THCS": "trung học cơ sở",
        "THPT": "trung học phổ thông",
        "TT": "trung tâm",
        "HTX": "hợp tác xã",
        "BHYT": "bảo hiểm y tế",
        "BHXH": "bảo hiểm xã hội",
        "CLB": "câu lạc bộ",
        "BCĐ": "Ban Chỉ đạo",
        "BQL": "Ban quản lý",
        "CCB": "Cựu chiến binh",
        "LHPN": "Liên hiệp Phụ nữ",
        "TNCS": "Thanh niên Cộng sản",
        "DQTV": "dân quân tự vệ",
        "TDP": "tổ dân phố",
        "VP": "Văn phòng",
        "SĐT": "số điện thoại",
        "TP": "thành phố",
        "TPHCM": "Thành phố Hồ Chí Minh",
        "HCM": "Hồ Chí Minh",
        "CN": "chủ nhật",
        "CSKH": "chăm sóc khách hàng",
        "ĐT": "điện thoại",
        "COVID-19": "Cô-vít mười chín",
        "TM.": "thay mặt",
        "KT.": "ký thay",
        "TL.": "thừa lệnh",
        "Đ/c": "đồng chí",
        "v/v": "về việc",
        "v.v": "vân vân",
    }
)


def _nfc(text: str) -> str:
    return unicodedata.normalize("NFC", text)


@dataclass(frozen=True)
class SpeechSettings:
    """How to read text aloud for one commune."""

    dialect: Dialect = "north"
    glossary: Mapping[str, str] = field(default_factory=lambda: DEFAULT_GLOSSARY)
    hotlines: frozenset[str] = DEFAULT_HOTLINES
    protected_names: tuple[str, ...] = ()
    pronunciations: Mapping[str, str] = field(default_factory=lambda: DEFAULT_PRONUNCIATIONS)

    def __post_init__(self) -> None:
        if self.dialect not in DIALECTS:
            raise SpeechError(f"dialect must be one of {DIALECTS}, not {self.dialect!r}", field="dialect")
        for number in self.hotlines:
            if not (isinstance(number, str) and number.isascii() and number.isdigit()):
                raise SpeechError(f"hotline must be a string of digits, not {number!r}", field="hotlines")
        for key, value in self.glossary.items():
            if not (isinstance(key, str) and key.strip() and isinstance(value, str)):
                raise SpeechError(f"bad glossary entry {key!r}: {value!r}", field="glossary", value=key)
        for key, value in self.pronunciations.items():
            if not (isinstance(key, str) and key.strip() and isinstance(value, str) and value.strip()):
                raise SpeechError(
                    f"bad pronunciation entry {key!r}: {value!r}", field="pronunciations", value=key
                )
        for name in self.protected_names:
            if not (isinstance(name, str) and name.strip()):
                raise SpeechError(f"bad protected name {name!r}", field="protected_names", value=name)

    def __hash__(self) -> int:
        return hash(self.cache_key())

    def cache_key(self) -> tuple[object, ...]:
        """A hashable identity: the compiled rules of these settings are cached under it."""
        return (
            self.dialect,
            tuple(sorted(self.glossary.items())),
            self.hotlines,
            self.protected_names,
            tuple(sorted(self.pronunciations.items())),
        )


def make_settings(
    dialect: str = "north",
    glossary: Mapping[str, str] | None = None,
    hotlines: Iterable[str] = (),
    protected_names: Iterable[str] = (),
    pronunciations: Mapping[str, str] | None = None,
) -> SpeechSettings:
    """Settings from config values: glossary and pronunciation entries override/extend the defaults,
    hotlines extend them. A glossary key also replaces a lexicon entry of the same word (any casing)."""
    merged = dict(DEFAULT_GLOSSARY)
    for key, value in (glossary or {}).items():
        merged[_nfc(str(key)).strip()] = _nfc(str(value)).strip()
    lexicon = dict(DEFAULT_PRONUNCIATIONS)
    for key, value in (pronunciations or {}).items():
        clean = _nfc(str(key)).strip()
        for old in [k for k in lexicon if k.lower() == clean.lower()]:
            del lexicon[old]
        lexicon[clean] = _nfc(str(value)).strip()
    overridden = {key.lower() for key in (glossary or {})}
    lexicon = {k: v for k, v in lexicon.items() if k.lower() not in overridden}
    extra = frozenset(str(number).strip() for number in hotlines)
    names: list[str] = []
    for name in protected_names:
        clean = _nfc(str(name)).strip()
        if clean and clean not in names:
            names.append(clean)
    return SpeechSettings(
        dialect=dialect,  # type: ignore[arg-type]  # validated in __post_init__
        glossary=MappingProxyType(merged),
        hotlines=DEFAULT_HOTLINES | extra,
        protected_names=tuple(names),
        pronunciations=MappingProxyType(lexicon),
    )
