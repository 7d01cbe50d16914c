//! The knowledge base in a real browser (chromium over WebDriver), on both backends: a
//! supervisor writes and publishes an article in the console; an operator takes a call,
//! searches the knowledge base without diacritics (results follow the typing), picks the
//! article and ends the call "advised" with it linked; the supervisor sees the use counted;
//! a citizen finds the article on the site from a phone. axe-core checks every new page.
//! Screenshots: `target/screenshots/console-{backend}-kb*.png` and `{backend}-hoi-dap*.png`.

use fantoccini::Locator;
use serde_json::json;

use crate::browser::{browser, browser_with_js, click, fill, shot, shot_full, start_driver};
use crate::common::Backend;
use crate::console_browser::{
    axe_clean, sign_out, signed_in_as as sign_in, text_of, text_with, value_of, wait_for_path,
};

const QUESTION: &str = "Mua bảo hiểm xe máy bắt buộc ở đâu, có được hủy không?";

async fn an_operator_advises_with_an_article(backend: Backend) {
    let Some(app) = crate::helpers::spawn_app(backend).await else {
        return;
    };
    let Some(driver) = start_driver() else { return };
    let tag = match backend {
        Backend::Sqlite => "sqlite",
        Backend::Postgres => "postgres",
    };
    let (_, sup_token) = app.user("sup.kbb", "supervisor", Some("SCT")).await;
    app.user("op.kbb", "operator", Some("SCT")).await;
    // Another published article that only mentions the words in its answer (ranked after).
    let other = json!({"question": "Sàn thương mại điện tử không hoàn tiền thì làm gì?", "status": "published",
        "answer": "Khiếu nại với sàn trước. Nếu đơn hàng có mua kèm bảo hiểm, giữ lại chứng từ.", "category": "ecommerce",
        "legal_basis": ["Điều 39 Luật BVQLNTD 2023"]});
    assert_eq!(
        app.post("/api/v1/kb/articles", Some(&sup_token), &other).await.status,
        201
    );
    let base = app.url("");

    // The supervisor writes the article in the console and publishes it.
    let c = browser_with_js(&driver, 1366, 768, true).await;
    sign_in(&c, &base, "sup.kbb").await;
    click(&c, Locator::LinkText("Hỏi đáp")).await;
    click(&c, Locator::LinkText("Viết bài mới")).await;
    fill(&c, "question", QUESTION).await;
    fill(
        &c,
        "answer",
        "Quý vị mua ở doanh nghiệp bảo hiểm được cấp phép hoặc đại lý của họ, và nhận giấy chứng nhận bảo hiểm (giấy hoặc điện tử).\n\nBảo hiểm bắt buộc trách nhiệm dân sự không hủy được khi xe còn lưu hành, trừ khi xe bị thu hồi đăng ký.",
    )
    .await;
    fill(
        &c,
        "legal_basis",
        "Điều 28 Luật Bảo vệ quyền lợi người tiêu dùng 2023\nĐiều 6 Nghị định 67/2023/NĐ-CP",
    )
    .await;
    c.find(Locator::Id("category"))
        .await
        .unwrap()
        .select_by_value("insurance")
        .await
        .unwrap();
    axe_clean(&c, "kb new").await;
    shot_full(&c, &format!("console-{tag}-kb-new")).await;
    click(&c, Locator::Css("button[name=status][value=published]")).await;
    let notice = text_with(&c, ".notice", "Đã công bố").await;
    assert!(notice.starts_with("Đã công bố"), "{notice}");
    let article_url = c.current_url().await.unwrap();
    let id = article_url.path().rsplit('/').next().unwrap().to_owned();
    axe_clean(&c, "kb article").await;
    shot_full(&c, &format!("console-{tag}-kb-article")).await;
    c.goto(&format!("{base}/console/kb/{id}/edit")).await.unwrap();
    axe_clean(&c, "kb edit").await;
    shot_full(&c, &format!("console-{tag}-kb-edit")).await;
    // Someone else edits meanwhile: saving the older version says so, keeps what was typed and
    // lists the other edit; saving again overwrites it knowingly.
    let edit = json!({"version": 1, "legal_basis": ["Điều 28 Luật Bảo vệ quyền lợi người tiêu dùng 2023"]});
    let r = app
        .patch_json(&format!("/api/v1/kb/articles/{id}"), &sup_token, &edit)
        .await;
    assert_eq!(r.status, 200, "{}", r.body);
    fill(
        &c,
        "answer",
        "\n\nGọi 1800 6838 nếu đại lý từ chối cấp giấy chứng nhận.",
    )
    .await;
    click(&c, Locator::Css("main button.primary")).await;
    let e = text_of(&c, ".error-summary").await;
    assert!(e.contains("vừa được người khác sửa"), "{e}");
    let answer = value_of(&c, "answer").await;
    assert!(answer.ends_with("từ chối cấp giấy chứng nhận."), "{answer}");
    assert!(text_of(&c, "ol.history").await.contains("sửa phiên bản 1"));
    let current = text_of(&c, "section.current").await;
    assert!(
        current.starts_with("Nội dung hiện tại (phiên bản 2)") && !current.contains("Nghị định 67"),
        "{current}"
    );
    axe_clean(&c, "kb conflict").await;
    shot_full(&c, &format!("console-{tag}-kb-conflict")).await;
    click(&c, Locator::Css("main button.primary")).await;
    let notice = text_with(&c, ".notice", "Đã lưu").await;
    assert_eq!(notice, "Đã lưu bài hỏi đáp.");
    sign_out(&c).await;

    // The operator takes a call and searches without diacritics as they type.
    sign_in(&c, &base, "op.kbb").await;
    click(&c, Locator::LinkText("Cuộc gọi mới")).await;
    fill(&c, "caller_phone", "0987 222 333").await;
    fill(&c, "note", "Hỏi mua bảo hiểm xe máy bắt buộc ở đâu, có hủy được không.").await;
    fill(&c, "kb_q", "bao hiem xe may").await;
    // The results of the whole words (a slow typist may see the results of a part first).
    let done = "#kb-results[data-q='bao hiem xe may']";
    let radio = format!("{done} input[value='{id}']");
    c.wait().for_element(Locator::Css(&radio)).await.unwrap();
    let first = text_of(&c, &format!("{done} li:nth-child(2) label")).await;
    assert_eq!(first, QUESTION, "the question match first");
    click(&c, Locator::Css(&radio)).await;
    click(&c, Locator::Css("#kb-results li:nth-child(2) summary")).await;
    axe_clean(&c, "call with kb").await;
    shot_full(&c, &format!("console-{tag}-kb-call")).await;
    // More words that no article has keep the picked article.
    fill(&c, "kb_q", " tai nan").await;
    c.wait()
        .for_element(Locator::Css("#kb-results[data-q='bao hiem xe may tai nan']"))
        .await
        .unwrap();
    c.find(Locator::Css(&format!("#kb-results input[value='{id}']:checked")))
        .await
        .expect("the picked article stays");
    click(&c, Locator::Css("button[value=advised]")).await;
    wait_for_path(&c, "/console/calls/new").await;
    let notice = text_of(&c, ".notice").await;
    assert!(
        notice.contains(&format!("Bài hỏi đáp đã dùng: «{QUESTION}»")),
        "{notice}"
    );
    c.goto(&format!("{base}/console/kb?q=BẢO+HIỂM")).await.unwrap();
    axe_clean(&c, "kb list (operator)").await;
    sign_out(&c).await;

    // The supervisor sees the use counted.
    sign_in(&c, &base, "sup.kbb").await;
    c.goto(&format!("{base}/console/kb")).await.unwrap();
    let row = text_of(&c, &format!("table.queue tr:has(a[href='/console/kb/{id}'])")).await;
    assert!(row.ends_with(" 1"), "one call used it: {row}");
    axe_clean(&c, "kb list").await;
    shot(&c, &format!("console-{tag}-kb-list")).await;
    c.close().await.unwrap();
    let r = app.get(&format!("/api/v1/kb/articles/{id}"), Some(&sup_token)).await;
    assert_eq!(r.body["use_count"], 1);

    // A citizen on a phone, without JavaScript: from the home page to the answer.
    let c = browser(&driver, 390, 844).await;
    c.goto(&format!("{base}/")).await.unwrap();
    shot(&c, &format!("{tag}-hoi-dap-home")).await;
    click(&c, Locator::Css("a[href='/hoi-dap']")).await;
    fill(&c, "q", "bao hiem xe").await;
    click(&c, Locator::Css("form[role=search] button")).await;
    wait_for_path(&c, "/hoi-dap").await;
    let first = text_of(&c, "ul.kb-list li:first-child a").await;
    assert_eq!(first, QUESTION);
    shot_full(&c, &format!("{tag}-hoi-dap")).await;
    click(&c, Locator::Css("ul.kb-list li:first-child a")).await;
    wait_for_path(&c, &format!("/hoi-dap/{id}")).await;
    let h1 = text_of(&c, "h1").await;
    assert_eq!(h1, QUESTION);
    shot_full(&c, &format!("{tag}-hoi-dap-article")).await;
    c.close().await.unwrap();
    let c = browser_with_js(&driver, 390, 844, true).await;
    c.goto(&format!("{base}/hoi-dap?q=bao+hiem")).await.unwrap();
    axe_clean(&c, "hoi-dap").await;
    c.goto(&format!("{base}/hoi-dap/{id}")).await.unwrap();
    axe_clean(&c, "hoi-dap article").await;
    c.close().await.unwrap();
}

#[actix_web::test]
async fn an_operator_advises_with_an_article_sqlite() {
    an_operator_advises_with_an_article(Backend::Sqlite).await;
}

#[actix_web::test]
async fn an_operator_advises_with_an_article_postgres() {
    an_operator_advises_with_an_article(Backend::Postgres).await;
}
