#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};

use base64::Engine as _;
use chrono::TimeZone;
use serde_json::json;

use super::*;

const FROM: &str = "Đường dây nóng bảo vệ quyền lợi người tiêu dùng <hotline@example.gov.vn>";

/// Builds a message of `kind`, every value made by `v` from its field's name; `full` fills the
/// optional fields and sets the flags, otherwise they are `None` / false.
fn sample(kind: TemplateKind, full: bool, v: &mut dyn FnMut(&str) -> String) -> Rendered {
    let opt = |v: &mut dyn FnMut(&str) -> String, name: &str| full.then(|| v(name));
    let r = match kind {
        TemplateKind::ComplaintReceived => ComplaintReceived {
            consumer_name: opt(v, "consumer_name"),
            tracking_code: v("tracking_code"),
            status_url: v("status_url"),
            agency_name: v("agency_name"),
            received_date: v("received_date"),
        }
        .render(),
        TemplateKind::InfoRequested => InfoRequested {
            consumer_name: opt(v, "consumer_name"),
            tracking_code: v("tracking_code"),
            requested: v("requested"),
            due_date: opt(v, "due_date"),
            days: 5,
            may_refuse: full,
            status_url: v("status_url"),
            agency_name: v("agency_name"),
        }
        .render(),
        TemplateKind::ForwardedToBusiness => ForwardedToBusiness {
            business_name: v("business_name"),
            agency_name: v("agency_name"),
            forwarded_date: v("forwarded_date"),
            request_summary: v("request_summary"),
            business_link: v("business_link"),
        }
        .render(),
        TemplateKind::BusinessUpdate => BusinessUpdate {
            tracking_code: v("tracking_code"),
            headline: v("headline"),
            details: v("details"),
            timeliness: v("timeliness"),
            next_step: v("next_step"),
            case_url: v("case_url"),
        }
        .render(),
        TemplateKind::Reminder => Reminder {
            tracking_code: v("tracking_code"),
            clock_label: v("clock_label"),
            due_date: v("due_date"),
            case_url: v("case_url"),
        }
        .render(),
        TemplateKind::CaseAssigned => CaseAssigned {
            assignee_name: v("assignee_name"),
            tracking_code: v("tracking_code"),
            assigned_by: v("assigned_by"),
            stage: v("stage"),
            due_date: opt(v, "due_date"),
            case_url: v("case_url"),
        }
        .render(),
        TemplateKind::OverdueEscalation => OverdueEscalation {
            tracking_code: v("tracking_code"),
            clock_label: v("clock_label"),
            due_date: v("due_date"),
            assignee: v("assignee"),
            case_url: v("case_url"),
        }
        .render(),
        TemplateKind::MediationInvitation => MediationInvitation {
            recipient_name: v("recipient_name"),
            session_time: v("session_time"),
            place: v("place"),
            mediator: v("mediator"),
            agency_name: v("agency_name"),
        }
        .render(),
        TemplateKind::MediationCancelled => MediationCancelled {
            recipient_name: v("recipient_name"),
            session_time: v("session_time"),
            reason: v("reason"),
            agency_name: v("agency_name"),
        }
        .render(),
        TemplateKind::Closure => Closure {
            consumer_name: opt(v, "consumer_name"),
            tracking_code: v("tracking_code"),
            outcome_label: v("outcome_label"),
            agency_name: v("agency_name"),
            mediation_failed: full,
            summary: v("summary"),
            rating_url: v("rating_url"),
            invite_rating: true,
        }
        .render(),
        TemplateKind::DailyDigest => DailyDigest {
            agency_name: v("agency_name"),
            date: v("date"),
            open_cases: 42,
            due_soon: 5,
            overdue: 2,
            items: if full {
                vec![DigestItem {
                    tracking_code: v("item.tracking_code"),
                    due_date: v("item.due_date"),
                    status: v("item.status"),
                    overdue: true,
                    case_url: v("item.case_url"),
                }]
            } else {
                vec![]
            },
        }
        .render(),
        TemplateKind::SecurityAlert => SecurityAlert {
            tracking_code: v("tracking_code"),
            locked_until: v("locked_until"),
            agency_name: v("agency_name"),
        }
        .render(),
        TemplateKind::AgencyAssigned => AgencyAssigned {
            consumer_name: opt(v, "consumer_name"),
            tracking_code: v("tracking_code"),
            agency_name: v("agency_name"),
            agency_phone: opt(v, "agency_phone"),
            agency_address: opt(v, "agency_address"),
            transferred: full,
            reply_due: opt(v, "reply_due"),
            status_url: v("status_url"),
        }
        .render(),
        TemplateKind::CaseAccepted => CaseAccepted {
            consumer_name: opt(v, "consumer_name"),
            tracking_code: v("tracking_code"),
            agency_name: v("agency_name"),
            agency_phone: opt(v, "agency_phone"),
            agency_address: opt(v, "agency_address"),
            dispute: full,
            violation_report: false,
            forward_due: opt(v, "forward_due"),
            status_url: v("status_url"),
        }
        .render(),
        TemplateKind::ConsumerUpdate => ConsumerUpdate {
            tracking_code: v("tracking_code"),
            headline: v("headline"),
            requested: full,
            files: if full { 2 } else { 0 },
            case_url: v("case_url"),
        }
        .render(),
        TemplateKind::ForwardedCopy => ForwardedCopy {
            consumer_name: opt(v, "consumer_name"),
            tracking_code: v("tracking_code"),
            business_name: v("business_name"),
            agency_name: v("agency_name"),
            forwarded_date: v("forwarded_date"),
            request_summary: v("request_summary"),
            status_url: v("status_url"),
        }
        .render(),
        TemplateKind::MediationStarted => MediationStarted {
            consumer_name: opt(v, "consumer_name"),
            tracking_code: v("tracking_code"),
            agency_name: v("agency_name"),
            no_answer: full,
            status_url: v("status_url"),
        }
        .render(),
        TemplateKind::MediatorAppointed => MediatorAppointed {
            consumer_name: opt(v, "consumer_name"),
            tracking_code: v("tracking_code"),
            mediator_name: v("mediator_name"),
            interpreter: opt(v, "interpreter"),
            agency_name: v("agency_name"),
            status_url: v("status_url"),
        }
        .render(),
        TemplateKind::CallbackDue => CallbackDue {
            owner_name: v("owner_name"),
            phone_last4: v("phone_last4"),
            due_time: v("due_time"),
            callbacks_url: v("callbacks_url"),
        }
        .render(),
        TemplateKind::ReportDue => ReportDue {
            recipient_name: v("recipient_name"),
            report_name: v("report_name"),
            period_label: v("period_label"),
            scope_name: v("scope_name"),
            due_date: v("due_date"),
            reports_url: v("reports_url"),
        }
        .render(),
        TemplateKind::CourtRecognitionReminder => CourtRecognitionReminder {
            consumer_name: opt(v, "consumer_name"),
            tracking_code: opt(v, "tracking_code"),
            due_date: v("due_date"),
            agency_name: v("agency_name"),
        }
        .render(),
        TemplateKind::PerformanceMissed => PerformanceMissed {
            consumer_name: opt(v, "consumer_name"),
            tracking_code: opt(v, "tracking_code"),
            due_date: v("due_date"),
            agency_name: v("agency_name"),
            mediated: full,
            court_due: opt(v, "court_due"),
            status_url: opt(v, "status_url"),
        }
        .render(),
        TemplateKind::Reopened => Reopened {
            consumer_name: opt(v, "consumer_name"),
            tracking_code: v("tracking_code"),
            stage_label: v("stage_label"),
            agency_name: v("agency_name"),
            status_url: v("status_url"),
        }
        .render(),
        TemplateKind::DueDatesMoved => DueDatesMoved {
            consumer_name: opt(v, "consumer_name"),
            tracking_code: v("tracking_code"),
            changes: vec![MovedDue {
                label: v("change.label"),
                before: v("change.before"),
                after: v("change.after"),
            }],
            agency_name: v("agency_name"),
            status_url: v("status_url"),
        }
        .render(),
    };
    r.unwrap_or_else(|e| panic!("{kind:?}: {e}"))
}

