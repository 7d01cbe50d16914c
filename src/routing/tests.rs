#![allow(clippy::unwrap_used, clippy::expect_used)]

use super::*;
use crate::text::{detect_pii, normalize, redact, PiiMatch};

fn config_dir() -> std::path::PathBuf {
    std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("config")
}

fn router() -> Router {
    let dir = config_dir();
    Router::load(&dir.join("taxonomy.toml"), &dir.join("routing.toml")).unwrap()
}

fn fixture(name: &str) -> String {
    let p = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests")
        .join("fixtures")
        .join(name);
    std::fs::read_to_string(p).unwrap()
}

fn dev_set() -> String {
    fixture("complaints-dev.jsonl")
}

/// Lines of the dev set whose numeric id has the given parity (1 = odd, 0 = even).
fn half(jsonl: &str, parity: u32) -> String {
    jsonl
        .lines()
        .filter(|l| {
            let v: serde_json::Value = serde_json::from_str(l).unwrap();
            let id = v["id"].as_str().unwrap();
            let n: u32 = id.rsplit('-').next().unwrap().parse().unwrap();
            n % 2 == parity
        })
        .collect::<Vec<_>>()
        .join("\n")
}

fn kinds(pii: &[PiiMatch]) -> Vec<&'static str> {
    pii.iter().map(|m| m.kind).collect()
}

// ---------------------------------------------------------------- normalisation

#[test]
fn normalize_strips_diacritics_and_d_bar() {
    assert_eq!(normalize("Hàng GIẢ, đồng hồ!"), "hang gia dong ho");
    assert_eq!(normalize("Đà Nẵng"), "da nang");
    assert_eq!(normalize("  nhiều   khoảng\ttrắng\n"), "nhieu khoang trang");
    assert_eq!(normalize("1.250.000đ"), "1 250 000d");
    assert_eq!(normalize("ĐT: 0903"), "dt 0903");
}

#[test]
fn teencode_is_expanded_token_wise() {
    let r = router();
    assert_eq!(
        r.matching_form("shop ko cho đc đổi sp"),
        "cua hang khong cho duoc doi san pham"
    );
    assert_eq!(r.matching_form("e da ck cho shop"), "em da chuyen khoan cho cua hang");
    // units after numbers are not teencode
    assert_eq!(r.matching_form("mua 25 kg gao"), "mua 25 kg gao");
    // abbreviations only match whole tokens
    assert_eq!(r.matching_form("kho"), "kho");
}

#[test]
fn phrases_match_on_token_boundaries_only() {
    let n = Normalizer::default();
    let mut lex = lexicon::Lexicon::default();
    lex.add(&n, "ga", Some(0), 1.0);
    lex.add(&n, "hàng giả", Some(1), 1.0);
    lex.add(&n, "giá", Some(2), 1.0);
    let toks = n.token_seq("mua binh gas o cua hang");
    assert!(lex.scan(&toks).is_empty(), "'ga' must not match inside 'gas'");
    let toks = n.token_seq("Nghi là hàng giả");
    let hits = lex.scan(&toks);
    assert_eq!(hits.len(), 1, "the longer phrase suppresses 'giá'");
    assert_eq!(hits[0].label, 1);
    let toks = n.token_seq("taxi từ ga Đà Nẵng");
    assert_eq!(lex.scan(&toks).len(), 1);
}

#[test]
fn expansions_are_atomic() {
    let mut abbr = std::collections::HashMap::new();
    abbr.insert("shop".to_string(), "cửa hàng".to_string());
    let n = Normalizer::new(&abbr, &[]);
    let mut lex = lexicon::Lexicon::default();
    lex.add(&n, "hàng cấm", Some(0), 1.0);
    lex.add(&n, "cửa hàng", Some(1), 1.0);
    let hits = lex.scan(&n.token_seq("shop cam ket hang chinh hang"));
    assert_eq!(hits.len(), 1);
    assert_eq!(hits[0].label, 1);
    assert_eq!(lex.scan(&n.token_seq("ban hang cam")).len(), 1);
}

#[test]
fn wildcard_matches_one_token() {
    let n = Normalizer::default();
    let mut lex = lexicon::Lexicon::default();
    lex.add(&n, "anh * hỏi", Some(0), 1.0);
    assert_eq!(lex.scan(&n.token_seq("Anh K. hỏi về bảo hành")).len(), 1);
    assert!(lex.scan(&n.token_seq("anh hỏi")).is_empty());
}

// ---------------------------------------------------------------- PII

#[test]
fn pii_phones() {
    for t in [
        "sdt 0903 111 222 nhé",
        "gọi 0912.345.678",
        "ĐT: 0988000222",
        "số +84 903 111 222",
        "máy bàn 0236 3812 345",
    ] {
        assert_eq!(kinds(&detect_pii(t)), vec!["phone"], "{t}");
    }
}

#[test]
fn pii_national_id_and_negatives() {
    assert_eq!(kinds(&detect_pii("CCCD của anh: 079088001234.")), vec!["national_id"]);
    assert_eq!(kinds(&detect_pii("số CMND 123456789")), vec!["national_id"]);
    for t in [
        "giá 1.250.000đ",
        "giá 1.250.000.000 đồng",
        "tổng 23 500 000 đồng",
        "ngày 14/10/2025 và 14.10.2025",
        "mã số thuế 0312345678",
        "MST 0312345678-001",
        "doanh nghiệp mã số 0101234567890",
        "mua 2 lần, 3 hộp, 450k",
        "hotline 1900 1234",
    ] {
        assert!(detect_pii(t).is_empty(), "{t}: {:?}", detect_pii(t));
    }
}

