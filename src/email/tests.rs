#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};

use base64::Engine as _;
use chrono::TimeZone;
use serde_json::{json, Value};

use super::*;

const FROM: &str = "Đường dây nóng bảo vệ quyền lợi người tiêu dùng <hotline@example.gov.vn>";

fn vars_for(kind: TemplateKind) -> Value {
    let common = json!({
        "tracking_code": "KN-2026-000123",
        "agency_name": "Sở Công Thương tỉnh Bắc Ninh",
        "consumer_name": "Nguyễn Thị Hồng Nhung",
        "status_url": "https://hotline.example.gov.vn/tra-cuu/KN-2026-000123",
        "due_date": "05/12/2026",
        "clock_label": "Trả lời người tiêu dùng",
        "case_url": "https://hotline.example.gov.vn/cases/KN-2026-000123",
    });
    let specific = match kind {
        TemplateKind::ComplaintReceived => json!({ "received_date": "23/11/2026" }),
        TemplateKind::InfoRequested => json!({ "requested": "Hóa đơn mua hàng và ảnh chụp sản phẩm bị lỗi" }),
        TemplateKind::ForwardedToBusiness => json!({
            "business_name": "Công ty TNHH Điện máy Ánh Dương",
            "forwarded_date": "24/11/2026",
            "request_summary": "Đổi tủ lạnh bị hỏng máy nén sau 10 ngày sử dụng, hoặc hoàn tiền 12.500.000 đồng.",
            "business_link": "https://hotline.example.gov.vn/dn/abcDEF123",
        }),
        TemplateKind::Reminder => json!({}),
        TemplateKind::OverdueEscalation => json!({ "assignee": "Trần Văn Đức" }),
        TemplateKind::MediationInvitation => json!({
            "recipient_name": "Lê Quang Vinh",
            "session_time": "09:00 ngày 10/12/2026",
            "place": "Phòng họp tầng 2, số 8 đường Lý Thái Tổ, TP. Bắc Ninh",
            "mediator": "Phạm Thu Hà",
        }),
        TemplateKind::Closure => json!({
            "outcome_label": "Hòa giải không thành",
            "summary": "Hai bên không thống nhất được mức bồi thường.",
            "rating_url": "https://hotline.example.gov.vn/danh-gia/xyz",
            "mediation_failed": true,
        }),
        TemplateKind::SecurityAlert => json!({ "locked_until": "10:15 ngày 28/11/2026" }),
        TemplateKind::DailyDigest => json!({
            "date": "23/11/2026",
            "open_cases": 42,
            "due_soon": 5,
            "overdue": 2,
            "items_text": "- KN-2026-000123: quá hạn 2 ngày (Trần Văn Đức)",
            "items_html": "<ul><li>KN-2026-000123: quá hạn 2 ngày (Trần Văn Đức)</li></ul>",
        }),
    };
    let mut all = common.as_object().unwrap().clone();
    all.extend(specific.as_object().unwrap().clone());
    Value::Object(all)
}

