//! Who works a case: a supervisor gives it to another handler of the agency (`assign`), the
//! people a case may be given to (`GET /api/v1/caseworkers`), the new assignee's e-mail, the
//! console's choice by name; a departing handler's open cases go back to the agency's queue.

use serde_json::{json, Value};

use crate::both_backends;
use crate::console::{get, hidden, post, session_of};
use crate::helpers::{assert_problem, dispute, TestApp};

/// A routed case accepted by `handler` (who becomes its assignee).
async fn accepted_by(app: &TestApp, handler: &str) -> Value {
    let c = app.open_case(handler, &dispute()).await;
    let c = app.act_ok(handler, &c, "route", json!({"agency": "SCT"})).await;
    app.act_ok(handler, &c, "accept", json!({})).await
}

async fn set_email(app: &TestApp, user_id: &str, email: &str) {
    let r = app
        .patch(
            &format!("/api/v1/admin/users/{user_id}"),
            Some(&app.admin_token),
            &json!({ "email": email }),
        )
        .await;
    assert_eq!(r.status, 200, "{}", r.body);
}

async fn a_supervisor_gives_a_case_to_another_handler(app: &TestApp) {
    let (sup_id, sup) = app.user("sup.assign", "supervisor", Some("SCT")).await;
    let (h1_id, h1) = app.user("h1.assign", "handler", Some("SCT")).await;
    let (h2_id, h2) = app.user("h2.assign", "handler", Some("SCT")).await;
    let (qltt_id, _) = app.user("h.qltt.assign", "handler", Some("QLTT")).await;
    app.user("op.assign", "operator", Some("SCT")).await;
    set_email(app, &h2_id, "h2.assign@example.gov.vn").await;
    let c = accepted_by(app, &h1).await;
    let id = c["id"].as_str().unwrap().to_owned();
    assert_eq!(c["assignee_id"], h1_id.as_str());
    assert_eq!(c["assignee_name"], "h1.assign");

    // Whom the case may be given to: the agency's handlers and supervisors, with their cases.
    let workers = app.get("/api/v1/caseworkers", Some(&sup)).await;
    assert_eq!(workers.status, 200, "{}", workers.body);
    let held: Vec<(String, i64)> = workers
        .body
        .as_array()
        .unwrap()
        .iter()
        .map(|w| (w["id"].as_str().unwrap().to_owned(), w["open_cases"].as_i64().unwrap()))
        .collect();
    assert!(held.contains(&(h1_id.clone(), 1)) && held.contains(&(h2_id.clone(), 0)));
    assert!(held.iter().any(|(w, _)| *w == sup_id), "supervisors work cases too");
    assert!(!held.iter().any(|(w, _)| *w == qltt_id), "another agency's handler");
    assert_eq!(held.len(), 3, "no operator, no other agency: {}", workers.body);

    // Only a supervisor reassigns; only to a caseworker of the agency; never to the same one.
    assert_problem(
        &app.act(&h1, &c, "assign", json!({"assignee_id": h2_id})).await,
        403,
        "forbidden",
    );
    let other = app.act(&sup, &c, "assign", json!({"assignee_id": qltt_id})).await;
    assert_problem(&other, 422, "invalid_field");
    assert_eq!(other.body["field"], "assignee_id");
    let same = app.act(&sup, &c, "assign", json!({"assignee_id": h1_id})).await;
    assert_problem(&same, 422, "invalid_field");
    assert_problem(&app.act(&sup, &c, "assign", json!({})).await, 422, "required");
    assert_eq!(
        app.case(&sup, &id).await.body["version"],
        c["version"],
        "refusals change nothing"
    );

    app.worker.drain().await.unwrap();
    let before = app.state.mailer.memory_sent().len();
    let after = app
        .act_ok(
            &sup,
            &c,
            "assign",
            json!({"assignee_id": h2_id, "note": "Anh H1 nghỉ phép."}),
        )
        .await;
    assert_eq!(
        (after["assignee_id"].as_str(), after["status"].as_str()),
        (Some(h2_id.as_str()), Some("accepted"))
    );
    assert_eq!(after["assignee_name"], "h2.assign");
    let events = app.get(&format!("/api/v1/cases/{id}/events"), Some(&sup)).await;
    let last = events.body.as_array().unwrap().last().unwrap().clone();
    assert_eq!(
        (last["action"].as_str(), last["data"]["assignee_id"].as_str()),
        (Some("assign"), Some(h2_id.as_str()))
    );

    // The new assignee is told, with the case's page in the console.
    app.worker.drain().await.unwrap();
    let sent = app.state.mailer.memory_sent();
    let told: Vec<_> = sent[before..].iter().filter(|m| m.to.contains("h2.assign@")).collect();
    assert_eq!(
        told.len(),
        1,
        "{:?}",
        sent[before..].iter().map(|m| &m.subject).collect::<Vec<_>>()
    );
    let code = c["tracking_code"].as_str().unwrap();
    assert!(
        told[0].subject.contains(code) && told[0].text.contains("sup.assign"),
        "{}",
        told[0].text
    );
    assert!(
        told[0].text.contains(&format!("/console/cases/{id}")),
        "{}",
        told[0].text
    );

    // The case is now in the new assignee's own list, and the counts follow.
    let mine = app.get(&format!("/api/v1/cases?assignee={h2_id}"), Some(&h2)).await;
    assert_eq!(mine.body["items"][0]["id"], id.as_str(), "{}", mine.body);
    let workers = app.get("/api/v1/caseworkers", Some(&h2)).await;
    let count = |who: &str| {
        workers
            .body
            .as_array()
            .unwrap()
            .iter()
            .find(|w| w["id"] == who)
            .unwrap()["open_cases"]
            .clone()
    };
    assert_eq!((count(&h1_id), count(&h2_id)), (json!(0), json!(1)));
}
both_backends!(a_supervisor_gives_a_case_to_another_handler);

