//! Value types parsed at the edge: once a value exists, it is valid.

use rand::Rng;
use serde::Serialize;

use super::error::{DomainError, Rule};

/// A Vietnamese phone number in its normal form: digits only, national prefix `0`
/// (`+84 90 123 4567`, `090.123.4567` and `0901234567` are the same number).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Phone(String);

impl Phone {
    pub fn parse(field: &str, raw: &str) -> Result<Phone, DomainError> {
        let mut digits: String = String::with_capacity(raw.len());
        let mut plus = false;
        for ch in raw.trim().chars() {
            match ch {
                '0'..='9' => digits.push(ch),
                // One `+`, before any digit ("(+84) 912 345 678").
                '+' if digits.is_empty() && !plus => plus = true,
                ' ' | '.' | '-' | '(' | ')' => {}
                _ => return Err(invalid_phone(field)),
            }
        }
        // International forms: +84…, 0084…, and 84… without its national 0 (no national number
        // starts with 8). A national 0 written after the country code ("+84 (0)912…") is dropped.
        let international = match plus {
            true => digits.strip_prefix("84"),
            false => digits
                .strip_prefix("0084")
                .or_else(|| digits.strip_prefix("84").filter(|r| r.len() >= 9)),
        };
        let national = match international {
            Some(rest) => format!("0{}", rest.strip_prefix('0').unwrap_or(rest)),
            None => digits,
        };
        if !(10..=11).contains(&national.len()) || !national.starts_with('0') {
            return Err(invalid_phone(field));
        }
        Ok(Phone(national))
    }

    pub fn last4(&self) -> &str {
        &self.0[self.0.len() - 4..]
    }
}

impl AsRef<str> for Phone {
    fn as_ref(&self) -> &str {
        &self.0
    }
}

fn invalid_phone(field: &str) -> DomainError {
    DomainError::invalid(field, Rule::Phone)
}

/// An e-mail address (syntax checked, lower-cased domain).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Email(String);

impl Email {
    pub fn parse(field: &str, raw: &str) -> Result<Email, DomainError> {
        let s = raw.trim();
        let bad = || DomainError::invalid(field, Rule::Email);
        let (local, domain) = s.split_once('@').ok_or_else(bad)?;
        if s.len() > 254
            || local.is_empty()
            || local.len() > 64
            || domain.len() < 3
            || !domain.contains('.')
            || domain.starts_with('.')
            || domain.ends_with('.')
            || domain.contains('@')
            || s.chars().any(|c| c.is_whitespace() || c.is_control())
        {
            return Err(bad());
        }
        Ok(Email(format!("{local}@{}", domain.to_ascii_lowercase())))
    }
}

impl AsRef<str> for Email {
    fn as_ref(&self) -> &str {
        &self.0
    }
}

/// A Vietnamese tax code (mã số thuế): 10 digits, or 10 + 3 for a branch, normalised to
/// `0123456789` / `0123456789-001`. The check digit is verified by the business registry, not
/// at intake, so that a consumer's slightly wrong code never blocks a complaint.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct TaxCode(String);

impl TaxCode {
    pub fn parse(field: &str, raw: &str) -> Result<TaxCode, DomainError> {
        let digits: String = raw.chars().filter(|c| !matches!(c, ' ' | '-' | '.')).collect();
        if !digits.chars().all(|c| c.is_ascii_digit()) || !(digits.len() == 10 || digits.len() == 13) {
            return Err(DomainError::invalid(field, Rule::TaxCode));
        }
        Ok(TaxCode(if digits.len() == 13 {
            format!("{}-{}", &digits[..10], &digits[10..])
        } else {
            digits
        }))
    }
}

