//! Early warning (issue 14 point 6, ADR 0038): once per ISO week the sweep counts the last
//! complete week's cases by category, by business and by product (ADR 0066) against the eight
//! weeks before and stores
//! the rises that pass the test of `domain::alert` as signals. Coordinators list them, each with
//! the query that lists its cases, dismiss them, or draft a public warning from one in one step
//! (`warnings::draft`, same transaction, `source = signal:{id}`).

use std::collections::HashMap;

use chrono::{DateTime, NaiveDate, NaiveDateTime, TimeDelta, Utc};
use serde::Serialize;
use utoipa::ToSchema;

use super::views::utc;
use crate::calendar::{self, vn_date};
use crate::db::alerts::{self as db, AlertRow};
use crate::db::cases::{first_case_at, trend_counts};
use crate::db::AnyConnection;
use crate::domain::alert::{history_weeks, test_rise, AlertDimension, AlertStatus, AlertWeek, BASELINE_WEEKS};
use crate::domain::notice::{WarningContent, WarningKind};
use crate::domain::search::ListFilter;
use crate::domain::user::{Actor, Role, Staff};
use crate::error::{AppError, ErrorCode};
use crate::routing::Taxonomy;
use crate::state::AppState;

/// How many days a warning drafted from a signal is meant to be shown (editable before it is
/// published).
const DRAFT_DAYS: i64 = 30;

/// A signal as coordinators see it.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct AlertView {
    pub id: String,
    /// ISO week examined, e.g. `2026-W47`.
    pub week: String,
    /// First day of the week (Monday, Vietnam date).
    pub period_start: NaiveDate,
    /// Last day of the week (Sunday), inclusive.
    pub period_end: NaiveDate,
    /// `category`, `business` or `product`.
    pub dimension: String,
    /// The category's code, the business's key (`business_key` of the case list) or the
    /// product's (`product_key`).
    pub key: String,
    /// The category's name, or the business's or product's name as last recorded.
    pub label: String,
    /// Complaints of the week (duplicates and the service's own reports left out); for a
    /// business or a product, the distinct consumers who made them.
    pub count: i64,
    /// The same per week expected from the eight weeks before (fewer in the service's first
    /// weeks: the weeks since its first case), at least 0.5.
    pub baseline: f64,
    /// The whole weeks the baseline covers: eight, or fewer in the service's first weeks.
    pub baseline_weeks: i64,
    /// One-sided Poisson `P(X ≥ count)` under the baseline.
    pub p_value: f64,
    /// `open`, `dismissed` or `drafted`.
    pub status: String,
    /// The warning drafted from it.
    pub warning_id: Option<String>,
    /// Query string for `GET /api/v1/cases` listing the cases counted.
    pub cases_query: String,
    pub created_at: DateTime<Utc>,
}

fn unreadable(what: &str, id: &str) -> AppError {
    AppError::Internal(anyhow::anyhow!("stored data is invalid: {what} of alert {id}"))
}

/// The case list's filter for the cases behind a signal (or a count of the job).
fn filter_of(dim: AlertDimension, key: Option<&str>, from: NaiveDateTime, to: NaiveDateTime) -> ListFilter {
    let mut f = ListFilter {
        created_from: Some(from),
        created_to: Some(to),
        complaints_only: true,
        ..ListFilter::default()
    };
    match dim {
        AlertDimension::Category => f.category = key.map(str::to_owned),
        AlertDimension::Business => f.business_key = key.map(str::to_owned),
        AlertDimension::Product => f.product_key = key.map(str::to_owned),
    }
    f
}

