//! The OpenAPI document the gateway serves says what the API does: who may call each
//! operation, the problem answers it gives, what its ids look like and what its event
//! streams send. (`scripts/schemathesis.sh` then holds every operation to it.)

use std::collections::BTreeSet;

use serde_json::{json, Value};
use uuid::Uuid;

use crate::helpers::spawn_app;

const METHODS: [&str; 8] = [
    "get", "put", "post", "delete", "options", "head", "patch", "trace",
];
const PUBLIC: [(&str, &str); 4] = [
    ("post", "/api/users/register"),
    ("post", "/api/users/login"),
    ("post", "/api/users/refresh"),
    ("get", "/.well-known/jwks.json"),
];
const PROBLEM: &str = "#/components/schemas/Problem";

/// Every operation of the document: method, path, operation.
fn operations(doc: &Value) -> Vec<(&'static str, String, Value)> {
    let mut ops = Vec::new();
    for (path, item) in doc["paths"].as_object().unwrap() {
        for method in METHODS {
            if let Some(op) = item.get(method) {
                ops.push((method, path.clone(), op.clone()));
            }
        }
    }
    ops
}

fn in_path(op: &Value) -> Vec<Value> {
    op["parameters"]
        .as_array()
        .map(|ps| ps.iter().filter(|p| p["in"] == "path").cloned().collect())
        .unwrap_or_default()
}

#[tokio::test]
async fn the_document_states_who_may_call_ids_and_problem_answers() {
    let app = spawn_app().await;
    let doc: Value = app
        .client
        .get(app.url("/api/openapi.json"))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let schemes = doc["components"]["securitySchemes"].as_object().unwrap();
    assert_eq!(schemes.keys().collect::<Vec<_>>(), ["bearer"]);
    assert_eq!(schemes["bearer"]["scheme"], "bearer");
    let mut public_seen = BTreeSet::new();
    let ops = operations(&doc);
    assert!(ops.len() > 40, "{} operations", ops.len());
    for (method, path, op) in &ops {
        let name = format!("{} {path}", method.to_uppercase());
        let answers = op["responses"].as_object().unwrap();
        let lists = |status: &str| answers.contains_key(status);
        // Who may call it: every scheme it names exists; public routes name none.
        let security = op["security"]
            .as_array()
            .expect("security on every operation");
        for requirement in security {
            for scheme in requirement.as_object().unwrap().keys() {
                assert!(
                    schemes.contains_key(scheme),
                    "{name}: unknown scheme {scheme}"
                );
            }
        }
        if PUBLIC.contains(&(*method, path.as_str())) {
            public_seen.insert(name.clone());
            assert!(security.is_empty(), "{name} is public: {security:?}");
        } else {
            assert_eq!(security, &[json!({"bearer": []})], "{name}");
            assert!(lists("401"), "{name} lacks 401");
        }
        assert!(lists("429"), "{name} lacks 429 (rate limits are on)");
        // Ids in the path: UUIDs (task ids are `{kind}-{uuid}`), a 400 when malformed and a
        // 404 when unknown.
        let params = in_path(op);
        for p in &params {
            let param = p["name"].as_str().unwrap();
            if param == "taskId" {
                assert_eq!(
                    p["schema"]["pattern"],
                    quorum_tasks::TASK_ID_PATTERN,
                    "{name}"
                );
            } else if param == "id" || param.ends_with("Id") {
                assert_eq!(p["schema"]["format"], "uuid", "{name}: {param}");
            }
        }
        if !params.is_empty() {
            assert!(lists("400") && lists("404"), "{name} lacks 400 or 404");
        }
        if op.get("requestBody").is_some() {
            for status in ["400", "413", "415", "422"] {
                assert!(lists(status), "{name} takes a body but lacks {status}");
            }
        }
        // Every error answer is a problem document.
        for (status, answer) in answers.iter().filter(|(s, _)| s.starts_with('4')) {
            let content = answer["content"].as_object().unwrap();
            assert_eq!(
                content.keys().collect::<Vec<_>>(),
                ["application/problem+json"],
                "{name} {status}"
            );
            assert_eq!(
                content["application/problem+json"]["schema"]["$ref"], PROBLEM,
                "{name} {status}"
            );
        }
    }
    let expected: BTreeSet<String> = PUBLIC
        .iter()
        .map(|(m, p)| format!("{} {p}", m.to_uppercase()))
        .collect();
    assert_eq!(public_seen, expected);
    app.stop().await;
}

#[tokio::test]
async fn event_streams_are_documented_event_by_event() {
    let app = spawn_app().await;
    let doc: Value = app
        .client
        .get(app.url("/api/openapi.json"))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let mut streams = Vec::new();
    for (method, path, op) in operations(&doc) {
        let Some(stream) = op["responses"]["200"]["content"].get("text/event-stream") else {
            continue;
        };
        streams.push(path.clone());
        // Each event is an object with its name and its data (OpenAPI 3.1 reads the schema
        // of a `text/event-stream` as the schema of one event).
        let mut schema = stream["schema"].clone();
        if let Some(name) = schema["$ref"].as_str() {
            let name = name.trim_start_matches("#/components/schemas/");
            schema = doc["components"]["schemas"][name].clone();
        }
        assert_eq!(schema["type"], "object", "{method} {path}: {schema}");
        for field in ["event", "data"] {
            assert!(
                schema["properties"].get(field).is_some(),
                "{path}: {schema}"
            );
            assert!(
                schema["required"]
                    .as_array()
                    .unwrap()
                    .contains(&json!(field)),
                "{path}: {schema}"
            );
        }
    }
    streams.sort();
    assert_eq!(
        streams,
        [
            "/api/ai/tasks/{taskId}/events",
            "/api/notifications/stream",
            "/api/transcripts/tasks/{taskId}/events",
        ]
    );
    app.stop().await;
}

/// What the document says about tokens is what the gateway does: every operation it marks
/// as needing one answers a request without a token with a 401 problem, and the public
/// ones do not ask for one.
#[tokio::test]
async fn every_operation_that_names_the_bearer_scheme_refuses_a_request_without_a_token() {
    let app = spawn_app().await;
    let doc: Value = app
        .client
        .get(app.url("/api/openapi.json"))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let id = Uuid::now_v7().to_string();
    for (method, path, op) in operations(&doc) {
        let url = path
            .replace("{taskId}", &format!("ai-{id}"))
            .replace("{index}", "0")
            .replace("{id}", &id)
            .replace("{meetingId}", &id)
            .replace("{recordingId}", &id)
            .replace("{userId}", &id);
        let method = reqwest::Method::from_bytes(method.to_uppercase().as_bytes()).unwrap();
        let res = app
            .client
            .request(method.clone(), app.url(&url))
            .json(&json!({}))
            .send()
            .await
            .unwrap();
        let status = res.status();
        let body: Value = res.json().await.unwrap_or(Value::Null);
        let public = op["security"].as_array().unwrap().is_empty();
        if public {
            assert_ne!(body["code"], "invalid_token", "{method} {path}: {body}");
        } else {
            assert_eq!(status, 401, "{method} {path}: {body}");
            assert_eq!(body["code"], "invalid_token", "{method} {path}");
        }
    }
    app.stop().await;
}
