//! Detection and redaction of consumers' personal data in free text.
//!
//! Hand-written scanners instead of a regex engine keep the service lean. The formats are
//! national conventions (Vietnamese phone numbering plan, 12-digit CCCD / 9-digit CMND, house
//! numbers before street words), not provincial routing policy, so the few cue words live here
//! rather than in `config/`. The scanners prefer precision: money amounts (`1.250.000`), dates
//! and 10/13-digit tax codes are never reported as identity numbers.

use super::normalize::{is_number, tokenize, Token};

/// One detected span of personal data.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
pub struct PiiMatch {
    /// `phone`, `national_id`, `email`, `bank_account`, `address`, `name`, `birth_date`,
    /// `passport`, `plate` or `card`.
    pub kind: &'static str,
    /// Byte offset of the first character in the original text.
    pub start: usize,
    /// Byte offset one past the end in the original text.
    pub end: usize,
}

/// Words (normalised token sequences) that announce an identity-card number.
const ID_CUES: &[&str] = &[
    "cccd",
    "cmnd",
    "cmt",
    "can cuoc",
    "chung minh",
    "dinh danh",
    "so dinh danh",
];
/// Words that announce a bank account number.
const BANK_CUES: &[&str] = &[
    "stk",
    "tk",
    "tai khoan",
    "so tai khoan",
    "ngan hang",
    "account",
    "vietcombank",
    "vietinbank",
    "techcombank",
    "agribank",
    "bidv",
    "sacombank",
    "vpbank",
    "tpbank",
    "mbbank",
    "acb",
    "momo",
];
/// Words that announce a business tax code (never personal data).
const TAX_CUES: &[&str] = &["mst", "ma so thue", "ma so doanh nghiep", "thue"];
/// Words that announce a phone number.
const PHONE_CUES: &[&str] = &[
    "sdt",
    "dt",
    "so dien thoai",
    "dien thoai",
    "hotline",
    "zalo",
    "lien he",
    "thue bao",
];
/// Street words that follow a house number.
const STREET_WORDS: &[&str] = &["duong", "pho", "ngo", "ngach", "hem", "kiet", "ql", "tl"];

/// How many tokens before a number are searched for cue words.
const CUE_WINDOW: usize = 6;

/// Finds personal data in `text`; spans are sorted and do not overlap.
pub fn detect_pii(text: &str) -> Vec<PiiMatch> {
    let tokens = tokenize(text);
    let mut out = Vec::new();
    scan_emails(text, &mut out);
    scan_numbers(text, &tokens, &mut out);
    scan_addresses(text, &tokens, &mut out);
    super::pii_more::scan(text, &tokens, &mut out);
    out.sort_by_key(|m| (m.start, std::cmp::Reverse(m.end)));
    // drop spans overlapping an earlier one
    let mut merged: Vec<PiiMatch> = Vec::new();
    for m in out {
        match merged.last() {
            Some(last) if m.start < last.end => {}
            _ => merged.push(m),
        }
    }
    merged
}

/// Replaces each detected span with `[kind]`.
pub fn redact(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut pos = 0;
    for m in detect_pii(text) {
        if let Some(before) = text.get(pos..m.start) {
            out.push_str(before);
        }
        out.push('[');
        out.push_str(m.kind);
        out.push(']');
        pos = m.end;
    }
    if let Some(rest) = text.get(pos..) {
        out.push_str(rest);
    }
    out
}

fn is_email_local(c: char) -> bool {
    c.is_ascii_alphanumeric() || matches!(c, '.' | '_' | '%' | '+' | '-')
}

fn is_email_domain(c: char) -> bool {
    c.is_ascii_alphanumeric() || matches!(c, '.' | '-')
}

fn scan_emails(text: &str, out: &mut Vec<PiiMatch>) {
    for (at, _) in text.match_indices('@') {
        let before = &text[..at];
        let start = before
            .char_indices()
            .rev()
            .take_while(|&(_, c)| is_email_local(c))
            .last()
            .map(|(i, _)| i)
            .unwrap_or(at);
        let after = &text[at + 1..];
        let mut dom_len = after
            .char_indices()
            .take_while(|&(_, c)| is_email_domain(c))
            .last()
            .map(|(i, c)| i + c.len_utf8())
            .unwrap_or(0);
        // trailing dots/hyphens belong to the sentence, not the address
        while dom_len > 0 && matches!(after.as_bytes()[dom_len - 1], b'.' | b'-') {
            dom_len -= 1;
        }
        let domain = &after[..dom_len];
        let local = &text[start..at];
        let local = local.trim_start_matches('.');
        if local.is_empty() || !domain.contains('.') || domain.starts_with('.') {
            continue;
        }
        let start = at - local.len();
        out.push(PiiMatch {
            kind: "email",
            start,
            end: at + 1 + dom_len,
        });
    }
}

