//! Free-text search: what a case is indexed under, and what a query asks for.
//!
//! Both sides use the same normal form (case and diacritics folded, `đ` → `d`, punctuation
//! removed), so "NỒI CƠM điện" finds "nồi cơm điện" and "noi com dien". Words match whole:
//! Vietnamese syllables are short and distinct words share prefixes ("an", "anh", "ang"), so a
//! prefix match would drown the answer. Words holding a digit (phone numbers, tracking-code
//! groups, tax codes, amounts) also match as prefixes, so the first digits of a phone number
//! find it. A phone number is searched by its normalised form however it is typed
//! (`0912 345 678`, `0912.345.678`, `+84 912 345 678`), and phone numbers written inside the
//! complaint's text are indexed in that form too.

use chrono::NaiveDateTime;

use crate::domain::values::Phone;
use crate::text::{detect_pii, normalize};

/// At most this many distinct words are indexed per case.
pub const MAX_INDEXED_WORDS: usize = 2000;
/// At most this many words of a query are used.
pub const MAX_QUERY_TERMS: usize = 8;
/// Longer words are indexed and searched by their first this many characters (normalised words
/// are ASCII, so characters = bytes). PostgreSQL refuses a lexeme over 2,047 bytes; SQLite has
/// no limit, and both backends must find the same cases, so the cap is applied here, before
/// either sees the word. No real word or number is near it; a "word" this long is pasted junk
/// (a URL, a base64 blob) and its first characters find it as well as the rest would.
pub const MAX_WORD_CHARS: usize = 100;

/// The indexed / searched form of a normalised word: its first [`MAX_WORD_CHARS`] characters.
fn capped(word: &str) -> &str {
    word.get(..MAX_WORD_CHARS).unwrap_or(word)
}

/// One word of a query.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SearchTerm {
    /// Normalised: ASCII letters and digits only.
    pub word: String,
    /// Matches any indexed word that starts with `word`.
    pub prefix: bool,
}

/// A tracking code (`KN-2026-7QF3-XK2M`, any case, dashes or spaces optional) as one word
/// (`kn20267qf3xk2m`): its groups alone are poor search words ("kn" and the year are in every
/// case), so the code is indexed and searched whole.
fn code_word(chunk: &str) -> Option<String> {
    let c: String = chunk
        .chars()
        .filter(|ch| *ch != '-')
        .map(|ch| ch.to_ascii_lowercase())
        .collect();
    let letters = c.bytes().take_while(u8::is_ascii_lowercase).count();
    let rest = c.get(letters..)?;
    let year = rest
        .get(..4)
        .filter(|y| is_number(y))
        .and_then(|y| y.parse::<u32>().ok());
    // The 8 random symbols come from the code alphabet (no 0, 1, i, l, o, u): "mua 2026 tivi
    // sony" has the right lengths but is not a code.
    let ok = (1..=6).contains(&letters)
        && rest.len() == 12
        && year.is_some_and(|y| (2000..=2999).contains(&y))
        && rest[4..]
            .bytes()
            .all(|b| super::values::CODE_ALPHABET.contains(&b.to_ascii_uppercase()));
    ok.then_some(c)
}

/// Tracking codes written in `text` (as whitespace-separated chunks), one word each.
fn codes_in(text: &str) -> impl Iterator<Item = String> + '_ {
    text.split(|c: char| c.is_whitespace() || matches!(c, ',' | ';' | ':' | '(' | ')' | '.'))
        .filter_map(code_word)
}

fn is_number(w: &str) -> bool {
    !w.is_empty() && w.bytes().all(|b| b.is_ascii_digit())
}

/// Phone numbers written in `text`, in their normalised form (`0912345678`).
fn phones_in(text: &str) -> Vec<(usize, usize, String)> {
    // Every phone form the detector knows has at least 10 digits: a part with fewer (a name,
    // a business, most requests) cannot hold one, and needs no full scan for personal data.
    if text.bytes().filter(u8::is_ascii_digit).count() < 10 {
        return Vec::new();
    }
    detect_pii(text)
        .into_iter()
        .filter(|m| m.kind == "phone")
        .filter_map(|m| {
            let raw = text.get(m.start..m.end)?;
            Phone::parse("q", raw)
                .ok()
                .map(|p| (m.start, m.end, p.as_ref().to_owned()))
        })
        .collect()
}

/// The words a case is found by: the words of each part, each once, plus the normalised form
/// of every phone number written in them; space-separated, at most [`MAX_INDEXED_WORDS`].
pub fn index_text(parts: &[Option<&str>]) -> String {
    let mut words: Vec<String> = Vec::new();
    let add = |w: &str, words: &mut Vec<String>| {
        if !w.is_empty() && words.len() < MAX_INDEXED_WORDS && !words.iter().any(|x| x == w) {
            words.push(w.to_owned());
        }
    };
    for part in parts.iter().flatten() {
        for w in normalize(part).split(|c: char| !c.is_ascii_alphanumeric()) {
            add(capped(w), &mut words);
        }
        for (_, _, phone) in phones_in(part) {
            add(&phone, &mut words);
        }
        for code in codes_in(part) {
            add(&code, &mut words);
        }
    }
    words.join(" ")
}

