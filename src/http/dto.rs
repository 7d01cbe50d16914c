//! Request bodies (DTOs) and their conversion into domain values: parse at the edge.
//! Every struct rejects unknown fields.

use chrono::{DateTime, FixedOffset, NaiveDate};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::domain::case::{Channel, VulnerableGroup};
use crate::domain::complaint::{Business, Consumer, NewComplaint, Reporter, ReporterType};
use crate::domain::ids::{CaseId, KbArticleId, UserId};
use crate::domain::values::{opt_text, text, Email, Phone, Product, TaxCode};
use crate::domain::Kind;
use crate::error::{AppError, ErrorCode};
use crate::service::calls::{CallOutcome, CallUpdate, NewCall};
use crate::service::clusters::ClusterReportOverrides;

pub const LONG: usize = 10_000;
pub const SHORT: usize = 500;
/// A person's name, in characters.
pub const NAME: usize = 200;
/// A link (a shop's page), in characters.
pub const LINK: usize = 2000;

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ConsumerDto {
    /// Required, except on a violation report (`kind: violation_report`).
    #[serde(default)]
    pub name: String,
    /// Required, except on a violation report (`kind: violation_report`).
    #[serde(default)]
    pub phone: String,
    pub email: Option<String>,
    /// Street address (personal data: never shown publicly).
    pub address: Option<String>,
    pub commune: Option<String>,
    /// Province of residence: decides the SCT that leads a dispute.
    pub province: Option<String>,
    #[serde(default)]
    pub vulnerable: Vec<VulnerableGroup>,
    /// Consent to the processing of personal data for handling the complaint.
    #[serde(default)]
    pub consent: bool,
}

#[derive(Debug, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct BusinessDto {
    pub name: Option<String>,
    pub tax_code: Option<String>,
    pub address: Option<String>,
    pub website: Option<String>,
    pub shop_link: Option<String>,
}

/// Who files the complaint.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ReporterDto {
    /// `consumer` (default), `business` or `organisation`.
    #[serde(rename = "type")]
    pub kind: ReporterType,
}

/// A complaint, from the web form or entered by staff.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewComplaintDto {
    /// The kind if known; otherwise the router's suggestion. On the web form only
    /// `violation_report` (tố giác): then the reporter's name and phone are optional and, when
    /// given, never shown to the business or on a public page.
    pub kind: Option<Kind>,
    /// Who files (default: a consumer).
    pub reporter: Option<ReporterDto>,
    /// Staff only: the category code if known.
    pub category: Option<String>,
    /// Staff only (the web form is always `web`); defaults to `hotline` for staff.
    pub channel: Option<Channel>,
    pub description: String,
    /// What the consumer asks for (refund, repair, inspection…).
    pub consumer_request: Option<String>,
    pub amount_vnd: Option<i64>,
    pub transaction_date: Option<NaiveDate>,
    pub consumer: ConsumerDto,
    #[serde(default)]
    pub business: BusinessDto,
    /// The product or service complained about, as the consumer names it (one line, at most
    /// 200 characters; e.g. "Nồi chiên không dầu", "gói cước Internet"): groups complaints
    /// for early warning (`product_key`).
    pub product: Option<String>,
    /// Staff only: the logged call this case comes from.
    pub call_id: Option<String>,
}

pub(crate) fn opt_short(field: &str, v: &Option<String>) -> Result<Option<String>, AppError> {
    Ok(opt_text(field, v.as_deref(), SHORT)?)
}