#[test]
fn every_kind_renders_in_vietnamese_without_holes() {
    for kind in TemplateKind::ALL {
        let vars = vars_for(kind);
        for name in required_variables(kind) {
            assert!(vars.get(&name).is_some(), "{kind:?}: test vars lack {name}");
        }
        let (subject, text, html) = render(kind, &vars).unwrap_or_else(|e| panic!("{kind:?}: {e}"));
        for (part, s) in [("subject", &subject), ("text", &text), ("html", &html)] {
            assert!(
                !s.contains("{{") && !s.contains("}}"),
                "{kind:?} {part} has a leftover placeholder:\n{s}"
            );
            assert!(!s.trim().is_empty(), "{kind:?} {part} is empty");
        }
        assert!(!subject.contains('\n'), "{kind:?}: subject must be one line");
        assert!(html.starts_with("<!DOCTYPE html>"), "{kind:?}");
        assert!(
            !html.contains("src=") && !html.contains("<link"),
            "{kind:?}: no external resources"
        );
        // Tracking codes stay out of what outsiders receive and out of the subjects of mail to
        // consumers (the outbox shows subjects to administrators); staff mail names its case.
        let code = "KN-2026-000123";
        match kind {
            TemplateKind::DailyDigest => assert!(subject.contains("Bắc Ninh") && text.contains("Bắc Ninh")),
            TemplateKind::ForwardedToBusiness | TemplateKind::MediationInvitation => {
                assert!(
                    !subject.contains(code) && !text.contains(code) && !html.contains(code),
                    "{kind:?}"
                )
            }
            TemplateKind::ComplaintReceived | TemplateKind::InfoRequested | TemplateKind::Closure => {
                assert!(!subject.contains(code) && text.contains(code), "{kind:?}")
            }
            _ => assert!(subject.contains(code) && text.contains(code), "{kind:?}"),
        }
        let json = serde_json::to_string(&kind).unwrap();
        assert_eq!(json, format!("\"{}\"", kind.as_str()));
    }
}

#[test]
fn mail_to_an_unverified_address_carries_no_submitted_name() {
    let mut vars = vars_for(TemplateKind::ComplaintReceived);
    vars["consumer_name"] = json!("");
    let (_, text, html) = render(TemplateKind::ComplaintReceived, &vars).unwrap();
    assert!(text.starts_with("Kính gửi Quý khách,"), "{text}");
    assert!(html.contains("Kính gửi Quý khách,"));
    let (_, text, _) = render(
        TemplateKind::ComplaintReceived,
        &vars_for(TemplateKind::ComplaintReceived),
    )
    .unwrap();
    assert!(text.starts_with("Kính gửi Ông/Bà Nguyễn Thị Hồng Nhung,"), "{text}");
}

#[test]
fn templates_carry_the_legal_content() {
    let (_, text, html) = render(
        TemplateKind::ComplaintReceived,
        &vars_for(TemplateKind::ComplaintReceived),
    )
    .unwrap();
    assert!(text.contains("10 ngày làm việc") && text.contains("42/2013/QH13") && text.contains("Điều 28"));
    assert!(html.contains("https://hotline.example.gov.vn/tra-cuu/KN-2026-000123"));

    let (_, text, _) = render(
        TemplateKind::ForwardedToBusiness,
        &vars_for(TemplateKind::ForwardedToBusiness),
    )
    .unwrap();
    assert!(text.contains("khoản 4 Điều 57") && text.contains("khoản 5 Điều 57"));
    assert!(text.contains("7 ngày làm việc") && text.contains("5 ngày làm việc"));
    assert!(text.contains("https://hotline.example.gov.vn/dn/abcDEF123"));

    let (_, text, html) = render(
        TemplateKind::MediationInvitation,
        &vars_for(TemplateKind::MediationInvitation),
    )
    .unwrap();
    assert!(text.contains("09:00 ngày 10/12/2026") && text.contains("Phạm Thu Hà") && html.contains("GMT+7"));
}

#[test]
fn closure_mentions_court_only_after_failed_mediation() {
    let mut vars = vars_for(TemplateKind::Closure);
    let (_, text, html) = render(TemplateKind::Closure, &vars).unwrap();
    for s in [&text, &html] {
        assert!(s.contains("100 triệu đồng") && s.contains("tạm ứng án phí") && s.contains("Điều 70"));
        assert!(s.contains("trọng tài"));
    }
    assert!(
        text.contains("Hai bên không thống nhất được mức bồi thường.\n\nDo hòa giải không thành"),
        "{text}"
    );

    vars["mediation_failed"] = json!(false);
    vars["outcome_label"] = json!("Đã giải quyết xong");
    let (_, text, html) = render(TemplateKind::Closure, &vars).unwrap();
    for s in [&text, &html] {
        assert!(!s.contains("100 triệu đồng") && !s.contains("Điều 70"), "{s}");
        assert!(s.contains("https://hotline.example.gov.vn/danh-gia/xyz"));
    }
    assert!(text.contains("mức bồi thường.\n\nÝ kiến"), "{text}");

    // The flag is required too: no silent default.
    vars.as_object_mut().unwrap().remove("mediation_failed");
    assert!(matches!(
        render(TemplateKind::Closure, &vars),
        Err(EmailError::Build(_))
    ));
}

