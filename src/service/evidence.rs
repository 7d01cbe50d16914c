//! Evidence files: streamed to disk under `data_dir/evidence/` (content-addressed by sha256,
//! fsynced) before the row and event are committed, so a committed row always has its file.

use std::path::{Path, PathBuf};

use sha2::{Digest, Sha256};
use tokio::io::AsyncWriteExt;

use super::events::{self, ChainKey, NewEvent};
use super::scope_of;
use super::views::EvidenceView;
use crate::db::cases::{self as case_db, EvidenceRow};
use crate::db::AnyConnection;
use crate::domain::user::{Actor, Role};
use crate::error::AppError;
use crate::state::AppState;

/// A file being received: written to a temporary name while hashed.
pub struct Upload {
    tmp: PathBuf,
    file: tokio::fs::File,
    hasher: Sha256,
    size: usize,
    limit: usize,
}

impl Upload {
    pub async fn start(dir: &Path, limit: usize) -> Result<Upload, AppError> {
        tokio::fs::create_dir_all(dir)
            .await
            .map_err(|e| AppError::Internal(e.into()))?;
        let tmp = dir.join(format!(".upload-{}", uuid::Uuid::new_v4()));
        let file = tokio::fs::File::create(&tmp)
            .await
            .map_err(|e| AppError::Internal(e.into()))?;
        Ok(Upload {
            tmp,
            file,
            hasher: Sha256::new(),
            size: 0,
            limit,
        })
    }

    pub async fn write(&mut self, chunk: &[u8]) -> Result<(), AppError> {
        self.size += chunk.len();
        if self.size > self.limit {
            return Err(AppError::PayloadTooLarge);
        }
        self.hasher.update(chunk);
        self.file
            .write_all(chunk)
            .await
            .map_err(|e| AppError::Internal(e.into()))
    }

    /// Flushes, fsyncs and moves the file to its content address; returns (sha256, size).
    pub async fn finish(mut self, dir: &Path) -> Result<(String, usize), AppError> {
        self.file.flush().await.map_err(|e| AppError::Internal(e.into()))?;
        self.file.sync_all().await.map_err(|e| AppError::Internal(e.into()))?;
        let sha = hex::encode(self.hasher.finalize_reset());
        let dest = dir.join(&sha);
        tokio::fs::rename(&self.tmp, &dest)
            .await
            .map_err(|e| AppError::Internal(e.into()))?;
        // Make the rename itself durable before the row that points at it is committed.
        let d = tokio::fs::File::open(dir)
            .await
            .map_err(|e| AppError::Internal(e.into()))?;
        d.sync_all().await.map_err(|e| AppError::Internal(e.into()))?;
        Ok((sha, self.size))
    }

    pub async fn abort(self) {
        let _ignored = tokio::fs::remove_file(&self.tmp).await;
    }
}

/// An upload dropped unfinished (the client went away and its request's future was dropped)
/// leaves no temporary file behind. After `finish` the name is gone already (renamed).
impl Drop for Upload {
    fn drop(&mut self) {
        let _ignored = std::fs::remove_file(&self.tmp);
    }
}

/// Who may add evidence: staff of the current agency (not coordinators or admins) and the
/// appointed mediator.
fn may_add(actor: &Actor, row: &case_db::CaseRow) -> bool {
    match actor {
        Actor::Staff(s) => match s.role {
            Role::Operator | Role::Handler | Role::Supervisor => s.agency.is_some() && s.agency == row.current_agency,
            Role::Mediator => row.mediator_id.as_deref() == Some(s.id.as_str()),
            Role::Coordinator | Role::Admin => false,
        },
        _ => false,
    }
}

/// Checks before receiving bytes that the caller may add evidence to this case.
pub async fn check_may_add(state: &AppState, actor: &Actor, case_id: &str) -> Result<(), AppError> {
    let actor = actor.clone();
    let id = case_id.to_owned();
    state
        .db
        .run(move |conn| {
            let row = case_db::find_visible(conn, &id, &scope_of(&actor))?.ok_or(AppError::NotFound("case"))?;
            if !may_add(&actor, &row) {
                return Err(AppError::Forbidden);
            }
            Ok(())
        })
        .await
}

#[derive(Clone)]
pub struct StoredFile {
    pub file_name: String,
    pub media_type: String,
    pub sha256: String,
    pub size: usize,
}