#[test]
fn pii_email_bank_address() {
    let t = "Email: lan.ng.test@example.com.";
    let m = detect_pii(t);
    assert_eq!(kinds(&m), vec!["email"]);
    assert_eq!(&t[m[0].start..m[0].end], "lan.ng.test@example.com");
    assert_eq!(
        kinds(&detect_pii("tài khoản số 1023 4567 8900 của tôi")),
        vec!["bank_account"]
    );
    assert_eq!(
        kinds(&detect_pii("stk 19034567890123 techcombank")),
        vec!["bank_account"]
    );
    assert_eq!(
        kinds(&detect_pii("Nhà ở số 7 hẻm 12 đường Nguyễn Trãi, phường Sóc Trăng")),
        vec!["address"]
    );
    assert_eq!(
        kinds(&detect_pii("giao tới 123 Đường Lê Lợi, Quy Nhơn")),
        vec!["address"]
    );
    assert_eq!(kinds(&detect_pii("dia chi: so 15 ngo 42 Tran Cung")), vec!["address"]);
    for t in [
        "cửa hàng trên đường Lê Duẩn, phường Thành Vinh",
        "cây xăng trên quốc lộ 1, xã Hàm Tân",
        "ở phường 12, quận 3",
        "mua 2 đường ống nước",
    ] {
        assert!(detect_pii(t).is_empty(), "{t}: {:?}", detect_pii(t));
    }
}

#[test]
fn redact_replaces_spans() {
    let t = "SĐT 0912 345 678, email a.b@example.com, CCCD 001203004567, giá 1.250.000đ";
    assert_eq!(
        redact(t),
        "SĐT [phone], email [email], CCCD [national_id], giá 1.250.000đ"
    );
    assert_eq!(
        redact("nhà số 25 đường Trần Phú, phường Vĩnh Phúc"),
        "nhà [address], phường Vĩnh Phúc"
    );
    assert_eq!(redact("không có gì"), "không có gì");
}

// ---------------------------------------------------------------- taxonomy

#[test]
fn taxonomy_is_complete_and_validated() {
    let r = router();
    let t = r.taxonomy();
    assert_eq!(t.categories.len(), 17);
    assert_eq!(t.agencies.len(), 12);
    assert_eq!(t.kinds.len(), 3);
    assert_eq!(t.lead_agency(Kind::Dispute, "ecommerce"), Some("SCT"));
    assert_eq!(t.lead_agency(Kind::ViolationReport, "ecommerce"), Some("QLTT"));
    assert_eq!(t.lead_agency(Kind::Consultation, "fraud"), None);
    assert_eq!(t.lead_agency(Kind::Dispute, "food_service"), Some("UBND_XA"));
    let bad = "[[agencies]]\ncode='A'\nname='a'\nrole='r'\n[[categories]]\ncode='c'\nname='c'\ndispute_lead='A'\nviolation_lead='B'\n";
    assert!(matches!(Taxonomy::from_toml_str(bad), Err(RoutingError::Invalid(_))));
    let dup = "[[agencies]]\ncode='A'\nname='a'\nrole='r'\n[[agencies]]\ncode='A'\nname='a'\nrole='r'\n[[categories]]\ncode='c'\nname='c'\ndispute_lead='A'\nviolation_lead='A'\n";
    assert!(Taxonomy::from_toml_str(dup).is_err());
    // Agency codes become space-separated visibility lists and search tokens: one word each.
    let one_agency = |code: &str| {
        format!(
            "[[agencies]]\ncode='''{code}'''\nname='a'\nrole='r'\n[[categories]]\ncode='c'\nname='c'\n\
             dispute_lead='''{code}'''\nviolation_lead='''{code}'''\n"
        )
    };
    let too_long = "A".repeat(MAX_AGENCY_CODE + 1);
    for code in ["S CT", "", "SCT\"", "S\\CT", "Sở", "SCT\t", too_long.as_str()] {
        assert!(
            matches!(
                Taxonomy::from_toml_str(&one_agency(code)),
                Err(RoutingError::Invalid(_))
            ),
            "{code:?}"
        );
    }
    let longest = "A".repeat(MAX_AGENCY_CODE);
    for code in ["UBND_XA", "so-y-te", "A1", longest.as_str()] {
        assert!(Taxonomy::from_toml_str(&one_agency(code)).is_ok(), "{code:?}");
    }
}

#[test]
fn router_rejects_unknown_category() {
    let dir = config_dir();
    let tax = Taxonomy::from_toml_str(&std::fs::read_to_string(dir.join("taxonomy.toml")).unwrap()).unwrap();
    let routing = std::fs::read_to_string(dir.join("routing.toml")).unwrap();
    let broken = routing.replace("[categories.mlm]", "[categories.pyramid]");
    assert!(matches!(Router::new(tax, &broken), Err(RoutingError::Invalid(_))));
}

#[test]
fn kind_parse_roundtrip() {
    for k in Kind::ALL {
        assert_eq!(Kind::parse(k.as_str()), Some(k));
    }
    assert_eq!(Kind::parse("nope"), None);
    assert_eq!(
        serde_json::to_string(&Kind::ViolationReport).unwrap(),
        "\"violation_report\""
    );
}

// ---------------------------------------------------------------- classification

#[test]
fn classification_has_explanation_and_confidence() {
    let r = router();
    let c = r.classify(
        "Bà H., 75 tuổi, mua nồi cơm trên Shopee, giao sai hàng, shop không hoàn tiền. Bà đề nghị Hội Bảo vệ quyền lợi người tiêu dùng hỗ trợ. SĐT 0912 000 111",
        Some("hotline"),
    );
    assert_eq!(c.kind, Kind::Dispute);
    assert_eq!(c.category, "ecommerce");
    assert_eq!(c.agency.as_deref(), Some("HOI"));
    assert_eq!(c.vulnerable, vec!["elderly"]);
    assert_eq!(c.pii, vec!["phone"]);
    assert!(c.confidence > 0.0 && c.confidence <= 1.0);
    assert!(c.explanation.iter().any(|l| l.contains("shopee")));
    assert!(c.explanation.iter().any(|l| l.starts_with("agency HOI")));
}