#[test]
fn a_missing_or_null_variable_is_an_error() {
    for kind in TemplateKind::ALL {
        for name in required_variables(kind) {
            let mut vars = vars_for(kind);
            vars.as_object_mut().unwrap().remove(&name);
            match render(kind, &vars) {
                Err(EmailError::Build(msg)) => assert!(msg.contains(&name), "{kind:?}: {msg}"),
                other => panic!("{kind:?} without {name}: {other:?}"),
            }
            vars[&name] = Value::Null;
            assert!(render(kind, &vars).is_err(), "{kind:?} with {name} = null");
        }
    }
    assert!(matches!(
        render(TemplateKind::Reminder, &json!(["not", "an", "object"])),
        Err(EmailError::Build(_))
    ));
    let mut vars = vars_for(TemplateKind::Reminder);
    vars["due_date"] = json!({"nested": 1});
    assert!(matches!(
        render(TemplateKind::Reminder, &vars),
        Err(EmailError::Build(_))
    ));
}

#[test]
fn html_values_are_escaped_but_text_is_not() {
    let mut vars = vars_for(TemplateKind::ComplaintReceived);
    vars["consumer_name"] = json!("<script>alert(1)</script> Trần & \"Lê\"");
    let (subject, text, html) = render(TemplateKind::ComplaintReceived, &vars).unwrap();
    assert!(!html.contains("<script>"));
    assert!(
        html.contains("&lt;script&gt;alert(1)&lt;/script&gt; Trần &amp; &quot;Lê&quot;"),
        "{html}"
    );
    assert!(text.contains("<script>alert(1)</script> Trần & \"Lê\""));
    assert!(!subject.contains('<'));

    // Only *_html variables are raw, and only as {{{name}}} in HTML.
    let (_, text, html) = render(TemplateKind::DailyDigest, &vars_for(TemplateKind::DailyDigest)).unwrap();
    assert!(html.contains("<ul><li>KN-2026-000123: quá hạn 2 ngày (Trần Văn Đức)</li></ul>"));
    assert!(text.contains("- KN-2026-000123: quá hạn 2 ngày"));
    assert!(html.contains(">42<") && html.contains(">5<") && html.contains(">2<"));
}

#[test]
fn template_language_rejects_misuse() {
    let vars = json!({"a": "x", "b_html": "<b>y</b>", "flag": true});
    let vars = vars.as_object().unwrap();
    assert_eq!(
        template::expand_for_test("{{a}}-{{{b_html}}}", vars, true).unwrap(),
        "x-<b>y</b>"
    );
    assert!(
        template::expand_for_test("{{{b_html}}}", vars, false).is_err(),
        "raw in text"
    );
    assert!(
        template::expand_for_test("{{{a}}}", vars, true).is_err(),
        "raw of a non-_html name"
    );
    assert!(template::expand_for_test("{{a", vars, true).is_err());
    assert!(template::expand_for_test("{{#flag}}x", vars, true).is_err());
    assert!(template::expand_for_test("{{/flag}}", vars, true).is_err());
    assert!(template::expand_for_test("{{a b}}", vars, true).is_err());
    assert_eq!(
        template::expand_for_test("{{^flag}}no{{/flag}}{{#flag}}yes {{a}}{{/flag}}", vars, true).unwrap(),
        "yes x"
    );
}

