//! Public notices (issue 14 point 5, ADR 0032): publishing a sanctioned violator (Decree 55/2024
//! Art 24) and withdrawing it; public warnings managed by supervisors and coordinators; the
//! public lists as JSON and as Atom feeds.

use actix_web::web::{Data, Path};
use actix_web::{HttpResponse, Responder};
use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Deserializer};
use utoipa::ToSchema;

use super::dto::{LONG, SHORT};
use super::extractors::{CurrentUser, JsonBody};
use crate::atom::{self, Entry, Feed};
use crate::calendar::vn_date;
use crate::domain::notice::{WarningContent, WarningEdit, WarningKind};
use crate::domain::values::{opt_text, text};
use crate::error::{AppError, Problem};
use crate::service::violators::{self, PublicViolatorView, ViolatorNoticeView};
use crate::service::warnings::{self, PublicWarningView, WarningChange, WarningView};
use crate::state::AppState;

const ATOM: &str = "application/atom+xml; charset=utf-8";

/// Publication of a sanctioned case's business. Name, address, violation and decision come
/// from the case and its recorded sanction.
#[derive(Deserialize, ToSchema, Default)]
#[serde(deny_unknown_fields)]
pub struct PublishViolatorDto {
    /// Where the violation took place, when not at the business's address (default: the
    /// address recorded on the case).
    pub place: Option<String>,
}

/// Early withdrawal of a violator notice.
#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct WithdrawViolatorDto {
    /// Why it is taken down before its period ends (kept in the case's history).
    pub reason: String,
}

/// A new public warning. `publish: true` shows it from `start_date` at once; otherwise it is a
/// draft.
#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewWarningDto {
    pub kind: WarningKind,
    pub title: String,
    pub body: String,
    pub business_name: Option<String>,
    pub product: Option<String>,
    /// First day shown (Vietnam date).
    pub start_date: NaiveDate,
    /// Last day shown, inclusive.
    pub end_date: NaiveDate,
    #[serde(default)]
    pub publish: bool,
}

/// An edit of a warning that has not ended; `null` clears `business_name` or `product`.
#[derive(Deserialize, ToSchema, Default)]
#[serde(deny_unknown_fields)]
pub struct WarningPatchDto {
    pub kind: Option<WarningKind>,
    pub title: Option<String>,
    pub body: Option<String>,
    #[serde(default, deserialize_with = "present")]
    #[schema(value_type = Option<String>)]
    pub business_name: Option<Option<String>>,
    #[serde(default, deserialize_with = "present")]
    #[schema(value_type = Option<String>)]
    pub product: Option<Option<String>>,
    pub start_date: Option<NaiveDate>,
    pub end_date: Option<NaiveDate>,
}

/// A field that is present (possibly `null`) is `Some`.
fn present<'de, D: Deserializer<'de>, T: Deserialize<'de>>(d: D) -> Result<Option<Option<T>>, D::Error> {
    Option::<T>::deserialize(d).map(Some)
}

impl NewWarningDto {
    fn into_domain(self) -> Result<(WarningContent, bool), AppError> {
        let c = WarningContent::parse(
            self.kind,
            &self.title,
            &self.body,
            self.business_name.as_deref(),
            self.product.as_deref(),
            self.start_date,
            self.end_date,
        )?;
        Ok((c, self.publish))
    }
}

impl WarningPatchDto {
    fn into_domain(self) -> Result<WarningEdit, AppError> {
        let opt = |field: &str, v: Option<Option<String>>| -> Result<Option<Option<String>>, AppError> {
            Ok(match v {
                None => None,
                Some(v) => Some(opt_text(field, v.as_deref(), SHORT)?),
            })
        };
        Ok(WarningEdit {
            kind: self.kind,
            title: self.title.map(|t| text("title", &t, SHORT)).transpose()?,
            body: self.body.map(|b| text("body", &b, LONG)).transpose()?,
            business_name: opt("business_name", self.business_name)?,
            product: opt("product", self.product)?,
            start_date: self.start_date,
            end_date: self.end_date,
        })
    }
}

