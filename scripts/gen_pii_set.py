#!/usr/bin/env python3
"""Writes tests/fixtures/pii-labelled.jsonl: snippets in the style of Vietnamese consumer
complaints, each with the exact substrings that are personal data (and of which kind), for
measuring redaction (src/routing/pii_eval.rs). Templates are hand-written; the fillers vary
names, streets, numbers and formats. Seeded: the file is reproducible.

    python3 scripts/gen_pii_set.py > tests/fixtures/pii-labelled.jsonl
"""
import json, random

random.seed(20261128)
FAM = ["Nguyễn", "Trần", "Lê", "Phạm", "Hoàng", "Huỳnh", "Phan", "Vũ", "Võ", "Đặng", "Bùi", "Đỗ", "Hồ", "Ngô", "Dương", "Lý", "Đinh", "Trịnh", "Mai", "Cao"]
MID = ["Văn", "Thị", "Minh", "Quốc", "Thu", "Ngọc", "Đức", "Thanh", "Hữu", "Kim", "Bảo"]
GIV = ["An", "Bình", "Cường", "Dung", "Hà", "Hùng", "Lan", "Linh", "Nam", "Phương", "Quân", "Tâm", "Thảo", "Trang", "Tuấn", "Vy", "Yến", "Hải", "Long", "Mai"]
STREETS = ["Lê Lợi", "Trần Phú", "Nguyễn Trãi", "Hai Bà Trưng", "Lý Thường Kiệt", "Điện Biên Phủ", "Quang Trung", "Phan Đình Phùng", "Bạch Đằng", "Hùng Vương"]
HON = ["anh", "chị", "ông", "bà", "em", "cô", "chú"]
SHOPS = ["Điện máy Xanh", "Công ty TNHH Ánh Dương", "Shopee", "cửa hàng Minh Phát", "siêu thị Co.opmart", "Thế Giới Di Động", "Lazada", "Công ty CP Thực phẩm Sao Mai", "nhà thuốc An Khang", "Tiki"]

def full():
    return f"{random.choice(FAM)} {random.choice(MID)} {random.choice(GIV)}"
def given():
    return random.choice(GIV)
def mobile():
    d = random.choice(["090", "091", "098", "097", "086", "035", "070", "081"]) + "".join(random.choice("0123456789") for _ in range(7))
    return random.choice([d, f"{d[:4]} {d[4:7]} {d[7:]}", f"{d[:4]}.{d[4:7]}.{d[7:]}", f"+84 {d[1:3]} {d[3:6]} {d[6:]}"])
def landline():
    area = random.choice(["024", "028", "0236", "0225", "0292"])
    rest = "".join(random.choice("0123456789") for _ in range(11 - len(area)))
    return random.choice([f"{area} {rest[:4]} {rest[4:]}", f"({area}) {rest[:4]} {rest[4:]}", f"{area}.{rest[:4]}.{rest[4:]}", area + rest])
def cccd():
    return "0" + "".join(random.choice("0123456789") for _ in range(11))
def card():
    while True:
        d = random.choice(["4", "5", "9704"]) + "".join(random.choice("0123456789") for _ in range(15 if random.random() < .5 else 12))
        d = d[:16]
        s = sum((int(c) * (2 if i % 2 else 1) - (9 if int(c) * (2 if i % 2 else 1) > 9 else 0)) for i, c in enumerate(reversed(d)))
        if s % 10 == 0:
            return random.choice([d, " ".join(d[i:i+4] for i in range(0, 16, 4)), "-".join(d[i:i+4] for i in range(0, 16, 4))])
def plate():
    return random.choice([f"{random.randint(11,99)}{random.choice('ABCDEFGHK')}-{random.randint(100,999)}.{random.randint(10,99)}",
                          f"{random.randint(11,99)}{random.choice('ABCDEFGHK')}-{random.randint(10000,99999)}",
                          f"{random.randint(11,99)}{random.choice('ABCDEFGHK')}{random.randint(1,9)}-{random.randint(100,999)}.{random.randint(10,99)}"])
def passport():
    return random.choice("BCN") + "".join(random.choice("0123456789") for _ in range(7))
