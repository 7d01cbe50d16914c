//! Evidence the business sends through its private link (issue 12, item 4): the same rules as
//! the consumer's files (kinds recognised by their bytes, size and count per send, the case's
//! quota, the link's abuse limit), recorded with the business as their source and actor, one
//! `evidence_added` event, and an e-mail to the handler through the outbox. Only while the link
//! lives, that is while the case is in negotiation.

use std::net::IpAddr;

use super::super::evidence::{self, StoredFile};
use super::super::limits::{Key, Limit};
use super::super::views::BusinessCaseView;
use super::handler_recipients;
use crate::db::cases as case_db;
use crate::domain::case::Status;
use crate::domain::user::Actor;
use crate::error::AppError;
use crate::state::AppState;

/// Records files the business sent (already stored and fsynced, `http::citizen_upload`) on the
/// case behind its link, and answers with what its page shows. The caller removes the files if
/// this fails.
pub async fn add(
    state: &AppState,
    token: String,
    files: Vec<StoredFile>,
    addr: IpAddr,
) -> Result<BusinessCaseView, AppError> {
    if files.is_empty() {
        return Err(AppError::Validation {
            code: crate::error::ErrorCode::Required,
            field: "evidence".into(),
            en: "choose at least one file".into(),
            vi: "hãy chọn ít nhất một tệp".into(),
        });
    }
    let quota = state.settings.server.max_evidence_bytes_per_case;
    let (router, limits, clock) = (state.router.clone(), state.settings.limits.clone(), state.clock.clone());
    let notify = super::super::notify::NotifyCtx::from_state(state);
    let chain_key = state.chain_key.clone();
    let keys = [Key::new(Limit::LinkAddress, &addr.to_string())];
    let done = state
        .db
        .write(move |conn| {
            let now = clock.now();
            let Some(row) = super::case_of_link(conn, &limits, &keys, &token, now)? else {
                return Ok(None);
            };
            if row.status != Status::Negotiation {
                return Err(AppError::InvalidTransition {
                    action: "add_evidence".into(),
                    status: row.status.to_string(),
                    allowed: vec![],
                });
            }
            let names: Vec<String> = files.iter().map(|f| format!("- {}", f.file_name)).collect();
            let t = now.naive_utc();
            evidence::record_tx(conn, &chain_key, &row, &Actor::Business, files, t, quota)?;
            let m = crate::email::BusinessUpdate {
                tracking_code: row.tracking_code.to_string(),
                headline: "doanh nghiệp gửi thêm tài liệu, chứng cứ".into(),
                details: names.join("\n"),
                timeliness: "không áp dụng".into(),
                next_step: "xem tài liệu trong hồ sơ (nguồn: doanh nghiệp) và tiếp tục theo dõi thương lượng".into(),
                case_url: super::super::notify::staff_case_url(&notify.base_url, &row.id),
            };
            for to in handler_recipients(conn, &row, false)? {
                super::super::jobs::enqueue_email(conn, &to, &m, now, notify.max_attempts)?;
            }
            // Read again: the answer changed the row.
            let row = case_db::find_by_id(conn, &row.id)?.ok_or(AppError::NotFound("case"))?;
            super::super::cases::business_view_of(conn, &router, &row, now).map(Some)
        })
        .await?;
    done.ok_or(AppError::NotFound("case"))
}
