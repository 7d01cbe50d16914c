//! Outgoing e-mail: notices to consumers, businesses and staff.
//!
//! Why it is built this way:
//! - **Legal notices must never have holes.** Texts live in `templates/email/<kind>/` (subject, plain
//!   text, HTML) and are askama templates compiled into the binary (ADR 0023), each rendered from a
//!   typed struct ([`Mail`]): a missing or misspelled variable is a compile error, not an empty gap
//!   in a notice that cites a deadline or a law.
//! - **HTML is escaped, always.** askama escapes every value in the `.html` templates and no
//!   template marks a value `|safe`; lists (the digest's cases, moved due dates) are typed and
//!   looped over in the template, never pre-rendered HTML.
//! - **Sending is retried by an outbox, not here.** [`Mailer::send`] makes one attempt and reports
//!   whether a failure is permanent (5xx reply, invalid address: dead-letter at once) or transient
//!   (4xx, network, timeout: retry later). [`OutgoingEmail`] is serde-able, attachments included, so
//!   the outbox can keep the whole message as JSON.
//! - **Three transports:** `file` (the local default: every message is an `.eml` file that opens in
//!   any mail client, so nothing leaves a developer's machine), `smtp` (production), `memory`
//!   (tests). Messages are `multipart/alternative` (text + HTML), wrapped in `multipart/mixed` when
//!   there are attachments, with RFC 2047-encoded UTF-8 headers and our own `Message-ID`.
//! - **Addresses are personal data:** errors mask them (`n***@example.vn`).
//! - Mediation invitations carry an RFC 5545 calendar invitation made by [`ics_invite`].

mod ics;
mod mailer;
mod template;

#[cfg(test)]
mod tests;

use serde::{Deserialize, Serialize};

pub use ics::{ics_calendar, ics_invite, IcsEvent, IcsMethod};
pub use mailer::Mailer;
pub use template::{
    AgencyAssigned, BusinessUpdate, CallbackDue, CaseAccepted, CaseAssigned, Closure, ComplaintReceived,
    ConsumerUpdate, CourtRecognitionReminder, DailyDigest, DigestItem, DueDatesMoved, ForwardedCopy,
    ForwardedToBusiness, InfoRequested, Mail, MediationCancelled, MediationInvitation, MediationStarted,
    MediatorAppointed, MovedDue, OverdueEscalation, PerformanceMissed, Reminder, Rendered, Reopened, ReportDue,
    SecurityAlert, TemplateKind,
};

/// `[email]` section of the service's settings (embedded as `Settings.email`).
#[derive(Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct EmailSettings {
    /// `"file"` (local default: each message written as an `.eml` file under `file_dir`), `"smtp"`,
    /// or `"memory"` (tests).
    pub transport: String,
    /// From address, e.g. `"Đường dây nóng BVQLNTD <hotline@example.gov.vn>"`.
    pub from: String,
    /// For `"file"`: folder; a relative path is under the service's `data_dir`. Default `"mail"`.
    pub file_dir: String,
    /// SMTP server host name (required for `"smtp"`).
    pub smtp_host: String,
    /// SMTP server port (587 for STARTTLS, 465 for implicit TLS).
    pub smtp_port: u16,
    /// `"none"` (plain text, loopback test servers only), `"starttls"` or `"tls"` (implicit TLS).
    pub smtp_tls: String,
    /// SMTP login; no authentication when absent.
    #[serde(default)]
    pub smtp_username: Option<String>,
    /// SMTP password (set it through `APP_EMAIL__SMTP_PASSWORD`, not in a file).
    #[serde(default)]
    pub smtp_password: Option<String>,
    /// Timeout of each SMTP command, in seconds.
    pub timeout_secs: u64,
    /// Public base URL used in links (status page, business link, rating), e.g.
    /// `"https://hotline.example.gov.vn"`.
    pub public_base_url: String,
}

impl Default for EmailSettings {
    /// The same values as `[email]` in `config/base.toml`.
    fn default() -> Self {
        EmailSettings {
            transport: "file".into(),
            from: "Đường dây nóng bảo vệ quyền lợi người tiêu dùng <hotline@localhost>".into(),
            file_dir: "mail".into(),
            smtp_host: String::new(),
            smtp_port: 587,
            smtp_tls: "starttls".into(),
            smtp_username: None,
            smtp_password: None,
            timeout_secs: 15,
            public_base_url: "http://127.0.0.1:8080".into(),
        }
    }
}

/// Hand-written so that the SMTP password never reaches a log line.
impl std::fmt::Debug for EmailSettings {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("EmailSettings")
            .field("transport", &self.transport)
            .field("from", &self.from)
            .field("file_dir", &self.file_dir)
            .field("smtp_host", &self.smtp_host)
            .field("smtp_port", &self.smtp_port)
            .field("smtp_tls", &self.smtp_tls)
            .field("smtp_username", &self.smtp_username)
            .field("smtp_password", &self.smtp_password.as_ref().map(|_| "<redacted>"))
            .field("timeout_secs", &self.timeout_secs)
            .field("public_base_url", &self.public_base_url)
            .finish()
    }
}

