//! Reference data and readiness: small reads the HTTP layer needs without touching `db`.

use serde::Serialize;
use utoipa::ToSchema;

use crate::db::{portability, reference};
use crate::error::{AppError, Unavailable};
use crate::state::AppState;

#[derive(Serialize, ToSchema)]
pub struct AgencyView {
    pub code: String,
    pub name: String,
    pub role: String,
}

/// A unit under an agency (ADR 0033): a commune's People's Committee, a Chi hội.
#[derive(Debug, Serialize, ToSchema)]
pub struct AgencyUnitView {
    /// Stable code (`UBND_XA-26743`, `HOI-TRUNGTAM`).
    pub code: String,
    pub agency: String,
    pub name: String,
    /// GSO codes of the communes or wards it serves.
    pub communes: Vec<String>,
}

/// A unit given for a staff member or a case must be one of the configured units of that
/// agency (ADR 0033).
pub fn check_unit(units: &crate::routing::Units, unit: Option<&str>, agency: Option<&str>) -> Result<(), AppError> {
    let Some(code) = unit else { return Ok(()) };
    let agency = agency.unwrap_or("-");
    match units.get(code) {
        Some(u) if u.agency == agency => Ok(()),
        Some(u) => Err(AppError::invalid(
            "unit",
            format!("unit {code} belongs to agency {}, not to {agency}", u.agency),
            format!("đơn vị {code} thuộc cơ quan {}, không thuộc {agency}", u.agency),
        )),
        None => Err(AppError::invalid(
            "unit",
            "unknown unit code",
            "mã đơn vị không tồn tại",
        )),
    }
}

/// The configured units, of one agency or of all.
pub fn units(state: &AppState, agency: Option<&str>) -> Vec<AgencyUnitView> {
    state
        .router
        .units()
        .all()
        .iter()
        .filter(|u| agency.is_none_or(|a| a == u.agency))
        .map(|u| AgencyUnitView {
            code: u.code.clone(),
            agency: u.agency.clone(),
            name: u.name.clone(),
            communes: u.communes.clone(),
        })
        .collect()
}

#[derive(Serialize, ToSchema)]
pub struct CategoryView {
    pub code: String,
    pub name: String,
    pub dispute_lead: String,
    pub violation_lead: String,
}

pub async fn agencies(state: &AppState) -> Result<Vec<AgencyView>, AppError> {
    let rows = state.db.run(|conn| Ok(reference::list_agencies(conn)?)).await?;
    Ok(rows
        .into_iter()
        .map(|a| AgencyView {
            code: a.code,
            name: a.name,
            role: a.role,
        })
        .collect())
}

pub async fn categories(state: &AppState) -> Result<Vec<CategoryView>, AppError> {
    let rows = state.db.run(|conn| Ok(reference::list_categories(conn)?)).await?;
    Ok(rows
        .into_iter()
        .map(|c| CategoryView {
            code: c.code,
            name: c.name,
            dispute_lead: c.dispute_lead,
            violation_lead: c.violation_lead,
        })
        .collect())
}

/// The database answers, and no migration is pending: the versions still pending, if any.
/// `sqlite` or `postgres`.
pub fn backend(state: &AppState) -> &'static str {
    state.db.backend().as_str()
}

/// After a storage fault (disk full, read-only, I/O error) was seen, tries one real write:
/// `None` when storage takes writes again (the fault is cleared), else the cause. Without a
/// recorded fault nothing is written (health checks stay read-only).
pub async fn storage_fault(state: &AppState) -> Option<Unavailable> {
    state.db.storage_fault()?;
    let at = state.clock.now().timestamp();
    match state
        .db
        .write(move |conn| portability::write_probe(conn, at).map_err(AppError::from))
        .await
    {
        Ok(()) => {
            state.db.storage_writable_again();
            None
        }
        Err(AppError::Unavailable(cause)) => Some(cause),
        Err(_) => Some(Unavailable::StorageError),
    }
}

pub async fn pending_migrations(state: &AppState) -> Result<Vec<String>, AppError> {
    state
        .db
        .run(|conn| {
            use diesel::r2d2::R2D2Connection;
            conn.ping().map_err(AppError::from)?;
            portability::pending_migrations(conn).map_err(|e| AppError::Internal(anyhow::anyhow!("{e}")))
        })
        .await
}

