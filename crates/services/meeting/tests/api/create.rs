use reqwest::{Method, StatusCode};
use serde_json::json;
use uuid::Uuid;

use crate::helpers::spawn_app;

#[tokio::test]
async fn create_returns_the_meeting_with_the_owner_as_first_participant() {
    let app = spawn_app().await;
    let owner = app.given_user("김민수", "minsu@example.com").await;
    let guest = app.given_user("Alice", "alice@example.com").await;
    let res = app
        .post(
            "/api/meetings",
            owner,
            json!({"title": "  주간 회의  ", "scheduledAt": "2025-03-01T18:00:00+09:00",
                   "participantIds": [guest, owner, guest], "agenda": "- 지표 리뷰"}),
        )
        .await;
    assert_eq!(res.status, StatusCode::CREATED, "{:?}", res.body);
    let m = &res.body;
    assert_eq!(m["title"], "주간 회의");
    assert_eq!(m["status"], "SCHEDULED");
    assert_eq!(m["ownerId"], owner.to_string());
    assert_eq!(m["scheduledAt"], "2025-03-01T09:00:00Z");
    assert_eq!(m["agenda"], "- 지표 리뷰");
    assert_eq!(m["progress"], json!({"completed": 0, "total": 0}));
    assert!(m.get("startedAt").is_none() && m.get("endedAt").is_none());
    assert_eq!(
        m["participants"],
        json!([
            {"userId": owner, "name": "김민수"},
            {"userId": guest, "name": "Alice"},
        ])
    );
    let id = m["id"].as_str().unwrap();
    let again = app.get(&format!("/api/meetings/{id}"), guest).await;
    assert_eq!(again.status, StatusCode::OK);
    assert_eq!(&again.body, m);
}

#[tokio::test]
async fn a_meeting_with_a_strangers_id_does_not_reveal_their_address() {
    let app = spawn_app().await;
    let owner = app.given_user("Owner", "owner@example.com").await;
    // Known to the owner by id only (a name search answers ids and names).
    let stranger = app.given_user("Stranger", "stranger@private.example").await;
    let res = app
        .post(
            "/api/meetings",
            owner,
            json!({"title": "Hello", "scheduledAt": "2025-03-01T09:00:00Z",
                   "participantIds": [stranger]}),
        )
        .await;
    assert_eq!(res.status, StatusCode::CREATED, "{:?}", res.body);
    assert_eq!(
        res.body["participants"][1],
        json!({"userId": stranger, "name": "Stranger"})
    );
    let id = res.body["id"].as_str().unwrap();
    // Nor does any later answer, to either of them.
    let path = format!("/api/meetings/{id}");
    let update = json!({"title": "Hello again"});
    for (user, other) in [(owner, "stranger@private"), (stranger, "owner@example")] {
        for answer in [
            app.get(&path, user).await,
            app.get("/api/meetings", user).await,
        ] {
            assert_eq!(answer.status, StatusCode::OK);
            assert!(
                !answer.body.to_string().contains(other),
                "{:?}",
                answer.body
            );
        }
    }
    let edited = app.put(&path, owner, update).await;
    assert_eq!(edited.status, StatusCode::OK, "{:?}", edited.body);
    assert!(!edited.body.to_string().contains("@"), "{:?}", edited.body);
}

#[tokio::test]
async fn invalid_fields_are_4xx_with_a_message_naming_the_field() {
    let app = spawn_app().await;
    let owner = app.given_user("Owner", "owner@example.com").await;
    let at = "2025-03-01T09:00:00Z";
    let cases = [
        (json!({"title": "   ", "scheduledAt": at}), 422, "title"),
        (
            json!({"title": "x".repeat(201), "scheduledAt": at}),
            422,
            "at most 200",
        ),
        (
            json!({"title": "ok", "scheduledAt": "next tuesday"}),
            422,
            "scheduledAt",
        ),
        (
            json!({"title": "ok", "scheduledAt": "2025-03-01"}),
            422,
            "RFC 3339",
        ),
        (json!({"scheduledAt": at}), 422, "title"),
        (json!({"title": "ok"}), 422, "scheduledAt"),
        (
            json!({"title": "ok", "scheduledAt": at, "participantIds": ["nope"]}),
            422,
            "participantIds",
        ),
        (
            json!({"title": "ok", "scheduledAt": at, "agenda": "x".repeat(20_001)}),
            422,
            "agenda",
        ),
    ];
    for (body, status, needle) in cases {
        let res = app.post("/api/meetings", owner, body.clone()).await;
        assert_eq!(res.status.as_u16(), status, "{body}: {:?}", res.body);
        assert!(res.detail().contains(needle), "{body}: {:?}", res.body);
        assert!(res.body["code"].is_string());
    }
    let malformed = app
        .client
        .post(format!("{}/api/meetings", app.base))
        .header("x-quorum-user-id", owner.to_string())
        .header("content-type", "application/json")
        .body("{\"title\": ")
        .send()
        .await
        .unwrap();
    assert_eq!(malformed.status(), StatusCode::BAD_REQUEST);
}