/// A routed case is given by accepting it; a closed case to nobody.
async fn reassignment_is_for_accepted_open_cases(app: &TestApp) {
    let (_, sup) = app.user("sup.assign2", "supervisor", Some("SCT")).await;
    let (h_id, h) = app.user("h.assign2", "handler", Some("SCT")).await;
    let c = app.open_case(&h, &dispute()).await;
    let routed = app.act_ok(&h, &c, "route", json!({"agency": "SCT"})).await;
    let r = app.act(&sup, &routed, "assign", json!({"assignee_id": h_id})).await;
    assert_problem(&r, 409, "invalid_transition");
    // A supervisor's accept that names a handler tells the handler; a handler's own does not.
    set_email(app, &h_id, "h.assign2@example.gov.vn").await;
    app.worker.drain().await.unwrap();
    let before = app.state.mailer.memory_sent().len();
    let accepted = app.act_ok(&sup, &routed, "accept", json!({"assignee_id": h_id})).await;
    assert_eq!(accepted["assignee_id"], h_id.as_str());
    let own = app.open_case(&h, &dispute()).await;
    let own = app.act_ok(&h, &own, "route", json!({"agency": "SCT"})).await;
    app.act_ok(&h, &own, "accept", json!({})).await;
    app.worker.drain().await.unwrap();
    let sent = app.state.mailer.memory_sent();
    let told = sent[before..].iter().filter(|m| m.to.contains("h.assign2@")).count();
    assert_eq!(
        told,
        1,
        "{:?}",
        sent[before..].iter().map(|m| &m.subject).collect::<Vec<_>>()
    );
    // Not while a transfer waits for another agency: that agency chooses.
    let offered = app
        .act_ok(
            &sup,
            &accepted,
            "transfer",
            json!({"to_agency": "QLTT", "reason": "Thuộc thẩm quyền QLTT."}),
        )
        .await;
    let (other_id, _) = app.user("h2.assign2", "handler", Some("SCT")).await;
    let r = app
        .act(&sup, &offered, "assign", json!({"assignee_id": other_id}))
        .await;
    assert_problem(&r, 409, "invalid_transition");
    let (_, qltt) = app.user("h.qltt.assign2", "handler", Some("QLTT")).await;
    let declined = app
        .act_ok(
            &qltt,
            &offered,
            "decline_transfer",
            json!({"reason": "Không thuộc thẩm quyền."}),
        )
        .await;
    let accepted = app.case(&sup, declined["id"].as_str().unwrap()).await.body;
    assert!(accepted["allowed_actions"]
        .as_array()
        .unwrap()
        .contains(&json!("assign")));
    let closed = app
        .act_ok(
            &sup,
            &accepted,
            "withdraw",
            json!({"reason": "Người tiêu dùng rút yêu cầu."}),
        )
        .await;
    assert!(!closed["allowed_actions"].as_array().unwrap().contains(&json!("assign")));
    // An operator may read whom to ask for; a coordinator has no agency queue to give from.
    let (_, coord) = app.user("coord.assign2", "coordinator", Some("SCT")).await;
    assert_problem(&app.get("/api/v1/caseworkers", Some(&coord)).await, 403, "forbidden");
}
both_backends!(reassignment_is_for_accepted_open_cases);