#[test]
fn required_variables_are_listed() {
    assert_eq!(
        required_variables(TemplateKind::Reminder),
        ["case_url", "clock_label", "due_date", "tracking_code"]
    );
    let digest = required_variables(TemplateKind::DailyDigest);
    assert!(digest.contains(&"items_html".to_owned()) && digest.contains(&"items_text".to_owned()));
    assert!(required_variables(TemplateKind::Closure).contains(&"mediation_failed".to_owned()));
}

fn sample_ics() -> String {
    let start = chrono::Utc.with_ymd_and_hms(2026, 12, 10, 2, 0, 0).unwrap();
    let end = chrono::Utc.with_ymd_and_hms(2026, 12, 10, 3, 30, 0).unwrap();
    ics_invite(
        "KN-2026-000123-hoa-giai-1@hotline.example.gov.vn",
        start,
        end,
        "Phiên hòa giải hồ sơ KN-2026-000123",
        "Phòng họp tầng 2; số 8 đường Lý Thái Tổ, TP. Bắc Ninh",
        "Hòa giải tranh chấp giữa người tiêu dùng Nguyễn Thị Hồng Nhung và Công ty TNHH Điện máy Ánh Dương.\nMang theo giấy tờ tùy thân, hóa đơn; tài liệu liên quan \\ chứng cứ.",
        "Phạm Thu Hà <hoagiai@example.gov.vn>",
        &["Nguyễn Thị Hồng Nhung <nhung@example.vn>".to_owned(), "cskh@anhduong.example.vn".to_owned()],
    )
}

/// Unfolds iCalendar content lines (CRLF + one space/tab continues the previous line).
fn unfold_ics(ics: &str) -> Vec<String> {
    let mut lines: Vec<String> = Vec::new();
    for physical in ics.split("\r\n") {
        if let Some(rest) = physical.strip_prefix(' ').or_else(|| physical.strip_prefix('\t')) {
            lines.last_mut().unwrap().push_str(rest);
        } else if !physical.is_empty() {
            lines.push(physical.to_owned());
        }
    }
    lines
}

#[test]
fn ics_invite_is_a_well_formed_request() {
    let ics = sample_ics();
    assert!(ics.starts_with("BEGIN:VCALENDAR\r\n") && ics.ends_with("END:VCALENDAR\r\n"));
    assert!(
        !ics.replace("\r\n", "").contains('\n') && !ics.replace("\r\n", "").contains('\r'),
        "only CRLF"
    );
    for physical in ics.split("\r\n") {
        assert!(physical.len() <= 75, "line of {} octets: {physical:?}", physical.len());
    }
    let lines = unfold_ics(&ics);
    let has = |l: &str| lines.iter().any(|x| x == l);
    for l in [
        "VERSION:2.0",
        "METHOD:REQUEST",
        "BEGIN:VEVENT",
        "END:VEVENT",
        "DTSTART:20261210T020000Z",
        "DTEND:20261210T033000Z",
        "UID:KN-2026-000123-hoa-giai-1@hotline.example.gov.vn",
        "SUMMARY:Phiên hòa giải hồ sơ KN-2026-000123",
        "LOCATION:Phòng họp tầng 2\\; số 8 đường Lý Thái Tổ\\, TP. Bắc Ninh",
        "ORGANIZER;CN=\"Phạm Thu Hà\":mailto:hoagiai@example.gov.vn",
    ] {
        assert!(has(l), "missing {l:?} in\n{ics}");
    }
    let description = lines.iter().find(|l| l.starts_with("DESCRIPTION:")).unwrap();
    assert!(
        description.contains("Ánh Dương.\\nMang theo giấy tờ tùy thân\\, hóa đơn\\; tài liệu liên quan \\\\ chứng cứ.")
    );
    let attendees: Vec<_> = lines.iter().filter(|l| l.starts_with("ATTENDEE")).collect();
    assert_eq!(attendees.len(), 2);
    assert!(
        attendees[0].contains("CN=\"Nguyễn Thị Hồng Nhung\"") && attendees[0].ends_with(":mailto:nhung@example.vn")
    );
    assert!(attendees[1].ends_with("RSVP=TRUE:mailto:cskh@anhduong.example.vn"));
    let dtstamp = lines.iter().find(|l| l.starts_with("DTSTAMP:")).unwrap();
    assert!(dtstamp.len() == "DTSTAMP:20261210T020000Z".len() && dtstamp.ends_with('Z'));
    // Folding never splits a UTF-8 character (the String would not exist otherwise) and was needed here.
    assert!(ics.contains("\r\n "));
}

