//! Text as the service reads it: normalisation and tokenisation of Vietnamese (with or without
//! diacritics, teencode) and detection/redaction of personal data. A pure leaf: std, serde and
//! `deunicode` only; used by routing, the domain (search words) and every service that shows or
//! stores free text.

mod normalize;
mod pii;
#[cfg(test)]
mod pii_eval;
mod pii_more;

pub use normalize::{is_number, normalize, tokenize, Normalizer, Token, TokenSeq};
pub use pii::{detect_pii, redact, PiiMatch};
