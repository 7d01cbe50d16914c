//! The queues: the cases of my agency, mine, unassigned, due soon, overdue, priority, and the
//! transfers waiting for my agency, each with its count, soonest due first; and the free-text
//! search (phones, tracking codes, words without diacritics) over everything the user may see.

use std::collections::HashMap;

use actix_web::http::StatusCode;
use actix_web::web::{Data, Form, Query};
use actix_web::{HttpRequest, HttpResponse};
use askama::Template;
use chrono::TimeDelta;
use serde::Deserialize;

use super::session::signed_in;
use super::{error_page, page, Who};
use crate::calendar::{local_date, vn_date};
use crate::domain::search::{query_terms, ListFilter, Sort};
use crate::domain::user::{Role, Staff};
use crate::error::AppError;
use crate::service::cases::{self, ListQuery};
use crate::service::reference;
use crate::state::AppState;

/// The tabs, in the order they show: (key, label).
const TABS: [(&str, &str); 7] = [
    ("agency", "Cơ quan tôi"),
    ("mine", "Của tôi"),
    ("unassigned", "Chưa phân công"),
    ("due_soon", "Sắp đến hạn"),
    ("overdue", "Quá hạn"),
    ("priority", "Ưu tiên"),
    ("transfers", "Chờ nhận chuyển"),
];

/// "Due soon": the soonest clock ends within this many days.
const DUE_SOON_DAYS: i64 = 3;

fn filter_of(tab: &str, staff: &Staff, now: chrono::NaiveDateTime) -> ListFilter {
    let agency = staff.agency.as_ref().map(|a| a.to_string());
    // Mediators and coordinators see their whole scope; agency staff their agency's cases (the
    // deadline tabs too: not cases transferred away, nor transfers not yet accepted).
    let held = agency
        .clone()
        .filter(|_| !matches!(staff.role, Role::Mediator | Role::Coordinator));
    let open = ListFilter {
        open_only: true,
        ..ListFilter::default()
    };
    match tab {
        "mine" => ListFilter {
            assignee: Some(staff.id.to_string()),
            ..open
        },
        "unassigned" => ListFilter {
            agency,
            unassigned: true,
            ..open
        },
        "due_soon" => ListFilter {
            due_before: Some(now + TimeDelta::days(DUE_SOON_DAYS)),
            agency: held,
            ..open
        },
        "overdue" => ListFilter {
            overdue: true,
            agency: held,
            ..open
        },
        "priority" => ListFilter {
            priority_only: true,
            agency: held,
            ..open
        },
        "transfers" => ListFilter {
            pending_transfer_to: Some(agency.unwrap_or_default()),
            ..open
        },
        _ => ListFilter { agency: held, ..open },
    }
}

#[derive(Deserialize)]
pub struct QueueQuery {
    tab: Option<String>,
    q: Option<String>,
    cursor: Option<String>,
    /// A unit of the agency (ADR 0033); absent: the user's own unit, empty: every unit.
    unit: Option<String>,
}

/// The unit the queue shows (the one asked for, else the user's own; none: every unit), and
/// the units offered in its filter: the user's agency's, or every unit for a coordinator.
fn unit_choice(state: &AppState, staff: &Staff, asked: Option<&str>) -> (Option<String>, Vec<(String, String)>) {
    let agency = staff
        .agency
        .as_ref()
        .map(|a| a.to_string())
        .filter(|_| staff.role != Role::Coordinator);
    let options: Vec<(String, String)> = reference::units(state, agency.as_deref())
        .into_iter()
        .map(|u| {
            let label = if agency.is_some() {
                u.name
            } else {
                format!("{} — {}", u.name, u.agency)
            };
            (u.code, label)
        })
        .collect();
    let chosen = match asked {
        Some(u) => Some(u.trim().to_owned()).filter(|u| options.iter().any(|(c, _)| c == u)),
        None => staff.unit.clone(),
    };
    (chosen, options)
}

/// The tab's filter, narrowed to a unit (not the transfers waiting for the agency: those
/// still carry the sending agency's unit).
fn unit_filter(tab: &str, staff: &Staff, now: chrono::NaiveDateTime, unit: &Option<String>) -> ListFilter {
    let mut f = filter_of(tab, staff, now);
    if tab != "transfers" {
        f.unit = unit.clone();
    }
    f
}

struct Tab {
    key: &'static str,
    label: &'static str,
    count: i64,
    active: bool,
}

pub(super) struct Row {
    pub(super) id: String,
    pub(super) code: String,
    pub(super) business: String,
    pub(super) category: String,
    pub(super) status: &'static str,
    pub(super) due: String,
    pub(super) overdue: bool,
    pub(super) priority: bool,
    pub(super) assigned: bool,
}

#[derive(Template)]
#[template(path = "console/queue.html")]
struct QueuePage {
    who: Option<Who>,
    tabs: Vec<Tab>,
    /// The unit filter: the chosen unit and the options (empty: no filter shown).
    unit: String,
    units: Vec<(String, String)>,
    /// `&unit=…` for the tab links (empty when no unit is chosen).
    unit_qs: String,
    tab: String,
    q: String,
    rows: Vec<Row>,
    next: Option<String>,
    /// The next page's cursor of a search (sent back in its form, not in a link).
    next_cursor: String,
    heading: String,
    /// The page's title: a search's says nothing of what was searched (a phone number in the
    /// title would stay in the browser's history, ui.md rule 6).
    title: String,
}