/// Records received files on the case, with one event.
pub async fn record(
    state: &AppState,
    actor: Actor,
    case_id: String,
    files: Vec<StoredFile>,
) -> Result<Vec<EvidenceView>, AppError> {
    let (clock, chain_key) = (state.clock.clone(), state.chain_key.clone());
    let quota = state.settings.server.max_evidence_bytes_per_case;
    state
        .db
        .write(move |conn| {
            let row = case_db::find_visible(conn, &case_id, &scope_of(&actor))?.ok_or(AppError::NotFound("case"))?;
            if !may_add(&actor, &row) {
                return Err(AppError::Forbidden);
            }
            let t = clock.now().naive_utc();
            let out = record_tx(conn, &chain_key, &row, &actor, files, t, quota)?;
            Ok(out.into_iter().map(EvidenceView::from).collect())
        })
        .await
}

/// Inserts the rows of received (already fsynced) files on a case and appends one
/// `evidence_added` event, inside the caller's transaction; refuses files beyond the case's
/// quota (`server.max_evidence_bytes_per_case`). Staff uploads and citizens' files both end here.
pub fn record_tx(
    conn: &mut AnyConnection,
    chain_key: &ChainKey,
    row: &case_db::CaseRow,
    actor: &Actor,
    files: Vec<StoredFile>,
    t: chrono::NaiveDateTime,
    quota: i64,
) -> Result<Vec<EvidenceRow>, AppError> {
    let adding: i64 = files.iter().map(|f| f.size as i64).sum();
    if case_db::evidence_bytes(conn, &row.id)?.saturating_add(adding) > quota {
        let mib = quota / (1024 * 1024);
        return Err(AppError::invalid(
            "file",
            format!("the case's evidence would exceed its quota of {mib} MiB"),
            format!("tổng dung lượng tài liệu của hồ sơ sẽ vượt quá {mib} MiB cho phép"),
        ));
    }
    // Touch the case so concurrent writers of this case's event chain queue behind us.
    case_db::touch(conn, &row.id, t)?;
    let mut out = Vec::new();
    for f in files {
        let ev = EvidenceRow {
            id: crate::domain::ids::EvidenceId::new(),
            case_id: row.id.clone(),
            file_name: f.file_name,
            media_type: f.media_type,
            size_bytes: f.size as i64,
            sha256: f.sha256,
            uploaded_by: actor.id().map(Into::into),
            created_at: t,
            source: crate::db::cases::source_of(actor).into(),
        };
        case_db::insert_evidence(conn, &ev)?;
        out.push(ev);
    }
    events::append(
        conn,
        chain_key,
        &row.id,
        actor,
        t,
        NewEvent {
            action: "evidence_added".into(),
            from_status: Some(row.status),
            to_status: row.status,
            data: serde_json::json!({
                "files": out.iter().map(|e| serde_json::json!({"id": e.id, "sha256": e.sha256, "size_bytes": e.size_bytes, "media_type": e.media_type})).collect::<Vec<_>>()
            }),
            public_message: None,
        },
    )?;
    Ok(out)
}

/// How long a stored file may go without a row naming it before [`remove_orphans`] removes
/// it: far longer than any request takes between storing a file and committing its row.
pub const ORPHAN_GRACE: std::time::Duration = std::time::Duration::from_secs(3600);

/// Removes the files under `dir` that no evidence row names and that nobody stored in the last
/// `grace` (a request refused or failed after storing them, a crash between the store and the
/// commit), and temporary uploads older than `grace` (a crash during a transfer). Returns how
/// many were removed.
///
/// A request never removes what it stored when it fails: a file is named by its hash and
/// shared by identical uploads, so another request may be committing a row for the same file
/// at that moment. Each store renames a freshly written file onto the name, so a recent
/// modification time marks a file some request may still be committing; the time is read
/// again after the rows were checked, and the file is moved aside and its time read once more
/// before it is deleted (put back if a store just replaced it).
pub async fn remove_orphans(
    db: &crate::db::Db,
    dir: &Path,
    now: std::time::SystemTime,
    grace: std::time::Duration,
) -> Result<usize, AppError> {
    let cutoff = now.checked_sub(grace).unwrap_or(std::time::UNIX_EPOCH);
    let old = move |path: &Path| {
        std::fs::metadata(path)
            .and_then(|m| m.modified())
            .is_ok_and(|t| t < cutoff)
    };
    let scan_dir = dir.to_owned();
    let (stored, temporary) = tokio::task::spawn_blocking(move || {
        put_back_moved_aside(&scan_dir)?;
        old_files(&scan_dir, &old)
    })
    .await
    .map_err(|e| AppError::Internal(e.into()))?
    .map_err(|e| AppError::Internal(anyhow::Error::new(e).context("reading the evidence folder")))?;
    let mut removed = 0;
    for name in temporary {
        if tokio::fs::remove_file(dir.join(name)).await.is_ok() {
            removed += 1;
        }
    }
    if stored.is_empty() {
        return Ok(removed);
    }
    // Every hash a row names, read after the files were listed: a row committed since is in
    // it, and a file stored since is too recent to go.
    let named = db.run(|conn| Ok(case_db::evidence_hashes(conn)?)).await?;
    let dir = dir.to_owned();
    let orphans: Vec<String> = stored.into_iter().filter(|h| !named.contains(h)).collect();
    removed +=
        tokio::task::spawn_blocking(move || orphans.iter().filter(|h| remove_if_still_old(&dir, h, cutoff)).count())
            .await
            .map_err(|e| AppError::Internal(e.into()))?;
    Ok(removed)
}

