//! More personal data in free text (issue 10 item 7): personal names, street addresses written
//! without a street word ("12 Lê Lợi"), birth dates and years, passport numbers, vehicle number
//! plates, payment card numbers (Luhn). Each scanner prefers precision: business and place
//! names, money, order numbers, law citations and tax codes are left alone.

use super::normalize::{is_number, Token};
use super::pii::PiiMatch;

/// Words that announce a person by name ("anh Tuấn", "bà Nguyễn Thị Lan"), compared as written
/// (lower case, with diacritics): folded, "đi" (go) would be "dì" (aunt) and "có" (has) "cô".
const HONORIFICS: &[&str] = &[
    "anh", "chị", "ông", "bà", "em", "cô", "chú", "bác", "dì", "mr", "ms", "mrs", "bạn", "cậu", "thím", "mợ",
];
const NAME_INTROS: &[&[&str]] = &[
    &["ten", "la"],
    &["toi", "ten"],
    &["ho", "ten"],
    &["ho", "va", "ten"],
    &["toi", "la"],
    &["nguoi", "nhan"],
    &["khach", "hang"],
];
/// Vietnamese family names, which start most full names, compared as written (folded, "Dương"
/// would be "Đường", a road or sugar).
const FAMILY_NAMES: &[&str] = &[
    "Nguyễn", "Trần", "Lê", "Phạm", "Hoàng", "Huỳnh", "Phan", "Vũ", "Võ", "Đặng", "Bùi", "Đỗ", "Hồ", "Ngô", "Dương",
    "Lý", "Đinh", "Đào", "Lâm", "Mai", "Trịnh", "Trương", "Hà", "Cao", "Lương", "Tạ", "Chu", "Đoàn", "Vương", "Thái",
    "Tô", "Quách", "Kiều", "Lại", "Lưu", "Tăng", "Khúc", "La", "Giang", "Triệu", "Âu",
];
/// Words right before a capitalised phrase that make it a business, a place or an institution
/// ("Công ty TNHH Nguyễn Kim", "đường Trần Phú", "TP Hồ Chí Minh").
const NOT_A_PERSON: &[&[&str]] = &[
    &["cong", "ty"],
    &["cty"],
    &["tnhh"],
    &["cp"],
    &["cua", "hang"],
    &["shop"],
    &["sieu", "thi"],
    &["dien", "may"],
    &["tap", "doan"],
    &["chi", "nhanh"],
    &["benh", "vien"],
    &["truong"],
    &["duong"],
    &["pho"],
    &["ngo"],
    &["hem"],
    &["quan"],
    &["huyen"],
    &["phuong"],
    &["xa"],
    &["tp"],
    &["thanh", "pho"],
    &["tinh"],
    &["nha", "thuoc"],
    &["nha", "hang"],
    &["khach", "san"],
    &["mart"],
    &["store"],
    &["tiem"],
    &["dai", "ly"],
    &["cuc"],
    &["bo"],
    &["hoi"],
    &["so"],
    &["cho"],
    &["lang"],
    &["thon"],
    &["ap"],
    &["khu"],
];
/// Places whose names start like a family name ("Hà Nội", "Cao Bằng"), folded.
const PLACES: &[&str] = &[
    "ha noi",
    "ha tinh",
    "ha giang",
    "ha nam",
    "ha long",
    "ha tien",
    "ho chi minh",
    "cao bang",
    "lam dong",
    "dong nai",
    "dong thap",
    "dong ha",
    "dong hoi",
    "mai chau",
    "ly son",
    "phan thiet",
    "phan rang",
    "vu tau",
    "vung tau",
    "to lich",
    "ho guom",
    "ho tay",
    "ha dong",
    "thai nguyen",
    "thai binh",
    "lang son",
    "la gi",
    "giang dien",
    "dao phu quoc",
    "le loi",
    "tran hung dao",
    "nguyen hue",
    "le duan",
];

/// Whether the run of `len` tokens from `i` starts with a known place.
fn is_place(tokens: &[Token], i: usize, len: usize) -> bool {
    PLACES.iter().any(|p| {
        let n = p.split(' ').count();
        n <= len && tokens[i..i + n].iter().zip(p.split(' ')).all(|(t, w)| t.norm == w)
    })
}

/// Cue words before a birth date or year.
const BIRTH_CUES: &[&[&str]] = &[
    &["sinh", "nam"],
    &["nam", "sinh"],
    &["sn"],
    &["sinh", "ngay"],
    &["ngay", "sinh"],
    &["sinh"],
];
/// Cue words before a passport number.
const PASSPORT_CUES: &[&[&str]] = &[&["ho", "chieu"], &["passport"]];

fn starts_upper(text: &str, t: &Token) -> bool {
    text[t.start..t.end].chars().next().is_some_and(char::is_uppercase)
}

/// A word written like a name: capitalised, not an acronym ("MST", "CCCD").
fn name_like(text: &str, t: &Token) -> bool {
    let w = &text[t.start..t.end];
    starts_upper(text, t) && (w.chars().count() == 1 || w.chars().skip(1).any(char::is_lowercase))
}

