//! The public violator list (`/vi-pham`, Decree 55/2024 Art 24) and the consumer warnings
//! (`/canh-bao`) on the citizen site: the same services as `GET /api/v1/public/violators` and
//! `/warnings`, with a link to each Atom feed. What staff typed (names, violations, warnings)
//! is Vietnamese and marked so on English pages.

use actix_web::http::StatusCode;
use actix_web::web::Data;
use actix_web::{HttpRequest, HttpResponse};
use askama::Template;

use super::i18n::Ui;
use super::{error_page, page};
use crate::calendar::{local_date, vn_date};
use crate::domain::notice::WarningKind;
use crate::service::{violators, warnings};
use crate::state::AppState;

/// A notice as the page shows it.
struct ViolatorItem {
    id: String,
    business_name: String,
    business_address: Option<String>,
    violation: String,
    place: Option<String>,
    decision_number: String,
    decision_date: String,
    issuing_body: String,
    until: String,
}

#[derive(Template)]
#[template(path = "pages/violators.html")]
struct ViolatorsPage {
    ui: Ui,
    intro: String,
    items: Vec<ViolatorItem>,
}

/// `/vi-pham`: the violators on the list now.
pub async fn violators(state: Data<AppState>, req: HttpRequest) -> HttpResponse {
    let ui = Ui::new(&req);
    let list = match violators::public_list(&state).await {
        Ok(l) => l,
        Err(e) => return error_page(ui, &e),
    };
    let items = list
        .into_iter()
        .map(|v| ViolatorItem {
            // The place is shown when it is not the address already shown.
            place: v.place.filter(|p| Some(p) != v.business_address.as_ref()),
            until: vn_date(local_date(v.expires_at)),
            decision_date: vn_date(v.decision_date),
            id: v.id,
            business_name: v.business_name,
            business_address: v.business_address,
            violation: v.violation,
            decision_number: v.decision_number,
            issuing_body: v.issuing_body,
        })
        .collect();
    let intro = ui.t.violators_intro(state.settings.public.violator_notice_days);
    page(StatusCode::OK, &ViolatorsPage { ui, intro, items })
}

/// A warning as the page shows it.
struct WarningItem {
    id: String,
    kind: String,
    title: String,
    body: Vec<String>,
    business_name: Option<String>,
    product: Option<String>,
    period: String,
}

#[derive(Template)]
#[template(path = "pages/warnings.html")]
struct WarningsPage {
    ui: Ui,
    items: Vec<WarningItem>,
}

/// `/canh-bao`: the warnings shown today.
pub async fn warnings(state: Data<AppState>, req: HttpRequest) -> HttpResponse {
    let ui = Ui::new(&req);
    let list = match warnings::current(&state).await {
        Ok(l) => l,
        Err(e) => return error_page(ui, &e),
    };
    let items = list
        .into_iter()
        .map(|w| WarningItem {
            kind: WarningKind::parse(&w.kind)
                .map(|k| ui.pick(k.label_vi(), k.label_en()).to_owned())
                .unwrap_or_default(),
            period: format!("{} – {}", vn_date(w.start_date), vn_date(w.end_date)),
            body: w
                .body
                .lines()
                .map(str::to_owned)
                .filter(|l| !l.trim().is_empty())
                .collect(),
            id: w.id,
            title: w.title,
            business_name: w.business_name,
            product: w.product,
        })
        .collect();
    page(StatusCode::OK, &WarningsPage { ui, items })
}
