//! The routing suggestion's reasons in Vietnamese, for the case page. The router writes its
//! explanation in English (the API's and the routing reports' language, `routing::classify`);
//! staff read Vietnamese. Each line is recognised by its shape and said again with the
//! category's and agency's names; a line of an unknown shape is shown as it is (the unit test
//! runs the router on the labelled complaints, so a new shape is noticed).

use super::text::value_label;

/// Names of the codes a reason mentions.
pub struct Names<'a> {
    pub categories: &'a [(String, String)],
    pub agencies: &'a [(String, String)],
}

impl Names<'_> {
    fn category(&self, code: &str) -> String {
        match self.categories.iter().find(|(c, _)| c == code) {
            Some((_, name)) => format!("«{name}»"),
            None => code.to_owned(),
        }
    }

    fn agency(&self, code: &str) -> String {
        match self.agencies.iter().find(|(c, _)| c == code) {
            Some((_, name)) => name.clone(),
            None => code.to_owned(),
        }
    }
}

/// One reason in Vietnamese.
pub fn vi(line: &str, names: &Names) -> String {
    reason(line, names).unwrap_or_else(|| line.to_owned())
}

fn reason(line: &str, n: &Names) -> Option<String> {
    if let Some(ch) = line.strip_prefix("channel: ") {
        return Some(format!("Kênh tiếp nhận: {}", channel(ch)));
    }
    if let Some(rest) = line.strip_prefix("runner-up category ") {
        return Some(format!("Lĩnh vực gần thứ hai: {}", scored_category(rest, n)?));
    }
    if let Some(rest) = line.strip_prefix("category ") {
        if let Some(code) = rest.strip_suffix(": no category term matched, default category") {
            return Some(format!(
                "Lĩnh vực {}: không có từ khóa nào khớp, dùng lĩnh vực mặc định",
                n.category(code)
            ));
        }
        return Some(format!("Lĩnh vực {}", scored_category(rest, n)?));
    }
    if let Some(rest) = line.strip_prefix("precedence rule: ") {
        let (winner, rest) = rest.split_once(" (score ≥ ")?;
        let (min, loser) = rest.split_once(") wins over ")?;
        return Some(format!(
            "Quy tắc ưu tiên: {} (điểm từ {} trở lên) được chọn thay cho {}",
            n.category(winner),
            decimal(min),
            n.category(loser)
        ));
    }
    if let Some(rest) = line.strip_prefix("kind ") {
        return kind(rest);
    }
    if line.starts_with("agency: none") {
        return Some("Cơ quan: không chuyển — câu hỏi tư vấn được trả lời và kết thúc ngay khi tiếp nhận".into());
    }
    if let Some(rest) = line.strip_prefix("agency ") {
        return agency(rest, n);
    }
    if let Some(rest) = line.strip_prefix("vulnerable ") {
        let (group, cues) = rest.split_once(": ")?;
        let cues = cues.replace("(age rule", "(quy tắc tuổi");
        return Some(format!(
            "Nhóm dễ bị tổn thương: {} — {}",
            value_label(group),
            terms_vi(&cues)
        ));
    }
    if let Some(kinds) = line.strip_prefix("personal data found: ") {
        let kinds: Vec<&str> = kinds.split(", ").map(pii).collect();
        return Some(format!("Nội dung có thông tin cá nhân: {}", kinds.join(", ")));
    }
    if let Some(rest) = line.strip_prefix("unit ") {
        let (unit, rest) = rest.split_once(" of ")?;
        let (agency, rest) = rest.split_once(": ")?;
        let (name, commune) = rest.split_once(" serves ")?;
        return Some(format!(
            "Đơn vị phụ trách: {name} ({unit}, thuộc {}) phụ trách {commune}",
            n.agency(agency)
        ));
    }
    if let Some(rest) = line.strip_prefix("residence outside the province (") {
        let (province, _) = rest.split_once("):")?;
        return Some(format!(
            "Người tiêu dùng cư trú ngoài tỉnh ({province}): không chuyển theo nơi cư trú — chỉ tranh chấp mới do tỉnh nơi người tiêu dùng cư trú chủ trì"
        ));
    }
    if let Some(rest) = line.strip_prefix("residence: ") {
        return residence(rest);
    }
    if let Some(rest) = line.strip_prefix("referral: the consumer lives in ") {
        let (province, rest) = rest.split_once(", another province: the dispute lead is ")?;
        return Some(format!(
            "Chuyển theo nơi cư trú: người tiêu dùng cư trú tại {province} (tỉnh khác), tranh chấp do {rest} chủ trì"
        ));
    }
    None
}

