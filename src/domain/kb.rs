//! The knowledge base (issue 13 item 7, product.md §7): articles of advice to consumers — a
//! question, its answer, the articles of law behind it, a category — edited by supervisors,
//! used by operators on a call, published for citizens. Search is blind to case and
//! diacritics: the article and the query are folded the same way (`crate::text::normalize`).

use serde::{Deserialize, Serialize};

use super::error::{DomainError, Rule};
use super::values::text;
use crate::text::normalize;

string_enum!(
    /// Where an article is in its life: only `published` ones are shown to citizens.
    KbStatus {
        Draft => "draft",
        Published => "published",
        Archived => "archived",
    }
);

impl KbStatus {
    pub fn label_vi(self) -> &'static str {
        match self {
            KbStatus::Draft => "Bản nháp",
            KbStatus::Published => "Đã công bố",
            KbStatus::Archived => "Đã lưu trữ",
        }
    }
}

/// Longest question, in characters.
pub const QUESTION_MAX: usize = 300;
/// Longest answer, in characters.
pub const ANSWER_MAX: usize = 20_000;
/// At most this many legal references, each at most [`REFERENCE_MAX`] characters.
pub const REFERENCES_MAX: usize = 20;
pub const REFERENCE_MAX: usize = 200;
/// At most this many words of a query are used.
pub const QUERY_WORDS_MAX: usize = 8;

/// The content of an article, checked: what an edit replaces and a revision keeps.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct KbContent {
    pub question: String,
    /// Plain text; paragraphs separated by blank lines.
    pub answer: String,
    /// The articles of law behind the answer, one reference each ("Điều 28 Luật BVQLNTD 2023").
    pub legal_basis: Vec<String>,
    /// A category code (checked against the taxonomy by the service).
    pub category: String,
}

impl KbContent {
    pub fn parse(
        question: &str,
        answer: &str,
        legal_basis: &[String],
        category: &str,
    ) -> Result<KbContent, DomainError> {
        let question = one_line("question", question, QUESTION_MAX)?;
        let answer = text("answer", answer, ANSWER_MAX)?.replace("\r\n", "\n");
        Ok(KbContent {
            question,
            answer,
            legal_basis: legal_basis_list(legal_basis)?,
            category: one_line("category", category, 64)?,
        })
    }

    /// The answer's paragraphs (split at blank lines; single newlines kept inside).
    pub fn paragraphs(answer: &str) -> Vec<String> {
        answer
            .replace("\r\n", "\n")
            .split("\n\n")
            .map(str::trim)
            .filter(|p| !p.is_empty())
            .map(str::to_owned)
            .collect()
    }

    /// The question folded and padded (`" bao hiem xe may "`), so whole words match.
    pub fn question_key(&self) -> String {
        padded(&normalize(&self.question))
    }

    /// The whole article folded and padded: question, answer and legal basis.
    pub fn search_key(&self) -> String {
        padded(&normalize(&format!(
            "{}\n{}\n{}",
            self.question,
            self.answer,
            self.legal_basis.join("\n")
        )))
    }
}

/// An edit of an article: the fields given replace the article's, the rest stay; `version` is
/// the version the editor read (a different current one is a conflict).
#[derive(Debug, Clone, Default)]
pub struct KbPatch {
    pub version: i32,
    pub question: Option<String>,
    pub answer: Option<String>,
    pub legal_basis: Option<Vec<String>>,
    pub category: Option<String>,
    pub status: Option<KbStatus>,
}

impl KbPatch {
    /// The content after the edit, checked as a new article's.
    pub fn apply(&self, current: &KbContent) -> Result<KbContent, DomainError> {
        KbContent::parse(
            self.question.as_deref().unwrap_or(&current.question),
            self.answer.as_deref().unwrap_or(&current.answer),
            self.legal_basis.as_deref().unwrap_or(&current.legal_basis),
            self.category.as_deref().unwrap_or(&current.category),
        )
    }
}

/// The legal references stored as one text, one a line.
pub fn join_legal_basis(refs: &[String]) -> String {
    refs.join("\n")
}

pub fn split_legal_basis(stored: &str) -> Vec<String> {
    stored
        .lines()
        .map(str::trim)
        .filter(|l| !l.is_empty())
        .map(str::to_owned)
        .collect()
}

fn padded(folded: &str) -> String {
    format!(" {folded} ")
}