/// Hand-written complaints, not from the data set: (text, kind, category, agency).
const HAND: &[(&str, &str, &str, Option<&str>)] = &[
    ("Tôi mua bàn phím trên Lazada, giao đến thiếu phím, cửa hàng không cho trả hàng. Tôi muốn được hoàn tiền.", "dispute", "ecommerce", Some("SCT")),
    ("Cho hỏi mua giày trên sàn mà người bán giao nhầm màu thì có được đổi không?", "consultation", "ecommerce", None),
    ("Cửa hàng mỹ nghệ ở chợ huyện bán nhiều nước hoa giả nhãn hiệu nổi tiếng, không rõ nguồn gốc. Đề nghị Quản lý thị trường kiểm tra.", "violation_report", "counterfeit_origin", Some("QLTT")),
    ("Quán karaoke gần nhà tính giá nước ngọt 80.000đ một lon, không niêm yết giá, nhiều khách bị chặt chém. Đề nghị kiểm tra.", "violation_report", "pricing", Some("QLTT")),
    ("Mẹ tôi mua thực phẩm chức năng giảm cân ở nhà thuốc, uống xong bị tim đập nhanh. Nhà thuốc không chịu hoàn tiền, tôi yêu cầu bồi thường.", "dispute", "health_products", Some("SYT")),
    ("Người dân phản ánh một cơ sở ở thôn 2 bán thịt bò không có dấu kiểm dịch cho các chợ. Đề nghị kiểm tra.", "violation_report", "food_agri", Some("SNNMT")),
    ("toi mua thung nuoc ngot o sieu thi, mo ra thay lon bi phong, con han su dung. sieu thi ko chiu doi. toi muon dc tra lai tien", "dispute", "food_processed", Some("SCT")),
    ("Chúng tôi là công nhân, ăn cơm hộp của bếp ăn công ty nhiều người bị ngộ độc, đau bụng. Đề nghị chính quyền kiểm tra.", "violation_report", "food_service", Some("UBND_XA")),
    ("Tôi mua bao xi măng ghi 50kg, cân lại chỉ còn 45kg. Tôi yêu cầu cửa hàng bù phần thiếu.", "dispute", "measurement_quality", Some("SKHCN")),
    ("Nhà mạng tự trừ tiền gói cước data tôi không đăng ký. Tôi yêu cầu hoàn lại tiền cước.", "dispute", "telecom", Some("SKHCN")),
    ("Ngân hàng tự trừ phí duy trì tài khoản, thẻ tín dụng bị tính lãi sai. Tôi yêu cầu ngân hàng hoàn lại.", "dispute", "banking_credit", Some("NHNN")),
    ("Cho hỏi hợp đồng bảo hiểm nhân thọ đóng được 3 năm, muốn hủy thì có mất tiền không?", "consultation", "insurance", None),
    ("Tài xế taxi chạy vòng vèo, tính cước gấp đôi. Tôi muốn hãng taxi trả lại tiền.", "dispute", "housing_transport", Some("SXD")),
    ("Công ty du lịch đổi khách sạn 4 sao thành nhà nghỉ, tôi yêu cầu bồi thường theo hợp đồng tour.", "dispute", "travel_advertising", Some("SVHTTDL")),
    ("Cho em hỏi công ty bắt đóng tiền mua hàng để lên cấp, hưởng hoa hồng tuyến dưới thì có phải đa cấp không?", "consultation", "mlm", None),
    ("Hóa đơn tiền điện tháng này tăng gấp 3, điện lực không kiểm tra công tơ. Tôi đề nghị hỗ trợ yêu cầu tính lại.", "dispute", "utilities_energy", Some("SCT")),
    ("Tôi mua máy giặt mới được 1 tháng thì hỏng, trung tâm bảo hành từ chối bảo hành. Tôi muốn được đổi máy.", "dispute", "goods_general", Some("SCT")),
    ("Có người tự xưng nhân viên ngân hàng gọi bảo cung cấp mã OTP, tôi bị chiếm đoạt 20 triệu. Đề nghị công an điều tra.", "violation_report", "fraud", Some("CA")),
];

#[test]
fn hand_written_complaints() {
    let r = router();
    let mut wrong = Vec::new();
    for (text, kind, cat, agency) in HAND {
        let c = r.classify(text, None);
        if c.kind.as_str() != *kind || c.category != *cat || c.agency.as_deref() != *agency {
            wrong.push(format!(
                "{text}\n  expected {kind}/{cat}/{agency:?} got {}/{}/{:?}\n  {:?}",
                c.kind, c.category, c.agency, c.explanation
            ));
        }
    }
    assert!(wrong.len() <= 1, "{}", wrong.join("\n"));
}

#[test]
fn dev_set_meets_accuracy_bars() {
    let r = router();
    let all = dev_set();
    let odd = evaluate(&r, &half(&all, 1)).unwrap();
    let even = evaluate(&r, &half(&all, 0)).unwrap();
    let full = evaluate(&r, &all).unwrap();
    println!("== odd (tuning) half ==\n{odd}");
    println!("== even (held-out) half ==\n{even}");
    println!("== full ==\n{full}");
    assert_eq!(full.total, 150);
    assert!(full.agency_accuracy() >= 0.90, "agency {}", full.agency_accuracy());
    assert!(full.kind_accuracy() >= 0.85, "kind {}", full.kind_accuracy());
    assert!(
        full.category_accuracy() >= 0.85,
        "category {}",
        full.category_accuracy()
    );
}