/// Realistic Vietnamese values.
fn realistic(name: &str) -> String {
    match name {
        "tracking_code" | "item.tracking_code" => "KN-2026-000123",
        "agency_name" => "Sở Công Thương tỉnh Bắc Ninh",
        "consumer_name" => "Nguyễn Thị Hồng Nhung",
        "recipient_name" => "Lê Quang Vinh",
        "status_url" | "rating_url" => "https://hotline.example.gov.vn/t/AbCdEf0123456789",
        "case_url" | "item.case_url" => "https://hotline.example.gov.vn/console/cases/0190c3a1",
        "business_link" => "https://hotline.example.gov.vn/api/v1/business/cases/XyZ987",
        "business_name" => "Công ty TNHH Điện máy Ánh Dương",
        "request_summary" => "Đổi tủ lạnh bị hỏng máy nén sau 10 ngày sử dụng, hoặc hoàn tiền 12.500.000 đồng.",
        "requested" => "Hóa đơn mua hàng và ảnh chụp sản phẩm bị lỗi",
        "clock_label" | "change.label" => "Thông báo thụ lý (10 ngày làm việc)",
        "due_date" | "item.due_date" | "reply_due" | "forward_due" | "change.after" => "05/12/2026",
        "change.before" => "04/12/2026",
        "received_date" | "forwarded_date" | "date" => "23/11/2026",
        "assignee" | "assignee_name" => "Trần Văn Đức",
        "assigned_by" => "Nguyễn Thị Lan",
        "stage" => "Đã thụ lý",
        "session_time" => "09:00 ngày 10/12/2026",
        "place" => "Phòng họp tầng 2, số 8 đường Lý Thái Tổ, TP. Bắc Ninh",
        "mediator" | "mediator_name" => "Phạm Thu Hà",
        "interpreter" => "Hà Thị Mai (tiếng Tày)",
        "outcome_label" => "Hòa giải không thành",
        "summary" => "Hai bên không thống nhất được mức bồi thường.",
        "reason" => "Hòa giải viên bị ốm, phiên sẽ được hẹn lại.",
        "locked_until" => "10:15 ngày 28/11/2026",
        "agency_phone" => "0222 3822 123",
        "agency_address" => "Số 8 đường Lý Thái Tổ, TP. Bắc Ninh",
        "stage_label" => "Đang hòa giải",
        "court_due" => "29/05/2027",
        "item.status" => "Đang xử lý",
        "headline" => "doanh nghiệp từ chối thương lượng",
        "details" => "Lý do của doanh nghiệp: sản phẩm đã hết hạn bảo hành.",
        "timeliness" => "đúng hạn (hạn 05/12/2026)",
        "next_step" => "ghi nhận thương lượng không thành và chuyển hòa giải",
        "owner_name" => "Vũ Minh Anh",
        "phone_last4" => "5678",
        "due_time" => "14:30 29/11/2026",
        "callbacks_url" => "https://hotline.example.gov.vn/console/callbacks",
        "report_name" => "Báo cáo quý",
        "period_label" => "Quý III năm 2026",
        "scope_name" => "Chi cục Quản lý thị trường",
        "reports_url" => "https://hotline.example.gov.vn/console/reports",
        other => panic!("no realistic value for {other}"),
    }
    .to_owned()
}