/// A file attached to a message. Serialised with the bytes as standard base64 (`"bytes": "…"`),
/// so that an outbox row can hold the whole message as JSON.
#[derive(Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Attachment {
    /// File name shown to the recipient (UTF-8 allowed; lettre encodes it).
    pub filename: String,
    /// MIME type, parameters allowed, e.g. `text/calendar; charset=utf-8; method=REQUEST`.
    pub content_type: String,
    /// The content.
    #[serde(with = "base64_bytes")]
    pub bytes: Vec<u8>,
}

/// The serde-able attachment type of [`OutgoingEmail`] (the same type as [`Attachment`]).
pub type AttachmentData = Attachment;

impl std::fmt::Debug for Attachment {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Attachment")
            .field("filename", &self.filename)
            .field("content_type", &self.content_type)
            .field("bytes", &format_args!("<{} bytes>", self.bytes.len()))
            .finish()
    }
}

mod base64_bytes {
    use base64::Engine as _;
    use serde::{Deserialize, Deserializer, Serializer};

    pub fn serialize<S: Serializer>(bytes: &[u8], s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&base64::engine::general_purpose::STANDARD.encode(bytes))
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<Vec<u8>, D::Error> {
        let text = String::deserialize(d)?;
        base64::engine::general_purpose::STANDARD
            .decode(text.as_bytes())
            .map_err(serde::de::Error::custom)
    }
}

/// One message ready to send: what the outbox stores (as JSON) and retries.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct OutgoingEmail {
    /// Recipient, `addr@host` or `Name <addr@host>`.
    pub to: String,
    /// Subject (UTF-8; encoded per RFC 2047 when sent).
    pub subject: String,
    /// Plain-text alternative.
    pub text: String,
    /// HTML alternative.
    pub html: String,
    /// Attachments (e.g. the `.ics` of a mediation invitation).
    #[serde(default)]
    pub attachments: Vec<AttachmentData>,
}

/// Why a message could not be built or sent.
#[derive(Debug, thiserror::Error)]
pub enum EmailError {
    /// An address that does not parse; the value is masked (`n***@example.vn`), never in full.
    #[error("invalid e-mail address: {0}")]
    InvalidAddress(String),
    /// The message or a template could not be built (missing variable, bad content type …).
    #[error("cannot build e-mail: {0}")]
    Build(String),
    /// The transport failed. `permanent` = a 5xx SMTP reply: the outbox dead-letters the message at
    /// once; otherwise (4xx, network, timeout, disk) it retries later.
    #[error("e-mail transport error ({}): {message}", if *.permanent { "permanent" } else { "transient" })]
    Transport {
        /// What happened (addresses masked).
        message: String,
        /// True when retrying cannot help.
        permanent: bool,
    },
}

impl EmailError {
    /// True when the outbox should dead-letter the message instead of retrying it.
    pub fn is_permanent(&self) -> bool {
        match self {
            EmailError::InvalidAddress(_) | EmailError::Build(_) => true,
            EmailError::Transport { permanent, .. } => *permanent,
        }
    }
}

/// Masks an address for logs and errors: `nguyen.van.a@example.vn` → `n***@example.vn`;
/// the display name of `Name <addr>` is dropped.
pub fn mask_address(address: &str) -> String {
    let addr = match (address.rfind('<'), address.rfind('>')) {
        (Some(open), Some(close)) if open < close => &address[open + 1..close],
        _ => address,
    }
    .trim();
    match addr.rsplit_once('@') {
        Some((local, domain)) => {
            let first: String = local.chars().take(1).collect();
            format!("{first}***@{domain}")
        }
        None => {
            let first: String = addr.chars().take(2).collect();
            format!("{first}***")
        }
    }
}

/// Masks every address-looking word (`…@…`) of a free text, e.g. an SMTP server's reply.
pub(crate) fn mask_addresses_in(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut word = String::new();
    let flush = |word: &mut String, out: &mut String| {
        if word.contains('@') {
            let trimmed =
                word.trim_matches(|c: char| matches!(c, '<' | '>' | '"' | '\'' | '(' | ')' | ',' | ';' | ':'));
            out.push_str(&word.replace(trimmed, &mask_address(trimmed)));
        } else {
            out.push_str(word);
        }
        word.clear();
    };
    for c in text.chars() {
        if c.is_whitespace() {
            flush(&mut word, &mut out);
            out.push(c);
        } else {
            word.push(c);
        }
    }
    flush(&mut word, &mut out);
    out
}