/// The content-addressed files (64 hexadecimal digits) and the temporary uploads under `dir`
/// for which `old` holds.
fn old_files(dir: &Path, old: &dyn Fn(&Path) -> bool) -> std::io::Result<(Vec<String>, Vec<String>)> {
    let (mut stored, mut temporary) = (Vec::new(), Vec::new());
    for entry in std::fs::read_dir(dir)? {
        let Ok(name) = entry?.file_name().into_string() else {
            continue;
        };
        let content_addressed = name.len() == 64 && name.bytes().all(|b| matches!(b, b'0'..=b'9' | b'a'..=b'f'));
        if !(content_addressed || name.starts_with(".upload-")) || !old(&dir.join(&name)) {
            continue;
        }
        match content_addressed {
            true => stored.push(name),
            false => temporary.push(name),
        }
    }
    Ok((stored, temporary))
}

/// Files a removal moved aside and did not finish with (the process died between the two
/// renames): put back under their name, or dropped if a store wrote the name again since (the
/// same content). One that no row names is removed by a later pass.
fn put_back_moved_aside(dir: &Path) -> std::io::Result<()> {
    for entry in std::fs::read_dir(dir)? {
        let Ok(name) = entry?.file_name().into_string() else {
            continue;
        };
        let Some(hash) = name.strip_prefix(".orphan-").and_then(|rest| rest.split('.').next()) else {
            continue;
        };
        let (aside, path) = (dir.join(&name), dir.join(hash));
        // Either may fail because another instance's pass got there first: that is fine.
        let _done = match path.exists() {
            true => std::fs::remove_file(aside),
            false => std::fs::rename(aside, path),
        };
    }
    Ok(())
}

/// Deletes `dir/name` if it is still older than `cutoff`: moved aside first, so a store that
/// replaces the name meanwhile is not deleted; moved back if the file moved aside is new (the
/// content is the same whichever store wrote it).
fn remove_if_still_old(dir: &Path, name: &str, cutoff: std::time::SystemTime) -> bool {
    let path = dir.join(name);
    // A name of this pass's own: two instances' passes never move the same file aside under
    // one name (one could then delete what the other moved: a store's new file).
    let aside = dir.join(format!(".orphan-{name}.{}", uuid::Uuid::new_v4().simple()));
    let modified = |p: &Path| std::fs::metadata(p).and_then(|m| m.modified()).ok();
    if modified(&path).is_none_or(|t| t >= cutoff) || std::fs::rename(&path, &aside).is_err() {
        return false;
    }
    if modified(&aside).is_some_and(|t| t < cutoff) {
        return std::fs::remove_file(&aside).is_ok();
    }
    // (Another instance's pass may have put it back already.)
    if let Err(e) = std::fs::rename(&aside, &path) {
        if !path.exists() {
            tracing::error!(error = %e, file = name, "an evidence file moved aside could not be put back");
        }
    }
    false
}

/// A stored evidence file someone may download: what the download says of it, and where it is.
#[derive(Debug, Clone)]
pub struct Download {
    pub file_name: String,
    pub media_type: String,
    pub sha256: String,
    pub size_bytes: i64,
    pub path: PathBuf,
}

impl Download {
    /// The file of `ev` in the evidence directory `dir` (files are stored by their sha256).
    pub(crate) fn of(ev: EvidenceRow, dir: &std::path::Path) -> Download {
        Download {
            path: dir.join(&ev.sha256),
            file_name: ev.file_name,
            media_type: ev.media_type,
            sha256: ev.sha256,
            size_bytes: ev.size_bytes,
        }
    }
}

/// A file the caller may read.
pub async fn find(state: &AppState, actor: Actor, case_id: String, evidence_id: String) -> Result<Download, AppError> {
    let dir = state.settings.evidence_dir();
    state
        .db
        .run(move |conn| {
            case_db::find_visible(conn, &case_id, &scope_of(&actor))?.ok_or(AppError::NotFound("case"))?;
            let ev = case_db::find_evidence(conn, &case_id, &evidence_id)?.ok_or(AppError::NotFound("evidence"))?;
            Ok(Download::of(ev, &dir))
        })
        .await
}