/// A phone line citizens can call.
#[derive(Debug, Serialize, ToSchema)]
pub struct Hotline {
    pub name: String,
    pub phone: String,
}

/// An agency as citizens see it.
#[derive(Debug, Serialize, ToSchema)]
pub struct PublicAgencyInfo {
    pub code: String,
    pub name: String,
    /// What it handles, in plain words.
    pub role: String,
    pub phone: Option<String>,
    pub address: Option<String>,
}

/// One step of the procedure, with its legal deadline where there is one.
#[derive(Debug, Serialize, ToSchema)]
pub struct ProcedureStep {
    pub step: String,
    pub text: String,
    /// Working days (not counting Saturdays, Sundays and public holidays), if the law sets them.
    pub working_days: Option<u32>,
}

/// What the hotline publishes (product.md §7): how to complain, the lines to call, the agencies
/// and the procedure with its deadlines. `GET /api/v1/public/info`, and the home page.
#[derive(Debug, Serialize, ToSchema)]
pub struct PublicInfo {
    pub hotlines: Vec<Hotline>,
    /// Web form, phone, in person.
    pub channels: Vec<String>,
    pub procedure: Vec<ProcedureStep>,
    pub agencies: Vec<PublicAgencyInfo>,
}

pub fn public_info(state: &AppState) -> PublicInfo {
    let p = &state.settings.public;
    let mut hotlines = vec![Hotline {
        name: "Tổng đài tư vấn người tiêu dùng quốc gia (miễn phí)".into(),
        phone: "1800 6838".into(),
    }];
    if !p.province_hotline_phone.trim().is_empty() {
        hotlines.push(Hotline {
            name: p.province_hotline_name.clone(),
            phone: p.province_hotline_phone.clone(),
        });
    }
    let step = |step: &str, text: &str, working_days: Option<u32>| ProcedureStep {
        step: step.into(),
        text: text.into(),
        working_days,
    };
    PublicInfo {
        hotlines,
        channels: vec![
            "Trực tuyến: biểu mẫu tại /complaints/new".into(),
            "Gọi điện đến đường dây nóng".into(),
            "Trực tiếp tại trụ sở cơ quan tiếp nhận".into(),
        ],
        procedure: vec![
            step("Tiếp nhận", "Cơ quan trả lời việc thụ lý hoặc hướng dẫn gửi đến nơi có thẩm quyền (Luật Tiếp công dân 2013, Điều 28).", Some(10)),
            step("Thương lượng", "Yêu cầu được chuyển đến doanh nghiệp; doanh nghiệp thương lượng với người tiêu dùng (Luật 19/2023, Điều 57).", Some(7)),
            step("Báo kết quả thương lượng", "Doanh nghiệp báo kết quả thương lượng cho cơ quan.", Some(5)),
            step("Hòa giải", "Nếu thương lượng không thành, hòa giải với hòa giải viên của Hội Bảo vệ quyền lợi người tiêu dùng (Luật 19/2023, Điều 61–66).", None),
            step("Kiểm tra, xử lý", "Hành vi vi phạm được chuyển cơ quan có thẩm quyền kiểm tra, xử phạt.", None),
        ],
        agencies: state
            .router
            .taxonomy()
            .agencies
            .iter()
            .map(|a| PublicAgencyInfo {
                code: a.code.clone(),
                name: a.name.clone(),
                role: a.role.clone(),
                phone: a.phone.clone().filter(|s| !s.trim().is_empty()),
                address: a.address.clone().filter(|s| !s.trim().is_empty()),
            })
            .collect(),
    }
}

/// A number as a `tel:` link wants it: digits and a leading `+` only.
fn tel_digits(phone: &str) -> String {
    phone.chars().filter(|c| c.is_ascii_digit() || *c == '+').collect()
}

impl Hotline {
    pub fn tel(&self) -> String {
        tel_digits(&self.phone)
    }
}

impl PublicAgencyInfo {
    pub fn tel(&self) -> String {
        self.phone.as_deref().map(tel_digits).unwrap_or_default()
    }
}
