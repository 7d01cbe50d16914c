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

/// `s` composed (NFC), borrowed when it is already (almost all text: the check is quick).
pub fn composed(s: &str) -> std::borrow::Cow<'_, str> {
    use unicode_normalization::{is_nfc_quick, IsNormalized, UnicodeNormalization};
    match is_nfc_quick(s.chars()) {
        IsNormalized::Yes => std::borrow::Cow::Borrowed(s),
        _ => std::borrow::Cow::Owned(s.nfc().collect()),
    }
}

/// A combining mark: how text typed with a decomposing keyboard setting (Unikey's "Unicode tổ
/// hợp") writes Vietnamese tones and vowel marks — "ồ" as `o` + U+0302 + U+0300.
fn is_combining_mark(c: char) -> bool {
    matches!(c, '\u{0300}'..='\u{036F}' | '\u{1AB0}'..='\u{1AFF}' | '\u{1DC0}'..='\u{1DFF}' | '\u{20D0}'..='\u{20FF}' | '\u{FE20}'..='\u{FE2F}')
}

/// Splits `text` into alphanumeric runs with their byte spans and folded forms.
///
/// Any non-alphanumeric character (punctuation, symbols, whitespace) separates tokens; a
/// combining mark belongs to the letter before it (decomposed text folds as composed text does).
pub fn tokenize(text: &str) -> Vec<Token> {
    let mut out = Vec::new();
    let mut start: Option<usize> = None;
    for (i, c) in text.char_indices() {
        if c.is_alphanumeric() || (start.is_some() && is_combining_mark(c)) {
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

/// Folds one alphanumeric run into tokens. A character may fold into several words (`½` →
/// `1/2`, `⅔` → `2/3`, `北京` → `Bei Jing`), so spans are assigned character by character: a
/// token spans the characters it was folded from, and a token that starts inside a character
/// whose earlier part ended another token gets an empty span at that character's end. So spans
/// always lie on character boundaries and never overlap or go backwards:
/// `start <= end <= next.start` for consecutive tokens.
fn push_token(out: &mut Vec<Token>, text: &str, start: usize, end: usize) {
    let word = text.get(start..end).unwrap_or("");
    // Plain ASCII letters and digits fold to themselves: one token, one allocation.
    if word.bytes().all(|b| b.is_ascii_alphanumeric()) {
        if !word.is_empty() {
            out.push(Token {
                start,
                end,
                norm: word.to_ascii_lowercase(),
            });
        }
        return;
    }
    // The open token: (start, end, folded text).
    let mut cur: Option<(usize, usize, String)> = None;
    // Where the last closed token of this run ended (a new token never starts before it).
    let mut floor = start;
    let mut buf = [0u8; 4];
    for (off, c) in word.char_indices() {
        let (cs, ce) = (start + off, start + off + c.len_utf8());
        if is_combining_mark(c) {
            // Folds to nothing; the token it marks spans it.
            if let Some((_, e, _)) = cur.as_mut() {
                *e = ce;
            }
            continue;
        }
        let folded: &str = if c.is_ascii() {
            c.encode_utf8(&mut buf)
        } else {
            deunicode::deunicode_char(c).unwrap_or("")
        };
        for (k, piece) in folded.split(|ch: char| !ch.is_ascii_alphanumeric()).enumerate() {
            if k > 0 {
                // a separator inside the folded character closes the open token
                if let Some((s, e, norm)) = cur.take() {
                    floor = e;
                    out.push(Token { start: s, end: e, norm });
                }
            }
            if piece.is_empty() {
                continue;
            }
            // `piece` is ASCII letters and digits (the split above); lowercased in place.
            match cur.as_mut() {
                Some((_, e, norm)) => {
                    norm.extend(piece.chars().map(|ch| ch.to_ascii_lowercase()));
                    *e = ce;
                }
                None => {
                    let mut norm = String::with_capacity(word.len());
                    norm.extend(piece.chars().map(|ch| ch.to_ascii_lowercase()));
                    cur = Some((cs.max(floor), ce, norm));
                }
            }
        }
    }
    if let Some((s, e, norm)) = cur {
        out.push(Token { start: s, end: e, norm });
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

    /// Text typed with a decomposing keyboard setting folds as composed text does; a mark's
    /// bytes belong to the token it marks.
    #[test]
    fn decomposed_text_folds_as_composed_text() {
        use unicode_normalization::UnicodeNormalization;
        let composed = "Nồi chiên KHÔNG DẦU của Huế, giá 1.200.000đ";
        let decomposed: String = composed.nfd().collect();
        assert_ne!(composed, decomposed);
        assert_eq!(normalize(&decomposed), normalize(composed));
        assert_eq!(normalize(&decomposed), "noi chien khong dau cua hue gia 1 200 000d");
        assert_spans_sane(&decomposed);
        let last_word = tokenize(&decomposed).into_iter().find(|t| t.norm == "hue").unwrap();
        assert_eq!(&decomposed[last_word.start..last_word.end], "Hue\u{302}\u{301}");
        // A mark with no letter before it separates, as punctuation does.
        assert_spans_sane("\u{301}abc \u{300}");
        assert_eq!(normalize("\u{301}abc \u{300}"), "abc");
    }

    /// Spans lie on character boundaries, inside the text, and never overlap or go back.
    fn assert_spans_sane(text: &str) {
        let toks = tokenize(text);
        let mut prev_end = 0;
        for t in &toks {
            assert!(
                t.start <= t.end && t.end <= text.len(),
                "span out of order in {text:?}: {t:?}"
            );
            assert!(prev_end <= t.start, "overlapping spans in {text:?}: {toks:?}");
            assert!(
                text.is_char_boundary(t.start) && text.is_char_boundary(t.end),
                "{text:?}: {t:?}"
            );
            assert!(!t.norm.is_empty() && t.norm.bytes().all(|b| b.is_ascii_alphanumeric()));
            prev_end = t.end;
        }
        // Every scanner that slices by token spans must survive the text too.
        let _ = crate::text::redact(text);
    }

    #[test]
    fn vulgar_fractions_fold_to_separate_tokens_with_sane_spans() {
        let toks = tokenize("Mua ½ kg thịt");
        let norms: Vec<&str> = toks.iter().map(|t| t.norm.as_str()).collect();
        assert_eq!(norms, ["mua", "1", "2", "kg", "thit"]);
        // "1" covers the fraction sign, "2" is an empty span at its end
        assert_eq!((toks[1].start, toks[1].end), (4, 6));
        assert_eq!((toks[2].start, toks[2].end), (6, 6));
        // deunicode folds ⅔ to " 2/3": the whole number stays apart from the fraction
        assert_eq!(normalize("2⅔ hộp"), "2 2 3 hop");
        assert_eq!(normalize("½kg"), "1 2kg");
    }

    #[test]
    fn every_number_form_and_script_symbol_keeps_spans_sane() {
        // Number Forms, superscripts/subscripts, enclosed alphanumerics, fullwidth forms, CJK
        // numerals, ligatures: characters whose folded form has several parts or none.
        let ranges = [
            0x2150..=0x218F,
            0x2070..=0x209F,
            0x2460..=0x24FF,
            0x3220..=0x325F,
            0x3280..=0x32BF,
            0xFB00..=0xFB06,
            0xFF01..=0xFF5E,
            0x00BC..=0x00BE,
        ];
        for c in ranges.into_iter().flatten().filter_map(char::from_u32) {
            for tpl in [
                "{c}",
                "a{c}b",
                "Mua {c} kg",
                "12{c}3 đường Lê Lợi",
                "0903{c}111222",
                "{c}{c} {c}x{c}",
            ] {
                assert_spans_sane(&tpl.replace("{c}", &c.to_string()));
            }
        }
    }

    #[test]
    fn every_code_point_keeps_spans_sane() {
        for c in (0..=0x10FFFFu32).filter_map(char::from_u32) {
            let s = c.to_string();
            let text = ["so 1", &s, &s, "2 duong A", &s, "b"].concat();
            assert_spans_sane(&text);
        }
    }

    #[test]
    fn property_arbitrary_strings_keep_spans_sane() {
        use rand::{Rng, SeedableRng};
        let pool: Vec<char> = "½¼¾⅓⅔⅕⅙⅛⅐⅑⅒↉ⅠⅫ①⑳²³₄ﬁﬀ北京Æœßđ Đạ0123456789 .,-/@+:;\n\tabcXYZ🙂\u{0301}\u{200B}"
            .chars()
            .collect();
        let mut rng = rand::rngs::StdRng::seed_from_u64(0x5eed);
        for _ in 0..20_000 {
            let len = rng.random_range(0..40);
            let text: String = (0..len)
                .map(|_| {
                    if rng.random_bool(0.1) {
                        char::from_u32(rng.random_range(0..0x3_0000)).unwrap_or('x')
                    } else {
                        pool[rng.random_range(0..pool.len())]
                    }
                })
                .collect();
            assert_spans_sane(&text);
        }
    }
}
