//! The chat client against a mock OpenAI-compatible server: a good answer is used (and
//! checked), junk, errors and slowness fall back to the local engine, and repeated failures
//! open the circuit so the server is left alone.

use std::sync::Arc;
use std::time::{Duration, Instant};

use async_trait::async_trait;
use chrono::{TimeZone, Utc};
use serde_json::{json, Value};
use uuid::Uuid;
use wiremock::matchers::{body_partial_json, header, method, path};
use wiremock::{Mock, MockServer, ResponseTemplate};

use super::{ChatError, OpenAiEngine};
use crate::analyzer::Analyzer;
use crate::engine::{
    Analysis, AnalysisEngine, AnalysisInput, EngineError, Lang, Participant, Section,
};
use crate::settings::{OpenAiSettings, Secret};

const KIM: Uuid = Uuid::from_u128(1);
const LEE: Uuid = Uuid::from_u128(2);

fn input() -> AnalysisInput {
    AnalysisInput {
        meeting_title: "주간 회의".into(),
        meeting_date: Utc.with_ymd_and_hms(2025, 3, 3, 1, 0, 0).unwrap(),
        timezone: "+09:00".parse().unwrap(),
        language: Lang::Ko,
        participants: vec![
            Participant {
                id: KIM,
                name: "김민수".into(),
            },
            Participant {
                id: LEE,
                name: "이지은".into(),
            },
        ],
        sections: vec![Section {
            speaker: Some("김민수".into()),
            speaker_id: Some(KIM),
            text: "제가 금요일까지 보고서를 작성하겠습니다.".into(),
        }],
    }
}

fn settings(server: &MockServer, timeout_ms: u64) -> OpenAiSettings {
    OpenAiSettings {
        base_url: format!("{}/v1", server.uri()),
        model: "test-model".into(),
        api_key: Some(Secret::new("sk-test")),
        timeout_ms,
    }
}

fn completion(content: &str) -> Value {
    json!({"id": "c1", "object": "chat.completion",
        "choices": [{"index": 0, "message": {"role": "assistant", "content": content}}]})
}

struct Local;

#[async_trait]
impl AnalysisEngine for Local {
    fn name(&self) -> &str {
        "builtin"
    }
    async fn analyze(&self, _: &AnalysisInput) -> Result<Analysis, EngineError> {
        Ok(Analysis {
            summary: "local".into(),
            action_items: vec![],
            decisions: vec![],
            decision_sections: vec![],
            schedule_suggestions: vec![],
        })
    }
}

fn analyzer(server: &MockServer, timeout_ms: u64) -> Analyzer {
    let chat = OpenAiEngine::new(settings(server, timeout_ms)).unwrap();
    Analyzer::new(Some(chat), Arc::new(Local))
}

async fn answer(server: &MockServer, response: ResponseTemplate) {
    Mock::given(method("POST"))
        .and(path("/v1/chat/completions"))
        .respond_with(response)
        .mount(server)
        .await;
}

#[tokio::test]
async fn a_good_answer_is_used_and_checked_against_the_meeting() {
    let server = MockServer::start().await;
    let content = json!({
        "summary": "보고서 작성 일정을 정했습니다.",
        "actionItems": [
            {"title": "보고서 작성", "assigneeId": KIM.to_string(), "dueDate": "2025-03-07"},
            {"title": "예산 검토", "assigneeId": Uuid::from_u128(99).to_string(), "dueDate": "next week"},
            {"title": "", "assigneeId": null}
        ],
        "decisions": ["보고서는 금요일까지 제출"],
        "scheduleSuggestions": [
            {"title": "후속 회의", "start": "2025-03-10T10:00:00+09:00", "durationMinutes": 30,
             "participantIds": [KIM.to_string(), "nobody"], "reason": "검토"},
            {"title": "날짜 없음", "start": "someday", "participantIds": []}
        ]
    });
    Mock::given(method("POST"))
        .and(path("/v1/chat/completions"))
        .and(header("authorization", "Bearer sk-test"))
        .and(body_partial_json(
            json!({"model": "test-model", "response_format": {"type": "json_object"}}),
        ))
        .respond_with(ResponseTemplate::new(200).set_body_json(completion(&content.to_string())))
        .expect(1)
        .mount(&server)
        .await;
    let produced = analyzer(&server, 2_000).analyze(&input()).await.unwrap();
    assert_eq!(produced.engine, "test-model");
    let a = produced.analysis;
    assert_eq!(a.summary, "보고서 작성 일정을 정했습니다.");
    assert_eq!(a.action_items.len(), 2);
    assert_eq!(a.action_items[0].assignee_id, Some(KIM));
    assert_eq!(a.action_items[0].assignee_name.as_deref(), Some("김민수"));
    assert_eq!(
        a.action_items[0].due_date.unwrap().to_string(),
        "2025-03-07"
    );
    assert_eq!(
        a.action_items[1].assignee_id, None,
        "an invented assignee is dropped"
    );
    assert_eq!(
        a.action_items[1].due_date, None,
        "an unparsable date is dropped"
    );
    assert_eq!(a.decisions, ["보고서는 금요일까지 제출"]);
    assert_eq!(a.schedule_suggestions.len(), 1);
    assert_eq!(
        a.schedule_suggestions[0].start,
        Utc.with_ymd_and_hms(2025, 3, 10, 1, 0, 0).unwrap()
    );
    assert_eq!(a.schedule_suggestions[0].participant_ids, [KIM]);
}

