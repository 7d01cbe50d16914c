//! Mass complaints: many distinct consumers about one business in a short time (Law 19/2023
//! Art 54(2): such disputes are not negotiated; the enforcement agency should inspect), and the
//! one step that acts on one: a violation report to the enforcement lead.
//!
//! A cluster is never stored: it is computed from the cases the caller may see, both for the
//! list and when a report is opened (so the client's view of it is never trusted). What is
//! stored is the report (an ordinary case of kind `violation_report`, channel `internal`) and
//! its link to the member cases (`db::cluster_reports`), plus an event on every member.

use std::collections::{BTreeMap, HashMap, HashSet};

use chrono::{DateTime, NaiveDateTime, TimeDelta, Utc};
use serde::Serialize;
use utoipa::ToSchema;

use super::events::{self, NewEvent};
use super::intake::{insert_new_case, this_years_tracking_code, IntakeContext};
use super::scope_of;
use super::views::{utc, CaseDetail};
use crate::calendar::{self, vn_date};
use crate::db::cases::{self as case_db, BusinessCaseRow, CaseRow};
use crate::db::cluster_reports::{self as report_db, ClusterReportRow};
use crate::db::{reference, AnyConnection};
use crate::domain::case::{Channel, Status};
use crate::domain::ids::{CaseId, UserId};
use crate::domain::open::{BusinessFacts, Opening, Reporter};
use crate::domain::user::{Actor, Role};
use crate::domain::{Case, Kind};
use crate::error::{AppError, ErrorCode};
use crate::state::AppState;

/// The suggested next step for a cluster.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct ClusterSuggestion {
    /// Always `open_violation_report` (`POST /clusters/{business_key}/violation-report`).
    pub action: String,
    pub kind: Kind,
    /// The most frequent category among the cluster's cases.
    pub category: String,
    /// The enforcement lead for that category (taxonomy's violation lead).
    pub agency: Option<String>,
    pub explanation: String,
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct Cluster {
    pub business_key: String,
    pub business_name: Option<String>,
    /// Distinct consumers (by phone).
    pub consumers: usize,
    /// Oldest first.
    pub case_ids: Vec<String>,
    pub first_at: DateTime<Utc>,
    pub last_at: DateTime<Utc>,
    pub suggestion: ClusterSuggestion,
    /// The open (not closed) violation report already opened for this business, if any: a
    /// second one is refused with `cluster_report_exists`.
    pub report_case_id: Option<String>,
    pub report_tracking_code: Option<String>,
}

/// What the caller may change in the suggestion when opening the report (already parsed).
#[derive(Debug, Clone, Default)]
pub struct ClusterReportOverrides {
    pub category: Option<String>,
    pub agency: Option<String>,
    pub note: Option<String>,
}

/// Clusters are for supervisors and coordinators.
fn require_reader(actor: &Actor) -> Result<(), AppError> {
    match actor {
        Actor::Staff(s) if matches!(s.role, Role::Supervisor | Role::Coordinator) => Ok(()),
        Actor::Staff(_) => Err(AppError::Forbidden),
        _ => Err(AppError::Unauthenticated),
    }
}

/// The clusters among the cases `actor` may see, created within the window before `at`,
/// largest first. Report cases themselves are not complaints and are left out.
fn compute(
    conn: &mut AnyConnection,
    ctx: &IntakeContext,
    actor: &Actor,
    at: DateTime<Utc>,
) -> Result<Vec<Cluster>, AppError> {
    let since = (at - TimeDelta::days(ctx.cluster_window_days)).naive_utc();
    let reports: HashSet<String> = report_db::report_case_ids_since(conn, since)?.into_iter().collect();
    let rows = case_db::recent_business_cases(conn, &scope_of(actor), since)?;
    let taxonomy = ctx.router.taxonomy();
    let mut groups: BTreeMap<String, Vec<BusinessCaseRow>> = BTreeMap::new();
    for r in rows {
        if reports.contains(&r.id) {
            continue;
        }
        if let Some(k) = r.business_key.clone() {
            groups.entry(k).or_default().push(r);
        }
    }
    let mut out = Vec::new();
    for (key, cases) in groups {
        let phones: HashSet<&str> = cases.iter().map(|c| c.consumer_phone.as_str()).collect();
        if (phones.len() as i64) < ctx.cluster_min_consumers {
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
                    ctx.cluster_window_days,
                    agency.as_deref().unwrap_or("the enforcement agency")
                ),
                category,
                agency,
            },
            case_ids: cases.into_iter().map(|c| c.id).collect(),
            business_key: key,
            report_case_id: None,
            report_tracking_code: None,
        });
    }
    let keys: Vec<String> = out.iter().map(|c| c.business_key.clone()).collect();
    // Only a report the caller may see is named, and only it blocks a new one: another
    // agency's report is neither shown nor in the way.
    let open = report_db::open_reports(conn, &keys)?;
    let scope = scope_of(actor);
    for c in &mut out {
        for r in open.get(&c.business_key).into_iter().flatten() {
            if case_db::find_visible(conn, &r.id, &scope)?.is_some() {
                c.report_case_id = Some(r.id.clone());
                c.report_tracking_code = Some(r.tracking_code.clone());
                break;
            }
        }
    }
    out.sort_by(|a, b| b.consumers.cmp(&a.consumers).then(b.last_at.cmp(&a.last_at)));
    Ok(out)
}

