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
    let token = super::auth::new_token();
    link_db::insert(
        conn,
        &LinkRow {
            token_hash: super::auth::token_hash(&token),
            case_id: case_id.to_owned(),
            audience: audience.as_str().to_owned(),
            created_at: at.naive_utc(),
            expires_at: (at + audience.lifetime()).naive_utc(),
            revoked_at: None,
        },
    )?;
    Ok(token)
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
