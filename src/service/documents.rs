//! The case's printable documents (issue 12 item 8): the Art 65 mediation-success record, the
//! Art 60 negotiation record and the letter closing a failed mediation (with the advice on
//! arbitration and court). Each is built from the event that recorded it, rendered once as a
//! PDF, stored as evidence of the case (content-addressed, fsynced before its row commits, with
//! an `document_generated` event) and served from there afterwards, so what was printed and
//! signed stays what the case holds.

use chrono::NaiveDateTime;

use super::events::{self, NewEvent};
use super::evidence::Upload;
use super::scope_of;
use crate::calendar::vn_date;
use crate::db::cases::{self as case_db, CaseRow, EventRow, EvidenceRow};
use crate::db::AnyConnection;
use crate::documents::{self as doc, Block, Document};
use crate::domain::case::{MediationRecord, NegotiationRecord};
use crate::domain::ids::EvidenceId;
use crate::domain::user::Actor;
use crate::error::AppError;
use crate::state::AppState;

/// The documents a case can print.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DocumentKind {
    /// Art 65: the mediation-success record (the eight items, signatures, seal).
    MediationRecord,
    /// Art 60: the negotiation record.
    NegotiationRecord,
    /// The letter closing a failed mediation, with what the consumer may do next.
    MediationFailure,
}

impl DocumentKind {
    pub const ALL: [DocumentKind; 3] = [
        DocumentKind::MediationRecord,
        DocumentKind::NegotiationRecord,
        DocumentKind::MediationFailure,
    ];

    /// The name in `/cases/{id}/documents/{name}.pdf`.
    pub fn slug(self) -> &'static str {
        match self {
            DocumentKind::MediationRecord => "mediation-record",
            DocumentKind::NegotiationRecord => "negotiation-record",
            DocumentKind::MediationFailure => "mediation-failure-letter",
        }
    }

    pub fn parse(slug: &str) -> Option<DocumentKind> {
        DocumentKind::ALL.into_iter().find(|k| k.slug() == slug)
    }

    fn file_stem(self) -> &'static str {
        match self {
            DocumentKind::MediationRecord => "bien-ban-hoa-giai-thanh",
            DocumentKind::NegotiationRecord => "bien-ban-thuong-luong",
            DocumentKind::MediationFailure => "thong-bao-hoa-giai-khong-thanh",
        }
    }

    fn file_name(self, row: &CaseRow) -> String {
        format!("{}-{}.pdf", self.file_stem(), row.tracking_code)
    }
}

/// A document ready to send: its file name and bytes.
pub struct Printed {
    pub file_name: String,
    pub bytes: Vec<u8>,
}

/// The document of this kind for a case the caller can see: the stored one, or made now from
/// the event that recorded it (404 if the case has no such record).
pub async fn document(
    state: &AppState,
    actor: Actor,
    case_id: String,
    kind: DocumentKind,
) -> Result<Printed, AppError> {
    let dir = state.settings.evidence_dir();
    let public = &state.settings.public;
    let hotline = [&public.province_hotline_name, &public.province_hotline_phone]
        .iter()
        .map(|s| s.trim())
        .filter(|s| !s.is_empty())
        .collect::<Vec<_>>()
        .join(" – ");
    let (a, id) = (actor.clone(), case_id.clone());
    let found = state
        .db
        .run(move |conn| {
            let row = case_db::find_visible(conn, &id, &scope_of(&a))?.ok_or(AppError::NotFound("case"))?;
            let name = kind.file_name(&row);
            if let Some(ev) = stored(conn, &row, &name)? {
                return Ok(Err(ev));
            }
            let events = case_db::list_events(conn, &row.id)?;
            let document = build(kind, &row, &events, &hotline)?.ok_or(AppError::NotFound("document"))?;
            Ok(Ok((name, document)))
        })
        .await?;
    let (file_name, document) = match found {
        Err(ev) => return read(&dir, ev).await,
        Ok(made) => made,
    };
    let bytes = tokio::task::spawn_blocking(move || doc::render(&document))
        .await
        .map_err(|e| AppError::Internal(e.into()))?
        .map_err(|e| AppError::Internal(e.into()))?;
    let mut upload = Upload::start(&dir, usize::MAX).await?;
    upload.write(&bytes).await?;
    let (sha256, size) = upload.finish(&dir).await?;
    let kept = keep(state, actor, case_id, file_name.clone(), sha256, size).await?;
    match kept {
        // Another request stored it first: serve that one, the same for everyone.
        Some(ev) => read(&dir, ev).await,
        None => Ok(Printed { file_name, bytes }),
    }
}

