use reqwest::StatusCode;
use serde_json::json;
use uuid::Uuid;

use crate::helpers::spawn_app;

#[tokio::test]
async fn the_owner_edits_title_time_agenda_and_participants() {
    let app = spawn_app().await;
    let owner = app.given_user("Owner", "owner@example.com").await;
    let a = app.given_user("A", "a@example.com").await;
    let b = app.given_user("B", "b@example.com").await;
    let m = app.meeting(owner, "before", &[a]).await;
    let path = format!("/api/meetings/{}", m["id"].as_str().unwrap());

    let res = app
        .put(
            &path,
            owner,
            json!({"title": "after", "scheduledAt": "2025-04-01T09:30:00Z",
                   "agenda": "## Budget", "participantIds": [b]}),
        )
        .await;
    assert_eq!(res.status, StatusCode::OK, "{:?}", res.body);
    assert_eq!(res.body["title"], "after");
    assert_eq!(res.body["scheduledAt"], "2025-04-01T09:30:00Z");
    assert_eq!(res.body["agenda"], "## Budget");
    let ids: Vec<&str> = res.body["participants"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p["userId"].as_str().unwrap())
        .collect();
    assert_eq!(
        ids,
        [owner.to_string(), b.to_string()],
        "the owner always stays"
    );
    assert_eq!(
        app.get(&path, a).await.status,
        StatusCode::NOT_FOUND,
        "a was removed"
    );
    assert_eq!(app.get(&path, b).await.status, StatusCode::OK);

    // Only the fields given change; an empty agenda removes it.
    let res = app.put(&path, owner, json!({"agenda": ""})).await;
    assert_eq!(res.body["title"], "after");
    assert!(res.body.get("agenda").is_none(), "{:?}", res.body);
}

#[tokio::test]
async fn get_put_get_shows_the_new_title() {
    let app = spawn_app().await;
    let owner = app.given_user("Owner", "owner@example.com").await;
    let m = app.meeting(owner, "old title", &[]).await;
    let path = format!("/api/meetings/{}", m["id"].as_str().unwrap());
    assert_eq!(app.get(&path, owner).await.body["title"], "old title"); // now cached
    let put = app.put(&path, owner, json!({"title": "new title"})).await;
    assert_eq!(put.status, StatusCode::OK);
    assert_eq!(app.get(&path, owner).await.body["title"], "new title");
}

#[tokio::test]
async fn only_the_owner_may_edit_and_only_while_open() {
    let app = spawn_app().await;
    let owner = app.given_user("Owner", "owner@example.com").await;
    let guest = app.given_user("Guest", "guest@example.com").await;
    let outsider = app.given_user("Out", "out@example.com").await;
    let m = app.meeting(owner, "t", &[guest]).await;
    let id = m["id"].as_str().unwrap();
    let path = format!("/api/meetings/{id}");

    let res = app.put(&path, guest, json!({"title": "mine"})).await;
    assert_eq!(res.status, StatusCode::FORBIDDEN);
    assert_eq!(res.body["code"], "not_meeting_owner");
    assert_eq!(
        app.put(&path, outsider, json!({"title": "x"})).await.status,
        StatusCode::NOT_FOUND
    );

    let empty = app.put(&path, owner, json!({})).await;
    assert_eq!(empty.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(empty.detail().contains("title"), "{:?}", empty.body);
    let bad = app.put(&path, owner, json!({"title": ""})).await;
    assert_eq!(bad.status, StatusCode::UNPROCESSABLE_ENTITY);
    let bad = app.put(&path, owner, json!({"scheduledAt": "soon"})).await;
    assert!(bad.detail().contains("scheduledAt"), "{:?}", bad.body);
    let stranger = Uuid::now_v7();
    let bad = app
        .put(&path, owner, json!({"participantIds": [stranger]}))
        .await;
    assert_eq!(bad.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(bad.detail().contains(&stranger.to_string()));
    assert_eq!(
        app.get(&path, owner).await.body["title"],
        "t",
        "nothing changed"
    );

    // Still editable while in progress; not once ended.
    app.post(&format!("{path}/start"), owner, json!({})).await;
    assert_eq!(
        app.put(&path, owner, json!({"title": "live"})).await.status,
        StatusCode::OK
    );
    app.post(&format!("{path}/end"), owner, json!({})).await;
    let res = app.put(&path, owner, json!({"title": "too late"})).await;
    assert_eq!(res.status, StatusCode::CONFLICT);
    assert_eq!(
        res.detail(),
        "meeting is ENDED; only a SCHEDULED or IN_PROGRESS meeting can be edited"
    );
}
