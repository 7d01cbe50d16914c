use serde_json::json;

use crate::both_backends;
use crate::helpers::{assert_problem, dispute, TestApp};

async fn a_handler_never_sees_another_agencys_case(app: &TestApp) {
    let (_, sct) = app.user("h.sct", "handler", Some("SCT")).await;
    let (_, qltt) = app.user("h.qltt", "handler", Some("QLTT")).await;
    let (_, coord) = app.user("coord", "coordinator", Some("SCT")).await;
    let c = app.open_case(&sct, &dispute()).await;
    let id = c["id"].as_str().unwrap();
    assert_problem(&app.case(&qltt, id).await, 404, "not_found");
    assert_problem(
        &app.get(&format!("/api/v1/cases/{id}/events"), Some(&qltt)).await,
        404,
        "not_found",
    );
    assert_problem(
        &app.get(&format!("/api/v1/cases/{id}/events/verify"), Some(&qltt)).await,
        404,
        "not_found",
    );
    assert_problem(
        &app.act(&qltt, &c, "withdraw", json!({"reason": "x"})).await,
        404,
        "not_found",
    );
    let list = app.get("/api/v1/cases", Some(&qltt)).await;
    assert_eq!(list.body["items"].as_array().unwrap().len(), 0);
    let filtered = app.get("/api/v1/cases?agency=SCT", Some(&qltt)).await;
    assert_eq!(filtered.body["items"].as_array().unwrap().len(), 0);
    // The admin has no access to case contents.
    assert_problem(&app.case(&app.admin_token, id).await, 404, "not_found");
    // The coordinator reads every case but takes no action.
    let seen = app.case(&coord, id).await;
    assert_eq!(seen.status, 200);
    assert!(seen.body["allowed_actions"].as_array().unwrap().is_empty());
    assert_problem(
        &app.act(&coord, &seen.body, "route", json!({"agency": "SCT"})).await,
        403,
        "forbidden",
    );
    assert_problem(
        &app.case(&sct, "00000000-0000-0000-0000-000000000000").await,
        404,
        "not_found",
    );
}
both_backends!(a_handler_never_sees_another_agencys_case);

async fn two_concurrent_writers_one_wins_one_gets_409(app: &TestApp) {
    let (_, h1) = app.user("h.one", "handler", Some("SCT")).await;
    let (_, h2) = app.user("h.two", "handler", Some("SCT")).await;
    for round in 0..3 {
        let c = app.open_case(&h1, &dispute()).await;
        let c = app.act_ok(&h1, &c, "route", json!({"agency": "SCT"})).await;
        let (a, b) = tokio::join!(
            app.act(&h1, &c, "accept", json!({})),
            app.act(
                &h2,
                &c,
                "refuse",
                json!({"ground": "already_resolved", "explanation": "Đã giải quyết"})
            )
        );
        let mut statuses = vec![a.status.as_u16(), b.status.as_u16()];
        statuses.sort();
        assert_eq!(statuses, vec![200, 409], "round {round}: {} / {}", a.body, b.body);
        let loser = if a.status == 409 { &a } else { &b };
        assert_eq!(loser.body["code"], "version_conflict");
        assert_eq!(loser.body["current_version"], c["version"].as_i64().unwrap() + 1);
        let events = app
            .get(
                &format!("/api/v1/cases/{}/events", c["id"].as_str().unwrap()),
                Some(&h1),
            )
            .await;
        assert_eq!(
            events.body.as_array().unwrap().len(),
            3,
            "created, routed, and exactly one winner"
        );
    }
    // A stale version is refused too.
    let c = app.open_case(&h1, &dispute()).await;
    let c2 = app
        .act_ok(
            &h1,
            &c,
            "reclassify",
            json!({"kind": "dispute", "category": "ecommerce"}),
        )
        .await;
    let r = app.act(&h1, &c, "route", json!({"agency": "SCT"})).await;
    assert_problem(&r, 409, "version_conflict");
    assert_eq!(r.body["current_version"], c2["version"]);
}
both_backends!(two_concurrent_writers_one_wins_one_gets_409);