fn stored(conn: &mut AnyConnection, row: &CaseRow, name: &str) -> Result<Option<EvidenceRow>, AppError> {
    Ok(case_db::list_evidence(conn, &row.id)?
        .into_iter()
        .find(|e| e.file_name == name && e.media_type == "application/pdf"))
}

async fn read(dir: &std::path::Path, ev: EvidenceRow) -> Result<Printed, AppError> {
    let bytes = tokio::fs::read(dir.join(&ev.sha256))
        .await
        .map_err(|e| AppError::Internal(e.into()))?;
    Ok(Printed {
        file_name: ev.file_name,
        bytes,
    })
}

/// Records the stored file as evidence with a `document_generated` event, unless the document
/// was stored meanwhile (returned then).
async fn keep(
    state: &AppState,
    actor: Actor,
    case_id: String,
    file_name: String,
    sha256: String,
    size: usize,
) -> Result<Option<EvidenceRow>, AppError> {
    let (clock, chain_key) = (state.clock.clone(), state.chain_key.clone());
    state
        .db
        .write(move |conn| {
            let row = case_db::find_visible(conn, &case_id, &scope_of(&actor))?.ok_or(AppError::NotFound("case"))?;
            let t = clock.now().naive_utc();
            // Queue concurrent writers of this case behind us, then look again.
            case_db::touch(conn, &row.id, t)?;
            if let Some(ev) = stored(conn, &row, &file_name)? {
                return Ok(Some(ev));
            }
            let ev = EvidenceRow {
                id: EvidenceId::new(),
                case_id: row.id.clone(),
                file_name,
                media_type: "application/pdf".into(),
                size_bytes: size as i64,
                sha256,
                uploaded_by: actor.id().map(Into::into),
                created_at: t,
                source: crate::db::cases::source_of(&actor).into(),
            };
            case_db::insert_evidence(conn, &ev)?;
            events::append(
                conn,
                &chain_key,
                &row.id,
                &actor,
                t,
                NewEvent {
                    action: "document_generated".into(),
                    from_status: Some(row.status),
                    to_status: row.status,
                    data: serde_json::json!({ "evidence_id": ev.id, "file_name": ev.file_name, "sha256": ev.sha256 }),
                    public_message: None,
                },
            )?;
            Ok(None)
        })
        .await
}

/// The last event of `action` whose data satisfies `wanted`, with its data.
fn last_record<'a>(
    events: &'a [EventRow],
    action: &str,
    wanted: impl Fn(&serde_json::Value) -> bool,
) -> Option<(&'a EventRow, serde_json::Value)> {
    events.iter().rev().filter(|e| e.action == action).find_map(|e| {
        let data: serde_json::Value = serde_json::from_str(&e.data).ok()?;
        wanted(&data).then_some((e, data))
    })
}

fn build(kind: DocumentKind, row: &CaseRow, events: &[EventRow], hotline: &str) -> Result<Option<Document>, AppError> {
    let bad = |what: &str| super::views::corrupt(what, &row.id);
    Ok(match kind {
        DocumentKind::MediationRecord => {
            match last_record(events, "record_mediation_result", |d| {
                d["success"] == true && d["record"].is_object()
            }) {
                Some((_, d)) => Some(mediation_record(
                    row,
                    &serde_json::from_value(d["record"].clone()).map_err(|_| bad("mediation record"))?,
                )),
                None => None,
            }
        }
        DocumentKind::NegotiationRecord => {
            match last_record(events, "record_negotiation_result", |d| d["record"].is_object()) {
                Some((_, d)) => Some(negotiation_record(
                    row,
                    &serde_json::from_value(d["record"].clone()).map_err(|_| bad("negotiation record"))?,
                )),
                None => None,
            }
        }
        DocumentKind::MediationFailure => last_record(events, "record_mediation_result", |d| d["success"] == false)
            .map(|(e, d)| mediation_failure(row, e.at, &d, hotline)),
    })
}