/// Weights of the first nine digits of a Vietnamese tax code (mã số thuế) in its check digit.
///
/// The rule: `check = 10 − (Σ wᵢ·dᵢ mod 11)` over the first nine digits with these weights; a
/// sum ≡ 0 (mod 11) would need the "digit" 10, so no such code is issued and it is refused.
/// Source: the MST rule of the General Department of Taxation as implemented by python-stdnum
/// (`stdnum/vn/mst.py`, `calc_check_digit`), checked here against real codes: 0100109106
/// (Viettel) → 6, 0100107518 (Vietnam Airlines) → 8 (unit test below).
const TAX_CODE_WEIGHTS: [u32; 9] = [31, 29, 23, 19, 17, 13, 7, 5, 3];

/// The check digit of a tax code's first nine digits, or `None` for a prefix no code can have.
pub fn tax_code_check_digit(first_nine: &[u8]) -> Option<u8> {
    if first_nine.len() != 9 || !first_nine.iter().all(u8::is_ascii_digit) {
        return None;
    }
    let sum: u32 = first_nine
        .iter()
        .zip(TAX_CODE_WEIGHTS)
        .map(|(d, w)| u32::from(d - b'0') * w)
        .sum();
    match 10 - (sum % 11) {
        10 => None,
        d => u8::try_from(d).ok(),
    }
}

impl TaxCode {
    /// A tax code for the business registry: the shape of [`TaxCode::parse`] and a correct check
    /// digit (the 10th digit; a branch's three extra digits are 001–999). Intake keeps the
    /// shape-only rule: a consumer's typo must not refuse their complaint, it only fails to
    /// match a registry entry.
    pub fn parse_verified(field: &str, raw: &str) -> Result<TaxCode, DomainError> {
        let code = TaxCode::parse(field, raw)?;
        let b = code.0.as_bytes();
        let check_ok = tax_code_check_digit(&b[..9]).is_some_and(|d| b[9] == b'0' + d);
        let branch_ok = b.len() == 10 || &code.0[11..] != "000";
        if !check_ok || !branch_ok {
            return Err(DomainError::invalid(field, Rule::TaxCodeCheckDigit));
        }
        Ok(code)
    }
}

impl AsRef<str> for TaxCode {
    fn as_ref(&self) -> &str {
        &self.0
    }
}

/// What a complaint is about — a product or a service — as the consumer or the operator named
/// it ("Nồi chiên không dầu Sunhouse", "gói cước Internet"), with the key that groups the
/// complaints naming the same one (early warning's product dimension, ADR 0066): the name folded
/// as search folds it (`text::normalize`: no diacritics, lower case, punctuation as spaces)
/// without a leading generic word ("sản phẩm", "dịch vụ", "mặt hàng", "hàng hóa"), so "Sản phẩm
/// nồi chiên KHÔNG DẦU" and "nồi chiên không dầu" are one product. A name that says nothing ("dịch
/// vụ", "không", "chưa rõ") is not a product. Not personal data by itself, but typed freely: it
/// is never published, never written into the history, and is anonymised with the complaint's
/// text.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Product {
    name: String,
    key: String,
}

impl Product {
    /// The longest name kept, in characters.
    pub const MAX_CHARS: usize = 200;