/// The independent hold-out set (170 complaints labelled from taxonomy.md by someone who had
/// not seen the vocabulary). Its odd half was used to find gaps in the vocabulary; the even
/// half never was (its texts were not read): the even half is the honest estimate for unseen
/// text. Both must stay above the bars.
#[test]
fn holdout_set_meets_accuracy_bars() {
    let r = router();
    let all = fixture("complaints-holdout.jsonl");
    let tune = evaluate(&r, &half(&all, 1)).unwrap();
    let check = evaluate(&r, &half(&all, 0)).unwrap();
    println!("== hold-out, odd (tuning) half ==\n{tune}");
    println!("== hold-out, even (never read) half ==\n{check}");
    for rep in [&tune, &check] {
        assert!(rep.agency_accuracy() >= 0.90, "agency {}", rep.agency_accuracy());
        assert!(rep.kind_accuracy() >= 0.85, "kind {}", rep.kind_accuracy());
        assert!(rep.category_accuracy() >= 0.85, "category {}", rep.category_accuracy());
    }
}

/// A probe set written by hand for this module (not taken from the dev set), in the same JSONL
/// format, to catch vocabulary that only fits the dev set.
const HANDWRITTEN_JSONL: &str = r#"{"id": "hw-001", "channel": "web", "text": "Em mua cái ốp lưng trên Tiki, giao tới bị vỡ, nhắn shop mấy ngày không trả lời. Em muốn được hoàn tiền ạ.", "kind": "dispute", "category": "ecommerce", "agency": "SCT", "vulnerable": [], "pii": []}
{"id": "hw-002", "channel": "web", "text": "xin hoi mua hang tren shopee bi giao thieu thi khieu nai voi san hay voi nguoi ban?", "kind": "consultation", "category": "ecommerce", "agency": null, "vulnerable": [], "pii": []}
{"id": "hw-003", "channel": "web", "text": "Nhiều tài khoản trên Shopee đang bán son môi nhái thương hiệu nổi tiếng giá 50k, tôi đề nghị cơ quan chức năng xử lý, tôi không cần hoàn tiền.", "kind": "violation_report", "category": "ecommerce", "agency": "QLTT", "vulnerable": [], "pii": []}
{"id": "hw-004", "channel": "web", "text": "Tôi mua đôi giày ở cửa hàng trên phố Huế, người bán nói hàng chính hãng nhưng mang đi kiểm tra là hàng nhái. Tôi yêu cầu trả lại tiền.", "kind": "dispute", "category": "counterfeit_origin", "agency": "SCT", "vulnerable": [], "pii": []}
{"id": "hw-005", "channel": "web", "text": "Phản ánh kho hàng ở xã Đông Anh chứa nhiều thùng mỹ phẩm, quần áo nhập lậu không có nhãn tiếng Việt. Đề nghị kiểm tra, xử lý.", "kind": "violation_report", "category": "counterfeit_origin", "agency": "QLTT", "vulnerable": [], "pii": []}
{"id": "hw-006", "channel": "web", "text": "Làm sao phân biệt hàng giả với hàng thật khi mua nước hoa? Nếu mua phải hàng giả tôi báo cơ quan nào?", "kind": "consultation", "category": "counterfeit_origin", "agency": null, "vulnerable": [], "pii": []}
{"id": "hw-007", "channel": "web", "text": "Bãi giữ xe ở khu du lịch biển thu 50.000đ/xe máy, không có bảng giá; nhiều du khách bị chặt chém. Đề nghị kiểm tra.", "kind": "violation_report", "category": "pricing", "agency": "QLTT", "vulnerable": [], "pii": []}
{"id": "hw-008", "channel": "web", "text": "cua hang tap hoa tinh gia goi mi 15k trong khi tren bao bi in gia 8k. toi muon ho tra lai tien chenh lech", "kind": "dispute", "category": "pricing", "agency": "SCT", "vulnerable": [], "pii": []}
{"id": "hw-009", "channel": "web", "text": "Cửa hàng không niêm yết giá thì người mua có quyền từ chối trả tiền không?", "kind": "consultation", "category": "pricing", "agency": null, "vulnerable": [], "pii": []}
{"id": "hw-010", "channel": "web", "text": "Tôi đi tiêm filler ở thẩm mỹ viện, bị sưng và nhiễm trùng, phải vào viện điều trị. Thẩm mỹ viện không chịu trách nhiệm. Tôi yêu cầu bồi thường.", "kind": "dispute", "category": "health_products", "agency": "SYT", "vulnerable": [], "pii": []}
{"id": "hw-011", "channel": "web", "text": "Một nhóm người đến thôn tổ chức khám bệnh miễn phí cho người cao tuổi rồi bán thuốc đông y giá vài triệu, nói chữa khỏi bệnh khớp. Đề nghị Sở Y tế kiểm tra.", "kind": "violation_report", "category": "health_products", "agency": "SYT", "vulnerable": ["elderly"], "pii": []}
{"id": "hw-012", "channel": "web", "text": "Cho hỏi mua thực phẩm chức năng trên mạng thì làm sao biết sản phẩm đã được cấp phép?", "kind": "consultation", "category": "health_products", "agency": null, "vulnerable": [], "pii": []}
{"id": "hw-013", "channel": "web", "text": "Người dân phản ánh có xe tải chở thịt lợn bốc mùi, không có giấy kiểm dịch, giao cho các quán ăn trong phường. Đề nghị kiểm tra nguồn gốc thịt.", "kind": "violation_report", "category": "food_agri", "agency": "SNNMT", "vulnerable": [], "pii": []}
{"id": "hw-014", "channel": "web", "text": "toi mua 5kg thit bo o cua hang thuc pham tuoi song, ve nau thay co mui hoi, thit bi uop hoa chat. cua hang ko chiu. toi muon dc tra lai tien", "kind": "dispute", "category": "food_agri", "agency": "SNNMT", "vulnerable": [], "pii": []}
{"id": "hw-015", "channel": "web", "text": "Cho hỏi rau củ bán ở chợ có phun thuốc trừ sâu thì làm sao kiểm tra, phản ánh ở đâu?", "kind": "consultation", "category": "food_agri", "agency": null, "vulnerable": [], "pii": []}
{"id": "hw-016", "channel": "web", "text": "Tôi mua thùng bia ở cửa hàng tiện lợi, mở ra có 3 lon bị móp, bia có mùi lạ. Cửa hàng không đổi. Tôi muốn đổi thùng mới.", "kind": "dispute", "category": "food_processed", "agency": "SCT", "vulnerable": [], "pii": []}
{"id": "hw-017", "channel": "web", "text": "Cửa hàng tạp hóa đầu hẻm bán sữa hộp, bánh kẹo đã hết hạn sử dụng cho trẻ em trong xóm. Đề nghị kiểm tra.", "kind": "violation_report", "category": "food_processed", "agency": "QLTT", "vulnerable": [], "pii": []}
{"id": "hw-018", "channel": "web", "text": "Tôi đang mang thai, muốn hỏi sữa bầu nhập khẩu không có nhãn phụ thì có được bán không?", "kind": "consultation", "category": "food_processed", "agency": null, "vulnerable": ["pregnant_or_infant"], "pii": []}
{"id": "hw-019", "channel": "web", "text": "Tôi đặt 3 mâm cỗ ở nhà hàng tiệc cưới, khách ăn xong nhiều người bị tiêu chảy. Tôi yêu cầu nhà hàng bồi thường chi phí.", "kind": "dispute", "category": "food_service", "agency": "UBND_XA", "vulnerable": [], "pii": []}
{"id": "hw-020", "channel": "web", "text": "Phụ huynh phản ánh bếp ăn bán trú của trường mầm non nấu thức ăn ôi thiu, nhiều cháu bị đau bụng. Đề nghị chính quyền kiểm tra.", "kind": "violation_report", "category": "food_service", "agency": "UBND_XA", "vulnerable": ["child"], "pii": []}
{"id": "hw-021", "channel": "web", "text": "Cho hỏi ăn ở quán vỉa hè bị ngộ độc thì có được đòi bồi thường không?", "kind": "consultation", "category": "food_service", "agency": null, "vulnerable": [], "pii": []}
{"id": "hw-022", "channel": "web", "text": "Nhiều tiểu thương ở chợ dùng cân điện tử đã chỉnh, mua 1kg trái cây chỉ được 800g. Bà con phản ánh mãi không ai xử lý. Đề nghị kiểm tra cân.", "kind": "violation_report", "category": "measurement_quality", "agency": "SKHCN", "vulnerable": [], "pii": []}
{"id": "hw-023", "channel": "web", "text": "Tôi mua bình nước 20 lít nhưng đo lại chỉ 17 lít, cửa hàng không bù. Tôi yêu cầu cửa hàng trả lại tiền phần thiếu.", "kind": "dispute", "category": "measurement_quality", "agency": "SKHCN", "vulnerable": [], "pii": []}
{"id": "hw-024", "channel": "web", "text": "Cho hỏi nghi cây xăng bơm thiếu thì tôi tự kiểm tra thế nào, báo cho cơ quan nào?", "kind": "consultation", "category": "measurement_quality", "agency": null, "vulnerable": [], "pii": []}
{"id": "hw-025", "channel": "web", "text": "Nhà mạng cắt sim của tôi số 0987 654 321 mà không báo trước, tôi mất liên lạc 5 ngày. Tôi yêu cầu nhà mạng bồi thường.", "kind": "dispute", "category": "telecom", "agency": "SKHCN", "vulnerable": [], "pii": ["phone"]}
{"id": "hw-026", "channel": "web", "text": "Gửi hàng qua bưu điện bị mất, bưu điện chỉ đền 100 nghìn. Tôi đề nghị hỗ trợ đòi bồi thường đúng giá trị.", "kind": "dispute", "category": "telecom", "agency": "SKHCN", "vulnerable": [], "pii": []}
{"id": "hw-027", "channel": "web", "text": "cho hoi hop dong wifi 12 thang, gio muon cat thi co bi phat ko?", "kind": "consultation", "category": "telecom", "agency": null, "vulnerable": [], "pii": []}
{"id": "hw-028", "channel": "web", "text": "Ngân hàng tự ý trừ tiền bảo hiểm khoản vay vào tài khoản của tôi mà tôi không ký. Tôi yêu cầu ngân hàng hoàn lại.", "kind": "dispute", "category": "banking_credit", "agency": "NHNN", "vulnerable": [], "pii": []}
{"id": "hw-029", "channel": "web", "text": "Công ty tài chính thuê người gọi điện đe dọa, khủng bố tinh thần hàng trăm khách vay. Đề nghị cơ quan quản lý xử lý.", "kind": "violation_report", "category": "banking_credit", "agency": "NHNN", "vulnerable": [], "pii": []}
{"id": "hw-030", "channel": "web", "text": "Tôi muốn hỏi thẻ tín dụng bị tính phí chậm thanh toán quá cao thì có đúng quy định không?", "kind": "consultation", "category": "banking_credit", "agency": null, "vulnerable": [], "pii": []}
{"id": "hw-031", "channel": "web", "text": "Xe máy của tôi bị tai nạn, công ty bảo hiểm không bồi thường vì nói tôi không có bằng lái, nhưng tôi có. Tôi đề nghị được hỗ trợ.", "kind": "dispute", "category": "insurance", "agency": "STC", "vulnerable": [], "pii": []}
{"id": "hw-032", "channel": "web", "text": "Cho hỏi mua bảo hiểm nhân thọ qua ngân hàng, trong 21 ngày có được hủy và lấy lại tiền không?", "kind": "consultation", "category": "insurance", "agency": null, "vulnerable": [], "pii": []}
{"id": "hw-033", "channel": "web", "text": "Tôi đặt xe công nghệ đi sân bay, tài xế bỏ cuốc giữa đường nhưng app vẫn trừ tiền. Tôi muốn được hoàn lại tiền.", "kind": "dispute", "category": "housing_transport", "agency": "SXD", "vulnerable": [], "pii": []}
{"id": "hw-034", "channel": "web", "text": "Chúng tôi là cư dân tòa nhà chung cư, chủ đầu tư tự ý tăng phí gửi xe, không bàn giao quỹ bảo trì. Đề nghị thanh tra.", "kind": "violation_report", "category": "housing_transport", "agency": "SXD", "vulnerable": [], "pii": []}
{"id": "hw-035", "channel": "web", "text": "Cho hỏi nước sinh hoạt bị đục, công ty cấp nước có phải giảm tiền nước không?", "kind": "consultation", "category": "housing_transport", "agency": null, "vulnerable": [], "pii": []}
{"id": "hw-036", "channel": "web", "text": "Tôi đặt phòng resort qua đại lý, đến nơi bị xếp phòng kém hơn đã đặt. Resort không đổi. Tôi yêu cầu hoàn tiền chênh lệch.", "kind": "dispute", "category": "travel_advertising", "agency": "SVHTTDL", "vulnerable": [], "pii": []}
{"id": "hw-037", "channel": "web", "text": "Trên mạng có quảng cáo sai sự thật về máy lọc không khí chữa được ung thư, rất nhiều người tin mua. Đề nghị xử lý quảng cáo này.", "kind": "violation_report", "category": "travel_advertising", "agency": "SVHTTDL", "vulnerable": [], "pii": []}
{"id": "hw-038", "channel": "web", "text": "Hãng bay hủy chuyến, đại lý vé không hoàn tiền, cho hỏi tôi phải làm gì?", "kind": "consultation", "category": "travel_advertising", "agency": null, "vulnerable": [], "pii": []}
{"id": "hw-039", "channel": "web", "text": "Tôi tham gia bán hàng đa cấp, muốn chấm dứt hợp đồng và trả lại hàng nhưng công ty không mua lại. Tôi đề nghị hỗ trợ lấy lại tiền.", "kind": "dispute", "category": "mlm", "agency": "SCT", "vulnerable": [], "pii": []}
{"id": "hw-040", "channel": "web", "text": "Phản ánh công ty tổ chức hội thảo, lôi kéo người dân mua hàng giá cao để làm nhà phân phối, hưởng hoa hồng theo tuyến dưới, có dấu hiệu đa cấp trái phép. Đề nghị kiểm tra.", "kind": "violation_report", "category": "mlm", "agency": "SCT", "vulnerable": [], "pii": []}
{"id": "hw-041", "channel": "web", "text": "Công ty bắt tôi mua hàng 10 triệu mới được làm đại lý và hưởng hoa hồng khi giới thiệu người, có phải đa cấp không?", "kind": "consultation", "category": "mlm", "agency": null, "vulnerable": [], "pii": []}
{"id": "hw-042", "channel": "web", "text": "Tháng này hóa đơn tiền điện nhà tôi tăng gấp đôi dù không dùng thêm gì. Tôi yêu cầu điện lực kiểm tra và tính lại tiền.", "kind": "dispute", "category": "utilities_energy", "agency": "SCT", "vulnerable": [], "pii": []}
{"id": "hw-043", "channel": "web", "text": "Nhiều cửa hàng gas trong xã bán bình gas không có tem, không rõ nguồn gốc, sang chiết trái phép. Đề nghị kiểm tra.", "kind": "violation_report", "category": "utilities_energy", "agency": "QLTT", "vulnerable": [], "pii": []}
{"id": "hw-044", "channel": "web", "text": "Cho hỏi chủ trọ tính tiền điện 5 nghìn một số có đúng không?", "kind": "consultation", "category": "utilities_energy", "agency": null, "vulnerable": [], "pii": []}
{"id": "hw-045", "channel": "web", "text": "Bố tôi 78 tuổi mua máy giặt ở siêu thị điện máy, lắp xong không chạy, cửa hàng hẹn mãi không đến sửa. Gia đình yêu cầu đổi máy mới.", "kind": "dispute", "category": "goods_general", "agency": "SCT", "vulnerable": ["elderly"], "pii": []}
{"id": "hw-046", "channel": "web", "text": "Hợp đồng mua xe ô tô ghi là không được hủy, mất cọc trong mọi trường hợp, điều khoản đó có hợp lệ không?", "kind": "consultation", "category": "goods_general", "agency": null, "vulnerable": [], "pii": []}
{"id": "hw-047", "channel": "web", "text": "Tôi mua laptop bị lỗi màn hình, hãng không bảo hành. Tôi nhờ Hội bảo vệ quyền lợi người tiêu dùng giúp tôi thương lượng với cửa hàng.", "kind": "dispute", "category": "goods_general", "agency": "HOI", "vulnerable": [], "pii": []}
{"id": "hw-048", "channel": "web", "text": "Mẹ tôi 67 tuổi bị kẻ gian giả danh cán bộ bảo hiểm xã hội gọi điện lừa chuyển 30 triệu. Đề nghị công an điều tra.", "kind": "violation_report", "category": "fraud", "agency": "CA", "vulnerable": ["elderly"], "pii": []}
{"id": "hw-049", "channel": "web", "text": "Có người nhắn tin bảo tôi trúng thưởng iPhone, phải chuyển phí vận chuyển trước. Có phải lừa đảo không?", "kind": "consultation", "category": "fraud", "agency": null, "vulnerable": [], "pii": []}
{"id": "hw-050", "channel": "web", "text": "Tôi bị lừa đầu tư tiền ảo, đã chuyển 50 triệu vào số tài khoản 123456789012 của một người lạ. Đề nghị công an truy tìm.", "kind": "violation_report", "category": "fraud", "agency": "CA", "vulnerable": [], "pii": ["bank_account"]}
{"id": "hw-051", "channel": "web", "text": "Tôi là người khuyết tật, đặt mua xe lăn trên Lazada, giao đến số 45 đường Hùng Vương thì thiếu bánh xe. Cửa hàng không chịu gửi bù. Tôi muốn hoàn tiền.", "kind": "dispute", "category": "ecommerce", "agency": "SCT", "vulnerable": ["disability"], "pii": ["address"]}
{"id": "hw-052", "channel": "web", "text": "Tôi ở bản vùng cao, nhà mạng thu tiền lắp internet nhưng không có sóng. Tôi muốn nhà mạng trả lại tiền lắp đặt.", "kind": "dispute", "category": "telecom", "agency": "SKHCN", "vulnerable": ["ethnic_minority_remote"], "pii": []}
{"id": "hw-053", "channel": "web", "text": "Nhà tôi thuộc hộ cận nghèo, được cấp thẻ bảo hiểm y tế, cho hỏi khám ở bệnh viện tuyến tỉnh có được thanh toán không?", "kind": "consultation", "category": "insurance", "agency": null, "vulnerable": ["poor_household"], "pii": []}
"#;

