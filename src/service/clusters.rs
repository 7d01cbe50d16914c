//! Mass complaints: many distinct consumers about one business in a short time (Law 19/2023
//! Art 54(2): such disputes are not negotiated; the enforcement agency should inspect).

use std::collections::{BTreeMap, HashMap, HashSet};

use chrono::{DateTime, TimeDelta, Utc};
use serde::Serialize;
use utoipa::ToSchema;

use super::scope_of;
use super::views::utc;
use crate::db::cases::{self as case_db, BusinessCaseRow};
use crate::domain::user::{Actor, Role};
use crate::domain::Kind;
use crate::error::AppError;
use crate::state::{now, AppState};

/// The suggested next step for a cluster.
#[derive(Debug, Serialize, ToSchema)]
pub struct ClusterSuggestion {
    /// Always `open_violation_report`.
    pub action: String,
    pub kind: Kind,
    /// The most frequent category among the cluster's cases.
    pub category: String,
    /// The enforcement lead for that category (taxonomy's violation lead).
    pub agency: Option<String>,
    pub explanation: String,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct Cluster {
    pub business_key: String,
    pub business_name: Option<String>,
    /// Distinct consumers (by phone).
    pub consumers: usize,
    pub case_ids: Vec<String>,
    pub first_at: DateTime<Utc>,
    pub last_at: DateTime<Utc>,
    pub suggestion: ClusterSuggestion,
}

/// Clusters among the cases the caller may see. Supervisors and coordinators only.
pub async fn list(state: &AppState, actor: Actor) -> Result<Vec<Cluster>, AppError> {
    match &actor {
        Actor::Staff(s) if matches!(s.role, Role::Supervisor | Role::Coordinator) => {}
        Actor::Staff(_) => return Err(AppError::Forbidden),
        _ => return Err(AppError::Unauthenticated),
    }
    let min = state.settings.intake.cluster_min_consumers;
    let since = now() - TimeDelta::days(state.settings.intake.cluster_window_days);
    let rows = state
        .db
        .run(move |conn| {
            Ok(case_db::recent_business_cases(
                conn,
                &scope_of(&actor),
                since.naive_utc(),
            )?)
        })
        .await?;
    let taxonomy = state.router.taxonomy();
    let mut groups: BTreeMap<String, Vec<BusinessCaseRow>> = BTreeMap::new();
    for r in rows {
        if let Some(k) = r.business_key.clone() {
            groups.entry(k).or_default().push(r);
        }
    }
    let mut out = Vec::new();
    for (key, cases) in groups {
        let phones: HashSet<&str> = cases.iter().map(|c| c.consumer_phone.as_str()).collect();
        if (phones.len() as i64) < min {
            continue;
        }
        let mut counts: HashMap<&str, usize> = HashMap::new();
        for c in &cases {
            *counts.entry(c.category.as_str()).or_default() += 1;
        }
        let category = counts
            .iter()
            .max_by(|a, b| a.1.cmp(b.1).then(b.0.cmp(a.0)))
            .map(|(c, _)| (*c).to_owned())
            .unwrap_or_default();
        let agency = taxonomy
            .lead_agency(Kind::ViolationReport, &category)
            .map(str::to_owned);
        let (Some(first), Some(last)) = (cases.first(), cases.last()) else {
            continue;
        };
        out.push(Cluster {
            business_name: cases.iter().rev().find_map(|c| c.business_name.clone()),
            consumers: phones.len(),
            first_at: utc(first.created_at),
            last_at: utc(last.created_at),
            suggestion: ClusterSuggestion {
                action: "open_violation_report".into(),
                kind: Kind::ViolationReport,
                explanation: format!(
                    "{} consumers complained about this business in {} days: harm to many consumers (Law 19/2023 Art 54(2)) is not negotiated; open a violation report to {} for inspection.",
                    phones.len(),
                    state.settings.intake.cluster_window_days,
                    agency.as_deref().unwrap_or("the enforcement agency")
                ),
                category,
                agency,
            },
            case_ids: cases.into_iter().map(|c| c.id).collect(),
            business_key: key,
        });
    }
    out.sort_by(|a, b| b.consumers.cmp(&a.consumers).then(b.last_at.cmp(&a.last_at)));
    Ok(out)
}
