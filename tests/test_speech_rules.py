"""The normaliser on Vietnamese as written in commune documents, news and the campaign's scripts.

Each case is written text → the exact spoken text a listener should hear.
"""

from __future__ import annotations

import pytest

from loa114.content.speech import normalize
from loa114.content.speech.settings import make_settings

NORTH = make_settings(protected_names=["Lợi Bác", "Nà Pàn", "Lạng Sơn", "Khu 3"])
SOUTH = make_settings(dialect="south", protected_names=["Lợi Bác"])

HOTLINES = [
    ("Gọi 114 khi có cháy.", "Gọi một một bốn khi có cháy."),
    ("Hãy gọi ngay số 114!", "Hãy gọi ngay số một một bốn!"),
    ("Đường dây nóng 1022 của tỉnh", "Đường dây nóng một không hai hai của tỉnh"),
    ("cài đặt ứng dụng “Báo cháy 114”", "cài đặt ứng dụng “Báo cháy một một bốn”"),
    ("ứng dụng Báo cháy 114 trên điện thoại", "ứng dụng Báo cháy một một bốn trên điện thoại"),
    ("Tổng đài 113 trực 24/7.", "Tổng đài một một ba trực hai mươi tư trên bảy."),
    ("Cấp cứu: 115", "Cấp cứu: một một năm"),
    ("quay số 112 để cứu nạn", "quay số một một hai để cứu nạn"),
    ("Gọi 113, 114, 115 miễn phí.", "Gọi một một ba, một một bốn, một một năm miễn phí."),
    ("Thôn có 114 hộ.", "Thôn có một trăm mười bốn hộ."),
    ("Đã vận động 115 người cài đặt", "Đã vận động một trăm mười lăm người cài đặt"),
    ("năm 1022", "năm một nghìn không trăm hai mươi hai"),
    ("đạt 114 trên 200 hộ", "đạt một trăm mười bốn trên hai trăm hộ"),
    ("114 là số báo cháy.", "một một bốn là số báo cháy."),
    ("Hotline 1900 1234", "Hotline một chín không không, một hai ba bốn"),
]

PHONES = [
    ("Liên hệ 0912 345 678.", "Liên hệ không chín một hai, ba bốn năm, sáu bảy tám."),
    ("SĐT: 0912345678", "số điện thoại: không chín một hai, ba bốn năm, sáu bảy tám"),
    ("Gọi 0912.345.678", "Gọi không chín một hai, ba bốn năm, sáu bảy tám"),
    ("Điện thoại 0205 3812 345", "Điện thoại không hai không năm, ba tám một hai, ba bốn năm"),
    ("số 02053812345", "số không hai không năm, ba tám một hai, ba bốn năm"),
    ("+84 912 345 678", "cộng tám bốn, chín một hai, ba bốn năm, sáu bảy tám"),
    ("0987-654-321", "không chín tám bảy, sáu năm bốn, ba hai một"),
]

DATES = [
    ("ngày 20/01/2026", "ngày hai mươi tháng một năm hai nghìn không trăm hai mươi sáu"),
    ("Hạn chót 31/3/2026.", "Hạn chót ngày ba mươi mốt tháng ba năm hai nghìn không trăm hai mươi sáu."),
    ("ngày 04/02/2026", "ngày bốn tháng hai năm hai nghìn không trăm hai mươi sáu"),
    ("từ 10-02-2026", "từ mười tháng hai năm hai nghìn không trăm hai mươi sáu"),
    ("ngày 10.02.2026", "ngày mười tháng hai năm hai nghìn không trăm hai mươi sáu"),
    ("2026-02-10", "mười tháng hai năm hai nghìn không trăm hai mươi sáu"),
    ("ngày 10 tháng 02 năm 2026", "ngày mười tháng hai năm hai nghìn không trăm hai mươi sáu"),
    ("ngày 10 tháng 2 năm 2026", "ngày mười tháng hai năm hai nghìn không trăm hai mươi sáu"),
    ("trước ngày 15/4", "trước ngày mười lăm tháng tư"),
    ("trước 15/4", "trước mười lăm tháng tư"),
    ("vào 1/5", "vào một tháng năm"),
    ("mùng 2/9", "mùng hai tháng chín"),
    ("tháng 4", "tháng tư"),
    ("tháng 1", "tháng một"),
    ("tháng 01/2026", "tháng một năm hai nghìn không trăm hai mươi sáu"),
    ("quý I, 03/2026", "quý một, tháng ba năm hai nghìn không trăm hai mươi sáu"),
    ("tháng 12", "tháng mười hai"),
    ("tháng 11", "tháng mười một"),
    ("thứ 2", "thứ hai"),
    ("thứ 4", "thứ tư"),
    ("Thứ 7, 14/2", "Thứ bảy, mười bốn tháng hai"),
    ("lần thứ 1", "lần thứ nhất"),
    ("ngày 24/12/2025", "ngày hai mươi tư tháng mười hai năm hai nghìn không trăm hai mươi lăm"),
    ("ngày 21/1", "ngày hai mươi mốt tháng một"),
    ("từ ngày 10-15/3", "từ ngày mười đến mười lăm tháng ba"),
    ("31/02/2026 là sai", "ba mươi mốt trên hai trên hai nghìn không trăm hai mươi sáu là sai"),
]