fn cases_query(r: &AlertRow, dim: AlertDimension) -> String {
    let local = |t: NaiveDateTime| {
        t.and_utc()
            .with_timezone(&calendar::tz())
            .to_rfc3339_opts(chrono::SecondsFormat::Secs, false)
    };
    let field = match dim {
        AlertDimension::Category => "category",
        AlertDimension::Business => "business_key",
        AlertDimension::Product => "product_key",
    };
    let pairs = [
        ("created_from", local(r.week_start)),
        ("created_to", local(r.week_end)),
        (field, r.group_key.clone()),
        ("complaints_only", "true".to_owned()),
    ];
    serde_urlencoded::to_string(pairs).unwrap_or_default()
}

/// The whole weeks of a baseline of `history` weeks, as a text says it (at least one).
fn whole_weeks(history: f64) -> i64 {
    (history.round() as i64).clamp(1, BASELINE_WEEKS)
}

/// A signal as the API shows it; `first_case`: when the service's first case was opened.
fn view(r: &AlertRow, first_case: Option<NaiveDateTime>) -> Result<AlertView, AppError> {
    let dim = AlertDimension::parse(&r.dimension).ok_or_else(|| unreadable("alerts.dimension", &r.id))?;
    Ok(AlertView {
        id: r.id.clone(),
        week: r.week.clone(),
        period_start: calendar::local_date(r.week_start.and_utc()),
        period_end: calendar::local_date(r.week_end.and_utc()) - TimeDelta::days(1),
        dimension: r.dimension.clone(),
        key: r.group_key.clone(),
        label: r.label.clone(),
        count: r.cases_count,
        baseline: r.baseline,
        baseline_weeks: whole_weeks(history_weeks(first_case, r.week_start)),
        p_value: r.p_value,
        status: r.status.clone(),
        warning_id: r.warning_id.clone(),
        cases_query: cases_query(r, dim),
        created_at: utc(r.created_at),
    })
}

/// Examines the last complete week unless it was examined already (any instance, any sweep):
/// stores its signals and returns how many. Runs in the sweep's transaction.
pub fn detect(conn: &mut AnyConnection, taxonomy: &Taxonomy, at: DateTime<Utc>) -> Result<usize, AppError> {
    let week = AlertWeek::last_complete(calendar::local_date(at));
    if db::week_done(conn, &week.key)? {
        return Ok(0);
    }
    let t = at.naive_utc();
    let history = history_weeks(first_case_at(conn)?, week.start);
    let mut signals = 0;
    for dim in AlertDimension::ALL {
        let current = trend_counts(conn, &filter_of(dim, None, week.start, week.end), dim)?;
        if current.is_empty() {
            continue;
        }
        // Week by week, then added: a business is counted by distinct consumers *per week*, as
        // the week examined counts them (a consumer who complains every week would otherwise
        // count once in eight weeks of baseline and once in the week examined).
        let mut baseline: HashMap<String, i64> = HashMap::new();
        let mut from = week.baseline_start;
        while from < week.start {
            let to = (from + TimeDelta::days(7)).min(week.start);
            for (k, _, n) in trend_counts(conn, &filter_of(dim, None, from, to), dim)? {
                *baseline.entry(k).or_default() += n;
            }
            from = to;
        }
        for (key, name, count) in current {
            let test = test_rise(count, baseline.get(&key).copied().unwrap_or(0), history);
            if !test.signal {
                continue;
            }
            let label = match dim {
                AlertDimension::Category => taxonomy.category(&key).map(|c| c.name.clone()),
                AlertDimension::Business => name,
                // A consumer's words: what a phone or a name typed into them would show is
                // redacted before it is stored, shown or drafted into a public warning.
                AlertDimension::Product => name.map(|n| crate::text::redact(&n)),
            };
            db::insert(
                conn,
                &AlertRow {
                    id: uuid::Uuid::now_v7().to_string(),
                    week: week.key.clone(),
                    week_start: week.start,
                    week_end: week.end,
                    dimension: dim.as_str().to_owned(),
                    label: label.unwrap_or_else(|| key.clone()),
                    group_key: key,
                    cases_count: count,
                    baseline: test.baseline_mean,
                    p_value: test.p_value,
                    status: AlertStatus::Open.as_str().to_owned(),
                    warning_id: None,
                    created_at: t,
                    updated_at: t,
                },
            )?;
            signals += 1;
        }
    }
    db::mark_week(conn, &week.key, t, i64::try_from(signals).unwrap_or(i64::MAX))?;
    if signals > 0 {
        tracing::info!(week = %week.key, signals, "early-warning signals raised");
    }
    Ok(signals)
}

