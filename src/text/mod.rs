//! Text as the service reads it: normalisation and tokenisation of Vietnamese (with or without
//! diacritics, teencode) and detection/redaction of personal data. A pure leaf: std, serde and
//! `deunicode` only; used by routing, the domain (search words) and every service that shows or
//! stores free text.

mod normalize;
mod pii;
#[cfg(test)]
mod pii_eval;
mod pii_more;

pub use normalize::{composed, is_number, normalize, tokenize, Normalizer, Token, TokenSeq};
pub use pii::{detect_pii, redact, PiiMatch};

/// A whole number as Vietnamese writes it, thousands grouped with dots: 1.250.000, -20.000.
pub fn thousands(n: i64) -> String {
    let digits = n.unsigned_abs().to_string();
    let mut out = String::with_capacity(digits.len() + digits.len() / 3 + 1);
    if n < 0 {
        out.push('-');
    }
    for (i, ch) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i) % 3 == 0 {
            out.push('.');
        }
        out.push(ch);
    }
    out
}
