//! The web app as its users meet it: a real Chromium (Debian's `chromium` and
//! `chromium-driver`, installed by `scripts/setup.sh`) driven over WebDriver, plus the
//! protections a browser relies on checked at the HTTP level. Screenshots of each page, at
//! desktop and phone widths, go to `target/screenshots/` (`QUORUM_SCREENSHOTS` to change).

use std::net::TcpListener;
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::time::Duration;

use fantoccini::{Client, ClientBuilder, Locator};
use serde_json::{json, Value};

use crate::helpers::{spawn_app, TestApp};

/// A Chromium session of its own, closed (with its driver) when dropped.
struct Browser {
    client: Client,
    driver: Child,
}

impl Drop for Browser {
    fn drop(&mut self) {
        let _ = self.driver.kill();
        let _ = self.driver.wait();
    }
}

fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

fn find(program: &str, candidates: &[&str]) -> PathBuf {
    candidates
        .iter()
        .map(PathBuf::from)
        .find(|p| p.exists())
        .unwrap_or_else(|| {
            panic!("{program} is not installed: run `bash scripts/setup.sh` (it installs Debian's chromium and chromium-driver)")
        })
}

/// Chromium with `lang` as the browser's language, `width` pixels wide.
async fn browser(lang: &str, width: u32) -> Browser {
    let driver_path = find(
        "chromedriver",
        &["/usr/bin/chromedriver", "/usr/lib/chromium/chromedriver"],
    );
    let chromium = find(
        "chromium",
        &["/usr/bin/chromium", "/usr/lib/chromium/chromium"],
    );
    let port = free_port();
    let driver = Command::new(driver_path)
        .arg(format!("--port={port}"))
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let mut caps = serde_json::Map::new();
    caps.insert(
        "goog:chromeOptions".into(),
        json!({
            "binary": chromium,
            "args": [
                "--headless=new", "--no-sandbox", "--disable-dev-shm-usage", "--disable-gpu",
                format!("--window-size={width},900"), format!("--lang={lang}"),
            ],
            "prefs": { "intl.accept_languages": lang },
        }),
    );
    if width < 500 {
        // A desktop window cannot be narrower than about 500 px: a phone is emulated.
        if let Some(Value::Object(options)) = caps.get_mut("goog:chromeOptions") {
            options.insert(
                "mobileEmulation".into(),
                json!({ "deviceMetrics": { "width": width, "height": 812, "pixelRatio": 2 } }),
            );
        }
    }
    let url = format!("http://127.0.0.1:{port}");
    let deadline = tokio::time::Instant::now() + Duration::from_secs(20);
    let client = loop {
        let connector = hyper_util::client::legacy::connect::HttpConnector::new();
        match ClientBuilder::new(connector)
            .capabilities(caps.clone())
            .connect(&url)
            .await
        {
            Ok(client) => break client,
            Err(e) if tokio::time::Instant::now() < deadline => {
                let _ = e;
                tokio::time::sleep(Duration::from_millis(200)).await;
            }
            Err(e) => panic!("chromedriver did not start: {e}"),
        }
    };
    Browser { client, driver }
}

