//! Embedded e-mail templates and a deliberately small placeholder language:
//!
//! - `{{name}}`: the value of `name` (string or number); HTML-escaped in the HTML body.
//! - `{{{name}}}`: the raw value, only in the HTML body and only for names ending in `_html`
//!   (pre-rendered lists); anywhere else it is an error.
//! - `{{#name}}…{{/name}}`: the block when `name` is true (true, a non-empty string, a non-zero
//!   number); `{{^name}}…{{/name}}`: when it is false. The flag must still be given. Blocks of
//!   different names may nest; a block may not contain one of its own name.
//!
//! A missing (or `null`) variable is an error: a notice is never sent with a hole in it.

use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

use super::EmailError;

/// The kinds of message, each a folder `templates/email/<snake_case name>/` holding
/// `subject.txt`, `body.txt` and `body.html`. [`required_variables`] lists what each one needs.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum TemplateKind {
    /// To the consumer: complaint received, tracking code and status link.
    ComplaintReceived,
    /// To the consumer: more information needed by a date.
    InfoRequested,
    /// To the business: the consumer's request forwarded (Law 19/2023 Art 57).
    ForwardedToBusiness,
    /// To the assigned staff: a clock is due soon.
    Reminder,
    /// To supervisors: a clock is overdue.
    OverdueEscalation,
    /// To the parties: mediation session (the caller attaches the `.ics`).
    MediationInvitation,
    /// To the consumer: case closed, outcome, rating link.
    Closure,
    /// To an agency: daily summary of its queue.
    DailyDigest,
    /// To supervisors: a tracking code's public lookup was locked after wrong phone digits.
    SecurityAlert,
}

impl TemplateKind {
    /// Every kind, in declaration order.
    pub const ALL: [TemplateKind; 9] = [
        TemplateKind::ComplaintReceived,
        TemplateKind::InfoRequested,
        TemplateKind::ForwardedToBusiness,
        TemplateKind::Reminder,
        TemplateKind::OverdueEscalation,
        TemplateKind::MediationInvitation,
        TemplateKind::Closure,
        TemplateKind::DailyDigest,
        TemplateKind::SecurityAlert,
    ];

    /// The snake_case name, also the template folder name.
    pub fn as_str(self) -> &'static str {
        match self {
            TemplateKind::ComplaintReceived => "complaint_received",
            TemplateKind::InfoRequested => "info_requested",
            TemplateKind::ForwardedToBusiness => "forwarded_to_business",
            TemplateKind::Reminder => "reminder",
            TemplateKind::OverdueEscalation => "overdue_escalation",
            TemplateKind::MediationInvitation => "mediation_invitation",
            TemplateKind::Closure => "closure",
            TemplateKind::DailyDigest => "daily_digest",
            TemplateKind::SecurityAlert => "security_alert",
        }
    }

    /// (subject.txt, body.txt, body.html) as compiled in.
    fn sources(self) -> (&'static str, &'static str, &'static str) {
        macro_rules! tpl {
            ($dir:literal) => {
                (
                    include_str!(concat!("../../templates/email/", $dir, "/subject.txt")),
                    include_str!(concat!("../../templates/email/", $dir, "/body.txt")),
                    include_str!(concat!("../../templates/email/", $dir, "/body.html")),
                )
            };
        }
        match self {
            TemplateKind::ComplaintReceived => tpl!("complaint_received"),
            TemplateKind::InfoRequested => tpl!("info_requested"),
            TemplateKind::ForwardedToBusiness => tpl!("forwarded_to_business"),
            TemplateKind::Reminder => tpl!("reminder"),
            TemplateKind::OverdueEscalation => tpl!("overdue_escalation"),
            TemplateKind::MediationInvitation => tpl!("mediation_invitation"),
            TemplateKind::Closure => tpl!("closure"),
            TemplateKind::DailyDigest => tpl!("daily_digest"),
            TemplateKind::SecurityAlert => tpl!("security_alert"),
        }
    }
}

/// Shared HTML frame: `{{subject}}` and the raw `{{{content_html}}}` (the rendered body.html).
const LAYOUT_HTML: &str = include_str!("../../templates/email/layout.html");
/// Shared plain-text footer, appended to every body.txt.
const FOOTER_TXT: &str = include_str!("../../templates/email/footer.txt");

/// Renders (subject, plain text, HTML) of `kind` from `vars`, a JSON object whose values are
/// strings or numbers (booleans for `{{#flag}}` blocks). A missing or `null` variable, a value of
/// another type, or a template error is [`EmailError::Build`]. In HTML, `{{name}}` values are
/// HTML-escaped; only `{{{name_html}}}` is inserted raw.
pub fn render(kind: TemplateKind, vars: &Value) -> Result<(String, String, String), EmailError> {
    let vars = vars
        .as_object()
        .ok_or_else(|| EmailError::Build(format!("{}: template variables must be a JSON object", kind.as_str())))?;
    let (subject_tpl, text_tpl, html_tpl) = kind.sources();
    let ctx = |part: &str, e: String| EmailError::Build(format!("{}/{part}: {e}", kind.as_str()));
    let subject = expand(subject_tpl, vars, Mode::Text).map_err(|e| ctx("subject.txt", e))?;
    let subject = subject.split_whitespace().collect::<Vec<_>>().join(" ");
    let mut text = expand(text_tpl, vars, Mode::Text).map_err(|e| ctx("body.txt", e))?;
    text = text.trim_end().to_owned();
    text.push_str("\n\n");
    text.push_str(FOOTER_TXT.trim_end());
    text.push('\n');
    let content = expand(html_tpl, vars, Mode::Html).map_err(|e| ctx("body.html", e))?;
    let mut layout_vars = Map::new();
    layout_vars.insert("subject".into(), Value::String(subject.clone()));
    layout_vars.insert("content_html".into(), Value::String(content));
    let html = expand(LAYOUT_HTML, &layout_vars, Mode::Html).map_err(|e| ctx("layout.html", e))?;
    Ok((subject, text, html))
}