TIMES = [
    ("lúc 17h30", "lúc mười bảy giờ ba mươi phút"),
    ("17h", "mười bảy giờ"),
    ("17h00", "mười bảy giờ"),
    ("05:30", "năm giờ ba mươi phút"),
    ("17:00", "mười bảy giờ"),
    ("5 giờ 30", "năm giờ ba mươi phút"),
    ("5 giờ 30 phút", "năm giờ ba mươi phút"),
    ("7h-9h", "bảy giờ đến chín giờ"),
    ("7h30-9h", "bảy giờ ba mươi phút đến chín giờ"),
    ("05:30 - 06:00", "năm giờ ba mươi phút đến sáu giờ"),
    ("7-9h sáng", "bảy đến chín giờ sáng"),
    ("21h15", "hai mươi mốt giờ mười lăm phút"),
    ("trực 24h", "trực hai mươi tư giờ"),
    ("17g30", "mười bảy giờ ba mươi phút"),
    ("06:05:09", "sáu giờ năm phút chín giây"),
]

QUANTITIES = [
    ("85%", "tám mươi lăm phần trăm"),
    ("85,3%", "tám mươi lăm phẩy ba phần trăm"),
    ("100% người dân", "một trăm phần trăm người dân"),
    ("đạt 62 %", "đạt sáu mươi hai phần trăm"),
    ("10-20%", "mười đến hai mươi phần trăm"),
    ("1.250 hộ", "một nghìn hai trăm năm mươi hộ"),
    ("1.000.000 đồng", "một triệu đồng"),
    ("1.000.000đ", "một triệu đồng"),
    ("50.000 VNĐ", "năm mươi nghìn đồng"),
    ("12,5", "mười hai phẩy năm"),
    ("12,05", "mười hai phẩy không năm"),
    ("0,5 km", "không phẩy năm ki-lô-mét"),
    ("3 km", "ba ki-lô-mét"),
    ("5km", "năm ki-lô-mét"),
    ("cao 2 m", "cao hai mét"),
    ("100 m²", "một trăm mét vuông"),
    ("50m2", "năm mươi mét vuông"),
    ("4 kg", "bốn ki-lô-gam"),
    ("35°C", "ba mươi lăm độ xê"),
    ("-5°C", "âm năm độ xê"),
    ("2 ha rừng", "hai héc-ta rừng"),
    ("60 km/h", "sáu mươi ki-lô-mét trên giờ"),
    ("01 bình", "một bình"),
    ("ít nhất 01 người", "ít nhất một người"),
    ("02 lối thoát", "hai lối thoát"),
    ("32/71 hộ", "ba mươi hai trên bảy mươi mốt hộ"),
    ("10/12 thôn", "mười trên mười hai thôn"),
    ("đạt 3/4", "đạt ba trên bốn"),
    ("5-7 ngày", "năm đến bảy ngày"),
    ("5 - 7 ngày", "năm đến bảy ngày"),
    ("1,5-2 m", "một phẩy năm đến hai mét"),
    ("Bước 1: mở ứng dụng", "Bước một: mở ứng dụng"),
    ("các thôn 1,2,3", "các thôn một, hai, ba"),
    ("mục 1.2", "mục một chấm hai"),
    ("năm 2026", "năm hai nghìn không trăm hai mươi sáu"),
    ("2lần", "hai lần"),
    ("3 lần/ngày", "ba lần mỗi ngày"),
    ("100.000 đồng/hộ", "một trăm nghìn đồng mỗi hộ"),
    ("9999999999999999999 là mã", "chín chín chín chín chín chín chín chín chín chín chín chín chín chín chín chín chín chín chín là mã"),
    ("0205", "không hai không năm"),
    ("12.345.678", "mười hai triệu ba trăm bốn mươi lăm nghìn sáu trăm bảy mươi tám"),
]  # fmt: skip

