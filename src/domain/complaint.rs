//! A new complaint, parsed from any intake channel.

use chrono::NaiveDate;

use super::case::{Channel, VulnerableGroup};
use super::values::{Email, Phone, Product, TaxCode};
use super::Kind;

#[derive(Debug, Clone)]
pub struct Consumer {
    /// Empty only on a violation report whose reporter stays anonymous.
    pub name: String,
    /// `None` only on a violation report whose reporter gave no phone.
    pub phone: Option<Phone>,
    pub email: Option<Email>,
    pub address: Option<String>,
    pub commune: Option<String>,
    pub province: Option<String>,
    pub vulnerable: Vec<VulnerableGroup>,
    /// Consent to the processing of personal data (Law 19/2023 Art 15) was given.
    pub consent: bool,
}

#[derive(Debug, Clone, Default)]
pub struct Business {
    pub name: Option<String>,
    pub tax_code: Option<TaxCode>,
    pub address: Option<String>,
    pub website: Option<String>,
    pub shop_link: Option<String>,
}

#[derive(Debug, Clone)]
pub struct NewComplaint {
    /// Set by staff; otherwise the router's suggestion is used.
    pub kind: Option<Kind>,
    pub category: Option<String>,
    pub channel: Channel,
    pub description: String,
    pub consumer_request: Option<String>,
    pub amount_vnd: Option<i64>,
    pub transaction_date: Option<NaiveDate>,
    pub consumer: Consumer,
    pub business: Business,
    /// The product or service complained about, if named.
    pub product: Option<Product>,
    pub reporter: Reporter,
}

/// Who files: a consumer for themself (the default), a business, or an organisation (the
/// provincial plans receive complaints "of consumers and businesses").
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ReporterType {
    #[default]
    Consumer,
    Business,
    Organisation,
}

impl ReporterType {
    pub const ALL: [ReporterType; 3] = [
        ReporterType::Consumer,
        ReporterType::Business,
        ReporterType::Organisation,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            ReporterType::Consumer => "consumer",
            ReporterType::Business => "business",
            ReporterType::Organisation => "organisation",
        }
    }

    pub fn parse(s: &str) -> Option<ReporterType> {
        ReporterType::ALL.into_iter().find(|r| r.as_str() == s)
    }
}

/// Who filed, and whether their identity is kept from the business and every public page (a
/// violation report, tố giác).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Reporter {
    pub kind: ReporterType,
    pub identity_protected: bool,
}
