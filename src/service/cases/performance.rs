//! After a settlement (issue 12, item 9; ADR 0029). A negotiation settled with an agreed date
//! (Art 60) or a successful mediation (Art 65) starts the `settlement_performance` clock (and,
//! for a mediation, the 6-month `court_recognition` clock, Civil Procedure Code Art 418). The
//! consumer confirms through their link (`public::confirm_settlement`), or the handler records
//! it (`record_performance`). When the agreed date passes with neither, the sweep records it
//! as not carried out (`record_performance` by the system): the case returns to `accepted` for
//! the handler, and the parties are e-mailed what the law offers next. Once per closure: the
//! sweep acts only on a clock it has just marked overdue, and only while the settlement is
//! still unanswered.

use chrono::{DateTime, Utc};

use super::super::intake::IntakeContext;
use super::super::notify;
use super::transition::{self, ActionEnvelope};
use crate::calendar::vn_date;
use crate::db::cases::{self as case_db, CaseRow};
use crate::db::clocks::ClockRow;
use crate::db::AnyConnection;
use crate::domain::case::{Action, Outcome};
use crate::domain::clock::{ClockKind, ClockState};
use crate::domain::user::Actor;
use crate::error::AppError;

/// Refuses `record_performance` when the settlement's performance is no longer open: already
/// confirmed or recorded since the case closed, or neither its clock runs nor the case closed
/// within the 30 days of the rating.
pub(super) fn check_open(conn: &mut AnyConnection, row: &CaseRow, now: DateTime<Utc>) -> Result<(), AppError> {
    if super::public::settlement_open(conn, row, now)?.is_some() {
        return Ok(());
    }
    Err(AppError::InvalidTransition {
        action: "record_performance".into(),
        status: row.status.to_string(),
        allowed: vec![],
    })
}

/// The sweep marked the `settlement_performance` clock `clock` overdue (inside its
/// transaction): if the settlement is still unanswered, the case returns to the handler with
/// an event, the parties get the advice, and the handler an e-mail.
pub fn missed(
    conn: &mut AnyConnection,
    ctx: &IntakeContext,
    clock: &ClockRow,
    at: DateTime<Utc>,
) -> Result<(), AppError> {
    if clock.clock != ClockKind::SettlementPerformance {
        return Ok(());
    }
    let Some(row) = case_db::find_by_id(conn, &clock.case_id)? else {
        return Ok(());
    };
    if super::public::settlement_open(conn, &row, at)?.is_none() {
        return Ok(());
    }
    let due = vn_date(clock.due_date);
    let env = ActionEnvelope {
        version: row.version,
        note: Some(format!(
            "Hạn thực hiện thỏa thuận ({due}) đã qua mà chưa có xác nhận của người tiêu dùng hay cán bộ xử lý."
        )),
        public_message: Some(public_message(row.outcome == Some(Outcome::SettledMediation), &due)),
    };
    let action = Action::RecordPerformance {
        performed: false,
        recovered_vnd: None,
    };
    let after = transition::act_on(conn, ctx, &ctx.clocks, &Actor::System, row, action, &env, at)?;
    let m = crate::email::OverdueEscalation {
        tracking_code: after.tracking_code.to_string(),
        clock_label: ClockKind::SettlementPerformance.label_vi().into(),
        due_date: due,
        assignee: "hồ sơ đã được mở lại, trở về bước \"Đang xử lý\" để cán bộ xử lý quyết định bước tiếp theo".into(),
        case_url: notify::staff_case_url(&ctx.notify.base_url, &after.id),
    };
    for to in crate::service::business::handler_recipients(conn, &after, false)? {
        crate::service::jobs::enqueue_email(conn, &to, &m, at, ctx.notify.max_attempts)?;
    }
    Ok(())
}

/// How many days before its end the parties are reminded of the court-recognition deadline.
const COURT_REMINDER_DAYS: i64 = 30;

/// The parties of a successful mediation are reminded, a month before its end, of the 6 months
/// to ask a court to recognise it (Civil Procedure Code Art 418): once per clock (it is then
/// marked reminded, so the staff reminder of the day before is not sent for it).
pub fn remind_court_recognition(
    conn: &mut AnyConnection,
    ctx: &IntakeContext,
    at: DateTime<Utc>,
) -> Result<(), AppError> {
    let until = (at + chrono::TimeDelta::days(COURT_REMINDER_DAYS)).naive_utc();
    for listed in crate::db::clocks::unreminded_due_before(conn, ClockKind::CourtRecognition, until)? {
        // The case locked, the clock read again before it is saved (ADR 0062).
        crate::db::portability::lock_row(conn, crate::db::portability::Locked::Case, &listed.case_id)?;
        let fresh = crate::db::clocks::find(conn, &listed.id)?;
        let Some(mut c) = fresh.filter(|c| c.state == ClockState::Running && !c.reminded) else {
            continue;
        };
        if at.naive_utc() > c.due_at {
            continue;
        }
        let Some(case) = case_db::find_by_id(conn, &c.case_id)? else {
            continue;
        };
        notify::court_recognition_reminder(conn, &ctx.notify, &case, c.due_date, at)?;
        c.reminded = true;
        crate::db::clocks::save(conn, &c)?;
    }
    Ok(())
}

/// What the consumer's status page says when a settlement was not carried out.
pub(super) fn public_message(mediated: bool, due: &str) -> String {
    let next = if mediated {
        "Mỗi bên có thể yêu cầu Tòa án công nhận kết quả hòa giải thành trong 6 tháng kể từ ngày hòa giải thành (Điều 66 Luật 19/2023, Điều 418 Bộ luật Tố tụng dân sự)."
    } else {
        "Các bên có thể đề nghị hòa giải, hoặc khởi kiện tại Tòa án (thủ tục rút gọn với giao dịch dưới 100 triệu đồng, không phải tạm ứng án phí)."
    };
    format!("Hạn thực hiện thỏa thuận ({due}) đã qua mà chưa có xác nhận đã thực hiện: hồ sơ được mở lại để cơ quan xem xét. {next}")
}
