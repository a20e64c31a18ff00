//! The service configured with an OpenAI-compatible chat server: its analysis is stored and
//! announced under the model's name; when the server fails, the local engine's is.

use quorum_ai::{EngineKind, OpenAiSettings, Settings};
use quorum_contracts::events::AnalysisCompleted;
use serde_json::json;
use wiremock::matchers::{method, path};
use wiremock::{Mock, MockServer, ResponseTemplate};

use crate::helpers::{spawn_with, stub, transcript, People};

fn settings(server: &MockServer) -> Settings {
    Settings {
        engine: EngineKind::Openai,
        openai: OpenAiSettings {
            base_url: format!("{}/v1", server.uri()),
            model: "test-model".into(),
            api_key: None,
            timeout_ms: 2_000,
        },
        ..Settings::default()
    }
}

#[tokio::test]
async fn the_chat_servers_analysis_is_stored_under_the_models_name() {
    let server = MockServer::start().await;
    let people = People::new();
    let t = transcript(&people);
    let content = json!({
        "summary": "The launch ships on Friday.",
        "actionItems": [{"title": "Write release notes", "assigneeId": people.guest, "dueDate": "2025-03-06"}],
        "decisions": ["Ship on Friday"],
        "scheduleSuggestions": []
    });
    Mock::given(method("POST"))
        .and(path("/v1/chat/completions"))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({
            "choices": [{"message": {"role": "assistant", "content": content.to_string()}}]
        })))
        .mount(&server)
        .await;
    let app = spawn_with(settings(&server), stub()).await;
    let analysis = app.analysed(&t).await;
    assert_eq!(analysis["summary"], "The launch ships on Friday.");
    assert_eq!(analysis["actionItems"][0]["assigneeName"], "Bob Lee");
    let done: AnalysisCompleted = app.events(1).await[0].data_as().unwrap();
    assert_eq!(done.engine, "test-model");
}

#[tokio::test]
async fn a_failing_chat_server_falls_back_to_the_local_engine() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path("/v1/chat/completions"))
        .respond_with(ResponseTemplate::new(500))
        .mount(&server)
        .await;
    let app = spawn_with(settings(&server), stub()).await;
    let t = transcript(&People::new());
    let analysis = app.analysed(&t).await;
    assert_eq!(analysis["summary"], "Summary of Launch review");
    let done: AnalysisCompleted = app.events(1).await[0].data_as().unwrap();
    assert_eq!(done.engine, "builtin");
}