def email(name):
    return random.choice(["nguyenvan", "tranthi", "le.minh", "hoa.pham", "tuan88", "lan.hoang"]) + str(random.randint(1, 99)) + "@" + random.choice(["gmail.com", "yahoo.com.vn", "example.vn"])
def money():
    return random.choice(["1.250.000 đồng", "450.000đ", "2 triệu", "12.500.000 đồng", "890.000 VNĐ", "3,5 triệu"])
def date():
    return f"{random.randint(1,28):02d}/{random.randint(1,12):02d}/2026"
def order():
    return random.choice(["DH", "SPX", "VN", "GHN"]) + "".join(random.choice("0123456789") for _ in range(random.randint(8, 12)))

out = []
def add(text, pii):
    for _, v in pii:
        assert v in text, (v, text)
    out.append({"text": text, "pii": [{"kind": k, "value": v} for k, v in pii]})

for _ in range(24):  # names after honorifics or introductions, and full names
    n, g, h = full(), given(), random.choice(HON)
    t = random.choice([
        (f"Tôi tên là {n}, mua hàng tại {random.choice(SHOPS)} ngày {date()}.", [("name", n)]),
        (f"Nhân viên bán hàng là {h} {g} đã hứa đổi trả nhưng không làm.", [("name", g)]),
        (f"Họ tên: {n}. Đề nghị hoàn tiền {money()}.", [("name", n)]),
        (f"Mẹ tôi là bà {n} 72 tuổi bị ép mua máy lọc nước.", [("name", n)]),
        (f"Tôi đã gọi cho {h} {g} quản lý cửa hàng nhưng không ai nghe.", [("name", g)]),
        (f"Người nhận hàng {n} không nhận được đủ số lượng.", [("name", n)]),
    ])
    add(*t)
for _ in range(22):  # street addresses
    s, no = random.choice(STREETS), random.choice([str(random.randint(1, 300)), f"{random.randint(1,200)}/{random.randint(1,30)}", f"{random.randint(1,99)}A"])
    t = random.choice([
        (f"Giao hàng đến {no} {s}, phường 3 nhưng bị thất lạc.", [("address", f"{no} {s}")]),
        (f"Tôi ở số {no} đường {s}, mua tủ lạnh ngày {date()}.", [("address", f"số {no} đường {s}")]),
        (f"Địa chỉ nhận: {no} {s} - giao sai sản phẩm.", [("address", f"{no} {s}")]),
        (f"Nhà tôi tại ngõ {random.randint(2,99)} phố {s}, hàng bị giao chậm 10 ngày.", [("address", None)]),
    ])
    if t[1][0][1] is None:
        m = t[0].split("tại ")[1].split(",")[0]
        t = (t[0], [("address", m)])
    add(*t)
for _ in range(20):  # birth dates and years
    y = str(random.randint(1940, 2005))
    t = random.choice([
        (f"Tôi sinh năm {y}, là người cao tuổi nên bị dụ mua thực phẩm chức năng.", [("birth_date", y)]),
        (f"Ông ngoại tôi sinh ngày {random.randint(1,28)}/{random.randint(1,12)}/{y} bị lừa mua nệm.", None),
        (f"Ngày sinh {random.randint(10,28)}-0{random.randint(1,9)}-{y}, CCCD đã cung cấp cho cửa hàng.", None),
        (f"Khách hàng SN {y} đề nghị được hoàn tiền.", [("birth_date", y)]),
    ])
    if t[1] is None:
        import re
        m = re.search(r"\d{1,2}[/-]\d{1,2}[/-]\d{4}", t[0]).group(0)
        t = (t[0], [("birth_date", m)])
    add(*t)
for _ in range(20):  # passports
    p = passport()
    add(random.choice([f"Tôi là người nước ngoài, hộ chiếu số {p}, bị tính giá gấp đôi.",
                       f"Đặt tour bằng passport {p} nhưng công ty hủy không báo.",
                       f"Khách sạn giữ hộ chiếu {p} của tôi và không trả."]), [("passport", p)])
for _ in range(20):  # landlines
    l = landline()
    add(random.choice([f"Tôi gọi số bàn {l} của cửa hàng nhiều lần không ai nghe.",
                       f"Liên hệ điện thoại {l} (giờ hành chính).",
                       f"Số máy bàn nhà tôi là {l}, mong cán bộ gọi lại."]), [("phone", l)])