/// The terms of a typed query: phone numbers in it become one normalised term each, the rest
/// is split into normalised words; empty when nothing searchable remains.
pub fn query_terms(q: &str) -> Vec<SearchTerm> {
    let mut terms: Vec<SearchTerm> = Vec::new();
    let mut rest = String::with_capacity(q.len());
    let mut pos = 0;
    for (start, end, phone) in phones_in(q) {
        rest.push_str(q.get(pos..start).unwrap_or_default());
        rest.push(' ');
        pos = end;
        terms.push(SearchTerm {
            word: phone,
            prefix: true,
        });
    }
    rest.push_str(q.get(pos..).unwrap_or_default());
    // A code may be typed in up to four pieces ("KN 2026 7QF3 XK2M").
    let chunks: Vec<&str> = rest.split_whitespace().collect();
    let mut plain = String::with_capacity(rest.len());
    let mut i = 0;
    while i < chunks.len() {
        let found = (1..=4.min(chunks.len() - i))
            .rev()
            .find_map(|n| code_word(&chunks[i..i + n].concat()).map(|c| (n, c)));
        match found {
            Some((n, code)) => {
                terms.push(SearchTerm {
                    word: code,
                    prefix: false,
                });
                i += n;
            }
            None => {
                plain.push_str(chunks[i]);
                plain.push(' ');
                i += 1;
            }
        }
    }
    let normalised = normalize(&plain);
    let mut words = normalised
        .split(|c: char| !c.is_ascii_alphanumeric())
        .filter(|w| !w.is_empty())
        .peekable();
    while let Some(w) = words.next() {
        let mut word = w.to_owned();
        // The start of a phone number typed in groups ("0912 345"): one prefix.
        if word.starts_with('0') && word.len() >= 3 && is_number(&word) {
            while let Some(next) =
                words.next_if(|n| is_number(n) && (2..=4).contains(&n.len()) && word.len() + n.len() <= 11)
            {
                word.push_str(next);
            }
        }
        let prefix = word.bytes().any(|b| b.is_ascii_digit());
        word.truncate(MAX_WORD_CHARS);
        terms.push(SearchTerm { word, prefix });
    }
    let mut seen: Vec<SearchTerm> = Vec::new();
    for t in terms {
        if !seen.contains(&t) && seen.len() < MAX_QUERY_TERMS {
            seen.push(t);
        }
    }
    seen
}

/// Sort order of a case list.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Sort {
    /// Newest first.
    CreatedDesc,
    /// Soonest due first; cases without a due date last.
    DueAsc,
}

#[derive(Debug, Clone, Default)]
pub struct ListFilter {
    pub status: Option<String>,
    pub kind: Option<String>,
    pub category: Option<String>,
    pub agency: Option<String>,
    /// Only cases worked by this unit of their current agency (ADR 0033).
    pub unit: Option<String>,
    pub assignee: Option<String>,
    /// Only cases appointed to this mediator (a user id).
    pub mediator: Option<String>,
    /// Only cases appointed to a mediator on this body's list of mediators (ADR 0067).
    pub mediator_body: Option<String>,
    /// Only cases with a mediator appointed.
    pub mediated: bool,
    pub channel: Option<String>,
    pub outcome: Option<String>,
    pub vulnerable: Option<String>,
    pub consumer_province: Option<String>,
    /// The consumer's commune as recorded.
    pub consumer_commune: Option<String>,
    /// The business's key (tax code, or its folded name: `service::intake::business_key`).
    pub business_key: Option<String>,
    /// The product's key (`values::Product::key`).
    pub product_key: Option<String>,
    pub created_from: Option<NaiveDateTime>,
    pub created_to: Option<NaiveDateTime>,
    /// Search terms; the case must be indexed under every one (see `portability::text_search`).
    pub words: Vec<SearchTerm>,
    /// Only cases with this clock running — or, with `clock_result`, stopped with that result.
    pub clock: Option<super::clock::ClockKind>,
    /// With `clock`: only cases whose clock of that kind stopped in time (`met`) or late.
    pub clock_result: Option<super::clock::ClockResult>,
    /// Only cases with a clock charged to this agency (ADR 0063); with `clock`, `clock_result`
    /// or `overdue`, the clock they name is one charged to it.
    pub clock_agency: Option<String>,
    /// Only cases with money recovered for the consumer.
    pub recovered: bool,
    /// Only cases with a running clock past due; with `clock` (or `clock_agency`), that clock.
    pub overdue: bool,
    /// Only cases not closed.
    pub open_only: bool,
    /// Only complaints: not the service's own reports (`channel = internal`, cluster reports)
    /// nor cases closed as duplicates (early warning, ADR 0038).
    pub complaints_only: bool,
    /// Only cases nobody is assigned to.
    pub unassigned: bool,
    /// Only priority cases (vulnerable consumers).
    pub priority_only: bool,
    /// Only cases whose soonest running clock is due before this instant (UTC).
    pub due_before: Option<NaiveDateTime>,
    /// Only cases whose transfer waits for this agency's answer.
    pub pending_transfer_to: Option<String>,
}

