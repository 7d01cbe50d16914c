//! The citizen pages in a real browser: Debian's chromium driven over WebDriver
//! (`chromium-driver`, fantoccini), JavaScript off (every page must work without it), at phone
//! and desktop widths. Screenshots of every page go to `target/screenshots/`.

use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use fantoccini::{Client, ClientBuilder, Locator};

use crate::common::Backend;

pub(crate) struct Driver {
    child: Child,
    port: u16,
}

impl Drop for Driver {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// chromedriver on a free port, or `None` (loudly) where it is not installed and CI does not
/// require it (scripts/test.sh installs it).
pub(crate) fn start_driver() -> Option<Driver> {
    let path = ["/usr/bin/chromedriver", "/usr/lib/chromium/chromedriver"]
        .into_iter()
        .find(|p| std::path::Path::new(p).exists());
    let Some(path) = path else {
        if std::env::var("REQUIRE_POSTGRES").is_ok_and(|v| v == "1") {
            panic!("chromium-driver is required in CI (scripts/test.sh installs it)");
        }
        eprintln!("\n!!!!! SKIPPING browser tests: chromium-driver is not installed (apt-get install chromium chromium-driver) !!!!!\n");
        return None;
    };
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let child = Command::new(path)
        .arg(format!("--port={port}"))
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .expect("start chromedriver");
    let start = Instant::now();
    while std::net::TcpStream::connect(("127.0.0.1", port)).is_err() {
        assert!(start.elapsed() < Duration::from_secs(20), "chromedriver did not start");
        std::thread::sleep(Duration::from_millis(100));
    }
    Some(Driver { child, port })
}

pub(crate) async fn browser(driver: &Driver, width: u32, height: u32) -> Client {
    browser_with_js(driver, width, height, false).await
}

pub(crate) async fn browser_with_js(driver: &Driver, width: u32, height: u32, js: bool) -> Client {
    let mut caps = serde_json::Map::new();
    caps.insert(
        "goog:chromeOptions".into(),
        serde_json::json!({
            "binary": "/usr/bin/chromium",
            "args": ["--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
                     "--hide-scrollbars", "--lang=vi", format!("--window-size={width},{height}")],
            // Every page must work without JavaScript (the accessibility check needs it).
            // A Vietnamese browser (headless chromium otherwise asks for en-US whatever --lang).
            "prefs": {"profile.managed_default_content_settings.javascript": if js { 1 } else { 2 },
                      "intl.accept_languages": "vi-VN,vi,en-US,en"},
        }),
    );
    let c = ClientBuilder::new(hyper_util::client::legacy::connect::HttpConnector::new())
        .capabilities(caps)
        .connect(&format!("http://127.0.0.1:{}", driver.port))
        .await
        .expect("connect to chromedriver");
    // Headless chromium keeps windows at least 500 px wide: a phone's viewport is emulated.
    if width < 500 {
        cdp(
            &c,
            "Emulation.setDeviceMetricsOverride",
            serde_json::json!({"width": width, "height": height, "deviceScaleFactor": 1, "mobile": true}),
        )
        .await;
    }
    c
}

/// A Chrome DevTools command through chromedriver (`goog/cdp/execute`).
#[derive(Debug)]
struct Cdp {
    cmd: &'static str,
    params: serde_json::Value,
}

impl fantoccini::wd::WebDriverCompatibleCommand for Cdp {
    fn endpoint(&self, base_url: &url::Url, session_id: Option<&str>) -> Result<url::Url, url::ParseError> {
        base_url.join(&format!("session/{}/goog/cdp/execute", session_id.unwrap_or_default()))
    }