/// Whether the tokens ending just before `i` are `cue` (folded words).
fn preceded_by(tokens: &[Token], i: usize, cue: &[&str]) -> bool {
    i >= cue.len() && tokens[i - cue.len()..i].iter().zip(cue).all(|(t, c)| t.norm == *c)
}

/// The capitalised name tokens from `i`: at most 4, on one line, with no punctuation between.
fn name_run(text: &str, tokens: &[Token], i: usize) -> usize {
    let mut k = i;
    while k < tokens.len() && k < i + 4 && name_like(text, &tokens[k]) && !is_number(&tokens[k].norm) {
        if k > i && !text[tokens[k - 1].end..tokens[k].start].chars().all(|c| c == ' ') {
            break;
        }
        k += 1;
    }
    k - i
}

fn scan_names(text: &str, tokens: &[Token], out: &mut Vec<PiiMatch>) {
    let mut i = 0;
    while i < tokens.len() {
        let run = name_run(text, tokens, i);
        if run == 0 {
            // Not capitalised: no name starts here, whatever precedes it (most words of a
            // complaint; the cue checks below are the costly part of the scan).
            i += 1;
            continue;
        }
        let after_cue = i > 0
            && (HONORIFICS.contains(&&text[tokens[i - 1].start..tokens[i - 1].end])
                || NAME_INTROS.iter().any(|c| preceded_by(tokens, i, c)))
            && text[tokens[i - 1].end..tokens[i].start]
                .trim_matches([' ', ':'])
                .is_empty();
        let family = FAMILY_NAMES.contains(&&text[tokens[i].start..tokens[i].end]);
        // A phrase right after (or one word after: "Trường THCS Nguyễn Du") a business or place
        // word is that business or place; an honorific ("anh", "bà") overrides it.
        let business_before = NOT_A_PERSON
            .iter()
            .any(|c| preceded_by(tokens, i, c) || (i > 0 && preceded_by(tokens, i - 1, c)));
        let place = is_place(tokens, i, run);
        let is_name = !place && (after_cue || !business_before && family && (2..=4).contains(&run));
        if is_name {
            out.push(PiiMatch {
                kind: "name",
                start: tokens[i].start,
                end: tokens[i + run - 1].end,
            });
            i += run;
        } else {
            // A business or place name is skipped whole ("đường Phan Đình Phùng").
            i += if business_before || place { run } else { 1 };
        }
    }
}

/// Alleys: "ngõ 79 phố Lê Lợi", "hẻm 12/3 Nguyễn Trãi", "kiệt 5 Hùng Vương".
fn scan_alleys(text: &str, tokens: &[Token], out: &mut Vec<PiiMatch>) {
    let n = tokens.len();
    for i in 0..n {
        if !matches!(tokens[i].norm.as_str(), "ngo" | "hem" | "kiet" | "ngach")
            || i + 2 >= n
            || !is_number(&tokens[i + 1].norm)
        {
            continue;
        }
        let mut j = i + 2;
        while j < n && is_number(&tokens[j].norm) && text[tokens[j - 1].end..tokens[j].start].trim() == "/" {
            j += 1;
        }
        if j < n && matches!(tokens[j].norm.as_str(), "pho" | "duong" | "ngo" | "ngach") {
            j += 1;
        }
        let run = if j < n { name_run(text, tokens, j) } else { 0 };
        if run >= 1 {
            out.push(PiiMatch {
                kind: "address",
                start: tokens[i].start,
                end: tokens[j + run - 1].end,
            });
        }
    }
}

/// Landlines written with the area code in brackets: "(028) 3822 1111", "(0236) 3822 555".
fn scan_bracketed_landlines(text: &str, out: &mut Vec<PiiMatch>) {
    let b = text.as_bytes();
    for (open, _) in text.match_indices('(') {
        let area = b[open + 1..].iter().take_while(|c| c.is_ascii_digit()).count();
        let close = open + 1 + area;
        if !(3..=4).contains(&area) || b[open + 1] != b'0' || b[open + 2] != b'2' || b.get(close) != Some(&b')') {
            continue;
        }
        let mut k = close + 1;
        let mut digits = area;
        while k < b.len()
            && (b[k].is_ascii_digit()
                || (matches!(b[k], b' ' | b'.' | b'-') && b.get(k + 1).is_some_and(u8::is_ascii_digit)))
        {
            digits += usize::from(b[k].is_ascii_digit());
            k += 1;
        }
        if digits == 11 {
            out.push(PiiMatch {
                kind: "phone",
                start: open,
                end: k,
            });
        }
    }
}

