//! Mediation end to end (issue 12 items 5, 6, 10): the published list of mediators, mediation
//! requested directly by the parties, the Art 64 rule on appointment, the mediation body's
//! supervisor's view.

use serde_json::{json, Value};

use crate::both_backends;
use crate::helpers::{assert_problem, dispute, TestApp};

/// A dispute of a consumer of an ethnic minority, accepted by SCT.
async fn accepted_minority_dispute(app: &TestApp, h: &str) -> Value {
    let mut body = dispute();
    body["consumer"]["vulnerable"] = json!(["ethnic_minority_remote"]);
    let c = app.open_case(h, &body).await;
    let c = app.act_ok(h, &c, "route", json!({"agency": "SCT"})).await;
    app.act_ok(h, &c, "accept", json!({})).await
}

async fn the_published_list_hides_contacts_and_only_the_body_supervisor_manages_it(app: &TestApp) {
    let (hoi_sup_id, hoi_sup) = app.user("hoi.sup", "supervisor", Some("HOI")).await;
    let (_, sct_sup) = app.user("sct.sup", "supervisor", Some("SCT")).await;
    let (_, sct_h) = app.user("sct.h", "handler", Some("SCT")).await;
    let (mid, _) = app.user("hoi.m1", "mediator", Some("HOI")).await;
    let (sct_mid, _) = app.user("sct.m1", "mediator", Some("SCT")).await;
    let entry = json!({
        "organisation": "Hội BVQLNTD tỉnh, Chi hội huyện Mèo Vạc",
        "name": "Giàng Thị Pà",
        "qualifications": "Cử nhân Luật; hòa giải viên cơ sở 8 năm",
        "languages": ["Tiếng Việt", "Tiếng H'Mông"],
        "ethnic_groups": ["H'Mông"],
        "email": "pa.giang@example.com",
        "phone": "0912 000 111",
        "user_id": mid,
    });
    // Only a supervisor, only of its own body, only with its own agency's mediator accounts.
    assert_problem(
        &app.post("/api/v1/mediators", Some(&sct_h), &entry).await,
        403,
        "forbidden",
    );
    let mut foreign = entry.clone();
    foreign["user_id"] = json!(sct_mid);
    assert_problem(
        &app.post("/api/v1/mediators", Some(&hoi_sup), &foreign).await,
        422,
        "invalid_field",
    );
    foreign["user_id"] = json!(hoi_sup_id);
    assert_problem(
        &app.post("/api/v1/mediators", Some(&hoi_sup), &foreign).await,
        422,
        "invalid_field",
    );
    let r = app.post("/api/v1/mediators", Some(&hoi_sup), &entry).await;
    assert_eq!(r.status, 201, "{}", r.body);
    assert_eq!(r.body["body_agency"], "HOI");
    let id = r.body["id"].as_str().unwrap().to_owned();
    let mut plain = entry.clone();
    plain["name"] = json!("Trần Văn Hải");
    plain["languages"] = json!(["Tiếng Việt"]);
    plain["ethnic_groups"] = json!([]);
    plain["user_id"] = Value::Null;
    plain["active"] = json!(false);
    assert_eq!(app.post("/api/v1/mediators", Some(&hoi_sup), &plain).await.status, 201);

    // The public list: active entries, no contacts, no account.
    let r = app.get("/api/v1/public/mediators", None).await;
    assert_eq!(r.status, 200);
    let list = r.body.as_array().unwrap();
    assert_eq!(list.len(), 1, "{}", r.body);
    assert_eq!(list[0]["name"], "Giàng Thị Pà");
    assert_eq!(list[0]["languages"], json!(["Tiếng Việt", "Tiếng H'Mông"]));
    let raw = String::from_utf8(r.raw.clone()).unwrap();
    for private in ["pa.giang", "912000111", "000 111", "user_id", "email", "phone"] {
        assert!(!raw.contains(private), "{private} published: {raw}");
    }
    // Staff see the list; contacts only the body's supervisor.
    let r = app.get("/api/v1/mediators", Some(&sct_sup)).await;
    assert_eq!(r.body.as_array().unwrap().len(), 2);
    assert!(r.body.as_array().unwrap().iter().all(|m| m["email"].is_null()));
    let r = app.get("/api/v1/mediators", Some(&hoi_sup)).await;
    assert!(r
        .body
        .as_array()
        .unwrap()
        .iter()
        .any(|m| m["email"] == "pa.giang@example.com"));
    assert_problem(
        &app.get("/api/v1/mediators", Some(&app.admin_token)).await,
        403,
        "forbidden",
    );

    // Corrections by the body's supervisor only; null clears a contact.
    let path = format!("/api/v1/mediators/{id}");
    let patch = json!({"phone": null, "qualifications": "Thạc sĩ Luật"});
    let r = send_patch(app, &path, &sct_sup, &patch).await;
    assert_problem(&r, 404, "not_found");
    let r = send_patch(app, &path, &hoi_sup, &patch).await;
    assert_eq!(r.status, 200, "{}", r.body);
    assert!(r.body["phone"].is_null());
    assert_eq!(r.body["email"], "pa.giang@example.com");
    assert_eq!(r.body["qualifications"], "Thạc sĩ Luật");
}
both_backends!(the_published_list_hides_contacts_and_only_the_body_supervisor_manages_it);

