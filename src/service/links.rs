//! Links that authorize: the citizen's private link to their complaint and the business's link
//! to the request forwarded to it. Each is a random token of 256 bits, stored only as its
//! sha256, for one case and one audience, expiring and revocable. The tracking code stays the
//! short reference read out on the phone; it never authorizes a read by itself.

use chrono::{DateTime, TimeDelta, Utc};

use crate::db::links::{self as link_db, LinkRow};
use crate::db::AnyConnection;
use crate::error::AppError;

/// Who a link is for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Audience {
    Consumer,
    Business,
}

impl Audience {
    pub fn as_str(self) -> &'static str {
        match self {
            Audience::Consumer => "consumer",
            Audience::Business => "business",
        }
    }

    /// How long a new link lives: the consumer's for a year (complaints can take months, and
    /// the closure e-mail links to it); the business's while it negotiates (revoked earlier
    /// when the case leaves negotiation).
    fn lifetime(self) -> TimeDelta {
        match self {
            Audience::Consumer => TimeDelta::days(365),
            Audience::Business => TimeDelta::days(60),
        }
    }
}

/// Issues a new link to `case_id` for `audience`; returns the token (shown once, in a URL).
pub fn issue(
    conn: &mut AnyConnection,
    case_id: &str,
    audience: Audience,
    at: DateTime<Utc>,
) -> Result<String, AppError> {
    let (token, row) = new_link(case_id, audience, at);
    link_db::insert(conn, &row)?;
    Ok(token)
}

/// A new link to `case_id` for `audience` as it is stored (the token's hash), with its token,
/// for a caller that writes the row with others ([`issue`] writes it alone).
pub fn new_link(case_id: &str, audience: Audience, at: DateTime<Utc>) -> (String, LinkRow) {
    let token = super::auth::new_token();
    let row = LinkRow {
        token_hash: super::auth::token_hash(&token),
        case_id: case_id.to_owned(),
        audience: audience.as_str().to_owned(),
        created_at: at.naive_utc(),
        expires_at: (at + audience.lifetime()).naive_utc(),
        revoked_at: None,
    };
    (token, row)
}

/// The case a token opens for `audience`, if the link is live at `now`. A token that is not
/// the shape of one is not looked up.
pub fn resolve(
    conn: &mut AnyConnection,
    token: &str,
    audience: Audience,
    now: DateTime<Utc>,
) -> Result<Option<String>, AppError> {
    if !is_token_shaped(token) {
        return Ok(None);
    }
    let row = link_db::find_valid(
        conn,
        &super::auth::token_hash(token),
        audience.as_str(),
        now.naive_utc(),
    )?;
    Ok(row.map(|r| r.case_id))
}

/// Ends every live link of the case for `audience`.
pub fn revoke_all(
    conn: &mut AnyConnection,
    case_id: &str,
    audience: Audience,
    at: DateTime<Utc>,
) -> Result<(), AppError> {
    link_db::revoke_all(conn, case_id, audience.as_str(), at.naive_utc())?;
    Ok(())
}

/// 43 characters of URL-safe base64 (what [`super::auth::new_token`] makes).
pub fn is_token_shaped(token: &str) -> bool {
    token.len() == 43
        && token
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
}

/// Whether a consumer's link to a case closed at `closed_at` has lapsed at `now`: it works
/// `links.expire_days_after_closure` days after closure, then the page points to the lookup
/// by code and phone digits (a reopened case has no `closed_at`: its links work again).
pub fn lapsed_after_closure(closed_at: Option<chrono::NaiveDateTime>, now: DateTime<Utc>, days: i64) -> bool {
    closed_at.is_some_and(|c| now.naive_utc() >= c + TimeDelta::days(days))
}

/// Staff end every private link of a case's consumer (a link forwarded by mistake, a shared
/// phone): handlers and supervisors of the agency holding the case. Recorded as a case event
/// and in the audit log. The next e-mail to the consumer carries a new link, as always.
pub async fn revoke_consumer_links(
    state: &crate::state::AppState,
    actor: crate::domain::user::Actor,
    case_id: String,
) -> Result<usize, AppError> {
    use crate::domain::user::{Actor, Role};
    let (clock, chain_key) = (state.clock.clone(), state.chain_key.clone());
    state
        .db
        .write(move |conn| {
            let row = crate::db::cases::find_visible(conn, &case_id, &super::scope_of(&actor))?
                .ok_or(AppError::NotFound("case"))?;
            let allowed = match &actor {
                Actor::Staff(s) => {
                    matches!(s.role, Role::Handler | Role::Supervisor)
                        && s.agency.is_some()
                        && s.agency == row.current_agency
                }
                _ => false,
            };
            if !allowed {
                return Err(AppError::Forbidden);
            }
            let now = clock.now();
            let n = link_db::revoke_all(conn, &row.id, Audience::Consumer.as_str(), now.naive_utc())?;
            crate::db::cases::touch(conn, &row.id, now.naive_utc())?;
            super::events::append(
                conn,
                &chain_key,
                &row.id,
                &actor,
                now.naive_utc(),
                super::events::NewEvent {
                    action: "consumer_links_revoked".into(),
                    from_status: Some(row.status),
                    to_status: row.status,
                    data: serde_json::json!({ "revoked": n }),
                    public_message: None,
                },
            )?;
            super::audit::record(
                conn,
                super::audit::Audit {
                    action: super::audit::AuditAction::ConsumerLinksRevoked,
                    actor_id: actor.id(),
                    subject: Some(&row.id),
                    addr: None,
                    detail: Some(format!("{n} links")),
                },
                now,
            )?;
            Ok(n)
        })
        .await
}