impl NewComplaintDto {
    /// For the public web form: staff-only fields are refused, consent is required.
    /// `today` (Asia/Ho_Chi_Minh, from the service's clock) bounds `transaction_date`.
    pub fn into_public(self, today: NaiveDate) -> Result<NewComplaint, AppError> {
        for (field, given) in [
            ("kind", self.kind.is_some_and(|k| k != Kind::ViolationReport)),
            ("category", self.category.is_some()),
            ("channel", self.channel.is_some_and(|c| c != Channel::Web)),
            ("call_id", self.call_id.is_some()),
        ] {
            if given {
                return Err(AppError::Validation {
                    code: ErrorCode::UnknownField,
                    field: field.into(),
                    en: "this field is set by staff, not on the web form".into(),
                    vi: "trường này do cán bộ nhập, không dùng trên biểu mẫu công khai".into(),
                });
            }
        }
        let c = &self.consumer;
        let anonymous = self.kind == Some(Kind::ViolationReport)
            && c.name.trim().is_empty()
            && c.phone.trim().is_empty()
            && c.email.as_deref().is_none_or(|e| e.trim().is_empty());
        if !self.consumer.consent && !anonymous {
            return Err(AppError::Validation {
                code: ErrorCode::ConsentRequired,
                field: "consumer.consent".into(),
                en: "consent to the processing of personal data is required to handle the complaint".into(),
                vi: "cần đồng ý cho phép xử lý dữ liệu cá nhân để giải quyết phản ánh".into(),
            });
        }
        self.into_domain(Channel::Web, today)
    }

    /// For staff intake; returns the complaint and the optional call id.
    pub fn into_staff(self, today: NaiveDate) -> Result<(NewComplaint, Option<String>), AppError> {
        let call_id = self.call_id.clone();
        let channel = self.channel.unwrap_or(Channel::Hotline);
        if channel == Channel::Internal {
            return Err(AppError::invalid(
                "channel",
                "channel `internal` is set by the service itself",
                "kênh `internal` chỉ do hệ thống tự đặt",
            ));
        }
        Ok((self.into_domain(channel, today)?, call_id))
    }