/// The motto every Vietnamese official document opens with.
fn national_header() -> Vec<Block> {
    vec![
        Block::centered("CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM", true),
        Block::centered("Độc lập – Tự do – Hạnh phúc", true),
        Block::centered("———————", false),
        Block::Gap,
    ]
}

fn case_line(row: &CaseRow) -> Block {
    Block::centered(&format!("(Hồ sơ số {})", row.tracking_code), false)
}

fn time_place(at: NaiveDateTime, place: &str) -> String {
    let local = at.and_utc().with_timezone(&crate::calendar::tz());
    format!(
        "{}, ngày {}, tại {place}",
        local.format("%H:%M"),
        vn_date(local.date_naive())
    )
}

fn mediation_record(row: &CaseRow, r: &MediationRecord) -> Document {
    let mut blocks = national_header();
    blocks.extend([
        Block::title("BIÊN BẢN HÒA GIẢI THÀNH"),
        case_line(row),
        Block::centered("(Điều 65 Luật Bảo vệ quyền lợi người tiêu dùng số 19/2023/QH15)", false),
        Block::Gap,
        Block::field("1. Tổ chức, cá nhân hòa giải:", &r.mediator),
        Block::field("2. Các bên tranh chấp:", &r.parties),
        Block::field("3. Thời gian, địa điểm hòa giải:", &time_place(r.held_at, &r.place)),
        Block::field("4. Nội dung tranh chấp:", &r.subject),
        Block::field("5. Ý kiến của các bên:", &r.parties_views),
        Block::field("6. Kết quả hòa giải và cách thức thực hiện:", &r.result),
        Block::field(
            "7. Thời hạn thực hiện kết quả hòa giải:",
            &vn_date(r.performance_deadline),
        ),
        Block::field("8. Các thỏa thuận khác:", non_empty(&r.other_terms)),
        Block::Gap,
        Block::Para(
            "Các bên có nghĩa vụ thực hiện kết quả hòa giải thành trong thời hạn đã thỏa thuận. Các bên có \
             quyền yêu cầu Tòa án công nhận kết quả hòa giải thành theo quy định của pháp luật về tố tụng \
             dân sự; đơn yêu cầu phải được gửi đến Tòa án trong thời hạn 06 tháng kể từ ngày các bên đạt \
             được thỏa thuận hòa giải thành (Điều 66 Luật số 19/2023/QH15, Điều 418 Bộ luật Tố tụng dân sự)."
                .into(),
        ),
        Block::Para("Biên bản được lập thành các bản có giá trị như nhau, mỗi bên giữ một bản.".into()),
        Block::Signatures(vec![
            ("NGƯỜI TIÊU DÙNG".into(), "(Ký hoặc điểm chỉ, ghi rõ họ tên)".into()),
            (
                "TỔ CHỨC, CÁ NHÂN KINH DOANH".into(),
                "(Ký, ghi rõ họ tên, đóng dấu nếu có)".into(),
            ),
            ("HÒA GIẢI VIÊN".into(), "(Ký, ghi rõ họ tên)".into()),
            ("TỔ CHỨC HÒA GIẢI".into(), "(Ký, ghi rõ họ tên, đóng dấu)".into()),
        ]),
    ]);
    Document {
        title: format!("Biên bản hòa giải thành – {}", row.tracking_code),
        blocks,
    }
}

