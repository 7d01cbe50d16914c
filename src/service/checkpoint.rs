//! Signed checkpoints of every case's history head, kept outside the database: a rewrite of
//! the history by someone with database access (who could drop the triggers) cannot move a
//! head that a checkpoint recorded without `verify` noticing. The sweep writes one every
//! `audit.checkpoint_interval_secs`; `hotline audit checkpoint` writes one on demand and
//! `hotline audit verify --checkpoint FILE` checks the database against one.

use std::path::{Path, PathBuf};

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use super::events::{self, AuditReport, ChainKey};
use crate::db::cases as case_db;
use crate::db::AnyConnection;
use crate::error::AppError;

/// The heads of every case at one moment, signed with the chain key.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Checkpoint {
    pub version: u32,
    pub created_at: DateTime<Utc>,
    /// (case id, events, hash of the last event), by id.
    pub cases: Vec<(String, i32, String)>,
    /// HMAC-SHA256 of `[version, created_at, cases]` (JSON) under the chain key.
    pub signature: String,
}

fn signed_part(version: u32, created_at: &DateTime<Utc>, cases: &[(String, i32, String)]) -> Vec<u8> {
    serde_json::json!([version, created_at.to_rfc3339(), cases])
        .to_string()
        .into_bytes()
}

impl Checkpoint {
    /// Reads the heads the case rows record and signs them.
    pub fn take(conn: &mut AnyConnection, key: &ChainKey, at: DateTime<Utc>) -> Result<Checkpoint, AppError> {
        let cases = case_db::all_heads(conn)?;
        let signature = key.sign(&signed_part(1, &at, &cases));
        Ok(Checkpoint {
            version: 1,
            created_at: at,
            cases,
            signature,
        })
    }

    pub fn signature_is_valid(&self, key: &ChainKey) -> bool {
        key.sign(&signed_part(self.version, &self.created_at, &self.cases)) == self.signature
    }

    /// Writes it as `checkpoint-<UTC time>.json` in `dir` (made if missing); returns the path.
    pub fn write_to(&self, dir: &Path) -> anyhow::Result<PathBuf> {
        std::fs::create_dir_all(dir)?;
        let path = dir.join(format!("checkpoint-{}.json", self.created_at.format("%Y%m%dT%H%M%SZ")));
        let tmp = path.with_extension("json.tmp");
        std::fs::write(&tmp, serde_json::to_vec_pretty(self)?)?;
        std::fs::File::open(&tmp)?.sync_all()?;
        std::fs::rename(&tmp, &path)?;
        Ok(path)
    }

    pub fn read_from(path: &Path) -> anyhow::Result<Checkpoint> {
        let bytes = std::fs::read(path).map_err(|e| anyhow::anyhow!("reading {}: {e}", path.display()))?;
        serde_json::from_slice(&bytes).map_err(|e| anyhow::anyhow!("{} is not a checkpoint: {e}", path.display()))
    }
}

/// The time of the newest checkpoint file in `dir`, if any.
pub fn newest_in(dir: &Path) -> Option<DateTime<Utc>> {
    let entries = std::fs::read_dir(dir).ok()?;
    entries
        .filter_map(|e| e.ok())
        .filter_map(|e| {
            let name = e.file_name().to_string_lossy().into_owned();
            let stamp = name.strip_prefix("checkpoint-")?.strip_suffix(".json")?.to_owned();
            chrono::NaiveDateTime::parse_from_str(&stamp, "%Y%m%dT%H%M%SZ").ok()
        })
        .max()
        .map(|t| t.and_utc())
}

/// Checks every history, and, with a checkpoint, that its signature holds and that every case
/// it recorded still has that head at that position (a history may only have grown since).
pub fn audit(
    conn: &mut AnyConnection,
    key: &ChainKey,
    checkpoint: Option<&Checkpoint>,
) -> Result<AuditReport, AppError> {
    let mut report = events::verify_all(conn, key)?;
    let Some(cp) = checkpoint else { return Ok(report) };
    if !cp.signature_is_valid(key) {
        report.invalid.push(("(checkpoint)".into(), vec!["signature".into()]));
        return Ok(report);
    }
    for (id, count, head) in &cp.cases {
        let evs = case_db::list_events(conn, id)?;
        let kept = usize::try_from(*count)
            .ok()
            .and_then(|n| n.checked_sub(1))
            .and_then(|i| evs.get(i))
            .is_some_and(|e| &e.hash == head);
        let was_empty = *count == 0 && head.is_empty();
        if !(kept || was_empty) {
            report.invalid.push((id.clone(), vec!["checkpoint".into()]));
        }
    }
    Ok(report)
}
