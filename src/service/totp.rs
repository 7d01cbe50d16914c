//! Optional two-step sign-in for supervisors, coordinators and administrators: time-based
//! one-time passwords (RFC 6238: HMAC-SHA1, 30-second steps, 6 digits — what every
//! authenticator app reads from an `otpauth://` link). A code is accepted for the step before,
//! the current one and the one after (clock drift), and only once.

use hmac::{Hmac, Mac};
use rand::RngCore;
use sha1::Sha1;

const STEP_SECS: i64 = 30;
const DIGITS: u32 = 6;

/// 160 random bits, base32 (RFC 4648, no padding): a new secret.
pub fn new_secret() -> String {
    let mut b = [0u8; 20];
    rand::rng().fill_bytes(&mut b);
    base32(&b)
}

/// The link an authenticator app scans.
pub fn otpauth_uri(secret: &str, username: &str) -> String {
    format!("otpauth://totp/Hotline:{username}?secret={secret}&issuer=Hotline&algorithm=SHA1&digits=6&period=30")
}

/// The code of a time step.
fn code_at(key: &[u8], step: i64) -> Option<u32> {
    let mut mac = <Hmac<Sha1> as Mac>::new_from_slice(key).ok()?;
    mac.update(&step.to_be_bytes());
    let h = mac.finalize().into_bytes();
    let offset = usize::from(h[h.len() - 1] & 0x0f);
    let bin = (u32::from(h[offset]) & 0x7f) << 24
        | u32::from(h[offset + 1]) << 16
        | u32::from(h[offset + 2]) << 8
        | u32::from(h[offset + 3]);
    Some(bin % 10u32.pow(DIGITS))
}

/// The time step whose code `code` is, among the one before `unix_secs`'s, it and the one
/// after; `None` if none matches (or the input is not 6 digits).
pub fn matching_step(secret: &str, code: &str, unix_secs: i64) -> Option<i64> {
    let code = code.trim();
    if code.len() != DIGITS as usize || !code.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    let want: u32 = code.parse().ok()?;
    let key = unbase32(secret)?;
    let now = unix_secs.div_euclid(STEP_SECS);
    (now - 1..=now + 1).find(|s| code_at(&key, *s) == Some(want))
}

const ALPHABET: &[u8; 32] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";

fn base32(bytes: &[u8]) -> String {
    let mut out = String::new();
    let (mut buf, mut bits) = (0u32, 0u32);
    for &b in bytes {
        buf = (buf << 8) | u32::from(b);
        bits += 8;
        while bits >= 5 {
            bits -= 5;
            out.push(char::from(ALPHABET[((buf >> bits) & 31) as usize]));
        }
    }
    if bits > 0 {
        out.push(char::from(ALPHABET[((buf << (5 - bits)) & 31) as usize]));
    }
    out
}

fn unbase32(s: &str) -> Option<Vec<u8>> {
    let mut out = Vec::new();
    let (mut buf, mut bits) = (0u32, 0u32);
    for c in s.bytes().filter(|c| *c != b'=') {
        let v = ALPHABET.iter().position(|a| *a == c.to_ascii_uppercase())? as u32;
        buf = (buf << 5) | v;
        bits += 5;
        if bits >= 8 {
            bits -= 8;
            out.push((buf >> bits) as u8);
        }
    }
    Some(out)
}

/// The current code of a secret (tests; an authenticator app does this).
pub fn current_code(secret: &str, unix_secs: i64) -> Option<String> {
    let key = unbase32(secret)?;
    code_at(&key, unix_secs.div_euclid(STEP_SECS)).map(|c| format!("{c:06}"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rfc_6238_sha1_vectors() {
        // RFC 6238 appendix B: key "12345678901234567890", 8-digit codes; the last 6 digits.
        let key = b"12345678901234567890";
        for (t, code) in [
            (59, 94287082u32),
            (1111111109, 7081804),
            (1234567890, 89005924),
            (2000000000, 69279037),
        ] {
            assert_eq!(code_at(key, t / 30), Some(code % 1_000_000), "t = {t}");
        }
    }

    #[test]
    fn base32_round_trips_and_codes_match_their_step() {
        let s = new_secret();
        assert_eq!(s.len(), 32);
        assert_eq!(base32(&unbase32(&s).unwrap()), s);
        let code = current_code(&s, 1_800_000_000).unwrap();
        assert_eq!(matching_step(&s, &code, 1_800_000_000), Some(1_800_000_000 / 30));
        assert_eq!(
            matching_step(&s, &code, 1_800_000_000 + 30),
            Some(1_800_000_000 / 30),
            "one step of drift"
        );
        assert_eq!(matching_step(&s, &code, 1_800_000_000 + 90), None);
        assert_eq!(matching_step(&s, "12a456", 1_800_000_000), None);
    }
}