fn negotiation_record(row: &CaseRow, r: &NegotiationRecord) -> Document {
    let mut blocks = national_header();
    blocks.extend([
        Block::title("BIÊN BẢN THƯƠNG LƯỢNG"),
        case_line(row),
        Block::centered("(Điều 60 Luật Bảo vệ quyền lợi người tiêu dùng số 19/2023/QH15)", false),
        Block::Gap,
        Block::field("Các bên tham gia thương lượng:", &r.parties),
        Block::field("Thời gian, địa điểm thương lượng:", &time_place(r.held_at, &r.place)),
        Block::field("Nội dung thương lượng:", &r.content),
        Block::field("Kết quả thương lượng:", &r.result),
        Block::field(
            "Thời hạn thực hiện:",
            &r.performance_deadline.map(vn_date).unwrap_or_else(|| "Không có".into()),
        ),
        Block::field(
            "Các thỏa thuận khác:",
            r.other_terms.as_deref().map_or("Không có", non_empty),
        ),
        Block::Gap,
        Block::Para("Biên bản được lập thành các bản có giá trị như nhau, mỗi bên giữ một bản.".into()),
        Block::Signatures(vec![
            ("NGƯỜI TIÊU DÙNG".into(), "(Ký hoặc điểm chỉ, ghi rõ họ tên)".into()),
            (
                "TỔ CHỨC, CÁ NHÂN KINH DOANH".into(),
                "(Ký, ghi rõ họ tên, đóng dấu nếu có)".into(),
            ),
        ]),
    ]);
    Document {
        title: format!("Biên bản thương lượng – {}", row.tracking_code),
        blocks,
    }
}

fn mediation_failure(row: &CaseRow, at: NaiveDateTime, d: &serde_json::Value, hotline: &str) -> Document {
    let reason = d["failure_reason"].as_str().map(crate::text::redact);
    let advice = d["advice"].as_str().map(crate::text::redact);
    let mut blocks = national_header();
    blocks.extend([
        Block::title("THÔNG BÁO KẾT QUẢ HÒA GIẢI KHÔNG THÀNH"),
        case_line(row),
        Block::Gap,
        Block::Para(format!(
            "Ngày {}, việc hòa giải tranh chấp trong hồ sơ nêu trên đã kết thúc và không thành.",
            vn_date(crate::calendar::local_date(at.and_utc()))
        )),
        Block::field(
            "Lý do:",
            reason
                .as_deref()
                .map_or("Các bên không đạt được thỏa thuận.", non_empty),
        ),
    ]);
    if let Some(a) = advice.as_deref().filter(|a| !a.trim().is_empty()) {
        blocks.push(Block::field("Ý kiến của hòa giải viên:", a));
    }
    blocks.extend([
        Block::Heading("Quyền tiếp theo của người tiêu dùng".into()),
        Block::Para(
            "Người tiêu dùng có quyền lựa chọn giải quyết tranh chấp bằng trọng tài (nếu các bên có thỏa thuận \
             trọng tài) hoặc khởi kiện tại Tòa án. Theo Điều 70 và Điều 71 Luật Bảo vệ quyền lợi người tiêu \
             dùng số 19/2023/QH15, vụ án dân sự về bảo vệ quyền lợi người tiêu dùng có giá trị giao dịch dưới \
             100 triệu đồng có thể được giải quyết theo thủ tục rút gọn, và người tiêu dùng khởi kiện không \
             phải nộp tạm ứng án phí."
                .into(),
        ),
    ]);
    if !hotline.is_empty() {
        blocks.push(Block::Para(format!("Mọi thắc mắc xin liên hệ {hotline}.")));
    }
    blocks.extend([Block::Signatures(vec![
        ("HÒA GIẢI VIÊN".into(), "(Ký, ghi rõ họ tên)".into()),
        ("TỔ CHỨC HÒA GIẢI".into(), "(Ký, ghi rõ họ tên, đóng dấu)".into()),
    ])]);
    Document {
        title: format!("Thông báo hòa giải không thành – {}", row.tracking_code),
        blocks,
    }
}

fn non_empty(s: &str) -> &str {
    if s.trim().is_empty() {
        "Không có"
    } else {
        s
    }
}
