//! The privacy model through the gateway (docs/security.md, "Privacy model"): a user's
//! e-mail address is shown to them alone, and a todo reaches only oneself or a fellow
//! participant of its meeting.

use serde_json::{json, Value};

use crate::helpers::spawn_app;
use crate::pipeline::eventually;

#[tokio::test]
async fn strangers_neither_see_an_address_nor_receive_todos() {
    let app = spawn_app().await;
    let ann = app.register("Ann Lee", "ann@example.com").await;
    let bob = app.register("Bob Han", "bob@example.com").await;
    let eve = app.register("Eve Stranger", "eve@private.example").await;

    // Ann knows Eve's id (from a name search) but not her address; inviting her shows none.
    let found: Value = app
        .get(&ann, "/api/users/search?q=Stranger")
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(
        found["items"],
        json!([{"id": eve.id, "name": "Eve Stranger"}])
    );
    let meeting = app.create_meeting(&ann, "Coffee", &[&eve, &bob]).await;
    assert!(!meeting.to_string().contains('@'), "{meeting}");
    assert_eq!(
        meeting["participants"][1],
        json!({"userId": eve.id, "name": "Eve Stranger"})
    );
    let id = meeting["id"].as_str().unwrap();

    // A todo for someone Ann shares no meeting with is refused, and reaches nobody.
    let lonely = app.register("Lo Nely", "lonely@example.com").await;
    let res = app
        .post(
            &ann,
            "/api/todos",
            json!({"title": "Wire 5000 USD to this account", "assigneeId": lonely.id}),
        )
        .await;
    assert_eq!(res.status(), 403);
    let problem: Value = res.json().await.unwrap();
    assert_eq!(problem["code"], "todo_assignee_forbidden", "{problem}");

    // A fellow participant of the meeting may be given its todo, once the todo service has
    // heard of the meeting (`meeting.created`).
    let created: Value = eventually("the todo service to learn the meeting", || async {
        let res = app
            .post(
                &ann,
                "/api/todos",
                json!({"title": "Bring the slides", "assigneeId": bob.id, "meetingId": id}),
            )
            .await;
        (res.status() == 201).then_some(res.json::<Value>().await.unwrap())
    })
    .await;
    assert_eq!(created["assigneeName"], "Bob Han");
    let mine: Value = app.get(&bob, "/api/todos").await.json().await.unwrap();
    assert_eq!(mine["total"], 1, "{mine}");
    let theirs: Value = app.get(&lonely, "/api/todos").await.json().await.unwrap();
    assert_eq!(theirs["total"], 0, "{theirs}");
}
