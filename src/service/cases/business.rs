//! What the business sees of a request forwarded to it, behind its own link (see
//! `service::links`): never the consumer's page, never reachable from the tracking code.

use std::net::IpAddr;

use super::super::business::panel;
use super::super::evidence::Download;
use super::super::links::Audience;
use super::super::views::{self, BusinessCaseView, PublicAgency};
use crate::db::cases::{self as case_db, CaseRow};
use crate::db::AnyConnection;
use crate::domain::case::Status;
use crate::domain::clock::ClockKind;
use crate::error::AppError;
use crate::routing::Router;
use crate::state::AppState;

/// The clocks a business answers to.
const BUSINESS_CLOCKS: [ClockKind; 2] = [ClockKind::BusinessNegotiation, ClockKind::BusinessReport];

/// The forwarded request behind a business link (404 for an unknown, expired or revoked link;
/// misses count against the client's address, `limits.link_address`).
pub async fn business_view(state: &AppState, token: String, addr: IpAddr) -> Result<BusinessCaseView, AppError> {
    let router = state.router.clone();
    let now = state.clock.now();
    super::public::read_through_link(state, token, Audience::Business, addr, move |conn, row| {
        business_view_of(conn, &router, &row, now)
    })
    .await
}

/// A file the business may download through its link: one the agency shared with it, or one
/// it sent itself (404 for any other, as for an unknown link).
pub async fn business_file(
    state: &AppState,
    token: String,
    evidence_id: String,
    addr: IpAddr,
) -> Result<Download, AppError> {
    let dir = state.settings.evidence_dir();
    super::public::read_through_link(state, token, Audience::Business, addr, move |conn, row| {
        if !panel::shared_files(conn, &row.id)?.iter().any(|f| f.id == evidence_id) {
            return Err(AppError::NotFound("evidence"));
        }
        let ev = case_db::find_evidence(conn, &row.id, &evidence_id)?.ok_or(AppError::NotFound("evidence"))?;
        Ok(Download::of(ev, &dir))
    })
    .await
}

/// What the business's page shows of a case (also the answer of its acts, issue 12).
pub fn business_view_of(
    conn: &mut AnyConnection,
    router: &Router,
    row: &CaseRow,
    _now: chrono::DateTime<chrono::Utc>,
) -> Result<BusinessCaseView, AppError> {
    let st = views::state_of(row)?;
    let clock_rows = crate::db::clocks::for_case(conn, &row.id)?;
    let evs = case_db::list_events(conn, &row.id)?;
    let forwarded_at = evs
        .iter()
        .rev()
        .find(|e| e.action == "forward_to_business")
        .map(|e| views::utc(e.at));
    let agency = row.current_agency.as_ref().map(|code| PublicAgency::of(router, code));
    let (response, result) = panel::answers(row, &evs)?;
    let in_negotiation = row.status == Status::Negotiation;
    let may_respond = in_negotiation && response.is_none();
    let may_report = in_negotiation && result.is_none() && response.as_ref().is_some_and(|r| r.decision != "refuse");
    // A violation report's reporter is protected: not even their words reach the business.
    let protected = crate::db::reporters::find(conn, &row.id)?.is_some_and(|r| r.identity_protected);
    let (description, consumer_request, product) = match protected {
        true => (
            "Nội dung tố giác được giữ bí mật; cơ quan sẽ trao đổi trực tiếp với doanh nghiệp.".to_owned(),
            None,
            None,
        ),
        false => (
            crate::text::redact(&row.description),
            row.consumer_request.as_deref().map(crate::text::redact),
            row.product.as_deref().map(crate::text::redact),
        ),
    };
    Ok(BusinessCaseView {
        agency,
        business_name: row.business_name.clone(),
        product,
        stage: st.status.label_vi().to_owned(),
        consumer_request,
        description,
        amount_vnd: row.amount_vnd,
        transaction_date: row.transaction_date,
        deadlines: views::running(&clock_rows)
            .into_iter()
            .filter(|c| BUSINESS_CLOCKS.contains(&c.clock))
            .map(views::DueView::from)
            .collect(),
        forwarded_at,
        legal_deadlines: panel::legal_deadlines(&clock_rows),
        evidence: panel::shared_files(conn, &row.id)?,
        response,
        result,
        may_respond,
        may_report,
    })
}
