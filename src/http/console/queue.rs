//! The queues: the cases of my agency, mine, unassigned, due soon, overdue, priority, and the
//! transfers waiting for my agency, each with its count, soonest due first; and the free-text
//! search (phones, tracking codes, words without diacritics) over everything the user may see.

use std::collections::HashMap;

use actix_web::http::StatusCode;
use actix_web::web::{Data, Query};
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
            ..open
        },
        "overdue" => ListFilter { overdue: true, ..open },
        "priority" => ListFilter {
            priority_only: true,
            ..open
        },
        "transfers" => ListFilter {
            pending_transfer_to: Some(agency.unwrap_or_default()),
            ..open
        },
        // Mediators and coordinators see their whole scope; agency staff their agency's cases.
        _ => ListFilter {
            agency: agency.filter(|_| !matches!(staff.role, Role::Mediator | Role::Coordinator)),
            ..open
        },
    }
}

#[derive(Deserialize)]
pub struct QueueQuery {
    tab: Option<String>,
    q: Option<String>,
    cursor: Option<String>,
}

struct Tab {
    key: &'static str,
    label: &'static str,
    count: i64,
    active: bool,
}

struct Row {
    id: String,
    code: String,
    business: String,
    category: String,
    status: &'static str,
    due: String,
    overdue: bool,
    priority: bool,
    assigned: bool,
}

#[derive(Template)]
#[template(path = "console/queue.html")]
struct QueuePage {
    who: Option<Who>,
    tabs: Vec<Tab>,
    q: String,
    rows: Vec<Row>,
    next: Option<String>,
    heading: String,
}

pub async fn show(state: Data<AppState>, req: HttpRequest, q: Query<QueueQuery>) -> HttpResponse {
    let s = match signed_in(&state, &req).await {
        Ok(s) => s,
        Err(r) => return r,
    };
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
    let counts = cases::queue_counts(
        state,
        s.actor(),
        TABS.iter()
            .map(|(k, _)| filter_of(k, &s.staff, now.naive_utc()))
            .collect(),
    )
    .await?;
    let mut filter = if searching {
        ListFilter::default()
    } else {
        filter_of(&tab, &s.staff, now.naive_utc())
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
    let categories: HashMap<String, String> = reference::categories(state)
        .await?
        .into_iter()
        .map(|c| (c.code, c.name))
        .collect();
    let rows = page
        .items
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
        .collect();
    let heading = if searching {
        format!("Kết quả tìm “{}”", q.q.as_deref().unwrap_or_default().trim())
    } else {
        TABS.iter()
            .find(|(k, _)| *k == tab)
            .map(|(_, l)| l.to_string())
            .unwrap_or_default()
    };
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
            ])
            .unwrap_or_default()
        }),
        q: q.q.unwrap_or_default(),
        rows,
        heading,
    })
}