fn render_real(kind: TemplateKind, full: bool) -> Rendered {
    sample(kind, full, &mut |n: &str| realistic(n))
}

const CODE: &str = "KN-2026-000123";

#[test]
fn every_kind_renders_in_vietnamese_without_holes() {
    for kind in TemplateKind::ALL {
        for full in [true, false] {
            let Rendered { subject, text, html } = render_real(kind, full);
            for (part, s) in [("subject", &subject), ("text", &text), ("html", &html)] {
                assert!(
                    !s.contains("{{") && !s.contains("{%") && !s.contains("}}"),
                    "{kind:?} {part} has template syntax left:\n{s}"
                );
                assert!(!s.trim().is_empty(), "{kind:?} {part} is empty");
            }
            assert!(!subject.contains('\n'), "{kind:?}: subject must be one line");
            assert!(
                !text.contains("\n\n\n"),
                "{kind:?} (full: {full}): stray blank lines:\n{text}"
            );
            assert!(
                text.ends_with("xin xoá thư và báo cho chúng tôi.\n"),
                "{kind:?}: footer"
            );
            assert!(
                html.starts_with("<!DOCTYPE html>") && html.contains("<html lang=\"vi\">"),
                "{kind:?}"
            );
            assert!(html.contains(&format!("<title>{subject}</title>")), "{kind:?}: {html}");
            assert!(
                !html.contains("src=") && !html.contains("<link"),
                "{kind:?}: no external resources"
            );
            assert!(!html.contains("\"><p "), "{kind:?}: a paragraph inside a paragraph");
            // Tracking codes stay out of what outsiders receive and out of the subjects of mail to
            // consumers (the outbox shows subjects to administrators); staff mail names its case.
            match kind {
                TemplateKind::DailyDigest => assert!(subject.contains("Bắc Ninh") && text.contains("Bắc Ninh")),
                TemplateKind::ForwardedToBusiness
                | TemplateKind::MediationInvitation
                | TemplateKind::MediationCancelled => assert!(
                    !subject.contains(CODE) && !text.contains(CODE) && !html.contains(CODE),
                    "{kind:?}"
                ),
                // The consumer's copy (full) is a consumer notice; the business's has no code.
                // To both parties, without a link; the code only in the consumer's copy.
                TemplateKind::CourtRecognitionReminder => assert!(
                    !subject.contains(CODE) && text.contains(CODE) == full && !text.contains("/t/"),
                    "{kind:?}"
                ),
                // About a call, not a case: no code, the caller only by the last digits.
                TemplateKind::CallbackDue => assert!(
                    subject.contains("5678") && !subject.contains(CODE) && text.contains("/console/callbacks"),
                    "{kind:?}"
                ),
                // To staff about a report, not a case: no code, the link to the reports page.
                TemplateKind::ReportDue => assert!(
                    subject.contains("Quý III năm 2026") && !text.contains(CODE) && text.contains("/console/reports"),
                    "{kind:?}"
                ),
                TemplateKind::PerformanceMissed if !full => assert!(
                    !subject.contains(CODE) && !text.contains(CODE) && !text.contains("/t/"),
                    "{kind:?}"
                ),
                k if k.to_consumer() => {
                    assert!(
                        !subject.contains(CODE) && text.contains(CODE) && html.contains(CODE),
                        "{kind:?}"
                    );
                    // Every consumer notice carries the private link, in both parts.
                    let link = "https://hotline.example.gov.vn/t/AbCdEf0123456789";
                    assert!(
                        text.contains(link) && html.contains(&format!("href=\"{link}\"")),
                        "{kind:?}"
                    );
                }
                _ => assert!(subject.contains(CODE) && text.contains(CODE), "{kind:?}"),
            }
        }
        let json = serde_json::to_string(&kind).unwrap();
        assert_eq!(json, format!("\"{}\"", kind.as_str()));
    }
}