impl ListFilter {
    /// The same filter, restricted to closed cases.
    pub fn closed_only(mut self) -> ListFilter {
        self.status = Some("closed".to_owned());
        self
    }
}

/// Filters of a call list (all optional): the caller's phone as stored (normalised), the
/// operator, the outcome, and a time range of the call's start.
#[derive(Debug, Clone, Default)]
pub struct CallFilter {
    pub phone: Option<String>,
    pub operator: Option<String>,
    pub outcome: Option<String>,
    pub from: Option<NaiveDateTime>,
    pub to: Option<NaiveDateTime>,
}

#[cfg(test)]
mod tests {
    use super::*;

    fn words(q: &str) -> Vec<(String, bool)> {
        query_terms(q).into_iter().map(|t| (t.word, t.prefix)).collect()
    }

    #[test]
    fn queries_fold_case_and_diacritics_and_match_words_whole() {
        assert_eq!(
            words("NỒI CƠM  điện, Đà"),
            vec![
                ("noi".into(), false),
                ("com".into(), false),
                ("dien".into(), false),
                ("da".into(), false)
            ]
        );
    }

    #[test]
    fn words_with_digits_match_as_prefixes() {
        assert_eq!(words("KN-2026"), vec![("kn".into(), false), ("2026".into(), true)]);
        assert_eq!(words("0912"), vec![("0912".into(), true)]);
        assert_eq!(words("0912 345"), vec![("0912345".into(), true)]);
        assert_eq!(
            words("1.250.000"),
            vec![("1".into(), true), ("250".into(), true), ("000".into(), true)]
        );
    }

    #[test]
    fn a_phone_number_is_one_normalised_term_however_it_is_typed() {
        for q in ["0912 345 678", "0912.345.678", "+84 912 345 678", "sđt 0912-345-678"] {
            let t = words(q);
            assert!(t.contains(&("0912345678".into(), true)), "{q}: {t:?}");
            assert!(!t.iter().any(|(w, _)| w == "345" || w == "678"), "{q}: {t:?}");
        }
    }

    #[test]
    fn the_index_holds_each_word_once_and_phones_in_normal_form() {
        let t = index_text(&[Some("Gọi tôi: 0912 345 678. Gọi lại!"), None, Some("Điện máy")]);
        assert_eq!(t, "goi toi 0912 345 678 lai 0912345678 dien may");
    }

    #[test]
    fn a_tracking_code_is_one_word_in_the_index_and_in_queries() {
        assert_eq!(words("kn-2026-7qf3-xk2m"), vec![("kn20267qf3xk2m".into(), false)]);
        assert_eq!(words("KN 2026 7QF3 XK2M"), vec![("kn20267qf3xk2m".into(), false)]);
        assert_eq!(
            words("KN20267QF3XK2M máy"),
            vec![("kn20267qf3xk2m".into(), false), ("may".into(), false)]
        );
        let t = index_text(&[Some("Mã hồ sơ: KN-2026-7QF3-XK2M.")]);
        assert_eq!(t, "ma ho so kn 2026 7qf3 xk2m kn20267qf3xk2m");
        // Not codes: a date, an amount.
        assert_eq!(code_word("2026-11-23"), None);
        assert_eq!(code_word("1.250.000"), None);
    }

    #[test]
    fn ordinary_words_of_code_shape_are_not_codes() {
        assert_eq!(
            words("mua 2026 tivi sony"),
            vec![
                ("mua".into(), false),
                ("2026".into(), true),
                ("tivi".into(), false),
                ("sony".into(), false)
            ]
        );
        assert_eq!(code_word("kn-1999-7qf3-xk2m"), None);
    }

    #[test]
    fn long_words_are_indexed_and_searched_by_the_same_prefix() {
        let long = "a".repeat(5000);
        let idx = index_text(&[Some(&format!("x {long} y"))]);
        assert_eq!(idx, format!("x {} y", "a".repeat(MAX_WORD_CHARS)));
        assert_eq!(words(&long), vec![("a".repeat(MAX_WORD_CHARS), false)]);
    }

    #[test]
    fn queries_are_capped() {
        assert_eq!(query_terms("a b c d e f g h i j k").len(), MAX_QUERY_TERMS);
        assert!(query_terms(" ,.; ").is_empty());
    }
}