#[tokio::test]
async fn junk_falls_back_to_the_local_engine() {
    let server = MockServer::start().await;
    answer(
        &server,
        ResponseTemplate::new(200).set_body_json(completion("Sure! Here is a summary.")),
    )
    .await;
    let chat = OpenAiEngine::new(settings(&server, 2_000)).unwrap();
    assert!(matches!(
        chat.analyze(&input()).await,
        Err(ChatError::Junk(_))
    ));
    let produced = analyzer(&server, 2_000).analyze(&input()).await.unwrap();
    assert_eq!(produced.engine, "builtin");
    assert_eq!(produced.analysis.summary, "local");
}

#[tokio::test]
async fn a_server_error_falls_back_to_the_local_engine() {
    let server = MockServer::start().await;
    answer(&server, ResponseTemplate::new(500)).await;
    let chat = OpenAiEngine::new(settings(&server, 2_000)).unwrap();
    assert!(matches!(
        chat.analyze(&input()).await,
        Err(ChatError::Status(500))
    ));
    let produced = analyzer(&server, 2_000).analyze(&input()).await.unwrap();
    assert_eq!(produced.engine, "builtin");
}

#[tokio::test]
async fn a_slow_server_times_out_and_falls_back() {
    let server = MockServer::start().await;
    let slow = ResponseTemplate::new(200)
        .set_body_json(completion(r#"{"summary": "late"}"#))
        .set_delay(Duration::from_secs(3));
    answer(&server, slow).await;
    let started = Instant::now();
    let produced = analyzer(&server, 200).analyze(&input()).await.unwrap();
    assert_eq!(produced.engine, "builtin");
    assert!(
        started.elapsed() < Duration::from_secs(2),
        "{:?}",
        started.elapsed()
    );
}

#[tokio::test]
async fn repeated_failures_open_the_circuit_and_spare_the_server() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path("/v1/chat/completions"))
        .respond_with(ResponseTemplate::new(503))
        .expect(5)
        .mount(&server)
        .await;
    let chat = OpenAiEngine::new(settings(&server, 2_000)).unwrap();
    for _ in 0..5 {
        assert!(matches!(
            chat.analyze(&input()).await,
            Err(ChatError::Status(503))
        ));
    }
    assert!(matches!(
        chat.analyze(&input()).await,
        Err(ChatError::CircuitOpen)
    ));
    let fallback = Analyzer::new(Some(chat.clone()), Arc::new(Local));
    assert_eq!(fallback.analyze(&input()).await.unwrap().engine, "builtin");
    let health = fallback.health().await;
    assert_eq!(health.details["circuit"], "Open");
    // `expect(5)`: the server saw no call once the circuit opened (verified on drop).
}

#[tokio::test]
async fn health_reports_the_server_and_circuit() {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .and(path("/v1/models"))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({"data": []})))
        .mount(&server)
        .await;
    let health = analyzer(&server, 2_000).health().await;
    assert_eq!(health.details["server"], "reachable");
    assert_eq!(health.details["circuit"], "Closed");
    assert_eq!(health.details["model"], "test-model");
}