/// A run of digit groups separated by single spaces, dots or hyphens.
struct DigitRun {
    start: usize,
    end: usize,
    /// (start, end) byte span of each group
    groups: Vec<(usize, usize)>,
    seps: Vec<u8>,
    plus: bool,
}

fn collect_runs(text: &str) -> Vec<DigitRun> {
    let b = text.as_bytes();
    let mut runs = Vec::new();
    let mut i = 0;
    while i < b.len() {
        if !b[i].is_ascii_digit() {
            i += 1;
            continue;
        }
        // must not be glued to a preceding letter or digit-like word (e.g. "E5", "A12")
        let glued_before = text[..i]
            .chars()
            .next_back()
            .map(|c| c.is_alphanumeric())
            .unwrap_or(false);
        let plus = i > 0 && b[i - 1] == b'+';
        let start = if plus { i - 1 } else { i };
        let mut groups = Vec::new();
        let mut seps = Vec::new();
        let mut j = i;
        loop {
            let gs = j;
            while j < b.len() && b[j].is_ascii_digit() {
                j += 1;
            }
            groups.push((gs, j));
            if j + 1 < b.len() && matches!(b[j], b' ' | b'.' | b'-') && b[j + 1].is_ascii_digit() {
                seps.push(b[j]);
                j += 1;
            } else {
                break;
            }
        }
        let glued_after = text[j..].chars().next().map(|c| c.is_alphanumeric()).unwrap_or(false);
        if !glued_before {
            runs.push(DigitRun {
                start,
                end: j,
                groups,
                seps,
                plus,
            });
            if glued_after {
                // a unit or currency follows ("1.250.000đ", "450k"): mark by empty groups
                if let Some(r) = runs.last_mut() {
                    r.groups.clear();
                }
            }
        }
        i = j.max(i + 1);
    }
    runs
}

fn digits_of(text: &str, groups: &[(usize, usize)]) -> String {
    groups.iter().map(|&(s, e)| &text[s..e]).collect()
}

/// `1.250.000`, `23 500 000`: the first group has 1–3 digits and every later group 3.
fn looks_like_money(text: &str, run: &DigitRun) -> bool {
    if run.groups.len() < 2 {
        return false;
    }
    let first = run.groups[0].1 - run.groups[0].0;
    let rest_three = run.groups[1..].iter().all(|&(s, e)| e - s == 3);
    let sep_ok = run.seps.iter().all(|&s| s == b'.' || s == b',');
    let _ = text;
    (1..=3).contains(&first) && rest_three && sep_ok
}

fn is_phone_digits(d: &str, plus: bool) -> bool {
    let b = d.as_bytes();
    if plus || (d.starts_with("84") && b.len() == 11) {
        return d.starts_with("84") && b.len() == 11 && matches!(b[2], b'3' | b'5' | b'7' | b'8' | b'9' | b'2');
    }
    (b.len() == 10 && b[0] == b'0' && matches!(b[1], b'3' | b'5' | b'7' | b'8' | b'9'))
        || (b.len() == 11 && b[0] == b'0' && b[1] == b'2')
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum Cue {
    Id,
    Bank,
    Tax,
    Phone,
}

/// The cue nearest before `start` (within the window), if any.
fn nearest_cue(tokens: &[Token], start: usize) -> Option<Cue> {
    let before: Vec<&str> = tokens
        .iter()
        .filter(|t| t.end <= start)
        .map(|t| t.norm.as_str())
        .collect();
    let from = before.len().saturating_sub(CUE_WINDOW);
    let window = &before[from..];
    let mut best: Option<(usize, Cue)> = None;
    for (cues, cue) in [
        (ID_CUES, Cue::Id),
        (BANK_CUES, Cue::Bank),
        (TAX_CUES, Cue::Tax),
        (PHONE_CUES, Cue::Phone),
    ] {
        for c in cues {
            let parts: Vec<&str> = c.split(' ').collect();
            if parts.len() > window.len() {
                continue;
            }
            for i in 0..=(window.len() - parts.len()) {
                if window[i..i + parts.len()] == parts[..] {
                    let end = i + parts.len();
                    if best.map(|(e, _)| end > e).unwrap_or(true) {
                        best = Some((end, cue));
                    }
                }
            }
        }
    }
    best.map(|(_, c)| c)
}

fn classify_digits(d: &str, plus: bool, cue: Option<Cue>) -> Option<&'static str> {
    let n = d.len();
    match cue {
        Some(Cue::Tax) => None,
        Some(Cue::Id) if n == 12 || n == 9 => Some("national_id"),
        Some(Cue::Bank) if (8..=16).contains(&n) && !plus => Some("bank_account"),
        _ if is_phone_digits(d, plus) => Some("phone"),
        _ if (13..=19).contains(&n) && super::pii_more::luhn(d) => Some("card"),
        _ if n == 12 && d.starts_with('0') => Some("national_id"),
        _ => None,
    }
}

