//! What a citizen sees of their complaint (tracking code + the phone's last four digits).

use super::super::clocks;
use super::super::views::{self, PublicAgency, PublicMessage, PublicStage, PublicStatus};
use crate::db::cases::{self as case_db};
use crate::domain::case::Status;
use crate::domain::values::normalize_tracking_code;
use crate::error::AppError;
use crate::routing;
use crate::state::AppState;

/// The citizen's status page: needs the tracking code and the phone's last four digits; a
/// wrong pair is a plain 404, the same as an unknown code.
pub async fn public_status(state: &AppState, code: String, phone_last4: String) -> Result<PublicStatus, AppError> {
    if phone_last4.len() != 4 || !phone_last4.chars().all(|c| c.is_ascii_digit()) {
        return Err(AppError::invalid(
            "phone_last4",
            "the last 4 digits of the phone number are required",
            "cần 4 chữ số cuối của số điện thoại",
        ));
    }
    let code = normalize_tracking_code(&code);
    let router = state.router.clone();
    state
        .db
        .run(move |conn| {
            let row = case_db::find_by_tracking_code(conn, &code)?
                .filter(|r| r.consumer_phone_last4 == phone_last4)
                .ok_or(AppError::NotFound("complaint"))?;
            let st = views::state_of(&row)?;
            let evs = case_db::list_events(conn, &row.id)?;
            let clock_rows = crate::db::clocks::for_case(conn, &row.id)?;
            let agency = row.current_agency.as_ref().map(|code| PublicAgency {
                code: code.clone(),
                name: router
                    .taxonomy()
                    .agency(code)
                    .map(|a| a.name.clone())
                    .unwrap_or_default(),
            });
            let mut history: Vec<PublicStage> = Vec::new();
            for e in &evs {
                if history.last().is_none_or(|h| h.status != e.to_status) {
                    history.push(PublicStage {
                        at: views::utc(e.at),
                        status: e.to_status.clone(),
                        stage: Status::parse(&e.to_status)
                            .ok_or_else(|| views::corrupt(&format!("status of event {}", e.seq), &e.case_id))?
                            .label_vi()
                            .to_owned(),
                    });
                }
            }
            let messages = evs
                .iter()
                .filter_map(|e| {
                    e.public_message.as_ref().map(|m| PublicMessage {
                        at: views::utc(e.at),
                        message: routing::redact(m),
                    })
                })
                .collect();
            Ok(PublicStatus {
                tracking_code: row.tracking_code.clone(),
                status: row.status.clone(),
                stage: st.status.label_vi().to_owned(),
                outcome: row.outcome.clone(),
                outcome_label: st.outcome.map(|o| o.label_vi().to_owned()),
                kind: row.kind.clone(),
                category: row.category.clone(),
                agency,
                created_at: views::utc(row.created_at),
                updated_at: views::utc(row.updated_at),
                due_dates: views::running(&clock_rows)
                    .into_iter()
                    .filter(|c| clocks::is_public(&c.clock))
                    .map(views::DueView::from)
                    .collect(),
                messages,
                history,
            })
        })
        .await
}
