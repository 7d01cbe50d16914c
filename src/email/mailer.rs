//! The transports: SMTP (lettre, rustls with ring), `.eml` files, or memory.

use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use anyhow::{bail, Context as _};
use lettre::message::header::ContentType;
use lettre::message::{Mailbox, MultiPart, SinglePart};
use lettre::transport::smtp::authentication::Credentials;
use lettre::{AsyncFileTransport, AsyncSmtpTransport, AsyncTransport, Message, Tokio1Executor};

use super::{mask_address, mask_addresses_in, EmailError, EmailSettings, OutgoingEmail};

/// Sends [`OutgoingEmail`]s. Cheap to clone (the memory store is shared).
///
/// SMTP opens one connection per message: lettre's `pool` feature is left off on purpose, because its
/// pool spawns tasks on the Tokio runtime that builds it and panics when built or dropped outside one
/// (a sync test, or after actix's runtimes stop). A hotline sends a few hundred messages a day, so a
/// handshake per message costs nothing; `from_settings` therefore needs no runtime.
#[derive(Clone)]
pub enum Mailer {
    /// An SMTP relay (a new connection per message).
    Smtp(AsyncSmtpTransport<Tokio1Executor>),
    /// Each message written as `<uuid>.eml` in this folder.
    File(PathBuf),
    /// Kept in memory, for tests.
    Memory(Arc<Mutex<Vec<OutgoingEmail>>>),
}

impl std::fmt::Debug for Mailer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Mailer::Smtp(_) => f.write_str("Mailer::Smtp"),
            Mailer::File(dir) => write!(f, "Mailer::File({})", dir.display()),
            Mailer::Memory(_) => f.write_str("Mailer::Memory"),
        }
    }
}

fn is_loopback_host(host: &str) -> bool {
    let host = host.trim_start_matches('[').trim_end_matches(']');
    host.eq_ignore_ascii_case("localhost")
        || host
            .parse::<std::net::IpAddr>()
            .map(|ip| ip.is_loopback())
            .unwrap_or(false)
}

impl Mailer {
    /// Builds the transport named by `s.transport`. Checks the settings: a known transport, a valid
    /// `from`, for `"smtp"` a host, a known `smtp_tls` (`"none"` only towards a loopback host), a
    /// non-zero timeout and a password whenever a user name is set. For `"file"` the folder
    /// (relative to `data_dir` unless absolute) is created. Refusing `"file"`/`"memory"` in
    /// production is the caller's job.
    pub fn from_settings(s: &EmailSettings, data_dir: &Path) -> anyhow::Result<Mailer> {
        s.from
            .parse::<Mailbox>()
            .map_err(|_| anyhow::anyhow!("email.from is not a valid address: {}", mask_address(&s.from)))?;
        match s.transport.as_str() {
            "memory" => Ok(Mailer::memory()),
            "file" => {
                if s.file_dir.trim().is_empty() {
                    bail!("email.file_dir is empty");
                }
                let dir = Path::new(&s.file_dir);
                let dir = if dir.is_absolute() {
                    dir.to_path_buf()
                } else {
                    data_dir.join(dir)
                };
                std::fs::create_dir_all(&dir)
                    .with_context(|| format!("cannot create email.file_dir {}", dir.display()))?;
                Ok(Mailer::File(dir))
            }
            "smtp" => {
                let host = s.smtp_host.trim();
                if host.is_empty() {
                    bail!("email.smtp_host is required when email.transport = \"smtp\"");
                }
                if s.smtp_port == 0 {
                    bail!("email.smtp_port must not be 0");
                }
                if s.timeout_secs == 0 {
                    bail!("email.timeout_secs must be at least 1");
                }
                let builder = match s.smtp_tls.as_str() {
                    "none" => {
                        if !is_loopback_host(host) {
                            bail!(
                                "email.smtp_tls = \"none\" is only allowed towards a loopback test server, not {host}"
                            );
                        }
                        AsyncSmtpTransport::<Tokio1Executor>::builder_dangerous(host)
                    }
                    "starttls" => AsyncSmtpTransport::<Tokio1Executor>::starttls_relay(host)
                        .with_context(|| format!("email.smtp_host {host}"))?,
                    "tls" => AsyncSmtpTransport::<Tokio1Executor>::relay(host)
                        .with_context(|| format!("email.smtp_host {host}"))?,
                    other => bail!("email.smtp_tls must be \"none\", \"starttls\" or \"tls\", not {other:?}"),
                };
                let mut builder = builder
                    .port(s.smtp_port)
                    .timeout(Some(Duration::from_secs(s.timeout_secs)));
                match (&s.smtp_username, &s.smtp_password) {
                    (Some(user), Some(password)) if !user.is_empty() => {
                        builder = builder.credentials(Credentials::new(user.clone(), password.clone()));
                    }
                    (Some(user), None) if !user.is_empty() => {
                        bail!("email.smtp_username is set but email.smtp_password is not");
                    }
                    _ => {}
                }
                Ok(Mailer::Smtp(builder.build()))
            }
            other => bail!("email.transport must be \"file\", \"smtp\" or \"memory\", not {other:?}"),
        }
    }