/// A handler who leaves (account deactivated) or moves to another agency leaves their open
/// cases to the agency's unassigned queue, each with an event saying why; closed cases keep
/// their history. The supervisor then gives them to someone else.
async fn a_departing_handler_s_open_cases_return_to_the_queue(app: &TestApp) {
    let (_, sup) = app.user("sup.leave", "supervisor", Some("SCT")).await;
    let (h1_id, h1) = app.user("h1.leave", "handler", Some("SCT")).await;
    let (h2_id, h2) = app.user("h2.leave", "handler", Some("SCT")).await;
    let (h3_id, _) = app.user("h3.leave", "handler", Some("SCT")).await;
    let open = accepted_by(app, &h1).await;
    let done = accepted_by(app, &h1).await;
    let done = app
        .act_ok(&h1, &done, "withdraw", json!({"reason": "Đã tự thỏa thuận."}))
        .await;
    let moved = accepted_by(app, &h2).await;

    let off = app
        .patch(
            &format!("/api/v1/admin/users/{h1_id}"),
            Some(&app.admin_token),
            &json!({"active": false}),
        )
        .await;
    assert_eq!(off.status, 200, "{}", off.body);
    let open_after = app.case(&sup, open["id"].as_str().unwrap()).await.body;
    assert_eq!(open_after["assignee_id"], Value::Null);
    assert_eq!(open_after["status"], "accepted");
    let evs = app
        .get(
            &format!("/api/v1/cases/{}/events", open["id"].as_str().unwrap()),
            Some(&sup),
        )
        .await;
    let last = evs.body.as_array().unwrap().last().unwrap().clone();
    assert_eq!(last["action"], "assignee_released");
    assert_eq!(
        (last["data"]["assignee_id"].as_str(), last["data"]["why"].as_str()),
        (Some(h1_id.as_str()), Some("account_deactivated"))
    );
    let verify = app
        .get(
            &format!("/api/v1/cases/{}/events/verify", open["id"].as_str().unwrap()),
            Some(&sup),
        )
        .await;
    assert_eq!(verify.body["valid"], true, "{}", verify.body);
    let done_after = app.case(&sup, done["id"].as_str().unwrap()).await.body;
    assert_eq!(
        done_after["assignee_id"],
        h1_id.as_str(),
        "a closed case keeps who worked it"
    );
    assert_eq!(done_after["version"], done["version"]);

    // The agency's unassigned queue shows it; the supervisor gives it to someone else.
    let s = session_of(app, "sup.leave").await;
    let queue = get(app, "/console/?tab=unassigned", Some(&s)).await;
    assert!(
        queue.html.contains(open["tracking_code"].as_str().unwrap()),
        "{}",
        queue.html
    );
    assert!(
        !queue.html.contains(moved["tracking_code"].as_str().unwrap()),
        "h2 still works it"
    );
    app.act_ok(&sup, &open_after, "assign", json!({"assignee_id": h3_id}))
        .await;

    // Moved to another agency: the same, with its reason.
    let r = app
        .patch(
            &format!("/api/v1/admin/users/{h2_id}"),
            Some(&app.admin_token),
            &json!({"agency": "QLTT"}),
        )
        .await;
    assert_eq!(r.status, 200, "{}", r.body);
    let moved_id = moved["id"].as_str().unwrap();
    assert_eq!(app.case(&sup, moved_id).await.body["assignee_id"], Value::Null);
    let evs = app.get(&format!("/api/v1/cases/{moved_id}/events"), Some(&sup)).await;
    assert_eq!(
        evs.body.as_array().unwrap().last().unwrap()["data"]["why"],
        "agency_changed"
    );
    // A role change between handler and supervisor keeps the cases; to a role that works no
    // cases, it releases them.
    let open_id = open["id"].as_str().unwrap();
    let before = app.case(&sup, open_id).await.body;
    let r = app
        .patch(
            &format!("/api/v1/admin/users/{h3_id}"),
            Some(&app.admin_token),
            &json!({"role": "supervisor"}),
        )
        .await;
    assert_eq!(r.status, 200, "{}", r.body);
    let after = app.case(&sup, open_id).await.body;
    assert_eq!(
        (&after["assignee_id"], &after["version"]),
        (&before["assignee_id"], &before["version"])
    );
    assert_eq!(after["assignee_id"], h3_id.as_str());
    let r = app
        .patch(
            &format!("/api/v1/admin/users/{h3_id}"),
            Some(&app.admin_token),
            &json!({"role": "operator"}),
        )
        .await;
    assert_eq!(r.status, 200, "{}", r.body);
    assert_eq!(app.case(&sup, open_id).await.body["assignee_id"], Value::Null);
    let evs = app.get(&format!("/api/v1/cases/{open_id}/events"), Some(&sup)).await;
    assert_eq!(
        evs.body.as_array().unwrap().last().unwrap()["data"]["why"],
        "role_changed"
    );

    // A closed case of the departed handler, reopened, goes to the queue too.
    let reopened = app
        .act_ok(
            &sup,
            &done_after,
            "reopen",
            json!({"reason": "Người tiêu dùng khiếu nại lại."}),
        )
        .await;
    assert_eq!(
        (reopened["status"].as_str(), &reopened["assignee_id"]),
        (Some("accepted"), &Value::Null)
    );
    let evs = app
        .get(
            &format!("/api/v1/cases/{}/events", done["id"].as_str().unwrap()),
            Some(&sup),
        )
        .await;
    let last = evs.body.as_array().unwrap().last().unwrap().clone();
    assert_eq!(
        (last["action"].as_str(), last["data"]["why"].as_str()),
        (Some("assignee_released"), Some("no_longer_works_here"))
    );
    drop(h2);
}
both_backends!(a_departing_handler_s_open_cases_return_to_the_queue);

