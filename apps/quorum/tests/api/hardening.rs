//! Security review #13: what the server keeps on disk is private, the signing keys can be
//! encrypted at rest, request bodies get a 413 naming the limit, and answers carry the
//! security headers.

use serde_json::{json, Value};

use crate::helpers::{service_db, spawn_app, spawn_with, test_settings};

const SEALING_KEY: &str = "MDEyMzQ1Njc4OWFiY2RlZjAxMjM0NTY3ODlhYmNkZWY=";

#[cfg(unix)]
fn mode(path: &std::path::Path) -> u32 {
    use std::os::unix::fs::PermissionsExt as _;
    std::fs::metadata(path).unwrap().permissions().mode() & 0o777
}

/// Every path under `dir` with its mode.
#[cfg(unix)]
fn modes_under(dir: &std::path::Path) -> Vec<(std::path::PathBuf, u32)> {
    let mut found = Vec::new();
    let mut pending = vec![dir.to_path_buf()];
    while let Some(path) = pending.pop() {
        found.push((path.clone(), mode(&path)));
        if path.is_dir() {
            pending.extend(std::fs::read_dir(&path).unwrap().map(|e| e.unwrap().path()));
        }
    }
    found
}

#[cfg(unix)]
#[tokio::test]
async fn what_the_server_keeps_on_disk_is_readable_by_its_user_alone() {
    use std::os::unix::fs::PermissionsExt as _;
    let data = tempfile::tempdir().unwrap();
    // What an older version left: an open data directory and an open database file.
    let open = |path: &std::path::Path, mode: u32| {
        std::fs::set_permissions(path, std::fs::Permissions::from_mode(mode)).unwrap();
    };
    open(data.path(), 0o755);
    let old = data.path().join("notes.txt");
    std::fs::write(&old, b"left by an older version").unwrap();
    open(&old, 0o644);

    let app = spawn_with(test_settings(data.path()), data).await;
    let owner = app.register("Kim Minji", "minji@example.com").await;
    let meeting = app.create_meeting(&owner, "Weekly sync", &[]).await;
    let id = meeting["id"].as_str().unwrap();
    let res = app
        .post(&owner, &format!("/api/meetings/{id}/start"), json!({}))
        .await;
    assert_eq!(res.status(), 200);
    let wav = quorum_audio::encode_wav(&vec![0.1_f32; 16_000], 16_000);
    let res = app
        .client
        .post(app.url(&format!("/api/meetings/{id}/recording")))
        .bearer_auth(&owner.token)
        .header("content-type", "audio/wav")
        .body(wav)
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 201, "{}", res.text().await.unwrap());

    let modes = modes_under(app.data.path());
    assert!(
        modes
            .iter()
            .any(|(p, _)| p.to_string_lossy().ends_with(".wav")),
        "the recording is on disk: {modes:?}"
    );
    if test_settings(app.data.path())
        .backends
        .database_url
        .is_blank()
    {
        let wal = app.data.path().join("identity.db-wal");
        assert!(wal.exists(), "{modes:?}");
    }
    for (path, mode) in &modes {
        let private = if path.is_dir() { 0o700 } else { 0o600 };
        assert_eq!(*mode, private, "{} is {mode:o}", path.display());
    }
    app.stop().await;
}

#[tokio::test]
async fn signing_keys_are_encrypted_at_rest_and_a_wrong_key_stops_the_start() {
    let data = tempfile::tempdir().unwrap();
    let mut settings = test_settings(data.path());
    settings.identity.key_encryption_key = SEALING_KEY.into();
    let app = spawn_with(settings.clone(), data).await;
    app.register("Kim Minji", "minji@example.com").await;
    let data = app.stop().await;

    let db = service_db(data.path(), "identity").await;
    let stored: Vec<String> = quorum_store::sqlx::query_scalar("SELECT pkcs8 FROM signing_keys")
        .fetch_all(db.reader())
        .await
        .unwrap();
    db.close().await;
    assert!(
        !stored.is_empty() && stored.iter().all(|k| k.starts_with("sealed:v1:")),
        "{stored:?}"
    );

    settings.identity.key_encryption_key = "ZmVkY2JhOTg3NjU0MzIxMGZlZGNiYTk4NzY1NDMyMTA=".into();
    let err = quorum::Application::build(settings.clone())
        .await
        .err()
        .expect("a wrong key stops the start");
    let message = format!("{err:#}");
    assert!(
        message.contains("cannot be decrypted")
            && message.contains("QUORUM_IDENTITY__KEY_ENCRYPTION_KEY"),
        "{message}"
    );

    // With the right key the same account signs in again.
    settings.identity.key_encryption_key = SEALING_KEY.into();
    let app = spawn_with(settings, data).await;
    let res = app
        .client
        .post(app.url("/api/users/login"))
        .json(&json!({"email": "minji@example.com", "password": "correct horse battery"}))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 200);
    app.stop().await;
}

