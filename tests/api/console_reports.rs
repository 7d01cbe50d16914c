//! Reports in the console (issue 14): a supervisor sees the period's figures, downloads them
//! (XLSX, CSV, the printed PDF) through the console session, and submits the period report
//! that falls due — once, with the CSRF token; the frozen PDF is then linked. A browser
//! screenshot of the page is taken in `reports_browser`.

use crate::both_backends;
use crate::console::{get, hidden, post, session_of};
use crate::helpers::{dispute_before, local_noon, TestApp};

async fn a_supervisor_reads_downloads_and_submits_the_quarterly_report(app: &TestApp) {
    app.state.clock.set(local_noon("2026-09-18"));
    app.user("s.cr", "supervisor", Some("SCT")).await;
    app.user("h.cr", "handler", Some("SCT")).await;
    let (_, h) = app.user("h.cr.api", "handler", Some("SCT")).await;
    app.open_case(&h, &dispute_before("2026-09-18")).await;
    let s = session_of(app, "s.cr").await;
    let p = get(app, "/console/reports", Some(&s)).await;
    assert_eq!(p.status, 200, "{}", p.html);
    for want in [
        "Quý III năm 2026 (01/07/2026 – 30/09/2026)",
        "Báo cáo quý – Quý III năm 2026</strong> · hạn gửi 22/09/2026",
        "Gửi báo cáo quý – Quý III năm 2026",
        "Vụ việc tiếp nhận</dt><dd>1</dd>",
    ] {
        assert!(p.html.contains(want), "{want} not in {}", p.html);
    }
    // Downloads through the console's session.
    for (path, ct) in [
        (
            "/console/reports/summary.xlsx?preset=quarter&from=2026-07-01",
            "spreadsheetml",
        ),
        (
            "/console/reports/summary.csv?preset=quarter&from=2026-07-01",
            "text/csv",
        ),
        (
            "/console/reports/document.pdf?preset=quarter&from=2026-07-01",
            "application/pdf",
        ),
    ] {
        let r = get(app, path, Some(&s)).await;
        assert_eq!(r.status, 200, "{path}: {}", r.html);
        assert!(!r.raw.is_empty());
        let _ = ct;
    }
    // Submitting needs the form's token; then it is frozen, once.
    let cookie = format!("hotline_console={s}");
    let form = [("report", "quarterly"), ("period", "2026-Q3")];
    let r = post(app, "/console/reports/submit", &cookie, &form).await;
    assert_eq!(r.status, 403, "{}", r.html);
    let csrf = hidden(&p.html, "csrf");
    let with = [("csrf", csrf.as_str()), ("report", "quarterly"), ("period", "2026-Q3")];
    let r = post(app, "/console/reports/submit", &cookie, &with).await;
    assert_eq!(
        (r.status, r.location.as_str()),
        (303, "/console/reports?done=submitted")
    );
    let p = get(app, "/console/reports?done=submitted", Some(&s)).await;
    assert!(p.html.contains("Đã gửi báo cáo."), "{}", p.html);
    assert!(!p.html.contains("Gửi báo cáo quý – Quý III năm 2026"), "{}", p.html);
    let at = p
        .html
        .find("/console/reports/submissions/")
        .expect("a link to the frozen PDF");
    let link: String = p.html[at..].chars().take_while(|c| *c != '"').collect();
    let pdf = get(app, &link, Some(&s)).await;
    assert_eq!(pdf.status, 200);
    assert!(pdf.raw.starts_with(b"%PDF-"));
    let r = post(app, "/console/reports/submit", &cookie, &with).await;
    assert_eq!(r.location, "/console/reports?done=already");
    // A handler has no reports.
    let hs = session_of(app, "h.cr").await;
    assert_eq!(get(app, "/console/reports", Some(&hs)).await.status, 403);
}
both_backends!(a_supervisor_reads_downloads_and_submits_the_quarterly_report);

/// The reports page in a real browser: a screenshot to look at, and axe-core on it.
async fn the_reports_page_in_a_browser(backend: crate::common::Backend) {
    use crate::browser::{browser_with_js, click, fill, shot_full, start_driver};
    use fantoccini::Locator;
    let Some(app) = crate::helpers::spawn_app(backend).await else {
        return;
    };
    let Some(driver) = start_driver() else { return };
    let tag = crate::documents::backend(&app);
    app.state.clock.set(local_noon("2026-09-18"));
    app.user("s.crb", "supervisor", Some("SCT")).await;
    let (_, h) = app.user("h.crb", "handler", Some("SCT")).await;
    for _ in 0..3 {
        app.open_case(&h, &dispute_before("2026-09-18")).await;
    }
    let c = browser_with_js(&driver, 1366, 768, true).await;
    c.goto(&app.url("/console/reports")).await.unwrap();
    fill(&c, "username", "s.crb").await;
    fill(&c, "password", crate::helpers::PASSWORD).await;
    click(&c, Locator::Css("button.primary")).await;
    c.wait().for_element(Locator::Css("#h-owed")).await.unwrap();
    shot_full(&c, &format!("console-{tag}-reports")).await;
    crate::console_browser::axe_clean(&c, "reports").await;
    click(&c, Locator::Css("form[action='/console/reports/submit'] button")).await;
    c.wait().for_element(Locator::Css("p.notice")).await.unwrap();
    shot_full(&c, &format!("console-{tag}-reports-submitted")).await;
    c.close().await.unwrap();

    // The mediation body's supervisor: its mediators' work on SCT's cases (ADR 0067).
    app.user("s.crb.hoi", "supervisor", Some("HOI")).await;
    let (mid, _) = app.listed_mediator("m.crb", "HOI", &["Tiếng Việt"]).await;
    let c0 = app.open_case(&h, &dispute_before("2026-09-18")).await;
    let c0 = app.act_ok(&h, &c0, "route", serde_json::json!({"agency": "SCT"})).await;
    let c0 = app.act_ok(&h, &c0, "accept", serde_json::json!({})).await;
    let ask = serde_json::json!({"requested_by": "both", "reason": "Hai bên đề nghị hòa giải."});
    let c0 = app.act_ok(&h, &c0, "request_mediation", ask).await;
    app.act_ok(&h, &c0, "appoint_mediator", serde_json::json!({"mediator_id": mid}))
        .await;
    let c = browser_with_js(&driver, 1366, 768, true).await;
    c.goto(&app.url("/console/reports")).await.unwrap();
    fill(&c, "username", "s.crb.hoi").await;
    fill(&c, "password", crate::helpers::PASSWORD).await;
    click(&c, Locator::Css("button.primary")).await;
    let table = c.wait().for_element(Locator::Id("h-mediation")).await.unwrap();
    let _ = table;
    let main = c.find(Locator::Css("main")).await.unwrap().text().await.unwrap();
    assert!(
        main.contains("1 vụ việc có hòa giải viên") && main.contains("Hòa giải viên m.crb"),
        "{main}"
    );
    shot_full(&c, &format!("console-{tag}-reports-mediation")).await;
    crate::console_browser::axe_clean(&c, "reports-mediation").await;
    c.close().await.unwrap();
}

#[actix_web::test]
async fn the_reports_page_in_a_browser_sqlite() {
    the_reports_page_in_a_browser(crate::common::Backend::Sqlite).await;
}

#[actix_web::test]
async fn the_reports_page_in_a_browser_postgres() {
    the_reports_page_in_a_browser(crate::common::Backend::Postgres).await;
}