/// A search of the queue: the words are posted, never put in the address (they are phone
/// numbers and names: ui.md rule 6), and so is the next page's cursor.
#[derive(Deserialize)]
pub struct SearchForm {
    q: String,
    cursor: Option<String>,
}

pub async fn search(state: Data<AppState>, req: HttpRequest, form: Form<SearchForm>) -> HttpResponse {
    let form = form.into_inner();
    if query_terms(&form.q).is_empty() {
        return super::session::see_other("/console/");
    }
    let q = QueueQuery {
        tab: None,
        q: Some(form.q),
        cursor: form.cursor.filter(|c| !c.is_empty()),
        unit: None,
    };
    show(state, req, Query(q)).await
}

pub async fn show(state: Data<AppState>, req: HttpRequest, q: Query<QueueQuery>) -> HttpResponse {
    let s = match signed_in(&state, &req).await {
        Ok(s) => s,
        Err(r) => return r,
    };
    if s.staff.role == Role::Admin {
        // Administrators hold no cases: their page is the overview (accounts, dead letters).
        return super::session::see_other("/console/dashboard");
    }
    match render(&state, &s, q.into_inner()).await {
        Ok(p) => page(StatusCode::OK, &p),
        Err(AppError::BadRequest { .. }) => super::session::see_other("/console/"),
        Err(e) => error_page(&e),
    }
}

async fn render(state: &AppState, s: &super::session::Signed, q: QueueQuery) -> Result<QueuePage, AppError> {
    let now = state.clock.now();
    let tab = q
        .tab
        .filter(|t| TABS.iter().any(|(k, _)| k == t))
        .unwrap_or_else(|| "agency".into());
    let words = q.q.as_deref().map(query_terms).unwrap_or_default();
    let searching = !words.is_empty();
    let (unit, units) = unit_choice(state, &s.staff, q.unit.as_deref());
    let counts = cases::queue_counts(
        state,
        s.actor(),
        TABS.iter()
            .map(|(k, _)| unit_filter(k, &s.staff, now.naive_utc(), &unit))
            .collect(),
    )
    .await?;
    let mut filter = if searching {
        ListFilter::default()
    } else {
        unit_filter(&tab, &s.staff, now.naive_utc(), &unit)
    };
    filter.words = words;
    let sort = if searching { Sort::CreatedDesc } else { Sort::DueAsc };
    let cursor = match &q.cursor {
        Some(c) => Some(cases::decode_cursor(c, sort)?),
        None => None,
    };
    let page = cases::list_cases(
        state,
        s.actor(),
        ListQuery {
            filter,
            sort,
            cursor,
            limit: 50,
        },
    )
    .await?;
    let rows = rows_of(state, page.items, now).await?;
    let heading = if searching {
        format!("Kết quả tìm “{}”", q.q.as_deref().unwrap_or_default().trim())
    } else {
        TABS.iter()
            .find(|(k, _)| *k == tab)
            .map(|(_, l)| l.to_string())
            .unwrap_or_default()
    };
    let title = if searching {
        "Kết quả tìm kiếm".to_owned()
    } else {
        heading.clone()
    };
    let next_cursor = page.next_cursor.clone().filter(|_| searching).unwrap_or_default();
    // "" asks for every unit explicitly (the user's own is the default).
    let unit_param = unit.clone().unwrap_or_default();
    Ok(QueuePage {
        who: Some(Who::of(s)),
        tabs: TABS
            .iter()
            .zip(counts)
            .map(|((key, label), count)| Tab {
                key,
                label,
                count,
                active: !searching && *key == tab,
            })
            .collect(),
        next: page.next_cursor.map(|c| {
            serde_urlencoded::to_string([
                ("tab", tab.as_str()),
                ("q", q.q.as_deref().unwrap_or_default()),
                ("cursor", c.as_str()),
                ("unit", unit_param.as_str()),
            ])
            .unwrap_or_default()
        }),
        unit_qs: if units.is_empty() {
            String::new()
        } else {
            format!(
                "&{}",
                serde_urlencoded::to_string([("unit", unit_param.as_str())]).unwrap_or_default()
            )
        },
        unit: unit_param,
        units,
        tab,
        q: q.q.unwrap_or_default(),
        rows,
        next_cursor,
        heading,
        title,
    })
}

/// The queue's rows, with the categories' names.
pub(super) async fn rows_of(
    state: &AppState,
    items: Vec<crate::service::views::CaseSummary>,
    now: chrono::DateTime<chrono::Utc>,
) -> Result<Vec<Row>, AppError> {
    let categories: HashMap<String, String> = reference::categories(state)
        .await?
        .into_iter()
        .map(|c| (c.code, c.name))
        .collect();
    Ok(items
        .into_iter()
        .map(|c| Row {
            id: c.id.to_string(),
            code: c.tracking_code.to_string(),
            business: c.business_name.unwrap_or_default(),
            category: categories
                .get(c.category.as_str())
                .cloned()
                .unwrap_or_else(|| c.category.to_string()),
            status: c.status.label_vi(),
            due: c.due_at.map(|d| vn_date(local_date(d))).unwrap_or_default(),
            overdue: c.due_at.is_some_and(|d| d < now),
            priority: c.priority,
            assigned: c.assignee_id.is_some(),
        })
        .collect())
}
