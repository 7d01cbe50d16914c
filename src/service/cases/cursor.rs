//! Page cursors of the case list (by creation or by due date) and of time-ordered lists.

use base64::Engine;
use chrono::NaiveDateTime;

use crate::db::cases::Cursor;
use crate::domain::search::Sort;
use crate::error::{AppError, ErrorCode};

fn micros(t: NaiveDateTime) -> String {
    t.and_utc().timestamp_micros().to_string()
}

/// An opaque page cursor: base64 of `tag|priority|time|id`.
pub fn encode_cursor(c: &Cursor) -> String {
    let raw = match c {
        Cursor::Created { priority, at, id } => format!("c|{}|{}|{id}", u8::from(*priority), micros(*at)),
        Cursor::Due { priority, due, id } => {
            format!("d|{}|{}|{id}", u8::from(*priority), due.map(micros).unwrap_or_default())
        }
    };
    base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(raw)
}

fn bad_cursor() -> AppError {
    AppError::BadRequest {
        code: ErrorCode::InvalidCursor,
        field: Some("cursor".into()),
        en: "the cursor is not valid for this list and sort order".into(),
        vi: "con trỏ phân trang không hợp lệ".into(),
    }
}

fn cursor_parts(s: &str) -> Result<Vec<String>, AppError> {
    let bytes = base64::engine::general_purpose::URL_SAFE_NO_PAD
        .decode(s)
        .map_err(|_| bad_cursor())?;
    let text = String::from_utf8(bytes).map_err(|_| bad_cursor())?;
    Ok(text.splitn(4, '|').map(str::to_owned).collect())
}

fn parse_micros(t: &str) -> Result<NaiveDateTime, AppError> {
    let m: i64 = t.parse().map_err(|_| bad_cursor())?;
    chrono::DateTime::from_timestamp_micros(m)
        .map(|d| d.naive_utc())
        .ok_or_else(bad_cursor)
}

pub fn decode_cursor(s: &str, sort: Sort) -> Result<Cursor, AppError> {
    let p = cursor_parts(s)?;
    let [tag, prio, t, id] = p.as_slice() else {
        return Err(bad_cursor());
    };
    let priority = match prio.as_str() {
        "1" => true,
        "0" => false,
        _ => return Err(bad_cursor()),
    };
    match (sort, tag.as_str()) {
        (Sort::CreatedDesc, "c") => Ok(Cursor::Created {
            priority,
            at: parse_micros(t)?,
            id: id.clone(),
        }),
        (Sort::DueAsc, "d") => Ok(Cursor::Due {
            priority,
            due: if t.is_empty() { None } else { Some(parse_micros(t)?) },
            id: id.clone(),
        }),
        _ => Err(bad_cursor()),
    }
}

/// Cursor of a list ordered by time then id only (the call log).
pub fn encode_time_cursor(at: NaiveDateTime, id: &str) -> String {
    base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(format!("t|{}|{id}", micros(at)))
}

pub fn decode_time_cursor(s: &str) -> Result<(NaiveDateTime, String), AppError> {
    let bytes = base64::engine::general_purpose::URL_SAFE_NO_PAD
        .decode(s)
        .map_err(|_| bad_cursor())?;
    let text = String::from_utf8(bytes).map_err(|_| bad_cursor())?;
    match text.splitn(3, '|').collect::<Vec<_>>().as_slice() {
        ["t", t, id] => Ok((parse_micros(t)?, (*id).to_owned())),
        _ => Err(bad_cursor()),
    }
}