#[test]
fn addresses_are_masked() {
    assert_eq!(mask_address("nguyen.van.a@example.vn"), "n***@example.vn");
    assert_eq!(mask_address("Nguyễn Văn A <đức@example.vn>"), "đ***@example.vn");
    assert_eq!(mask_address("không-phải-địa-chỉ"), "kh***");
    let masked = mask_addresses_in("550 5.1.1 <nhung@example.vn>: Recipient address rejected");
    assert_eq!(masked, "550 5.1.1 <n***@example.vn>: Recipient address rejected");
}

fn sample_email(to: &str) -> OutgoingEmail {
    let mut m = OutgoingEmail::from_template(
        to,
        TemplateKind::MediationInvitation,
        &vars_for(TemplateKind::MediationInvitation),
    )
    .unwrap();
    m.attachments.push(Attachment {
        filename: "hoa-giai-KN-2026-000123.ics".into(),
        content_type: "text/calendar; charset=utf-8; method=REQUEST".into(),
        bytes: sample_ics().into_bytes(),
    });
    m
}

#[test]
fn outgoing_email_round_trips_through_json() {
    let m = sample_email("Lê Quang Vinh <vinh@example.vn>");
    let json = serde_json::to_value(&m).unwrap();
    assert!(json["attachments"][0]["bytes"].is_string(), "bytes are base64 text");
    let back: OutgoingEmail = serde_json::from_value(json).unwrap();
    assert_eq!(back, m);
}

#[test]
fn settings_are_checked() {
    let data = tempfile::tempdir().unwrap();
    let ok = EmailSettings::default();
    assert!(
        matches!(Mailer::from_settings(&ok, data.path()).unwrap(), Mailer::File(ref p) if p == &data.path().join("mail"))
    );
    assert!(data.path().join("mail").is_dir());

    let smtp = EmailSettings {
        transport: "smtp".into(),
        ..EmailSettings::default()
    };
    assert!(Mailer::from_settings(&smtp, data.path()).is_err(), "smtp needs a host");
    let smtp = EmailSettings {
        smtp_host: "smtp.example.gov.vn".into(),
        ..smtp
    };
    assert!(matches!(
        Mailer::from_settings(&smtp, data.path()).unwrap(),
        Mailer::Smtp(_)
    ));
    let plain = EmailSettings {
        smtp_tls: "none".into(),
        ..smtp.clone()
    };
    assert!(
        Mailer::from_settings(&plain, data.path()).is_err(),
        "plain SMTP only to loopback"
    );
    let plain = EmailSettings {
        smtp_host: "127.0.0.1".into(),
        ..plain
    };
    assert!(Mailer::from_settings(&plain, data.path()).is_ok());
    let bad_tls = EmailSettings {
        smtp_tls: "ssl".into(),
        ..smtp.clone()
    };
    assert!(Mailer::from_settings(&bad_tls, data.path()).is_err());
    let no_password = EmailSettings {
        smtp_username: Some("hotline".into()),
        ..smtp.clone()
    };
    assert!(Mailer::from_settings(&no_password, data.path()).is_err());
    let bad_from = EmailSettings {
        from: "không phải địa chỉ".into(),
        ..EmailSettings::default()
    };
    assert!(Mailer::from_settings(&bad_from, data.path()).is_err());
    let bad_transport = EmailSettings {
        transport: "sendmail".into(),
        ..EmailSettings::default()
    };
    assert!(Mailer::from_settings(&bad_transport, data.path()).is_err());

    let secret = EmailSettings {
        smtp_password: Some("mat-khau-bi-mat".into()),
        ..smtp
    };
    assert!(!format!("{secret:?}").contains("mat-khau-bi-mat"));
    let toml_like: EmailSettings = serde_json::from_value(json!({
        "transport": "file", "from": FROM, "file_dir": "mail", "smtp_host": "", "smtp_port": 587,
        "smtp_tls": "starttls", "timeout_secs": 15, "public_base_url": "http://127.0.0.1:8080"
    }))
    .unwrap();
    assert!(toml_like.smtp_username.is_none());
}

