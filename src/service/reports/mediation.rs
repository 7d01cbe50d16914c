//! The mediation section of a report (ADR 0067): the period's cases appointed to a mediator on
//! the list of the report's agency (a mediation body's report: the mediations its mediators ran
//! on cases other agencies hold) or to any mediator (the province's report), by result and by
//! mediator, each figure with the query that lists its cases.

use std::collections::BTreeMap;

use serde::Serialize;
use utoipa::ToSchema;

use super::Period;
use crate::db::cases::{self as case_db, Scope};
use crate::db::mediation as med_db;
use crate::db::AnyConnection;
use crate::domain::case::Outcome;
use crate::error::AppError;

/// The period's mediations.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct MediationFigures {
    /// The mediation body whose listed mediators are counted; `null`: every mediator (the
    /// province's report).
    pub body: Option<String>,
    /// The period's cases with one of those mediators appointed.
    pub cases: i64,
    pub drill_down: String,
    /// Closed as settled by mediation (`settled_mediation`; Art 65 record).
    pub settled: i64,
    pub settled_drill_down: String,
    /// Closed as failed (`mediation_failed`).
    pub failed: i64,
    pub failed_drill_down: String,
    /// Closed otherwise (withdrawn, referred, …) after a mediator was appointed.
    pub closed_otherwise: i64,
    /// Not closed yet.
    pub open: i64,
    pub open_drill_down: String,
    /// settled / (settled + failed); `null` before any result.
    pub success_rate: Option<f64>,
    /// Mediation sessions held (recorded `held`) that started in the period, whichever case
    /// they are of (a case of an earlier period's included).
    pub sessions_held: i64,
    /// Each mediator's cases (and sessions), most cases first (then by name).
    pub mediators: Vec<MediatorFigures>,
}

/// One mediator's cases of the period.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct MediatorFigures {
    pub user_id: String,
    /// The name on the list of mediators.
    pub name: String,
    /// The organisation of their entry.
    pub organisation: String,
    pub cases: i64,
    pub settled: i64,
    pub failed: i64,
    pub open: i64,
    /// Sessions they held that started in the period.
    pub sessions_held: i64,
    pub drill_down: String,
}

/// One tally of results.
#[derive(Default)]
struct Tally {
    cases: i64,
    settled: i64,
    failed: i64,
    other: i64,
    open: i64,
    sessions: i64,
}

impl Tally {
    fn add(&mut self, outcome: Option<&str>, n: i64) {
        self.cases += n;
        match outcome.and_then(Outcome::parse) {
            Some(Outcome::SettledMediation) => self.settled += n,
            Some(Outcome::MediationFailed) => self.failed += n,
            Some(_) => self.other += n,
            None => self.open += n,
        }
    }
}

/// The section of a report of `period` (its agency's, or the province's when it has none);
/// `None` for an agency that keeps no list of mediators (its mediated cases are in its outcome
/// breakdown, as every case it holds).
pub(super) fn mediation(
    conn: &mut AnyConnection,
    scope: &Scope,
    period: &Period,
) -> Result<Option<MediationFigures>, AppError> {
    let body = period.agency.clone();
    let entries = med_db::list_mediators(conn, body.as_deref(), false)?;
    if body.is_some() && entries.is_empty() {
        return Ok(None);
    }
    // Every case of the period, whichever agency holds it: the mediator decides.
    let all = period.clone().of_agency(None);
    let mut f = all.filter();
    let by: (&str, String) = match &body {
        Some(b) => {
            f.mediator_body = Some(b.clone());
            ("mediator_body", b.clone())
        }
        None => {
            f.mediated = true;
            ("mediated", "true".to_owned())
        }
    };
    let drill = |more: &[(&str, &str)]| {
        let mut pairs = vec![(by.0, by.1.as_str())];
        pairs.extend_from_slice(more);
        all.drill(&pairs)
    };
    let mut total = Tally::default();
    let mut each: BTreeMap<String, Tally> = BTreeMap::new();
    for (mediator, outcome, n) in case_db::mediation_counts(conn, scope, &f)? {
        total.add(outcome.as_deref(), n);
        each.entry(mediator).or_default().add(outcome.as_deref(), n);
    }
    let (from, to) = (all.start.naive_utc(), all.end.naive_utc());
    for mediator in med_db::held_session_mediators(conn, body.as_deref(), from, to)? {
        total.sessions += 1;
        each.entry(mediator.to_string()).or_default().sessions += 1;
    }
    let listed: BTreeMap<String, (String, String)> = entries
        .into_iter()
        .filter_map(|e| Some((e.user_id?.to_string(), (e.name, e.organisation))))
        .collect();
    let mut mediators: Vec<MediatorFigures> = each
        .into_iter()
        .map(|(id, t)| {
            let (name, organisation) = listed
                .get(&id)
                .cloned()
                .unwrap_or_else(|| ("(không còn trong danh sách)".to_owned(), String::new()));
            MediatorFigures {
                drill_down: all.drill(&[("mediator", &id)]),
                user_id: id,
                name,
                organisation,
                cases: t.cases,
                settled: t.settled,
                failed: t.failed,
                open: t.open,
                sessions_held: t.sessions,
            }
        })
        .collect();
    mediators.sort_by(|a, b| b.cases.cmp(&a.cases).then_with(|| a.name.cmp(&b.name)));
    let decided = total.settled + total.failed;
    Ok(Some(MediationFigures {
        body,
        cases: total.cases,
        drill_down: drill(&[]),
        settled: total.settled,
        settled_drill_down: drill(&[("outcome", Outcome::SettledMediation.as_str())]),
        failed: total.failed,
        failed_drill_down: drill(&[("outcome", Outcome::MediationFailed.as_str())]),
        closed_otherwise: total.other,
        open: total.open,
        open_drill_down: drill(&[("open", "true")]),
        success_rate: (decided > 0).then(|| total.settled as f64 / decided as f64),
        sessions_held: total.sessions,
        mediators,
    }))
}