async fn send_patch(app: &TestApp, path: &str, token: &str, body: &Value) -> crate::helpers::Resp {
    app.patch(path, Some(token), body).await
}

async fn mediation_is_requested_directly_and_the_appointment_follows_the_minority_rule(app: &TestApp) {
    let (_, h) = app.user("sct.h", "handler", Some("SCT")).await;
    let (_, op) = app.user("sct.op", "operator", Some("SCT")).await;
    let (plain, _) = app.listed_mediator("hoi.plain", "HOI", &["Tiếng Việt"]).await;
    let (hmong, hmong_token) = app
        .listed_mediator("hoi.hmong", "HOI", &["Tiếng Việt", "Tiếng H'Mông"])
        .await;
    let (unlisted, _) = app.user("hoi.unlisted", "mediator", Some("HOI")).await;
    let c = accepted_minority_dispute(app, &h).await;
    assert!(c["allowed_actions"]
        .as_array()
        .unwrap()
        .contains(&json!("request_mediation")));

    // Art 54(1): straight to mediation at the parties' request, by the handling agency's staff.
    let ask = json!({"requested_by": "both", "reason": "Hai bên thống nhất đề nghị Hội hòa giải."});
    assert_problem(
        &app.act(&op, &c, "request_mediation", ask.clone()).await,
        403,
        "forbidden",
    );
    let r = app
        .act(
            &h,
            &c,
            "request_mediation",
            json!({"requested_by": "someone", "reason": "x"}),
        )
        .await;
    assert_eq!(r.status, 422, "{}", r.body);
    let c = app.act_ok(&h, &c, "request_mediation", ask).await;
    assert_eq!(c["status"], "mediation");
    let events = app
        .get(&format!("/api/v1/cases/{}/events", c["id"].as_str().unwrap()), Some(&h))
        .await;
    assert!(events.body.to_string().contains("request_mediation"), "{}", events.body);

    // Art 63(2): only a listed mediator.
    let r = app
        .act(&h, &c, "appoint_mediator", json!({"mediator_id": unlisted}))
        .await;
    assert_problem(&r, 422, "invalid_field");
    assert_eq!(r.body["field"], "mediator_id");
    // Art 64: the flag without a language or interpreter is refused; a named language the
    // mediator does not speak too.
    let r = app.act(&h, &c, "appoint_mediator", json!({"mediator_id": plain})).await;
    assert_problem(&r, 422, "minority_mediator_required");
    assert_eq!(r.body["field"], "party_language");
    assert!(r.body["detail"].as_str().unwrap().contains("Art 64"));
    let r = app
        .act(
            &h,
            &c,
            "appoint_mediator",
            json!({"mediator_id": plain, "party_language": "H'Mông"}),
        )
        .await;
    assert_problem(&r, 422, "minority_mediator_required");
    assert_eq!(r.body["field"], "mediator_id");
    let now = app.case(&h, c["id"].as_str().unwrap()).await.body;
    assert_eq!(now["version"], c["version"], "a refused appointment changed the case");
    assert!(now["mediator_id"].is_null());
    // … with an interpreter recorded, or a mediator who speaks the language.
    let c = app
        .act_ok(
            &h,
            &c,
            "appoint_mediator",
            json!({"mediator_id": plain, "party_language": "H'Mông", "interpreter": "Vàng Seo Chứ"}),
        )
        .await;
    assert_eq!(c["mediator_id"], json!(plain));
    let c = app
        .act_ok(
            &h,
            &c,
            "appoint_mediator",
            json!({"mediator_id": hmong, "party_language": "h'mông"}),
        )
        .await;
    assert_eq!(c["mediator_id"], json!(hmong));
    assert_eq!(app.case(&hmong_token, c_id(&c)).await.status, 200);
}
both_backends!(mediation_is_requested_directly_and_the_appointment_follows_the_minority_rule);