#[tokio::test]
async fn memory_transport_records_and_checks_addresses() {
    let mailer = Mailer::memory();
    let m = sample_email("vinh@example.vn");
    mailer.send(FROM, &m).await.unwrap();
    assert_eq!(mailer.memory_sent(), vec![m]);

    let bad = sample_email("vinh-at-example.vn");
    match mailer.send(FROM, &bad).await {
        Err(e @ EmailError::InvalidAddress(_)) => {
            assert!(!e.to_string().contains("vinh-at-example.vn"), "masked: {e}");
            assert!(e.is_permanent());
        }
        other => panic!("{other:?}"),
    }
    assert_eq!(mailer.memory_sent().len(), 1);
    assert!(Mailer::File(PathBuf::from("/nonexistent")).memory_sent().is_empty());
}

// ---- a minimal MIME reader, enough to check what lettre wrote ----

/// A leaf part: headers (names lower-cased, values unfolded) and the decoded body.
struct Leaf {
    headers: Vec<(String, String)>,
    body: Vec<u8>,
}

impl Leaf {
    fn header(&self, name: &str) -> Option<&str> {
        header(&self.headers, name)
    }
}

fn header<'a>(headers: &'a [(String, String)], name: &str) -> Option<&'a str> {
    headers.iter().find(|(n, _)| n == name).map(|(_, v)| v.as_str())
}

fn split_message(raw: &str) -> (Vec<(String, String)>, &str) {
    let (head, body) = raw.split_once("\r\n\r\n").unwrap_or((raw, ""));
    let mut headers: Vec<(String, String)> = Vec::new();
    for line in head.split("\r\n") {
        if line.starts_with(' ') || line.starts_with('\t') {
            headers.last_mut().unwrap().1.push_str(line);
        } else if let Some((name, value)) = line.split_once(':') {
            headers.push((name.trim().to_ascii_lowercase(), value.trim().to_owned()));
        }
    }
    (headers, body)
}

fn param(value: &str, name: &str) -> Option<String> {
    value.split(';').skip(1).find_map(|p| {
        let (k, v) = p.trim().split_once('=')?;
        (k.trim().eq_ignore_ascii_case(name)).then(|| v.trim().trim_matches('"').to_owned())
    })
}

fn decode_qp(s: &str) -> Vec<u8> {
    let bytes = s.replace("=\r\n", "").into_bytes();
    let mut out = Vec::new();
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'=' && i + 2 < bytes.len() {
            let hex = std::str::from_utf8(&bytes[i + 1..i + 3]).unwrap();
            out.push(u8::from_str_radix(hex, 16).unwrap());
            i += 3;
        } else {
            out.push(bytes[i]);
            i += 1;
        }
    }
    out
}