#[test]
fn every_variable_is_shown_in_text_and_html() {
    // Each value is a marker naming its field: every field a struct has must reach both parts
    // (the compiler already refuses a template variable the struct lacks).
    for kind in TemplateKind::ALL {
        let mut names = Vec::new();
        let r = sample(kind, true, &mut |n: &str| {
            names.push(n.to_owned());
            format!("[[{n}]]")
        });
        assert!(!names.is_empty());
        for n in names {
            let marker = format!("[[{n}]]");
            assert!(r.text.contains(&marker), "{kind:?}: text lacks {n}:\n{}", r.text);
            assert!(r.html.contains(&marker), "{kind:?}: html lacks {n}:\n{}", r.html);
        }
    }
}

#[test]
fn html_escapes_every_value_and_text_keeps_it() {
    let hostile = |n: &str| format!("<script>x('{n}')</script> & \"{n}\"");
    for kind in TemplateKind::ALL {
        let plain = sample(kind, true, &mut |n: &str| format!("v-{n}"));
        let evil = sample(kind, true, &mut |n: &str| hostile(n));
        assert!(!evil.html.contains("<script>"), "{kind:?}:\n{}", evil.html);
        assert!(
            evil.html.contains("&#60;script&#62;x(&#39;"),
            "{kind:?}:\n{}",
            evil.html
        );
        assert!(evil.html.contains("&#38; &#34;"), "{kind:?}");
        // Not one tag more than with harmless values: nothing a value holds becomes markup.
        assert_eq!(
            evil.html.matches('<').count(),
            plain.html.matches('<').count(),
            "{kind:?}"
        );
        assert!(
            evil.text.contains("<script>x('") && evil.text.contains("& \""),
            "{kind:?}"
        );
    }
    let r = sample(TemplateKind::ComplaintReceived, true, &mut |n: &str| hostile(n));
    assert!(
        r.html.contains("Kính gửi Ông/Bà <strong>&#60;script&#62;"),
        "{}",
        r.html
    );
}