fn screenshot_dir() -> PathBuf {
    let dir = std::env::var_os("QUORUM_SCREENSHOTS").map_or_else(
        || PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../target/screenshots"),
        PathBuf::from,
    );
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

async fn screenshot(b: &Browser, name: &str) {
    let png = b.client.screenshot().await.unwrap();
    std::fs::write(screenshot_dir().join(format!("{name}.png")), png).unwrap();
}

async fn text_of(b: &Browser, css: &str) -> String {
    let found = b
        .client
        .wait()
        .at_most(Duration::from_secs(10))
        .for_element(Locator::Css(css))
        .await;
    match found {
        Ok(element) => element.text().await.unwrap(),
        Err(e) => panic!("no `{css}` on {}: {e}", path(b).await),
    }
}

/// Waits (up to `secs`) until the text of `css` satisfies `ok` — across page loads, when
/// the element found may belong to the page being left.
async fn wait_text(b: &Browser, css: &str, secs: u64, ok: impl Fn(&str) -> bool) -> String {
    let deadline = tokio::time::Instant::now() + Duration::from_secs(secs);
    let mut last = String::new();
    loop {
        if let Ok(element) = b.client.find(Locator::Css(css)).await {
            if let Ok(text) = element.text().await {
                if ok(&text) {
                    return text;
                }
                last = text;
            }
        }
        assert!(
            tokio::time::Instant::now() < deadline,
            "`{css}` on {} still reads {last:?}",
            path(b).await
        );
        tokio::time::sleep(Duration::from_millis(150)).await;
    }
}

async fn fill(b: &Browser, css: &str, value: &str) {
    let field = b
        .client
        .wait()
        .at_most(Duration::from_secs(10))
        .for_element(Locator::Css(css))
        .await
        .unwrap();
    field.clear().await.unwrap();
    field.send_keys(value).await.unwrap();
}

async fn submit(b: &Browser, form: &str) {
    b.client
        .find(Locator::Css(&format!("{form} button[type=submit]")))
        .await
        .unwrap()
        .click()
        .await
        .unwrap();
}

async fn path(b: &Browser) -> String {
    b.client.current_url().await.unwrap().path().to_string()
}

/// Waits for the browser to arrive at `expected`.
async fn arrive(b: &Browser, expected: &str) {
    let deadline = tokio::time::Instant::now() + Duration::from_secs(10);
    while path(b).await != expected {
        assert!(
            tokio::time::Instant::now() < deadline,
            "stayed at {} instead of {expected}",
            path(b).await
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

fn unique_email(tag: &str) -> String {
    format!("{tag}-{}@example.com", uuid::Uuid::new_v4().simple())
}

#[tokio::test]
async fn a_new_user_registers_signs_out_and_signs_in_again_in_korean() {
    let app = spawn_app().await;
    let b = browser("ko-KR", 1280).await;
    let email = unique_email("minji");

    b.client.goto(&app.url("/")).await.unwrap();
    arrive(&b, "/login").await;
    assert_eq!(text_of(&b, "main h1").await, "Quorum에 로그인");
    let lang = b
        .client
        .find(Locator::Css("html"))
        .await
        .unwrap()
        .attr("lang")
        .await
        .unwrap();
    assert_eq!(lang.as_deref(), Some("ko"));
    screenshot(&b, "login-ko-desktop").await;

    b.client
        .find(Locator::LinkText("계정 만들기"))
        .await
        .unwrap()
        .click()
        .await
        .unwrap();
    arrive(&b, "/register").await;
    fill(&b, "#name", "김민지").await;
    fill(&b, "#email", &email).await;
    fill(&b, "#password", "correct horse battery").await;
    screenshot(&b, "register-ko-desktop").await;
    submit(&b, "main form").await;

    arrive(&b, "/").await;
    assert_eq!(text_of(&b, "main h1").await, "김민지님, 안녕하세요");
    let todos = text_of(&b, "#todos-heading + p").await;
    assert!(todos.contains("할 일이 없습니다"), "{todos}");
    screenshot(&b, "dashboard-ko-empty-desktop").await;

    // The session cookie is out of a script's reach.
    let visible: Value = b
        .client
        .execute("return document.cookie", vec![])
        .await
        .unwrap();
    assert!(
        !visible.as_str().unwrap_or("").contains("quorum_session"),
        "{visible}"
    );
    let cookie = b.client.get_named_cookie("quorum_session").await.unwrap();
    assert_eq!(cookie.http_only(), Some(true));
    assert_eq!(format!("{:?}", cookie.same_site()), "Some(Lax)");

    // Sign out, then a wrong password: a sentence in Korean, on the page.
    submit(&b, "form[action='/logout']").await;
    arrive(&b, "/login").await;
    b.client.goto(&app.url("/")).await.unwrap();
    arrive(&b, "/login").await;
    fill(&b, "#email", &email).await;
    fill(&b, "#password", "not my password").await;
    submit(&b, "main form").await;
    let alert = text_of(&b, "[role=alert]").await;
    assert!(
        alert.contains("이메일 주소 또는 비밀번호가 올바르지 않습니다"),
        "{alert}"
    );
    screenshot(&b, "login-ko-wrong-password").await;

    fill(&b, "#password", "correct horse battery").await;
    submit(&b, "main form").await;
    arrive(&b, "/").await;
    assert_eq!(text_of(&b, "main h1").await, "김민지님, 안녕하세요");

    // The same e-mail again: taken, said in Korean; the name typed is kept.
    submit(&b, "form[action='/logout']").await;
    arrive(&b, "/login").await;
    b.client.goto(&app.url("/register")).await.unwrap();
    fill(&b, "#name", "다른 사람").await;
    fill(&b, "#email", &email).await;
    fill(&b, "#password", "another long password").await;
    submit(&b, "main form").await;
    let alert = text_of(&b, "[role=alert]").await;
    assert!(alert.contains("이미 있습니다"), "{alert}");
    let kept = b
        .client
        .find(Locator::Css("#name"))
        .await
        .unwrap()
        .prop("value")
        .await
        .unwrap();
    assert_eq!(kept.as_deref(), Some("다른 사람"));
}

#[tokio::test]
async fn the_dashboard_shows_meetings_and_todos_with_user_text_inert_in_english() {
    let app = spawn_app().await;
    let email = unique_email("dana");
    let dana = app.register("Dana <b>Kim</b>", &email).await;
    let hostile = "<script>window.__pwned=1</script><img src=x onerror=\"window.__pwned=2\">";
    let in_two_days = chrono::Utc::now() + chrono::Duration::days(2);
    let mut body = json!({
        "title": hostile,
        "scheduledAt": in_two_days.to_rfc3339(),
        "participantIds": [],
    });
    app.create_meeting_with(&dana, &mut body).await;
    let yesterday = (chrono::Utc::now() - chrono::Duration::days(1)).date_naive();
    let res = app
        .post(
            &dana,
            "/api/todos",
            json!({
                "title": "Send the <i>budget</i> to finance",
                "assigneeId": dana.id,
                "dueDate": yesterday.to_string(),
            }),
        )
        .await;
    assert_eq!(res.status(), 201, "{}", res.text().await.unwrap());

    for (width, name) in [(1280, "desktop"), (375, "phone")] {
        let b = browser("en-US", width).await;
        b.client.goto(&app.url("/login")).await.unwrap();
        assert_eq!(text_of(&b, "main h1").await, "Sign in to Quorum");
        fill(&b, "#email", &email).await;
        fill(&b, "#password", "correct horse battery").await;
        submit(&b, "main form").await;
        arrive(&b, "/").await;

        assert_eq!(text_of(&b, "main h1").await, "Hello, Dana <b>Kim</b>");
        let meetings = text_of(&b, "#meetings-heading + ul").await;
        assert!(meetings.contains(hostile), "{meetings}");
        assert!(meetings.contains("Scheduled"), "{meetings}");
        let todos = text_of(&b, "#todos-heading ~ h3").await;
        assert_eq!(todos, "Overdue");
        let todo = text_of(&b, "#todos-heading ~ ul .title").await;
        assert_eq!(todo, "Send the <i>budget</i> to finance");
        let pwned: Value = b
            .client
            .execute("return window.__pwned === undefined", vec![])
            .await
            .unwrap();
        assert_eq!(pwned, json!(true), "user text ran as markup");
        screenshot(&b, &format!("dashboard-en-{name}")).await;
    }
}

/// A client that does not follow redirects, to see each answer as the browser gets it.
fn raw_client() -> reqwest::Client {
    reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap()
}

async fn csrf_cookie(app: &TestApp, client: &reqwest::Client) -> String {
    let res = client.get(app.url("/login")).send().await.unwrap();
    let set = res
        .headers()
        .get_all("set-cookie")
        .iter()
        .map(|v| v.to_str().unwrap().to_string())
        .find(|v| v.starts_with("quorum_csrf="))
        .expect("the login page sets the CSRF cookie");
    assert!(
        set.contains("HttpOnly") && set.contains("SameSite=Strict"),
        "{set}"
    );
    set.trim_start_matches("quorum_csrf=")
        .split(';')
        .next()
        .unwrap()
        .to_string()
}

#[tokio::test]
async fn a_cross_site_or_tokenless_form_post_is_refused_and_pages_carry_their_protections() {
    let app = spawn_app().await;
    let client = raw_client();
    let email = unique_email("eve");
    app.register("Eve", &email).await;
    let token = csrf_cookie(&app, &client).await;
    let form = [
        ("email", email.as_str()),
        ("password", "correct horse battery"),
        ("_csrf", token.as_str()),
    ];

    // From another site, even with the right token: refused, in words.
    let res = client
        .post(app.url("/login"))
        .header("cookie", format!("quorum_csrf={token}"))
        .header("origin", "http://evil.example")
        .header("accept-language", "en")
        .form(&form)
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 403);
    let page = res.text().await.unwrap();
    assert!(page.contains("sent from another site"), "{page}");

    // Without the cookie's token: refused.
    let res = client
        .post(app.url("/login"))
        .header("cookie", format!("quorum_csrf={token}"))
        .form(&[
            ("email", email.as_str()),
            ("password", "correct horse battery"),
            ("_csrf", "forged"),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 403);

    // Our own form: a session cookie, HttpOnly, and the dashboard.
    let res = client
        .post(app.url("/login"))
        .header("cookie", format!("quorum_csrf={token}"))
        .header("origin", app.url(""))
        .form(&form)
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 303);
    assert_eq!(res.headers()["location"], "/");
    let session = res.headers()["set-cookie"].to_str().unwrap().to_string();
    assert!(
        session.starts_with("quorum_session=") && session.contains("HttpOnly"),
        "{session}"
    );

    // Every page: a Content-Security-Policy without inline script, no framing.
    let res = client.get(app.url("/login")).send().await.unwrap();
    let csp = res.headers()["content-security-policy"]
        .to_str()
        .unwrap()
        .to_string();
    assert!(
        csp.contains("script-src 'self'") && !csp.contains("unsafe-inline"),
        "{csp}"
    );
    assert_eq!(res.headers()["x-frame-options"], "DENY");
    let html = res.text().await.unwrap();
    let css = html
        .split("href=\"/static/")
        .nth(1)
        .unwrap()
        .split('"')
        .next()
        .unwrap();
    let res = client
        .get(app.url(&format!("/static/{css}")))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 200);
    assert!(res.headers()["cache-control"]
        .to_str()
        .unwrap()
        .contains("immutable"));

    // A real 404 page for a page that does not exist; the API keeps its problem+json.
    let res = client
        .get(app.url("/no/such/page"))
        .header("accept-language", "ko")
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 404);
    assert!(res.headers()["content-type"]
        .to_str()
        .unwrap()
        .starts_with("text/html"));
    assert!(res
        .text()
        .await
        .unwrap()
        .contains("페이지를 찾을 수 없습니다"));
    let res = client
        .get(app.url("/api/no-such-thing"))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 404);
    assert!(res.headers()["content-type"]
        .to_str()
        .unwrap()
        .contains("json"));
}