fn leaves(raw: &str) -> Vec<Leaf> {
    let (headers, body) = split_message(raw);
    let content_type = header(&headers, "content-type").unwrap_or("text/plain").to_owned();
    if content_type.to_ascii_lowercase().starts_with("multipart/") {
        let boundary = param(&content_type, "boundary").unwrap();
        let delimiter = format!("--{boundary}");
        let mut out = Vec::new();
        for (i, chunk) in body.split(&delimiter).enumerate() {
            if i == 0 || chunk.starts_with("--") {
                continue; // preamble, closing delimiter
            }
            let chunk = chunk.strip_prefix("\r\n").unwrap_or(chunk);
            let chunk = chunk.strip_suffix("\r\n").unwrap_or(chunk);
            out.extend(leaves(chunk));
        }
        return out;
    }
    let encoding = header(&headers, "content-transfer-encoding")
        .unwrap_or("7bit")
        .to_ascii_lowercase();
    let body = match encoding.as_str() {
        "base64" => base64::engine::general_purpose::STANDARD
            .decode(body.chars().filter(|c| !c.is_whitespace()).collect::<String>())
            .unwrap(),
        "quoted-printable" => decode_qp(body),
        _ => body.as_bytes().to_vec(),
    };
    vec![Leaf { headers, body }]
}

/// Decodes RFC 2047 encoded words (B and Q, UTF-8); whitespace between two encoded words is dropped.
fn decode_rfc2047(value: &str) -> String {
    let mut out = String::new();
    let mut previous_was_word = false;
    for token in value.split_whitespace() {
        let lower = token.to_ascii_lowercase();
        if lower.starts_with("=?utf-8?") && token.ends_with("?=") {
            let inner = &token[8..token.len() - 2];
            let (kind, text) = inner.split_once('?').unwrap();
            let bytes = if kind.eq_ignore_ascii_case("b") {
                base64::engine::general_purpose::STANDARD.decode(text).unwrap()
            } else {
                decode_qp(&text.replace('_', " "))
            };
            if !previous_was_word && !out.is_empty() {
                out.push(' ');
            }
            out.push_str(&String::from_utf8(bytes).unwrap());
            previous_was_word = true;
        } else {
            if !out.is_empty() {
                out.push(' ');
            }
            out.push_str(token);
            previous_was_word = false;
        }
    }
    out
}

/// Checks a raw message as received: encoded subject and From, both alternatives and the `.ics`.
fn check_received(raw: &str, sent: &OutgoingEmail) {
    assert!(raw.is_ascii(), "lettre encodes everything to 7-bit");
    let (headers, _) = split_message(raw);
    let subject = header(&headers, "subject").unwrap();
    assert!(
        subject.to_ascii_lowercase().contains("=?utf-8?"),
        "Subject is RFC 2047-encoded: {subject}"
    );
    assert_eq!(decode_rfc2047(subject), sent.subject);
    assert!(decode_rfc2047(header(&headers, "from").unwrap()).contains("Đường dây nóng"));
    let message_id = header(&headers, "message-id").unwrap();
    assert!(
        message_id.starts_with('<') && message_id.ends_with("@example.gov.vn>"),
        "{message_id}"
    );
    assert!(header(&headers, "date").is_some());
    assert!(header(&headers, "content-type").unwrap().starts_with("multipart/mixed"));
    assert!(raw.contains("multipart/alternative"));

    let parts = leaves(raw);
    assert_eq!(parts.len(), 3, "text, html, ics");
    let text = parts
        .iter()
        .find(|p| p.header("content-type").unwrap().starts_with("text/plain"))
        .unwrap();
    assert_eq!(
        String::from_utf8(text.body.clone()).unwrap().replace("\r\n", "\n"),
        sent.text
    );
    let html = parts
        .iter()
        .find(|p| p.header("content-type").unwrap().starts_with("text/html"))
        .unwrap();
    assert_eq!(
        String::from_utf8(html.body.clone()).unwrap().replace("\r\n", "\n"),
        sent.html
    );
    let ics = parts
        .iter()
        .find(|p| p.header("content-type").unwrap().starts_with("text/calendar"))
        .unwrap();
    assert!(ics.header("content-disposition").unwrap().contains("attachment"));
    assert!(ics
        .header("content-disposition")
        .unwrap()
        .contains("hoa-giai-KN-2026-000123.ics"));
    assert_eq!(ics.body, sent.attachments[0].bytes);
}