fn one_line(field: &str, raw: &str, max: usize) -> Result<String, DomainError> {
    let t = text(field, raw, max)?;
    if t.contains(['\n', '\r', '\t']) {
        return Err(DomainError::invalid(field, Rule::ControlCharacters));
    }
    Ok(t)
}

fn legal_basis_list(refs: &[String]) -> Result<Vec<String>, DomainError> {
    let refs: Vec<&String> = refs.iter().filter(|r| !r.trim().is_empty()).collect();
    if refs.len() > REFERENCES_MAX {
        return Err(DomainError::invalid("legal_basis", Rule::TooLong(REFERENCES_MAX)));
    }
    refs.into_iter()
        .enumerate()
        .map(|(i, r)| one_line(&format!("legal_basis[{i}]"), r, REFERENCE_MAX))
        .collect()
}

/// A search of the knowledge base: the words of the query, folded. Every word must be a whole
/// word of the article, except the last, which may be the start of one (the operator is still
/// typing it).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct KbQuery {
    pub words: Vec<String>,
}

impl KbQuery {
    pub fn parse(q: &str) -> KbQuery {
        let folded = normalize(q);
        KbQuery {
            words: folded
                .split(' ')
                .filter(|w| !w.is_empty())
                .take(QUERY_WORDS_MAX)
                .map(|w| w.chars().take(100).collect())
                .collect(),
        }
    }

    pub fn is_empty(&self) -> bool {
        self.words.is_empty()
    }

    /// LIKE patterns on a padded key, one per word (every one must match). Folded words are
    /// ASCII letters and digits only, so no LIKE wildcard can come from the query.
    pub fn like_patterns(&self) -> Vec<String> {
        let last = self.words.len().saturating_sub(1);
        self.words
            .iter()
            .enumerate()
            .map(|(i, w)| {
                if i == last {
                    format!("% {w}%")
                } else {
                    format!("% {w} %")
                }
            })
            .collect()
    }

    /// How well a padded key matches: how many of the words it holds (the last one as a prefix).
    pub fn hits(&self, key: &str) -> usize {
        let last = self.words.len().saturating_sub(1);
        self.words
            .iter()
            .enumerate()
            .filter(|(i, w)| {
                if *i == last {
                    key.contains(&format!(" {w}"))
                } else {
                    key.contains(&format!(" {w} "))
                }
            })
            .count()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn content() -> KbContent {
        KbContent::parse(
            "Mua bảo hiểm qua điện thoại có được hủy không?",
            "Có.\r\n\r\nBạn có quyền đơn phương chấm dứt hợp đồng.",
            &["Điều 28 Luật BVQLNTD 2023".into(), " ".into()],
            "insurance",
        )
        .unwrap()
    }

    #[test]
    fn an_article_is_folded_for_search_and_split_into_paragraphs() {
        let c = content();
        assert_eq!(c.question_key(), " mua bao hiem qua dien thoai co duoc huy khong ");
        assert!(c.search_key().contains(" dieu 28 luat bvqlntd 2023 "));
        assert_eq!(c.legal_basis.len(), 1);
        assert_eq!(KbContent::paragraphs(&c.answer).len(), 2);
    }

    #[test]
    fn a_query_matches_whole_words_and_a_started_last_word() {
        let q = KbQuery::parse("BẢO  hiem, hu");
        assert_eq!(q.words, ["bao", "hiem", "hu"]);
        assert_eq!(q.like_patterns(), ["% bao %", "% hiem %", "% hu%"]);
        let key = content().question_key();
        assert_eq!(q.hits(&key), 3);
        assert_eq!(KbQuery::parse("hiem bao").hits(" bao hiem "), 2);
        assert_eq!(KbQuery::parse("ao hiem").hits(" bao hiem "), 1);
        assert!(KbQuery::parse(" %_ ").is_empty());
    }

    #[test]
    fn bad_content_names_its_field() {
        let e = KbContent::parse("a\nb", "x", &[], "insurance").unwrap_err();
        assert_eq!(e, DomainError::invalid("question", Rule::ControlCharacters));
        let e = KbContent::parse("q", " ", &[], "insurance").unwrap_err();
        assert_eq!(e, DomainError::invalid("answer", Rule::Required));
        let many = vec!["Điều 1".to_owned(); REFERENCES_MAX + 1];
        assert!(KbContent::parse("q", "a", &many, "insurance").is_err());
    }
}