/// Clusters among the cases the caller may see. Supervisors and coordinators only.
pub async fn list(state: &AppState, actor: Actor) -> Result<Vec<Cluster>, AppError> {
    let clock = state.clock.clone();
    require_reader(&actor)?;
    let ctx = IntakeContext::from_state(state);
    state.db.run(move |conn| compute(conn, &ctx, &actor, clock.now())).await
}

/// Opens a violation report from the cluster of `business_key`, in one transaction: the
/// cluster is recomputed from the database, the report case is opened at the enforcement lead
/// (or the overriding agency) through the intake path, and every member case is linked to it
/// (link rows and an `included_in_violation_report` event on each).
#[tracing::instrument(name = "Open cluster violation report", skip_all)]
pub async fn open_report(
    state: &AppState,
    actor: Actor,
    business_key: String,
    overrides: ClusterReportOverrides,
) -> Result<CaseDetail, AppError> {
    let clock = state.clock.clone();
    require_reader(&actor)?;
    let ctx = IntakeContext::from_state(state);
    // The reporter is the caller's agency (every staff role but admin has one).
    let reporter_agency = match &actor {
        Actor::Staff(s) => s.agency.as_ref().map(|a| a.to_string()),
        _ => None,
    }
    .unwrap_or_else(|| state.settings.intake.web_agency.clone());
    let (key, scope) = (business_key.clone(), scope_of(&actor));
    let result = state
        .db
        .write(move |conn| open_report_tx(conn, &ctx, &actor, &key, &overrides, &reporter_agency, clock.now()))
        .await;
    match result {
        // Two openings raced (PostgreSQL): the later one's insert hit the unique
        // (business_key, seq) index and rolled back. Answer as if it had come second.
        Err(AppError::Conflict {
            code: ErrorCode::AlreadyExists,
            ..
        }) => {
            // Named only if the caller may see it; another agency's report means try again.
            let existing = state
                .db
                .run(move |conn| {
                    let open = report_db::open_reports(conn, std::slice::from_ref(&business_key))?;
                    for r in open.into_values().flatten() {
                        if case_db::find_visible(conn, &r.id, &scope)?.is_some() {
                            return Ok(Some(r.id));
                        }
                    }
                    Ok(None)
                })
                .await?;
            match existing {
                Some(case_id) => Err(AppError::ClusterReportExists { case_id }),
                None => Err(AppError::Unavailable(crate::error::Unavailable::Busy)),
            }
        }
        other => other,
    }
}