#[tokio::test]
async fn file_transport_writes_a_parseable_message() {
    let data = tempfile::tempdir().unwrap();
    let settings = EmailSettings::default();
    let mailer = Mailer::from_settings(&settings, data.path()).unwrap();
    let m = sample_email("Lê Quang Vinh <vinh@example.vn>");
    mailer.send(FROM, &m).await.unwrap();
    let files: Vec<PathBuf> = std::fs::read_dir(data.path().join("mail"))
        .unwrap()
        .map(|e| e.unwrap().path())
        .collect();
    assert_eq!(files.len(), 1);
    assert_eq!(files[0].extension().unwrap(), "eml");
    let raw = std::fs::read_to_string(&files[0]).unwrap();
    check_received(&raw, &m);
    assert!(!raw.contains("Phiên hòa giải"), "body is encoded, not raw 8-bit");
}

// ---- SMTP round trip against scripts/smtp_sink.py ----

fn aiosmtpd_available() -> bool {
    Command::new("python3")
        .args(["-c", "import aiosmtpd"])
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status()
        .map(|s| s.success())
        .unwrap_or(false)
}

struct Sink {
    child: Child,
    dir: tempfile::TempDir,
    port: u16,
}

impl Drop for Sink {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn start_sink(fail_first: u32) -> Sink {
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let dir = tempfile::tempdir().unwrap();
    let script = Path::new(env!("CARGO_MANIFEST_DIR")).join("scripts/smtp_sink.py");
    let mut child = Command::new("python3")
        .arg(script)
        .args(["--port", &port.to_string(), "--dir"])
        .arg(dir.path())
        .args(["--fail-first", &fail_first.to_string()])
        .stdout(Stdio::piped())
        .stderr(Stdio::inherit())
        .spawn()
        .unwrap();
    let mut line = String::new();
    BufReader::new(child.stdout.take().unwrap())
        .read_line(&mut line)
        .unwrap();
    let sink = Sink { child, dir, port };
    assert_eq!(line.trim(), "ready", "smtp_sink.py did not start");
    sink
}

fn smtp_mailer(sink: &Sink) -> Mailer {
    let settings = EmailSettings {
        transport: "smtp".into(),
        smtp_host: "127.0.0.1".into(),
        smtp_port: sink.port,
        smtp_tls: "none".into(),
        timeout_secs: 5,
        ..EmailSettings::default()
    };
    Mailer::from_settings(&settings, sink.dir.path()).unwrap()
}

#[tokio::test]
async fn smtp_round_trip_and_transient_failure() {
    if !aiosmtpd_available() {
        eprintln!("\n!!!!!!!! SKIPPING smtp test: pip install aiosmtpd !!!!!!!!\n");
        return;
    }
    let m = sample_email("Lê Quang Vinh <vinh@example.vn>");

    let sink = start_sink(0);
    let mailer = smtp_mailer(&sink);
    mailer.send(FROM, &m).await.unwrap();
    let raw = std::fs::read_to_string(sink.dir.path().join("1.eml")).unwrap();
    check_received(&raw, &m);
    drop(sink);

    let sink = start_sink(1);
    let mailer = smtp_mailer(&sink);
    match mailer.send(FROM, &m).await {
        Err(EmailError::Transport {
            permanent: false,
            message,
        }) => {
            assert!(message.contains("451") || message.contains("try again"), "{message}")
        }
        other => panic!("expected a transient failure, got {other:?}"),
    }
    assert!(!sink.dir.path().join("1.eml").exists());
    mailer.send(FROM, &m).await.unwrap();
    check_received(&std::fs::read_to_string(sink.dir.path().join("1.eml")).unwrap(), &m);
}
