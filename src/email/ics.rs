//! RFC 5545 calendar invitation for mediation sessions: one `VEVENT`, `METHOD:REQUEST`, so mail
//! clients offer "accept / decline" and put the session in the recipient's calendar.

use chrono::{DateTime, Utc};

const LINE_LIMIT: usize = 75;

/// An iCalendar (RFC 5545) `VEVENT` invitation with `METHOD:REQUEST`: times in UTC
/// (`YYYYMMDDTHHMMSSZ`), text values escaped (`\\`, `;`, `,`, newlines), content lines folded at
/// 75 octets on UTF-8 character boundaries, CRLF line ends, UTF-8. `organizer` and each attendee
/// are `addr@host` or `Name <addr@host>` (the name becomes `CN`). Attach it as
/// `text/calendar; charset=utf-8; method=REQUEST`.
#[allow(clippy::too_many_arguments)]
pub fn ics_invite(
    uid: &str,
    start: DateTime<Utc>,
    end: DateTime<Utc>,
    summary: &str,
    location: &str,
    description: &str,
    organizer: &str,
    attendees: &[String],
) -> String {
    let event = IcsEvent {
        uid,
        sequence: 0,
        start,
        end,
        summary,
        location,
        description,
        organizer,
        attendees,
        cancelled: false,
    };
    ics_calendar(Some(IcsMethod::Request), &[event])
}

/// `METHOD` of an iTIP message (RFC 5546): a new or changed invitation, or its cancellation.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum IcsMethod {
    Request,
    Cancel,
}

/// One `VEVENT`. A change of the same event keeps its `uid` and raises `sequence`; a
/// cancelled one is `STATUS:CANCELLED` (with `METHOD:CANCEL` when mailed).
#[derive(Debug, Clone)]
pub struct IcsEvent<'a> {
    pub uid: &'a str,
    pub sequence: i32,
    pub start: DateTime<Utc>,
    pub end: DateTime<Utc>,
    pub summary: &'a str,
    pub location: &'a str,
    pub description: &'a str,
    pub organizer: &'a str,
    pub attendees: &'a [String],
    pub cancelled: bool,
}

/// A calendar of `events`: with a `method`, an iTIP message to mail; without, a feed to
/// subscribe to (`METHOD` is absent, as for a published calendar).
pub fn ics_calendar(method: Option<IcsMethod>, events: &[IcsEvent<'_>]) -> String {
    let mut lines: Vec<String> = vec![
        "BEGIN:VCALENDAR".into(),
        "VERSION:2.0".into(),
        "PRODID:-//Hotline BVQLNTD//Hotline//VI".into(),
        "CALSCALE:GREGORIAN".into(),
    ];
    match method {
        Some(IcsMethod::Request) => lines.push("METHOD:REQUEST".into()),
        Some(IcsMethod::Cancel) => lines.push("METHOD:CANCEL".into()),
        None => lines.push("X-WR-CALNAME:Lịch hòa giải".into()),
    }
    for e in events {
        lines.extend([
            "BEGIN:VEVENT".into(),
            format!("UID:{}", single_line(e.uid)),
            format!("DTSTAMP:{}", utc(Utc::now())),
            format!("DTSTART:{}", utc(e.start)),
            format!("DTEND:{}", utc(e.end)),
            format!("SUMMARY:{}", escape_text(e.summary)),
            format!("LOCATION:{}", escape_text(e.location)),
            format!("DESCRIPTION:{}", escape_text(e.description)),
            format!("ORGANIZER{}", cal_address(e.organizer, false)),
        ]);
        for attendee in e.attendees {
            lines.push(format!("ATTENDEE{}", cal_address(attendee, true)));
        }
        let status = if e.cancelled {
            "STATUS:CANCELLED"
        } else {
            "STATUS:CONFIRMED"
        };
        lines.extend([
            format!("SEQUENCE:{}", e.sequence),
            status.into(),
            "TRANSP:OPAQUE".into(),
        ]);
        lines.push("END:VEVENT".into());
    }
    lines.push("END:VCALENDAR".into());
    let mut out = String::new();
    for line in &lines {
        fold_into(line, &mut out);
    }
    out
}

fn utc(t: DateTime<Utc>) -> String {
    t.format("%Y%m%dT%H%M%SZ").to_string()
}

fn single_line(s: &str) -> String {
    s.chars().filter(|c| !c.is_control()).collect()
}

/// TEXT value escaping (RFC 5545 §3.3.11).
fn escape_text(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    let normalized = s.replace("\r\n", "\n").replace('\r', "\n");
    for c in normalized.chars() {
        match c {
            '\\' => out.push_str("\\\\"),
            ';' => out.push_str("\\;"),
            ',' => out.push_str("\\,"),
            '\n' => out.push_str("\\n"),
            c if c.is_control() => {}
            c => out.push(c),
        }
    }
    out
}

/// `;CN="Name"…:mailto:addr` (the part after the property name).
fn cal_address(value: &str, attendee: bool) -> String {
    let value = value.trim();
    let (name, addr) = match (value.rfind('<'), value.rfind('>')) {
        (Some(open), Some(close)) if open < close => (value[..open].trim(), value[open + 1..close].trim()),
        _ => ("", value),
    };
    // A parameter value cannot hold DQUOTE or control characters (RFC 5545 §3.1).
    let name: String = name.chars().filter(|c| *c != '"' && !c.is_control()).collect();
    let mut out = String::new();
    if !name.is_empty() {
        out.push_str(&format!(";CN=\"{name}\""));
    }
    if attendee {
        out.push_str(";CUTYPE=INDIVIDUAL;ROLE=REQ-PARTICIPANT;PARTSTAT=NEEDS-ACTION;RSVP=TRUE");
    }
    out.push_str(":mailto:");
    out.push_str(&single_line(addr));
    out
}

/// Appends `line` folded so that no physical line exceeds 75 octets (CRLF excluded); a
/// continuation line starts with one space, which counts towards its 75.
fn fold_into(line: &str, out: &mut String) {
    let mut used = 0;
    for c in line.chars() {
        let len = c.len_utf8();
        if used + len > LINE_LIMIT {
            out.push_str("\r\n ");
            used = 1;
        }
        out.push(c);
        used += len;
    }
    out.push_str("\r\n");
}