fn open_report_tx(
    conn: &mut AnyConnection,
    ctx: &IntakeContext,
    actor: &Actor,
    key: &str,
    overrides: &ClusterReportOverrides,
    reporter_agency: &str,
    at: DateTime<Utc>,
) -> Result<CaseDetail, AppError> {
    let taxonomy = ctx.router.taxonomy();
    check_overrides(conn, ctx, overrides)?;
    let cluster = compute(conn, ctx, actor, at)?
        .into_iter()
        .find(|c| c.business_key == key)
        .ok_or(AppError::NotFound("cluster"))?;
    if let Some(case_id) = cluster.report_case_id {
        return Err(AppError::ClusterReportExists { case_id });
    }
    let (category, category_name, agency) = report_target(ctx, overrides, &cluster)?;
    let mut members: Vec<CaseRow> = Vec::with_capacity(cluster.case_ids.len());
    for id in &cluster.case_ids {
        members.push(case_db::find_by_id(conn, id)?.ok_or(AppError::NotFound("case"))?);
    }
    let agency_name = |code: &str| {
        taxonomy
            .agency(code)
            .map(|a| a.name.clone())
            .unwrap_or_else(|| code.to_owned())
    };
    let tax_code = key.strip_prefix("mst:").map(str::to_owned);
    let description = compose_description(&ReportFacts {
        business_name: cluster.business_name.as_deref(),
        tax_code: tax_code.as_deref(),
        consumers: cluster.consumers,
        cases: members.len(),
        first_at: cluster.first_at,
        last_at: cluster.last_at,
        category: &category,
        category_name: &category_name,
        agency_name: &agency_name(&agency),
    });
    let mut report = NewReport {
        id: CaseId::new(),
        code: this_years_tracking_code(&ctx.tracking_prefix, at),
        key,
        tax_code,
        category,
        agency,
        reporter_name: agency_name(reporter_agency),
        description,
    };
    let case = Case::open(report_opening(&report, &cluster, &members, actor, at.naive_utc()));
    let opened = insert_new_case(
        conn,
        ctx,
        actor,
        &case,
        at,
        serde_json::json!({
            "channel": case.opening.channel,
            "kind": case.state.kind,
            "category": case.state.category,
            "agency": report.agency,
            "priority": false,
            "possible_duplicate_of": null,
            "suggested": { "kind": Kind::ViolationReport, "category": cluster.suggestion.category, "agency": cluster.suggestion.agency },
        }),
    )?;
    // The code the report was written with (a taken one is drawn again).
    report.code = opened.tracking_code.to_string();
    // The reporting agency follows what becomes of its report (Law 19/2023 Art 51 gives
    // reporting organisations that right); it holds no consumer's personal data.
    case_db::grant_agency(conn, &report.id, reporter_agency)?;
    record_report(conn, &ctx.chain_key, actor, &report, &cluster, overrides, at)?;
    link_members(conn, &ctx.chain_key, actor, &report, &members, at)?;
    let row = case_db::find_by_id(conn, &report.id)?.ok_or(AppError::NotFound("case"))?;
    super::cases::detail(conn, actor, row, at)
}

/// A category or agency the caller names instead of the suggestion must exist.
fn check_overrides(
    conn: &mut AnyConnection,
    ctx: &IntakeContext,
    overrides: &ClusterReportOverrides,
) -> Result<(), AppError> {
    let taxonomy = ctx.router.taxonomy();
    if let Some(c) = &overrides.category {
        if taxonomy.category(c).is_none() {
            return Err(AppError::invalid(
                "category",
                "unknown category code",
                "mã lĩnh vực không tồn tại",
            ));
        }
    }
    if let Some(a) = &overrides.agency {
        if !reference::agency_exists(conn, a)? {
            return Err(AppError::invalid(
                "agency",
                "unknown agency code",
                "mã cơ quan không tồn tại",
            ));
        }
    }
    Ok(())
}

/// The report's category (code and name) and the agency it goes to: the caller's choice, else
/// the suggestion and the category's enforcement lead.
fn report_target(
    ctx: &IntakeContext,
    overrides: &ClusterReportOverrides,
    cluster: &Cluster,
) -> Result<(String, String, String), AppError> {
    let taxonomy = ctx.router.taxonomy();
    let category = overrides
        .category
        .clone()
        .unwrap_or_else(|| cluster.suggestion.category.clone());
    let category_name = taxonomy
        .category(&category)
        .map(|c| c.name.clone())
        .ok_or_else(|| AppError::invalid("category", "unknown category code", "mã lĩnh vực không tồn tại"))?;
    let agency = match &overrides.agency {
        Some(a) => a.clone(),
        None => taxonomy
            .lead_agency(Kind::ViolationReport, &category)
            .map(str::to_owned)
            .ok_or_else(|| {
                AppError::invalid(
                    "agency",
                    "the category has no enforcement lead: name the agency",
                    "lĩnh vực này chưa có cơ quan thực thi chủ trì: cần chỉ định cơ quan",
                )
            })?,
    };
    Ok((category, category_name, agency))
}

/// What the report case is made of, beyond the cluster.
struct NewReport<'a> {
    id: CaseId,
    code: String,
    key: &'a str,
    tax_code: Option<String>,
    category: String,
    agency: String,
    reporter_name: String,
    description: String,
}

