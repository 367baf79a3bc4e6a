"""The words of a report: rates, lagging reasons and headings as a commune police officer writes them."""

from __future__ import annotations

from loa114.content.context import VillageCoverage

REASONS = {
    "household_behind": "số hộ cài đặt chậm so với kế hoạch",
    "install_behind": "số người cài đặt chậm so với kế hoạch",
    "stale": "quá lâu chưa gửi báo cáo",
}
SECTIONS = {
    "propaganda": "I. KẾT QUẢ TUYÊN TRUYỀN",
    "installation": "II. KẾT QUẢ CÀI ĐẶT ỨNG DỤNG",
    "safety": "III. ĐIỀU KIỆN AN TOÀN PHÒNG CHÁY CỦA HỘ GIA ĐÌNH",
    "difficulties": "IV. KHÓ KHĂN, VƯỚNG MẮC",
    "proposals": "V. ĐỀ XUẤT, KIẾN NGHỊ",
}


def percent(rate: float) -> str:
    """0.4567 → "45,7%" (Vietnamese decimal comma)."""
    return f"{rate * 100:.1f}%".replace(".", ",")


def village_status(village: VillageCoverage) -> str:
    if not village.reported:
        return "chưa có số liệu"
    if not village.reasons:
        return "đạt tiến độ"
    return "chậm: " + "; ".join(REASONS.get(r, r) for r in village.reasons)