WORDS = [
    ("UBND xã", "Ủy ban nhân dân xã"),
    ("HĐND xã", "Hội đồng nhân dân xã"),
    ("công tác PCCC", "công tác phòng cháy chữa cháy"),
    ("PCCC và CNCH", "phòng cháy chữa cháy và cứu nạn cứu hộ"),
    ("PCCC&CNCH", "phòng cháy chữa cháy và cứu nạn cứu hộ"),
    ("Tổ ANTT", "Tổ an ninh trật tự"),
    ("báo cáo CAX", "báo cáo Công an xã"),
    ("MTTQ xã", "Mặt trận Tổ quốc xã"),
    ("trường THCS", "trường trung học cơ sở"),
    ("trường THPT", "trường trung học phổ thông"),
    ("TT Dịch vụ công ích", "trung tâm Dịch vụ công ích"),
    ("Đ/c Trưởng Công an xã", "đồng chí Trưởng Công an xã"),
    ("đ/c Hùng", "đồng chí Hùng"),
    ("v/v cài đặt", "về việc cài đặt"),
    ("Ủy ban nhân dân (UBND) xã", "Ủy ban nhân dân xã"),
    ("họp tại (UBND)", "họp tại (Ủy ban nhân dân)"),
    ("VP HĐND và UBND xã", "Văn phòng Hội đồng nhân dân và Ủy ban nhân dân xã"),
    ("Phòng PC07", "Phòng pê xê không bảy"),
    ("Công văn số 431/CAT-PC07", "Công văn số bốn trăm ba mươi mốt Công an tỉnh pê xê không bảy"),
    ("Số: 12/KH-UBND", "Số: mười hai ca hát Ủy ban nhân dân"),
    ("Nghị định 136/2020/NĐ-CP", "Nghị định một trăm ba mươi sáu hai không hai không en-nờ đê xê pê"),
    ("Lưu: VT", "Lưu: vê tê"),
    ("định vị GPS", "định vị giê pê ét-xì"),
    ("bấm OK", "bấm o ca"),
    ("khu B", "khu bê"),
    ("Y tế xã", "Y tế xã"),
    ("Ô tô", "Ô tô"),
    ("COVID-19", "Cô-vít mười chín"),
    ("KẾ HOẠCH", "KẾ HOẠCH"),
    ("I. MỤC ĐÍCH, YÊU CẦU", "một. MỤC ĐÍCH, YÊU CẦU"),
    ("IV. PHÂN CÔNG NHIỆM VỤ", "bốn. PHÂN CÔNG NHIỆM VỤ"),
    ("phần II", "phần hai"),
    ("Đại hội XIII", "Đại hội mười ba"),
    ("TM. ỦY BAN NHÂN DÂN", "thay mặt ỦY BAN NHÂN DÂN"),
    ("KT. CHỦ TỊCH", "ký thay CHỦ TỊCH"),
    ("BCH Quân sự", "bê xê hát Quân sự"),
    ("mã QR", "mã qui a"),
    ("SMS", "ét-xì em-mờ ét-xì"),
    ("THÔNG BÁO KHẨN", "THÔNG BÁO KHẨN"),
    ("NGHIÊNG", "NGHIÊNG"),
]