/// `C (score S): terms` of a category line → `«name» (điểm S): từ khóa terms`.
fn scored_category(rest: &str, n: &Names) -> Option<String> {
    let (code, rest) = rest.split_once(" (score ")?;
    let (score, terms) = rest.split_once("): ")?;
    Some(format!(
        "{} (điểm {}): {}",
        n.category(code),
        decimal(score),
        terms_vi(terms)
    ))
}

/// `K (scores: consultation a, dispute b, violation_report c); cues: …`
fn kind(rest: &str) -> Option<String> {
    let (k, rest) = rest.split_once(" (scores: ")?;
    let (scores, cues) = rest.split_once("); cues: ")?;
    let scores: Vec<String> = scores
        .split(", ")
        .filter_map(|s| s.rsplit_once(' '))
        .map(|(k, v)| format!("{} {}", value_label(k).to_lowercase(), decimal(v)))
        .collect();
    // `…, question mark(+1)` closes the cues when a question mark counted for a consultation.
    let cues = match cues.rsplit_once("question mark(") {
        Some((terms, weight)) => {
            let terms = terms.trim_end_matches(", ");
            format!("{}, dấu chấm hỏi ({}", terms_vi(terms), weight)
        }
        None => terms_vi(cues),
    };
    Some(format!(
        "Loại {} (điểm: {}); dấu hiệu: {cues}",
        value_label(k).to_lowercase(),
        scores.join(", ")
    ))
}

/// `X: the consumer asks the consumer association (…)`, `X: dispute lead for category C`,
/// `X: violation lead for category C`.
fn agency(rest: &str, n: &Names) -> Option<String> {
    let (code, why) = rest.split_once(": ")?;
    let name = n.agency(code);
    if let Some(terms) = why.strip_prefix("the consumer asks the consumer association (") {
        let terms = terms.strip_suffix(')').unwrap_or(terms);
        return Some(format!(
            "Cơ quan: {name} — người tiêu dùng đề nghị Hội bảo vệ quyền lợi người tiêu dùng ({})",
            terms_vi(terms)
        ));
    }
    if let Some(c) = why.strip_prefix("dispute lead for category ") {
        return Some(format!(
            "Cơ quan: {name} — chủ trì giải quyết tranh chấp của lĩnh vực {}",
            n.category(c)
        ));
    }
    if let Some(c) = why.strip_prefix("violation lead for category ") {
        return Some(format!(
            "Cơ quan: {name} — chủ trì xử lý vi phạm của lĩnh vực {}",
            n.category(c)
        ));
    }
    None
}

/// Where the consumer lives, or why it could not be told.
fn residence(rest: &str) -> Option<String> {
    if let Some(name) = rest
        .strip_prefix("province \"")
        .and_then(|r| r.strip_suffix("\" is not in the list of administrative units"))
    {
        return Some(format!(
            "Nơi cư trú: tỉnh «{name}» không có trong danh mục đơn vị hành chính"
        ));
    }
    if let Some(r) = rest.strip_prefix("no commune or ward \"") {
        let (name, place) = r.split_once("\" in ")?;
        let place = match place {
            "the list of administrative units" => "danh mục đơn vị hành chính".to_owned(),
            p => p.to_owned(),
        };
        return Some(format!("Nơi cư trú: không tìm thấy xã, phường «{name}» trong {place}"));
    }
    if let Some(r) = rest.strip_prefix('"') {
        let (name, r) = r.split_once("\" fits ")?;
        let (count, r) = r.split_once(" communes or wards (")?;
        let (provinces, _) = r.split_once(");")?;
        return Some(format!(
            "Nơi cư trú: «{name}» trùng tên {count} xã, phường ({provinces}); hãy ghi tỉnh hoặc gõ đủ dấu để phân biệt"
        ));
    }
    if let Some((place, codes)) = rest.split_once(" (commune ") {
        let (commune, province) = codes.strip_suffix(')')?.split_once(", province ")?;
        return Some(format!("Nơi cư trú: {place} (mã xã {commune}, mã tỉnh {province})"));
    }
    let (place, province) = rest.split_once(" (province ")?;
    Some(format!("Nơi cư trú: {place} (mã tỉnh {})", province.strip_suffix(')')?))
}

/// `"may giat"(+3), "bao hanh"(+2)` with Vietnamese words around the matched terms.
fn terms_vi(terms: &str) -> String {
    if terms == "no matching terms" {
        "không có từ khóa nào khớp".into()
    } else {
        format!("từ khóa {terms}").replace(".0)", ")")
    }
}

/// `5.0` → `5,0`.
fn decimal(v: &str) -> String {
    v.replace('.', ",")
}

fn channel(c: &str) -> &str {
    match c {
        "hotline" => "tổng đài",
        "web" => "biểu mẫu trên trang web",
        "email" => "thư điện tử",
        "letter" => "thư, đơn giấy",
        "walk_in" => "trực tiếp",
        "zalo" => "Zalo",
        "api" => "hệ thống khác (API)",
        "internal" => "hệ thống tự lập",
        other => other,
    }
}

