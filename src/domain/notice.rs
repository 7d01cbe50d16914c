//! Public notices (issue 14 point 5, ADR 0032): the list of sanctioned violators that Decree
//! 55/2024 Art 24 requires to be published for 30 days, and public warnings (product, business
//! or practice alerts) shown between a start and an end date.

use chrono::{NaiveDate, NaiveDateTime, TimeDelta};
use serde::{Deserialize, Serialize};

use super::error::{DomainError, Rule};
use super::values::{opt_text, text};

/// Longest title of a warning, business name or product.
pub const SHORT: usize = 500;
/// Longest body of a warning.
pub const LONG: usize = 10_000;

string_enum!(
    /// What a public warning is about.
    WarningKind {
        Product => "product",
        Business => "business",
        Practice => "practice",
    }
);

string_enum!(
    /// Where a public warning is in its life: drafted, shown (between its dates), ended early.
    WarningStatus {
        Draft => "draft",
        Published => "published",
        Ended => "ended",
    }
);

string_enum!(
    /// Why a violator notice left the list: its period (`public.violator_notice_days`) ran
    /// out and the sweep removed it, or a supervisor withdrew it early.
    RemovalReason {
        Expired => "expired",
        Withdrawn => "withdrawn",
    }
);

impl WarningKind {
    pub fn label_vi(self) -> &'static str {
        match self {
            WarningKind::Product => "Sản phẩm",
            WarningKind::Business => "Doanh nghiệp",
            WarningKind::Practice => "Hành vi, phương thức",
        }
    }

    pub fn label_en(self) -> &'static str {
        match self {
            WarningKind::Product => "Product",
            WarningKind::Business => "Business",
            WarningKind::Practice => "Practice",
        }
    }
}

/// When a violator notice published at `published_at` leaves the list.
pub fn violator_expiry(published_at: NaiveDateTime, days: u32) -> NaiveDateTime {
    published_at + TimeDelta::days(i64::from(days))
}

/// Whether a violator notice is on the public list at `now`: not removed and not yet expired
/// (an expired notice is hidden even before the sweep removes it).
pub fn violator_shown(removed: bool, expires_at: NaiveDateTime, now: NaiveDateTime) -> bool {
    !removed && now < expires_at
}

/// Whether a warning is shown on `today` (Vietnam date): published, and
/// `start_date <= today <= end_date`.
pub fn warning_current(status: WarningStatus, start: NaiveDate, end: NaiveDate, today: NaiveDate) -> bool {
    status == WarningStatus::Published && start <= today && today <= end
}

/// The content of a warning, checked: the edge parses it, the service stores it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WarningContent {
    pub kind: WarningKind,
    pub title: String,
    pub body: String,
    pub business_name: Option<String>,
    pub product: Option<String>,
    pub start_date: NaiveDate,
    pub end_date: NaiveDate,
}

impl WarningContent {
    /// Checks the texts and that the period does not end before it starts.
    #[allow(clippy::too_many_arguments)]
    pub fn parse(
        kind: WarningKind,
        title: &str,
        body: &str,
        business_name: Option<&str>,
        product: Option<&str>,
        start_date: NaiveDate,
        end_date: NaiveDate,
    ) -> Result<WarningContent, DomainError> {
        let c = WarningContent {
            kind,
            title: text("title", title, SHORT)?,
            body: text("body", body, LONG)?,
            business_name: opt_text("business_name", business_name, SHORT)?,
            product: opt_text("product", product, SHORT)?,
            start_date,
            end_date,
        };
        c.check()?;
        Ok(c)
    }

    /// The rules that tie fields together (also after a partial edit).
    pub fn check(&self) -> Result<(), DomainError> {
        if self.end_date < self.start_date {
            return Err(DomainError::invalid("end_date", Rule::EndBeforeStart));
        }
        Ok(())
    }
}

/// An edit of a warning (`None`: unchanged; `Some(None)`: cleared).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct WarningEdit {
    pub kind: Option<WarningKind>,
    pub title: Option<String>,
    pub body: Option<String>,
    pub business_name: Option<Option<String>>,
    pub product: Option<Option<String>>,
    pub start_date: Option<NaiveDate>,
    pub end_date: Option<NaiveDate>,
}

impl WarningEdit {
    /// The content after the edit, checked.
    pub fn apply(&self, c: &WarningContent) -> Result<WarningContent, DomainError> {
        let next = WarningContent {
            kind: self.kind.unwrap_or(c.kind),
            title: self.title.clone().unwrap_or_else(|| c.title.clone()),
            body: self.body.clone().unwrap_or_else(|| c.body.clone()),
            business_name: self.business_name.clone().unwrap_or_else(|| c.business_name.clone()),
            product: self.product.clone().unwrap_or_else(|| c.product.clone()),
            start_date: self.start_date.unwrap_or(c.start_date),
            end_date: self.end_date.unwrap_or(c.end_date),
        };
        next.check()?;
        Ok(next)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(s: &str) -> NaiveDate {
        s.parse().unwrap()
    }

    #[test]
    fn a_violator_notice_is_shown_until_it_expires_or_is_removed() {
        let at = d("2026-11-02").and_hms_opt(3, 0, 0).unwrap();
        let exp = violator_expiry(at, 30);
        assert_eq!(exp, d("2026-12-02").and_hms_opt(3, 0, 0).unwrap());
        assert!(violator_shown(false, exp, at));
        assert!(violator_shown(false, exp, exp - TimeDelta::seconds(1)));
        assert!(!violator_shown(false, exp, exp));
        assert!(!violator_shown(true, exp, at));
    }

    #[test]
    fn a_warning_is_current_from_its_start_to_its_end_day_inclusive_when_published() {
        let (s, e) = (d("2026-12-01"), d("2026-12-10"));
        assert!(!warning_current(WarningStatus::Published, s, e, d("2026-11-30")));
        assert!(warning_current(WarningStatus::Published, s, e, s));
        assert!(warning_current(WarningStatus::Published, s, e, e));
        assert!(!warning_current(WarningStatus::Published, s, e, d("2026-12-11")));
        assert!(!warning_current(WarningStatus::Draft, s, e, s));
        assert!(!warning_current(WarningStatus::Ended, s, e, s));
    }

    #[test]
    fn a_warning_may_not_end_before_it_starts_even_after_an_edit() {
        let (s, e) = (d("2026-12-01"), d("2026-12-10"));
        let c = WarningContent::parse(
            WarningKind::Product,
            " Sữa giả ",
            "Nội dung",
            None,
            Some("Sữa bột X"),
            s,
            e,
        )
        .unwrap();
        assert_eq!(c.title, "Sữa giả");
        let err = WarningContent::parse(WarningKind::Product, "T", "B", None, None, e, s).unwrap_err();
        assert_eq!(err, DomainError::invalid("end_date", Rule::EndBeforeStart));
        let edit = WarningEdit {
            end_date: Some(d("2026-11-01")),
            ..WarningEdit::default()
        };
        assert!(edit.apply(&c).is_err());
        let edit = WarningEdit {
            product: Some(None),
            ..WarningEdit::default()
        };
        assert_eq!(edit.apply(&c).unwrap().product, None);
    }
}
