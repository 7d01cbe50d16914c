//! Redaction measured on a labelled set (tests/fixtures/pii-labelled.jsonl, written by
//! scripts/gen_pii_set.py): recall per kind (a labelled value counts as found when every byte
//! of it is inside a detected span) and precision (a detected span is right when it overlaps a
//! labelled value). `cargo test --lib pii_eval -- --nocapture` prints the table.

use std::collections::BTreeMap;

use super::detect_pii;

const SET: &str = include_str!("../../tests/fixtures/pii-labelled.jsonl");

#[test]
fn redaction_precision_and_recall_on_the_labelled_set() {
    let mut found: BTreeMap<String, (usize, usize)> = BTreeMap::new(); // kind -> (found, total)
    let (mut right, mut detected) = (0usize, 0usize);
    let mut misses = Vec::new();
    let mut false_alarms = Vec::new();
    for line in SET.lines().filter(|l| !l.trim().is_empty()) {
        let v: serde_json::Value = serde_json::from_str(line).expect("a JSON line");
        let text = v["text"].as_str().expect("text");
        let spans = detect_pii(text);
        let mut labelled = Vec::new();
        for p in v["pii"].as_array().expect("pii") {
            let value = p["value"].as_str().expect("value");
            let kind = p["kind"].as_str().expect("kind").to_owned();
            let start = text.find(value).expect("the value is in the text");
            let end = start + value.len();
            labelled.push((start, end));
            let covered = (start..end).all(|b| spans.iter().any(|s| s.start <= b && b < s.end));
            let e = found.entry(kind.clone()).or_default();
            e.1 += 1;
            if covered {
                e.0 += 1;
            } else {
                misses.push(format!("{kind}: {value:?} in {text:?}"));
            }
        }
        for s in &spans {
            detected += 1;
            if labelled.iter().any(|&(a, b)| s.start < b && a < s.end) {
                right += 1;
            } else {
                false_alarms.push(format!("{}: {:?} in {text:?}", s.kind, &text[s.start..s.end]));
            }
        }
    }
    let (hit, total) = found.values().fold((0, 0), |(h, t), (a, b)| (h + a, t + b));
    println!("kind           found / labelled   recall");
    for (k, (a, b)) in &found {
        println!("{k:<14} {a:>5} / {b:<8}   {:.3}", *a as f64 / *b as f64);
    }
    let recall = hit as f64 / total as f64;
    let precision = right as f64 / detected.max(1) as f64;
    println!("overall        {hit:>5} / {total:<8}   recall {recall:.3}, precision {precision:.3} ({right} of {detected} spans)");
    for m in &misses {
        println!("missed  {m}");
    }
    for f in &false_alarms {
        println!("extra   {f}");
    }
    assert!(recall >= 0.90, "recall {recall:.3}");
    assert!(precision >= 0.90, "precision {precision:.3}");
}

#[test]
fn places_and_brands_are_not_people() {
    for text in [
        "Tôi ở Hà Nội, mua hàng của shop ở TP Hồ Chí Minh.",
        "Sở Công Thương tỉnh Hà Tĩnh và Chi cục QLTT Lâm Đồng đã nhận hồ sơ.",
        "Cửa hàng Thế Giới Di Động ở Cao Bằng bán máy lỗi.",
        "Mua sữa Vinamilk, bánh Kinh Đô tại Co.opmart.",
    ] {
        let found = detect_pii(text);
        assert!(found.iter().all(|m| m.kind != "name"), "{text}: {found:?}");
    }
}
