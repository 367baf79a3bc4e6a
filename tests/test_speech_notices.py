"""The words fire-safety notices are full of: units and ratings, money, fractions, headings, ranges,
informal times, postal and web addresses, and the loanwords of the app campaign.

Each case is what a clerk writes → what a listener should hear from a northern announcer; the south
table lists only what the southern dialect says differently.
"""

from __future__ import annotations

import pytest

from loa114.content.speech import explain, make_settings, normalize

NORTH = make_settings(protected_names=["Lợi Bác", "Nà Pàn"])
SOUTH = make_settings(dialect="south", protected_names=["Lợi Bác", "Nà Pàn"])

UNITS = [
    ("ổ cắm 220V", "ổ cắm hai trăm hai mươi vôn"),
    ("điện áp 220 V", "điện áp hai trăm hai mươi vôn"),
    ("aptomat 16A", "aptomat mười sáu ampe"),
    ("lớp 6A", "lớp sáu a"),
    ("số nhà 12A", "số nhà mười hai a"),
    ("bếp từ 2kW", "bếp từ hai ki-lô-oát"),
    ("máy sưởi 1kw", "máy sưởi một ki-lô-oát"),
    ("tiêu thụ 3 kWh", "tiêu thụ ba ki-lô-oát giờ"),
    ("nhiệt độ 25°c", "nhiệt độ hai mươi lăm độ xê"),
    ("lưới điện 50hz", "lưới điện năm mươi héc"),
    ("thẻ nhớ 2gb", "thẻ nhớ hai gi-ga-bai"),
    ("viên 500mg", "viên năm trăm mi-li-gam"),
    ("gió 50m/s", "gió năm mươi mét trên giây"),
    ("rộng 3 km2", "rộng ba ki-lô-mét vuông"),
    ("bể 5 m3 nước", "bể năm mét khối nước"),
    ("can 20l xăng", "can hai mươi lít xăng"),
    ("chai 250ml", "chai hai trăm năm mươi mi-li-lít"),
    ("dài 40.1cm", "dài bốn mươi phẩy một xăng-ti-mét"),
    ("sạc 5000mAh", "sạc năm nghìn mi-li-ampe giờ"),
    ("cách 50m", "cách năm mươi mét"),
    ("chờ 5p", "chờ năm phút"),
    ("5g muối", "năm gam muối"),
]

MONEY = [
    ("giá 10$", "giá mười đô la"),
    ("giá $50", "giá năm mươi đô la"),
    ("giá 10 usd", "giá mười đô la Mỹ"),
    ("1.234.567₫", "một triệu hai trăm ba mươi tư nghìn năm trăm sáu mươi bảy đồng"),
    ("phí 10k", "phí mười nghìn"),
    ("hỗ trợ 1tr2", "hỗ trợ một triệu hai"),
    ("thiệt hại 2,5 tỷ đồng", "thiệt hại hai phẩy năm tỷ đồng"),
    ("khoảng 1.5 triệu", "khoảng một phẩy năm triệu"),
    ("phạt 1.250 triệu", "phạt một nghìn hai trăm năm mươi triệu"),
    ("1,234,567 đồng", "một triệu hai trăm ba mươi tư nghìn năm trăm sáu mươi bảy đồng"),
]

FRACTIONS_AND_DATES = [
    ("1/2 số hộ chưa cài", "một phần hai số hộ chưa cài"),
    ("gần 2/3 dân số", "gần hai phần ba dân số"),
    ("1/4 diện tích", "một phần tư diện tích"),
    ("ống dài 3/4m", "ống dài ba phần tư mét"),
    ("cao 23 1/5 mét", "cao hai mươi ba và một phần năm mét"),
    ("32/71 hộ", "ba mươi hai trên bảy mươi mốt hộ"),
    ("ngày 1/2", "ngày một tháng hai"),
    ("từ 1/2 số hộ", "từ một tháng hai số hộ"),
    ("họp 20/4", "họp ngày hai mươi tháng tư"),
    ("đêm 29-12", "đêm hai mươi chín tháng mười hai"),
    ("ngày 5-7 hằng tháng", "ngày năm đến bảy hằng tháng"),
    ("từ 02/2023 - 11/2024", "từ tháng hai năm hai nghìn không trăm hai mươi ba đến tháng mười một năm hai nghìn không trăm hai mươi tư"),
    ("từ 01-06/2026", "từ tháng một đến tháng sáu năm hai nghìn không trăm hai mươi sáu"),
    ("24 - 7 - 2002", "hai mươi tư tháng bảy năm hai nghìn không trăm linh hai"),
]  # fmt: skip