    fn method_and_body(&self, _: &url::Url) -> (http::Method, Option<String>) {
        let body = serde_json::json!({"cmd": self.cmd, "params": self.params});
        (http::Method::POST, Some(body.to_string()))
    }
}

async fn cdp(c: &Client, cmd: &'static str, params: serde_json::Value) -> serde_json::Value {
    c.issue_cmd(Cdp { cmd, params })
        .await
        .unwrap_or_else(|e| panic!("{cmd}: {e}"))
}

pub(crate) async fn shot(c: &Client, name: &str) {
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("target/screenshots");
    std::fs::create_dir_all(&dir).unwrap();
    let png = c.screenshot().await.unwrap();
    std::fs::write(dir.join(format!("{name}.png")), png).unwrap();
}

/// A screenshot of the whole page at the viewport's width.
pub(crate) async fn shot_full(c: &Client, name: &str) {
    use base64::Engine;
    let r = cdp(
        c,
        "Page.captureScreenshot",
        serde_json::json!({"format": "png", "captureBeyondViewport": true}),
    )
    .await;
    let png = base64::engine::general_purpose::STANDARD
        .decode(r["data"].as_str().expect("screenshot data"))
        .unwrap();
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("target/screenshots");
    std::fs::create_dir_all(&dir).unwrap();
    std::fs::write(dir.join(format!("{name}.png")), png).unwrap();
}

pub(crate) async fn fill(c: &Client, id: &str, value: &str) {
    let el = c
        .find(Locator::Id(id))
        .await
        .unwrap_or_else(|_| panic!("no field {id}"));
    el.send_keys(value).await.unwrap();
}

async fn citizen_files_and_follows_in_a_browser(backend: Backend) {
    let Some(app) = crate::helpers::spawn_app(backend).await else {
        return;
    };
    let Some(driver) = start_driver() else { return };
    let tag = match backend {
        Backend::Sqlite => "sqlite",
        Backend::Postgres => "postgres",
    };
    let c = browser(&driver, 390, 844).await;
    c.goto(&app.url("/")).await.unwrap();
    assert_eq!(
        c.title().await.unwrap(),
        "Trang chủ – Đường dây nóng bảo vệ người tiêu dùng"
    );
    shot(&c, &format!("{tag}-home-phone")).await;
    c.find(Locator::LinkText("Gửi phản ánh trực tuyến"))
        .await
        .unwrap()
        .click()
        .await
        .unwrap();
    shot(&c, &format!("{tag}-form-phone")).await;

    // Evidence files, chosen as a phone's file picker would.
    let files = tempfile::tempdir().unwrap();
    let photo = files.path().join("hoa-don.jpg");
    std::fs::write(&photo, crate::citizen_evidence::JPEG).unwrap();
    let pdf = files.path().join("phieu-bao-hanh.pdf");
    std::fs::write(&pdf, crate::citizen_evidence::PDF).unwrap();
    let program = files.path().join("anh-san-pham.jpg");
    std::fs::write(&program, b"MZ\x90\x00 not a photo").unwrap();

    // Nothing filled in, a program named as a photo: the summary lists the errors and links
    // to the fields.
    fill(&c, "evidence", program.to_str().unwrap()).await;
    c.find(Locator::Css("button[type=submit]"))
        .await
        .unwrap()
        .click()
        .await
        .unwrap();
    let summary = c
        .wait()
        .for_element(Locator::Css(".error-summary"))
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(summary.contains("Hãy viết quý vị gặp vấn đề gì"), "{summary}");
    assert!(
        summary.contains("anh-san-pham.jpg") && summary.contains("không thuộc loại được nhận"),
        "{summary}"
    );
    shot(&c, &format!("{tag}-form-errors-phone")).await;
    shot_full(&c, &format!("{tag}-form-errors-phone-full")).await;

    // Filled in (what was typed before is kept: the name field is empty, the rest too).
    fill(
        &c,
        "description",
        "Tôi mua máy sấy tóc ở cửa hàng Bình Minh, dùng 2 ngày thì cháy.",
    )
    .await;
    fill(&c, "consumer_request", "Hoàn lại tiền").await;
    fill(&c, "product", "Máy sấy tóc Panasonic EH-ND30").await;
    fill(&c, "amount_vnd", "450.000").await;
    fill(&c, "consumer.name", "Lê Văn Tâm").await;
    fill(&c, "consumer.phone", "0987 654 321").await;
    fill(&c, "consumer.email", "tam.le@example.com").await;
    c.find(Locator::Id("vulnerable-elderly"))
        .await
        .unwrap()
        .click()
        .await
        .unwrap();
    c.find(Locator::Id("consent")).await.unwrap().click().await.unwrap();
    // Two files at once (chromedriver takes several paths, one a line).
    fill(&c, "evidence", &format!("{}\n{}", photo.display(), pdf.display())).await;
    shot_full(&c, &format!("{tag}-form-filled-phone-full")).await;
    c.find(Locator::Css("button[type=submit]"))
        .await
        .unwrap()
        .click()
        .await
        .unwrap();
    let panel = c
        .wait()
        .for_element(Locator::Css(".panel"))
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(panel.contains("Đã gửi phản ánh") && panel.contains("KN-"), "{panel}");
    assert!(c.current_url().await.unwrap().path().starts_with("/t/"));
    let listed = c.find(Locator::Css("ul.files")).await.unwrap().text().await.unwrap();
    assert!(
        listed.contains("hoa-don.jpg") && listed.contains("phieu-bao-hanh.pdf"),
        "{listed}"
    );
    shot(&c, &format!("{tag}-receipt-phone")).await;
    shot_full(&c, &format!("{tag}-receipt-phone-full")).await;
    let stored = std::fs::read_dir(app.state.settings.evidence_dir()).unwrap().count();
    assert_eq!(stored, 2, "the two files, and nothing of the refused submission");
    let (_, coord) = app.user("c.browser.product", "coordinator", Some("SCT")).await;
    let list = app.get("/api/v1/cases", Some(&coord)).await.body;
    let id = list["items"][0]["id"].as_str().unwrap();
    assert_eq!(
        app.case(&coord, id).await.body["product"],
        "Máy sấy tóc Panasonic EH-ND30"
    );

    // The e-mailed link opens the same complaint.
    app.worker.drain().await.unwrap();
    let mail = app
        .state
        .mailer
        .memory_sent()
        .into_iter()
        .find(|m| m.to.contains("tam.le"))
        .unwrap();
    let start = mail.text.find("/t/").unwrap();
    let path: String = mail.text[start..].chars().take_while(|c| !c.is_whitespace()).collect();
    c.goto(&app.url(&path)).await.unwrap();
    let body = c.wait().for_element(Locator::Css(".stage")).await.unwrap();
    let _ = body;
    let body = c.find(Locator::Css("main")).await.unwrap().text().await.unwrap();
    assert!(body.contains("Tình trạng") && body.contains("Sở Công Thương"), "{body}");
    assert!(
        !body.contains("Lê Văn Tâm") && !body.contains("0987"),
        "no personal data on the page"
    );
    shot(&c, &format!("{tag}-status-phone")).await;
    c.close().await.unwrap();

    let c = browser(&driver, 1366, 768).await;
    for (name, path) in [("home", "/"), ("form", "/complaints/new"), ("track", "/track")] {
        c.goto(&app.url(path)).await.unwrap();
        shot(&c, &format!("{tag}-{name}-desktop")).await;
    }
    c.goto(&app.url(&path)).await.unwrap();
    shot(&c, &format!("{tag}-status-desktop")).await;
    c.close().await.unwrap();
    app.assert_no_failed_jobs();
}

pub(crate) async fn click(c: &Client, locator: Locator<'_>) {
    c.find(locator).await.unwrap().click().await.unwrap();
}

async fn html_lang(c: &Client) -> String {
    c.find(Locator::Css("html"))
        .await
        .unwrap()
        .attr("lang")
        .await
        .unwrap()
        .unwrap_or_default()
}

/// The English switch (JavaScript off): from the Vietnamese home page to English, a complaint
/// filed in English with an error first, the English receipt; the choice kept all the way.
async fn citizen_switches_to_english_in_a_browser(backend: Backend) {
    let Some(app) = crate::helpers::spawn_app(backend).await else {
        return;
    };
    let Some(driver) = start_driver() else { return };
    let tag = match backend {
        Backend::Sqlite => "sqlite",
        Backend::Postgres => "postgres",
    };
    let c = browser(&driver, 390, 844).await;
    c.goto(&app.url("/")).await.unwrap();
    assert_eq!(
        html_lang(&c).await,
        "vi",
        "Vietnamese by default (the browser says --lang=vi)"
    );
    click(&c, Locator::LinkText("English")).await;
    assert_eq!(html_lang(&c).await, "en");
    assert_eq!(c.title().await.unwrap(), "Home – Consumer protection hotline");
    shot(&c, &format!("{tag}-en-home-phone")).await;
    click(&c, Locator::LinkText("File a complaint online")).await;
    assert_eq!(html_lang(&c).await, "en", "the choice follows the link");
    shot(&c, &format!("{tag}-en-form-phone")).await;

    // A wrong phone number first: the errors in English, the values kept.
    fill(
        &c,
        "description",
        "The hair dryer I bought at Binh Minh shop burnt out after 2 days.",
    )
    .await;
    fill(&c, "consumer.name", "Le Van Tam").await;
    fill(&c, "consumer.phone", "12").await;
    click(&c, Locator::Css("button[type=submit]")).await;
    let summary = c
        .wait()
        .for_element(Locator::Css(".error-summary"))
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(summary.contains("There is a problem"), "{summary}");
    assert!(summary.contains("The phone number is not valid"), "{summary}");
    assert_eq!(html_lang(&c).await, "en");
    shot(&c, &format!("{tag}-en-form-errors-phone")).await;
    shot_full(&c, &format!("{tag}-en-form-errors-phone-full")).await;

    let phone = c.find(Locator::Id("consumer.phone")).await.unwrap();
    phone.clear().await.unwrap();
    phone.send_keys("0987 654 321").await.unwrap();
    click(&c, Locator::Id("consent")).await;
    click(&c, Locator::Css("button[type=submit]")).await;
    let panel = c
        .wait()
        .for_element(Locator::Css(".panel"))
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(panel.contains("Complaint sent") && panel.contains("KN-"), "{panel}");
    assert_eq!(html_lang(&c).await, "en");
    let main = c.find(Locator::Css("main")).await.unwrap().text().await.unwrap();
    assert!(main.contains("What happens next") && main.contains("Status"), "{main}");
    shot(&c, &format!("{tag}-en-receipt-phone")).await;
    shot_full(&c, &format!("{tag}-en-receipt-phone-full")).await;
    // And back to Vietnamese on the same page.
    click(&c, Locator::LinkText("Tiếng Việt")).await;
    assert_eq!(html_lang(&c).await, "vi");
    let panel = c.find(Locator::Css(".panel")).await.unwrap().text().await.unwrap();
    assert!(panel.contains("Đã gửi phản ánh"), "{panel}");
    c.close().await.unwrap();

    let c = browser(&driver, 1366, 768).await;
    for (name, path) in [
        ("home", "/?lang=en"),
        ("form", "/complaints/new?lang=en"),
        ("track", "/track?lang=en"),
    ] {
        c.goto(&app.url(path)).await.unwrap();
        shot(&c, &format!("{tag}-en-{name}-desktop")).await;
    }
    c.close().await.unwrap();
    app.assert_no_failed_jobs();
}

#[actix_web::test]
async fn citizen_switches_to_english_in_a_browser_sqlite() {
    citizen_switches_to_english_in_a_browser(Backend::Sqlite).await;
}

#[actix_web::test]
async fn citizen_switches_to_english_in_a_browser_postgres() {
    citizen_switches_to_english_in_a_browser(Backend::Postgres).await;
}

/// axe-core (from npm, installed by scripts/test.sh under target/axe) run in the page: the
/// serious and critical violations, as "rule: help" lines.
pub(crate) async fn axe_violations(c: &Client, axe: &str) -> Vec<String> {
    c.execute(axe, vec![]).await.expect("load axe-core");
    let found = c
        .execute_async(
            "const done = arguments[arguments.length - 1];\
             axe.run(document).then(r => done({passes: r.passes.length, violations: r.violations\
               .filter(v => v.impact === 'serious' || v.impact === 'critical')\
               .map(v => v.id + ': ' + v.help + ' (' + v.nodes.length + ')')}));",
            vec![],
        )
        .await
        .expect("run axe-core");
    // A run that checked nothing is not a pass.
    assert!(
        found["passes"].as_u64().unwrap_or(0) > 0,
        "axe-core did not run: {found}"
    );
    serde_json::from_value(found["violations"].clone()).expect("axe-core's violations")
}

/// Every citizen page, checked by axe-core: no serious or critical violation.
async fn citizen_pages_pass_the_accessibility_checker(backend: Backend) {
    let Some(app) = crate::helpers::spawn_app(backend).await else {
        return;
    };
    let Some(driver) = start_driver() else { return };
    let axe_path = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("target/axe/node_modules/axe-core/axe.min.js");
    let Ok(axe) = std::fs::read_to_string(&axe_path) else {
        if std::env::var("REQUIRE_POSTGRES").is_ok_and(|v| v == "1") {
            panic!("axe-core is required in CI (scripts/test.sh installs it into target/axe)");
        }
        eprintln!("\n!!!!! SKIPPING the accessibility check: {} is missing (npm install --prefix target/axe axe-core) !!!!!\n", axe_path.display());
        return;
    };
    let s = app
        .submit(&crate::helpers::complaint("Máy giặt mới mua bị rò nước."))
        .await;
    let token = s.body["private_url"]
        .as_str()
        .unwrap()
        .rsplit('/')
        .next()
        .unwrap()
        .to_owned();
    let (asked, asked_id, handler) = crate::citizen_evidence::awaiting_info(&app).await;
    let asked_code = app.case(&handler, &asked_id).await.body["tracking_code"]
        .as_str()
        .unwrap()
        .to_owned();
    let (settled, _, _) =
        crate::citizen_settlement::settled(&app, "Mua máy giặt bị lỗi, cửa hàng không bảo hành.", 10).await;
    let c = browser_with_js(&driver, 390, 844, true).await;
    let mut problems = Vec::new();
    for path in [
        "/".to_owned(),
        "/complaints/new".into(),
        "/track".into(),
        format!("/t/{token}?received=1"),
        format!("/t/{token}"),
        format!("/t/{asked}"),
        format!("/t/{settled}"),
        "/t/AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA".into(),
        "/?lang=en".into(),
        "/complaints/new?lang=en".into(),
        "/track?lang=en".into(),
        format!("/t/{token}?received=1&lang=en"),
        format!("/t/{asked}?lang=en"),
        format!("/t/{settled}?lang=en"),
        "/t/AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA?lang=en".into(),
    ] {
        c.goto(&app.url(&path)).await.unwrap();
        let name = if path.starts_with(&format!("/t/{asked}")) {
            "status-information-asked"
        } else if path.starts_with(&format!("/t/{settled}")) {
            "status-settlement-question"
        } else if path.starts_with("/t/AAAA") {
            "link-gone"
        } else if path == format!("/t/{token}") {
            "status-add-info"
        } else {
            ""
        };
        if !name.is_empty() {
            let en = if path.ends_with("lang=en") { "-en" } else { "" };
            shot_full(&c, &format!("{name}{en}-phone-full")).await;
        }
        for v in axe_violations(&c, &axe).await {
            problems.push(format!(
                "{}: {v}",
                path.replace("?received=1", "")
                    .replace(&token, "{token}")
                    .replace(&asked, "{asked}")
                    .replace(&settled, "{settled}")
            ));
        }
    }
    // The form with its errors, in both languages.
    for lang in ["vi", "en"] {
        c.goto(&app.url(&format!("/complaints/new?lang={lang}"))).await.unwrap();
        c.find(Locator::Css("button[type=submit]"))
            .await
            .unwrap()
            .click()
            .await
            .unwrap();
        c.wait().for_element(Locator::Css(".error-summary")).await.unwrap();
        for v in axe_violations(&c, &axe).await {
            problems.push(format!("form with errors ({lang}): {v}"));
        }
    }
    // The lookup by code and phone digits of a case waiting for information: what is asked,
    // and how to send it without the private link.
    c.goto(&app.url("/track")).await.unwrap();
    fill(&c, "code", &asked_code).await;
    fill(&c, "phone_last4", "5678").await;
    click(&c, Locator::Css("button[type=submit]")).await;
    c.wait()
        .for_element(Locator::Css("blockquote.requested"))
        .await
        .unwrap();
    shot_full(&c, "track-information-asked-phone-full").await;
    for v in axe_violations(&c, &axe).await {
        problems.push(format!("lookup of a case waiting for information: {v}"));
    }
    // The information form sent empty: its errors on the status page.
    c.goto(&app.url(&format!("/t/{asked}"))).await.unwrap();
    c.find(Locator::Css("form[action$='/info'] button[type=submit]"))
        .await
        .unwrap()
        .click()
        .await
        .unwrap();
    c.wait().for_element(Locator::Css(".error-summary")).await.unwrap();
    shot(&c, "add-info-errors-phone").await;
    shot_full(&c, "add-info-errors-phone-full").await;
    for v in axe_violations(&c, &axe).await {
        problems.push(format!("information with errors: {v}"));
    }
    c.close().await.unwrap();
    assert!(
        problems.is_empty(),
        "accessibility violations:\n{}",
        problems.join("\n")
    );
    app.assert_no_failed_jobs();
}

#[actix_web::test]
async fn citizen_pages_pass_the_accessibility_checker_sqlite() {
    citizen_pages_pass_the_accessibility_checker(Backend::Sqlite).await;
}

#[actix_web::test]
async fn citizen_pages_pass_the_accessibility_checker_postgres() {
    citizen_pages_pass_the_accessibility_checker(Backend::Postgres).await;
}

#[actix_web::test]
async fn citizen_files_and_follows_in_a_browser_sqlite() {
    citizen_files_and_follows_in_a_browser(Backend::Sqlite).await;
}

#[actix_web::test]
async fn citizen_files_and_follows_in_a_browser_postgres() {
    citizen_files_and_follows_in_a_browser(Backend::Postgres).await;
}

/// The business's page (`/b/{token}`, issue 12) in a browser without JavaScript: opened from
/// the forwarding e-mail, a refused file sent through its evidence form (the error summary and
/// the reason beside the field), then an allowed one; screenshots at phone and desktop widths;
/// axe-core on the page and on its error state when installed.
async fn business_page_in_a_browser(backend: Backend) {
    let Some(app) = crate::helpers::spawn_app(backend).await else {
        return;
    };
    let Some(driver) = start_driver() else { return };
    let tag = match backend {
        Backend::Sqlite => "sqlite",
        Backend::Postgres => "postgres",
    };
    let (_, _, token) = crate::followup::forwarded(&app, "browser.biz.h", "2026-12-01").await;
    let axe_path = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("target/axe/node_modules/axe-core/axe.min.js");
    let axe = std::fs::read_to_string(&axe_path).ok();
    let mut problems = Vec::new();
    let c = browser_with_js(&driver, 390, 844, axe.is_some()).await;
    c.goto(&app.url(&format!("/b/{token}"))).await.unwrap();
    assert_eq!(html_lang(&c).await, "vi");
    shot(&c, &format!("{tag}-business-phone")).await;
    shot_full(&c, &format!("{tag}-business-phone-full")).await;
    let width: i64 = serde_json::from_value(
        c.execute("return document.documentElement.scrollWidth", vec![])
            .await
            .unwrap_or(serde_json::json!(390)),
    )
    .unwrap_or(390);
    assert!(width <= 390, "no horizontal scrolling on a phone: {width}");
    if let Some(axe) = &axe {
        for v in axe_violations(&c, axe).await {
            problems.push(format!("business page: {v}"));
        }
    }
    let files = tempfile::tempdir().unwrap();
    let program = files.path().join("bien-ban.jpg");
    std::fs::write(&program, b"MZ\x90\x00 not a photo").unwrap();
    fill(&c, "b-evidence", program.to_str().unwrap()).await;
    click(&c, Locator::Css("form[action$='/evidence'] button[type=submit]")).await;
    let summary = c
        .wait()
        .for_element(Locator::Css(".error-summary"))
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(summary.contains("không thuộc loại được nhận"), "{summary}");
    shot_full(&c, &format!("{tag}-business-evidence-error-phone-full")).await;
    if let Some(axe) = &axe {
        for v in axe_violations(&c, axe).await {
            problems.push(format!("business page with a refused file: {v}"));
        }
    }
    let pdf = files.path().join("phieu-giao-hang.pdf");
    std::fs::write(&pdf, crate::citizen_evidence::PDF).unwrap();
    fill(&c, "b-evidence", pdf.to_str().unwrap()).await;
    click(&c, Locator::Css("form[action$='/evidence'] button[type=submit]")).await;
    let notice = c
        .wait()
        .for_element(Locator::Css(".notice"))
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(notice.contains("Đã gửi tài liệu"), "{notice}");
    // Its own file is listed as a download.
    let link = c.find(Locator::LinkText("phieu-giao-hang.pdf")).await.unwrap();
    let href = link.attr("href").await.unwrap().unwrap_or_default();
    assert!(href.starts_with(&format!("/b/{token}/files/")), "{href}");
    c.close().await.unwrap();
    let d = browser(&driver, 1366, 768).await;
    d.goto(&app.url(&format!("/b/{token}"))).await.unwrap();
    shot(&d, &format!("{tag}-business-desktop")).await;
    shot_full(&d, &format!("{tag}-business-desktop-full")).await;
    d.close().await.unwrap();
    assert!(
        problems.is_empty(),
        "accessibility violations:\n{}",
        problems.join("\n")
    );
    app.worker.drain().await.unwrap();
    app.state.clock.reset();
}

#[actix_web::test]
async fn business_page_in_a_browser_sqlite() {
    business_page_in_a_browser(Backend::Sqlite).await;
}

#[actix_web::test]
async fn business_page_in_a_browser_postgres() {
    business_page_in_a_browser(Backend::Postgres).await;
}
