"""Reading numbers as Vietnamese words.

Written here rather than taken from num2words or vietnam-number, which get 2026 ("lẻ" instead of
"không trăm") or the spelling of "lẻ" wrong. Rules, north by default:

* a three-digit group after a higher group is read in full: 1005 → "một nghìn không trăm linh năm";
* a zero tens digit before a unit reads "linh" (north) / "lẻ" (south): 105 → "một trăm linh năm";
* after "mươi", 1 is "mốt", 5 is "lăm" and 4 is "tư" (north) / "bốn" (south); after "mười", 5 is
  "lăm". Both dialects keep formal "lăm": "nhăm" is colloquial speech, not broadcast style;
* 10^3 is "nghìn" (north) / "ngàn" (south); above "tỷ" the scale words repeat: 10^12 = "nghìn tỷ",
  10^15 = "triệu tỷ"; an all-zero group is skipped.
"""

from __future__ import annotations

from dataclasses import dataclass

from loa114.content.speech.errors import SpeechError

DIGIT_WORDS: tuple[str, ...] = ("không", "một", "hai", "ba", "bốn", "năm", "sáu", "bảy", "tám", "chín")
MAX_CARDINAL_DIGITS = 18  # longer digit strings are codes, read digit by digit


@dataclass(frozen=True)
class _Dialect:
    linh: str
    thousand: str
    four_after_muoi: str


_DIALECTS: dict[str, _Dialect] = {
    "north": _Dialect(linh="linh", thousand="nghìn", four_after_muoi="tư"),
    "south": _Dialect(linh="lẻ", thousand="ngàn", four_after_muoi="bốn"),
}


def _dialect(name: str) -> _Dialect:
    try:
        return _DIALECTS[name]
    except (KeyError, TypeError):
        raise SpeechError(f"dialect must be 'north' or 'south', not {name!r}", field="dialect") from None


def _group(n: int, d: _Dialect, full: bool) -> list[str]:
    """Words of 1..999; `full` when a higher group was already read (so "không trăm" is needed)."""
    hundreds, rest = divmod(n, 100)
    tens, units = divmod(rest, 10)
    words: list[str] = []
    if hundreds or full:
        words += [DIGIT_WORDS[hundreds], "trăm"]
    if tens == 0:
        if units:
            words += [d.linh, DIGIT_WORDS[units]] if words else [DIGIT_WORDS[units]]
    elif tens == 1:
        words.append("mười")
        if units:
            words.append("lăm" if units == 5 else DIGIT_WORDS[units])
    else:
        words += [DIGIT_WORDS[tens], "mươi"]
        if units == 1:
            words.append("mốt")
        elif units == 4:
            words.append(d.four_after_muoi)
        elif units == 5:
            words.append("lăm")
        elif units:
            words.append(DIGIT_WORDS[units])
    return words


def _words(n: int, d: _Dialect, full: bool) -> list[str]:
    if n >= 10**9:
        high, low = divmod(n, 10**9)
        billions = [*_words(high, d, full), "tỷ"]
        return billions + _words(low, d, True) if low else billions
    out: list[str] = []
    started = full
    for value, scale in ((n // 10**6, "triệu"), (n // 1000 % 1000, d.thousand), (n % 1000, "")):
        if value:
            out += _group(value, d, started)
            if scale:
                out.append(scale)
            started = True
    return out


def number_to_words(n: int, dialect: str = "north") -> str:
    """Cardinal reading of an integer: 2026 → "hai nghìn không trăm hai mươi sáu"."""
    if isinstance(n, bool) or not isinstance(n, int):
        raise SpeechError(f"number_to_words needs an int, not {n!r}", field="n", value=n)
    d = _dialect(dialect)
    if n < 0:
        return "âm " + number_to_words(-n, dialect)
    if n == 0:
        return DIGIT_WORDS[0]
    return " ".join(_words(n, d, False))


def digits_to_words(digits: str) -> str:
    """Digit by digit, for hotlines, phone numbers and codes: "114" → "một một bốn"."""
    return " ".join(DIGIT_WORDS[ord(c) - 48] for c in digits if "0" <= c <= "9")


def numeral_to_words(digits: str, dialect: str = "north") -> str:
    """A written integer as a quantity: administrative leading zeros are dropped ("01" → "một"),
    but a zero-led string of four or more digits, or an overlong one, is a code read digit by digit."""
    if (len(digits) >= 4 and digits[0] == "0") or len(digits) > MAX_CARDINAL_DIGITS:
        return digits_to_words(digits)
    return number_to_words(int(digits), dialect)


def fraction_to_words(digits: str, dialect: str = "north") -> str:
    """The part after a decimal comma: leading zeros are "không", then up to three digits as a
    number ("12,25" → "hai mươi lăm"), longer tails digit by digit."""
    stripped = digits.lstrip("0")
    zeros = [DIGIT_WORDS[0]] * (len(digits) - len(stripped))
    if not stripped:
        return " ".join(zeros) or DIGIT_WORDS[0]
    tail = number_to_words(int(stripped), dialect) if len(stripped) <= 3 else digits_to_words(stripped)
    return " ".join([*zeros, tail])


def ordinal_to_words(n: int, dialect: str = "north") -> str:
    """The word after "thứ": 1 → "nhất", 4 → "tư" (weekday and ordinal alike), else the cardinal."""
    if n == 1:
        return "nhất"
    if n == 4:
        return "tư"
    return number_to_words(n, dialect)


def month_to_words(n: int, dialect: str = "north") -> str:
    """The word after "tháng": 4 → "tư"; January stays "một" ("giêng" is the lunar month)."""
    return "tư" if n == 4 else number_to_words(n, dialect)