#[test]
fn mail_to_an_unverified_address_carries_no_submitted_name() {
    let r = render_real(TemplateKind::ComplaintReceived, false);
    assert!(r.text.starts_with("Kính gửi Quý khách,\n\n"), "{}", r.text);
    assert!(r.html.contains("Kính gửi Quý khách,"));
    let r = render_real(TemplateKind::ComplaintReceived, true);
    assert!(
        r.text.starts_with("Kính gửi Ông/Bà Nguyễn Thị Hồng Nhung,\n\n"),
        "{}",
        r.text
    );
}

#[test]
fn subjects_are_the_ones_sent_before_askama() {
    let subject = |kind, full| render_real(kind, full).subject;
    use TemplateKind as K;
    assert_eq!(
        subject(K::ComplaintReceived, true),
        "Xác nhận tiếp nhận yêu cầu, khiếu nại của người tiêu dùng"
    );
    assert_eq!(
        subject(K::InfoRequested, true),
        "Đề nghị bổ sung thông tin, tài liệu chậm nhất ngày 05/12/2026"
    );
    assert_eq!(
        subject(K::ForwardedToBusiness, true),
        "Chuyển yêu cầu của người tiêu dùng để thương lượng giải quyết"
    );
    assert_eq!(
        subject(K::Reminder, true),
        "[Nhắc hạn] Hồ sơ KN-2026-000123: Thông báo thụ lý (10 ngày làm việc) đến hạn ngày 05/12/2026"
    );
    assert_eq!(
        subject(K::OverdueEscalation, true),
        "[Quá hạn] Hồ sơ KN-2026-000123: Thông báo thụ lý (10 ngày làm việc) quá hạn từ ngày 05/12/2026"
    );
    assert_eq!(
        subject(K::MediationInvitation, true),
        "Thư mời tham dự phiên hòa giải ngày 09:00 ngày 10/12/2026"
    );
    assert_eq!(
        subject(K::Closure, true),
        "Thông báo kết thúc giải quyết hồ sơ: Hòa giải không thành"
    );
    assert_eq!(
        subject(K::DailyDigest, true),
        "[Sở Công Thương tỉnh Bắc Ninh] Tổng hợp hồ sơ ngày 23/11/2026: 2 quá hạn, 5 sắp đến hạn"
    );
    assert_eq!(
        subject(K::SecurityAlert, true),
        "[Cảnh báo] Tra cứu hồ sơ KN-2026-000123 bị khóa tạm thời do nhập sai nhiều lần"
    );
}

