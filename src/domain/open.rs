//! A new case: [`Case::open`] is the only way one comes to be (web form, hotline call, e-mail,
//! a violation report opened from a mass-complaint cluster, tests and benchmarks). It fixes what
//! every new case has in common: status `new` at its first agency, version 1, no outcome, the
//! priority of a vulnerable consumer (Law 19/2023 Art 8), and the words it is found by. The db
//! layer turns it into a row (`db::cases::NewCaseRow::from(&Case)`).

use chrono::{NaiveDate, NaiveDateTime};

use super::case::{CaseState, Channel, Status, VulnerableGroup};
use super::ids::{AgencyCode, CallId, CaseId, CategoryCode, TrackingCode, UserId};
use super::search::index_text;
use super::values::Product;
use super::Kind;

/// Who filed it: a consumer, or an organisation (an agency reporting a violation). An
/// organisation has no phone and gives no consent.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Reporter {
    pub name: String,
    /// National form (`0901234567`); `None` for an organisation.
    pub phone: Option<String>,
    pub email: Option<String>,
    pub address: Option<String>,
    pub commune: Option<String>,
    pub province: Option<String>,
    pub vulnerable: Vec<VulnerableGroup>,
    /// When consent to the processing of personal data was given (Law 19/2023 Art 15).
    pub consent_at: Option<NaiveDateTime>,
}

/// The business complained about.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct BusinessFacts {
    pub name: Option<String>,
    pub tax_code: Option<String>,
    pub address: Option<String>,
    pub website: Option<String>,
    pub shop_link: Option<String>,
    /// Groups complaints about one business: the tax code, or `name:` + the normalised name.
    pub key: Option<String>,
}

/// Everything opening a case needs.
#[derive(Debug, Clone)]
pub struct Opening {
    pub id: CaseId,
    pub tracking_code: TrackingCode,
    pub kind: Kind,
    pub category: CategoryCode,
    pub channel: Channel,
    /// The agency that receives it first (state `new` there).
    pub agency: AgencyCode,
    pub description: String,
    pub consumer_request: Option<String>,
    pub amount_vnd: Option<i64>,
    pub transaction_date: Option<NaiveDate>,
    pub reporter: Reporter,
    pub business: BusinessFacts,
    /// The product or service complained about, if named.
    pub product: Option<Product>,
    /// The hotline call it was opened from.
    pub call_id: Option<CallId>,
    /// The router's suggestion and its explanation (JSON).
    pub suggestion: String,
    /// The unit of the first agency that works it (suggested from the consumer's commune).
    pub unit: Option<String>,
    pub possible_duplicate_of: Option<CaseId>,
    /// The staff member who opened it (`None`: a citizen or the service).
    pub opened_by: Option<UserId>,
    pub at: NaiveDateTime,
}

/// A case as it is opened.
#[derive(Debug, Clone)]
pub struct Case {
    pub opening: Opening,
    pub state: CaseState,
    pub priority: bool,
    /// Normalised words for free-text search.
    pub search_words: String,
    pub version: i32,
}

impl Case {
    /// A new case in state `new` at `o.agency`, version 1; a vulnerable reporter makes it a
    /// priority.
    pub fn open(mut o: Opening) -> Case {
        o.reporter.vulnerable.sort_by_key(|v| v.as_str());
        o.reporter.vulnerable.dedup();
        let search_words = index_text(&[
            Some(&o.description),
            o.consumer_request.as_deref(),
            o.business.name.as_deref(),
            o.business.tax_code.as_deref(),
            o.product.as_ref().map(Product::name),
            Some(o.tracking_code.as_str()),
            o.reporter.phone.as_deref(),
            Some(&o.reporter.name),
        ]);
        let state = CaseState {
            status: Status::New,
            outcome: None,
            return_status: None,
            kind: o.kind,
            category: o.category.clone(),
            current_agency: Some(o.agency.clone()),
            pending_transfer_to: None,
            assignee_id: None,
            mediator_id: None,
        };
        Case {
            priority: !o.reporter.vulnerable.is_empty(),
            search_words,
            state,
            version: 1,
            opening: o,
        }
    }

    pub fn id(&self) -> &CaseId {
        &self.opening.id
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn opening() -> Opening {
        Opening {
            id: CaseId::new(),
            tracking_code: "KN-2026-AAAA-BBBB".into(),
            kind: Kind::Dispute,
            category: "food_safety".into(),
            channel: Channel::Web,
            agency: "so_cong_thuong".into(),
            description: "Sữa hết hạn".into(),
            consumer_request: None,
            amount_vnd: None,
            transaction_date: None,
            reporter: Reporter {
                name: "Nguyễn Văn A".into(),
                phone: Some("0901234567".into()),
                ..Reporter::default()
            },
            business: BusinessFacts::default(),
            product: Product::from_stored("Sữa bột"),
            call_id: None,
            suggestion: "{}".into(),
            unit: None,
            possible_duplicate_of: None,
            opened_by: None,
            at: NaiveDateTime::default(),
        }
    }

    #[test]
    fn a_case_opens_new_at_its_agency_and_vulnerable_reporters_are_a_priority() {
        let c = Case::open(opening());
        assert_eq!(c.state.status, Status::New);
        assert_eq!(c.state.current_agency, Some("so_cong_thuong".into()));
        assert_eq!(c.version, 1);
        assert!(!c.priority);
        assert!(c.search_words.contains("sua"), "{}", c.search_words);
        assert!(
            c.search_words.contains("bot"),
            "the product is searched: {}",
            c.search_words
        );
        let mut o = opening();
        o.reporter.vulnerable = vec![
            VulnerableGroup::Elderly,
            VulnerableGroup::Child,
            VulnerableGroup::Elderly,
        ];
        let c = Case::open(o);
        assert!(c.priority);
        assert_eq!(
            c.opening.reporter.vulnerable,
            vec![VulnerableGroup::Child, VulnerableGroup::Elderly]
        );
    }
}
