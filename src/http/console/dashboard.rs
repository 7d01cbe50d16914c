//! The supervisor's dashboard: today's calls by outcome and the day's new cases, the queues
//! that need a decision (overdue, priority, unassigned, transfers) per agency, and the clusters
//! of mass complaints with the one-step violation report.

use std::collections::BTreeMap;

use actix_web::http::StatusCode;
use actix_web::web::{Bytes, Data, Path, Query};
use actix_web::{HttpRequest, HttpResponse};
use askama::Template;

use super::session::{see_other, signed_in, Signed};
use super::text::value_label;
use super::{error_page, page, Who};
use crate::calendar::local_date;
use crate::domain::alert::AlertStatus;
use crate::domain::search::{CallFilter, ListFilter};
use crate::domain::user::Role;
use crate::error::AppError;
use crate::service::alerts;
use crate::service::clusters::{self, ClusterReportOverrides};
use crate::service::{calls, cases, reference};
use crate::state::AppState;

struct AgencyRow {
    name: String,
    overdue: i64,
    priority: i64,
    unassigned: i64,
    transfers: i64,
}

struct ClusterRow {
    key: String,
    name: String,
    consumers: usize,
    cases: usize,
    report: Option<(String, String)>,
}

#[derive(Template)]
#[template(path = "console/dashboard.html")]
struct DashboardPage {
    who: Option<Who>,
    calls_today: Vec<(String, usize)>,
    calls_total: usize,
    cases_today: i64,
    agencies: Vec<AgencyRow>,
    /// Overdue cases per unit (ADR 0033): (unit name, agency, count).
    unit_overdue: Vec<(String, String, i64)>,
    clusters: Vec<ClusterRow>,
    dead: super::outbox::DeadLetters,
    /// The open early-warning signals (coordinators only; `None` for supervisors).
    signals: Option<Vec<super::alerts::Signal>>,
}

pub async fn show(state: Data<AppState>, req: HttpRequest, q: Query<super::outbox::AdminQuery>) -> HttpResponse {
    let s = match signed_in(&state, &req).await {
        Ok(s) => s,
        Err(r) => return r,
    };
    if s.staff.role == Role::Admin {
        return super::outbox::admin_overview(&state, &s, &q).await;
    }
    if !matches!(s.staff.role, Role::Supervisor | Role::Coordinator) {
        return error_page(&AppError::Forbidden);
    }
    match render(&state, &s).await {
        Ok(p) => page(StatusCode::OK, &p),
        Err(e) => error_page(&e),
    }
}

async fn render(state: &AppState, s: &Signed) -> Result<DashboardPage, AppError> {
    let now = state.clock.now();
    // Local midnight (Asia/Ho_Chi_Minh, UTC+7) as UTC.
    let midnight = local_date(now).and_time(chrono::NaiveTime::MIN) - chrono::TimeDelta::hours(7);
    let today_calls = calls::list_calls(
        state,
        s.actor(),
        CallFilter {
            from: Some(midnight),
            ..CallFilter::default()
        },
        None,
        200,
    )
    .await?;
    let mut by_outcome: BTreeMap<String, usize> = BTreeMap::new();
    for c in &today_calls.items {
        *by_outcome.entry(value_label(&c.outcome).to_owned()).or_default() += 1;
    }
    // The agencies shown: every one for a coordinator, one's own for a supervisor.
    let agencies: Vec<(String, String)> = reference::agencies(state)
        .await?
        .into_iter()
        .filter(|a| s.staff.role == Role::Coordinator || s.staff.agency.as_deref() == Some(a.code.as_str()))
        .map(|a| (a.code, a.name))
        .collect();
    let mut filters = vec![ListFilter {
        created_from: Some(midnight),
        ..ListFilter::default()
    }];
    for (code, _) in &agencies {
        let base = ListFilter {
            agency: Some(code.clone()),
            open_only: true,
            ..ListFilter::default()
        };
        filters.push(ListFilter {
            overdue: true,
            ..base.clone()
        });
        filters.push(ListFilter {
            priority_only: true,
            ..base.clone()
        });
        filters.push(ListFilter {
            unassigned: true,
            ..base.clone()
        });
        filters.push(ListFilter {
            agency: None,
            pending_transfer_to: Some(code.clone()),
            ..base
        });
    }
    let counts = cases::queue_counts(state, s.actor(), filters).await?;
    let rows = agencies
        .into_iter()
        .zip(counts[1..].chunks(4))
        .map(|((code, name), c)| AgencyRow {
            name: format!("{name} ({code})"),
            overdue: c[0],
            priority: c[1],
            unassigned: c[2],
            transfers: c[3],
        })
        .filter(|r| s.staff.role != Role::Coordinator || r.overdue + r.priority + r.unassigned + r.transfers > 0)
        .collect();
    let clusters = clusters::list(state, s.actor())
        .await?
        .into_iter()
        .map(|c| ClusterRow {
            name: c.business_name.clone().unwrap_or_else(|| c.business_key.clone()),
            consumers: c.consumers,
            cases: c.case_ids.len(),
            report: c.report_case_id.zip(c.report_tracking_code),
            key: c.business_key,
        })
        .collect();
    Ok(DashboardPage {
        who: Some(Who::of(s)),
        unit_overdue: unit_overdue(state, s).await?,
        calls_total: today_calls.items.len(),
        calls_today: by_outcome.into_iter().collect(),
        cases_today: counts[0],
        agencies: rows,
        clusters,
        dead: super::outbox::dead_letters(state, s).await?,
        signals: open_signals(state, s).await?,
    })
}

/// The open signals of the early-warning job, for a coordinator (ADR 0038).
async fn open_signals(state: &AppState, s: &Signed) -> Result<Option<Vec<super::alerts::Signal>>, AppError> {
    if s.staff.role != Role::Coordinator {
        return Ok(None);
    }
    let open = alerts::list(state, s.actor(), Some(AlertStatus::Open)).await?;
    Ok(Some(open.iter().map(super::alerts::signal).collect()))
}

/// "Lập phiếu phản ánh vi phạm" for a cluster: the case it opens.
pub async fn open_report(state: Data<AppState>, req: HttpRequest, key: Path<String>, body: Bytes) -> HttpResponse {
    let (s, _) = match super::signed_form(&state, &req, &body).await {
        Ok(v) => v,
        Err(r) => return r,
    };
    let overrides = ClusterReportOverrides {
        category: None,
        agency: None,
        note: None,
    };
    match clusters::open_report(&state, s.actor(), key.into_inner(), overrides).await {
        Ok(case) => see_other(&format!("/console/cases/{}?done=opened", case.id)),
        Err(AppError::ClusterReportExists { case_id }) => see_other(&format!("/console/cases/{case_id}")),
        Err(e) => error_page(&e),
    }
}

/// Overdue open cases per unit of the supervisor's agency (every agency for a coordinator):
/// (unit name, agency, count), most first (ADR 0033).
async fn unit_overdue(state: &AppState, s: &Signed) -> Result<Vec<(String, String, i64)>, AppError> {
    let overdue = ListFilter {
        overdue: true,
        open_only: true,
        agency: s
            .staff
            .agency
            .clone()
            .map(String::from)
            .filter(|_| s.staff.role != Role::Coordinator),
        ..ListFilter::default()
    };
    Ok(cases::counts_by_unit(state, s.actor(), overdue)
        .await?
        .into_iter()
        .filter_map(|(code, n)| {
            let u = state.router.units().get(&code)?;
            Some((u.name.clone(), u.agency.clone(), n))
        })
        .collect())
}
