"""Units and currencies written after (or, for "$", before) a number, and the words a voice says.

Fire-safety texts are full of electrical ratings (220V, 16A, 2kW), distances and areas (50m, 3km2)
and prices (1.234.567₫, 10$, 10 usd); a unit left as written is read letter by letter or glued to the
number ("hai hai không vê"). Each unit is listed with the spellings clerks actually type: the case of
a multi-letter unit does not matter to a reader ("50hz", "50Hz"), but a single letter does ("m" is a
metre, "M" is not a unit), so single letters are listed exactly. Loan syllables are hyphenated the way
Vietnamese dictionaries write them ("ki-lô-mét", "xăng-ti-mét").
"""

from __future__ import annotations

import re

from loa114.content.speech.lexicon import word_set

# spoken words → written forms (case variants of multi-letter forms are added below)
_TABLE: dict[str, tuple[str, ...]] = {
    "ki-lô-mét trên giờ": ("km/h", "km/giờ"),
    "mét trên giây": ("m/s",),
    "ki-lô-mét vuông": ("km²", "km2"),
    "ki-lô-mét khối": ("km³", "km3"),
    "ki-lô-mét": ("km",),
    "mét vuông": ("m²", "m2"),
    "mét khối": ("m³", "m3"),
    "xăng-ti-mét vuông": ("cm²", "cm2"),
    "xăng-ti-mét khối": ("cm³", "cm3"),
    "xăng-ti-mét": ("cm",),
    "mi-li-mét vuông": ("mm²", "mm2"),
    "mi-li-mét": ("mm",),
    "đề-xi-mét": ("dm",),
    "mét": ("m",),
    "ki-lô-gam": ("kg",),
    "mi-li-gam": ("mg",),
    "gam": ("g",),
    "héc-ta": ("ha",),
    "mi-li-lít": ("ml", "mL"),
    "lít": ("l", "L"),
    "độ xê": ("°C", "℃", "oC", "°c"),
    "độ ép": ("°F", "℉"),
    "độ": ("°",),
    "phần trăm": ("%",),
    "giây": ("s",),
    "phút": ("p", "ph"),
    "ki-lô-oát giờ": ("kWh",),
    "ki-lô-oát": ("kW",),
    "mê-ga-oát": ("MW",),
    "oát": ("W",),
    "ki-lô-vôn": ("kV",),
    "vôn": ("V",),
    "mi-li-ampe giờ": ("mAh",),
    "mi-li-ampe": ("mA",),
    "ampe": ("A",),
    "ki-lô-héc": ("kHz",),
    "mê-ga-héc": ("MHz",),
    "gi-ga-héc": ("GHz",),
    "héc": ("Hz",),
    "ki-lô-bai": ("KB",),
    "mê-ga-bai": ("MB",),
    "gi-ga-bai": ("GB",),
    "tê-ra-bai": ("TB",),
    "mã lực": ("HP",),
    "đồng": ("VNĐ", "VND", "đ", "₫"),
    "đô la Mỹ": ("USD", "US$"),
    "đô la": ("$",),
    "ơ-rô": ("€", "EUR", "euro"),
    "nghìn": ("k", "K"),
    "triệu": ("tr",),
}
# Multi-letter forms whose other casings would collide with words or codes ("HA", "Tr", "Ph").
_EXACT_ONLY = frozenset({"ha", "tr", "ph", "oC", "mL", "mA", "euro", "US$"})

UNITS: dict[str, str] = {}
for _spoken, _forms in _TABLE.items():
    for _form in _forms:
        UNITS[_form] = _spoken
        if len(_form) > 1 and _form not in _EXACT_ONLY and _form.isascii():
            for _variant in (_form.lower(), _form.upper()):
                UNITS.setdefault(_variant, _spoken)
UNITS["vnđ"] = "đồng"

# Units a clerk may write before the amount: "$50".
PREFIX_CURRENCIES: dict[str, str] = {"$": "đô la", "US$": "đô la Mỹ", "€": "ơ-rô"}

# A decimal written with a dot ("1.5 triệu", "40.1cm") is a decimal, not "một chấm năm", before these.
SCALE_WORDS: frozenset[str] = frozenset({"triệu", "tỷ", "tỉ", "nghìn", "ngàn", "vạn"})

# Words before "6A", "102A" that make the letter part of a label, not an ampere rating.
LABEL_WORDS: frozenset[str] = word_set(
    "lớp phòng nhà số khu tổ đội tầng lô dãy căn kiốt ki-ốt bàn xe biển mẫu loại hạng bảng mục điều "
    "khoản câu bài tuyến đường ngõ ngách hẻm kiệt tòa toà block cổng cửa quầy sạp",
)

UNIT_ALTERNATION = "|".join(re.escape(u) for u in sorted(UNITS, key=len, reverse=True))
# Single capital letters that CODE would otherwise spell ("220V" → "hai hai không vê").
CAPITAL_UNITS = frozenset(u for u in UNITS if u.isascii() and u.isupper() and u.isalpha())


def unit_words(written: str) -> str:
    """The spoken name of a written unit (exact spelling first, then any casing)."""
    return UNITS.get(written) or UNITS.get(written.lower()) or UNITS[written.upper()]
