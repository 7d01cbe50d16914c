//! Weighted phrase lexicons matched on token boundaries.
//!
//! A phrase is a sequence of normalised tokens, matched against the token sequence of the
//! complaint, so "ga" (station) never matches inside "gas" and "thuoc" never matches part of
//! another word. `*` in a phrase matches exactly one token.
//!
//! Toneless Vietnamese is ambiguous ("gia" is giá / giả / gia), so a longer phrase wins over
//! any shorter phrase it contains: when "hàng giả" matches, a "giá" term inside it is dropped.
//! Phrases whose label is `None` ("neutral" phrases) score nothing but still suppress the terms
//! they contain — that is how "số điện thoại" stops "điện thoại" counting as a phone purchase.

use std::collections::HashMap;

use crate::text::{Normalizer, TokenSeq};

#[derive(Debug, Clone)]
struct Term {
    tokens: Vec<String>,
    label: Option<usize>,
    weight: f64,
    display: String,
}

/// A matched phrase.
#[derive(Debug, Clone)]
pub struct Hit {
    /// Index of the label the phrase votes for.
    pub label: usize,
    /// Weight added to the label.
    pub weight: f64,
    /// The phrase in its normalised form.
    pub phrase: String,
}

/// A compiled lexicon.
#[derive(Debug, Clone, Default)]
pub struct Lexicon {
    terms: Vec<Term>,
    by_first: HashMap<String, Vec<usize>>,
    wild_first: Vec<usize>,
}

impl Lexicon {
    /// Adds a phrase; `label = None` makes it a neutral suppressor. Duplicate phrases (after
    /// normalisation) for the same label keep the larger weight.
    pub fn add(&mut self, norm: &Normalizer, phrase: &str, label: Option<usize>, weight: f64) {
        let tokens = norm.phrase(phrase);
        if tokens.is_empty() {
            return;
        }
        let display = tokens.join(" ");
        if let Some(existing) = self.terms.iter_mut().find(|t| t.display == display && t.label == label) {
            if weight > existing.weight {
                existing.weight = weight;
            }
            return;
        }
        let idx = self.terms.len();
        if tokens[0] == "*" {
            self.wild_first.push(idx);
        } else {
            self.by_first.entry(tokens[0].clone()).or_default().push(idx);
        }
        self.terms.push(Term {
            tokens,
            label,
            weight,
            display,
        });
    }

    fn matches_at(term: &Term, toks: &[String], i: usize) -> bool {
        if i + term.tokens.len() > toks.len() {
            return false;
        }
        term.tokens.iter().zip(&toks[i..]).all(|(p, t)| p == "*" || p == t)
    }

    /// Finds the phrases present in `toks`. Each phrase counts once however often it occurs;
    /// a match strictly inside a longer match is dropped.
    pub fn scan(&self, seq: &TokenSeq) -> Vec<Hit> {
        let toks = &seq.toks;
        // (term index, start, end)
        let mut found: Vec<(usize, usize, usize)> = Vec::new();
        for (i, tok) in toks.iter().enumerate() {
            if !seq.start_ok.get(i).copied().unwrap_or(true) {
                continue;
            }
            let cands = self.by_first.get(tok).into_iter().flatten();
            for &ti in cands.chain(self.wild_first.iter()) {
                let term = &self.terms[ti];
                let end = i + term.tokens.len();
                if Self::matches_at(term, toks, i) && seq.end_ok.get(end - 1).copied().unwrap_or(true) {
                    found.push((ti, i, end));
                }
            }
        }
        let kept: Vec<(usize, usize, usize)> = found
            .iter()
            .filter(|&&(_, s, e)| {
                !found
                    .iter()
                    .any(|&(_, s2, e2)| s2 <= s && e <= e2 && (e2 - s2) > (e - s))
            })
            .copied()
            .collect();
        let mut seen: Vec<usize> = Vec::new();
        let mut hits = Vec::new();
        for (ti, _, _) in kept {
            if seen.contains(&ti) {
                continue;
            }
            seen.push(ti);
            let term = &self.terms[ti];
            if let Some(label) = term.label {
                hits.push(Hit {
                    label,
                    weight: term.weight,
                    phrase: term.display.clone(),
                });
            }
        }
        hits
    }

    /// Sums hit weights per label (`n_labels` long).
    pub fn score(hits: &[Hit], n_labels: usize) -> Vec<f64> {
        let mut s = vec![0.0; n_labels];
        for h in hits {
            if let Some(v) = s.get_mut(h.label) {
                *v += h.weight;
            }
        }
        s
    }
}

/// Formats the hits of one label as `phrase(+w), …` for explanations.
pub fn describe(hits: &[Hit], label: usize) -> String {
    let parts: Vec<String> = hits
        .iter()
        .filter(|h| h.label == label)
        .map(|h| format!("\"{}\"({:+})", h.phrase, h.weight))
        .collect();
    if parts.is_empty() {
        "no matching terms".to_string()
    } else {
        parts.join(", ")
    }
}
