//! Abuse limits shared by every instance: counters in the `rate_limits` table (`db::limits`),
//! rules in the `[limits]` config section. A key is a limit's name and a hash of what it limits
//! (a username, an address, a tracking code, an e-mail address), never the value itself.
//!
//! Each rule allows `max` counted events within `window_secs`; the event after that locks the
//! key for `lock_secs`, doubling with each further lock up to `max_lock_secs`. While a key is
//! locked its requests are answered 429 with `Retry-After` before any work is done (a sign-in
//! is refused even with the right password). See docs/security.md.

use sha2::{Digest, Sha256};

use crate::config::{LimitRule, LimitSettings};
use crate::db::{limits as limit_db, AnyConnection};
use crate::error::AppError;

/// What is limited.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Limit {
    LoginUser,
    LoginAddress,
    StatusCode,
    StatusAddress,
    FormAddress,
    LinkAddress,
}

impl Limit {
    pub fn as_str(self) -> &'static str {
        match self {
            Limit::LoginUser => "login_user",
            Limit::LoginAddress => "login_address",
            Limit::StatusCode => "status_code",
            Limit::StatusAddress => "status_address",
            Limit::FormAddress => "form_address",
            Limit::LinkAddress => "link_address",
        }
    }

    fn rule(self, s: &LimitSettings) -> LimitRule {
        match self {
            Limit::LoginUser => s.login_user,
            Limit::LoginAddress => s.login_address,
            Limit::StatusCode => s.status_code,
            Limit::StatusAddress => s.status_address,
            Limit::FormAddress => s.form_address,
            Limit::LinkAddress => s.link_address,
        }
    }
}

/// One limited key: the limit and a hash of its subject.
#[derive(Debug, Clone)]
pub struct Key {
    pub limit: Limit,
    key: String,
}

impl Key {
    pub fn new(limit: Limit, subject: &str) -> Key {
        Key {
            limit,
            key: hashed_key(limit.as_str(), subject),
        }
    }
}

/// `name:` and the first 128 bits of sha256(name, subject), hex.
fn hashed_key(name: &str, subject: &str) -> String {
    let mut h = Sha256::new();
    h.update(name.as_bytes());
    h.update([0u8]);
    h.update(subject.as_bytes());
    format!("{name}:{}", &hex::encode(h.finalize())[..32])
}

/// What counting one event did.
#[derive(Debug, Default)]
pub struct Counted {
    /// Some key is locked now: wait this many seconds.
    pub retry_after: Option<i64>,
    /// Keys this event locked (it went over their rule).
    pub newly_locked: Vec<Limit>,
}

impl Counted {
    /// `Err(429)` if the event went over a rule.
    pub fn into_result(self) -> Result<(), AppError> {
        match self.retry_after {
            Some(retry_after_secs) => Err(AppError::RateLimited { retry_after_secs }),
            None => Ok(()),
        }
    }
}

/// Seconds until the last of `keys` is unlocked, if any is locked at `now` (Unix seconds).
pub fn locked_for(
    conn: &mut AnyConnection,
    s: &LimitSettings,
    keys: &[Key],
    now: i64,
) -> Result<Option<i64>, AppError> {
    if !s.enabled {
        return Ok(None);
    }
    let mut wait = None;
    for k in keys {
        let until = limit_db::locked_until(conn, &k.key)?;
        if until > now {
            wait = wait.max(Some(until - now));
        }
    }
    Ok(wait)
}

/// `Err(429)` if any of `keys` is locked at `now`.
pub fn ensure_open(conn: &mut AnyConnection, s: &LimitSettings, keys: &[Key], now: i64) -> Result<(), AppError> {
    match locked_for(conn, s, keys, now)? {
        Some(retry_after_secs) => Err(AppError::RateLimited { retry_after_secs }),
        None => Ok(()),
    }
}

/// Counts one event on every key (inside the caller's write transaction); a key that goes over
/// its rule is locked. A key already locked stays locked and is not counted.
pub fn count(conn: &mut AnyConnection, s: &LimitSettings, keys: &[Key], now: i64) -> Result<Counted, AppError> {
    let mut out = Counted::default();
    if !s.enabled {
        return Ok(out);
    }
    for k in keys {
        // A locked key is not counted: attempts refused during a lock do not lengthen the next.
        let rule = k.limit.rule(s);
        let c = limit_db::hit(conn, &k.key, now, rule.window_secs)?;
        if c.locked_until > now {
            out.retry_after = out.retry_after.max(Some(c.locked_until - now));
            continue;
        }
        let wait = if c.hits > rule.max {
            let secs = rule.lock_for(c.strikes + 1);
            limit_db::lock(conn, &k.key, now, now + secs)?;
            out.newly_locked.push(k.limit);
            Some(secs)
        } else {
            None
        };
        out.retry_after = out.retry_after.max(wait);
    }
    Ok(out)
}

/// Clears the count of `key` (a successful sign-in clears the username's failures); the
/// number of earlier locks is kept until the key has been quiet for a day.
pub fn clear(conn: &mut AnyConnection, key: &Key) -> Result<(), AppError> {
    limit_db::clear(conn, &key.key)?;
    Ok(())
}

/// Counts one message to a consumer's address and its domain (inside the transaction that
/// enqueues it); `false` when either is over its daily / hourly cap, and the message must not
/// be sent. A burst to one domain is logged as a warning (the domain only, never the address).
pub fn allow_consumer_mail(conn: &mut AnyConnection, s: &LimitSettings, to: &str, now: i64) -> Result<bool, AppError> {
    if !s.enabled {
        return Ok(true);
    }
    let to = to.trim().to_lowercase();
    let domain = to.rsplit_once('@').map(|(_, d)| d.to_owned()).unwrap_or_default();
    let per_address = limit_db::hit(conn, &hashed_key("mail_recipient", &to), now, 86_400)?;
    let per_domain = limit_db::hit(conn, &format!("mail_domain:{domain}"), now, 3_600)?;
    if per_domain.hits == s.mail_per_domain_per_hour + 1 {
        tracing::warn!(domain = %domain, cap = s.mail_per_domain_per_hour, "burst of consumer mail to one domain: held back for the rest of the hour");
    }
    Ok(per_address.hits <= s.mail_per_recipient_per_day && per_domain.hits <= s.mail_per_domain_per_hour)
}

/// Deletes counters quiet for a day and not locked (the sweep calls it).
pub fn purge(conn: &mut AnyConnection, now: i64) -> Result<usize, AppError> {
    Ok(limit_db::purge(conn, now - 86_400, now)?)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_hide_their_subject_and_differ_per_limit() {
        let a = Key::new(Limit::LoginUser, "alice");
        let b = Key::new(Limit::LoginAddress, "alice");
        assert!(!a.key.contains("alice"));
        assert_ne!(a.key, b.key);
        assert!(a.key.starts_with("login_user:"));
    }

    #[test]
    fn locks_double_up_to_the_maximum() {
        let r = LimitRule {
            max: 5,
            window_secs: 900,
            lock_secs: 60,
            max_lock_secs: 3600,
        };
        assert_eq!(r.lock_for(1), 60);
        assert_eq!(r.lock_for(2), 120);
        assert_eq!(r.lock_for(4), 480);
        assert_eq!(r.lock_for(10), 3600);
        assert_eq!(r.lock_for(1000), 3600);
    }
}