fn pii(kind: &str) -> &str {
    match kind {
        "phone" => "số điện thoại",
        "email" => "thư điện tử",
        "national_id" => "số căn cước",
        "passport" => "số hộ chiếu",
        "bank_account" => "số tài khoản ngân hàng",
        "card" => "số thẻ",
        "address" => "địa chỉ",
        "name" => "họ tên",
        "birth_date" => "ngày sinh",
        "plate" => "biển số xe",
        other => other,
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used)]
    use super::*;

    /// Every line the router writes for the labelled complaints (with a residence in and out
    /// of the province) has a Vietnamese form: none is left in English.
    #[test]
    fn every_reason_of_the_labelled_complaints_is_said_in_vietnamese() {
        let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR"));
        let router = crate::routing::Router::load_dir(&root.join("config")).unwrap();
        let t = router.taxonomy();
        let categories: Vec<(String, String)> = t.categories.iter().map(|c| (c.code.clone(), c.name.clone())).collect();
        let agencies: Vec<(String, String)> = t.agencies.iter().map(|a| (a.code.clone(), a.name.clone())).collect();
        let names = Names {
            categories: &categories,
            agencies: &agencies,
        };
        let data = std::fs::read_to_string(root.join("tests/fixtures/complaints-dev.jsonl")).unwrap();
        let mut seen = std::collections::BTreeSet::new();
        for (i, line) in data.lines().enumerate() {
            let v: serde_json::Value = serde_json::from_str(line).unwrap();
            let text = v["text"].as_str().unwrap();
            let mut c = router.classify(text, Some(["hotline", "web", "email"][i % 3]));
            let places = [
                (None, Some("Hà Nội")),
                (Some("Phường Bến Thành"), None),
                (Some("Xã Không Có"), Some("Tỉnh Không Có")),
                (Some("Xã Tân Tiến"), None),
                (Some("Xã Không Có"), Some("Hà Nội")),
            ];
            let (commune, province) = places[i % places.len()];
            router.place(&mut c, commune, province);
            for reason in &c.explanation {
                let said = vi(reason, &names);
                assert_ne!(&said, reason, "no Vietnamese form for: {reason}");
                for english in [
                    "no matching",
                    "question mark",
                    "score",
                    "lead",
                    "serves",
                    "fits",
                    "residence",
                    "agency",
                    "category",
                ] {
                    assert!(
                        !said.contains(english),
                        "English left ({english}) in: {said} (from: {reason})"
                    );
                }
                seen.insert(said.split([':', '(']).next().unwrap_or_default().to_owned());
            }
        }
        for kind in [
            "Nơi cư trú",
            "Đơn vị phụ trách",
            "Chuyển theo nơi cư trú",
            "Lĩnh vực gần thứ hai",
            "Nhóm dễ bị tổn thương",
        ] {
            assert!(seen.contains(kind), "{kind} not seen: {seen:?}");
        }
    }

    #[test]
    fn a_reason_names_its_codes() {
        let categories = [("goods_general".to_owned(), "Hàng hóa".to_owned())];
        let agencies = [("SCT".to_owned(), "Sở Công Thương".to_owned())];
        let n = Names {
            categories: &categories,
            agencies: &agencies,
        };
        assert_eq!(
            vi(
                "category goods_general (score 5.0): \"may giat\"(+3), \"bao hanh\"(+2)",
                &n
            ),
            "Lĩnh vực «Hàng hóa» (điểm 5,0): từ khóa \"may giat\"(+3), \"bao hanh\"(+2)"
        );
        assert_eq!(
            vi("kind dispute (scores: consultation 0.0, dispute 1.5, violation_report 0.0); cues: \"hoan lai\"(+1.5)", &n),
            "Loại tranh chấp (điểm: tư vấn 0,0, tranh chấp 1,5, phản ánh vi phạm 0,0); dấu hiệu: từ khóa \"hoan lai\"(+1.5)"
        );
        assert_eq!(
            vi("agency SCT: dispute lead for category goods_general", &n),
            "Cơ quan: Sở Công Thương — chủ trì giải quyết tranh chấp của lĩnh vực «Hàng hóa»"
        );
        assert_eq!(
            vi("kind consultation (scores: consultation 1.0, dispute 0.0, violation_report 0.0); cues: no matching terms, question mark(+1)", &n),
            "Loại tư vấn (điểm: tư vấn 1,0, tranh chấp 0,0, phản ánh vi phạm 0,0); dấu hiệu: không có từ khóa nào khớp, dấu chấm hỏi (+1)"
        );
        assert_eq!(vi("something new", &n), "something new");
    }
}