#[test]
fn templates_carry_the_legal_content() {
    let r = render_real(TemplateKind::ComplaintReceived, true);
    assert!(r.text.contains("10 ngày làm việc") && r.text.contains("42/2013/QH13") && r.text.contains("Điều 28"));

    let r = render_real(TemplateKind::ForwardedToBusiness, true);
    assert!(r.text.contains("khoản 4 Điều 57") && r.text.contains("khoản 5 Điều 57"));
    assert!(r.text.contains("7 ngày làm việc") && r.text.contains("5 ngày làm việc"));
    assert!(r
        .text
        .contains("https://hotline.example.gov.vn/api/v1/business/cases/XyZ987"));

    // The consumer's copy says the same deadlines but never carries the business's link.
    let r = render_real(TemplateKind::ForwardedCopy, true);
    assert!(
        r.text.contains("khoản 4 Điều 57") && r.text.contains("7 ngày làm việc") && r.text.contains("5 ngày làm việc")
    );
    assert!(r.text.contains("Công ty TNHH Điện máy Ánh Dương") && r.text.contains("12.500.000 đồng"));
    assert!(!r.text.contains("/business/") && !r.html.contains("/business/"));

    let r = render_real(TemplateKind::MediationInvitation, true);
    assert!(r.text.contains("09:00 ngày 10/12/2026") && r.text.contains("Phạm Thu Hà") && r.html.contains("GMT+7"));

    let r = render_real(TemplateKind::MediationStarted, true);
    assert!(r.text.contains("không trả lời yêu cầu") && r.text.contains("Điều 64") && r.text.contains("trọng tài"));
    let r = render_real(TemplateKind::MediationStarted, false);
    assert!(r.text.contains("không thành") && !r.text.contains("không trả lời yêu cầu"));

    let r = render_real(TemplateKind::MediatorAppointed, true);
    assert!(r.text.contains("Phạm Thu Hà") && r.text.contains("Người phiên dịch: Hà Thị Mai (tiếng Tày)"));
    assert!(!render_real(TemplateKind::MediatorAppointed, false)
        .text
        .contains("phiên dịch:"));

    let r = render_real(TemplateKind::PerformanceMissed, true);
    assert!(
        r.text.contains("Điều 418 Bộ luật Tố tụng dân sự")
            && r.text.contains("6 tháng")
            && r.text.contains("29/05/2027")
    );
    let r = render_real(TemplateKind::PerformanceMissed, false);
    assert!(!r.text.contains("Điều 418") && r.text.contains("hòa giải") && !r.text.contains("/t/"));

    let r = render_real(TemplateKind::CourtRecognitionReminder, true);
    assert!(
        r.text.contains("Điều 418 Bộ luật Tố tụng dân sự")
            && r.text.contains("6 tháng")
            && r.text.contains("05/12/2026")
    );

    let r = render_real(TemplateKind::DueDatesMoved, true);
    assert!(
        r.text
            .contains("- Thông báo thụ lý (10 ngày làm việc): từ ngày 04/12/2026 thành ngày 05/12/2026"),
        "{}",
        r.text
    );
}

#[test]
fn the_agency_notice_names_the_agency_and_its_hotline_when_configured() {
    let r = render_real(TemplateKind::AgencyAssigned, true);
    for s in [&r.text, &r.html] {
        assert!(s.contains("Điều 11") && s.contains("19/2023/QH15"));
        assert!(s.contains("Sở Công Thương tỉnh Bắc Ninh") && s.contains("0222 3822 123"));
        assert!(s.contains("Số 8 đường Lý Thái Tổ") && s.contains("05/12/2026") && s.contains("Điều 28"));
        assert!(s.contains("cơ quan có thẩm quyền"), "a transfer says so");
    }
    assert!(r.subject.ends_with("Sở Công Thương tỉnh Bắc Ninh"), "{}", r.subject);
    let r = render_real(TemplateKind::AgencyAssigned, false);
    for s in [&r.text, &r.html] {
        assert!(s.contains("Sở Công Thương tỉnh Bắc Ninh") && s.contains("Điều 11"));
        assert!(!s.contains("Đường dây nóng:") && !s.contains("Điện thoại") && !s.contains("Địa chỉ tiếp nhận"));
        assert!(!s.contains("Điều 28"), "no reply date, no promise");
    }
    assert!(
        r.text
            .contains("Cơ quan giải quyết: Sở Công Thương tỉnh Bắc Ninh\n\nTheo dõi"),
        "{}",
        r.text
    );
}