PROTECTED = [
    ("thôn Nà Pàn", "thôn Nà Pàn"),
    ("THÔN NÀ PÀN", "THÔN NÀ PÀN"),
    ("xã Lợi Bác, tỉnh Lạng Sơn", "xã Lợi Bác, tỉnh Lạng Sơn"),
    ("cụm loa Khu 3", "cụm loa Khu 3"),
    ("Khu 3 có 5 hộ", "Khu 3 có năm hộ"),
    ("nà pàn", "nà pàn"),
]

SYMBOLS = [
    ("thôn & bản", "thôn và bản"),
    ("thôn, bản... nhằm", "thôn, bản, nhằm"),
    ("Xin cảm ơn…", "Xin cảm ơn."),
    ("v.v... Người dân", "vân vân. Người dân"),
    ("- Treo băng rôn", "Treo băng rôn"),
    ("+ Phát tờ rơi", "Phát tờ rơi"),
    ("• Kiểm tra bếp", "Kiểm tra bếp"),
    ("Phòng Văn hóa – Xã hội", "Phòng Văn hóa, Xã hội"),
    ("cháy - nổ", "cháy, nổ"),
    ("thôn/bản", "thôn hoặc bản"),
    ("ngày/tháng", "ngày hoặc tháng"),
    ("~30 phút", "khoảng ba mươi phút"),
    ("a = b", "a bằng b"),
    ("email: xa@gmail", "email: xa a còng gmail"),
    ("thực hiện./.", "thực hiện."),
    ("Chú ý!!", "Chú ý!!"),
    ("cài  đặt ,  sử dụng", "cài đặt, sử dụng"),
    ("ký-lô", "ký-lô"),
    ("*Lưu ý*", "Lưu ý"),
]

PAUSES = [
    ("Chú ý [ngừng] Cháy!", "Chú ý [ngừng] Cháy!"),
    ("[ngừng 2 giây]", "[ngừng 2 giây]"),
    ("[ngưng 2s]", "[ngừng 2 giây]"),
    ("[Ngừng 1.5 giây]", "[ngừng 1,5 giây]"),
    ("[ngừng 1,50 giây]", "[ngừng 1,5 giây]"),
    ("[ dừng ]", "[ngừng]"),
    ("Gọi 114 [ngừng 3 giây] Gọi 114", "Gọi một một bốn [ngừng 3 giây] Gọi một một bốn"),
]

MIXED = [
    (
        "Đến 17h ngày 31/3/2026, toàn xã đạt 85,3% (1.250/1.466 hộ).",
        "Đến mười bảy giờ ngày ba mươi mốt tháng ba năm hai nghìn không trăm hai mươi sáu, toàn xã đạt tám"
        " mươi lăm phẩy ba phần trăm (một nghìn hai trăm năm mươi trên một nghìn bốn trăm sáu mươi sáu hộ).",
    ),
    (
        "Khi có cháy, gọi ngay 114 hoặc báo qua ứng dụng “Báo cháy 114”.",
        "Khi có cháy, gọi ngay một một bốn hoặc báo qua ứng dụng “Báo cháy một một bốn”.",
    ),
    (
        "Thôn Nà Pàn có 114 hộ, đã cài đặt 57 hộ, đạt 50%.",
        "Thôn Nà Pàn có một trăm mười bốn hộ, đã cài đặt năm mươi bảy hộ, đạt năm mươi phần trăm.",
    ),
    (
        "UBND xã Lợi Bác thông báo: thứ 4, ngày 11/2, từ 7h30-9h tại nhà văn hóa thôn.",
        "Ủy ban nhân dân xã Lợi Bác thông báo: thứ tư, ngày mười một tháng hai, từ bảy giờ ba mươi phút đến"
        " chín giờ tại nhà văn hóa thôn.",
    ),
    (
        "Mỗi hộ trang bị ít nhất 01 bình chữa cháy 4 kg; liên hệ Đ/c Hùng (0912 345 678).",
        "Mỗi hộ trang bị ít nhất một bình chữa cháy bốn ki-lô-gam; liên hệ đồng chí Hùng (không chín một"
        " hai, ba bốn năm, sáu bảy tám).",
    ),
    (
        "Chương trình phát lúc 05:30 và 17:00 hằng ngày, 5-7 phút mỗi bản tin.",
        "Chương trình phát lúc năm giờ ba mươi phút và mười bảy giờ hằng ngày, năm đến bảy phút mỗi bản tin.",
    ),
    (
        "Năm 2025 xảy ra 24 vụ cháy, thiệt hại 1,2 tỷ đồng.",
        "Năm hai nghìn không trăm hai mươi lăm xảy ra hai mươi tư vụ cháy, thiệt hại một phẩy hai tỷ đồng.",
    ),
    (
        "- Công an xã: tổ chức kiểm tra PCCC tại 21 cơ sở trước 15/4.",
        "Công an xã: tổ chức kiểm tra phòng cháy chữa cháy tại hai mươi mốt cơ sở trước mười lăm tháng tư.",
    ),
]