    /// Leading words that say only "a product" or "a service" (folded).
    /// (Not "hàng" or "gói" alone: "hàng không" is an airline.)
    const GENERIC: [&'static str; 4] = ["san pham", "dich vu", "mat hang", "hang hoa"];

    /// Blank is "not given" (`None`), as is a name with no letter or digit ("-", "…") and one
    /// that names nothing (a generic word alone, "không", "chưa rõ"). One line: line breaks and
    /// tabs become spaces.
    pub fn parse(field: &str, raw: Option<&str>) -> Result<Option<Product>, DomainError> {
        let Some(name) = opt_text(field, raw, Product::MAX_CHARS)? else {
            return Ok(None);
        };
        let name = name.split_whitespace().collect::<Vec<_>>().join(" ");
        Ok(Product::key_of(&name).map(|key| Product { name, key }))
    }

    /// A name as stored (already parsed once); `None` if it has no key.
    pub fn from_stored(name: &str) -> Option<Product> {
        Product::key_of(name).map(|key| Product {
            name: name.to_owned(),
            key,
        })
    }

    /// A stored name with the personal data typed into it redacted, and the key of what is
    /// left (erasure, `?redact=true`, a cluster's report); `None` if nothing named is left.
    pub fn redacted(name: &str) -> Option<Product> {
        Product::from_stored(&crate::text::redact(name))
    }

    /// Answers to an optional question that name nothing (folded).
    /// (Not "k" alone: "K+" is a television service.)
    const NO_ANSWER: [&'static str; 11] = [
        "khong",
        "khong co",
        "ko",
        "chua ro",
        "khong ro",
        "khong biet",
        "chua biet",
        "khong nho",
        "khac",
        "hang",
        "n a",
    ];

    fn key_of(name: &str) -> Option<String> {
        let folded = crate::text::normalize(name);
        let key = Product::GENERIC
            .iter()
            .find_map(|g| folded.strip_prefix(g).and_then(|r| r.strip_prefix(' ')))
            .unwrap_or(&folded);
        let says_nothing = key.is_empty() || Product::GENERIC.contains(&key) || Product::NO_ANSWER.contains(&key);
        (!says_nothing).then(|| key.to_owned())
    }

    pub fn name(&self) -> &str {
        &self.name
    }

    pub fn key(&self) -> &str {
        &self.key
    }
}

/// Free text: trimmed, not empty, at most `max` characters, no control characters except
/// newlines and tabs, composed (NFC: text typed with a decomposing keyboard setting is stored as
/// everyone else's, so its names and places are found as personal data and its words match).
/// Vietnamese text is kept byte for byte otherwise.
pub fn text(field: &str, raw: &str, max: usize) -> Result<String, DomainError> {
    let t = crate::text::composed(raw.trim());
    let t = t.as_ref();
    if t.is_empty() {
        return Err(DomainError::invalid(field, Rule::Required));
    }
    if t.chars().count() > max {
        return Err(DomainError::invalid(field, Rule::TooLong(max)));
    }
    if t.chars().any(refused_control) {
        return Err(DomainError::invalid(field, Rule::ControlCharacters));
    }
    Ok(t.to_owned())
}

/// A control character free text may not hold (all but line breaks and tabs).
pub fn refused_control(c: char) -> bool {
    c.is_control() && !matches!(c, '\n' | '\r' | '\t')
}

/// Optional free text: `None` and blank strings are both "not given".
pub fn opt_text(field: &str, raw: Option<&str>, max: usize) -> Result<Option<String>, DomainError> {
    match raw {
        Some(s) if !s.trim().is_empty() => text(field, s, max).map(Some),
        _ => Ok(None),
    }
}

/// Characters of tracking codes: no 0/O, 1/I/L or U, so a code read out on the phone is unambiguous.
pub const CODE_ALPHABET: &[u8] = b"23456789ABCDEFGHJKMNPQRSTVWXYZ";

/// A new unguessable tracking code, e.g. `KN-2026-7QF3-XK2M` (8 random symbols ≈ 39 bits; the
/// status page also requires the last four digits of the phone).
pub fn new_tracking_code(prefix: &str, year: i32) -> String {
    let mut rng = rand::rng();
    let mut sym = || CODE_ALPHABET[rng.random_range(0..CODE_ALPHABET.len())] as char;
    let a: String = (0..4).map(|_| sym()).collect();
    let b: String = (0..4).map(|_| sym()).collect();
    format!("{prefix}-{year}-{a}-{b}")
}

/// Hides the random part of every tracking code in `text` (`KN-2026-AB12-CD34` →
/// `KN-2026-****-****`): for views that must not hand codes out, such as the admin outbox.
pub fn mask_tracking_codes(text: &str) -> String {
    let is_code = |w: &str| {
        let parts: Vec<&str> = w.split('-').collect();
        parts.len() == 4
            && !parts[0].is_empty()
            && parts[0].len() <= 8
            && parts[0].bytes().all(|b| b.is_ascii_uppercase())
            && parts[1].len() == 4
            && parts[1].bytes().all(|b| b.is_ascii_digit())
            && parts[2..]
                .iter()
                .all(|p| p.len() == 4 && p.bytes().all(|b| CODE_ALPHABET.contains(&b)))
    };
    let mut out = String::with_capacity(text.len());
    let mut word = String::new();
    let flush = |word: &mut String, out: &mut String| {
        if is_code(word) {
            let keep = word.len() - 9;
            out.push_str(&word[..keep]);
            out.push_str("****-****");
        } else {
            out.push_str(word);
        }
        word.clear();
    };
    for c in text.chars() {
        if c.is_ascii_alphanumeric() || c == '-' {
            word.push(c);
        } else {
            flush(&mut word, &mut out);
            out.push(c);
        }
    }
    flush(&mut word, &mut out);
    out
}

/// Normalises a tracking code typed by a person (case, spaces).
pub fn normalize_tracking_code(raw: &str) -> String {
    raw.trim().to_ascii_uppercase().replace(' ', "")
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Decomposed input (Unikey's "Unicode tổ hợp") is stored composed: the names in it are
    /// then found as personal data, as in everyone else's text.
    #[test]
    fn free_text_is_stored_composed() {
        use unicode_normalization::UnicodeNormalization;
        let composed = "Ông Trần Văn Bình ở phường Bến Nghé gọi lại giúp tôi";
        let decomposed: String = composed.nfd().collect();
        assert_ne!(decomposed, composed);
        assert_eq!(text("description", &decomposed, 100).unwrap(), composed);
        assert_eq!(
            crate::text::redact(&text("description", &decomposed, 100).unwrap()),
            crate::text::redact(composed)
        );
        assert!(
            crate::text::redact(composed).contains("[name]"),
            "{}",
            crate::text::redact(composed)
        );
        // The limit counts what is stored: the composed characters.
        let long: String = "ệ".repeat(10).nfd().collect();
        assert!(text("t", &long, 10).is_ok());
    }

    #[test]
    fn products_named_alike_share_a_key() {
        let key = |raw: &str| {
            Product::parse("product", Some(raw))
                .unwrap()
                .map(|p| p.key().to_owned())
        };
        assert_eq!(
            key("Sản phẩm nồi chiên KHÔNG DẦU").as_deref(),
            Some("noi chien khong dau")
        );
        assert_eq!(key("  nồi chiên không dầu "), key("Nồi chiên không dầu"));
        assert_eq!(key("Dịch vụ Internet cáp quang"), key("internet cáp quang"));
        assert_eq!(key("Hàng không giá rẻ").as_deref(), Some("hang khong gia re"));
        // Blank, no letter nor digit, a generic word alone, "no" or "don't know": not given.
        for says_nothing in [
            "   ",
            "- …",
            "Dịch vụ",
            "sản phẩm",
            "Không",
            "không có",
            "Chưa rõ",
            "N/A",
            "Khác",
        ] {
            assert_eq!(key(says_nothing), None, "{says_nothing}");
        }
        assert_eq!(key("Dịch vụ vận chuyển").as_deref(), Some("van chuyen"));
        assert_eq!(key("Hàng xách tay").as_deref(), Some("hang xach tay"));
        assert_eq!(key("K+").as_deref(), Some("k"), "a television service");
        assert_eq!(Product::parse("product", None).unwrap(), None);
        let p = Product::parse("product", Some(" Sữa bột ABC ")).unwrap().unwrap();
        assert_eq!(p.name(), "Sữa bột ABC");
        assert_eq!(Product::from_stored("Sữa bột ABC"), Some(p));
        // One line, at most 200 characters.
        let one_line = Product::parse("product", Some("nồi\n chiên\tA")).unwrap().unwrap();
        assert_eq!(one_line.name(), "nồi chiên A");
        assert!(Product::parse("product", Some(&"a".repeat(201))).is_err());
        assert!(Product::parse("product", Some(&"â".repeat(200))).is_ok());
    }

    #[test]
    fn tracking_codes_are_masked_in_text() {
        let code = new_tracking_code("KN", 2026);
        let masked = mask_tracking_codes(&format!("[Nhắc hạn] Hồ sơ {code}: đến hạn"));
        assert_eq!(masked, "[Nhắc hạn] Hồ sơ KN-2026-****-****: đến hạn");
        assert_eq!(
            mask_tracking_codes("Số 2026-11-28 và ABC-DEF"),
            "Số 2026-11-28 và ABC-DEF"
        );
    }

    #[test]
    fn phones_normalise_to_national_form() {
        for raw in [
            "0901234567",
            "090.123.4567",
            "+84 90 123 4567",
            "84901234567",
            "(028) 3823 4567",
        ] {
            let p = Phone::parse("phone", raw).unwrap();
            assert!(p.as_ref().starts_with('0'), "{raw}");
        }
        assert_eq!(Phone::parse("p", "+84 90 123 4567").unwrap().as_ref(), "0901234567");
        assert_eq!(Phone::parse("p", "090.123.4567").unwrap().last4(), "4567");
        for (raw, national) in [
            ("+84 0912 345 678", "0912345678"),
            ("+840912345678", "0912345678"),
            ("+84 (0) 24 3825 1234", "02438251234"),
            ("(+84) 912 345 678", "0912345678"),
            ("0084 912 345 678", "0912345678"),
            ("84 912 345 678", "0912345678"),
        ] {
            assert_eq!(Phone::parse("p", raw).map(|p| p.0), Ok(national.to_owned()), "{raw}");
        }
        for bad in [
            "",
            "12345",
            "090123456a",
            "+8490",
            "1901234567",
            "++84912345678",
            "09+12345678",
            "+1 202 555 0100",
        ] {
            assert!(Phone::parse("phone", bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn emails_and_tax_codes() {
        assert!(Email::parse("e", "a.b@Example.COM").is_ok());
        assert_eq!(Email::parse("e", "a@Example.COM").unwrap().as_ref(), "a@example.com");
        for bad in ["", "a", "a@b", "a @b.com", "@b.com", "a@.com"] {
            assert!(Email::parse("e", bad).is_err(), "{bad}");
        }
        assert_eq!(TaxCode::parse("t", "0101243150").unwrap().as_ref(), "0101243150");
        assert_eq!(
            TaxCode::parse("t", "0101243150-001").unwrap().as_ref(),
            "0101243150-001"
        );
        assert!(TaxCode::parse("t", "12345").is_err());
    }

    #[test]
    fn tax_code_check_digits_match_real_codes() {
        // Viettel (0100109106) and the fixture business of the tests (0101243150, sum ≡ 10).
        for real in ["0100109106", "0101243150", "0100109106-001", "0100107518"] {
            assert!(TaxCode::parse_verified("t", real).is_ok(), "{real}");
        }
        for wrong in ["0100109107", "0101243151", "0100109106-000", "12345"] {
            assert!(TaxCode::parse_verified("t", wrong).is_err(), "{wrong}");
        }
        // A prefix whose weighted sum is a multiple of 11 has no valid check digit.
        assert_eq!(tax_code_check_digit(b"000000000"), None);
    }

    #[test]
    fn tracking_codes_have_the_documented_shape() {
        let c = new_tracking_code("KN", 2026);
        assert_eq!(c.len(), "KN-2026-7QF3-XK2M".len());
        assert!(c.starts_with("KN-2026-"));
        assert_ne!(c, new_tracking_code("KN", 2026));
    }
}