#[test]
fn closure_mentions_court_only_after_failed_mediation() {
    let r = render_real(TemplateKind::Closure, true);
    for s in [&r.text, &r.html] {
        assert!(s.contains("100 triệu đồng") && s.contains("tạm ứng án phí") && s.contains("Điều 70"));
        assert!(s.contains("trọng tài"));
    }
    assert!(
        r.text
            .contains("Hai bên không thống nhất được mức bồi thường.\n\nDo hòa giải không thành"),
        "{}",
        r.text
    );
    let r = render_real(TemplateKind::Closure, false);
    for s in [&r.text, &r.html] {
        assert!(!s.contains("100 triệu đồng") && !s.contains("Điều 70"), "{s}");
        assert!(s.contains("https://hotline.example.gov.vn/t/AbCdEf0123456789"));
    }
    assert!(r.text.contains("mức bồi thường.\n\nÝ kiến"), "{}", r.text);
    // A case rated before (closed again after a reopening): the link, no request to rate.
    let r = Closure {
        consumer_name: None,
        tracking_code: CODE.into(),
        outcome_label: "Rút yêu cầu".into(),
        agency_name: "Sở Công Thương".into(),
        mediation_failed: false,
        summary: "Người tiêu dùng rút yêu cầu.".into(),
        rating_url: "https://hotline.example.gov.vn/t/x".into(),
        invite_rating: false,
    }
    .render()
    .unwrap();
    for s in [&r.text, &r.html] {
        assert!(
            s.contains("đã gửi đánh giá") && s.contains("https://hotline.example.gov.vn/t/x"),
            "{s}"
        );
        assert!(
            !s.contains("Xin dành một phút") && !s.contains("Đánh giá việc giải quyết"),
            "{s}"
        );
    }
}

#[test]
fn the_digest_lists_its_cases_with_their_staff_links() {
    let r = render_real(TemplateKind::DailyDigest, true);
    assert!(
        r.text.contains("- KN-2026-000123 — quá hạn (05/12/2026) — Đang xử lý"),
        "{}",
        r.text
    );
    assert!(r.text.contains("https://hotline.example.gov.vn/console/cases/0190c3a1"));
    assert!(r
        .html
        .contains("href=\"https://hotline.example.gov.vn/console/cases/0190c3a1\""));
    assert!(r.html.contains(">42<") && r.html.contains(">5<") && r.html.contains(">2<"));
    let r = render_real(TemplateKind::DailyDigest, false);
    assert!(r.text.contains("Các hồ sơ cần chú ý:\n(không có)"), "{}", r.text);
    assert!(r.html.contains("(không có)") && !r.html.contains("<ul"));
}

#[test]
fn info_request_without_a_running_clock_still_gives_a_time_limit() {
    let r = render_real(TemplateKind::InfoRequested, false);
    assert_eq!(r.subject, "Đề nghị bổ sung thông tin, tài liệu");
    assert!(r.text.contains("Thời hạn bổ sung: 5 ngày làm việc"), "{}", r.text);
    let r = render_real(TemplateKind::InfoRequested, true);
    assert!(
        r.text.contains("Thời hạn bổ sung: chậm nhất ngày 05/12/2026."),
        "{}",
        r.text
    );
}

/// The time limit is the configured one, its last day is a deadline (not "before" it), and a
/// request for support before negotiation says the agency may refuse it without the
/// information (Art 58(3)); later, only that the handling is delayed.
#[test]
fn an_info_request_states_its_limit_and_what_follows_from_missing_it() {
    let m = |due: Option<&str>, may_refuse| {
        InfoRequested {
            consumer_name: None,
            tracking_code: CODE.into(),
            requested: "Hóa đơn".into(),
            due_date: due.map(str::to_owned),
            days: 7,
            may_refuse,
            status_url: "https://hotline.example.gov.vn/t/x".into(),
            agency_name: "Sở Công Thương".into(),
        }
        .render()
        .unwrap()
    };
    let r = m(None, true);
    for s in [&r.text, &r.html] {
        assert!(s.contains("7 ngày làm việc kể từ ngày nhận thư này"), "{s}");
        assert!(
            s.contains("có thể từ chối hỗ trợ giải quyết yêu cầu vì không đủ thông tin (khoản 3 Điều 58"),
            "{s}"
        );
        assert!(!s.contains("chậm lại"), "{s}");
    }
    let r = m(Some("05/12/2026"), false);
    for s in [&r.text, &r.html] {
        assert!(s.contains("chậm nhất ngày") && !s.contains("trước ngày"), "{s}");
        assert!(
            s.contains("có thể bị chậm lại hoặc tạm dừng") && !s.contains("Điều 58"),
            "{s}"
        );
    }
}