#[test]
fn handwritten_probe_set() {
    let r = router();
    let rep = evaluate(&r, HANDWRITTEN_JSONL).unwrap();
    println!("== hand-written probe set ==\n{rep}");
    assert_eq!(rep.total, 53);
    assert!(rep.agency_accuracy() >= 0.85, "agency {}", rep.agency_accuracy());
    assert!(rep.category_accuracy() >= 0.85);
    assert!(rep.kind_accuracy() >= 0.85);
}

// ---------------------------------------------------------------- administrative units (ADR 0033)

fn router_with_units() -> Router {
    Router::load_dir(&config_dir()).unwrap()
}

#[test]
fn the_list_has_the_34_provinces_and_3321_communes_of_the_2025_reform() {
    let r = router_with_units();
    let p = r.places();
    assert_eq!(p.provinces().len(), 34);
    assert_eq!(p.communes().len(), 3321);
    let count = |k| p.communes().iter().filter(|c| c.kind == k).count();
    use places::CommuneType::*;
    assert_eq!((count(Xa), count(Phuong), count(DacKhu)), (2621, 687, 13));
    // the commune agency has one unit per commune of the province, plus the configured branches
    let hcm = p.communes().iter().filter(|c| p.province_of(c).code == "79").count();
    assert_eq!(hcm, 168);
    assert_eq!(r.units().of_agency("UBND_XA").count(), hcm);
    assert_eq!(r.units().get("UBND_XA-26743").unwrap().name, "Phường Bến Thành");
    assert_eq!(r.units().of_agency("HOI").count(), 3);
}