/// "12 Lê Lợi", "123/4 Nguyễn Trãi": a house number right before a capitalised street name.
fn scan_bare_addresses(text: &str, tokens: &[Token], out: &mut Vec<PiiMatch>) {
    let n = tokens.len();
    let mut i = 0;
    while i < n {
        let t = &tokens[i];
        let digits = t.norm.bytes().take_while(u8::is_ascii_digit).count();
        let house = (1..=4).contains(&digits) && t.norm.len() - digits <= 1;
        let mut j = i + 1;
        while j < n && is_number(&tokens[j].norm) && text[tokens[j - 1].end..tokens[j].start].trim() == "/" {
            j += 1;
        }
        let counted_before = i > 0 && matches!(tokens[i - 1].norm.as_str(), "dieu" | "khoan" | "luat" | "nghi" | "so");
        if house && !counted_before && j < n && text[tokens[j - 1].end..tokens[j].start] == *" " {
            let run = name_run(text, tokens, j);
            if run >= 2 {
                out.push(PiiMatch {
                    kind: "address",
                    start: t.start,
                    end: tokens[j + run - 1].end,
                });
                i = j + run;
                continue;
            }
        }
        i += 1;
    }
}

/// A birth year (1900–2029) or date right after a birth cue.
fn scan_birth(tokens: &[Token], out: &mut Vec<PiiMatch>) {
    for i in 0..tokens.len() {
        if !BIRTH_CUES.iter().any(|c| preceded_by(tokens, i, c)) || !is_number(&tokens[i].norm) {
            continue;
        }
        let year_at = |k: usize| {
            tokens
                .get(k)
                .is_some_and(|t| t.norm.len() == 4 && ("1900".."2030").contains(&t.norm.as_str()))
        };
        let end = if year_at(i) {
            tokens[i].end
        } else if tokens[i].norm.len() <= 2 && year_at(i + 2) {
            // d/m/yyyy, d-m-yyyy, d.m.yyyy
            tokens[i + 2].end
        } else {
            continue;
        };
        out.push(PiiMatch {
            kind: "birth_date",
            start: tokens[i].start,
            end,
        });
    }
}

/// One letter and seven digits ("C1234567"), or eight characters after a passport cue.
fn scan_passports(text: &str, tokens: &[Token], out: &mut Vec<PiiMatch>) {
    for (i, t) in tokens.iter().enumerate() {
        let b = t.norm.as_bytes();
        let shaped = b.len() == 8 && b[0].is_ascii_lowercase() && b[1..].iter().all(u8::is_ascii_digit);
        let cued = PASSPORT_CUES.iter().any(|c| preceded_by(tokens, i, c))
            && (8..=9).contains(&b.len())
            && b.iter().filter(|c| c.is_ascii_digit()).count() >= 7;
        if (shaped && text[t.start..t.end].starts_with(|c: char| c.is_ascii_uppercase())) || cued {
            out.push(PiiMatch {
                kind: "passport",
                start: t.start,
                end: t.end,
            });
        }
    }
}

/// Vehicle plates: two digits, one or two letters (and maybe a digit), then 4–5 digits:
/// "29A-123.45", "51F-12345", "30E1-234.56", "59-X1 123.45".
fn scan_plates(text: &str, out: &mut Vec<PiiMatch>) {
    let b = text.as_bytes();
    let mut i = 0;
    while i + 6 < b.len() {
        let boundary = i == 0 || !b[i - 1].is_ascii_alphanumeric();
        if boundary && b[i].is_ascii_digit() && b[i + 1].is_ascii_digit() {
            if let Some(end) = plate_at(b, i + 2) {
                out.push(PiiMatch {
                    kind: "plate",
                    start: i,
                    end,
                });
                i = end;
                continue;
            }
        }
        i += 1;
    }
}

fn plate_at(b: &[u8], mut j: usize) -> Option<usize> {
    if b.get(j) == Some(&b'-') {
        j += 1;
    }
    let letters = b[j..].iter().take_while(|c| c.is_ascii_uppercase()).count();
    if !(1..=2).contains(&letters) {
        return None;
    }
    j += letters;
    if b.get(j).is_some_and(u8::is_ascii_digit) && b.get(j + 1).is_some_and(|c| !c.is_ascii_digit()) {
        j += 1;
    }
    if !matches!(b.get(j), Some(b'-' | b' ' | b'.')) {
        return None;
    }
    j += 1;
    let mut digits = 0;
    let mut k = j;
    while k < b.len() && (b[k].is_ascii_digit() || (b[k] == b'.' && b.get(k + 1).is_some_and(u8::is_ascii_digit))) {
        digits += usize::from(b[k].is_ascii_digit());
        k += 1;
    }
    let ends = b.get(k).is_none_or(|c| !c.is_ascii_alphanumeric());
    ((4..=5).contains(&digits) && ends).then_some(k)
}

/// Whether `digits` passes the Luhn check (payment cards).
pub fn luhn(digits: &str) -> bool {
    let mut sum = 0;
    for (i, c) in digits.bytes().rev().enumerate() {
        let mut d = u32::from(c - b'0');
        if i % 2 == 1 {
            d *= 2;
            if d > 9 {
                d -= 9;
            }
        }
        sum += d;
    }
    !digits.is_empty() && sum % 10 == 0
}

/// Runs every scanner of this module.
pub fn scan(text: &str, tokens: &[Token], out: &mut Vec<PiiMatch>) {
    scan_bracketed_landlines(text, out);
    scan_alleys(text, tokens, out);
    scan_bare_addresses(text, tokens, out);
    scan_birth(tokens, out);
    scan_passports(text, tokens, out);
    scan_plates(text, out);
    scan_names(text, tokens, out);
}