#[utoipa::path(post, path = "/api/v1/cases/{id}/violator-notice", tag = "notices", security(("bearer" = [])),
    params(("id" = String, Path)), request_body = PublishViolatorDto,
    responses((status = 201, body = ViolatorNoticeView, description = "Published for `public.violator_notice_days` (30); event `violator_published`"),
        (status = 409, body = Problem, description = "`no_sanction`: the case is not closed with a sanction decision; `already_published`: its notice is on the list", content_type = "application/problem+json"),
        (status = 422, body = Problem, description = "the case names no business (`required`, field `business_name`)", content_type = "application/problem+json")))]
pub async fn publish_violator(
    state: Data<AppState>,
    user: CurrentUser,
    id: Path<String>,
    body: JsonBody<PublishViolatorDto>,
) -> Result<impl Responder, AppError> {
    let place = opt_text("place", body.value.place.as_deref(), SHORT)?;
    let v = violators::publish(&state, user.actor(), id.into_inner(), place).await?;
    Ok(HttpResponse::Created().json(v))
}

#[utoipa::path(post, path = "/api/v1/cases/{id}/violator-notice/withdraw", tag = "notices", security(("bearer" = [])),
    params(("id" = String, Path)), request_body = WithdrawViolatorDto,
    responses((status = 200, body = ViolatorNoticeView, description = "Off the public list; event `violator_removed` (reason `withdrawn`)"),
        (status = 409, body = Problem, description = "`notice_not_active`: no notice of the case is on the list", content_type = "application/problem+json")))]
pub async fn withdraw_violator(
    state: Data<AppState>,
    user: CurrentUser,
    id: Path<String>,
    body: JsonBody<WithdrawViolatorDto>,
) -> Result<impl Responder, AppError> {
    let reason = text("reason", &body.value.reason, SHORT)?;
    Ok(HttpResponse::Ok().json(violators::withdraw(&state, user.actor(), id.into_inner(), reason).await?))
}

#[utoipa::path(get, path = "/api/v1/cases/{id}/violator-notice", tag = "notices", security(("bearer" = [])),
    params(("id" = String, Path)),
    responses((status = 200, body = Vec<ViolatorNoticeView>, description = "Every violator notice of the case, newest first (shown, expired, withdrawn)")))]
pub async fn case_violator_notices(
    state: Data<AppState>,
    user: CurrentUser,
    id: Path<String>,
) -> Result<impl Responder, AppError> {
    Ok(HttpResponse::Ok().json(violators::of_case(&state, user.actor(), id.into_inner()).await?))
}

#[utoipa::path(get, path = "/api/v1/public/violators", tag = "public",
    responses((status = 200, body = Vec<PublicViolatorView>, description = "Sanctioned violators on the public list now (Decree 55/2024 Art 24): the business and the decision only, newest first")))]
pub async fn public_violators(state: Data<AppState>) -> Result<impl Responder, AppError> {
    Ok(HttpResponse::Ok().json(violators::public_list(&state).await?))
}

#[utoipa::path(get, path = "/api/v1/public/violators.atom", tag = "public",
    responses((status = 200, content_type = "application/atom+xml", body = String, description = "The same list as an Atom 1.0 feed; one entry per notice, its id stable")))]
pub async fn violators_feed(state: Data<AppState>) -> Result<impl Responder, AppError> {
    let list = violators::public_list(&state).await?;
    let base = base_url(&state);
    let entries = list.iter().map(|v| violator_entry(&base, v)).collect();
    let subtitle = format!(
        "Công khai trong {} ngày theo Điều 24 Nghị định 55/2024/NĐ-CP",
        state.settings.public.violator_notice_days
    );
    let feed = feed(
        &state,
        "violators",
        "/vi-pham",
        "Danh sách tổ chức, cá nhân kinh doanh vi phạm quyền lợi người tiêu dùng đã bị xử phạt",
        &subtitle,
        entries,
    );
    Ok(atom_response(&feed))
}