/// Coordinators watch the province's trends.
fn coordinator(actor: &Actor) -> Result<&Staff, AppError> {
    match actor {
        Actor::Staff(s) if s.role == Role::Coordinator => Ok(s),
        Actor::Staff(_) => Err(AppError::Forbidden),
        _ => Err(AppError::Unauthenticated),
    }
}

/// Signals newest first, optionally only those of one status.
pub async fn list(state: &AppState, actor: Actor, status: Option<AlertStatus>) -> Result<Vec<AlertView>, AppError> {
    state
        .db
        .run(move |conn| {
            coordinator(&actor)?;
            let first = first_case_at(conn)?;
            db::list(conn, status.map(AlertStatus::as_str), 500)?
                .iter()
                .map(|r| view(r, first))
                .collect()
        })
        .await
}

/// One signal, with the case list's filter for the cases it counted.
pub async fn get(state: &AppState, actor: Actor, id: String) -> Result<(AlertView, ListFilter), AppError> {
    state
        .db
        .run(move |conn| {
            coordinator(&actor)?;
            let row = db::find(conn, &id)?.ok_or(AppError::NotFound("alert"))?;
            let dim = AlertDimension::parse(&row.dimension).ok_or_else(|| unreadable("alerts.dimension", &row.id))?;
            let filter = filter_of(dim, Some(&row.group_key), row.week_start, row.week_end);
            Ok((view(&row, first_case_at(conn)?)?, filter))
        })
        .await
}

fn open_alert(conn: &mut AnyConnection, id: &str) -> Result<AlertRow, AppError> {
    let row = db::find(conn, id)?.ok_or(AppError::NotFound("alert"))?;
    let status = AlertStatus::parse(&row.status).ok_or_else(|| unreadable("alerts.status", &row.id))?;
    if status != AlertStatus::Open {
        return Err(AppError::Conflict {
            code: ErrorCode::AlertNotOpen,
            en: format!("this signal is {} already", status.as_str()),
            vi: match status {
                AlertStatus::Drafted => "đã soạn cảnh báo từ tín hiệu này".into(),
                _ => "tín hiệu này đã được bỏ qua".into(),
            },
        });
    }
    Ok(row)
}

/// One decimal, with the Vietnamese decimal comma (`16,0`).
fn decimal_vi(v: f64) -> String {
    format!("{v:.1}").replace('.', ",")
}

/// The draft a signal suggests, in Vietnamese: what rose, by how much, over which week, against
/// how many weeks before it (`history`: fewer than eight in the service's first weeks).
fn draft_content(r: &AlertRow, history: f64, today: NaiveDate) -> Result<WarningContent, AppError> {
    let first = calendar::local_date(r.week_start.and_utc());
    let last = calendar::local_date(r.week_end.and_utc()) - TimeDelta::days(1);
    let ratio = r.cases_count as f64 / r.baseline;
    let dim = AlertDimension::parse(&r.dimension).ok_or_else(|| unreadable("alerts.dimension", &r.id))?;
    let (kind, subject) = match dim {
        AlertDimension::Business => (WarningKind::Business, format!("doanh nghiệp {}", r.label)),
        AlertDimension::Product => (WarningKind::Product, format!("sản phẩm, dịch vụ «{}»", r.label)),
        AlertDimension::Category => (WarningKind::Practice, format!("lĩnh vực «{}»", r.label)),
    };
    let title = format!("Cảnh báo: khiếu nại về {subject} tăng đột biến");
    let body = format!(
        "Từ ngày {} đến ngày {}, đường dây nóng bảo vệ người tiêu dùng của tỉnh đã tiếp nhận {} phản ánh, \
         khiếu nại liên quan đến {subject}, gấp {} lần mức trung bình {} trường hợp mỗi tuần của {} tuần \
         trước đó. Người tiêu dùng cần thận trọng, giữ lại hóa đơn, hợp đồng và chứng từ giao dịch, và liên hệ \
         đường dây nóng khi quyền lợi bị xâm phạm.",
        vn_date(first),
        vn_date(last),
        r.cases_count,
        decimal_vi(ratio),
        decimal_vi(r.baseline),
        whole_weeks(history),
    );
    Ok(WarningContent::parse(
        kind,
        &title,
        &body,
        (dim == AlertDimension::Business).then_some(r.label.as_str()),
        (dim == AlertDimension::Product).then_some(r.label.as_str()),
        today,
        today + TimeDelta::days(DRAFT_DAYS),
    )?)
}

