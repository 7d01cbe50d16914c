//! The append-only, tamper-evident case history.
//!
//! Each event's `hash` covers a canonical JSON array of its own fields, the previous event's
//! hash (`prev_hash`; 64 zeros for the first) and, for keyed events, `state_hash`: a digest of
//! the case row as the event left it. Keyed events (`alg = hmac-sha256`, all written since
//! migration 2026-11-28-000003) are HMAC-SHA256 under `audit.chain_key`, which never enters the
//! database, so nobody with only database access can recompute a chain; older events are plain
//! sha256 (`alg = sha256`) and may not follow a keyed one. The case row records the length and
//! head of its history (`event_count`, `head_hash`; a trigger lets them move only to an event
//! that exists), and triggers refuse UPDATE and DELETE on `case_events`. [`verify_case`]
//! reports a changed, deleted or reordered event, a missing tail, an edited case row and a
//! downgraded event; a rewrite by someone who also has the key or drops the triggers is caught
//! against the last signed checkpoint (`service::audit_checkpoint`).

use std::sync::Arc;

use chrono::NaiveDateTime;
use hmac::{Hmac, Mac};
use serde::Serialize;
use sha2::{Digest, Sha256};

use crate::config::Settings;
use crate::db::cases::{self as case_db, CaseRow, EventRow};
use crate::db::AnyConnection;
use crate::domain::case::Status;
use crate::domain::user::Actor;
use crate::error::AppError;

pub const GENESIS: &str = "0000000000000000000000000000000000000000000000000000000000000000";
pub const KEYED: &str = "hmac-sha256";
pub const UNKEYED: &str = "sha256";

/// The key of the event chain (`audit.chain_key`). `Debug` never shows it.
#[derive(Clone)]
pub struct ChainKey(Arc<[u8]>);

impl ChainKey {
    pub fn new(bytes: &[u8]) -> ChainKey {
        ChainKey(Arc::from(bytes))
    }

    /// The configured key (see `Settings::resolve_chain_key`).
    pub fn from_settings(s: &Settings) -> ChainKey {
        ChainKey::new(s.audit.chain_key.expose().as_bytes())
    }

    /// HMAC-SHA256 of `msg`, hex.
    pub fn sign(&self, msg: &[u8]) -> String {
        // HMAC takes a key of any length.
        let mut mac = match <Hmac<Sha256> as Mac>::new_from_slice(&self.0) {
            Ok(m) => m,
            Err(_) => return String::new(),
        };
        mac.update(msg);
        hex::encode(mac.finalize().into_bytes())
    }
}

impl std::fmt::Debug for ChainKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("ChainKey(<redacted>)")
    }
}

/// What a service wants recorded.
pub struct NewEvent {
    pub action: String,
    pub from_status: Option<Status>,
    pub to_status: Status,
    pub data: serde_json::Value,
    pub public_message: Option<String>,
}

fn hash_of(e: &EventRow, key: &ChainKey) -> String {
    let mut fields = vec![
        serde_json::json!(e.prev_hash),
        serde_json::json!(e.case_id),
        serde_json::json!(e.seq),
        serde_json::json!(e.at.format("%Y-%m-%dT%H:%M:%S%.6f").to_string()),
        serde_json::json!(e.actor_id),
        serde_json::json!(e.actor_role),
        serde_json::json!(e.action),
        serde_json::json!(e.from_status),
        serde_json::json!(e.to_status),
        serde_json::json!(e.data),
        serde_json::json!(e.public_message),
    ];
    if e.alg == KEYED {
        fields.push(serde_json::json!(e.state_hash));
        key.sign(serde_json::Value::Array(fields).to_string().as_bytes())
    } else {
        hex::encode(Sha256::digest(serde_json::Value::Array(fields).to_string().as_bytes()))
    }
}

/// Digest of the columns of a case row that change only together with an event (everything
/// but `updated_at`, `due_at`, `version` and the derived search and suggestion columns).
pub fn state_digest(c: &CaseRow) -> String {
    let t = |d: &NaiveDateTime| d.format("%Y-%m-%dT%H:%M:%S%.6f").to_string();
    let mut canonical = serde_json::json!([
        c.id,
        c.tracking_code,
        c.kind,
        c.category,
        c.channel,
        c.status,
        c.outcome,
        c.return_status,
        c.priority,
        c.description,
        c.consumer_request,
        c.amount_vnd,
        c.transaction_date.map(|d| d.to_string()),
        c.consumer_name,
        c.consumer_phone,
        c.consumer_phone_last4,
        c.consumer_email,
        c.consumer_address,
        c.consumer_commune,
        c.consumer_province,
        c.vulnerable,
        c.consent_at.as_ref().map(t),
        c.business_name,
        c.business_tax_code,
        c.business_address,
        c.business_website,
        c.business_shop_link,
        c.current_agency,
        c.pending_transfer_to,
        c.assignee_id,
        c.mediator_id,
        c.call_id,
        c.created_by,
        t(&c.created_at),
        c.closed_at.as_ref().map(t),
    ]);
    // Added later (migration 000090): only when set, so the digests of the cases written
    // before it are unchanged.
    if let (Some(p), Some(fields)) = (&c.product, canonical.as_array_mut()) {
        fields.push(serde_json::json!(p));
    }
    hex::encode(Sha256::digest(canonical.to_string().as_bytes()))
}

