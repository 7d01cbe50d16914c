//! The append-only, hash-chained case history.
//!
//! Each event's `hash` is sha256 over a canonical JSON array of its own fields and the previous
//! event's hash (`prev_hash`; 64 zeros for the first). Changing, deleting or reordering any
//! stored event breaks the chain from that point, which [`verify`] reports.

use chrono::NaiveDateTime;
use serde::Serialize;
use sha2::{Digest, Sha256};

use crate::db::cases::{self as case_db, EventRow};
use crate::db::AnyConnection;
use crate::domain::user::Actor;
use crate::error::AppError;

pub const GENESIS: &str = "0000000000000000000000000000000000000000000000000000000000000000";

/// What a service wants recorded.
pub struct NewEvent {
    pub action: String,
    pub from_status: Option<String>,
    pub to_status: String,
    pub data: serde_json::Value,
    pub public_message: Option<String>,
}

fn hash_of(e: &EventRow) -> String {
    let canonical = serde_json::json!([
        e.prev_hash,
        e.case_id,
        e.seq,
        e.at.format("%Y-%m-%dT%H:%M:%S%.6f").to_string(),
        e.actor_id,
        e.actor_role,
        e.action,
        e.from_status,
        e.to_status,
        e.data,
        e.public_message,
    ]);
    hex::encode(Sha256::digest(canonical.to_string().as_bytes()))
}

/// Appends an event to the case's chain (call inside the transaction that made the change).
pub fn append(
    conn: &mut AnyConnection,
    case_id: &str,
    actor: &Actor,
    at: NaiveDateTime,
    ev: NewEvent,
) -> Result<EventRow, AppError> {
    let (seq, prev_hash) = match case_db::last_event(conn, case_id)? {
        Some((seq, hash)) => (seq + 1, hash),
        None => (1, GENESIS.to_owned()),
    };
    let mut row = EventRow {
        case_id: case_id.to_owned(),
        seq,
        at,
        actor_id: actor.id().map(str::to_owned),
        actor_role: actor.role_label().to_owned(),
        action: ev.action,
        from_status: ev.from_status,
        to_status: ev.to_status,
        data: ev.data.to_string(),
        public_message: ev.public_message,
        prev_hash,
        hash: String::new(),
    };
    row.hash = hash_of(&row);
    case_db::insert_event(conn, &row)?;
    Ok(row)
}

/// Result of checking a case's chain.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct Verification {
    pub valid: bool,
    pub events: usize,
    /// The first event whose link or hash does not match, if any.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub first_invalid_seq: Option<i32>,
    /// Hash of the newest event: publish or sign it to anchor the chain.
    pub head: Option<String>,
}

pub fn verify(events: &[EventRow]) -> Verification {
    let mut prev = GENESIS.to_owned();
    for (expected_seq, e) in (1..).zip(events.iter()) {
        if e.seq != expected_seq || e.prev_hash != prev || hash_of(e) != e.hash {
            return Verification {
                valid: false,
                events: events.len(),
                first_invalid_seq: Some(e.seq),
                head: events.last().map(|e| e.hash.clone()),
            };
        }
        prev = e.hash.clone();
    }
    Verification {
        valid: true,
        events: events.len(),
        first_invalid_seq: None,
        head: events.last().map(|e| e.hash.clone()),
    }
}
