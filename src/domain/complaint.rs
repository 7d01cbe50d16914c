//! A new complaint, parsed from any intake channel.

use chrono::NaiveDate;

use super::case::{Channel, VulnerableGroup};
use super::values::{Email, Phone, TaxCode};
use super::Kind;

#[derive(Debug, Clone)]
pub struct Consumer {
    pub name: String,
    pub phone: Phone,
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
}