/// Appends a keyed event to the case's chain and moves the case's recorded head to it. Call
/// inside the transaction that made the change, after the case row was written.
pub fn append(
    conn: &mut AnyConnection,
    key: &ChainKey,
    case_id: &str,
    actor: &Actor,
    at: NaiveDateTime,
    ev: NewEvent,
) -> Result<EventRow, AppError> {
    let (seq, prev_hash) = match case_db::last_event(conn, case_id)? {
        Some((seq, hash)) => (seq + 1, hash),
        None => (1, GENESIS.to_owned()),
    };
    let case = case_db::find_by_id(conn, case_id)?.ok_or(AppError::NotFound("case"))?;
    let row = chained(key, &case, seq, prev_hash, actor, at, ev);
    case_db::insert_event(conn, &row)?;
    case_db::set_head(conn, case_id, seq, &row.hash)?;
    Ok(row)
}

/// The first event of a case whose row is not written yet: the row as it will be inserted
/// (`case`) is the state the event records, and the row carries the head
/// ([`case_db::insert_case_with_head`]); the caller inserts the event after the row. Spares
/// a new case's intake the reads of [`append`] (no earlier event, the case as just built) and
/// the update of the head (ADR 0041).
pub fn first(key: &ChainKey, case: &CaseRow, actor: &Actor, at: NaiveDateTime, ev: NewEvent) -> EventRow {
    chained(key, case, 1, GENESIS.to_owned(), actor, at, ev)
}

/// The event `seq` after `prev_hash`, keyed and hashed, leaving the case as `case`.
fn chained(
    key: &ChainKey,
    case: &CaseRow,
    seq: i32,
    prev_hash: String,
    actor: &Actor,
    at: NaiveDateTime,
    ev: NewEvent,
) -> EventRow {
    let mut row = EventRow {
        case_id: case.id.clone(),
        seq,
        at,
        actor_id: actor.id().map(Into::into),
        actor_role: actor.role_label().to_owned(),
        action: ev.action,
        from_status: ev.from_status,
        to_status: ev.to_status,
        data: ev.data.to_string(),
        public_message: ev.public_message,
        prev_hash,
        hash: String::new(),
        alg: KEYED.to_owned(),
        state_hash: Some(state_digest(case)),
    };
    row.hash = hash_of(&row, key);
    row
}

/// Result of checking a case's history.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct Verification {
    pub valid: bool,
    pub events: usize,
    /// The first event whose link or hash does not match, if any.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub first_invalid_seq: Option<i32>,
    /// Hash of the newest event: publish or sign it to anchor the chain.
    pub head: Option<String>,
    /// Every event is keyed (false only for histories begun before keyed chains).
    pub keyed: bool,
    /// What does not match: `chain` (an event changed, deleted or reordered), `downgraded` (an
    /// unkeyed event after a keyed one), `event_count` / `head_hash` (events missing at the end,
    /// or the case's recorded head moved), `case_row` (the case changed without an event).
    pub problems: Vec<String>,
}

/// Checks the chain of `events`, and that it ends where the case row says, and that the case
/// row is as the last event left it.
pub fn verify_case(key: &ChainKey, case: &CaseRow, head: (i32, &str), events: &[EventRow]) -> Verification {
    let mut problems = Vec::new();
    let mut first_invalid_seq = None;
    let mut prev = GENESIS.to_owned();
    let mut seen_keyed = false;
    for (expected_seq, e) in (1..).zip(events.iter()) {
        let downgraded = seen_keyed && e.alg != KEYED;
        seen_keyed |= e.alg == KEYED;
        if e.seq != expected_seq || e.prev_hash != prev || hash_of(e, key) != e.hash || downgraded {
            first_invalid_seq = Some(e.seq);
            problems.push(if downgraded { "downgraded" } else { "chain" }.to_owned());
            break;
        }
        prev = e.hash.clone();
    }
    let (count, head_hash) = head;
    if usize::try_from(count).ok() != Some(events.len()) {
        problems.push("event_count".into());
    }
    if events.last().map(|e| e.hash.as_str()).unwrap_or("") != head_hash {
        problems.push("head_hash".into());
    }
    if let Some(state) = events.last().and_then(|e| e.state_hash.as_deref()) {
        if state != state_digest(case) {
            problems.push("case_row".into());
        }
    }
    Verification {
        valid: problems.is_empty(),
        events: events.len(),
        first_invalid_seq,
        head: events.last().map(|e| e.hash.clone()),
        keyed: !events.is_empty() && events.iter().all(|e| e.alg == KEYED),
        problems,
    }
}

/// Loads and checks one case's history.
pub fn verify_stored(conn: &mut AnyConnection, key: &ChainKey, case_id: &str) -> Result<Verification, AppError> {
    let case = case_db::find_by_id(conn, case_id)?.ok_or(AppError::NotFound("case"))?;
    let (count, head) = case_db::head_of(conn, case_id)?.ok_or(AppError::NotFound("case"))?;
    let events = case_db::list_events(conn, case_id)?;
    Ok(verify_case(key, &case, (count, &head), &events))
}

/// Checks every case's history; returns the cases that fail, with what fails.
pub fn verify_all(conn: &mut AnyConnection, key: &ChainKey) -> Result<AuditReport, AppError> {
    let heads = case_db::all_heads(conn)?;
    let mut report = AuditReport {
        cases: heads.len(),
        ..AuditReport::default()
    };
    for (id, _, _) in heads {
        let v = verify_stored(conn, key, &id)?;
        if !v.keyed {
            report.unkeyed += 1;
        }
        if !v.valid {
            report.invalid.push((id, v.problems));
        }
    }
    Ok(report)
}

/// What `verify_all` found.
#[derive(Debug, Default, Serialize)]
pub struct AuditReport {
    /// Cases checked.
    pub cases: usize,
    /// Histories begun before keyed chains (valid, but anyone with database access could have
    /// recomputed them; only a checkpoint from before a rewrite can tell).
    pub unkeyed: usize,
    /// Case id and problems of every case that fails.
    pub invalid: Vec<(String, Vec<String>)>,
}