/// The variables `kind` needs (sorted, deduplicated), read from its templates: the list to give
/// [`render`]. Flags of `{{#flag}}` blocks are included.
pub fn required_variables(kind: TemplateKind) -> Vec<String> {
    let (s, t, h) = kind.sources();
    let mut names = Vec::new();
    for src in [s, t, h] {
        let mut rest = src;
        while let Some(start) = rest.find("{{") {
            let after = &rest[start..];
            let (inner, len) = if let Some(body) = after.strip_prefix("{{{") {
                match body.find("}}}") {
                    Some(end) => (&body[..end], end + 6),
                    None => break,
                }
            } else {
                match after[2..].find("}}") {
                    Some(end) => (&after[2..2 + end], end + 4),
                    None => break,
                }
            };
            let name = inner.trim().trim_start_matches(['#', '^']);
            if !inner.trim().starts_with('/') {
                names.push(name.trim().to_owned());
            }
            rest = &after[len..];
        }
    }
    names.sort();
    names.dedup();
    names
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum Mode {
    Text,
    Html,
}

fn lookup<'a>(vars: &'a Map<String, Value>, name: &str) -> Result<&'a Value, String> {
    match vars.get(name) {
        None | Some(Value::Null) => Err(format!("missing variable {{{{{name}}}}}")),
        Some(v) => Ok(v),
    }
}

fn scalar(vars: &Map<String, Value>, name: &str) -> Result<String, String> {
    match lookup(vars, name)? {
        Value::String(s) => Ok(s.clone()),
        Value::Number(n) => Ok(n.to_string()),
        _ => Err(format!("variable {{{{{name}}}}} must be a string or a number")),
    }
}

fn truthy(vars: &Map<String, Value>, name: &str) -> Result<bool, String> {
    Ok(match lookup(vars, name)? {
        Value::Bool(b) => *b,
        Value::String(s) => !s.is_empty(),
        Value::Number(n) => n.as_f64().is_some_and(|f| f != 0.0),
        _ => return Err(format!("flag {{{{{name}}}}} must be a boolean, string or number")),
    })
}

fn valid_name(name: &str) -> bool {
    !name.is_empty() && name.chars().all(|c| c.is_ascii_alphanumeric() || c == '_')
}

/// HTML-escapes text for element content and double-quoted attribute values. Use it on every
/// value that goes into a pre-rendered `*_html` variable (e.g. `items_html` of the daily digest).
pub fn escape_html(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            _ => out.push(c),
        }
    }
    out
}

fn expand(tpl: &str, vars: &Map<String, Value>, mode: Mode) -> Result<String, String> {
    let mut out = String::with_capacity(tpl.len() + 256);
    let mut rest = tpl;
    while let Some(start) = rest.find("{{") {
        out.push_str(&rest[..start]);
        let after = &rest[start..];
        if let Some(body) = after.strip_prefix("{{{") {
            let end = body.find("}}}").ok_or("unclosed {{{")?;
            let name = body[..end].trim();
            if !valid_name(name) {
                return Err(format!("bad variable name {name:?}"));
            }
            if mode != Mode::Html || !name.ends_with("_html") {
                return Err(format!(
                    "raw {{{{{{{name}}}}}}} is only allowed in HTML for *_html variables"
                ));
            }
            out.push_str(&scalar(vars, name)?);
            rest = &body[end + 3..];
            continue;
        }
        let body = &after[2..];
        let end = body.find("}}").ok_or("unclosed {{")?;
        let tag = body[..end].trim();
        rest = &body[end + 2..];
        if let Some(section) = tag.strip_prefix('#').or_else(|| tag.strip_prefix('^')) {
            let name = section.trim();
            if !valid_name(name) {
                return Err(format!("bad section name {name:?}"));
            }
            let close = format!("{{{{/{name}}}}}");
            let close_at = rest
                .find(&close)
                .ok_or_else(|| format!("section {name} is not closed"))?;
            let inner = &rest[..close_at];
            let show = truthy(vars, name)? == tag.starts_with('#');
            if show {
                out.push_str(&expand(inner, vars, mode)?);
            }
            rest = &rest[close_at + close.len()..];
        } else if let Some(name) = tag.strip_prefix('/') {
            return Err(format!("{{{{/{}}}}} without an opening tag", name.trim()));
        } else {
            if !valid_name(tag) {
                return Err(format!("bad variable name {tag:?}"));
            }
            let value = scalar(vars, tag)?;
            match mode {
                Mode::Text => out.push_str(&value),
                Mode::Html => out.push_str(&escape_html(&value)),
            }
        }
    }
    out.push_str(rest);
    Ok(out)
}

#[cfg(test)]
pub(crate) fn expand_for_test(tpl: &str, vars: &Map<String, Value>, html: bool) -> Result<String, String> {
    expand(tpl, vars, if html { Mode::Html } else { Mode::Text })
}