/// Drafts a public warning from an open signal, links it, marks the signal `drafted`.
pub async fn draft_warning(state: &AppState, actor: Actor, id: String) -> Result<AlertView, AppError> {
    let now = state.clock.now();
    state
        .db
        .write(move |conn| {
            let s = coordinator(&actor)?;
            let row = open_alert(conn, &id)?;
            let t = now.naive_utc();
            let first = first_case_at(conn)?;
            let content = draft_content(&row, history_weeks(first, row.week_start), calendar::local_date(now))?;
            let w = super::warnings::draft(conn, s, &content, Some(format!("signal:{}", row.id)), t)?;
            db::set_status(conn, &row.id, AlertStatus::Drafted.as_str(), Some(&w.id), t)?;
            view(&db::find(conn, &row.id)?.ok_or(AppError::NotFound("alert"))?, first)
        })
        .await
}

/// Dismisses an open signal (judged not worth a warning).
pub async fn dismiss(state: &AppState, actor: Actor, id: String) -> Result<AlertView, AppError> {
    let now = state.clock.now();
    state
        .db
        .write(move |conn| {
            coordinator(&actor)?;
            let row = open_alert(conn, &id)?;
            db::set_status(conn, &row.id, AlertStatus::Dismissed.as_str(), None, now.naive_utc())?;
            view(
                &db::find(conn, &row.id)?.ok_or(AppError::NotFound("alert"))?,
                first_case_at(conn)?,
            )
        })
        .await
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    /// A signal in the service's fourth week: the draft says the baseline is of the weeks the
    /// service has (never "eight weeks" it does not have).
    #[test]
    fn the_draft_names_the_weeks_of_its_baseline() {
        let at = |d: &str| {
            NaiveDate::parse_from_str(d, "%Y-%m-%d")
                .unwrap()
                .and_hms_opt(17, 0, 0)
                .unwrap()
        };
        let row = AlertRow {
            id: "a1".into(),
            week: "2026-W48".into(),
            week_start: at("2026-11-22"),
            week_end: at("2026-11-29"),
            dimension: AlertDimension::Category.as_str().into(),
            group_key: "ecommerce".into(),
            label: "Mua bán trực tuyến".into(),
            cases_count: 12,
            baseline: 1.5,
            p_value: 0.0001,
            status: "open".into(),
            warning_id: None,
            created_at: at("2026-12-02"),
            updated_at: at("2026-12-02"),
        };
        let today = NaiveDate::from_ymd_opt(2026, 12, 2).unwrap();
        let history = history_weeks(Some(at("2026-11-01")), row.week_start);
        let body = draft_content(&row, history, today).unwrap().body;
        assert!(
            body.contains("mức trung bình 1,5 trường hợp mỗi tuần của 3 tuần trước đó"),
            "{body}"
        );
        let body = draft_content(&row, 8.0, today).unwrap().body;
        assert!(body.contains("của 8 tuần trước đó"), "{body}");
    }
}
