//! A user's first session: register, log in, schedule, start and end a meeting, log out.

use serde_json::{json, Value};

use crate::helpers::spawn_app;

#[tokio::test]
async fn register_login_and_run_a_meeting_through_the_gateway() {
    let app = spawn_app().await;
    let owner = app.register("Kim Minji", "minji@example.com").await;
    let guest = app.register("Alex Park", "alex@example.com").await;
    let outsider = app.register("Sam Lee", "sam@example.com").await;

    let meeting = app.create_meeting(&owner, "Weekly sync", &[&guest]).await;
    let id = meeting["id"].as_str().unwrap().to_string();
    assert_eq!(meeting["status"], "SCHEDULED");
    assert_eq!(meeting["ownerId"], owner.id.as_str());
    let names: Vec<&str> = meeting["participants"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p["name"].as_str().unwrap())
        .collect();
    assert!(
        names.contains(&"Kim Minji") && names.contains(&"Alex Park"),
        "{names:?}"
    );

    // Participants see it; outsiders do not learn it exists.
    assert_eq!(
        app.get(&guest, &format!("/api/meetings/{id}"))
            .await
            .status(),
        200
    );
    assert_eq!(
        app.get(&outsider, &format!("/api/meetings/{id}"))
            .await
            .status(),
        404
    );
    // Only the owner starts it.
    let res = app
        .post(&guest, &format!("/api/meetings/{id}/start"), json!({}))
        .await;
    assert_eq!(res.status(), 403);

    let res = app
        .post(&owner, &format!("/api/meetings/{id}/start"), json!({}))
        .await;
    assert_eq!(res.status(), 200);
    let started: Value = res.json().await.unwrap();
    assert_eq!(started["status"], "IN_PROGRESS");

    let res = app
        .post(
            &owner,
            &format!("/api/meetings/{id}/end"),
            json!({"notes": "Alex Park: I will send the draft by Friday."}),
        )
        .await;
    assert_eq!(res.status(), 200);
    let ended: Value = res.json().await.unwrap();
    // The view is read back after the commit, and the pipeline runs meanwhile: on a loaded
    // machine it can already be MINUTES_READY.
    assert!(
        ended["status"] == "ENDED" || ended["status"] == "MINUTES_READY",
        "{ended}"
    );
    assert!(ended["endedAt"].is_string());

    // Ending twice is a conflict with a message, not a 500.
    let res = app
        .post(&owner, &format!("/api/meetings/{id}/end"), json!({}))
        .await;
    assert_eq!(res.status(), 409);
    let problem: Value = res.json().await.unwrap();
    // (ENDED, or already MINUTES_READY if the pipeline was quicker than this request.)
    let detail = problem["detail"].as_str().unwrap();
    assert!(
        detail.contains("ENDED") || detail.contains("MINUTES_READY"),
        "{problem}"
    );

    // The status filter, once the minutes are ready (the pipeline moves an ended meeting on
    // within moments, so `ENDED` alone would race it).
    let total = |status: &'static str| {
        let (app, guest) = (&app, &guest);
        async move {
            let list: Value = app
                .get(guest, &format!("/api/meetings?status={status}"))
                .await
                .json()
                .await
                .unwrap();
            list["total"].as_u64().unwrap()
        }
    };
    crate::pipeline::eventually("MINUTES_READY", || async {
        (total("MINUTES_READY").await == 1).then_some(())
    })
    .await;
    assert_eq!(total("ENDED").await, 0);
    assert_eq!(total("SCHEDULED").await, 0);

    // Logout: the same access token stops working at once.
    let res = app
        .client
        .post(app.url("/api/users/logout"))
        .bearer_auth(&owner.token)
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 204);
    assert_eq!(app.get(&owner, "/api/users/me").await.status(), 401);
    assert_eq!(app.get(&guest, "/api/users/me").await.status(), 200);
    app.stop().await;
}

#[tokio::test]
async fn data_survives_a_restart_tokens_stay_valid_and_logouts_stay_revoked() {
    let app = spawn_app().await;
    let owner = app.register("Kim Minji", "minji@example.com").await;
    let leaver = app.register("Alex Park", "alex@example.com").await;
    let meeting = app.create_meeting(&owner, "Kickoff", &[]).await;
    let id = meeting["id"].as_str().unwrap().to_string();
    let res = app
        .client
        .post(app.url("/api/users/logout"))
        .bearer_auth(&leaver.token)
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 204);
    let data = app.stop().await;

    let settings = crate::helpers::test_settings(data.path());
    let app = crate::helpers::spawn_with(settings, data).await;
    // Signing keys persisted: the old token still verifies; the meeting is still there.
    let res = app.get(&owner, &format!("/api/meetings/{id}")).await;
    assert_eq!(res.status(), 200);
    // A logout is not forgotten by a restart.
    assert_eq!(app.get(&leaver, "/api/users/me").await.status(), 401);
    let res = app
        .client
        .post(app.url("/api/users/refresh"))
        .json(&json!({"refreshToken": owner.refresh}))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 200);
    app.stop().await;
}