#[utoipa::path(get, path = "/api/v1/public/warnings", tag = "public",
    responses((status = 200, body = Vec<PublicWarningView>, description = "Warnings shown today (published, start_date ≤ today ≤ end_date, Vietnam dates)")))]
pub async fn public_warnings(state: Data<AppState>) -> Result<impl Responder, AppError> {
    Ok(HttpResponse::Ok().json(warnings::current(&state).await?))
}

#[utoipa::path(get, path = "/api/v1/public/warnings.atom", tag = "public",
    responses((status = 200, content_type = "application/atom+xml", body = String, description = "The warnings shown today as an Atom 1.0 feed")))]
pub async fn warnings_feed(state: Data<AppState>) -> Result<impl Responder, AppError> {
    let list = warnings::current(&state).await?;
    let base = base_url(&state);
    let entries = list.iter().map(|w| warning_entry(&base, w)).collect();
    let feed = feed(
        &state,
        "warnings",
        "/canh-bao",
        "Cảnh báo người tiêu dùng",
        "Cảnh báo về sản phẩm, doanh nghiệp và phương thức kinh doanh",
        entries,
    );
    Ok(atom_response(&feed))
}

#[utoipa::path(get, path = "/api/v1/warnings", tag = "notices", security(("bearer" = [])),
    responses((status = 200, body = Vec<WarningView>, description = "Drafts, published and ended warnings: a supervisor's agency's, every one for a coordinator")))]
pub async fn list_warnings(state: Data<AppState>, user: CurrentUser) -> Result<impl Responder, AppError> {
    Ok(HttpResponse::Ok().json(warnings::list(&state, user.actor()).await?))
}

#[utoipa::path(post, path = "/api/v1/warnings", tag = "notices", security(("bearer" = [])), request_body = NewWarningDto,
    responses((status = 201, body = WarningView), (status = 422, body = Problem, content_type = "application/problem+json")))]
pub async fn create_warning(
    state: Data<AppState>,
    user: CurrentUser,
    body: JsonBody<NewWarningDto>,
) -> Result<impl Responder, AppError> {
    let (content, publish) = body.value.into_domain()?;
    Ok(HttpResponse::Created().json(warnings::create(&state, user.actor(), content, publish).await?))
}

#[utoipa::path(get, path = "/api/v1/warnings/{id}", tag = "notices", security(("bearer" = [])), params(("id" = String, Path)),
    responses((status = 200, body = WarningView)))]
pub async fn get_warning(
    state: Data<AppState>,
    user: CurrentUser,
    id: Path<String>,
) -> Result<impl Responder, AppError> {
    Ok(HttpResponse::Ok().json(warnings::get(&state, user.actor(), id.into_inner()).await?))
}

#[utoipa::path(patch, path = "/api/v1/warnings/{id}", tag = "notices", security(("bearer" = [])), params(("id" = String, Path)),
    request_body = WarningPatchDto,
    responses((status = 200, body = WarningView),
        (status = 409, body = Problem, description = "`notice_not_active`: the warning has ended", content_type = "application/problem+json")))]
pub async fn edit_warning(
    state: Data<AppState>,
    user: CurrentUser,
    id: Path<String>,
    body: JsonBody<WarningPatchDto>,
) -> Result<impl Responder, AppError> {
    let edit = body.value.into_domain()?;
    let w = warnings::change(&state, user.actor(), id.into_inner(), WarningChange::Edit(edit)).await?;
    Ok(HttpResponse::Ok().json(w))
}

#[utoipa::path(post, path = "/api/v1/warnings/{id}/publish", tag = "notices", security(("bearer" = [])), params(("id" = String, Path)),
    responses((status = 200, body = WarningView, description = "Shown from its start date to its end date"),
        (status = 409, body = Problem, description = "`already_published`, or `notice_not_active` (ended)", content_type = "application/problem+json")))]
pub async fn publish_warning(
    state: Data<AppState>,
    user: CurrentUser,
    id: Path<String>,
) -> Result<impl Responder, AppError> {
    let w = warnings::change(&state, user.actor(), id.into_inner(), WarningChange::Publish).await?;
    Ok(HttpResponse::Ok().json(w))
}