/// The notice of acceptance (Law 42/2013 Art 28) says what comes next for each kind: a
/// dispute goes to the business by the `forward_to_business` clock's last day.
#[test]
fn the_acceptance_notice_says_what_comes_next() {
    let r = render_real(TemplateKind::CaseAccepted, true);
    assert_eq!(
        r.subject,
        "Thông báo thụ lý yêu cầu của Ông/Bà: Sở Công Thương tỉnh Bắc Ninh"
    );
    for s in [&r.text, &r.html] {
        assert!(
            s.contains("đã thụ lý") && s.contains("Điều 28") && s.contains("42/2013/QH13"),
            "{s}"
        );
        assert!(s.contains("khoản 4 Điều 57") && s.contains("05/12/2026"), "{s}");
        assert!(
            s.contains("0222 3822 123") && s.contains("Số 8 đường Lý Thái Tổ"),
            "{s}"
        );
    }
    let m = |dispute, violation_report| {
        CaseAccepted {
            consumer_name: None,
            tracking_code: CODE.into(),
            agency_name: "Chi cục Quản lý thị trường".into(),
            agency_phone: None,
            agency_address: None,
            dispute,
            violation_report,
            forward_due: None,
            status_url: "https://hotline.example.gov.vn/t/x".into(),
        }
        .render()
        .unwrap()
    };
    let r = m(false, true);
    assert!(
        r.text.contains("thụ lý (nhận giải quyết) phản ánh") && r.text.contains("báo kết quả"),
        "{}",
        r.text
    );
    assert!(!r.text.contains("doanh nghiệp"), "{}", r.text);
    let r = m(false, false);
    assert!(r.text.contains("sẽ trả lời nội dung Ông/Bà hỏi"), "{}", r.text);
    let r = m(true, false);
    assert!(
        r.text.contains("trong 7 ngày làm việc (không tính thứ Bảy"),
        "{}",
        r.text
    );
    assert!(r.subject.starts_with("Thông báo thụ lý yêu cầu"), "{}", r.subject);
    let r = m(false, true);
    assert!(r.subject.starts_with("Thông báo thụ lý phản ánh"), "{}", r.subject);
    let r = render_real(TemplateKind::CaseAccepted, true);
    assert!(
        r.text.contains("chậm nhất ngày 05/12/2026. Doanh nghiệp"),
        "no working-days note after a date: {}",
        r.text
    );
}

/// A `send_email` payload exactly as versions before askama queued it: the rendered message.
/// Jobs already in a database when the service is upgraded must still be read and sent.
#[test]
fn a_message_queued_before_askama_still_reads() {
    let payload = r#"{"to":"nhung@example.vn","subject":"Xác nhận tiếp nhận yêu cầu, khiếu nại của người tiêu dùng","text":"Kính gửi Quý khách,\n\nMã hồ sơ: KN-2026-000123\n","html":"<!DOCTYPE html><html lang=\"vi\"><body><p>Kính gửi Quý khách,</p></body></html>","attachments":[]}"#;
    let m: OutgoingEmail = serde_json::from_str(payload).unwrap();
    assert_eq!(m.to, "nhung@example.vn");
    assert!(m.text.contains("KN-2026-000123"));
    let without_attachments = r#"{"to":"a@example.vn","subject":"s","text":"t","html":"h"}"#;
    assert!(serde_json::from_str::<OutgoingEmail>(without_attachments).is_ok());
    // And what is queued now is that same shape.
    let now = OutgoingEmail::new(
        "a@example.vn",
        &ComplaintReceived {
            consumer_name: None,
            tracking_code: CODE.into(),
            status_url: "https://hotline.example.gov.vn/t/x".into(),
            agency_name: "Sở Công Thương".into(),
            received_date: "23/11/2026".into(),
        },
    )
    .unwrap();
    let json = serde_json::to_value(&now).unwrap();
    let mut keys: Vec<&str> = json.as_object().unwrap().keys().map(|k| k.as_str()).collect();
    keys.sort();
    assert_eq!(keys, ["attachments", "html", "subject", "text", "to"]);
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
    let Rendered { subject, text, html } = render_real(TemplateKind::MediationInvitation, true);
    let mut m = OutgoingEmail {
        to: to.into(),
        subject,
        text,
        html,
        attachments: vec![],
    };
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
