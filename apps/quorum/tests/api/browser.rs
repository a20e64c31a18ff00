//! The web app as its users meet it: a real Chromium (Debian's `chromium` and
//! `chromium-driver`, installed by `scripts/setup.sh`) driven over WebDriver, plus the
//! protections a browser relies on checked at the HTTP level. Screenshots of each page, at
//! desktop and phone widths, go to `target/screenshots/` (`QUORUM_SCREENSHOTS` to change).

use std::net::TcpListener;
use std::os::unix::process::CommandExt as _;
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::time::Duration;

use fantoccini::{Client, ClientBuilder, Locator};
use serde_json::{json, Value};

use crate::helpers::{spawn_app, TestApp};
#[cfg(feature = "whisper")]
use crate::helpers::{spawn_with, test_settings};

/// A Chromium session of its own, closed (with its driver) when dropped.
struct Browser {
    client: Client,
    driver: Child,
}

impl Drop for Browser {
    /// The driver runs in a process group of its own, with the Chromium it starts: the whole
    /// group goes, or every test would leave a browser's dozen processes behind.
    fn drop(&mut self) {
        let group = format!("-{}", self.driver.id());
        let _ = Command::new("kill")
            .args(["-KILL", "--", &group])
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .status();
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
    browser_with(lang, width, &[]).await
}

/// The same, with more command-line switches for Chromium.
async fn browser_with(lang: &str, width: u32, switches: &[String]) -> Browser {
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
        .process_group(0)
        .arg(format!("--port={port}"))
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let mut args = vec![
        "--headless=new".to_string(),
        "--no-sandbox".into(),
        "--disable-dev-shm-usage".into(),
        "--disable-gpu".into(),
        format!("--window-size={width},900"),
        format!("--lang={lang}"),
    ];
    args.extend(switches.iter().cloned());
    let mut caps = serde_json::Map::new();
    caps.insert(
        "goog:chromeOptions".into(),
        json!({
            "binary": chromium,
            "args": args,
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

/// A screenshot of the page, after checking it with axe-core ([`accessible`]).
async fn screenshot(b: &Browser, name: &str) {
    accessible(b, name).await;
    let png = b.client.screenshot().await.unwrap();
    std::fs::write(screenshot_dir().join(format!("{name}.png")), png).unwrap();
}

/// axe-core, from npm (`scripts/setup.sh` installs it; `QUORUM_AXE_JS` names another copy).
fn axe_script() -> String {
    let path = std::env::var_os("QUORUM_AXE_JS").map_or_else(
        || {
            let home = std::env::var_os("HOME").unwrap_or_default();
            PathBuf::from(home).join(".cache/quorum/npm/node_modules/axe-core/axe.min.js")
        },
        PathBuf::from,
    );
    std::fs::read_to_string(&path).unwrap_or_else(|e| {
        panic!(
            "axe-core is not at {}: run `bash scripts/setup.sh` ({e})",
            path.display()
        )
    })
}

/// Runs axe-core on the page as it stands: no serious or critical violation.
async fn accessible(b: &Browser, name: &str) {
    let loaded: Value = b
        .client
        .execute("return typeof window.axe", vec![])
        .await
        .unwrap();
    if loaded != json!("object") {
        b.client.execute(&axe_script(), vec![]).await.unwrap();
    }
    let found = b
        .client
        .execute_async(
            r#"const done = arguments[arguments.length - 1];
            window.axe.run(document, { resultTypes: ["violations"] })
              .then((r) => done(r.violations
                .filter((v) => v.impact === "serious" || v.impact === "critical")
                .map((v) => `${v.id} (${v.impact}): ${v.help} at ${v.nodes.map((n) => n.target.join(" ")).join(", ")}`)))
              .catch((e) => done([`axe-core failed: ${e}`]));"#,
            vec![],
        )
        .await
        .unwrap();
    let found = found.as_array().cloned().unwrap_or_default();
    assert!(found.is_empty(), "{name}: {found:#?}");
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
    click(b, Locator::Css(&format!("{form} button[type=submit]"))).await;
}

/// Clicks what `locator` finds (it must be on the page).
async fn click(b: &Browser, locator: Locator<'_>) {
    b.client.find(locator).await.unwrap().click().await.unwrap();
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

    click(&b, Locator::LinkText("계정 만들기")).await;
    arrive(&b, "/register").await;
    fill(&b, "#name", "김민지").await;
    fill(&b, "#email", &email).await;
    // A password anyone would guess: refused, said in Korean, the form kept.
    fill(&b, "#password", "password1234").await;
    submit(&b, "main form").await;
    let alert = text_of(&b, "[role=alert]").await;
    assert!(alert.contains("추측하기 너무 쉬운 비밀번호"), "{alert}");
    screenshot(&b, "register-ko-weak-password").await;
    fill(&b, "#password", "correct horse battery").await;
    screenshot(&b, "register-ko-desktop").await;
    submit(&b, "main form").await;

    arrive(&b, "/").await;
    assert_eq!(text_of(&b, "main h1").await, "김민지님, 안녕하세요");
    let todos = text_of(&b, "#todos-heading + p").await;
    assert!(todos.contains("할 일이 없습니다"), "{todos}");
    screenshot(&b, "dashboard-ko-empty-desktop").await;

    // A meeting from a template: with no agenda written, the template's sections are the
    // agenda, in Korean.
    b.client.goto(&app.url("/meetings/new")).await.unwrap();
    fill(&b, "#title", "주간 회의").await;
    let first_template = b
        .client
        .find(Locator::Css("#template option:nth-child(2)"))
        .await
        .unwrap();
    first_template.click().await.unwrap();
    submit(&b, "main form").await;
    wait_text(&b, "main h1", 10, |t| t == "주간 회의").await;
    let agenda = text_of(&b, "#agenda-heading + p").await;
    assert!(
        agenda.chars().any(|c| ('가'..='힣').contains(&c)),
        "the template's agenda: {agenda}"
    );

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
    fill(&b, "#password", "violet anchor meadow 82").await;
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

    click(&b, Locator::LinkText("Schedule a meeting")).await;
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

    // The owner changes it: the form comes filled in, the colleague still invited — by name,
    // a ticked box; their address is nowhere on the page (the API does not show it).
    click(&b, Locator::LinkText("Change")).await;
    arrive(&b, &format!("{meeting_path}/edit")).await;
    assert_eq!(text_of(&b, "#invited label").await, "Bo Han");
    let kept = b
        .client
        .find(Locator::Css("#invited input[name=keep]"))
        .await
        .unwrap()
        .prop("checked")
        .await
        .unwrap();
    assert_eq!(kept.as_deref(), Some("true"));
    assert_eq!(value_of(&b, "#invite").await, "");
    let source = b.client.source().await.unwrap();
    assert!(!source.to_lowercase().contains(&bo_email.to_lowercase()));
    fill(&b, "#agenda", "Launch checklist and risks").await;
    screenshot(&b, "meeting-edit-en").await;
    submit(&b, "main form").await;
    arrive(&b, &meeting_path).await;
    wait_text(&b, "#agenda-heading + p", 10, |t| {
        t == "Launch checklist and risks"
    })
    .await;
    let people = text_of(&b, "#people-heading + ul").await;
    assert!(people.contains("Bo Han"), "still invited: {people}");

    // The dashboard lists it, linked to its page.
    b.client.goto(&app.url("/")).await.unwrap();
    click(&b, Locator::LinkText("Launch review")).await;
    arrive(&b, &meeting_path).await;

    submit(&b, &format!("form[action='{meeting_path}/start']")).await;
    // The notes save themselves; a participant's name starts a line with one click.
    fill(
        &b,
        "#notes",
        "Dana Park: We decided to launch on the first of next month.",
    )
    .await;
    click(&b, Locator::Css("#speakers button[data-name='Dana Park']")).await;
    b.client
        .find(Locator::Css("#notes"))
        .await
        .unwrap()
        .send_keys("I will send the release notes by Friday. Let's meet again next Tuesday at 10.")
        .await
        .unwrap();
    wait_text(&b, "#notes-status", 10, |t| t.starts_with("Saved at")).await;
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
    assert_eq!(
        saved,
        "Dana Park: We decided to launch on the first of next month.\nDana Park: I will send the release notes by Friday. Let's meet again next Tuesday at 10.",
        "the notes were not saved as written"
    );
    screenshot(&b, "meeting-in-progress-en").await;
    click(
        &b,
        Locator::Css(&format!("button[formaction='{meeting_path}/end']")),
    )
    .await;

    // The page follows the pipeline on its own until the minutes are there.
    wait_text(&b, ".meeting-head .status", 60, |t| t == "Minutes ready").await;
    // The analysis may follow the transcript by a moment; the page keeps refreshing.
    let actions = wait_text(&b, "#actions-heading + ul", 60, |t| {
        t.to_lowercase().contains("release notes")
    })
    .await;
    assert!(actions.contains("Dana Park"), "{actions}");
    let transcript = text_of(&b, "ol.sections").await;
    assert!(
        transcript.contains("I will send the release notes by Friday"),
        "{transcript}"
    );
    screenshot(&b, "minutes-en-desktop").await;

    // The suggested follow-up: a calendar file, or a meeting scheduled in one click.
    let ics_link = b
        .client
        .find(Locator::Css("#follow-up a[download]"))
        .await
        .unwrap()
        .attr("href")
        .await
        .unwrap()
        .unwrap();
    let ics: Value = b
        .client
        .execute_async(
            "const done = arguments[arguments.length - 1];
             fetch(arguments[0]).then((r) => r.text()).then(done, (e) => done(String(e)));",
            vec![json!(ics_link)],
        )
        .await
        .unwrap();
    let ics = ics.as_str().unwrap_or_default();
    assert!(
        ics.starts_with("BEGIN:VCALENDAR") && ics.contains("Bo Han"),
        "{ics}"
    );
    let suggested = text_of(&b, "#follow-up li .title").await;
    submit(&b, "#follow-up form").await;
    wait_text(&b, "main h1", 10, |t| t == suggested).await;
    assert_ne!(path(&b).await, meeting_path);
    wait_text(&b, ".meeting-head .status", 10, |t| t == "Scheduled").await;
    let invited = text_of(&b, "#people-heading + ul").await;
    assert!(invited.contains("Bo Han"), "{invited}");
    b.client.goto(&app.url(&meeting_path)).await.unwrap();

    // The action item is Dana's to-do; it moves forward in place.
    click(&b, Locator::LinkText("To-dos")).await;
    arrive(&b, "/todos").await;
    let open = wait_text(&b, "ul.todos", 20, |t| {
        t.to_lowercase().contains("release notes")
    })
    .await;
    assert!(open.contains("Open"), "{open}");
    screenshot(&b, "todos-en-desktop").await;
    // Its own page: a new title and due date.
    click(&b, Locator::Css("ul.todos a.title")).await;
    wait_text(&b, "main h1", 10, |t| {
        t.to_lowercase().contains("release notes")
    })
    .await;
    let owner = b
        .client
        .find(Locator::Css("#assignee option[selected]"))
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert_eq!(owner, "Dana Park");
    fill(&b, "#title", "Send the release notes to the press").await;
    b.client
        .execute(
            "document.getElementById('due').value = '2030-01-15'",
            vec![],
        )
        .await
        .unwrap();
    screenshot(&b, "todo-edit-en").await;
    submit(&b, "main form").await;
    arrive(&b, "/todos").await;
    let open = wait_text(&b, "ul.todos", 10, |t| t.contains("to the press")).await;
    assert!(open.contains("Jan 15, 2030"), "{open}");
    // Done, in place: htmx posts the form and swaps in the new list, the page stays.
    b.client
        .execute("window.__stayed = true", vec![])
        .await
        .unwrap();
    click(&b, Locator::Css("ul.todos button[aria-label^='Mark done']")).await;
    wait_text(&b, "section.card", 10, |t| t.contains("Nothing to do")).await;
    let stayed: Value = b
        .client
        .execute("return window.__stayed === true", vec![])
        .await
        .unwrap();
    assert_eq!(stayed, json!(true), "the page was loaded again");
    set_value(&b, "#f-status", "done").await;
    submit(&b, "form.filters").await;
    let done = wait_text(&b, "ul.todos", 10, |t| {
        t.to_lowercase().contains("release notes")
    })
    .await;
    assert!(done.contains("Done"), "{done}");

    // The meeting's notifications, each linked to it; read one by one until none is unread.
    click(&b, Locator::Css("header.top a[href='/notifications']")).await;
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
    // One read by its own button, then the rest at once.
    let before = text_of(&b, "nav.tabs a[aria-current=page]").await;
    submit(&b, "ul.notifications form").await;
    wait_text(&b, "nav.tabs a[aria-current=page]", 10, |t| t != before).await;
    submit(&b, "form[action='/notifications/read-all']").await;
    wait_text(&b, "section.card", 10, |t| {
        t.contains("No unread notifications")
    })
    .await;
    // The bell follows: nothing unread, nothing shown.
    let deadline = tokio::time::Instant::now() + Duration::from_secs(10);
    loop {
        let bell: Value = b
            .client
            .execute(
                "const b = document.querySelector('[data-unread-count]');
                 return [b.hidden, b.dataset.unreadCount];",
                vec![],
            )
            .await
            .unwrap();
        if bell == json!([true, "0"]) {
            break;
        }
        assert!(
            tokio::time::Instant::now() < deadline,
            "the bell still shows {bell}"
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    }

    // How Dana is told: no e-mail for to-dos assigned to her, kept after saving.
    click(&b, Locator::LinkText("How I am told")).await;
    arrive(&b, "/notifications/preferences").await;
    let todo_email = "input[name=email][value='todo.created']";
    let ticked = |b: &Browser| {
        let client = b.client.clone();
        async move {
            client
                .find(Locator::Css(todo_email))
                .await
                .unwrap()
                .prop("checked")
                .await
                .unwrap()
        }
    };
    assert_eq!(ticked(&b).await.as_deref(), Some("true"));
    click(&b, Locator::Css(todo_email)).await;
    screenshot(&b, "notification-preferences-en").await;
    submit(&b, "main form").await;
    wait_text(&b, "[role=status]", 10, |t| t.starts_with("Saved")).await;
    // The page is drawn again from what the API now holds.
    assert_eq!(ticked(&b).await.as_deref(), Some("false"));
    let in_app = b
        .client
        .find(Locator::Css("input[name=in_app][value='todo.created']"))
        .await
        .unwrap()
        .prop("checked")
        .await
        .unwrap();
    assert_eq!(in_app.as_deref(), Some("true"));
}

async fn sign_in(b: &Browser, app: &TestApp, email: &str) {
    b.client.goto(&app.url("/login")).await.unwrap();
    fill(b, "#email", email).await;
    fill(b, "#password", "correct horse battery").await;
    submit(b, "main form").await;
    arrive(b, "/").await;
}

#[tokio::test]
async fn the_owner_corrects_verifies_and_shares_the_minutes_until_the_share_is_revoked_in_korean() {
    let app = spawn_app().await;
    let owner = app.register("박서준", &unique_email("seojun")).await;
    let yuna = app.register("최유나", &unique_email("yuna")).await;
    let colleague = app.register("이하은", &unique_email("haeun")).await;
    let meeting = app.create_meeting(&owner, "분기 보고", &[&yuna]).await;
    let id = meeting["id"].as_str().unwrap();
    let started = app
        .post(&owner, &format!("/api/meetings/{id}/start"), json!({}))
        .await;
    assert_eq!(started.status(), 200);
    let notes =
        "박서준: 다음 주 금요일까지 보고서 초안을 보내겠습니다.\n최유나: 좋아요, 검토할게요.";
    let ended = app
        .post(
            &owner,
            &format!("/api/meetings/{id}/end"),
            json!({ "notes": notes }),
        )
        .await;
    assert_eq!(ended.status(), 200);
    let page = format!("/meetings/{id}");

    let b = browser("ko-KR", 1280).await;
    sign_in(&b, &app, &owner.email).await;
    b.client.goto(&app.url(&page)).await.unwrap();
    // The page follows the pipeline until the analysis is there too.
    wait_text(&b, "#summary-heading + p", 60, |t| !t.contains("작성하고")).await;
    let first = text_of(&b, "#section-0 .text").await;
    assert!(first.contains("보고서 초안"), "{first}");

    // Correct the first section in place: the page comes back at it, corrected.
    click(&b, Locator::Css("#section-0 summary")).await;
    fill(
        &b,
        "#text-0",
        "다음 주 금요일까지 보고서 최종본을 보내겠습니다.",
    )
    .await;
    submit(&b, "#section-0 details form").await;
    wait_text(&b, "#section-0 .text", 10, |t| t.contains("최종본")).await;
    // An empty correction is refused in words, and nothing changes.
    click(&b, Locator::Css("#section-0 summary")).await;
    fill(&b, "#text-0", " ").await;
    submit(&b, "#section-0 details form").await;
    let alert = text_of(&b, "[role=alert]").await;
    assert!(alert.contains("비워 둘 수 없고"), "{alert}");
    assert!(text_of(&b, "#section-0 .text").await.contains("최종본"));

    // Verify it.
    submit(&b, &format!("form[action='{page}/sections/0/verify']")).await;
    wait_text(&b, "#section-0 .badge", 10, |t| t == "확인됨").await;
    let count = text_of(&b, "#transcript-heading + .meta").await;
    assert!(count.contains("2개 구간 중 1개 확인"), "{count}");

    // Share: an address without an account is named as such; the colleague's is found.
    fill(&b, "#share-email", "nobody@example.com").await;
    submit(&b, "#share form:not([action$='revoke'])").await;
    let alert = text_of(&b, "[role=alert]").await;
    assert!(alert.contains("계정이 없습니다"), "{alert}");
    fill(&b, "#share-email", &colleague.email.to_uppercase()).await;
    submit(&b, "#share form:not([action$='revoke'])").await;
    wait_text(&b, "#share ul.readers", 10, |t| t.contains("이하은")).await;
    screenshot(&b, "minutes-ko-desktop").await;

    // The colleague reads the transcript, and nothing else, on the same address.
    let reader = browser("ko-KR", 375).await;
    sign_in(&reader, &app, &colleague.email).await;
    reader.client.goto(&app.url(&page)).await.unwrap();
    let meta = text_of(&reader, ".meeting-head .meta").await;
    assert!(meta.contains("공유된 회의록"), "{meta}");
    let transcript = text_of(&reader, "ol.sections").await;
    assert!(transcript.contains("최종본"), "{transcript}");
    let forms = reader
        .client
        .find_all(Locator::Css("main form"))
        .await
        .unwrap();
    assert!(forms.is_empty(), "a reader may only read");
    screenshot(&reader, "minutes-shared-ko-phone").await;

    // Revoked: gone from the list, and the colleague's next visit finds nothing.
    // This is the owner's ninth page with live updates: those left behind have let go of
    // their streams (a browser holds six connections to a site; a seventh page would hang).
    tokio::time::timeout(
        Duration::from_secs(20),
        submit(&b, "#share form[action$='revoke']"),
    )
    .await
    .expect("the page hung: earlier pages still hold their event streams");
    wait_text(&b, "#share", 10, |t| t.contains("참석자만")).await;
    reader.client.goto(&app.url(&page)).await.unwrap();
    assert_eq!(
        text_of(&reader, "main h1").await,
        "페이지를 찾을 수 없습니다"
    );
}

/// What the fake microphone says.
#[cfg(feature = "whisper")]
const SPOKEN: &str = "Good morning everyone. Let us review the launch plan for next week.";

#[cfg(feature = "whisper")]
#[tokio::test]
async fn a_meeting_recorded_from_the_browser_microphone_becomes_its_minutes() {
    let data = tempfile::tempdir().unwrap();
    let mut settings = test_settings(data.path());
    settings.transcript.stt.engine = quorum_transcript::EngineKind::Whisper;
    settings.transcript.stt.whisper.model_dir = Some(crate::speech::model());
    // One chunk per sentence (not packed together), so the page has parts to count.
    settings.transcript.chunking.pack_ms = 0;
    settings.transcript.chunking.min_silence_ms = 250;
    let app = spawn_with(settings, data).await;
    let owner = app.register("Alice Kim", &unique_email("alice")).await;
    let meeting = app.create_meeting(&owner, "Launch sync", &[]).await;
    let id = meeting["id"].as_str().unwrap();
    let started = app
        .post(&owner, &format!("/api/meetings/{id}/start"), json!({}))
        .await;
    assert_eq!(started.status(), 200);
    let page = format!("/meetings/{id}");

    // Chromium's fake microphone plays speech generated from known text.
    let dir = tempfile::tempdir().unwrap();
    let speech = quorum_test_support::audio::speak(dir.path(), "alice", SPOKEN, "en-us");
    let speech_ms = quorum_audio::probe(&speech).unwrap().duration_ms;
    let b = browser_with(
        "en-US",
        1280,
        &[
            "--use-fake-ui-for-media-stream".into(),
            "--use-fake-device-for-media-stream".into(),
            format!("--use-file-for-fake-audio-capture={}", speech.display()),
            "--autoplay-policy=no-user-gesture-required".into(),
        ],
    )
    .await;
    sign_in(&b, &app, &owner.email).await;
    b.client.goto(&app.url(&page)).await.unwrap();
    let recorder = b
        .client
        .wait()
        .at_most(Duration::from_secs(10))
        .for_element(Locator::Css("#recorder"))
        .await
        .unwrap();
    // The script shows the recorder.
    for _ in 0..50 {
        if recorder.is_displayed().await.unwrap() {
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    assert!(
        recorder.is_displayed().await.unwrap(),
        "record.js did not run"
    );

    click(&b, Locator::Css("#record-start")).await;
    wait_text(&b, "#record-status", 10, |t| t.starts_with("Recording…")).await;
    // While it records: the clock runs and the meter moves with the voice.
    let mut loudest = 0.0_f64;
    let until = tokio::time::Instant::now() + Duration::from_millis(speech_ms + 1_500);
    while tokio::time::Instant::now() < until {
        let level: Value = b
            .client
            .execute(
                "return document.getElementById('record-level').value",
                vec![],
            )
            .await
            .unwrap();
        loudest = loudest.max(level.as_f64().unwrap_or(0.0));
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
    assert!(loudest > 0.0, "the level meter never moved");
    let elapsed = text_of(&b, "#record-time").await;
    assert_ne!(elapsed, "0:00");
    screenshot(&b, "meeting-recording-en-desktop").await;
    click(&b, Locator::Css("#record-stop")).await;
    let uploaded = wait_text(&b, "#record-status", 30, |t| {
        !t.starts_with("Recording…") && !t.starts_with("Uploading")
    })
    .await;
    assert!(uploaded.starts_with("Recording uploaded"), "{uploaded}");
    let listed = app
        .get(&owner, &format!("/api/meetings/{id}/recordings"))
        .await;
    let listed: Value = listed.json().await.unwrap();
    assert_eq!(listed["items"][0]["format"], "webm", "{listed}");

    // End it: the page follows the transcription and the analysis by itself.
    click(
        &b,
        Locator::Css(&format!("button[formaction='{page}/end']")),
    )
    .await;
    // What the page says while it waits, as it changes: the parts of the recording
    // transcribed, one after the other, then the analysis.
    let mut seen: Vec<String> = Vec::new();
    let deadline = tokio::time::Instant::now() + Duration::from_secs(120);
    loop {
        let now: Value = b
            .client
            .execute(
                "const l = document.querySelector('[data-progress-label]');
                 const s = document.querySelector('.meeting-head .status');
                 return [l ? l.textContent : '', s ? s.textContent : ''];",
                vec![],
            )
            .await
            .unwrap_or(Value::Null);
        let label = now[0].as_str().unwrap_or_default().to_owned();
        if !label.is_empty() && seen.last() != Some(&label) {
            seen.push(label);
        }
        if now[1] == "Minutes ready" {
            break;
        }
        assert!(
            tokio::time::Instant::now() < deadline,
            "no minutes after {seen:?}"
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    let parts: Vec<(u32, u32)> = seen
        .iter()
        .filter_map(|l| {
            let rest = l.strip_prefix("Transcribing: part ")?;
            let (done, total) = rest.split_once(" of ")?;
            Some((done.parse().ok()?, total.parse().ok()?))
        })
        .collect();
    assert!(
        parts.iter().any(|(_, total)| *total >= 2),
        "the page never counted the parts: {seen:?}"
    );
    assert!(
        parts.windows(2).all(|w| w[0].0 <= w[1].0),
        "the count went backwards: {seen:?}"
    );
    let transcript = wait_text(&b, "ol.sections", 30, |t| !t.is_empty()).await;
    // Whisper's smallest model mishears a word now and then (more so when the machine is
    // busy and the fake microphone stutters): most of the spoken words must be there.
    let words = transcript.to_lowercase();
    let spoken = [
        "good", "morning", "everyone", "review", "launch", "plan", "next", "week",
    ];
    let heard = spoken.iter().filter(|w| words.contains(*w)).count();
    assert!(
        heard >= 6 && words.contains("alice kim"),
        "{heard} of {} words: {transcript}",
        spoken.len()
    );

    // The recording plays beside the transcript: fetched by byte ranges, and a section's
    // time plays from there with its line highlighted.
    let player = "document.querySelector('#player audio')";
    let ranged: Value = b
        .client
        .execute_async(
            &format!(
                "const done = arguments[arguments.length - 1];
                 fetch({player}.src, {{ headers: {{ Range: 'bytes=0-99' }} }})
                   .then((r) => r.arrayBuffer().then((b) => done([r.status, b.byteLength])))
                   .catch((e) => done(String(e)));"
            ),
            vec![],
        )
        .await
        .unwrap();
    assert_eq!(ranged, json!([206, 100]));
    click(&b, Locator::Css("#section-0 a.time")).await;
    let mut playing = false;
    for _ in 0..50 {
        let state: Value = b
            .client
            .execute(
                &format!(
                    "return [{player}.currentTime > 0, \
                     !!document.querySelector('#section-0.playing')]"
                ),
                vec![],
            )
            .await
            .unwrap();
        if state == json!([true, true]) {
            playing = true;
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    assert!(playing, "the recording did not play from the section");
    screenshot(&b, "minutes-recording-en-desktop").await;
}

#[tokio::test]
async fn settings_change_the_name_and_password_and_sign_out_of_every_browser_in_korean() {
    let app = spawn_app().await;
    let email = unique_email("daeun");
    app.register("정다은", &email).await;
    let a = browser("ko-KR", 1280).await;
    let b = browser("en-US", 375).await;
    sign_in(&a, &app, &email).await;
    sign_in(&b, &app, &email).await;

    // The name in the header leads to the settings.
    click(&a, Locator::Css("header a.who")).await;
    arrive(&a, "/settings").await;
    assert_eq!(text_of(&a, "main h1").await, "설정");
    fill(&a, "#name", "정다은 팀장").await;
    // Seoul's time is the server's here; choosing it by name says so in Korean.
    assert_eq!(text_of(&a, "label[for=timezone]").await, "시간대");
    set_value(&a, "#timezone", "Asia/Seoul").await;
    submit(&a, "form[action='/settings/profile']").await;
    let saved = text_of(&a, "[role=status]").await;
    assert!(saved.contains("프로필을 저장했습니다"), "{saved}");
    assert_eq!(text_of(&a, "header a.who").await, "정다은 팀장");
    let zone = text_of(&a, "#timezone-hint").await;
    assert_eq!(
        zone,
        "날짜와 시간은 Asia/Seoul (UTC+09:00) 기준으로 표시됩니다."
    );

    // A wrong current password is said so, in Korean; nothing changes.
    fill(&a, "#current", "not my password").await;
    fill(&a, "#new", "plum orbit kettle 57").await;
    submit(&a, "form[action='/settings/password']").await;
    let alert = text_of(&a, "[role=alert]").await;
    assert!(
        alert.contains("현재 비밀번호가 올바르지 않습니다"),
        "{alert}"
    );
    screenshot(&a, "settings-ko-desktop").await;

    // A new password that is too easy to guess: said so, in Korean; nothing changes.
    fill(&a, "#current", "correct horse battery").await;
    fill(&a, "#new", "qwerty123456").await;
    submit(&a, "form[action='/settings/password']").await;
    // The page before had an alert too: wait for this one.
    wait_text(&a, "[role=alert]", 10, |t| {
        t.contains("추측하기 너무 쉬운 비밀번호")
    })
    .await;

    // The right one: this browser stays signed in, the other one is signed out at once.
    fill(&a, "#current", "correct horse battery").await;
    fill(&a, "#new", "plum orbit kettle 57").await;
    submit(&a, "form[action='/settings/password']").await;
    let saved = text_of(&a, "[role=status]").await;
    assert!(saved.contains("비밀번호를 바꿨습니다"), "{saved}");
    a.client.goto(&app.url("/")).await.unwrap();
    assert_eq!(text_of(&a, "main h1").await, "정다은 팀장님, 안녕하세요");
    b.client.goto(&app.url("/todos")).await.unwrap();
    arrive(&b, "/login").await;
    b.client.goto(&app.url("/login")).await.unwrap();
    fill(&b, "#email", &email).await;
    fill(&b, "#password", "plum orbit kettle 57").await;
    submit(&b, "main form").await;
    arrive(&b, "/").await;
    b.client.goto(&app.url("/settings")).await.unwrap();
    screenshot(&b, "settings-en-phone").await;

    // Sign out everywhere: both browsers are out.
    a.client.goto(&app.url("/settings")).await.unwrap();
    submit(&a, "form[action='/settings/sign-out-everywhere']").await;
    arrive(&a, "/login").await;
    b.client.goto(&app.url("/todos")).await.unwrap();
    arrive(&b, "/login").await;
    a.client.goto(&app.url("/")).await.unwrap();
    arrive(&a, "/login").await;
}

/// Sets a form control's value the way a person's choice would (a `datetime-local` or a
/// `select`, whose typing differs between platforms).
async fn set_value(b: &Browser, css: &str, value: &str) {
    b.client
        .execute(
            "const el = document.querySelector(arguments[0]); el.value = arguments[1];
             el.dispatchEvent(new Event('change', { bubbles: true }));",
            vec![json!(css), json!(value)],
        )
        .await
        .unwrap();
}

async fn value_of(b: &Browser, css: &str) -> String {
    b.client
        .find(Locator::Css(css))
        .await
        .unwrap()
        .prop("value")
        .await
        .unwrap()
        .unwrap_or_default()
}

/// The API's answer as someone signed in with `email` (the password every test uses).
async fn token_of(app: &TestApp, email: &str) -> String {
    let res = app
        .client
        .post(app.url("/api/users/login"))
        .json(&json!({"email": email, "password": "correct horse battery"}))
        .send()
        .await
        .unwrap();
    let body: Value = res.json().await.unwrap();
    body["accessToken"].as_str().unwrap().to_owned()
}

async fn api_get(app: &TestApp, token: &str, path: &str) -> Value {
    app.client
        .get(app.url(path))
        .bearer_auth(token)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap()
}

#[tokio::test]
async fn colleagues_are_invited_by_name_times_follow_my_time_zone_and_my_meetings_todos_filter() {
    let app = spawn_app().await;
    let bo = app.register("Bo Han", &unique_email("bo")).await;
    app.register("Bora Kim", &unique_email("bora")).await;
    let dana = unique_email("dana");
    let b = browser("en-US", 1280).await;
    b.client.goto(&app.url("/register")).await.unwrap();
    fill(&b, "#name", "Dana Park").await;
    fill(&b, "#email", &dana).await;
    fill(&b, "#password", "correct horse battery").await;
    submit(&b, "main form").await;
    arrive(&b, "/").await;

    // Dana lives in New York: dates and times follow, daylight saving time included.
    b.client.goto(&app.url("/settings")).await.unwrap();
    set_value(&b, "#timezone", "America/New_York").await;
    submit(&b, "form[action='/settings/profile']").await;
    wait_text(&b, ".notice", 10, |t| t.contains("saved")).await;
    assert_eq!(value_of(&b, "#timezone").await, "America/New_York");
    let hint = text_of(&b, "#timezone-hint").await;
    assert!(hint.contains("America/New_York"), "{hint}");
    screenshot(&b, "settings-time-zone-en").await;

    // Colleagues are found by name as one types, and added with a click.
    b.client.goto(&app.url("/meetings/new")).await.unwrap();
    let hint = text_of(&b, "#when-hint").await;
    assert!(hint.contains("America/New_York"), "{hint}");
    fill(&b, "#title", "Roadmap").await;
    set_value(&b, "#when", "2026-12-20T10:00").await;
    fill(&b, "#find", "Bo").await;
    let found = wait_text(&b, "#found", 10, |t| {
        t.contains("Bo Han") && t.contains("Bora Kim")
    })
    .await;
    assert!(!found.contains("Dana"), "{found}");
    screenshot(&b, "meeting-new-people-en").await;
    // A name that fits two people is refused with both named; a full name is enough.
    fill(&b, "#invite", "Bo").await;
    submit(&b, "main form").await;
    let alert = text_of(&b, "[role=alert]").await;
    assert!(
        alert.contains("Several people match “Bo”: Bo Han, Bora Kim"),
        "{alert}"
    );
    fill(&b, "#invite", "").await;
    fill(&b, "#find", "han").await;
    b.client
        .wait()
        .at_most(Duration::from_secs(10))
        .for_element(Locator::Css("#found button[data-invite='Bo Han']"))
        .await
        .unwrap()
        .click()
        .await
        .unwrap();
    assert_eq!(value_of(&b, "#invite").await, "Bo Han");
    submit(&b, "main form").await;
    wait_text(&b, "main h1", 10, |t| t == "Roadmap").await;
    let people = text_of(&b, "#people-heading + ul").await;
    assert!(people.contains("Bo Han"), "{people}");
    let meeting_path = path(&b).await;
    let id = meeting_path.trim_start_matches("/meetings/").to_owned();
    // 10:00 in New York on 20 December is 15:00 UTC; the page says 10:00 again.
    let meeting = api_get(&app, &bo.token, &format!("/api/meetings/{id}")).await;
    assert_eq!(meeting["scheduledAt"], "2026-12-20T15:00:00Z", "{meeting}");
    let when = text_of(&b, ".meeting-head").await;
    assert!(when.contains("10:00"), "{when}");

    // The meeting is held; each commitment becomes its speaker's to-do.
    submit(&b, &format!("form[action='{meeting_path}/start']")).await;
    fill(
        &b,
        "#notes",
        "Dana Park: I will book the room for the offsite.\nBo Han: I will draft the roadmap document.",
    )
    .await;
    click(
        &b,
        Locator::Css(&format!("button[formaction='{meeting_path}/end']")),
    )
    .await;
    wait_text(&b, "#actions-heading + ul", 60, |t| {
        t.contains("roadmap") && t.contains("room")
    })
    .await;
    // Each action item links to the line it was said in.
    let source = b
        .client
        .find(Locator::XPath(
            "//h2[@id='actions-heading']/following-sibling::ul/li[contains(.,'roadmap')]//a[contains(@class,'source')]",
        ))
        .await
        .unwrap();
    let href = source.attr("href").await.unwrap().unwrap_or_default();
    assert!(href.starts_with("#section-"), "{href}");
    source.click().await.unwrap();
    let line = text_of(&b, &format!("{href} .text")).await;
    assert!(line.contains("draft the roadmap"), "{href}: {line}");
    let token = token_of(&app, &dana).await;
    // And one of Dana's own, overdue.
    let yesterday = (chrono::Utc::now() - chrono::Duration::days(2)).date_naive();
    let res = app
        .client
        .post(app.url("/api/todos"))
        .bearer_auth(&token)
        .json(&json!({
            "title": "File the expense report",
            "dueDate": yesterday.to_string(),
            "assigneeId": api_get(&app, &token, "/api/users/me").await["id"],
        }))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 201);

    // Mine: Dana's two, not Bo's.
    b.client.goto(&app.url("/todos")).await.unwrap();
    let mine = text_of(&b, "main section.card").await;
    assert!(
        mine.contains("room") && mine.contains("expense report") && !mine.contains("roadmap"),
        "{mine}"
    );
    // My meetings': Bo's too, with his name and the meeting's title.
    click(&b, Locator::LinkText("My meetings'")).await;
    let all = wait_text(&b, "main section.card", 10, |t| t.contains("roadmap")).await;
    assert!(all.contains("Bo Han") && all.contains("Roadmap"), "{all}");
    screenshot(&b, "todos-meetings-en").await;
    // Filtered by the meeting: the manual to-do is gone; by due date: only the overdue one.
    set_value(&b, "#f-meeting", &id).await;
    submit(&b, "form.filters").await;
    let of_meeting = wait_text(&b, "main section.card", 10, |t| !t.contains("expense")).await;
    assert!(
        of_meeting.contains("roadmap") && of_meeting.contains("room"),
        "{of_meeting}"
    );
    assert_eq!(value_of(&b, "#f-meeting").await, id);
    set_value(&b, "#f-meeting", "").await;
    set_value(&b, "#f-due", "overdue").await;
    submit(&b, "form.filters").await;
    let overdue = wait_text(&b, "main section.card", 10, |t| !t.contains("room")).await;
    assert!(overdue.contains("expense report"), "{overdue}");
    // Done with it, in place; the list stays as filtered.
    submit(&b, "li.todo form:has(input[value='DONE'])").await;
    wait_text(&b, "main section.card", 10, |t| {
        t.contains("No to-do matches these filters")
    })
    .await;
    assert!(b
        .client
        .current_url()
        .await
        .unwrap()
        .as_str()
        .contains("due=overdue"));

    // The bell shows every unread notification, not only those since the page opened.
    let unread = api_get(&app, &token, "/api/notifications?unread=true&size=1").await;
    let total = unread["total"].as_u64().unwrap();
    assert!(total > 0, "{unread}");
    b.client.goto(&app.url("/todos")).await.unwrap();
    wait_text(&b, "[data-unread-count]", 10, |t| {
        t.parse::<u64>().is_ok_and(|n| n >= total)
    })
    .await;

    // Every page at a phone's width: no sideways scrolling, and axe-core finds nothing.
    let phone = browser("en-US", 375).await;
    sign_in(&phone, &app, &dana).await;
    let todo_id = api_get(&app, &token, "/api/todos?size=1").await["items"][0]["id"]
        .as_str()
        .unwrap()
        .to_owned();
    for (page, name) in [
        ("/", "dashboard"),
        ("/meetings/new", "meeting-new"),
        (meeting_path.as_str(), "minutes"),
        (&format!("{meeting_path}/edit"), "meeting-edit"),
        ("/todos?scope=meetings", "todos"),
        (&format!("/todos/{todo_id}"), "todo"),
        ("/notifications", "notifications"),
        ("/notifications/preferences", "notification-preferences"),
        ("/settings", "settings"),
        ("/no-such-page", "not-found"),
    ] {
        phone.client.goto(&app.url(page)).await.unwrap();
        text_of(&phone, "main h1").await;
        let overflow: Value = phone
            .client
            .execute(
                "return document.documentElement.scrollWidth - window.innerWidth",
                vec![],
            )
            .await
            .unwrap();
        assert!(
            overflow.as_i64().unwrap_or(0) <= 0,
            "{page} scrolls sideways on a phone by {overflow} px"
        );
        screenshot(&phone, &format!("{name}-en-phone")).await;
    }

    // A to-do is deleted from its page; then the whole meeting, by its owner.
    let todos = api_get(&app, &token, "/api/todos?size=100").await;
    let room = todos["items"]
        .as_array()
        .unwrap()
        .iter()
        .find(|t| t["title"].as_str().unwrap_or_default().contains("room"))
        .unwrap()["id"]
        .as_str()
        .unwrap()
        .to_owned();
    b.client
        .goto(&app.url(&format!("/todos/{room}")))
        .await
        .unwrap();
    click(&b, Locator::Css("details.danger summary")).await;
    submit(&b, "details.danger form").await;
    arrive(&b, "/todos").await;
    let after = api_get(&app, &token, &format!("/api/todos/{room}")).await;
    assert_eq!(after["status"], 404, "{after}");
    b.client.goto(&app.url(&meeting_path)).await.unwrap();
    click(&b, Locator::Css("details.danger summary")).await;
    screenshot(&b, "meeting-delete-en").await;
    submit(&b, "details.danger form").await;
    arrive(&b, "/").await;
    let gone = app.get(&bo, &format!("/api/meetings/{id}")).await;
    assert_eq!(gone.status(), 404);
}