fn c_id(c: &Value) -> &str {
    c["id"].as_str().unwrap()
}

async fn the_mediation_body_supervisor_sees_its_mediators_cases_and_workload_only(app: &TestApp) {
    let (_, h) = app.user("sct.h", "handler", Some("SCT")).await;
    let (_, hoi_sup) = app.user("hoi.sup2", "supervisor", Some("HOI")).await;
    let (_, qltt_sup) = app.user("qltt.sup", "supervisor", Some("QLTT")).await;
    let (_, hoi_handler) = app.user("hoi.h", "handler", Some("HOI")).await;
    let (mid, _) = app.listed_mediator("hoi.m", "HOI", &["Tiếng Việt"]).await;
    let mediated = app.open_case(&h, &dispute()).await;
    let mediated = app.act_ok(&h, &mediated, "route", json!({"agency": "SCT"})).await;
    let mediated = app.act_ok(&h, &mediated, "accept", json!({})).await;
    let ask = json!({"requested_by": "consumer", "reason": "Người tiêu dùng đề nghị hòa giải."});
    let mediated = app.act_ok(&h, &mediated, "request_mediation", ask).await;
    let mediated = app
        .act_ok(&h, &mediated, "appoint_mediator", json!({"mediator_id": mid}))
        .await;
    let other = app.open_case(&h, &dispute()).await;
    let other = app.act_ok(&h, &other, "route", json!({"agency": "SCT"})).await;

    // The body's supervisor reads the mediated case, not SCT's other cases; it cannot act.
    let r = app.case(&hoi_sup, c_id(&mediated)).await;
    assert_eq!(r.status, 200, "{}", r.body);
    assert_eq!(r.body["allowed_actions"], json!([]));
    assert_problem(&app.case(&hoi_sup, c_id(&other)).await, 404, "not_found");
    let list = app.get("/api/v1/cases", Some(&hoi_sup)).await;
    let ids: Vec<&str> = list.body["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["id"].as_str().unwrap())
        .collect();
    assert_eq!(ids, vec![c_id(&mediated)], "{}", list.body);
    // Neither another agency's supervisor nor the body's handlers.
    assert_problem(&app.case(&qltt_sup, c_id(&mediated)).await, 404, "not_found");
    assert_problem(&app.case(&hoi_handler, c_id(&mediated)).await, 404, "not_found");

    let r = app.get("/api/v1/mediation/workload", Some(&hoi_sup)).await;
    assert_eq!(r.status, 200, "{}", r.body);
    let rows = r.body.as_array().unwrap();
    let mine = rows.iter().find(|w| w["mediator"]["user_id"] == json!(mid)).unwrap();
    assert_eq!(mine["open_cases"], 1);
    assert_eq!(mine["closed_cases"], 0);
    assert_problem(&app.get("/api/v1/mediation/workload", Some(&h)).await, 403, "forbidden");
    let r = app.get("/api/v1/mediation/workload", Some(&qltt_sup)).await;
    assert_eq!(r.body, json!([]));
}
both_backends!(the_mediation_body_supervisor_sees_its_mediators_cases_and_workload_only);

/// The console offers only the mediators `appoint_mediator` accepts: a listed mediator whose
/// account was deactivated is not among the choices (it used to be, and the appointment then
/// failed with a 422).
async fn the_console_offers_only_appointable_mediators(app: &TestApp) {
    let (_, h) = app.user("sct.h.pick", "handler", Some("SCT")).await;
    let (active, _) = app.listed_mediator("hoi.active", "HOI", &["Tiếng Việt"]).await;
    let (gone, _) = app.listed_mediator("hoi.gone", "HOI", &["Tiếng Việt"]).await;
    let off = app
        .patch(
            &format!("/api/v1/admin/users/{gone}"),
            Some(&app.admin_token),
            &json!({"active": false}),
        )
        .await;
    assert_eq!(off.status, 200, "{}", off.body);
    let c = app.open_case(&h, &dispute()).await;
    let c = app.act_ok(&h, &c, "route", json!({"agency": "SCT"})).await;
    let c = app.act_ok(&h, &c, "accept", json!({})).await;
    let ask = json!({"requested_by": "both", "reason": "Hai bên đề nghị hòa giải."});
    let c = app.act_ok(&h, &c, "request_mediation", ask).await;
    let s = crate::console::session_of(app, "sct.h.pick").await;
    let page = crate::console::get(app, &format!("/console/cases/{}", c["id"].as_str().unwrap()), Some(&s)).await;
    assert_eq!(page.status, 200);
    assert!(
        page.html.contains(&format!("<option value=\"{active}\">")),
        "{}",
        page.html
    );
    assert!(!page.html.contains(&gone), "a deactivated mediator is not offered");
}
both_backends!(the_console_offers_only_appointable_mediators);

/// A mediation body's report counts the mediations its mediators ran on cases other agencies
/// hold (ADR 0067): by result and by mediator, each figure listing exactly its cases; the
/// province's report counts every mediator's; an agency without a list of mediators has no such
/// section; the CSV, the printed report and the console carry it.
async fn a_mediation_body_s_report_counts_its_mediators_work(app: &TestApp) {
    app.state.clock.set(crate::helpers::local_noon("2026-12-01"));
    let (_, h) = app.user("sct.h.rep", "handler", Some("SCT")).await;
    app.user("hoi.sup.rep", "supervisor", Some("HOI")).await;
    app.user("sct.sup.rep", "supervisor", Some("SCT")).await;
    app.user("coord.rep", "coordinator", Some("SCT")).await;
    let (m1, m1_token) = app.listed_mediator("hoi.rep.m1", "HOI", &["Tiếng Việt"]).await;
    let (m2, _) = app.listed_mediator("hoi.rep.m2", "HOI", &["Tiếng Việt"]).await;
    let mediated = |mediator: String| {
        let h = h.clone();
        async move {
            let c = app.open_case(&h, &dispute()).await;
            let c = app.act_ok(&h, &c, "route", json!({"agency": "SCT"})).await;
            let c = app.act_ok(&h, &c, "accept", json!({})).await;
            let ask = json!({"requested_by": "both", "reason": "Hai bên đề nghị hòa giải."});
            let c = app.act_ok(&h, &c, "request_mediation", ask).await;
            app.act_ok(&h, &c, "appoint_mediator", json!({"mediator_id": mediator}))
                .await
        }
    };
    let settled = mediated(m1.clone()).await;
    let record = json!({
        "mediator": "Hội Bảo vệ quyền lợi người tiêu dùng tỉnh – hòa giải viên hoi.rep.m1",
        "parties": "Ông Nguyễn Văn An (người tiêu dùng); Công ty TNHH Điện máy Ánh Dương",
        "held_at": "2026-12-01T09:00:00+07:00",
        "place": "Trụ sở Hội, 12 Lê Lợi",
        "subject": "Máy giặt hỏng, cửa hàng từ chối đổi",
        "parties_views": "Người tiêu dùng đề nghị đổi máy; doanh nghiệp đồng ý.",
        "result": "Doanh nghiệp đổi máy giặt mới.",
        "performance_deadline": "2026-12-15",
        "other_terms": "Không."
    });
    let s = app
        .act_ok(
            &m1_token,
            &settled,
            "record_mediation_result",
            json!({"success": true, "record": record}),
        )
        .await;
    assert_eq!(s["outcome"], "settled_mediation");
    let failed = mediated(m1.clone()).await;
    let no = json!({"success": false, "failure_reason": "Doanh nghiệp không đồng ý.", "advice": "Có thể khởi kiện theo thủ tục rút gọn."});
    app.act_ok(&m1_token, &failed, "record_mediation_result", no).await;
    let open = mediated(m2.clone()).await;
    let withdrawn = mediated(m2.clone()).await;
    app.act_ok(&h, &withdrawn, "withdraw", json!({"reason": "Hai bên tự thỏa thuận."}))
        .await;
    let not_mediated = app.open_case(&h, &dispute()).await;
    // A mediator of another body's list: not HOI's work.
    let (other, _) = app.listed_mediator("xa.rep.m", "UBND_XA", &["Tiếng Việt"]).await;
    let elsewhere = mediated(other).await;
    // m2 holds a session of the open case in the afternoon.
    let open_id = open["id"].as_str().unwrap().to_owned();
    let fresh = app.case(&h, &open_id).await.body;
    let at = json!({"at": "2026-12-01T14:00:00+07:00", "duration_minutes": 60, "place": "Trụ sở Hội"});
    app.act_ok(&h, &fresh, "schedule_mediation_session", at).await;
    let listed_sessions = app
        .get(&format!("/api/v1/cases/{open_id}/mediation/sessions"), Some(&h))
        .await
        .body;
    let sid = listed_sessions[0]["id"].as_str().unwrap().to_owned();
    app.state.clock.set(crate::helpers::local_noon("2026-12-02"));
    let m2_token = app.login("hoi.rep.m2", crate::helpers::PASSWORD).await;
    let held = json!({"status": "held", "attendance": ["Người tiêu dùng", "Đại diện doanh nghiệp"], "minutes": "Hai bên trao đổi, hẹn phiên sau."});
    let r = app
        .post(
            &format!("/api/v1/cases/{open_id}/mediation/sessions/{sid}/record"),
            Some(&m2_token),
            &held,
        )
        .await;
    assert_eq!(r.status, 200, "{}", r.body);
    // Sessions end when the clock jumps: everyone signs in again.
    let hoi_sup = app.login("hoi.sup.rep", crate::helpers::PASSWORD).await;
    let sct_sup = app.login("sct.sup.rep", crate::helpers::PASSWORD).await;
    let coord = app.login("coord.rep", crate::helpers::PASSWORD).await;

    let url = "/api/v1/reports/summary?preset=month&from=2026-12-01";
    let hoi = app.get(url, Some(&hoi_sup)).await;
    assert_eq!(hoi.status, 200, "{}", hoi.body);
    assert_eq!(hoi.body["total"], 0, "HOI holds none of them");
    let m = &hoi.body["mediation"];
    assert_eq!(m["body"], "HOI");
    assert_eq!(
        (
            &m["cases"],
            &m["settled"],
            &m["failed"],
            &m["open"],
            &m["closed_otherwise"]
        ),
        (&json!(4), &json!(1), &json!(1), &json!(1), &json!(1)),
        "{m}"
    );
    assert_eq!(m["success_rate"], 0.5);
    assert_eq!(m["sessions_held"], 1, "{m}");
    let ids = |c: &Value| vec![c["id"].as_str().unwrap().to_owned()];
    let mut all = [ids(&settled), ids(&failed), ids(&open), ids(&withdrawn)].concat();
    all.sort();
    for (query, expected) in [
        ("drill_down", all.clone()),
        ("settled_drill_down", ids(&settled)),
        ("failed_drill_down", ids(&failed)),
        ("open_drill_down", ids(&open)),
    ] {
        let q = m[query].as_str().unwrap();
        assert_eq!(crate::reports::listed(app, &hoi_sup, q).await, expected, "{query}: {q}");
    }
    let rows = m["mediators"].as_array().unwrap();
    assert_eq!(rows.len(), 2, "{m}");
    assert_eq!(rows[0]["user_id"], json!(m1));
    assert_eq!(rows[0]["name"], "Hòa giải viên hoi.rep.m1");
    assert_eq!(
        (&rows[0]["cases"], &rows[0]["settled"], &rows[0]["failed"]),
        (&json!(2), &json!(1), &json!(1))
    );
    assert_eq!((&rows[1]["cases"], &rows[1]["open"]), (&json!(2), &json!(1)));
    assert_eq!(rows[1]["sessions_held"], 1);
    let mut m1_cases = [ids(&settled), ids(&failed)].concat();
    m1_cases.sort();
    assert_eq!(
        crate::reports::listed(app, &hoi_sup, rows[0]["drill_down"].as_str().unwrap()).await,
        m1_cases
    );

    // The province counts every mediator's; SCT keeps no list: no section.
    let province = app.get(url, Some(&coord)).await.body;
    assert!(province["mediation"]["body"].is_null());
    assert_eq!(province["mediation"]["cases"], 5, "HOI's four and the commune's one");
    assert_eq!(province["total"], 6);
    let q = province["mediation"]["drill_down"].as_str().unwrap();
    let listed = crate::reports::listed(app, &coord, q).await;
    assert!(listed.contains(&ids(&elsewhere)[0]) && !listed.contains(&ids(&not_mediated)[0]));
    // A coordinator's printed report of HOI is HOI's supervisor's.
    let of_hoi = app
        .get("/api/v1/reports/document.pdf?period=2026-12&agency=HOI", Some(&coord))
        .await;
    assert_eq!(of_hoi.status, 200);
    let name = format!("report-mediation-coord-{}", crate::documents::backend(app));
    if let Some(text) = crate::documents::pdf_text(&of_hoi.raw, &name) {
        let flat = text.split_whitespace().collect::<Vec<_>>().join(" ");
        assert!(flat.contains("V. HÒA GIẢI 4 vụ việc"), "{flat}");
    }
    assert!(app.get(url, Some(&sct_sup)).await.body["mediation"].is_null());

    // The CSV and the printed report carry it; so does the console.
    let csv = app.get(&format!("{url}&format=csv"), Some(&hoi_sup)).await;
    let csv = String::from_utf8(csv.raw.to_vec()).unwrap();
    assert!(
        csv.contains("Hòa giải viên – số vụ việc,Hòa giải viên hoi.rep.m1,2"),
        "{csv}"
    );
    assert!(!csv.contains("xa.rep.m"), "{csv}");
    assert!(
        csv.contains("Hòa giải viên – phiên đã tổ chức,Hòa giải viên hoi.rep.m2,1"),
        "{csv}"
    );
    let pdf = app
        .get("/api/v1/reports/document.pdf?period=2026-12", Some(&hoi_sup))
        .await;
    assert_eq!(pdf.status, 200);
    let name = format!("report-mediation-{}", crate::documents::backend(app));
    if let Some(text) = crate::documents::pdf_text(&pdf.raw, &name) {
        assert!(text.contains("V. HÒA GIẢI"), "{text}");
        assert!(text.contains("Hòa giải viên hoi.rep.m1"), "{text}");
        let flat = text.split_whitespace().collect::<Vec<_>>().join(" ");
        assert!(flat.contains("Số phiên hòa giải đã tổ chức trong kỳ: 1."), "{flat}");
    }
    let s = crate::console::session_of(app, "hoi.sup.rep").await;
    let page = crate::console::get(app, "/console/reports?preset=month&from=2026-12-01", Some(&s)).await;
    assert!(
        page.html.contains("4 vụ việc có hòa giải viên: thành 1, không thành 1")
            && page.html.contains("1 phiên hòa giải đã tổ chức trong kỳ"),
        "{}",
        page.html
    );
}
both_backends!(a_mediation_body_s_report_counts_its_mediators_work);
