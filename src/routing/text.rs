//! Text normalisation and tokenisation.
//!
//! Vietnamese complaints arrive with and without diacritics, in upper or lower case, with
//! teencode abbreviations typed on phones. Everything that is matched (the complaint and the
//! vocabulary from `config/routing.toml`) goes through the same pipeline, so "Hàng GIẢ",
//! "hang gia" and "hàng giả" all become the token sequence `hang gia`.
//!
//! `deunicode` is used instead of NFD mark stripping because NFD leaves `đ` untouched.

use std::collections::HashMap;

/// A token of the original text: its byte span and its normalised (ASCII, lowercase) form.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Token {
    /// Byte offset of the first character in the original text.
    pub start: usize,
    /// Byte offset one past the last character in the original text.
    pub end: usize,
    /// Lowercase ASCII form without diacritics.
    pub norm: String,
}

/// Splits `text` into alphanumeric runs with their byte spans and folded forms.
///
/// Any non-alphanumeric character (punctuation, symbols, whitespace) separates tokens.
pub fn tokenize(text: &str) -> Vec<Token> {
    let mut out = Vec::new();
    let mut start: Option<usize> = None;
    for (i, c) in text.char_indices() {
        if c.is_alphanumeric() {
            if start.is_none() {
                start = Some(i);
            }
        } else if let Some(s) = start.take() {
            push_token(&mut out, text, s, i);
        }
    }
    if let Some(s) = start {
        push_token(&mut out, text, s, text.len());
    }
    out
}

fn push_token(out: &mut Vec<Token>, text: &str, start: usize, end: usize) {
    let word = text.get(start..end).unwrap_or("");
    // deunicode may turn one letter into several words (rare symbols); split them again.
    let folded = deunicode::deunicode(word).to_lowercase();
    for part in folded.split(|c: char| !c.is_ascii_alphanumeric()) {
        if !part.is_empty() {
            out.push(Token {
                start,
                end,
                norm: part.to_string(),
            });
        }
    }
}

/// The matching form of a text: lowercase, no diacritics (`đ` → `d`), punctuation turned into
/// spaces, whitespace collapsed. Abbreviations are *not* expanded here because the table lives
/// in `config/routing.toml`; see [`Normalizer`] for the full matching pipeline.
pub fn normalize(text: &str) -> String {
    let toks = tokenize(text);
    let mut s = String::with_capacity(text.len());
    for (i, t) in toks.iter().enumerate() {
        if i > 0 {
            s.push(' ');
        }
        s.push_str(&t.norm);
    }
    s
}

/// True when the token is made only of ASCII digits.
pub fn is_number(tok: &str) -> bool {
    !tok.is_empty() && tok.bytes().all(|b| b.is_ascii_digit())
}

/// Tokens ready for matching. An abbreviation expanded into several words is atomic: a phrase
/// may not start or end inside it (so "shop cam kết" → "cua hang cam ket" never matches
/// "hàng cấm").
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct TokenSeq {
    /// The normalised, expanded tokens.
    pub toks: Vec<String>,
    /// Whether a phrase may start at each token.
    pub start_ok: Vec<bool>,
    /// Whether a phrase may end at each token.
    pub end_ok: Vec<bool>,
}

/// Config-driven second stage: expands teencode/phone-typing abbreviations token-wise.
#[derive(Debug, Clone, Default)]
pub struct Normalizer {
    abbreviations: HashMap<String, Vec<String>>,
    keep_after_number: Vec<String>,
}

impl Normalizer {
    /// Builds the expander. Keys and values are normalised with [`normalize`] first, so the
    /// config may be written with diacritics (`đc = "được"`).
    pub fn new(abbreviations: &HashMap<String, String>, keep_after_number: &[String]) -> Self {
        let mut map = HashMap::new();
        for (k, v) in abbreviations {
            let key = normalize(k);
            if key.is_empty() || key.contains(' ') {
                continue;
            }
            let val: Vec<String> = normalize(v).split(' ').map(str::to_string).collect();
            map.insert(key, val);
        }
        Normalizer {
            abbreviations: map,
            keep_after_number: keep_after_number.iter().map(|s| normalize(s)).collect(),
        }
    }

    /// Normalises and expands: returns the token sequence used for matching.
    pub fn tokens(&self, text: &str) -> Vec<String> {
        self.token_seq(text).toks
    }

    /// Normalises and expands, recording where phrases may start and end.
    pub fn token_seq(&self, text: &str) -> TokenSeq {
        let base = tokenize(text);
        let mut out = TokenSeq::default();
        let mut prev_number = false;
        for t in base {
            let keep = prev_number && self.keep_after_number.contains(&t.norm);
            prev_number = is_number(&t.norm);
            match self.abbreviations.get(&t.norm) {
                Some(exp) if !keep => {
                    let n = exp.len();
                    for (i, w) in exp.iter().enumerate() {
                        out.toks.push(w.clone());
                        out.start_ok.push(i == 0);
                        out.end_ok.push(i + 1 == n);
                    }
                }
                _ => {
                    out.toks.push(t.norm);
                    out.start_ok.push(true);
                    out.end_ok.push(true);
                }
            }
        }
        out
    }

    /// Normalises a vocabulary phrase into tokens; `*` is kept as a one-token wildcard.
    pub fn phrase(&self, phrase: &str) -> Vec<String> {
        let mut out = Vec::new();
        for piece in phrase.split_whitespace() {
            if piece == "*" {
                out.push("*".to_string());
            } else {
                out.extend(self.tokens(piece));
            }
        }
        out
    }

    /// The matching form as one string (tokens joined by single spaces).
    pub fn matching_form(&self, text: &str) -> String {
        self.tokens(text).join(" ")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fold_handles_d_bar() {
        assert_eq!(normalize("Đồng"), "dong");
    }
}