/// The violation report as it opens: the members' business facts, no consumer's personal data.
fn report_opening(
    r: &NewReport<'_>,
    cluster: &Cluster,
    members: &[CaseRow],
    actor: &Actor,
    t: NaiveDateTime,
) -> Opening {
    let latest = |f: fn(&CaseRow) -> Option<String>| members.iter().rev().find_map(f);
    let suggestion = serde_json::json!({
        "kind": Kind::ViolationReport,
        "category": cluster.suggestion.category,
        "agency": cluster.suggestion.agency,
        "vulnerable": [],
        "pii": [],
        "confidence": 1.0,
        "explanation": [cluster.suggestion.explanation],
        "source": "cluster",
    });
    Opening {
        id: r.id.clone(),
        tracking_code: r.code.clone().into(),
        kind: Kind::ViolationReport,
        category: r.category.clone().into(),
        channel: Channel::Internal,
        agency: r.agency.clone().into(),
        description: r.description.clone(),
        consumer_request: Some(
            "Đề nghị kiểm tra, xử lý vi phạm theo thẩm quyền (Điều 54 khoản 2 Luật 19/2023/QH15).".into(),
        ),
        amount_vnd: None,
        transaction_date: None,
        // The reporter is the caller's agency, an organisation: no personal data, no phone
        // (so the public status page, which needs a phone's last four digits, never shows it),
        // no consent needed.
        reporter: Reporter {
            name: r.reporter_name.clone(),
            ..Reporter::default()
        },
        business: BusinessFacts {
            name: cluster.business_name.clone(),
            tax_code: r.tax_code.clone(),
            address: latest(|m| m.business_address.clone()),
            website: latest(|m| m.business_website.clone()),
            shop_link: latest(|m| m.business_shop_link.clone()),
            key: Some(r.key.to_owned()),
        },
        product: shared_product(members),
        unit: None,
        call_id: None,
        suggestion: suggestion.to_string(),
        possible_duplicate_of: None,
        opened_by: actor.id().map(UserId::from),
        at: t,
    }
}

/// The product most of the cluster's complaints name (at least two by one key; the latest name
/// under it), redacted: the report carries no consumer's words.
fn shared_product(members: &[CaseRow]) -> Option<crate::domain::values::Product> {
    let mut counts: HashMap<&str, usize> = HashMap::new();
    for k in members.iter().filter_map(|m| m.product_key.as_deref()) {
        *counts.entry(k).or_default() += 1;
    }
    let best = counts.values().copied().max().filter(|n| *n >= 2)?;
    let name = members
        .iter()
        .rev()
        .filter(|m| m.product_key.as_deref().is_some_and(|k| counts.get(k) == Some(&best)))
        .find_map(|m| m.product.as_deref())?;
    crate::domain::values::Product::redacted(name)
}

/// The report's own history: the cluster it was opened from, and its place in the series of
/// reports about this business.
fn record_report(
    conn: &mut AnyConnection,
    chain_key: &events::ChainKey,
    actor: &Actor,
    report: &NewReport<'_>,
    cluster: &Cluster,
    overrides: &ClusterReportOverrides,
    at: DateTime<Utc>,
) -> Result<(), AppError> {
    let (t, id, key) = (at.naive_utc(), &report.id, report.key);
    let seq = report_db::next_seq(conn, key)?;
    report_db::insert(
        conn,
        &ClusterReportRow {
            report_case_id: id.to_string(),
            business_key: key.to_owned(),
            seq,
            consumers: i32::try_from(cluster.consumers).unwrap_or(i32::MAX),
            first_at: cluster.first_at.naive_utc(),
            last_at: cluster.last_at.naive_utc(),
            opened_by: actor.id().map(str::to_owned),
            opened_at: t,
        },
    )?;
    events::append(
        conn,
        chain_key,
        id,
        actor,
        t,
        NewEvent {
            action: "opened_from_cluster".into(),
            from_status: Some(Status::New),
            to_status: Status::New,
            data: serde_json::json!({
                "business_key": key,
                "consumers": cluster.consumers,
                "first_at": cluster.first_at,
                "last_at": cluster.last_at,
                "member_case_ids": cluster.case_ids,
                "suggested": { "category": cluster.suggestion.category, "agency": cluster.suggestion.agency },
                "note": overrides.note.as_deref().map(crate::text::redact),
            }),
            public_message: None,
        },
    )?;
    Ok(())
}

