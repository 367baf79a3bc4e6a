"""Word lists and context look-ups that decide how an ambiguous number is read.

"114" is a number to call after "gọi" or inside "Báo cháy 114", but a quantity in "114 hộ"; "10/12"
is a date after "ngày" but a ratio in "10/12 thôn". Rules look at a few words around the match in
the text being rewritten; these helpers keep that look cheap (a short slice, one small regex).
"""

from __future__ import annotations

import re


def word_set(words: str) -> frozenset[str]:
    """A set of words written as one space-separated string (long Vietnamese lists stay readable)."""
    return frozenset(words.split())


_set = word_set


# First word after a number that makes it a count ("114 hộ", "10/12 thôn", "5-7 ngày").
COUNTING_WORDS: frozenset[str] = (
    _set("""hộ người nhân khẩu gia đình ngày tháng năm giờ phút giây tuần quý lần lượt cái chiếc bình căn
    nhà ngôi cơ điểm cụm loa máy điện tài học em cháu đảng cán trường thôn bản xã xóm khu tổ đội vụ
    đám đợt buổi con cây bộ phần mét tấn lít gói thành hội đoàn đơn cuộc trang tờ triệu nghìn
    ngàn tỷ trăm chục hecta héc-ta km kg đồng xe ô công chiến lớp giáo viên""")
)

# Words that make a hotline a number to dial when they occur shortly before it.
HOTLINE_CUES: tuple[str, ...] = (
    "gọi", "đường dây nóng", "báo cháy", "tổng đài", "quay", "bấm", "nhấn", "liên hệ", "hotline",
    "ứng dụng", "app", "khẩn cấp", "đầu số", "cứu hỏa", "cấp cứu", "công an", "cảnh sát", "điện thoại",
)  # fmt: skip
# "số" only counts right before the number ("gọi ngay số 114", not "số hộ đã cài: 114").
NEAR_HOTLINE_CUES: frozenset[str] = frozenset({"số"})

# A word right before a hotline-like number that makes it a quantity or a year ("năm 1022").
QUANTITY_CUES: frozenset[str] = _set(
    "năm có khoảng gần hơn đạt được thứ dưới chỉ còn thêm lên xuống tổng cộng mất"
)

# Words right before d/m that make it a date, or a ratio.
DATE_CUES: frozenset[str] = _set(
    "ngày hôm từ đến tới trước sau hạn vào sáng chiều tối trưa đêm mùng mồng nay lúc"
)
RATIO_CUES: frozenset[str] = _set("đạt được có chiếm khoảng gần hơn lệ là còn")

# Words after "/" between words that make it "mỗi" ("lần/ngày", "đồng/hộ"), unless the left word
# is itself one of these units ("ngày/tháng" is "ngày hoặc tháng").
PER_WORDS: frozenset[str] = _set("ngày tuần tháng năm giờ phút giây hộ người lần lượt buổi đợt quý")
TIME_WORDS: frozenset[str] = _set("ngày tuần tháng năm giờ phút giây quý")

# Words before a Roman numeral that make it a number ("phần IV", "Đại hội XIII").
ROMAN_CUES: frozenset[str] = _set(
    "phần chương mục quý khóa khoá kỳ kì hội lần kỷ kỉ thứ khoản điều lục đoạn hồi tập quyển cấp loại hạng "
    "nhóm vùng tiết bài"
)

_RATIO_AFTER = re.compile(r"[ \t]*trên[ \t]*[0-9]")
_WORD = re.compile(r"[^\W\d_]+")
_NEXT_WORD = re.compile(r"\s*[“\"(]?\s*([^\W\d_][\w-]*|%)")


def words_before(text: str, pos: int, count: int = 6, span: int = 60) -> list[str]:
    """The last `count` lower-cased words before `pos` (punctuation and digits skipped)."""
    return _WORD.findall(text[max(0, pos - span) : pos].lower())[-count:]


def word_before(text: str, pos: int) -> str:
    """The word immediately before `pos`, separated by whitespace only; "" if none. (The letters at
    the end of the 24 characters before `pos`, lower-cased and stripped of trailing whitespace; a
    letter is alphanumeric and not a decimal digit.)"""
    chunk = text[max(0, pos - 24) : pos].rstrip().lower()
    start = len(chunk)
    while start and chunk[start - 1].isalnum() and not chunk[start - 1].isdecimal():
        start -= 1
    return chunk[start:]


def word_after(text: str, pos: int) -> str:
    """The lower-cased word (or "%") right after `pos`, allowing spaces and an opening bracket."""
    m = _NEXT_WORD.match(text, pos)
    return m.group(1).lower() if m else ""


def has_cue(words: list[str], cues: tuple[str, ...]) -> bool:
    """True if any (possibly multi-word) cue occurs in `words`."""
    joined = " " + " ".join(words) + " "
    return any(f" {cue} " in joined for cue in cues)


def ratio_follows(text: str, pos: int) -> bool:
    """True for "114 trên 200": the number is the first term of a ratio, hence a quantity."""
    return _RATIO_AFTER.match(text, pos) is not None