HEADINGS = [
    ("thế kỉ XXI", "thế kỉ hai mươi mốt"),
    ("thế kỷ XX", "thế kỷ hai mươi"),
    ("phụ lục IV", "phụ lục bốn"),
    ("đoạn IX", "đoạn chín"),
    ("mục III", "mục ba"),
    ("chương XL", "chương bốn mươi"),
    ("khóa MCMXCIX", "khóa một nghìn chín trăm chín mươi chín"),
    ("lần thứ IV", "lần thứ tư"),
    ("lần thứ I", "lần thứ nhất"),
    ("mục C", "mục xê"),
    ("C. KẾT LUẬN", "xê. KẾT LUẬN"),
]

RANGES = [
    ("bình 3-5kg", "bình ba đến năm ki-lô-gam"),
    ("giá 10$-20$", "giá mười đến hai mươi đô la"),
    ("đạt 50%-70%", "đạt năm mươi đến bảy mươi phần trăm"),
    ("cao 2 m - 3 m", "cao hai đến ba mét"),
    ("đội hình 4-2-3-1", "đội hình bốn hai ba một"),
    ("tỉ số 2-1", "tỉ số hai một"),
    ("giải U15", "giải U mười lăm"),
]

TIMES_AND_PLACES = [
    ("lúc 7h15p", "lúc bảy giờ mười lăm phút"),
    ("9h2m2s", "chín giờ hai phút hai giây"),
    ("21g26p", "hai mươi mốt giờ hai mươi sáu phút"),
    ("lúc 24g", "lúc hai mươi tư giờ"),
    ("9h2p - 9h5p", "chín giờ hai phút đến chín giờ năm phút"),
    ("trực T7, CN", "trực thứ bảy, chủ nhật"),
    ("T2-T6", "thứ hai đến thứ sáu"),
    ("TP. Lạng Sơn", "thành phố Lạng Sơn"),
    ("tp.HCM", "thành phố Hồ Chí Minh"),
    ("Q.1, P. Bến Nghé", "quận một, phường Bến Nghé"),
    ("Tại H. Cao Lộc", "Tại huyện Cao Lộc"),
    ("x. Lợi Bác, h. Lộc Bình, t. Lạng Sơn", "xã Lợi Bác, huyện Lộc Bình, tỉnh Lạng Sơn"),
    ("đồng chí Nguyễn Q. Hùng", "đồng chí Nguyễn quy. Hùng"),
    ("SĐT: 0912345678", "số điện thoại: không chín một hai, ba bốn năm, sáu bảy tám"),
    ("ĐT 0205 3812 345", "điện thoại không hai không năm, ba tám một hai, ba bốn năm"),
    ("0 24 24 24 24", "không, hai bốn, hai bốn, hai bốn, hai bốn"),
    ("mã bưu chính 240000", "mã bưu chính hai bốn không không không không"),
]

ADDRESSES = [
    ("congan.loibac@gmail.com", "congan chấm loibac a còng gmail chấm com"),
    (
        "https://baochay114.bocongan.gov.vn",
        "hát tê tê pê ét hai chấm gạch chéo gạch chéo baochay một một bốn chấm bocongan chấm gờ o vê chấm vi en",
    ),
    ("Xem tại baochay114.bocongan.gov.vn.", "Xem tại baochay một một bốn chấm bocongan chấm gờ o vê chấm vi en."),
    ("www.loibac.gov.vn/tin-tuc", "vê kép vê kép vê kép chấm loibac chấm gờ o vê chấm vi en gạch chéo tin gạch ngang tuc"),
    ("Gửi: UBND.LoiBac@langson.gov.vn", "Gửi: ubnd chấm loibac a còng langson chấm gờ o vê chấm vi en"),
    ("https://zalo.me/114", "hát tê tê pê ét hai chấm gạch chéo gạch chéo da lô chấm me gạch chéo một một bốn"),
]  # fmt: skip