#[test]
fn commune_names_match_without_diacritics_prefix_or_case() {
    let r = router_with_units();
    let p = r.places();
    for typed in [
        "Phường Bến Thành",
        "phuong Ben Thanh",
        "P. Bến Thành",
        "p.ben thanh",
        "BẾN THÀNH",
        "ben  thanh",
        "Bến Thành, Quận 1, TP.HCM",
    ] {
        let l = p.locate(Some(typed), None, Some("79"));
        assert_eq!(l.commune.map(|c| c.code.as_str()), Some("26743"), "{typed}");
        assert_eq!(l.province.unwrap().code, "79");
    }
    // Đ folds to d; the special zone prefix
    let l = p.locate(Some("dac khu con dao"), None, None);
    assert_eq!(l.commune.unwrap().name, "Đặc khu Côn Đảo");
    // provinces with or without their prefix
    for typed in [
        "Thành phố Hồ Chí Minh",
        "tp ho chi minh",
        "TP.HCM",
        "Hồ Chí Minh",
        "hcm",
    ] {
        assert_eq!(p.find_province(typed).unwrap().code, "79", "{typed}");
    }
    assert_eq!(p.find_province("tinh cao bang").unwrap().name, "Cao Bằng");
    assert_eq!(p.find_province("Dak Lak").unwrap().name, "Đắk Lắk");
}