async fn events_are_hash_chained_and_tampering_is_detected(app: &TestApp) {
    let (_, h) = app.user("h.ev", "handler", Some("SCT")).await;
    let c = app.open_case(&h, &dispute()).await;
    let c = app
        .act_ok(
            &h,
            &c,
            "route",
            json!({"agency": "SCT", "note": "ghi chú nội bộ", "public_message": "Đã chuyển xử lý"}),
        )
        .await;
    let c = app.act_ok(&h, &c, "accept", json!({})).await;
    let id = c["id"].as_str().unwrap().to_owned();
    let ev = app.get(&format!("/api/v1/cases/{id}/events"), Some(&h)).await;
    let evs = ev.body.as_array().unwrap();
    assert_eq!(evs.len(), 3);
    assert_eq!(evs[0]["action"], "created");
    assert_eq!(evs[1]["action"], "route");
    assert_eq!(evs[1]["data"]["note"], "ghi chú nội bộ");
    assert_eq!(evs[1]["prev_hash"], evs[0]["hash"]);
    assert_eq!(evs[2]["prev_hash"], evs[1]["hash"]);
    let v = app.get(&format!("/api/v1/cases/{id}/events/verify"), Some(&h)).await;
    assert_eq!(v.body["valid"], true, "{}", v.body);
    assert_eq!(v.body["events"], 3);

    assert_eq!(v.body["keyed"], true, "{}", v.body);

    // The history is append-only, and the case's recorded head follows its events.
    let refused = app.try_sql(&format!(
        "UPDATE case_events SET data = '{{}}' WHERE case_id = '{id}' AND seq = 2"
    ));
    assert!(refused.unwrap_err().contains("append-only"));
    assert!(app
        .try_sql(&format!("DELETE FROM case_events WHERE case_id = '{id}'"))
        .is_err());
    assert!(app
        .try_sql(&format!("UPDATE cases SET event_count = 2 WHERE id = '{id}'"))
        .is_err());

    // Someone who owns the database drops the guards; each rewrite is still detected.
    let key = app.state.chain_key.clone();
    let checkpoint = {
        let mut conn = app.state.db.get_blocking().unwrap();
        hotline::service::checkpoint::Checkpoint::take(&mut conn, &key, chrono::Utc::now()).unwrap()
    };
    app.drop_history_guards();
    let hr = h.as_str();
    let verify = |id: String| async move {
        app.get(&format!("/api/v1/cases/{id}/events/verify"), Some(hr))
            .await
            .body
    };
    let fresh = || async {
        let c = app.open_case(&h, &dispute()).await;
        let c = app.act_ok(&h, &c, "route", json!({"agency": "SCT"})).await;
        app.act_ok(&h, &c, "accept", json!({})).await["id"]
            .as_str()
            .unwrap()
            .to_owned()
    };

    // 1. An edited event.
    app.sql(&format!(
        "UPDATE case_events SET data = '{{\"agency\":\"QLTT\"}}' WHERE case_id = '{id}' AND seq = 2"
    ));
    let v = verify(id.clone()).await;
    assert_eq!(v["valid"], false);
    assert_eq!(v["first_invalid_seq"], 2);
    assert_eq!(v["problems"], json!(["chain"]));

    // 2. An edited event whose unkeyed hash is recomputed (and the rest of the chain after it).
    let id2 = fresh().await;
    rewrite_unkeyed(app, &id2, 2);
    let v = verify(id2.clone()).await;
    assert_eq!(v["valid"], false, "{v}");
    assert_eq!(v["problems"][0], "downgraded", "{v}");

    // 3. The last event deleted.
    let id3 = fresh().await;
    app.sql(&format!("DELETE FROM case_events WHERE case_id = '{id3}' AND seq = 3"));
    let v = verify(id3.clone()).await;
    assert_eq!(v["valid"], false);
    assert_eq!(v["problems"], json!(["event_count", "head_hash", "case_row"]), "{v}");

    // 4. Every event deleted.
    let id4 = fresh().await;
    app.sql(&format!("DELETE FROM case_events WHERE case_id = '{id4}'"));
    let v = verify(id4.clone()).await;
    assert_eq!(v["valid"], false);
    assert_eq!(v["events"], 0);

    // 5. The case row edited without an event (a forged public message would show next).
    let id5 = fresh().await;
    app.sql(&format!(
        "UPDATE cases SET description = 'Nội dung đã bị sửa' WHERE id = '{id5}'"
    ));
    let v = verify(id5.clone()).await;
    assert_eq!(v["problems"], json!(["case_row"]), "{v}");

    // 6. Against the checkpoint taken before, the edited history of case 1 is flagged; a whole
    //    history rewritten unkeyed, with the head moved to match, is consistent by itself but
    //    not with a checkpoint taken before it.
    let mut conn = app.state.db.get_blocking().unwrap();
    let report = hotline::service::checkpoint::audit(&mut conn, &key, Some(&checkpoint)).unwrap();
    let flagged: Vec<&str> = report.invalid.iter().map(|(c, _)| c.as_str()).collect();
    assert!(flagged.contains(&id.as_str()), "{flagged:?}");
    drop(conn);
    let id7 = fresh().await;
    let mut conn = app.state.db.get_blocking().unwrap();
    let before = hotline::service::checkpoint::Checkpoint::take(&mut conn, &key, chrono::Utc::now()).unwrap();
    drop(conn);
    rewrite_unkeyed(app, &id7, 1);
    let v = verify(id7.clone()).await;
    assert_eq!(
        v["valid"], true,
        "an unkeyed rewrite of a whole history is consistent by itself: {v}"
    );
    assert_eq!(v["keyed"], false);
    let mut conn = app.state.db.get_blocking().unwrap();
    let report = hotline::service::checkpoint::audit(&mut conn, &key, Some(&before)).unwrap();
    assert!(
        report.invalid.iter().any(|(c, p)| c == &id7 && p == &["checkpoint"]),
        "{report:?}"
    );
    assert!(report.unkeyed >= 1, "{report:?}");
    // A forged checkpoint is refused.
    let mut forged = before.clone();
    forged.cases.retain(|(c, _, _)| c != &id7);
    let report = hotline::service::checkpoint::audit(&mut conn, &key, Some(&forged)).unwrap();
    assert!(report
        .invalid
        .iter()
        .any(|(c, p)| c == "(checkpoint)" && p == &["signature"]));
}