for _ in range(22):  # mobiles
    m = mobile()
    add(random.choice([f"SĐT của tôi: {m}, xin gọi lại sau 17h.",
                       f"Shipper gọi từ số {m} đòi thêm phí 50.000đ.",
                       f"Zalo {m} là của người bán, nay đã chặn tôi."]), [("phone", m)])
for _ in range(20):  # plates
    p = plate()
    add(random.choice([f"Xe máy biển số {p} bị gara thay đồ cũ.",
                       f"Xe ô tô {p} của tôi bảo dưỡng xong lại hỏng phanh.",
                       f"Tài xế lái xe {p} thu tiền cước sai."]), [("plate", p)])
for _ in range(20):  # cards
    c = card()
    add(random.choice([f"Tôi thanh toán bằng thẻ {c} và bị trừ tiền hai lần.",
                       f"Số thẻ tín dụng {c} bị trừ {money()} không rõ lý do.",
                       f"Trang web đã lấy thông tin thẻ {c} của tôi."]), [("card", c)])
for _ in range(20):  # bank accounts
    a = "".join(random.choice("0123456789") for _ in range(random.choice([10, 12, 13])))
    add(random.choice([f"Tôi đã chuyển khoản vào STK {a} nhưng không nhận hàng.",
                       f"Hoàn tiền giúp tôi vào số tài khoản {a} ngân hàng Vietcombank.",
                       f"Người bán đưa số tài khoản {a} Techcombank rồi chặn liên lạc."]), [("bank_account", a)])
for _ in range(20):  # e-mails and national ids
    e, i = email(""), cccd()
    add(*random.choice([(f"Liên hệ tôi qua {e} nếu cần thêm chứng từ.", [("email", e)]),
                        (f"CCCD {i} của tôi bị cửa hàng giữ lại.", [("national_id", i)]),
                        (f"Căn cước công dân số {i}, thư điện tử {e}.", [("national_id", i), ("email", e)])]))
negatives = [
    lambda: f"Tôi mua điện thoại tại {random.choice(SHOPS)} giá {money()}, dùng 3 ngày thì hỏng.",
    lambda: f"Mã đơn hàng {order()} giao ngày {date()} bị thiếu 2 sản phẩm.",
    lambda: f"Công ty vi phạm Điều {random.randint(5,70)} Luật Bảo vệ quyền lợi người tiêu dùng số 19/2023/QH15.",
    lambda: f"Doanh nghiệp có MST {random.choice(['0312345678', '0101234567', '0312345678-001'])} không xuất hóa đơn.",
    lambda: f"Sở Công Thương đã hướng dẫn tôi gửi phản ánh đến Chi cục Quản lý thị trường.",
    lambda: f"Sản phẩm Samsung Galaxy A{random.randint(10,70)} bị lỗi màn hình sau {random.randint(2,20)} ngày.",
    lambda: f"Cửa hàng trên đường {random.choice(STREETS)} bán hàng giả nhãn hiệu nổi tiếng.",
    lambda: f"Hôm nay là {date()}, tôi đã chờ {random.randint(7,30)} ngày làm việc mà chưa được trả lời.",
    lambda: f"Giá niêm yết {money()} nhưng thu {money()}, chênh lệch quá nhiều.",
    lambda: f"Tôi đặt {random.randint(2,12)} hộp sữa Vinamilk trên Tiki, nhận được hàng hết hạn.",
    lambda: f"Thành phố Hồ Chí Minh có nhiều cửa hàng bán thực phẩm chức năng không rõ nguồn gốc.",
    lambda: f"Khuyến mãi giảm {random.randint(10,70)}% nhưng khi thanh toán không được áp dụng.",
    lambda: f"Gói cước 4G {random.randint(50,300)}.000đ/tháng bị tự động gia hạn.",
    lambda: f"Bệnh viện Đa khoa tỉnh thu phí dịch vụ không đúng niêm yết.",
    lambda: f"Tôi đã gửi phản ánh lần {random.randint(2,4)} vào ngày {date()} nhưng chưa có kết quả.",
]
for i in range(60):
    add(negatives[i % len(negatives)](), [])
random.shuffle(out)
for o in out:
    print(json.dumps(o, ensure_ascii=False))