#[test]
fn the_prompt_carries_the_schema_and_the_meeting() {
    let system = super::prompt::system(Lang::En);
    assert!(system.contains("actionItems") && system.contains("English"));
    assert!(super::prompt::system(Lang::Ko).contains("한국어"));
    assert!(
        system.contains("sectionIndex") && super::prompt::system(Lang::Ko).contains("sectionIndex")
    );
    let user: Value = serde_json::from_str(&super::prompt::user(&input())).unwrap();
    assert_eq!(user["meetingDate"], "2025-03-03T10:00:00+09:00");
    assert_eq!(user["participants"][0]["id"], KIM.to_string());
    assert!(user["transcript"]
        .as_str()
        .unwrap()
        .starts_with("[0] 김민수: "));
    let user: Value = serde_json::from_str(&super::prompt::user(&three_sections())).unwrap();
    let lines: Vec<&str> = user["transcript"].as_str().unwrap().lines().collect();
    assert_eq!(
        lines,
        [
            "[0] 김민수: 이번 주 일정을 점검하겠습니다.",
            "[1] 김민수: 지은님, 금요일까지 예산안 정리해 주세요.",
            "[2] 이지은: 네, 알겠습니다. 출시는 다음 달로 확정했습니다.",
        ]
    );
}

/// A meeting of three sections (a request in 1, its acceptance and a decision in 2).
fn three_sections() -> AnalysisInput {
    let mut input = input();
    let section = |speaker: &str, id: Uuid, text: &str| Section {
        speaker: Some(speaker.into()),
        speaker_id: Some(id),
        text: text.into(),
    };
    input.sections = vec![
        section("김민수", KIM, "이번 주 일정을 점검하겠습니다."),
        section("김민수", KIM, "지은님, 금요일까지 예산안 정리해 주세요."),
        section(
            "이지은",
            LEE,
            "네, 알겠습니다. 출시는 다음 달로 확정했습니다.",
        ),
    ];
    input
}

#[test]
fn section_indexes_in_the_answer_are_kept_when_they_name_a_section() {
    let content = json!({
        "summary": "예산안 정리를 맡기고 출시 시점을 정했습니다.",
        "actionItems": [
            {"title": "예산안 정리", "assigneeId": LEE.to_string(), "sectionIndex": 2},
            {"title": "일정 공유", "sectionIndex": "1"},
            {"title": "회의록 배포", "sectionIndex": 3},
            {"title": "자료 검토", "sectionIndex": -1},
            {"title": "슬라이드 준비", "sectionIndex": "two"},
            {"title": "예약", "sectionIndex": 1.5}
        ],
        "decisions": [
            {"text": "출시는 다음 달", "sectionIndex": 2},
            {"text": "범위 외", "sectionIndex": 9},
            "인덱스 없는 결정",
            {"text": "  ", "sectionIndex": 0}
        ]
    });
    let a = super::parse::analysis(&content.to_string(), &three_sections()).unwrap();
    let indexes: Vec<Option<usize>> = a.action_items.iter().map(|i| i.section_index).collect();
    assert_eq!(indexes, [Some(2), Some(1), None, None, None, None]);
    assert_eq!(a.action_items[0].assignee_id, Some(LEE));
    assert_eq!(
        a.decisions,
        ["출시는 다음 달", "범위 외", "인덱스 없는 결정"]
    );
    assert_eq!(a.decision_sections, [Some(2), None, None]);
}

#[test]
fn an_answer_without_section_indexes_still_parses() {
    let content = json!({
        "summary": "예산안 정리를 맡겼습니다.",
        "actionItems": [{"title": "예산안 정리", "assigneeId": LEE.to_string(), "dueDate": "2025-03-07"}],
        "decisions": ["출시는 다음 달"]
    });
    let a = super::parse::analysis(&content.to_string(), &three_sections()).unwrap();
    assert_eq!(a.action_items.len(), 1);
    assert_eq!(a.action_items[0].section_index, None);
    assert_eq!(a.action_items[0].assignee_id, Some(LEE));
    assert_eq!(a.decisions, ["출시는 다음 달"]);
    assert_eq!(a.decision_sections, [None]);
}