#[utoipa::path(post, path = "/api/v1/warnings/{id}/end", tag = "notices", security(("bearer" = [])), params(("id" = String, Path)),
    responses((status = 200, body = WarningView, description = "No longer shown (a draft is ended too: never shown)"),
        (status = 409, body = Problem, description = "`notice_not_active`: already ended", content_type = "application/problem+json")))]
pub async fn end_warning(
    state: Data<AppState>,
    user: CurrentUser,
    id: Path<String>,
) -> Result<impl Responder, AppError> {
    let w = warnings::change(&state, user.actor(), id.into_inner(), WarningChange::End).await?;
    Ok(HttpResponse::Ok().json(w))
}

fn base_url(state: &AppState) -> String {
    state.settings.email.public_base_url.trim_end_matches('/').to_owned()
}

/// The Vietnamese text of a violator notice (the feed's content; the page shows the same).
pub fn violator_text(v: &PublicViolatorView) -> String {
    let mut lines = vec![format!("Tổ chức, cá nhân kinh doanh: {}", v.business_name)];
    if let Some(a) = &v.business_address {
        lines.push(format!("Địa chỉ: {a}"));
    }
    lines.push(format!("Hành vi vi phạm: {}", v.violation));
    if let Some(p) = &v.place {
        lines.push(format!("Nơi xảy ra vi phạm: {p}"));
    }
    lines.push(format!(
        "Quyết định xử phạt số {} ngày {} của {}",
        v.decision_number,
        vn_date(v.decision_date),
        v.issuing_body
    ));
    lines.push(format!(
        "Công khai đến ngày {}",
        vn_date(crate::calendar::local_date(v.expires_at))
    ));
    lines.join("\n")
}

fn violator_entry(base: &str, v: &PublicViolatorView) -> Entry {
    Entry {
        id: format!("urn:uuid:{}", v.id),
        title: format!("{} – Quyết định số {}", v.business_name, v.decision_number),
        updated: v.published_at,
        published: Some(v.published_at),
        link: format!("{base}/vi-pham#v-{}", v.id),
        category: None,
        content: violator_text(v),
    }
}

fn warning_entry(base: &str, w: &PublicWarningView) -> Entry {
    let mut content = w.body.clone();
    if let Some(b) = &w.business_name {
        content.push_str(&format!("\nDoanh nghiệp: {b}"));
    }
    if let Some(p) = &w.product {
        content.push_str(&format!("\nSản phẩm: {p}"));
    }
    content.push_str(&format!(
        "\nÁp dụng từ {} đến {}",
        vn_date(w.start_date),
        vn_date(w.end_date)
    ));
    Entry {
        id: format!("urn:uuid:{}", w.id),
        title: w.title.clone(),
        updated: w.updated_at,
        published: w.published_at,
        link: format!("{base}/canh-bao#w-{}", w.id),
        category: Some(w.kind.clone()),
        content,
    }
}

fn feed(state: &AppState, name: &str, page: &str, title: &str, subtitle: &str, entries: Vec<Entry>) -> Feed {
    let base = base_url(state);
    let newest: Option<DateTime<Utc>> = entries.iter().map(|e| e.updated).max();
    let self_link = format!("{base}/api/v1/public/{name}.atom");
    Feed {
        id: self_link.clone(),
        title: title.to_owned(),
        subtitle: Some(subtitle.to_owned()),
        updated: newest.unwrap_or_else(|| state.clock.now()),
        self_link,
        alternate_link: format!("{base}{page}"),
        lang: "vi".into(),
        author: "Đường dây nóng bảo vệ quyền lợi người tiêu dùng".into(),
        entries,
    }
}

/// A feed is revalidated on every poll: a withdrawn or expired notice must leave readers at once.
fn atom_response(feed: &Feed) -> HttpResponse {
    HttpResponse::Ok()
        .content_type(ATOM)
        .insert_header(("Cache-Control", "no-cache"))
        .body(atom::render(feed))
}