/// Links every member case to the report, with an event in each member's history.
fn link_members(
    conn: &mut AnyConnection,
    chain_key: &events::ChainKey,
    actor: &Actor,
    report: &NewReport<'_>,
    members: &[CaseRow],
    at: DateTime<Utc>,
) -> Result<(), AppError> {
    let (t, id, code, key, agency) = (at.naive_utc(), &report.id, &report.code, report.key, &report.agency);
    for m in members {
        report_db::insert_member(conn, id, &m.id)?;
        // Serialises writers of the member's event chain, as any change to the case would.
        case_db::touch(conn, &m.id, t)?;
        events::append(
            conn,
            chain_key,
            &m.id,
            actor,
            t,
            NewEvent {
                action: "included_in_violation_report".into(),
                from_status: Some(m.status),
                to_status: m.status,
                data: serde_json::json!({
                    "report_case_id": id,
                    "report_tracking_code": code,
                    "business_key": key,
                    "agency": agency,
                }),
                public_message: None,
            },
        )?;
    }
    Ok(())
}

/// The non-personal facts a report's description is composed from.
struct ReportFacts<'a> {
    business_name: Option<&'a str>,
    tax_code: Option<&'a str>,
    consumers: usize,
    cases: usize,
    first_at: DateTime<Utc>,
    last_at: DateTime<Utc>,
    category: &'a str,
    category_name: &'a str,
    agency_name: &'a str,
}

/// The report's description, in Vietnamese, from facts only: the business, how many consumers
/// and cases, the dates, the category. No tracking code (it is the consumer's), no consumer's name,
/// phone, e-mail or address, and no complaint text (which may hold them).
fn compose_description(f: &ReportFacts<'_>) -> String {
    let business = match (f.business_name, f.tax_code) {
        (Some(n), Some(t)) => format!("{n} (mã số thuế {t})"),
        (Some(n), None) => format!("{n} (chưa xác định mã số thuế)"),
        (None, Some(t)) => format!("mã số thuế {t}"),
        (None, None) => "chưa xác định".to_owned(),
    };
    [
        "Phản ánh vi phạm lập từ cụm phản ánh hàng loạt: nhiều người tiêu dùng cùng phản ánh một tổ chức, cá nhân kinh doanh. Vụ việc gây thiệt hại cho nhiều người tiêu dùng không giải quyết bằng thương lượng, hòa giải (Điều 54 khoản 2 Luật Bảo vệ quyền lợi người tiêu dùng số 19/2023/QH15).".to_owned(),
        format!("Tổ chức, cá nhân kinh doanh: {business}."),
        format!(
            "Số người tiêu dùng phản ánh: {} người, trong {} hồ sơ, từ ngày {} đến ngày {}.",
            f.consumers,
            f.cases,
            vn_date(calendar::local_date(f.first_at)),
            vn_date(calendar::local_date(f.last_at)),
        ),
        format!("Lĩnh vực: {} ({}).", f.category_name, f.category),
        "Các hồ sơ liên quan được liên kết với phản ánh này trong hệ thống (mã hồ sơ của người tiêu dùng không ghi ở đây).".to_owned(),
        format!("Đề nghị {} kiểm tra, xử lý theo thẩm quyền.", f.agency_name),
    ]
    .join("\n")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_description_holds_facts_only() {
        let at = DateTime::parse_from_rfc3339("2026-11-02T03:00:00Z").unwrap().to_utc();
        let d = compose_description(&ReportFacts {
            business_name: Some("Shop Thời Trang Hà My"),
            tax_code: Some("0312345678"),
            consumers: 5,
            cases: 6,
            first_at: at,
            last_at: at + TimeDelta::days(3),
            category: "ecommerce",
            category_name: "Thương mại điện tử",
            agency_name: "Chi cục Quản lý thị trường",
        });
        assert!(d.contains("Shop Thời Trang Hà My (mã số thuế 0312345678)"), "{d}");
        assert!(
            d.contains("5 người, trong 6 hồ sơ, từ ngày 02/11/2026 đến ngày 05/11/2026"),
            "{d}"
        );
        assert!(!d.contains("KN-"), "no tracking code of a consumer: {d}");
        assert!(d.contains("Điều 54 khoản 2"), "{d}");
        assert!(!d.contains('@'), "{d}");
    }
}
