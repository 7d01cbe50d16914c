//! The open dataset (issue 14 item 7): anonymised closed cases, CSV or JSON, streamed, with its
//! data dictionary. No account.

use actix_web::web::Data;
use actix_web::{HttpResponse, Responder};
use serde::Serialize;
use utoipa::ToSchema;

use crate::service::open_data::{self, Format, FIELDS};
use crate::state::AppState;

/// Seconds until the dataset next changes (the next 00:00 in Vietnam), at least a minute.
fn max_age(state: &AppState) -> i64 {
    let now = state.clock.now();
    let next = open_data::cut(now) + chrono::TimeDelta::days(1);
    (next - now.naive_utc()).num_seconds().max(60)
}

fn streamed(state: Data<AppState>, format: Format) -> HttpResponse {
    let (ct, name) = match format {
        Format::Csv => ("text/csv; charset=utf-8", "cases.csv"),
        Format::Json => ("application/json", "cases.json"),
    };
    let age = max_age(&state);
    HttpResponse::Ok()
        .content_type(ct)
        .insert_header(("Cache-Control", format!("public, max-age={age}")))
        .insert_header(("Content-Disposition", format!("inline; filename=\"{name}\"")))
        .streaming(open_data::stream(state.get_ref().clone(), format))
}

#[utoipa::path(get, path = "/api/v1/public/open-data/cases.csv", tag = "public",
    responses((status = 200, description = "Every case closed before today (Vietnam time), anonymised; columns as in /open-data/dictionary", content_type = "text/csv", body = String)))]
pub async fn cases_csv(state: Data<AppState>) -> impl Responder {
    streamed(state, Format::Csv)
}

#[utoipa::path(get, path = "/api/v1/public/open-data/cases.json", tag = "public",
    responses((status = 200, description = "The same as an array of objects", content_type = "application/json", body = Vec<crate::service::open_data::OpenCase>)))]
pub async fn cases_json(state: Data<AppState>) -> impl Responder {
    streamed(state, Format::Json)
}

/// One column of the open dataset.
#[derive(Debug, Serialize, ToSchema)]
pub struct OpenField {
    pub name: String,
    pub description_vi: String,
    pub description_en: String,
}

/// The data dictionary.
#[derive(Debug, Serialize, ToSchema)]
pub struct OpenDataDictionary {
    pub title: String,
    /// What is in it and what is left out.
    pub scope: String,
    /// Cases closed before this instant (UTC) are in today's dataset.
    pub closed_before: chrono::DateTime<chrono::Utc>,
    pub csv: String,
    pub json: String,
    pub fields: Vec<OpenField>,
}

#[utoipa::path(get, path = "/api/v1/public/open-data/dictionary", tag = "public",
    responses((status = 200, body = OpenDataDictionary)))]
pub async fn dictionary(state: Data<AppState>) -> impl Responder {
    HttpResponse::Ok()
        .insert_header(("Cache-Control", format!("public, max-age={}", max_age(&state))))
        .json(OpenDataDictionary {
            title: "Dữ liệu mở: các vụ việc khiếu nại của người tiêu dùng đã kết thúc".into(),
            scope: "Mọi vụ việc đã kết thúc trước 00:00 hôm nay (giờ Việt Nam), cập nhật hằng ngày. \
                    Không có dữ liệu cá nhân (tên, điện thoại, e-mail, địa chỉ), tên doanh nghiệp, \
                    mã tra cứu hay nội dung trình bày của người tiêu dùng."
                .into(),
            closed_before: open_data::cut(state.clock.now()).and_utc(),
            csv: "/api/v1/public/open-data/cases.csv".into(),
            json: "/api/v1/public/open-data/cases.json".into(),
            fields: FIELDS
                .iter()
                .map(|(n, vi, en)| OpenField {
                    name: (*n).into(),
                    description_vi: (*vi).into(),
                    description_en: (*en).into(),
                })
                .collect(),
        })
}
