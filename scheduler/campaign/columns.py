"""What a village report holds, and how each of its cells is written in a report file.

A report is the cumulative state of one village on one date, as a village head or security-team leader
fills it in: the app's coverage (households with at least one user, people) and the fire-safety checklist
of the door-to-door teams. The cell parsers here are shared by the importer (CSV and XLSX) and describe
the same formats the blank form's instructions teach; they raise `CellError` with a Vietnamese message
that the importer attaches to a row and column.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from loa114.content.dates import parse_date_text
from loa114.content.text import clean_text


@dataclass(frozen=True, slots=True)
class UnsafeHousehold:
    label: str  # "Nhà ông Hoàng Văn A" or "Hộ số 12": a name or house label, nothing more
    missing: str  # "thiếu bình chữa cháy"; "" when the head did not say


@dataclass(frozen=True, slots=True)
class VillageReport:
    village_id: str
    day: date
    households_installed: int
    installs: int
    smartphone_users: int | None = None
    households_visited: int | None = None
    with_extinguisher: int | None = None
    with_second_exit: int | None = None
    unsafe_electrics: int | None = None
    unsafe_households: tuple[UnsafeHousehold, ...] = ()
    difficulties: str = ""  # "khó khăn, vướng mắc" in the head's words, cleaned; "" when none
    row: int = 0  # spreadsheet row number (header = row 1); 0 when not from a file


MAX_DIFFICULTIES = 2000  # characters of "khó khăn, vướng mắc" per report; more is refused, never cut
MAX_DIFFICULTIES_SHOWN = f"{MAX_DIFFICULTIES:,}".replace(",", ".")  # "2.000", as a Vietnamese reads it

# field -> accepted headers, Vietnamese first (the blank form uses the first one). "village" holds a
# village id or name and becomes `VillageReport.village_id`.
COLUMNS: dict[str, tuple[str, ...]] = {
    "day": ("Ngày", "date", "day", "Ngày báo cáo"),
    "village": ("Thôn", "village", "village_id", "Thôn/bản", "Tên thôn"),
    "households_installed": ("Số hộ đã cài", "households_installed", "Số hộ đã cài đặt"),
    "installs": ("Số người đã cài", "installs", "Số người đã cài đặt"),
    "smartphone_users": ("Số người dùng điện thoại thông minh", "smartphone_users", "Số người dùng ĐTTM"),
    "households_visited": ("Số hộ đã đến", "households_visited", "Số hộ đã đến hướng dẫn"),
    "with_extinguisher": ("Số hộ có bình chữa cháy", "with_extinguisher"),
    "with_second_exit": (
        "Số hộ có lối thoát nạn thứ hai",
        "with_second_exit",
        "Số hộ có lối thoát nạn thứ 2",
    ),
    "unsafe_electrics": ("Số hộ điện không an toàn", "unsafe_electrics"),
    "unsafe_households": ("Hộ chưa bảo đảm an toàn PCCC", "unsafe_households"),
    "difficulties": ("Khó khăn, vướng mắc", "difficulties", "kho_khan", "Khó khăn"),
}
REQUIRED = ("day", "village", "households_installed", "installs")
COUNT_FIELDS = (
    "households_installed",
    "installs",
    "smartphone_users",
    "households_visited",
    "with_extinguisher",
    "with_second_exit",
    "unsafe_electrics",
)
# counts that can never exceed the village's number of households
HOUSEHOLD_BOUNDED = (
    "households_installed",
    "households_visited",
    "with_extinguisher",
    "with_second_exit",
    "unsafe_electrics",
)

# What each column means, for the form's header notes and input prompts (kept beside COLUMNS so they agree).
NOTES: dict[str, str] = {
    "day": "Ngày báo cáo, dạng ngày/tháng/năm (ví dụ 05/03/2026). Không ghi ngày sau hôm nay.",
    "village": "Tên thôn (đã điền sẵn). Không sửa tên thôn.",
    "households_installed": "Số hộ có ít nhất 01 người đã cài ứng dụng Báo cháy 114, cộng dồn từ đầu đợt. "
    "Không lớn hơn tổng số hộ của thôn.",
    "installs": "Số người đã cài ứng dụng, cộng dồn từ đầu đợt. Không nhỏ hơn số hộ đã cài.",
    "smartphone_users": "Số người dùng điện thoại thông minh trong thôn, nếu đã có số mới hơn. Để trống nếu không đổi.",
    "households_visited": "Số hộ tổ công tác đã đến tuyên truyền, hướng dẫn (cộng dồn). Có thể để trống.",
    "with_extinguisher": "Số hộ có ít nhất 01 bình chữa cháy. Có thể để trống.",
    "with_second_exit": "Số hộ có lối thoát nạn thứ hai. Có thể để trống.",
    "unsafe_electrics": "Số hộ có hệ thống điện không bảo đảm an toàn. Có thể để trống.",
    "unsafe_households": "Mỗi hộ một dòng (Alt+Enter) hoặc cách nhau bằng dấu ';': tên chủ hộ hoặc số nhà, "
    "dấu ':', rồi điều còn thiếu. Ví dụ: Hộ số 12: thiếu bình chữa cháy. Không ghi số điện thoại, số CCCD.",
    "difficulties": "Khó khăn, vướng mắc của thôn khi triển khai (đưa vào mục IV của báo cáo gửi cấp trên). "
    f"Có thể để trống. Tối đa {MAX_DIFFICULTIES_SHOWN} ký tự.",
}


class CellError(ValueError):
    """A cell that cannot become its field; `message` is Vietnamese and names the value."""

    def __init__(self, value: Any, message: str):
        self.value = value
        self.message = message
        super().__init__(message)


MAX_COUNT = (
    1_000_000_000  # no village count comes near; a bigger one is a slip (and would overflow the database)
)
_THOUSANDS = re.compile(r"[+]?\d{1,3}(?:\.\d{3})+")
# nine or more digits in a row (spaces and dots allowed): a phone or ID-card number, not a house label
_ID_LIKE = re.compile(r"\d(?:[\s.]?\d){8,}")


def parse_count(value: Any) -> int | None:
    """A whole number ≥ 0; blank → None. "1.250" (thousands dot) is 1250; 12.0 is 12; 12.5 is an error."""
    if value.__class__ is str:
        try:
            number = int(value)
        except ValueError:
            return _count_text(value)
    elif value is None:
        return None
    elif isinstance(value, bool) or not isinstance(value, int | float):
        raise CellError(value, f"phải là số nguyên, không phải {_show(value)}")
    elif isinstance(value, float):
        if not value.is_integer():
            raise CellError(value, f"phải là số nguyên, không phải {_show(value)}")
        number = int(value)
    else:
        number = value
    if number < 0:
        raise CellError(value, f"không được âm ({number})")
    if number > MAX_COUNT:
        raise CellError(value, f"quá lớn ({number}): kiểm tra lại số này")
    return number


def _count_text(value: str) -> int | None:
    text = value.strip()
    if not text:
        return None
    if _THOUSANDS.fullmatch(text):
        return parse_count(int(text.replace(".", "").lstrip("+")))
    try:
        number = float(text)
    except ValueError:
        raise CellError(value, f"phải là số nguyên, không phải {_show(value)}") from None
    if not number.is_integer():
        raise CellError(value, f"phải là số nguyên, không phải {_show(value)}")
    return parse_count(number)


def parse_day(value: Any) -> date | None:
    """YYYY-MM-DD, DD/MM/YYYY or D/M/YYYY text, an XLSX date/datetime cell, or an Excel day number."""
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    if value is None:
        return None
    if isinstance(value, int | float) and not isinstance(value, bool) and 20000 <= value <= 80000:
        # a date cell whose date format was lost: Excel's serial day number
        from openpyxl.utils.datetime import from_excel  # only XLSX serial dates need it

        serial: date = from_excel(value).date()
        return serial
    text = str(value).strip()
    if not text:
        return None
    day = parse_date_text(text)
    if day is not None:
        return day
    raise CellError(
        value, f"ngày không hợp lệ {_show(value)}: dùng dạng ngày/tháng/năm (05/03/2026) hoặc 2026-03-05"
    )


def parse_unsafe(value: Any) -> tuple[UnsafeHousehold, ...]:
    """Entries split by ';' or new lines, each "label: what is missing"; blank entries are skipped."""
    if value is None:
        return ()
    households = []
    for raw in re.split(r"[;\n\r]", str(value)):
        entry = raw.strip()
        if not entry:
            continue
        label, _, missing = entry.partition(":")
        label, missing = label.strip(), missing.strip()
        if not label:
            raise CellError(value, f"mục {_show(entry)} thiếu tên chủ hộ hoặc số nhà trước dấu ':'")
        if _ID_LIKE.search(entry):
            raise CellError(
                value,
                f"mục {_show(entry)} có dãy số giống số điện thoại hoặc số CCCD; chỉ ghi tên chủ hộ hoặc số nhà",
            )
        households.append(UnsafeHousehold(label, missing))
    return tuple(households)


def parse_difficulties(value: Any) -> str:
    """Free text, cleaned as pasted text is (control characters out, NFC, line breaks kept) and trimmed;
    blank → ""; longer than MAX_DIFFICULTIES characters is an error (a report never loses words silently)."""
    if value is None:
        return ""
    text = clean_text(str(value)).strip()
    if len(text) > MAX_DIFFICULTIES:
        length = f"{len(text):,}".replace(",", ".")
        message = f"dài {length} ký tự, quá giới hạn {MAX_DIFFICULTIES_SHOWN} ký tự: viết ngắn gọn lại"
        raise CellError(value, message)
    return text


def _show(value: Any) -> str:
    text = str(value)
    return repr(text if len(text) <= 60 else text[:57] + "...")