fn scan_numbers(text: &str, tokens: &[Token], out: &mut Vec<PiiMatch>) {
    for run in collect_runs(text) {
        if run.groups.is_empty() || looks_like_money(text, &run) {
            continue;
        }
        let cue = nearest_cue(tokens, run.start);
        // try the whole run, then shorter prefixes of groups (a number may be followed by
        // an unrelated count: "0903 111 222 3 lần")
        for k in (1..=run.groups.len()).rev() {
            let d = digits_of(text, &run.groups[..k]);
            if let Some(kind) = classify_digits(&d, run.plus, cue) {
                let end = if k == run.groups.len() {
                    run.end
                } else {
                    run.groups[k - 1].1
                };
                out.push(PiiMatch {
                    kind,
                    start: run.start,
                    end,
                });
                break;
            }
        }
    }
}

/// House number: digits, optionally with a letter suffix ("12a", "12b").
fn is_house_number(tok: &str) -> bool {
    let digits = tok.bytes().take_while(|b| b.is_ascii_digit()).count();
    (1..=5).contains(&digits) && tok.len() - digits <= 1
}

fn starts_upper(text: &str, t: &Token) -> bool {
    text[t.start..t.end]
        .chars()
        .next()
        .map(|c| c.is_uppercase())
        .unwrap_or(false)
}

fn scan_addresses(text: &str, tokens: &[Token], out: &mut Vec<PiiMatch>) {
    let n = tokens.len();
    let mut i = 0;
    while i < n {
        if !is_house_number(&tokens[i].norm) {
            i += 1;
            continue;
        }
        let has_so = i > 0 && tokens[i - 1].norm == "so";
        // house number may be "12/3": skip the following slash-joined numbers
        let mut j = i + 1;
        while j < n && is_number(&tokens[j].norm) && text[tokens[j - 1].end..tokens[j].start].trim() == "/" {
            j += 1;
        }
        let street_ok = j < n && STREET_WORDS.contains(&tokens[j].norm.as_str());
        // the number must not belong to something else ("2 lần", "quốc lộ 1")
        let gap_ok = j < n && text[tokens[j - 1].end..tokens[j].start].trim().is_empty();
        let next_ok =
            j + 1 < n && (has_so || is_house_number(&tokens[j + 1].norm) || starts_upper(text, &tokens[j + 1]));
        if street_ok && gap_ok && next_ok {
            let start = if has_so { tokens[i - 1].start } else { tokens[i].start };
            // extend over the street name: stop at punctuation that ends the clause
            let mut k = j + 1;
            let mut end = tokens[j + 1].end;
            while k + 1 < n && k < j + 8 {
                let gap = &text[tokens[k].end..tokens[k + 1].start];
                if gap.chars().any(|c| matches!(c, ',' | ';' | '.' | '\n' | ')' | '(')) {
                    break;
                }
                let nt = &tokens[k + 1];
                if !(has_so
                    || is_house_number(&nt.norm)
                    || starts_upper(text, nt)
                    || STREET_WORDS.contains(&nt.norm.as_str()))
                {
                    break;
                }
                k += 1;
                end = nt.end;
            }
            out.push(PiiMatch {
                kind: "address",
                start,
                end,
            });
            i = k + 1;
        } else {
            i += 1;
        }
    }
}
