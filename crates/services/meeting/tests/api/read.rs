use reqwest::StatusCode;
use serde_json::{json, Value};
use uuid::Uuid;

use crate::helpers::spawn_app;

#[tokio::test]
async fn outsiders_cannot_tell_a_meeting_exists() {
    let app = spawn_app().await;
    let owner = app.given_user("Owner", "owner@example.com").await;
    let outsider = app.given_user("Eve", "eve@example.com").await;
    let m = app.meeting(owner, "secret", &[]).await;
    let id = m["id"].as_str().unwrap();

    let hidden = app.get(&format!("/api/meetings/{id}"), outsider).await;
    let missing = app
        .get(&format!("/api/meetings/{}", Uuid::now_v7()), outsider)
        .await;
    assert_eq!(hidden.status, StatusCode::NOT_FOUND);
    assert_eq!(missing.status, StatusCode::NOT_FOUND);
    assert_eq!(hidden.body["code"], missing.body["code"]);

    let bad = app.get("/api/meetings/not-a-uuid", owner).await;
    assert_eq!(bad.status, StatusCode::BAD_REQUEST);
    assert!(bad.detail().contains("not-a-uuid"), "{:?}", bad.body);
}

fn titles(page: &Value) -> Vec<&str> {
    page["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|m| m["title"].as_str().unwrap())
        .collect()
}

#[tokio::test]
async fn list_shows_the_callers_meetings_filtered_and_paginated() {
    let app = spawn_app().await;
    let owner = app.given_user("Owner", "owner@example.com").await;
    let guest = app.given_user("Guest", "guest@example.com").await;
    let outsider = app.given_user("Out", "out@example.com").await;
    for (title, at) in [("a", "01"), ("b", "02"), ("c", "03")] {
        let body = json!({"title": title, "scheduledAt": format!("2025-03-{at}T09:00:00Z"),
                          "participantIds": [guest]});
        assert_eq!(
            app.post("/api/meetings", owner, body).await.status,
            StatusCode::CREATED
        );
    }
    app.meeting(outsider, "not yours", &[]).await;
    let page = app.get("/api/meetings", guest).await;
    assert_eq!(page.status, StatusCode::OK);
    assert_eq!(
        titles(&page.body),
        ["c", "b", "a"],
        "newest scheduled first"
    );
    assert_eq!(
        (
            page.body["page"].clone(),
            page.body["size"].clone(),
            page.body["total"].clone()
        ),
        (json!(1), json!(20), json!(3))
    );
    assert_eq!(page.body["items"][0]["participants"][1]["name"], "Guest");

    let id_b = page.body["items"][1]["id"].as_str().unwrap().to_string();
    let started = app
        .post(&format!("/api/meetings/{id_b}/start"), owner, json!({}))
        .await;
    assert_eq!(started.status, StatusCode::OK);

    let live = app.get("/api/meetings?status=IN_PROGRESS", guest).await;
    assert_eq!(titles(&live.body), ["b"]);
    assert_eq!(live.body["total"], 1);
    let scheduled = app.get("/api/meetings?status=SCHEDULED", owner).await;
    assert_eq!(titles(&scheduled.body), ["c", "a"]);

    let p1 = app.get("/api/meetings?page=1&size=2", guest).await;
    let p2 = app.get("/api/meetings?page=2&size=2", guest).await;
    let p3 = app.get("/api/meetings?page=3&size=2", guest).await;
    assert_eq!(titles(&p1.body), ["c", "b"]);
    assert_eq!(titles(&p2.body), ["a"]);
    assert!(titles(&p3.body).is_empty());
    assert_eq!(p2.body["total"], 3);

    assert_eq!(
        titles(&app.get("/api/meetings", outsider).await.body),
        ["not yours"]
    );

    for (query, needle) in [
        ("status=DONE", "status"),
        ("size=0", "size"),
        ("size=101", "size"),
        ("page=0", "page"),
    ] {
        let res = app.get(&format!("/api/meetings?{query}"), guest).await;
        assert_eq!(res.status, StatusCode::BAD_REQUEST, "{query}");
        assert!(res.detail().contains(needle), "{query}: {:?}", res.body);
    }
}

#[tokio::test]
async fn templates_are_listed_in_korean_and_english() {
    let app = spawn_app().await;
    let user = app.given_user("User", "user@example.com").await;
    let res = app.get("/api/meetings/templates", user).await;
    assert_eq!(res.status, StatusCode::OK);
    let list = res.body.as_array().unwrap();
    let ids: Vec<&str> = list.iter().map(|t| t["id"].as_str().unwrap()).collect();
    assert_eq!(
        ids,
        ["weekly-sync", "one-on-one", "retrospective", "kickoff"]
    );
    assert_eq!(
        list[0]["name"],
        json!({"ko": "주간 회의", "en": "Weekly sync"})
    );
    for t in list {
        assert!(!t["description"]["ko"].as_str().unwrap().is_empty());
        assert!(!t["description"]["en"].as_str().unwrap().is_empty());
        let sections = t["agendaSections"].as_array().unwrap();
        assert!(sections.len() >= 4, "{t}");
        assert!(sections
            .iter()
            .all(|s| s["ko"].is_string() && s["en"].is_string()));
        assert!(t["durationMinutes"].as_i64().unwrap() > 0);
    }
    // Served from the cache the second time, identically.
    assert_eq!(
        app.get("/api/meetings/templates", user).await.body,
        res.body
    );
}

#[test]
fn openapi_documents_every_route() {
    let doc = quorum_meeting::Meeting::openapi();
    let json = serde_json::to_value(&doc).unwrap();
    let paths = json["paths"].as_object().unwrap();
    let expected = [
        ("/api/meetings", &["post", "get"][..]),
        ("/api/meetings/templates", &["get"]),
        ("/api/meetings/{id}", &["get", "put"]),
        ("/api/meetings/{id}/start", &["post"]),
        ("/api/meetings/{id}/notes", &["put"]),
        ("/api/meetings/{id}/end", &["post"]),
        ("/api/meetings/{id}/cancel", &["post"]),
        ("/api/meetings/{id}/recording", &["post"]),
        ("/api/meetings/{id}/recordings", &["get"]),
        (
            "/api/meetings/{id}/recordings/{recordingId}/audio",
            &["get"],
        ),
    ];
    assert_eq!(paths.len(), expected.len(), "{:?}", paths.keys());
    for (path, methods) in expected {
        for m in methods {
            let op = &paths[path][*m];
            assert!(op.is_object(), "{m} {path}");
            assert_eq!(op["tags"], serde_json::json!(["meetings"]), "{m} {path}");
        }
    }
    assert!(json["components"]["schemas"]["MeetingView"].is_object());
    let upload = &paths["/api/meetings/{id}/recording"]["post"]["requestBody"]["content"];
    for media in ["application/octet-stream", "audio/*", "multipart/form-data"] {
        assert!(
            upload[media].is_object(),
            "upload documents {media}: {upload}"
        );
    }
    assert!(json["components"]["schemas"]["RecordingView"].is_object());
}