#[tokio::test]
async fn a_meeting_is_scheduled_held_and_its_minutes_read_in_the_browser() {
    let app = spawn_app().await;
    let b = browser("en-US", 1280).await;
    b.client.goto(&app.url("/register")).await.unwrap();
    fill(&b, "#name", "Dana Park").await;
    fill(&b, "#email", &unique_email("dana")).await;
    fill(&b, "#password", "correct horse battery").await;
    submit(&b, "main form").await;
    arrive(&b, "/").await;

    b.client
        .find(Locator::LinkText("Schedule a meeting"))
        .await
        .unwrap()
        .click()
        .await
        .unwrap();
    arrive(&b, "/meetings/new").await;
    fill(&b, "#title", "Launch review").await;
    fill(&b, "#agenda", "Launch checklist").await;
    // An address nobody registered is named in the answer; the colleague's is found.
    fill(&b, "#invite", "nobody@example.com").await;
    submit(&b, "main form").await;
    let alert = text_of(&b, "[role=alert]").await;
    assert!(
        alert.contains("No Quorum account has the address nobody@example.com"),
        "{alert}"
    );
    let bo_email = unique_email("bo");
    app.register("Bo Han", &bo_email).await;
    fill(&b, "#invite", &bo_email.to_uppercase()).await;
    screenshot(&b, "meeting-new-en").await;
    submit(&b, "main form").await;
    wait_text(&b, "main h1", 10, |t| t == "Launch review").await;
    wait_text(&b, ".meeting-head .status", 10, |t| t == "Scheduled").await;
    let people = text_of(&b, "#people-heading + ul").await;
    assert!(
        people.contains("Dana Park") && people.contains("Bo Han"),
        "{people}"
    );
    let meeting_path = path(&b).await;

    // The dashboard lists it, linked to its page.
    b.client.goto(&app.url("/")).await.unwrap();
    b.client
        .find(Locator::LinkText("Launch review"))
        .await
        .unwrap()
        .click()
        .await
        .unwrap();
    arrive(&b, &meeting_path).await;

    submit(&b, &format!("form[action='{meeting_path}/start']")).await;
    fill(
        &b,
        "#notes",
        "Dana Park: We decided to launch on the first of next month.\nDana Park: I will send the release notes by Friday.",
    )
    .await;
    submit(&b, "main form").await; // Save notes
    wait_text(&b, "[role=alert], .meeting-head .status", 10, |t| {
        t == "In progress"
    })
    .await;
    b.client.goto(&app.url(&meeting_path)).await.unwrap();
    let saved = b
        .client
        .find(Locator::Css("#notes"))
        .await
        .unwrap()
        .prop("value")
        .await
        .unwrap()
        .unwrap_or_default();
    assert!(
        saved.contains("release notes"),
        "the notes were not saved: {saved:?}"
    );
    screenshot(&b, "meeting-in-progress-en").await;
    b.client
        .find(Locator::Css(&format!(
            "button[formaction='{meeting_path}/end']"
        )))
        .await
        .unwrap()
        .click()
        .await
        .unwrap();

    // The page follows the pipeline on its own until the minutes are there.
    wait_text(&b, ".meeting-head .status", 60, |t| t == "Minutes ready").await;
    // The analysis may follow the transcript by a moment; the page keeps refreshing.
    let actions = wait_text(&b, "#actions-heading + ul", 60, |t| {
        t.to_lowercase().contains("release notes")
    })
    .await;
    assert!(actions.contains("Dana Park"), "{actions}");
    let transcript = text_of(&b, "#transcript-heading + ol").await;
    assert!(
        transcript.contains("I will send the release notes by Friday"),
        "{transcript}"
    );
    screenshot(&b, "minutes-en-desktop").await;

    // The action item is Dana's to-do; it moves forward in place.
    b.client
        .find(Locator::LinkText("To-dos"))
        .await
        .unwrap()
        .click()
        .await
        .unwrap();
    arrive(&b, "/todos").await;
    let open = wait_text(&b, "ul.todos", 20, |t| {
        t.to_lowercase().contains("release notes")
    })
    .await;
    assert!(open.contains("Open"), "{open}");
    screenshot(&b, "todos-en-desktop").await;
    b.client
        .find(Locator::Css("ul.todos button[aria-label^='Mark done']"))
        .await
        .unwrap()
        .click()
        .await
        .unwrap();
    wait_text(&b, "section.card", 10, |t| t.contains("Nothing to do")).await;
    b.client
        .find(Locator::LinkText("Done"))
        .await
        .unwrap()
        .click()
        .await
        .unwrap();
    let done = wait_text(&b, "ul.todos", 10, |t| {
        t.to_lowercase().contains("release notes")
    })
    .await;
    assert!(done.contains("Done"), "{done}");

    // The meeting's notifications, each linked to it; read one by one until none is unread.
    b.client
        .find(Locator::LinkText("Notifications"))
        .await
        .unwrap()
        .click()
        .await
        .unwrap();
    arrive(&b, "/notifications").await;
    wait_text(&b, "ul.notifications", 20, |t| t.contains("Launch review")).await;
    let link = b
        .client
        .find(Locator::Css("ul.notifications a"))
        .await
        .unwrap()
        .attr("href")
        .await
        .unwrap();
    assert_eq!(link.as_deref(), Some(meeting_path.as_str()));
    screenshot(&b, "notifications-en-desktop").await;
    b.client
        .goto(&app.url("/notifications?show=unread"))
        .await
        .unwrap();
    for _ in 0..60 {
        let card = match b.client.find(Locator::Css("section.card")).await {
            Ok(card) => card.text().await.unwrap_or_default(),
            Err(_) => String::new(),
        };
        if card.contains("No unread notifications") {
            break;
        }
        if let Ok(button) = b
            .client
            .find(Locator::Css("ul.notifications form button"))
            .await
        {
            // The page may be reloading under the click; the next round finds the new one.
            let _ = button.click().await;
        }
        tokio::time::sleep(Duration::from_millis(300)).await;
    }
    wait_text(&b, "section.card", 10, |t| {
        t.contains("No unread notifications")
    })
    .await;
}