#[tokio::test]
async fn unknown_participants_are_422_naming_them() {
    let app = spawn_app().await;
    let owner = app.given_user("Owner", "owner@example.com").await;
    let known = app.given_user("Known", "known@example.com").await;
    let (a, b) = (Uuid::now_v7(), Uuid::now_v7());
    let res = app
        .post(
            "/api/meetings",
            owner,
            json!({"title": "t", "scheduledAt": "2025-03-01T09:00:00Z",
                   "participantIds": [known, a, b]}),
        )
        .await;
    assert_eq!(res.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(res.body["code"], "unknown_participants");
    assert!(res.detail().contains(&a.to_string()) && res.detail().contains(&b.to_string()));
    assert!(
        !res.detail().contains(&known.to_string()),
        "{}",
        res.detail()
    );
    let list = app.get("/api/meetings", owner).await;
    assert_eq!(list.body["total"], 0, "nothing was created");
}

#[tokio::test]
async fn a_template_fills_the_agenda_in_the_callers_language() {
    let app = spawn_app().await;
    let owner = app.given_user("Owner", "owner@example.com").await;
    let body = json!({"title": "retro", "scheduledAt": "2025-03-01T09:00:00Z",
                      "templateId": "retrospective"});
    let en = app.post("/api/meetings", owner, body.clone()).await;
    assert_eq!(en.status, StatusCode::CREATED);
    assert_eq!(en.body["templateId"], "retrospective");
    assert!(en.body["agenda"]
        .as_str()
        .unwrap()
        .contains("What went well"));

    let ko = app
        .client
        .post(format!("{}/api/meetings", app.base))
        .header("x-quorum-user-id", owner.to_string())
        .header("accept-language", "ko-KR,ko;q=0.9")
        .json(&body)
        .send()
        .await
        .unwrap();
    let ko: serde_json::Value = ko.json().await.unwrap();
    assert!(ko["agenda"].as_str().unwrap().contains("잘된 점"), "{ko}");

    let given = json!({"title": "retro", "scheduledAt": "2025-03-01T09:00:00Z",
                       "templateId": "retrospective", "agenda": "mine"});
    assert_eq!(
        app.post("/api/meetings", owner, given).await.body["agenda"],
        "mine"
    );

    let unknown =
        json!({"title": "t", "scheduledAt": "2025-03-01T09:00:00Z", "templateId": "nope"});
    let res = app.post("/api/meetings", owner, unknown).await;
    assert_eq!(res.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(res.detail().contains("`nope`"), "{:?}", res.body);
}

#[tokio::test]
async fn every_route_needs_the_caller_identity() {
    let app = spawn_app().await;
    let id = Uuid::now_v7();
    let routes = [
        (Method::POST, "/api/meetings".to_string()),
        (Method::GET, "/api/meetings".to_string()),
        (Method::GET, "/api/meetings/templates".to_string()),
        (Method::GET, format!("/api/meetings/{id}")),
        (Method::PUT, format!("/api/meetings/{id}")),
        (Method::POST, format!("/api/meetings/{id}/start")),
        (Method::PUT, format!("/api/meetings/{id}/notes")),
        (Method::POST, format!("/api/meetings/{id}/end")),
        (Method::POST, format!("/api/meetings/{id}/cancel")),
    ];
    for (method, path) in routes {
        let res = app.call(method.clone(), &path, None, Some(json!({}))).await;
        assert_eq!(res.status, StatusCode::UNAUTHORIZED, "{method} {path}");
        assert_eq!(res.body["status"], 401);
    }
}