/// What an attacker without the key can do: rewrite events from `from_seq` on with the
/// unkeyed hash (after editing one), relink the chain, and move the case's head to match.
fn rewrite_unkeyed(app: &TestApp, case_id: &str, from_seq: i32) {
    use diesel::RunQueryDsl;
    let mut conn = app.state.db.get_blocking().unwrap();
    let events = hotline::db::cases::list_events(&mut conn, case_id).unwrap();
    let mut prev = events
        .iter()
        .find(|e| e.seq == from_seq - 1)
        .map(|e| e.hash.clone())
        .unwrap_or_else(|| hotline::service::events::GENESIS.to_owned());
    for e in events.iter().filter(|e| e.seq >= from_seq) {
        let data = if e.seq == from_seq {
            r#"{"agency":"QLTT"}"#.to_owned()
        } else {
            e.data.clone()
        };
        let canonical = json!([
            prev,
            e.case_id,
            e.seq,
            e.at.format("%Y-%m-%dT%H:%M:%S%.6f").to_string(),
            e.actor_id,
            e.actor_role,
            e.action,
            e.from_status,
            e.to_status,
            data,
            e.public_message,
        ]);
        use sha2::Digest;
        let hash = hex::encode(sha2::Sha256::digest(canonical.to_string().as_bytes()));
        diesel::sql_query(format!(
            "UPDATE case_events SET data = '{}', prev_hash = '{prev}', hash = '{hash}', alg = 'sha256', state_hash = NULL \
             WHERE case_id = '{case_id}' AND seq = {}",
            data.replace('\'', "''"),
            e.seq
        ))
        .execute(&mut *conn)
        .unwrap();
        prev = hash;
    }
    let n = events.len();
    diesel::sql_query(format!(
        "UPDATE cases SET event_count = {n}, head_hash = '{prev}' WHERE id = '{case_id}'"
    ))
    .execute(&mut *conn)
    .unwrap();
}
both_backends!(events_are_hash_chained_and_tampering_is_detected);