#[tokio::test]
async fn bodies_past_the_limit_are_413_naming_it_and_bodies_within_it_are_read() {
    const LIMIT: usize = 3 * 1024 * 1024;
    let data = tempfile::tempdir().unwrap();
    let mut settings = test_settings(data.path());
    settings.gateway.body_limit_bytes = LIMIT;
    let app = spawn_with(settings, data).await;
    let user = app.register("Kim Minji", "minji@example.com").await;
    let todo = |title_len: usize| json!({"title": "x".repeat(title_len)}).to_string();
    let post = |body: reqwest::Body| {
        app.client
            .post(app.url("/api/todos"))
            .bearer_auth(&user.token)
            .header("content-type", "application/json")
            .body(body)
            .send()
    };

    // Within the limit but over axum's 2 MiB default: read, and refused for what it says.
    let res = post(todo(LIMIT - 512 * 1024).into()).await.unwrap();
    let status = res.status();
    let body: Value = res.json().await.unwrap();
    assert_eq!(status, 422, "{body}");
    assert_eq!(body["code"], "validation_failed", "{body}");

    // Past it, declared or streamed: 413, naming the limit.
    let big = todo(LIMIT + 1024);
    let chunks: Vec<Result<Vec<u8>, std::io::Error>> = big
        .as_bytes()
        .chunks(64 * 1024)
        .map(|c| Ok(c.to_vec()))
        .collect();
    let streamed = reqwest::Body::wrap_stream(futures::stream::iter(chunks));
    for body in [big.clone().into(), streamed] {
        let res = post(body).await.unwrap();
        assert_eq!(res.status(), 413);
        assert_eq!(res.headers()["content-type"], "application/problem+json");
        let body: Value = res.json().await.unwrap();
        assert_eq!(body["code"], "payload_too_large", "{body}");
        assert!(
            body["detail"]
                .as_str()
                .unwrap()
                .contains(&LIMIT.to_string()),
            "{body}"
        );
    }
    app.stop().await;
}

#[tokio::test]
async fn answers_carry_security_headers_and_tokens_are_never_cached() {
    let app = spawn_app().await;
    let user = app.register("Kim Minji", "minji@example.com").await;
    let login = app
        .client
        .post(app.url("/api/users/login"))
        .json(&json!({"email": user.email, "password": "correct horse battery"}))
        .send()
        .await
        .unwrap();
    let refresh = app
        .client
        .post(app.url("/api/users/refresh"))
        .json(&json!({"refreshToken": user.refresh}))
        .send()
        .await
        .unwrap();
    let missing = app
        .client
        .get(app.url("/api/nothing"))
        .send()
        .await
        .unwrap();
    for res in [&login, &refresh, &missing] {
        let headers = res.headers();
        assert_eq!(headers["cache-control"], "no-store", "{}", res.url());
        assert_eq!(headers["x-content-type-options"], "nosniff");
        assert_eq!(headers["x-frame-options"], "DENY");
        assert_eq!(headers["referrer-policy"], "no-referrer");
    }
    assert_eq!(login.status(), 200);
    assert_eq!(refresh.status(), 200);

    // The web app's pages keep their own policy, each header once.
    let page = app.client.get(app.url("/login")).send().await.unwrap();
    let headers = page.headers();
    assert!(headers["content-security-policy"]
        .to_str()
        .unwrap()
        .contains("frame-ancestors 'none'"));
    assert_eq!(headers.get_all("x-frame-options").iter().count(), 1);
    assert_eq!(headers["referrer-policy"], "same-origin");
    app.stop().await;
}