LOANWORDS = [
    ("Tải Zalo", "Tải da lô"),
    ("trên iPhone", "trên ai phôn"),
    ("IPHONE", "ai phôn"),
    ("vào CH Play", "vào xê hát plây"),
    ("vào App Store", "vào áp xờ to"),
    ("quét mã QR", "quét mã qui a"),
    ("bật Wi-Fi hoặc 4G", "bật oai phai hoặc bốn gờ"),
    ("Zalo123", "da lô một trăm hai mươi ba"),
    ("ZaloPay", "ZaloPay"),
]

ALL = UNITS + MONEY + FRACTIONS_AND_DATES + HEADINGS + RANGES + TIMES_AND_PLACES + ADDRESSES + LOANWORDS


@pytest.mark.parametrize(("written", "spoken"), ALL)
def test_north(written: str, spoken: str) -> None:
    assert normalize(written, NORTH) == spoken


SOUTH_CASES = [
    ("nhiệt độ 24°C", "nhiệt độ hai mươi bốn độ xê"),
    ("1.005₫", "một ngàn không trăm lẻ năm đồng"),
    ("1/4 số hộ", "một phần tư số hộ"),
    ("phụ lục XIV", "phụ lục mười bốn"),
    ("lần thứ IV", "lần thứ tư"),
    ("2,4 kWh", "hai phẩy bốn ki-lô-oát giờ"),
    ("hỗ trợ 1tr4", "hỗ trợ một triệu bốn"),
    ("từ 21h-24h", "từ hai mươi mốt giờ đến hai mươi bốn giờ"),
    ("Tải Zalo", "Tải da lô"),
]


@pytest.mark.parametrize(("written", "spoken"), SOUTH_CASES)
def test_south(written: str, spoken: str) -> None:
    assert normalize(written, SOUTH) == spoken


@pytest.mark.parametrize(
    ("written", "token", "rule"),
    [
        ("ổ cắm 220V", "220V", "unit"),
        ("giá 10$", "10$", "currency"),
        ("1/2 số hộ", "1/2", "fraction"),
        ("phụ lục IV", "IV", "roman"),
        ("3-5kg", "3-5kg", "range"),
        ("lúc 7h15p", "7h15p", "time"),
        ("T7", "T7", "weekday"),
        ("TP. Lạng Sơn", "TP. ", "place"),
        ("congan.loibac@gmail.com", "congan.loibac@gmail.com", "email"),
        ("https://bocongan.gov.vn", "https://bocongan.gov.vn", "url"),
        ("Tải Zalo", "Zalo", "pronunciation"),
        ("đội hình 4-2-3-1", "4-2-3-1", "sequence"),
    ],
)
def test_explain_names_the_rule(written: str, token: str, rule: str) -> None:
    found = {r.original: r.rule for r in explain(written, NORTH)}
    assert found.get(token) == rule, found


def test_pronunciations_are_overridable_by_settings_and_by_the_glossary() -> None:
    custom = make_settings(pronunciations={"zalo": "da lồ", "VNeID": "vê nờ e ai đi"})
    assert normalize("Tải Zalo và VNeID", custom) == "Tải da lồ và vê nờ e ai đi"
    by_glossary = make_settings(glossary={"Zalo": "Da-lô"})
    assert normalize("Tải Zalo", by_glossary) == "Tải Da-lô"
    assert normalize("Tải Zalo", make_settings()) == "Tải da lô"


def test_a_blank_pronunciation_names_its_field() -> None:
    from loa114.content.speech import SpeechError

    with pytest.raises(SpeechError) as info:
        make_settings(pronunciations={"Zalo": "  "})
    assert info.value.field == "pronunciations"