/// In the console the supervisor picks the person by name (with the cases each holds), never
/// types an id; the case page says who works the case.
async fn the_console_offers_the_agency_s_people_by_name(app: &TestApp) {
    let (_, h1) = app.user("h1.pick", "handler", Some("SCT")).await;
    let (h2_id, _) = app.user("h2.pick", "handler", Some("SCT")).await;
    app.user("sup.pick", "supervisor", Some("SCT")).await;
    app.user("h.qltt.pick", "handler", Some("QLTT")).await;
    let c = accepted_by(app, &h1).await;
    let id = c["id"].as_str().unwrap().to_owned();
    let s = session_of(app, "sup.pick").await;
    let page = get(app, &format!("/console/cases/{id}"), Some(&s)).await;
    assert_eq!(page.status, 200);
    assert!(page.html.contains("action-assign"), "{}", page.html);
    assert!(
        page.html.contains("<dt>Người xử lý</dt><dd>h1.pick</dd>"),
        "{}",
        page.html
    );
    let option = format!("<option value=\"{h2_id}\">h2.pick (xử lý, 0 hồ sơ đang mở)</option>");
    assert!(page.html.contains(&option), "{}", page.html);
    assert!(
        !page.html.contains("h.qltt.pick"),
        "another agency's handler is not offered"
    );
    let csrf = hidden(&page.html, "csrf");
    let version = hidden(&page.html, "version");
    let cookie = format!("hotline_console={s}");
    let done = post(
        app,
        &format!("/console/cases/{id}/actions/assign"),
        &cookie,
        &[("csrf", &csrf), ("version", &version), ("assignee_id", &h2_id)],
    )
    .await;
    assert_eq!(done.status, 303, "{}", done.html);
    let page = get(app, &done.location, Some(&s)).await;
    assert!(
        page.html.contains("Đã thực hiện: Giao hồ sơ cho cán bộ khác"),
        "{}",
        page.html
    );
    assert!(
        page.html.contains("<dt>Người xử lý</dt><dd>h2.pick</dd>"),
        "{}",
        page.html
    );

    // A handler accepting a routed case may leave the choice blank: the case is theirs.
    let h1_page_case = app.open_case(&h1, &dispute()).await;
    let routed = app.act_ok(&h1, &h1_page_case, "route", json!({"agency": "SCT"})).await;
    let s1 = session_of(app, "h1.pick").await;
    let page = get(
        app,
        &format!("/console/cases/{}", routed["id"].as_str().unwrap()),
        Some(&s1),
    )
    .await;
    assert!(
        page.html.contains("<option value=\"\">— Chính bạn —</option>"),
        "{}",
        page.html
    );
    assert!(!page.html.contains("action-assign"), "a handler does not reassign");
}
both_backends!(the_console_offers_the_agency_s_people_by_name);