#[test]
fn ambiguous_commune_names_resolve_with_the_province_or_the_home_province() {
    let r = router_with_units();
    let p = r.places();
    // Xã Tân Lập exists in Quảng Trị, Lâm Đồng and Tây Ninh (and a Phường Tân Lập in Đắk Lắk)
    let l = p.locate(Some("xa Tan Lap"), None, Some("79"));
    assert_eq!(l.commune, None);
    assert!(l.note.as_deref().unwrap().contains("Tây Ninh"), "{:?}", l.note);
    let l = p.locate(Some("xa Tan Lap"), Some("Tay Ninh"), Some("79"));
    assert_eq!(l.commune.unwrap().code, "25489");
    // the type prefix: only Đắk Lắk has a Phường Tân Lập
    assert_eq!(
        p.locate(Some("phuong tan lap"), None, None).commune.unwrap().code,
        "24121"
    );
    // the home province first: Tân Định is a ward of Hồ Chí Minh City and a commune of Khánh Hòa
    assert_eq!(
        p.locate(Some("Tân Định"), None, Some("79")).commune.unwrap().code,
        "26737"
    );
    assert_eq!(
        p.locate(Some("Tân Định"), None, Some("56")).commune.unwrap().code,
        "22576"
    );
    // diacritics tell Thanh An from Thạnh An (both in Hồ Chí Minh City); toneless is ambiguous
    assert_eq!(
        p.locate(Some("Xã Thạnh An"), None, Some("79")).commune.unwrap().code,
        "27676"
    );
    assert_eq!(
        p.locate(Some("Xã Thanh An"), None, Some("79")).commune.unwrap().code,
        "25807"
    );
    let l = p.locate(Some("xa thanh an"), Some("hcm"), None);
    assert_eq!((l.commune, l.province.unwrap().code.as_str()), (None, "79"));
    assert!(l.note.unwrap().contains("fits 2"));
    // a commune not in the named province
    let l = p.locate(Some("Bến Thành"), Some("Hà Nội"), Some("79"));
    assert_eq!((l.commune, l.province.unwrap().code.as_str()), (None, "01"));
    assert!(p.locate(Some("Không Có Xã Này"), None, None).note.is_some());
}