ALL = HOTLINES + PHONES + DATES + TIMES + QUANTITIES + WORDS + PROTECTED + SYMBOLS + PAUSES + MIXED


@pytest.mark.parametrize(("written", "spoken"), ALL)
def test_north(written: str, spoken: str) -> None:
    assert normalize(written, NORTH) == spoken


SOUTH_CASES = [
    ("ngày 24/12/2024", "ngày hai mươi bốn tháng mười hai năm hai ngàn không trăm hai mươi bốn"),
    ("105 hộ", "một trăm lẻ năm hộ"),
    ("1.005 người", "một ngàn không trăm lẻ năm người"),
    ("trực 24h", "trực hai mươi bốn giờ"),
    ("thứ 4", "thứ tư"),
    ("tháng 4", "tháng tư"),
    ("Gọi 114", "Gọi một một bốn"),
    ("114 hộ", "một trăm mười bốn hộ"),
    ("25%", "hai mươi lăm phần trăm"),
    ("34,5 kg", "ba mươi bốn phẩy năm ki-lô-gam"),
    ("1.000.000đ", "một triệu đồng"),
    ("xã Lợi Bác có 2.104 hộ", "xã Lợi Bác có hai ngàn một trăm lẻ bốn hộ"),
    ("1.250 hộ", "một ngàn hai trăm năm mươi hộ"),
    ("17h30", "mười bảy giờ ba mươi phút"),
    ("44 người", "bốn mươi bốn người"),
    ("21 thôn", "hai mươi mốt thôn"),
    ("UBND xã", "Ủy ban nhân dân xã"),
    ("0912 345 678", "không chín một hai, ba bốn năm, sáu bảy tám"),
    ("5-7 ngày", "năm đến bảy ngày"),
    ("85,4%", "tám mươi lăm phẩy bốn phần trăm"),
    ("năm 2004", "năm hai ngàn không trăm lẻ bốn"),
    ("10.000 người", "mười ngàn người"),
]


@pytest.mark.parametrize(("written", "spoken"), SOUTH_CASES)
def test_south(written: str, spoken: str) -> None:
    assert normalize(written, SOUTH) == spoken


def test_the_table_is_large_enough() -> None:
    assert len(ALL) + len(SOUTH_CASES) >= 200


def test_decomposed_input_is_composed_first() -> None:
    import unicodedata

    nfd = unicodedata.normalize("NFD", "Gọi 114 ở thôn Nà Pàn, tháng 4")
    out = normalize(nfd, NORTH)
    assert out == "Gọi một một bốn ở thôn Nà Pàn, tháng tư"
    assert unicodedata.is_normalized("NFC", out)


def test_config_glossary_overrides_and_extends_the_defaults() -> None:
    settings = make_settings(glossary={"TT": "thị trấn", "TCT": "tổ công tác"})
    assert (
        normalize("TT Na Sầm, TCT thôn, UBND xã", settings)
        == "thị trấn Na Sầm, tổ công tác thôn, Ủy ban nhân dân xã"
    )


def test_config_hotlines_extend_the_defaults() -> None:
    settings = make_settings(hotlines=["1080"])
    assert normalize("gọi 1080 hoặc 114", settings) == "gọi một không tám không hoặc một một bốn"


def test_a_protected_name_in_capitals_is_never_spelled() -> None:
    settings = make_settings(protected_names=["Khòn Phổ"])
    assert normalize("THÔN KHÒN PHỔ", settings) == "THÔN KHÒN PHỔ"