    /// An empty in-memory mailer (tests).
    pub fn memory() -> Mailer {
        Mailer::Memory(Arc::new(Mutex::new(Vec::new())))
    }

    /// Builds the MIME message and makes one delivery attempt. The message is built (and addresses
    /// checked) for every transport, `Memory` included, so tests catch what SMTP would refuse.
    pub async fn send(&self, from: &str, m: &OutgoingEmail) -> Result<(), EmailError> {
        let message = build_message(from, m)?;
        match self {
            Mailer::Smtp(transport) => transport
                .send(message)
                .await
                .map(|_| ())
                .map_err(|e| EmailError::Transport {
                    message: mask_addresses_in(&e.to_string()),
                    permanent: e.is_permanent(),
                }),
            Mailer::File(dir) => {
                tokio::fs::create_dir_all(dir)
                    .await
                    .map_err(|e| EmailError::Transport {
                        message: format!("cannot create {}: {e}", dir.display()),
                        permanent: false,
                    })?;
                AsyncFileTransport::<Tokio1Executor>::new(dir)
                    .send(message)
                    .await
                    .map(|_| ())
                    .map_err(|e| EmailError::Transport {
                        message: e.to_string(),
                        permanent: false,
                    })
            }
            Mailer::Memory(store) => {
                store
                    .lock()
                    .unwrap_or_else(|poisoned| poisoned.into_inner())
                    .push(m.clone());
                Ok(())
            }
        }
    }

    /// Messages sent through a `Memory` mailer, oldest first; empty for the other transports.
    pub fn memory_sent(&self) -> Vec<OutgoingEmail> {
        match self {
            Mailer::Memory(store) => store.lock().unwrap_or_else(|poisoned| poisoned.into_inner()).clone(),
            _ => Vec::new(),
        }
    }
}

fn parse_mailbox(address: &str) -> Result<Mailbox, EmailError> {
    address
        .trim()
        .parse::<Mailbox>()
        .map_err(|_| EmailError::InvalidAddress(mask_address(address)))
}

/// The MIME message: `multipart/alternative` (text, then HTML, the preferred last), inside
/// `multipart/mixed` when there are attachments.
pub(crate) fn build_message(from: &str, m: &OutgoingEmail) -> Result<Message, EmailError> {
    let from = parse_mailbox(from)?;
    let to = parse_mailbox(&m.to)?;
    let domain = from.email.domain().to_owned();
    let message_id = format!("<{}@{}>", uuid::Uuid::new_v4().simple(), domain);
    // A subject is one line: a template value with a newline must not break the header.
    let subject: String = m.subject.split_whitespace().collect::<Vec<_>>().join(" ");
    let alternative = MultiPart::alternative_plain_html(m.text.clone(), m.html.clone());
    let body = if m.attachments.is_empty() {
        alternative
    } else {
        let mut mixed = MultiPart::mixed().multipart(alternative);
        for a in &m.attachments {
            let content_type = ContentType::parse(&a.content_type)
                .map_err(|e| EmailError::Build(format!("attachment {:?}: content type: {e}", a.filename)))?;
            let part: SinglePart =
                lettre::message::Attachment::new(a.filename.clone()).body(a.bytes.clone(), content_type);
            mixed = mixed.singlepart(part);
        }
        mixed
    };
    Message::builder()
        .from(from)
        .to(to)
        .subject(subject)
        .date_now()
        .message_id(Some(message_id))
        .multipart(body)
        .map_err(|e| EmailError::Build(e.to_string()))
}