async fn lists_filter_and_paginate_without_gaps_or_repeats(app: &TestApp) {
    let (hid, h) = app.user("h.list", "handler", Some("SCT")).await;
    let mut ids = Vec::new();
    for i in 0..7 {
        let mut b = dispute();
        let fruit = ["táo", "cam", "chuối", "xoài", "mận", "đào", "nho"][i];
        b["description"] = json!(format!("Khiếu nại về máy giặt, kèm quà {fruit}"));
        let c = app.open_case(&h, &b).await;
        if i % 2 == 0 {
            let c = app.act_ok(&h, &c, "route", json!({"agency": "SCT"})).await;
            if i == 0 {
                app.act_ok(&h, &c, "accept", json!({})).await;
            }
        }
        ids.push(c["id"].as_str().unwrap().to_owned());
    }
    let mut seen = Vec::new();
    let mut url = "/api/v1/cases?limit=3".to_owned();
    loop {
        let p = app.get(&url, Some(&h)).await;
        assert_eq!(p.status, 200, "{}", p.body);
        for it in p.body["items"].as_array().unwrap() {
            seen.push(it["id"].as_str().unwrap().to_owned());
        }
        match p.body["next_cursor"].as_str() {
            Some(cur) => url = format!("/api/v1/cases?limit=3&cursor={cur}"),
            None => break,
        }
    }
    let mut expected = ids.clone();
    expected.reverse();
    assert_eq!(seen, expected, "newest first, each once");

    let routed = app.get("/api/v1/cases?status=routed", Some(&h)).await;
    assert_eq!(routed.body["items"].as_array().unwrap().len(), 3);
    let mine = app.get(&format!("/api/v1/cases?assignee={hid}"), Some(&h)).await;
    assert_eq!(mine.body["items"].as_array().unwrap().len(), 1);
    let kind = app.get("/api/v1/cases?kind=violation_report", Some(&h)).await;
    assert_eq!(kind.body["items"].as_array().unwrap().len(), 0);
    let cat = app.get("/api/v1/cases?category=goods_general&q=CHUOI", Some(&h)).await;
    assert_eq!(cat.body["items"].as_array().unwrap().len(), 1);
    let future = app
        .get("/api/v1/cases?created_from=2999-01-01T00:00:00Z", Some(&h))
        .await;
    assert_eq!(future.body["items"].as_array().unwrap().len(), 0);

    // Sorted by due date: cases with a running clock first, soonest first; all of them, once.
    // (E.g. routed Mon 23/11/2026 + 10 working days = Mon 7/12; an accepted dispute + 7 = Wed 2/12.)
    let mut due_seen = Vec::new();
    let mut url = "/api/v1/cases?sort=due&limit=2".to_owned();
    loop {
        let p = app.get(&url, Some(&h)).await;
        assert_eq!(p.status, 200, "{}", p.body);
        for it in p.body["items"].as_array().unwrap() {
            due_seen.push((
                it["id"].as_str().unwrap().to_owned(),
                it["due_at"].as_str().map(str::to_owned),
            ));
        }
        match p.body["next_cursor"].as_str() {
            Some(cur) => url = format!("/api/v1/cases?sort=due&limit=2&cursor={cur}"),
            None => break,
        }
    }
    // Every case has a clock: the internal target (45 working days for a dispute) from intake;
    // routing adds the 10-day acknowledgment, accepting a dispute the 7-day forwarding clock.
    assert_eq!(due_seen.len(), 7);
    assert!(due_seen.iter().all(|(_, d)| d.is_some()), "{due_seen:?}");
    let first_four: std::collections::HashSet<&String> = due_seen[..4].iter().map(|(id, _)| id).collect();
    let routed: std::collections::HashSet<&String> = [&ids[0], &ids[2], &ids[4], &ids[6]].into_iter().collect();
    assert_eq!(
        first_four, routed,
        "routed cases (10-day clock) before new ones (45-day target)"
    );
    let dues: Vec<&String> = due_seen.iter().filter_map(|(_, d)| d.as_ref()).collect();
    assert_eq!(due_seen[0].0, ids[0], "the accepted dispute's 7-day clock is due first");
    let mut sorted = dues.clone();
    sorted.sort();
    assert_eq!(dues, sorted);

    // `open=true`: the same order without the closed cases (a withdrawn case is closed and has
    // no clock left, so it moves to the end of the full list).
    let first = app.get(&format!("/api/v1/cases/{}", ids[0]), Some(&h)).await;
    app.act_ok(&h, &first.body, "withdraw", json!({"reason": "Đã tự thỏa thuận."}))
        .await;
    let ids_of = |r: &crate::helpers::Resp| -> Vec<String> {
        r.body["items"]
            .as_array()
            .unwrap()
            .iter()
            .map(|it| it["id"].as_str().unwrap().to_owned())
            .collect()
    };
    let open = app.get("/api/v1/cases?open=true&sort=due&limit=200", Some(&h)).await;
    assert_eq!(open.status, 200, "{}", open.body);
    let still_open: Vec<String> = due_seen[1..].iter().map(|(id, _)| id.clone()).collect();
    assert_eq!(ids_of(&open), still_open);
    let all = app.get("/api/v1/cases?sort=due&limit=200", Some(&h)).await;
    assert_eq!(ids_of(&all).last(), Some(&ids[0]));
    let open_newest = app.get("/api/v1/cases?open=true", Some(&h)).await;
    assert_eq!(ids_of(&open_newest).len(), 6);
    assert!(!ids_of(&open_newest).contains(&ids[0]));
}
both_backends!(lists_filter_and_paginate_without_gaps_or_repeats);