#[test]
fn the_router_suggests_the_unit_and_refers_a_dispute_from_another_province() {
    let r = router_with_units();
    let mut c = r.classify("Quán ăn ở chợ bán đồ ăn ôi thiu, cả nhà bị ngộ độc thực phẩm", None);
    assert_eq!(c.agency.as_deref(), Some("UBND_XA"), "{:?}", c.explanation);
    r.place(&mut c, Some("phuong ben thanh"), None);
    assert_eq!(c.unit.as_deref(), Some("UBND_XA-26743"));
    let codes: Vec<&str> = c.units.iter().map(|u| u.code.as_str()).collect();
    assert_eq!(codes, ["UBND_XA-26743", "HOI-TRUNGTAM"]);
    assert!(c
        .explanation
        .iter()
        .any(|e| e.starts_with("unit UBND_XA-26743 of UBND_XA")));
    assert_eq!(c.referral, None);

    let mut d = r.classify(
        "Cửa hàng điện máy bán tủ lạnh hỏng, tôi yêu cầu đổi hàng hoặc hoàn tiền",
        None,
    );
    assert_eq!(d.kind, Kind::Dispute);
    r.place(&mut d, Some("Phường Hoàn Kiếm"), Some("Hà Nội"));
    let referral = d.referral.clone().unwrap();
    assert_eq!(referral.agency_name, "Sở Công Thương Thành phố Hà Nội");
    assert_eq!(d.residence.unwrap().commune_code.as_deref(), Some("00070"));
    assert!(d.explanation.iter().any(|e| e.starts_with("referral:")));
    assert_eq!(d.unit, None);
    let mut e = r.classify("Tôi mua hàng bị lỗi, đề nghị hỗ trợ đổi trả", None);
    r.place(&mut e, None, Some("Cao Bằng"));
    assert_eq!(e.referral.unwrap().agency_name, "Sở Công Thương tỉnh Cao Bằng");
}

#[test]
fn units_config_is_checked() {
    let dir = config_dir();
    let places = Places::load(&dir.join("admin-units.json")).unwrap();
    let tax = Taxonomy::from_toml_str(&std::fs::read_to_string(dir.join("taxonomy.toml")).unwrap()).unwrap();
    let bad = [
        "province = \"99\"",
        "province = \"79\"\ncommune_agency = \"NOPE\"",
        "province = \"79\"\n[[units]]\nagency = \"HOI\"\ncode = \"A\"\nname = \"x\"\ncommunes = [\"00070\"]",
        "province = \"79\"\n[[units]]\nagency = \"HOI\"\ncode = \"a b\"\nname = \"x\"",
        "province = \"79\"\n[[units]]\nagency = \"HOI\"\ncode = \"A\"\nname = \"x\"\n[[units]]\nagency = \"SCT\"\ncode = \"A\"\nname = \"y\"",
    ];
    for b in bad {
        assert!(Units::build(b, &places, &tax).is_err(), "{b}");
    }
    let ok = Units::build("province = \"01\"", &places, &tax).unwrap();
    assert_eq!((ok.province_code(), ok.all().len()), ("01", 0));
}

/// A complaint typed with a decomposing keyboard setting (Unikey's "Unicode tổ hợp": "ồ" as `o`
/// followed by two combining marks) is classified, and its personal data found, as the same
/// complaint typed composed.
#[test]
fn decomposed_complaints_are_classified_as_composed_ones() {
    use unicode_normalization::UnicodeNormalization;
    let r = router();
    let mut checked = 0;
    for line in dev_set().lines().filter(|l| !l.trim().is_empty()) {
        let v: serde_json::Value = serde_json::from_str(line).unwrap();
        let text = v["text"].as_str().unwrap();
        let decomposed: String = text.nfd().collect();
        if decomposed == text {
            continue;
        }
        let (a, b) = (r.classify(text, Some("web")), r.classify(&decomposed, Some("web")));
        assert_eq!(
            (a.kind, &a.category, &a.agency, &a.vulnerable, &a.pii),
            (b.kind, &b.category, &b.agency, &b.vulnerable, &b.pii),
            "{}",
            v["id"]
        );
        checked += 1;
    }
    assert!(checked > 100, "the set is Vietnamese: {checked}");
}