    pub fn into_domain(self, channel: Channel, today: NaiveDate) -> Result<NewComplaint, AppError> {
        let anonymous_ok = self.kind == Some(Kind::ViolationReport);
        let reporter = Reporter {
            kind: self.reporter.map(|r| r.kind).unwrap_or_default(),
            identity_protected: anonymous_ok,
        };
        let c = self.consumer;
        let b = self.business;
        if let Some(a) = self.amount_vnd {
            if a < 0 {
                return Err(AppError::invalid("amount_vnd", "must not be negative", "không được âm"));
            }
        }
        let mut vulnerable = c.vulnerable;
        vulnerable.sort_by_key(|v| v.as_str());
        vulnerable.dedup();
        Ok(NewComplaint {
            kind: self.kind,
            category: opt_short("category", &self.category)?,
            channel,
            description: text("description", &self.description, LONG)?,
            consumer_request: opt_text("consumer_request", self.consumer_request.as_deref(), LONG)?,
            amount_vnd: self.amount_vnd,
            transaction_date: transaction_date(self.transaction_date, today)?,
            consumer: Consumer {
                name: match c.name.trim() {
                    "" if anonymous_ok => String::new(),
                    _ => text("consumer.name", &c.name, NAME)?,
                },
                phone: match c.phone.trim() {
                    "" if anonymous_ok => None,
                    "" => return Err(AppError::required("consumer.phone")),
                    p => Some(Phone::parse("consumer.phone", p)?),
                },
                email: match c.email.as_deref().map(str::trim) {
                    Some(e) if !e.is_empty() => Some(Email::parse("consumer.email", e)?),
                    _ => None,
                },
                address: opt_short("consumer.address", &c.address)?,
                commune: opt_short("consumer.commune", &c.commune)?,
                province: opt_short("consumer.province", &c.province)?,
                vulnerable,
                consent: c.consent,
            },
            business: Business {
                name: opt_short("business.name", &b.name)?,
                tax_code: match b.tax_code.as_deref().map(str::trim) {
                    Some(t) if !t.is_empty() => Some(TaxCode::parse("business.tax_code", t)?),
                    _ => None,
                },
                address: opt_short("business.address", &b.address)?,
                website: opt_short("business.website", &b.website)?,
                shop_link: opt_text("business.shop_link", b.shop_link.as_deref(), LINK)?,
            },
            product: Product::parse("product", self.product.as_deref())?,
            reporter,
        })
    }
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct LoginDto {
    pub username: String,
    pub password: String,
    /// The 6-digit code of the authenticator app, for accounts with two-step sign-in.
    pub totp: Option<String>,
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct PasswordChangeDto {
    pub current_password: String,
    /// 10–256 characters, not containing the username, not a common password.
    pub new_password: String,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct LoginResponse {
    pub token: String,
    pub expires_at: DateTime<chrono::Utc>,
    /// The password must be changed (`POST /auth/password`) before anything else is allowed:
    /// until then other requests answer 403 `password_change_required`.
    pub must_change_password: bool,
}

/// A password set by an administrator's reset, shown once.
#[derive(Debug, Serialize, ToSchema)]
pub struct PasswordResetResponse {
    /// Hand it to the user; it must be changed at the first sign-in.
    pub temporary_password: String,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct MeResponse {
    pub id: String,
    pub username: String,
    pub display_name: String,
    pub role: crate::domain::user::Role,
    pub agency: Option<String>,
    /// The unit of the agency (ADR 0033), if any.
    pub unit: Option<String>,
}

impl From<crate::domain::user::Staff> for MeResponse {
    fn from(s: crate::domain::user::Staff) -> Self {
        MeResponse {
            id: s.id.into(),
            username: s.username,
            display_name: s.display_name,
            role: s.role,
            agency: s.agency.map(Into::into),
            unit: s.unit,
        }
    }
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CreateUserDto {
    pub username: String,
    pub display_name: Option<String>,
    pub role: String,
    pub agency: Option<String>,
    pub password: String,
    /// For reminders, escalations and the daily digest.
    pub email: Option<String>,
    /// A unit of the user's agency (`GET /api/v1/units`), e.g. `UBND_XA-26743`.
    pub unit: Option<String>,
}

/// Fields an administrator may change; absent fields stay as they are.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct UpdateUserDto {
    /// `false` ends the user's sessions at once.
    pub active: Option<bool>,
    pub role: Option<String>,
    /// `""` removes the agency (only for roles without one).
    pub agency: Option<String>,
    /// `""` removes the address.
    pub email: Option<String>,
    /// A unit of the user's agency; `""` removes it. Changing the agency without a unit removes it.
    pub unit: Option<String>,
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewCallDto {
    pub caller_phone: String,
    pub started_at: DateTime<FixedOffset>,
    pub ended_at: Option<DateTime<FixedOffset>>,
    pub category: Option<String>,
    pub outcome: CallOutcome,
    pub note: Option<String>,
    /// The case this call opens (outcome `case_opened`).
    pub case: Option<NewComplaintDto>,
    /// An existing case this call is about (a follow-up, e.g. a status question).
    pub case_id: Option<String>,
    /// With outcome `callback`: when to call back (default: two hours after `started_at`).
    pub callback_due_at: Option<DateTime<FixedOffset>>,
    /// With outcome `callback`: who calls back (default: the operator).
    pub callback_owner_id: Option<String>,
    /// With outcome `advised`: the published knowledge-base article the caller was advised with.
    pub kb_article_id: Option<String>,
}

/// `PATCH /api/v1/calls/{id}`: completing a call afterwards.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CallUpdateDto {
    pub ended_at: Option<DateTime<FixedOffset>>,
    /// The outcome after the callback (not `case_opened`).
    pub outcome: Option<CallOutcome>,
    /// Added below the call's earlier note.
    pub note: Option<String>,
    /// The callback was made.
    #[serde(default)]
    pub callback_done: bool,
    /// The existing case the call turned out to be about.
    pub case_id: Option<String>,
    /// The published knowledge-base article used (the outcome is or becomes `advised`).
    pub kb_article_id: Option<String>,
}

impl CallUpdateDto {
    pub fn into_domain(self) -> Result<CallUpdate, AppError> {
        Ok(CallUpdate {
            ended_at: self.ended_at.map(|t| t.to_utc()),
            outcome: self.outcome,
            note: opt_text("note", self.note.as_deref(), LONG)?,
            callback_done: self.callback_done,
            about_case: uuid_field("case_id", self.case_id)?.map(CaseId::from),
            kb_article: uuid_field("kb_article_id", self.kb_article_id)?.map(KbArticleId::from),
        })
    }
}

/// An optional id field that must be a UUID (422 naming the field otherwise).
fn uuid_field(field: &str, v: Option<String>) -> Result<Option<String>, AppError> {
    match v {
        Some(s) if uuid::Uuid::parse_str(s.trim()).is_err() => Err(AppError::invalid(
            field,
            "must be an id (UUID)",
            "phải là mã định danh (UUID)",
        )),
        other => Ok(other.map(|s| s.trim().to_owned())),
    }
}

impl NewCallDto {
    pub fn into_domain(self, today: NaiveDate) -> Result<NewCall, AppError> {
        Ok(NewCall {
            caller_phone: Phone::parse("caller_phone", &self.caller_phone)?,
            started_at: self.started_at.to_utc(),
            ended_at: self.ended_at.map(|t| t.to_utc()),
            category: opt_short("category", &self.category)?,
            outcome: self.outcome,
            note: opt_text("note", self.note.as_deref(), LONG)?,
            case: match self.case {
                Some(c) => Some(c.into_staff(today)?.0),
                None => None,
            },
            about_case: uuid_field("case_id", self.case_id)?.map(CaseId::from),
            callback_due_at: self.callback_due_at.map(|t| t.to_utc()),
            callback_owner: uuid_field("callback_owner_id", self.callback_owner_id)?.map(UserId::from),
            kb_article: uuid_field("kb_article_id", self.kb_article_id)?.map(KbArticleId::from),
        })
    }
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ClassifyDto {
    pub text: String,
    pub channel: Option<String>,
    /// The consumer's commune or ward as said ("phường Bến Thành", "P. Ben Thanh"): the
    /// suggestion then names the units serving it (ADR 0033).
    pub commune: Option<String>,
    /// The consumer's province as said ("TP.HCM", "Hà Nội"): a dispute of a consumer living in
    /// another province gets a referral to that province's Sở Công Thương.
    pub province: Option<String>,
}

/// `POST /clusters/{business_key}/violation-report`: optional overrides of the cluster's
/// suggestion. An empty or absent body takes the suggestion as it is.
#[derive(Debug, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ClusterReportDto {
    /// Category code (default: the cluster's most frequent category).
    pub category: Option<String>,
    /// Agency code that receives the report (default: the category's enforcement lead).
    pub agency: Option<String>,
    /// A covering note for the receiving agency, kept in the report's history (not in its
    /// description); phone numbers, e-mails and ID numbers in it are masked.
    pub note: Option<String>,
}

impl ClusterReportDto {
    pub fn into_domain(self) -> Result<ClusterReportOverrides, AppError> {
        Ok(ClusterReportOverrides {
            category: opt_short("category", &self.category)?,
            agency: opt_short("agency", &self.agency)?,
            note: opt_text("note", self.note.as_deref(), LONG)?,
        })
    }
}

/// The earliest transaction date a complaint may name (documented in docs/api.md).
pub const EARLIEST_TRANSACTION_DATE: NaiveDate = match NaiveDate::from_ymd_opt(2000, 1, 1) {
    Some(d) => d,
    None => panic!("2000-01-01 is a date"),
};

/// A transaction happened on a real past day: from 2000-01-01 up to today (Asia/Ho_Chi_Minh).
fn transaction_date(d: Option<NaiveDate>, today: NaiveDate) -> Result<Option<NaiveDate>, AppError> {
    let Some(d) = d else { return Ok(None) };
    if d < EARLIEST_TRANSACTION_DATE || d > today {
        return Err(AppError::invalid(
            "transaction_date",
            "must be a date from 2000-01-01 up to today",
            "phải là ngày từ 01/01/2000 đến hôm nay",
        ));
    }
    Ok(Some(d))
}