/// Search walks the same order as the plain list (priority first, newest first), page by page,
/// even when a filter leaves few matches among many (SQLite then reads the index window by
/// window), and whatever the page size.
async fn search_pages_follow_the_list_order_without_gaps(app: &TestApp) {
    let (_, op) = app.user("op.search", "operator", Some("SCT")).await;
    let mut matching = Vec::new();
    // 30 matches: more than SQLite's first window of keys (16 for small pages).
    for i in 0..60 {
        let mut b = dispute();
        let fridge = i % 2 == 0;
        b["description"] = json!(if fridge {
            format!("Tủ lạnh số {i} mua về đã hỏng, cửa hàng không bảo hành.")
        } else {
            format!("Máy giặt số {i} mua về đã hỏng, cửa hàng không bảo hành.")
        });
        b["consumer"]["phone"] = json!(format!("0912{:06}", 100 + i));
        if i % 7 == 0 {
            b["consumer"]["vulnerable"] = json!(["elderly"]);
        }
        let c = app.open_case(&op, &b).await;
        if fridge {
            matching.push(c);
        }
    }
    // The two oldest fridge cases are routed: a filter that leaves 2 matches among 30.
    for c in &matching[..2] {
        app.act_ok(&op, c, "route", json!({"agency": "SCT"})).await;
    }
    let (_, coord) = app.user("coord.search", "coordinator", Some("SCT")).await;
    let walk = |query: String| {
        let coord = coord.clone();
        async move {
            let mut ids: Vec<String> = Vec::new();
            let mut url = query.clone();
            loop {
                let p = app.get(&url, Some(&coord)).await;
                assert_eq!(p.status, 200, "{}", p.body);
                for it in p.body["items"].as_array().unwrap() {
                    ids.push(it["id"].as_str().unwrap().to_owned());
                }
                match p.body["next_cursor"].as_str() {
                    Some(c) => url = format!("{query}&cursor={c}"),
                    None => break,
                }
            }
            ids
        }
    };
    let all = walk("/api/v1/cases?limit=200".into()).await;
    assert_eq!(all.len(), 60);
    let fridge_ids: Vec<String> = matching.iter().map(|c| c["id"].as_str().unwrap().to_owned()).collect();
    let expected: Vec<String> = all.iter().filter(|id| fridge_ids.contains(id)).cloned().collect();
    assert_eq!(expected.len(), 30);
    for limit in [1, 2, 7, 50] {
        let got = walk(format!("/api/v1/cases?q=t%E1%BB%A7%20l%E1%BA%A1nh&limit={limit}")).await;
        assert_eq!(got, expected, "limit {limit}");
    }
    let routed = walk("/api/v1/cases?q=tu%20lanh&status=routed&limit=1".into()).await;
    let routed_expected: Vec<String> = expected
        .iter()
        .filter(|id| fridge_ids[..2].contains(id))
        .cloned()
        .collect();
    assert_eq!(routed, routed_expected);
    // Sorted by due date, the same matches.
    let mut by_due = walk("/api/v1/cases?q=tu%20lanh&sort=due&limit=4".into()).await;
    by_due.sort();
    let mut sorted = expected.clone();
    sorted.sort();
    assert_eq!(by_due, sorted);
}
both_backends!(search_pages_follow_the_list_order_without_gaps);
